//! The end of the whole command: with `--time D`, every request, pause, effect read and
//! shrinking replay ends by `start + D`, so a hostile target (one that accepts and never
//! answers, drips its answer, or speaks plain HTTP on an `https://` URL) cannot stretch a
//! run past its budget. Without a time budget there is no end, and nothing is clipped.

use std::future::Future;
use std::time::{Duration, Instant};

/// When the command must be done, if ever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Deadline {
    at: Option<Instant>,
}

impl Deadline {
    /// No end.
    pub const NONE: Deadline = Deadline { at: None };

    /// Ends `budget` from now.
    pub fn after(budget: Duration) -> Deadline {
        Deadline {
            at: Some(Instant::now() + budget),
        }
    }

    /// Ends at `at`.
    pub fn at(at: Instant) -> Deadline {
        Deadline { at: Some(at) }
    }

    /// The instant, if any.
    pub fn instant(self) -> Option<Instant> {
        self.at
    }

    /// Whether it has passed.
    pub fn passed(self) -> bool {
        self.at.is_some_and(|at| Instant::now() >= at)
    }

    /// Time left (`Duration::MAX` without an end).
    pub fn remaining(self) -> Duration {
        self.at.map_or(Duration::MAX, |at| {
            at.saturating_duration_since(Instant::now())
        })
    }

    /// `wanted`, or less when less is left; `None` when nothing is left.
    pub fn clip(self, wanted: Duration) -> Option<Duration> {
        match self.remaining() {
            left if left.is_zero() => None,
            left => Some(wanted.min(left)),
        }
    }

    /// Sleeps until `until`, or until the deadline if that comes first; whether `until` was
    /// reached.
    pub async fn sleep_until(self, until: Instant) -> bool {
        match self.at {
            Some(at) if at < until => {
                tokio::time::sleep_until(at.into()).await;
                false
            }
            _ => {
                tokio::time::sleep_until(until.into()).await;
                true
            }
        }
    }

    /// Runs `future` until the deadline; `None` if the deadline came first.
    pub async fn run<F: Future>(self, future: F) -> Option<F::Output> {
        match self.at {
            Some(_) if self.passed() => None,
            Some(at) => tokio::time::timeout_at(at.into(), future).await.ok(),
            None => Some(future.await),
        }
    }

    /// The earlier of the two.
    pub fn min(self, other: Deadline) -> Deadline {
        match (self.at, other.at) {
            (Some(a), Some(b)) => Deadline::at(a.min(b)),
            (Some(a), None) | (None, Some(a)) => Deadline::at(a),
            (None, None) => Deadline::NONE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_deadline_clips_waits_and_work() {
        let deadline = Deadline::after(Duration::from_millis(50));
        assert_eq!(
            deadline.clip(Duration::from_millis(10)),
            Some(Duration::from_millis(10))
        );
        let started = Instant::now();
        assert!(
            !deadline
                .sleep_until(Instant::now() + Duration::from_secs(5))
                .await
        );
        assert!(started.elapsed() < Duration::from_secs(2));
        assert!(deadline.passed());
        assert_eq!(deadline.clip(Duration::from_secs(1)), None);
        assert_eq!(deadline.run(async { 1 }).await, None);
        assert_eq!(Deadline::NONE.run(async { 1 }).await, Some(1));
        assert_eq!(
            Deadline::NONE.clip(Duration::from_secs(1)),
            Some(Duration::from_secs(1))
        );
    }
}
