//! The [`OutageReport`]: what `hookcheck load --outage` adds to the load report.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::simulate::RetrySchedule;
use super::spec::Window;
use crate::duration::format_duration;

/// How many attempts the timeline keeps at most (the picture of the HTML report).
pub const TIMELINE_LIMIT: usize = 4000;

/// One attempt on the timeline, in real (unscaled) time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineAttempt {
    /// The delivery's number in the backlog, from 0.
    pub delivery: u64,
    /// 1 for the first attempt.
    pub number: u32,
    /// When it started, from the start of the run, in real time (wall time * time scale).
    #[serde(rename = "at_ms", with = "super::millis")]
    pub at: Duration,
    /// Whether it got a 2xx.
    pub reached: bool,
}

/// The outage replay of a load run. Every time in it is real (unscaled) time unless its
/// name says `wall`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutageReport {
    /// The windows, as given (real time from the start of the run).
    pub windows: Vec<Window>,
    /// Real seconds that pass in one wall-clock second (`--time-scale`).
    pub time_scale: f64,
    /// The real retry schedule each delivery followed, divided by `time_scale`.
    pub schedule: RetrySchedule,
    /// The longest outage every delivery survives: from the first attempt to the last
    /// retry with every delay shortened by the jitter (attempt durations only add to it).
    #[serde(rename = "longest_survived_ms", with = "super::millis")]
    pub longest_survived: Duration,
    /// The same in wall-clock time: `longest_survived_ms / time_scale`.
    #[serde(rename = "longest_survived_wall_ms", with = "super::millis")]
    pub longest_survived_wall: Duration,
    /// Deliveries in the backlog (duplicates included).
    pub deliveries: u64,
    /// Deliveries an attempt of which got a 2xx.
    pub reached: u64,
    /// Deliveries whose every attempt failed: the schedule gave up on them.
    pub gave_up: u64,
    /// Of those, the deliveries whose last attempt met an outage window: given up to the
    /// outage. The rest were refused by the target itself, outside every window.
    pub gave_up_in_outage: u64,
    /// Deliveries by the number of attempts they took, e.g. `{"1": 90, "4": 10}`.
    pub attempts: BTreeMap<String, u64>,
    /// Connections the proxy forwarded to the target.
    pub forwarded_connections: u64,
    /// Connections an outage window refused, reset, answered 503, or cut.
    pub blocked_connections: u64,
    /// Connections the target itself did not accept outside the windows.
    pub upstream_failures: u64,
    /// Every attempt (the first [`TIMELINE_LIMIT`]), for the picture.
    pub timeline: Vec<TimelineAttempt>,
}

impl OutageReport {
    /// The summary, one `(figure, value)` per line.
    pub fn rows(&self) -> Vec<(&'static str, String)> {
        let windows: Vec<String> = self.windows.iter().map(Window::to_string).collect();
        let histogram: Vec<String> = self
            .attempts
            .iter()
            .map(|(attempts, n)| format!("{n} in {attempts}"))
            .collect();
        vec![
            (
                "outage",
                format!(
                    "{} (real time; compressed {}x)",
                    windows.join(", "),
                    self.time_scale
                ),
            ),
            ("schedule", format!("{} (real time)", self.schedule)),
            (
                "survives",
                format!(
                    "outages up to {} ({} at this time scale): first attempt to last retry, every delay at its shortest",
                    format_duration(self.longest_survived),
                    format_duration(self.longest_survived_wall)
                ),
            ),
            (
                "reached",
                format!(
                    "{} of {} deliveries; the schedule gave up on {}",
                    self.reached, self.deliveries, self.gave_up
                ),
            ),
            (
                "attempts",
                format!("{} (deliveries in N attempts)", histogram.join(", ")),
            ),
        ]
    }
}

impl fmt::Display for OutageReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self
            .rows()
            .into_iter()
            .map(|(name, value)| format!("{name:<11} {value}"))
            .collect();
        write!(f, "{}", lines.join("\n"))
    }
}
