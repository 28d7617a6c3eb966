//! When a Standard Webhooks sender retries a message (STANDARD-WEBHOOKS.md [SW-13]): the
//! specification's example schedule, the span a receiver's dedupe records must outlive,
//! and the moments `run` sends a retry at within its `--dedupe-window` ([SD-9]).

use std::time::Duration;

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;

/// The waits between attempts of the specification's example schedule [SW-13].
pub const RETRY_DELAYS: [Duration; 9] = [
    Duration::from_secs(5),
    Duration::from_secs(5 * MINUTE),
    Duration::from_secs(30 * MINUTE),
    Duration::from_secs(2 * HOUR),
    Duration::from_secs(5 * HOUR),
    Duration::from_secs(10 * HOUR),
    Duration::from_secs(14 * HOUR),
    Duration::from_secs(20 * HOUR),
    Duration::from_secs(24 * HOUR),
];

/// When each retry comes, counted from the first attempt: +5s, +5m5s, +35m5s, …
pub fn retry_offsets() -> Vec<Duration> {
    RETRY_DELAYS
        .iter()
        .scan(Duration::ZERO, |at, delay| {
            *at += *delay;
            Some(*at)
        })
        .collect()
}

/// The first retry's moment: how long `run` waits for a retry unless told otherwise.
pub fn first_retry() -> Duration {
    RETRY_DELAYS[0]
}

/// The last retry's moment: the span dedupe records must outlive (a little over 3 days).
pub fn last_retry() -> Duration {
    RETRY_DELAYS.iter().sum()
}

/// The moments a retry is sent at within `window`: every retry of the schedule that comes
/// within it, then one at the window's end when no retry does; and the retries left out.
pub fn within(window: Duration) -> (Vec<Duration>, Vec<Duration>) {
    let (mut probed, unprobed): (Vec<_>, Vec<_>) =
        retry_offsets().into_iter().partition(|at| *at <= window);
    if !window.is_zero() && probed.last().is_none_or(|at| *at < window) {
        probed.push(window);
    }
    (probed, unprobed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_spans_a_little_over_three_days_from_a_first_retry_at_five_seconds() {
        let offsets = retry_offsets();
        assert_eq!(offsets[0], Duration::from_secs(5));
        assert_eq!(offsets[1], Duration::from_secs(305));
        assert_eq!(offsets.last(), Some(&last_retry()));
        assert_eq!(
            last_retry(),
            Duration::from_secs(75 * HOUR + 35 * MINUTE + 5)
        );
    }

    #[test]
    fn a_window_probes_the_retries_inside_it_and_its_own_end() {
        let (probed, unprobed) = within(first_retry());
        assert_eq!(probed, [Duration::from_secs(5)]);
        assert_eq!(unprobed.len(), 8);
        let (probed, _) = within(Duration::from_secs(1));
        assert_eq!(probed, [Duration::from_secs(1)]);
        let (probed, unprobed) = within(Duration::from_secs(400));
        assert_eq!(probed, [5, 305, 400].map(Duration::from_secs));
        assert_eq!(unprobed[0], Duration::from_secs(35 * MINUTE + 5));
        assert!(within(last_retry()).1.is_empty());
    }
}
