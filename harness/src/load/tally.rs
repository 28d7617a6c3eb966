//! The [`Tally`]: what some workers of a load run saw, merged into one at the end.

use std::collections::HashMap;
use std::time::Duration;

use crate::latency::LatencyRecorder;
use crate::transport::FailureClass;

/// Highest latency a tally records exactly; anything slower is recorded at this bound (and
/// still counts in the maximum).
pub(crate) const LATENCY_BOUND: Duration = Duration::from_secs(1800);

/// What some workers saw; merged into one at the end of a run.
#[derive(Debug)]
pub struct Tally {
    /// Responses by status code.
    pub statuses: HashMap<u16, u64>,
    /// Deliveries with no response, by failure class.
    pub errors: HashMap<FailureClass, u64>,
    /// Latency of every delivery, from its due time; timeouts at the timeout.
    pub latency: LatencyRecorder,
    /// The sessions that at least one 2xx answer acknowledged (may repeat).
    pub acknowledged: Vec<u64>,
    /// The sessions whose first copy was sent, kept (as `acknowledged` is) only when
    /// effects are checked.
    pub started: Vec<u64>,
    /// Deliveries that redelivered a session.
    pub duplicates: u64,
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            statuses: HashMap::new(),
            errors: HashMap::new(),
            latency: latency_recorder(),
            acknowledged: Vec::new(),
            started: Vec::new(),
            duplicates: 0,
        }
    }
}

/// An empty latency recorder as every tally keeps.
pub(crate) fn latency_recorder() -> LatencyRecorder {
    LatencyRecorder::new(LATENCY_BOUND / 2)
}

impl Tally {
    /// Adds another tally's counts.
    pub fn merge(&mut self, other: Tally) {
        for (status, n) in other.statuses {
            *self.statuses.entry(status).or_default() += n;
        }
        for (class, n) in other.errors {
            *self.errors.entry(class).or_default() += n;
        }
        self.latency.merge(&other.latency);
        self.acknowledged.extend(other.acknowledged);
        self.started.extend(other.started);
        self.duplicates += other.duplicates;
    }

    /// Every delivery recorded.
    pub fn deliveries(&self) -> u64 {
        self.latency.count()
    }

    /// Deliveries answered with a status outside 2xx.
    pub fn non_2xx(&self) -> u64 {
        self.statuses
            .iter()
            .filter(|(status, _)| !(200..300).contains(*status))
            .map(|(_, n)| n)
            .sum()
    }

    /// Distinct sessions sent: every delivery but the redeliveries.
    pub fn distinct_sessions(&self) -> u64 {
        self.deliveries() - self.duplicates
    }

    /// Deliveries with no response at all.
    pub fn failed(&self) -> u64 {
        self.errors.values().sum()
    }
}
