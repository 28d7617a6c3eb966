//! The [`LoadReport`]: what a load run measured, written as JSON by `hookcheck load --json`
//! and printed at the end of a run.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::shard::ShardRecord;
use super::tally::Tally;
use super::verdict::{ExactlyOnce, LoadVerdict};
use crate::latency::LatencyRecorder;
use crate::outage::OutageReport;
use crate::profile::Profile;

/// Latency percentiles in milliseconds, each counted from the delivery's due time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoadLatency {
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p99_9_ms: f64,
    /// The slowest delivery.
    pub max_ms: f64,
    /// Deliveries that timed out (recorded at their time, never dropped).
    pub timed_out: u64,
}

impl LoadLatency {
    /// The percentiles of a recorder.
    pub fn of(recorder: &LatencyRecorder) -> Self {
        LoadLatency {
            p50_ms: recorder.quantile_ms(0.50),
            p90_ms: recorder.quantile_ms(0.90),
            p99_ms: recorder.quantile_ms(0.99),
            p99_9_ms: recorder.quantile_ms(0.999),
            max_ms: recorder.slowest().as_secs_f64() * 1000.0,
            timed_out: recorder.timed_out(),
        }
    }
}

/// The report of one load run: the JSON `hookcheck load --json PATH` writes.
///
/// ```json
/// {"target": "http://127.0.0.1:8080/webhook", "concurrency": 32,
///  "rate_per_s": null, "elapsed_s": 10.0, "deliveries": 181234, "distinct_sessions": 181234,
///  "duplicates": 0, "throughput_per_s": 18123.4, "statuses": {"200": 181234}, "errors": {},
///  "latency": {"p50_ms": 1.6, "p90_ms": 2.3, "p99_ms": 4.1, "p99_9_ms": 9.8, "max_ms": 21.0,
///  "timed_out": 0}, "exactly_once": null, "verdict": {"holds": true, "problems": []}}
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoadReport {
    /// The target, without credentials or query string.
    pub target: String,
    /// The contract deliveries followed (`--profile`); absent for `cr3dentials`, the
    /// default, whose sessions are then counted, where Standard Webhooks counts messages.
    #[serde(default, skip_serializing_if = "Profile::is_default")]
    pub profile: Profile,
    /// The other replicas deliveries went to (`--replica`), shown as the target is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replicas: Vec<String>,
    /// Deliveries in flight at most.
    pub concurrency: usize,
    /// The open-loop rate, or null for a closed loop.
    pub rate_per_s: Option<f64>,
    /// From the first delivery's start to the last one's end, in seconds.
    pub elapsed_s: f64,
    /// Deliveries sent, duplicates included.
    pub deliveries: u64,
    /// Distinct sessions sent.
    pub distinct_sessions: u64,
    /// Deliveries that redelivered a session.
    pub duplicates: u64,
    /// Deliveries per second over `elapsed_s` (answered or not).
    pub throughput_per_s: f64,
    /// Responses by status code, e.g. `{"200": 1000}`.
    pub statuses: BTreeMap<String, u64>,
    /// Deliveries with no response, by class (`timeout`, `connect`, `tls`, `protocol`).
    pub errors: BTreeMap<String, u64>,
    /// Latency percentiles, from each delivery's due time.
    pub latency: LoadLatency,
    /// The exactly-once check, when an effects probe was given.
    pub exactly_once: Option<ExactlyOnce>,
    /// Whether the run's verdict holds, and why not.
    pub verdict: LoadVerdict,
    /// With `--shard`: which share of which backlog this is, and its latency histogram,
    /// for `load --merge`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardRecord>,
    /// For a report of `load --merge`: how many shards it adds up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_shards: Option<u32>,
    /// The outage replay (`--outage`), documented in the README; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outage: Option<OutageReport>,
}

impl LoadReport {
    /// The report of a finished run under `profile`, judged by its contract.
    pub fn new(
        profile: Profile,
        target: String,
        concurrency: usize,
        rate_per_s: Option<f64>,
        elapsed: Duration,
        tally: &Tally,
        exactly_once: Option<ExactlyOnce>,
    ) -> Self {
        let deliveries = tally.deliveries();
        let verdict = LoadVerdict::judge(profile, tally, exactly_once.as_ref());
        LoadReport {
            target,
            profile,
            replicas: Vec::new(),
            concurrency,
            rate_per_s,
            elapsed_s: elapsed.as_secs_f64(),
            deliveries,
            distinct_sessions: tally.distinct_sessions(),
            duplicates: tally.duplicates,
            throughput_per_s: deliveries as f64 / elapsed.as_secs_f64().max(1e-9),
            statuses: tally
                .statuses
                .iter()
                .map(|(status, n)| (status.to_string(), *n))
                .collect(),
            errors: tally
                .errors
                .iter()
                .map(|(class, n)| (class.as_str().to_owned(), *n))
                .collect(),
            latency: LoadLatency::of(&tally.latency),
            exactly_once,
            verdict,
            shard: None,
            merged_shards: None,
            outage: None,
        }
    }
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "target      {}", self.target)?;
        if !self.profile.is_default() {
            writeln!(
                f,
                "profile     {} ({})",
                self.profile,
                self.profile.contract_file()
            )?;
        }
        if !self.replicas.is_empty() {
            writeln!(
                f,
                "replicas    {} (round robin with the target; each redelivery to another URL than its first copy)",
                self.replicas.join(", ")
            )?;
        }
        let pace = match self.rate_per_s {
            Some(rate) => format!("open loop at {rate} deliveries/s"),
            None => "closed loop".to_owned(),
        };
        writeln!(f, "load        {} in flight, {pace}", self.concurrency)?;
        if let Some(record) = &self.shard {
            writeln!(
                f,
                "shard       {} of a backlog of {} deliveries, seed {}",
                record.shard, record.backlog, record.seed
            )?;
        }
        if let Some(shards) = self.merged_shards {
            writeln!(f, "merged      {shards} shards of one backlog")?;
        }
        writeln!(
            f,
            "deliveries  {} in {:.2} s ({} distinct, {} duplicates): {:.0} deliveries/s",
            self.deliveries,
            self.elapsed_s,
            self.distinct_sessions,
            self.duplicates,
            self.throughput_per_s
        )?;
        writeln!(f, "statuses    {}", counts(&self.statuses))?;
        writeln!(f, "errors      {}", counts(&self.errors))?;
        let l = &self.latency;
        writeln!(
            f,
            "latency     p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  p99.9 {:.2} ms  max {:.2} ms  ({} timed out)",
            l.p50_ms, l.p90_ms, l.p99_ms, l.p99_9_ms, l.max_ms, l.timed_out
        )?;
        if let Some(check) = &self.exactly_once {
            writeln!(f, "effects     {}", check.counted_in(self.profile.unit()))?;
        }
        if let Some(outage) = &self.outage {
            writeln!(f, "{outage}")?;
        }
        write!(f, "verdict     {}", self.verdict)
    }
}

/// `key: n, …` in key order, or `none`.
pub fn counts(counts: &BTreeMap<String, u64>) -> String {
    if counts.is_empty() {
        return "none".to_owned();
    }
    counts
        .iter()
        .map(|(key, n)| format!("{key}: {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
