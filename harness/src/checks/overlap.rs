//! Whether copies of one session overlapped at the target as a duplicate scenario means
//! them to (SPEC [D-20]): concurrent copies in flight together, an abandoned copy still
//! unanswered when its sender hung up. A scenario that did not happen is not graded as
//! though it had: its checks skip, saying what happened instead.

use std::sync::Arc;
use std::time::Instant;

use futures::future::join_all;
use tokio::sync::Barrier;

use super::kit::{Ctx, Probe, Sent, Verdict, VerdictOutcome};

/// Why concurrent copies were not observed.
pub const NOT_CONCURRENT: &str = "the concurrent copies did not overlap: each was answered before another was sent, so concurrent duplicates were not observed";
/// Why the retry of an abandoned copy was not observed.
pub const ANSWERED_FIRST: &str = "the abandoned copy was answered before its sender hung up (the target answers within half its typical latency): its retry was an ordinary duplicate, so a retry of a delivery abandoned mid-processing was not observed; a target whose answers take longer shows it";

/// Sends every probe at once, as [`release_together`](super::kit::release_together) does,
/// and says whether any two were in flight at the same time (one sent before another was
/// answered).
pub async fn release_timed(ctx: &Ctx, probes: &[Probe]) -> (Vec<Sent>, bool) {
    let barrier = Arc::new(Barrier::new(probes.len()));
    let timed = join_all(probes.iter().map(|probe| {
        let barrier = barrier.clone();
        async move {
            barrier.wait().await;
            let start = Instant::now();
            let sent = ctx.send_now(probe).await;
            (start, Instant::now(), sent)
        }
    }))
    .await;
    let spans: Vec<(Instant, Instant)> = timed.iter().map(|(s, e, _)| (*s, *e)).collect();
    let sent = timed.into_iter().map(|(_, _, sent)| sent).collect();
    (sent, any_overlap(&spans))
}

/// Whether any two of these spans (start, end) overlap.
pub fn any_overlap(spans: &[(Instant, Instant)]) -> bool {
    let mut sorted = spans.to_vec();
    sorted.sort();
    let mut latest_end: Option<Instant> = None;
    for (start, end) in sorted {
        if latest_end.is_some_and(|latest| start < latest) {
            return true;
        }
        latest_end = Some(latest_end.map_or(end, |latest| latest.max(end)));
    }
    false
}

/// A verdict that holds, turned into a skip with `unobserved` as the reason when the
/// scenario's situation did not occur; any other verdict as it is.
pub fn unless_unobserved(verdict: Verdict, unobserved: &Option<String>) -> Verdict {
    match (verdict.outcome, unobserved) {
        (VerdictOutcome::Holds, Some(why)) => Verdict {
            outcome: VerdictOutcome::Skip,
            actual: why.clone(),
            ..verdict
        },
        _ => verdict,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn spans_overlap_only_when_one_starts_before_another_ends() {
        let t = Instant::now();
        let ms = |n: u64| t + Duration::from_millis(n);
        assert!(!any_overlap(&[
            (ms(0), ms(5)),
            (ms(5), ms(9)),
            (ms(10), ms(12))
        ]));
        assert!(any_overlap(&[
            (ms(10), ms(12)),
            (ms(0), ms(5)),
            (ms(4), ms(6))
        ]));
        // A long first span covers a later one even when the one between does not.
        assert!(any_overlap(&[
            (ms(0), ms(20)),
            (ms(1), ms(2)),
            (ms(15), ms(16))
        ]));
        assert!(!any_overlap(&[(ms(0), ms(1))]));
    }

    #[test]
    fn only_a_verdict_that_holds_becomes_a_skip() {
        let why = Some("not observed".to_owned());
        let holds = Verdict::new(VerdictOutcome::Holds, "e", "a");
        let skipped = unless_unobserved(holds, &why);
        assert_eq!(skipped.outcome, VerdictOutcome::Skip);
        assert_eq!(skipped.actual, "not observed");
        let broken = Verdict::new(VerdictOutcome::Broken, "e", "a");
        assert_eq!(
            unless_unobserved(broken, &why).outcome,
            VerdictOutcome::Broken
        );
        let holds = Verdict::new(VerdictOutcome::Holds, "e", "a");
        assert_eq!(
            unless_unobserved(holds, &None).outcome,
            VerdictOutcome::Holds
        );
    }
}
