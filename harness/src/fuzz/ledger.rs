//! Reading a sequence's effect counts the way `hookcheck run` does (its
//! `checks::kit::ledger`): late enough for an effect that lands after the answer, polling
//! a missing effect before it is called lost, and never sooner than [`FINAL_READ_AFTER`]
//! after the sequence's last copy, so that a duplicate processed in the background shows.
//!
//! A sequence waits for its counts without holding a place among the sequences under way,
//! so other sequences keep the target busy meanwhile.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::execute::{BUDGET_RAN_OUT, Ids, Target};
use super::invariant::EffectExpectation;

/// The soonest a count is read after the last copy of its session: a receiver that
/// processes a duplicate asynchronously (a second effect a second after its 2xx) shows it.
pub const FINAL_READ_AFTER: Duration = Duration::from_secs(2);
/// Between two reads of a count that is still missing.
pub const POLL: Duration = Duration::from_millis(200);
/// The least time a missing effect is polled for.
pub const MIN_POLL_WINDOW: Duration = Duration::from_secs(1);

/// How long a missing effect is polled after the first read: as `run` does,
/// max(1 s, 4 × settle).
pub fn poll_window(settle: Duration) -> Duration {
    (settle * 4).max(MIN_POLL_WINDOW)
}

/// How long after its last request a sequence's counts are first read.
pub fn first_read_after(settle: Duration) -> Duration {
    settle.max(FINAL_READ_AFTER)
}

/// The counts of every session in `expectations`: read once no sooner than
/// [`first_read_after`] the sequence `finished`, then, for a session that must have one
/// effect and shows none, polled every [`POLL`] for [`poll_window`]. A count over its
/// expectation is final at once (counts never go down). A read the deadline cut short is
/// an error: no verdict.
pub async fn read_counts(
    target: &Target,
    expectations: &[EffectExpectation],
    ids: Ids,
    finished: Instant,
    settle: Duration,
) -> BTreeMap<u16, Result<u64, String>> {
    let sessions = Target::sessions(expectations);
    let cut = |sessions: &[u16]| {
        sessions
            .iter()
            .map(|s| (*s, Err(BUDGET_RAN_OUT.to_owned())))
            .collect::<BTreeMap<_, _>>()
    };
    if !target
        .deadline
        .sleep_until(finished + first_read_after(settle))
        .await
    {
        return cut(&sessions);
    }
    let mut counts = target.counts(&sessions, ids).await;
    let until = Instant::now() + poll_window(settle);
    loop {
        let missing: Vec<u16> = expectations
            .iter()
            .filter(|e| e.count == 1 && matches!(counts.get(&e.session), Some(Ok(0))))
            .map(|e| e.session)
            .collect();
        if missing.is_empty() || Instant::now() >= until {
            break;
        }
        if !target.deadline.sleep_until(Instant::now() + POLL).await {
            counts.extend(cut(&missing));
            break;
        }
        counts.extend(target.counts(&missing, ids).await);
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_follow_run_and_the_final_read_floor() {
        assert_eq!(poll_window(Duration::from_millis(100)), MIN_POLL_WINDOW);
        assert_eq!(
            poll_window(Duration::from_millis(1500)),
            Duration::from_secs(6)
        );
        assert_eq!(
            first_read_after(Duration::from_millis(200)),
            FINAL_READ_AFTER
        );
        assert_eq!(
            first_read_after(Duration::from_secs(3)),
            Duration::from_secs(3)
        );
    }
}
