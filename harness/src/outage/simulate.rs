//! The pure model of one delivery against outage windows: when each attempt of the
//! reference sender's retry schedule falls, which ones an outage eats, and the longest
//! outage the schedule survives. `hookcheck send --simulate` prints it; `hookcheck load
//! --outage` reports its longest survivable outage.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::spec::{OutageMode, OutageSpec, scale};
use crate::duration::format_duration;
use crate::sender::{SenderConfig, nominal_backoff};

/// The retry schedule of the reference sender: what decides when attempts fall.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RetrySchedule {
    /// Retries after the first attempt.
    pub retries: u32,
    /// The delay before the first retry; retry n waits `base * 2^(n-1)`.
    #[serde(rename = "backoff_base_ms", with = "super::millis")]
    pub backoff_base: Duration,
    /// Each delay varies by up to this fraction either way.
    pub jitter: f64,
    /// The bound on one attempt.
    #[serde(rename = "timeout_ms", with = "super::millis")]
    pub timeout: Duration,
}

/// Which end of the jitter every delay takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JitterBound {
    /// Every delay shortened by the jitter: the retries end soonest, the least favourable
    /// case against one outage.
    Shortest,
    /// Every delay as nominal.
    Nominal,
    /// Every delay lengthened by the jitter.
    Longest,
}

impl RetrySchedule {
    /// The schedule a sender configuration follows.
    pub fn of(config: &SenderConfig) -> Self {
        RetrySchedule {
            retries: config.retries,
            backoff_base: config.backoff_base,
            jitter: config.jitter,
            timeout: config.client.timeout,
        }
    }

    /// The schedule with every time divided by `factor` (`--time-scale`).
    pub fn scaled(&self, factor: f64) -> Self {
        RetrySchedule {
            backoff_base: scale(self.backoff_base, factor),
            timeout: scale(self.timeout, factor),
            ..*self
        }
    }

    /// The delay before retry `retry` (1-based) at `bound` of the jitter.
    pub fn delay(&self, retry: u32, bound: JitterBound) -> Duration {
        let jitter = self.jitter.clamp(0.0, 1.0);
        let factor = match bound {
            JitterBound::Shortest => 1.0 - jitter,
            JitterBound::Nominal => 1.0,
            JitterBound::Longest => 1.0 + jitter,
        };
        nominal_backoff(self.backoff_base, retry).mul_f64(factor)
    }

    /// When each attempt starts, from the first, at `bound` of the jitter (attempts taking
    /// no time: a refused or reset connection fails at once).
    pub fn attempt_offsets(&self, bound: JitterBound) -> Vec<Duration> {
        let mut at = Duration::ZERO;
        let mut offsets = vec![at];
        for retry in 1..=self.retries {
            at = at.saturating_add(self.delay(retry, bound));
            offsets.push(at);
        }
        offsets
    }

    /// The longest outage every delivery survives, whenever in it its first attempt falls:
    /// the time from the first attempt to the last retry with every delay at its shortest.
    /// An outage no longer than this always leaves the last retry outside it; a longer one
    /// may eat every attempt of a delivery first sent as it begins.
    pub fn longest_survived(&self) -> Duration {
        self.attempt_offsets(JitterBound::Shortest)
            .last()
            .copied()
            .unwrap_or_default()
    }
}

impl fmt::Display for RetrySchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} retries, backoff {} doubling, ±{:.0} % jitter, timeout {}",
            self.retries,
            format_duration(self.backoff_base),
            self.jitter * 100.0,
            format_duration(self.timeout)
        )
    }
}

/// One simulated attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimulatedAttempt {
    /// 1 for the first attempt.
    pub number: u32,
    /// When it starts with nominal delays, from time 0 of the windows' clock.
    #[serde(rename = "at_ms", with = "super::millis")]
    pub at: Duration,
    /// When it starts at the earliest (every delay shortened by the jitter).
    #[serde(rename = "earliest_ms", with = "super::millis")]
    pub earliest: Duration,
    /// When it starts at the latest (every delay lengthened by the jitter).
    #[serde(rename = "latest_ms", with = "super::millis")]
    pub latest: Duration,
    /// The outage its nominal time falls in, or null when it reaches the target.
    pub outage: Option<OutageMode>,
}

/// One delivery against the windows: every attempt up to the one that gets through.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Simulation {
    /// The schedule simulated.
    pub schedule: RetrySchedule,
    /// When the first attempt is sent.
    #[serde(rename = "first_attempt_ms", with = "super::millis")]
    pub first_attempt: Duration,
    /// The attempts made with nominal delays, up to the one that gets through.
    pub attempts: Vec<SimulatedAttempt>,
    /// The attempt that gets through with nominal delays, or null when every one is eaten.
    pub delivered_on: Option<u32>,
    /// The same with every delay at its shortest, and at its longest.
    pub delivered_on_shortest: Option<u32>,
    /// See `delivered_on_shortest`.
    pub delivered_on_longest: Option<u32>,
    /// [`RetrySchedule::longest_survived`].
    #[serde(rename = "longest_survived_ms", with = "super::millis")]
    pub longest_survived: Duration,
}

/// Simulates one delivery whose first attempt is sent at `first` against `spec`.
pub fn simulate(spec: &OutageSpec, schedule: RetrySchedule, first: Duration) -> Simulation {
    let at = |bound| -> Vec<Duration> {
        schedule
            .attempt_offsets(bound)
            .into_iter()
            .map(|offset| first.saturating_add(offset))
            .collect()
    };
    let (nominal, shortest, longest) = (
        at(JitterBound::Nominal),
        at(JitterBound::Shortest),
        at(JitterBound::Longest),
    );
    let through = |times: &[Duration]| {
        times
            .iter()
            .position(|t| spec.window_at(*t).is_none())
            .map(|i| i as u32 + 1)
    };
    let delivered_on = through(&nominal);
    let made = delivered_on.map_or(nominal.len(), |n| n as usize);
    let attempts = (0..made)
        .map(|i| SimulatedAttempt {
            number: i as u32 + 1,
            at: nominal[i],
            earliest: shortest[i],
            latest: longest[i],
            outage: spec.window_at(nominal[i]).map(|w| w.mode),
        })
        .collect();
    Simulation {
        schedule,
        first_attempt: first,
        attempts,
        delivered_on,
        delivered_on_shortest: through(&shortest),
        delivered_on_longest: through(&longest),
        longest_survived: schedule.longest_survived(),
    }
}

impl Simulation {
    /// Whether the delivery gets through with nominal delays and at both ends of the jitter.
    pub fn delivered_whatever_the_jitter(&self) -> bool {
        self.delivered_on.is_some()
            && self.delivered_on_shortest.is_some()
            && self.delivered_on_longest.is_some()
    }

    /// The outcome line: delivered on which attempt, or given up, at each jitter bound.
    pub fn outcome(&self) -> String {
        let attempts = self.schedule.retries.saturating_add(1);
        let on = |attempt: Option<u32>| match attempt {
            Some(n) => format!("delivered on attempt {n} of {attempts}"),
            None => format!("given up after {attempts} attempts"),
        };
        format!(
            "{} (every delay at its shortest: {}; at its longest: {})",
            on(self.delivered_on),
            on(self.delivered_on_shortest),
            on(self.delivered_on_longest)
        )
    }
}

impl fmt::Display for Simulation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "one delivery, first attempt at {}: {}",
            format_duration(self.first_attempt),
            self.schedule
        )?;
        for attempt in &self.attempts {
            let fate = match attempt.outage {
                Some(mode) => format!("in an outage ({mode}): fails"),
                None => "outside every outage: reaches the target".to_owned(),
            };
            writeln!(
                f,
                "attempt {}  at {} ({}..{} with the jitter)  {fate}",
                attempt.number,
                format_duration(attempt.at),
                format_duration(attempt.earliest),
                format_duration(attempt.latest)
            )?;
        }
        writeln!(f, "{}", self.outcome())?;
        write!(
            f,
            "the schedule survives any outage up to {} (first attempt to last retry, every delay at its shortest)",
            format_duration(self.longest_survived)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule() -> RetrySchedule {
        RetrySchedule::of(&SenderConfig::default())
    }

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn the_default_schedule_survives_28_seconds_at_the_shortest_jitter() {
        // 5 + 10 + 20 = 35 s nominal; every delay 20 % short: 28 s.
        assert_eq!(schedule().longest_survived(), secs(28.0));
        assert_eq!(
            schedule().attempt_offsets(JitterBound::Longest),
            [secs(0.0), secs(6.0), secs(18.0), secs(42.0)]
        );
        assert_eq!(schedule().scaled(10.0).longest_survived(), secs(2.8));
    }

    #[test]
    fn an_outage_shorter_than_the_schedule_is_survived_and_a_longer_one_is_not() {
        let short: OutageSpec = "28s@0s".parse().unwrap();
        let run = simulate(&short, schedule(), Duration::ZERO);
        assert_eq!(run.delivered_on, Some(4), "{run:?}");
        assert_eq!(
            run.delivered_on_shortest,
            Some(4),
            "the last retry at 28 s is outside"
        );
        assert_eq!(run.attempts[0].outage, Some(OutageMode::Refuse));
        assert_eq!(run.attempts[3].outage, None);
        let long: OutageSpec = "36s@0s:503".parse().unwrap();
        let run = simulate(&long, schedule(), Duration::ZERO);
        assert_eq!(run.delivered_on, None);
        assert_eq!(run.attempts.len(), 4);
        assert_eq!(
            run.delivered_on_longest,
            Some(4),
            "42 s with the longest delays"
        );
    }

    #[test]
    fn a_delivery_sent_after_the_outage_gets_through_at_once() {
        let spec: OutageSpec = "10s@0s".parse().unwrap();
        let run = simulate(&spec, schedule(), secs(10.0));
        assert_eq!(run.delivered_on, Some(1));
        assert_eq!(run.attempts.len(), 1);
        assert_eq!(run.first_attempt, secs(10.0));
    }
}
