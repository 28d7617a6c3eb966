//! When a provider's retries of one delivery can arrive (SPEC §2 ¶5, [D-8]), and which of
//! those moments a run sends a copy at: [`RetrySchedule::plan`], a pure function.
//!
//! Retry *n* comes `base * 2^(n-1)` after the attempt before it ended, give or take 20%. An
//! attempt ends at once when its answer is lost or its connection fails, so by default
//! retries come 5, 15 and 35 s after the first attempt started, and at the latest (the
//! jitter's upper bound: each delay 20% longer) 6, 18 and 42 s after it. An attempt that
//! times out first takes the whole timeout: then retry *n* comes up to *n* timeouts later
//! still (with the 30 s default: 36, 78 and 132 s at the latest).
//!
//! A run sends one session's copies at every moment within its span (`--dedupe-window`,
//! 42 s by default: the whole schedule of attempts that end at once), plus one at the end
//! of the span; the moments beyond it are what the run leaves unprobed.

use std::time::Duration;

use crate::duration::format_duration;
use crate::sender::{DEFAULT_BACKOFF_BASE, DEFAULT_RETRIES};
use crate::transport::DEFAULT_TIMEOUT;

/// The jitter of SPEC [D-8], in percent either way.
pub const JITTER_PERCENT: u32 = 20;

/// The retry schedule of one webhook: the provider's settings that decide it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrySchedule {
    /// The delay before the first retry, before jitter.
    pub base: Duration,
    /// How many retries follow the first attempt.
    pub retries: u32,
    /// How long one attempt may take before the provider gives up on it.
    pub timeout: Duration,
}

impl Default for RetrySchedule {
    fn default() -> Self {
        RetrySchedule {
            base: DEFAULT_BACKOFF_BASE,
            retries: DEFAULT_RETRIES,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// How the attempts before a retry ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempts {
    /// At once: the answer was lost, or the connection failed.
    EndedAtOnce,
    /// Each after the whole timeout.
    TimedOut,
}

/// Where in its jitter a retry's delays fall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    /// Every delay exactly `base * 2^(n-1)`.
    Nominal,
    /// Every delay 20% longer: the latest the retry can come.
    Latest,
}

/// One moment a copy of a delivered session goes out, counted from its first copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offset {
    /// How long after the first copy.
    pub at: Duration,
    /// The retry it stands for; `None` for the end of a span that is no retry's moment.
    pub retry: Option<(u32, Attempts, Jitter)>,
}

impl Offset {
    /// What the copy stands for, for a repro script: `retry 2, at the latest`.
    pub fn describe(&self) -> String {
        let at = format!("+{}", format_duration(self.at));
        match self.retry {
            None => format!("{at}: the end of the probed span"),
            Some((n, attempts, jitter)) => {
                let jitter = match jitter {
                    Jitter::Nominal => "without jitter",
                    Jitter::Latest => "at the latest (+20% jitter)",
                };
                let attempts = match attempts {
                    Attempts::EndedAtOnce => "",
                    Attempts::TimedOut => ", after attempts that each timed out",
                };
                format!("{at}: retry {n}, {jitter}{attempts}")
            }
        }
    }
}

/// The copies a run sends, and the retry moments it leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The copies after the first, in time order, none at the same moment.
    pub copies: Vec<Offset>,
    /// The retry moments beyond the span, in time order.
    pub unprobed: Vec<Offset>,
}

impl RetrySchedule {
    /// Every moment a retry can come, in time order, none twice: for each retry, without
    /// jitter and at its latest, after attempts that ended at once and after attempts that
    /// each timed out.
    pub fn offsets(&self) -> Vec<Offset> {
        let mut offsets = Vec::new();
        for attempts in [Attempts::EndedAtOnce, Attempts::TimedOut] {
            for jitter in [Jitter::Nominal, Jitter::Latest] {
                let mut at = Duration::ZERO;
                for n in 1..=self.retries {
                    at += self.delay(n, jitter);
                    if attempts == Attempts::TimedOut {
                        at += self.timeout;
                    }
                    offsets.push(Offset {
                        at,
                        retry: Some((n, attempts, jitter)),
                    });
                }
            }
        }
        offsets.sort_by_key(|o| o.at);
        offsets.dedup_by_key(|o| o.at);
        offsets
    }

    /// The delay before retry `n` (from 1).
    fn delay(&self, n: u32, jitter: Jitter) -> Duration {
        let nominal = crate::sender::nominal_backoff(self.base, n);
        match jitter {
            Jitter::Nominal => nominal,
            Jitter::Latest => nominal * (100 + JITTER_PERCENT) / 100,
        }
    }

    /// The default span: the latest retry of attempts that end at once (42 s by default).
    pub fn default_span(&self) -> Duration {
        self.latest(Attempts::EndedAtOnce)
    }

    /// The longest span worth probing: the latest retry of attempts that each time out
    /// (132 s by default).
    pub fn longest_span(&self) -> Duration {
        self.latest(Attempts::TimedOut)
    }

    fn latest(&self, attempts: Attempts) -> Duration {
        self.offsets()
            .iter()
            .filter(|o| matches!(o.retry, Some((_, a, _)) if a == attempts))
            .map(|o| o.at)
            .max()
            .unwrap_or_default()
    }

    /// The copies within `span` (a zero span sends none), ending with one at the end of the
    /// span when no retry comes exactly then; and the retry moments beyond it.
    pub fn plan(&self, span: Duration) -> Plan {
        let (mut copies, unprobed): (Vec<Offset>, Vec<Offset>) =
            self.offsets().into_iter().partition(|o| o.at <= span);
        if !span.is_zero() && copies.last().is_none_or(|o| o.at < span) {
            copies.push(Offset {
                at: span,
                retry: None,
            });
        }
        Plan { copies, unprobed }
    }
}

impl Plan {
    /// What a run with this plan leaves unverified, in one sentence, or `None` when it
    /// probes every retry moment. `span` is the run's `--dedupe-window`.
    pub fn unprobed_reason(&self, schedule: &RetrySchedule, span: Duration) -> Option<String> {
        self.unprobed.first()?;
        let list = |attempts: Attempts| -> String {
            self.unprobed
                .iter()
                .filter(|o| matches!(o.retry, Some((_, a, _)) if a == attempts))
                .map(|o| format!("+{}", format_duration(o.at)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (fast, slow) = (list(Attempts::EndedAtOnce), list(Attempts::TimedOut));
        let mut parts = Vec::new();
        if !fast.is_empty() {
            parts.push(format!("{fast} of the default schedule"));
        }
        if !slow.is_empty() {
            parts.push(format!(
                "{slow} when attempts time out (each may take the whole {} timeout, stretching the schedule to minutes)",
                format_duration(schedule.timeout)
            ));
        }
        Some(format!(
            "retry moments past --dedupe-window {} were not probed: {}; --dedupe-window {} probes them all",
            format_duration(span),
            parts.join(", and "),
            format_duration(schedule.longest_span()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    fn ats(offsets: &[Offset]) -> Vec<u64> {
        offsets.iter().map(|o| o.at.as_secs()).collect()
    }

    #[test]
    fn the_default_plan_probes_every_retry_of_attempts_that_end_at_once_and_its_latest() {
        let schedule = RetrySchedule::default();
        assert_eq!(schedule.default_span(), secs(42));
        assert_eq!(schedule.longest_span(), secs(132));
        let plan = schedule.plan(schedule.default_span());
        // 5, 15, 35 s without jitter; 6, 18, 42 s at the jitter's upper bound. Retry 1
        // after a timed-out attempt (30 s + 5 s) is the same moment as retry 3's 35 s,
        // and its latest (36 s) is within the span too.
        assert_eq!(ats(&plan.copies), [5, 6, 15, 18, 35, 36, 42]);
        assert_eq!(ats(&plan.unprobed), [75, 78, 125, 132]);
        assert_eq!(
            plan.copies[1].retry,
            Some((1, Attempts::EndedAtOnce, Jitter::Latest))
        );
        let reason = plan.unprobed_reason(&schedule, secs(42)).unwrap();
        assert_eq!(
            reason,
            "retry moments past --dedupe-window 42s were not probed: +75s, +78s, +125s, +132s \
             when attempts time out (each may take the whole 30s timeout, stretching the \
             schedule to minutes); --dedupe-window 132s probes them all"
        );
    }

    #[test]
    fn a_shorter_span_ends_with_a_copy_at_its_end_and_says_what_it_left_out() {
        let schedule = RetrySchedule::default();
        let plan = schedule.plan(secs(10));
        assert_eq!(ats(&plan.copies), [5, 6, 10]);
        assert_eq!(plan.copies[2].retry, None);
        let reason = plan.unprobed_reason(&schedule, secs(10)).unwrap();
        assert!(
            reason.contains("past --dedupe-window 10s were not probed: +15s, +18s, +35s, +42s of the default schedule, and +36s, +75s"),
            "{reason}"
        );
        // A span below the first retry still sends one copy, at its end.
        let short = schedule.plan(Duration::from_millis(300));
        assert_eq!(short.copies.len(), 1);
        assert_eq!(short.copies[0].at, Duration::from_millis(300));
        assert!(schedule.plan(Duration::ZERO).copies.is_empty());
    }

    #[test]
    fn the_longest_span_probes_everything() {
        let schedule = RetrySchedule::default();
        let plan = schedule.plan(schedule.longest_span());
        assert_eq!(
            ats(&plan.copies),
            [5, 6, 15, 18, 35, 36, 42, 75, 78, 125, 132]
        );
        assert!(plan.unprobed.is_empty());
        assert_eq!(plan.unprobed_reason(&schedule, secs(132)), None);
    }

    #[test]
    fn a_scaled_schedule_scales_every_offset() {
        let schedule = RetrySchedule {
            base: Duration::from_millis(100),
            retries: 3,
            timeout: Duration::from_secs(1),
        };
        let millis: Vec<u128> = schedule
            .plan(schedule.default_span())
            .copies
            .iter()
            .map(|o| o.at.as_millis())
            .collect();
        assert_eq!(millis, [100, 120, 300, 360, 700, 840]);
        assert_eq!(schedule.longest_span(), Duration::from_millis(3840));
    }

    #[test]
    fn every_copy_says_which_retry_it_stands_for() {
        let plan = RetrySchedule::default().plan(secs(36));
        let described: Vec<String> = plan.copies.iter().map(Offset::describe).collect();
        assert_eq!(described[0], "+5s: retry 1, without jitter");
        assert_eq!(described[1], "+6s: retry 1, at the latest (+20% jitter)");
        assert_eq!(
            described[5],
            "+36s: retry 1, at the latest (+20% jitter), after attempts that each timed out"
        );
    }
}
