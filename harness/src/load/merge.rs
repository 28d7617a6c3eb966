//! `load --merge`: the reports of the shards of one backlog (`load --shard K/N`, one
//! process each) added up into one [`LoadReport`] with one verdict over the whole backlog.
//!
//! Counts add up; latency percentiles come from the shards' histograms added bucket by
//! bucket, never from averaged percentiles; each shard checked exactly-once for its own
//! sessions (the shards' sessions are disjoint), so the merged check is their sum and holds
//! when every shard's does. The shards are taken to have run at once: the elapsed time is
//! the longest shard's and the concurrency the sum.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::shard::ShardRecord;
use super::summary::{LoadLatency, LoadReport};
use super::tally::{LATENCY_BOUND, latency_recorder};
use super::verdict::{ExactlyOnce, LoadVerdict};
use crate::latency::LatencyRecorder;

/// Why shard reports cannot be merged. Messages read after "error: ".
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A file that cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file that is not a load report.
    #[error("{path} is not a hookcheck load JSON report: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What the JSON parser said.
        message: String,
    },
    /// A load report of a run without `--shard`.
    #[error("{path} is not the report of a `load --shard K/N` run")]
    NotAShard {
        /// The file.
        path: PathBuf,
    },
    /// A shard of another backlog than the first file's.
    #[error("{path} is a shard of another backlog than {first}: its {what} differs")]
    Mismatch {
        /// The file.
        path: PathBuf,
        /// The first file given.
        first: PathBuf,
        /// What differs: the seed, the shard count, …
        what: &'static str,
    },
    /// The same shard given twice.
    #[error("shard {shard} is given twice: {path} and {other}")]
    Repeated {
        /// The shard, `K/N`.
        shard: String,
        /// The first file with it.
        path: PathBuf,
        /// The second.
        other: PathBuf,
    },
    /// Shards of the backlog not given.
    #[error("the backlog has {count} shards and {missing} not given: merge every shard's report")]
    Missing {
        /// How many shards split the backlog.
        count: u32,
        /// The missing ones, e.g. `shard 2` or `shards 2, 3`.
        missing: String,
    },
}

/// Reads each file as a shard's report, in the order given.
pub fn read(paths: &[PathBuf]) -> Result<Vec<(PathBuf, LoadReport)>, MergeError> {
    paths
        .iter()
        .map(|path| {
            let bytes = std::fs::read(path).map_err(|source| MergeError::Read {
                path: path.clone(),
                source,
            })?;
            let report = serde_json::from_slice(&bytes).map_err(|e| MergeError::Malformed {
                path: path.clone(),
                message: e.to_string(),
            })?;
            Ok((path.clone(), report))
        })
        .collect()
}

/// Adds up the reports of every shard of one backlog, each given once.
pub fn merge(reports: &[(PathBuf, LoadReport)]) -> Result<LoadReport, MergeError> {
    let records = check(reports)?;
    let first = &reports[0].1;
    let mut merged = first.clone();
    merged.shard = None;
    merged.merged_shards = Some(records[0].shard.count);
    merged.replicas = other_urls(reports);
    let mut latency = latency_recorder();
    let mut exactly_once = records[0].effects.then(ExactlyOnce::default);
    for ((_, report), record) in reports.iter().zip(&records) {
        latency.merge(&shard_latency(report, record));
        if let (Some(sum), Some(check)) = (exactly_once.as_mut(), &report.exactly_once) {
            sum.add(check);
        }
    }
    let rest = &reports[1..];
    merged.concurrency += rest.iter().map(|(_, r)| r.concurrency).sum::<usize>();
    merged.elapsed_s = reports.iter().map(|(_, r)| r.elapsed_s).fold(0.0, f64::max);
    merged.deliveries += rest.iter().map(|(_, r)| r.deliveries).sum::<u64>();
    merged.distinct_sessions += rest.iter().map(|(_, r)| r.distinct_sessions).sum::<u64>();
    merged.duplicates += rest.iter().map(|(_, r)| r.duplicates).sum::<u64>();
    merged.throughput_per_s = merged.deliveries as f64 / merged.elapsed_s.max(1e-9);
    merged.statuses = add_counts(reports.iter().map(|(_, r)| &r.statuses));
    merged.errors = add_counts(reports.iter().map(|(_, r)| &r.errors));
    merged.latency = LoadLatency::of(&latency);
    let non_2xx = merged
        .statuses
        .iter()
        .filter(|(status, _)| !status.parse().is_ok_and(|s: u16| (200..300).contains(&s)))
        .map(|(_, n)| n)
        .sum();
    let failed = merged.errors.values().sum();
    let profile = merged.profile;
    merged.verdict = LoadVerdict::judge_counts(profile, non_2xx, failed, exactly_once.as_ref());
    merged.exactly_once = exactly_once;
    Ok(merged)
}

/// Each report's shard record, once every report is checked to be a distinct shard of the
/// first one's backlog and every shard is there.
fn check(reports: &[(PathBuf, LoadReport)]) -> Result<Vec<&ShardRecord>, MergeError> {
    let mut records = Vec::new();
    for (path, report) in reports {
        let record = report
            .shard
            .as_ref()
            .ok_or_else(|| MergeError::NotAShard { path: path.clone() })?;
        records.push(record);
    }
    let Some(first) = records.first() else {
        return Err(MergeError::Missing {
            count: 1,
            missing: "shard 1".to_owned(),
        });
    };
    let mut seen: BTreeMap<u32, &Path> = BTreeMap::new();
    for ((path, report), record) in reports.iter().zip(&records) {
        let what = match report.profile == reports[0].1.profile {
            true => difference(first, record, reports[0].1.rate_per_s, report.rate_per_s),
            false => Some("--profile"),
        };
        if let Some(what) = what {
            return Err(MergeError::Mismatch {
                path: path.clone(),
                first: reports[0].0.clone(),
                what,
            });
        }
        if let Some(other) = seen.insert(record.shard.index, path) {
            return Err(MergeError::Repeated {
                shard: record.shard.to_string(),
                path: other.to_owned(),
                other: path.clone(),
            });
        }
    }
    let count = first.shard.count;
    let missing: Vec<String> = (1..=count)
        .filter(|k| !seen.contains_key(k))
        .map(|k| k.to_string())
        .collect();
    if !missing.is_empty() {
        let noun = if missing.len() == 1 {
            "shard"
        } else {
            "shards"
        };
        return Err(MergeError::Missing {
            count,
            missing: format!("{noun} {}", missing.join(", ")),
        });
    }
    Ok(records)
}

/// What makes `record` a shard of another backlog than `first`'s, if anything.
fn difference(
    first: &ShardRecord,
    record: &ShardRecord,
    first_rate: Option<f64>,
    rate: Option<f64>,
) -> Option<&'static str> {
    if record.seed != first.seed {
        Some("seed")
    } else if record.shard.count != first.shard.count {
        Some("shard count")
    } else if record.backlog != first.backlog {
        Some("--deliveries")
    } else if record.duplicates_ratio != first.duplicates_ratio {
        Some("--duplicates")
    } else if record.effects != first.effects {
        Some("effects probe (one shard checked exactly-once, another did not)")
    } else if rate != first_rate {
        Some("--rate")
    } else {
        None
    }
}

/// A shard's latency, read back from its histogram.
fn shard_latency(report: &LoadReport, record: &ShardRecord) -> LatencyRecorder {
    let slowest = Duration::from_secs_f64((report.latency.max_ms / 1000.0).max(0.0));
    LatencyRecorder::from_buckets(
        LATENCY_BOUND / 2,
        &record.latency_us,
        report.latency.timed_out,
        slowest,
    )
}

/// The URLs the other shards sent to, beside the first one's target.
fn other_urls(reports: &[(PathBuf, LoadReport)]) -> Vec<String> {
    let target = &reports[0].1.target;
    let mut urls: Vec<String> = Vec::new();
    for (_, report) in reports {
        for url in std::iter::once(&report.target).chain(&report.replicas) {
            if url != target && !urls.contains(url) {
                urls.push(url.clone());
            }
        }
    }
    urls
}

/// Counts by key, added up.
fn add_counts<'a>(maps: impl Iterator<Item = &'a BTreeMap<String, u64>>) -> BTreeMap<String, u64> {
    let mut sum = BTreeMap::new();
    for map in maps {
        for (key, n) in map {
            *sum.entry(key.clone()).or_default() += n;
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Shard, Tally};
    use crate::profile::Profile;

    /// Shard `index` of 2 of seed 7: `n` deliveries answered 200 after `ms` each.
    fn shard(index: u32, n: u64, ms: u64) -> (PathBuf, LoadReport) {
        let mut tally = Tally::default();
        for _ in 0..n {
            tally.latency.record(Duration::from_millis(ms), false);
        }
        tally.statuses.insert(200, n);
        let check = ExactlyOnce {
            checked: n,
            once: n,
            ..ExactlyOnce::default()
        };
        let mut report = LoadReport::new(
            Profile::Cr3dentials,
            format!("http://127.0.0.1:{index}/hook"),
            4,
            None,
            Duration::from_secs(index.into()),
            &tally,
            Some(check),
        );
        report.shard = Some(ShardRecord {
            shard: Shard { index, count: 2 },
            seed: 7,
            backlog: 200,
            duplicates_ratio: 0.0,
            effects: true,
            latency_us: tally.latency.buckets(),
        });
        (PathBuf::from(format!("s{index}.json")), report)
    }

    #[test]
    fn merged_shards_add_their_counts_and_histograms() {
        let merged = merge(&[shard(1, 100, 1), shard(2, 100, 9)]).unwrap();
        assert_eq!((merged.deliveries, merged.concurrency), (200, 8));
        assert_eq!(merged.statuses["200"], 200);
        assert_eq!(merged.elapsed_s, 2.0, "the slowest shard's");
        // Half the deliveries took 1 ms, half 9 ms: averaging the shards' medians would say 5.
        assert!(
            (0.9..=1.1).contains(&merged.latency.p50_ms),
            "{:?}",
            merged.latency
        );
        assert!(
            (8.9..=9.1).contains(&merged.latency.p90_ms),
            "{:?}",
            merged.latency
        );
        assert_eq!(merged.exactly_once.as_ref().unwrap().once, 200);
        assert!(merged.verdict.holds, "{}", merged.verdict);
        assert_eq!(merged.merged_shards, Some(2));
        assert_eq!(merged.replicas, ["http://127.0.0.1:2/hook"]);
    }

    #[test]
    fn a_doubled_session_in_one_shard_fails_the_merged_verdict() {
        let mut bad = shard(2, 100, 1);
        bad.1.exactly_once.as_mut().unwrap().doubled = 1;
        let merged = merge(&[shard(1, 100, 1), bad]).unwrap();
        assert!(!merged.verdict.holds);
        assert!(
            merged
                .verdict
                .to_string()
                .contains("1 sessions processed twice")
        );
    }

    #[test]
    fn shards_that_do_not_make_one_backlog_are_refused_by_name() {
        let error = |reports: &[(PathBuf, LoadReport)]| merge(reports).unwrap_err().to_string();
        let mut other_seed = shard(2, 100, 1);
        other_seed.1.shard.as_mut().unwrap().seed = 8;
        assert_eq!(
            error(&[shard(1, 10, 1), other_seed]),
            "s2.json is a shard of another backlog than s1.json: its seed differs"
        );
        assert_eq!(
            error(&[shard(1, 10, 1), shard(1, 10, 1)]),
            "shard 1/2 is given twice: s1.json and s1.json"
        );
        assert_eq!(
            error(&[shard(2, 10, 1)]),
            "the backlog has 2 shards and shard 1 not given: merge every shard's report"
        );
        let mut plain = shard(1, 10, 1);
        plain.1.shard = None;
        assert!(error(&[plain]).contains("not the report of a `load --shard K/N` run"));
    }
}
