//! Turning the checks that reported into a [`Report`]: order, counts, the verdict, and the
//! MUSTs that went unverified.

use std::collections::BTreeMap;
use std::time::Instant;

use crate::catalogue::{Level, check_ids_of, requirement_in};
use crate::results::{
    CheckResult, LatencySummary, Outcome, Report, SCHEMA_VERSION, Summary, Unverified,
};
use crate::transport::display_url;

use super::RunConfig;

/// A report in the making.
pub(super) struct Building {
    started: Instant,
    started_at: String,
    /// The target as shown (no credentials).
    pub target: String,
    /// The ids of the selected checks, in catalogue order.
    pub planned: Vec<String>,
    /// What has reported so far.
    pub results: Vec<CheckResult>,
}

impl Building {
    pub fn start(config: &RunConfig) -> Building {
        Building {
            started: Instant::now(),
            started_at: crate::spec::format_timestamp(time::OffsetDateTime::now_utc()),
            target: display_url(&config.target),
            planned: check_ids_of(config.profile)
                .into_iter()
                .filter(|id| config.selection.includes(id))
                .collect(),
            results: Vec::new(),
        }
    }

    /// The report of a target nothing could be delivered to: every planned check is an
    /// error with the reason, so that JUnit and JSON readers see why.
    pub fn ungradable(mut self, config: &RunConfig, reason: &str) -> Report {
        self.results = self
            .planned
            .iter()
            .filter_map(|id| requirement_in(config.profile, id).map(|r| (id, r)))
            .map(|(id, requirement)| CheckResult {
                id: id.clone(),
                requirement_id: requirement.id.to_owned(),
                category: requirement.category,
                level: requirement.level,
                outcome: Outcome::Error,
                requirement: requirement.text.to_owned(),
                clause: requirement.clause.to_owned(),
                expected: String::new(),
                actual: format!("not graded: nothing can be delivered to the target: {reason}"),
                repro: None,
                duration_ms: 0,
                exchanges: Vec::new(),
            })
            .collect();
        let mut report = self.finish(config, LatencySummary::default(), Vec::new(), false, &[]);
        report.verdict = "ungradable".into();
        report.reason = Some(reason.to_owned());
        report
    }

    pub fn finish(
        mut self,
        config: &RunConfig,
        latency: LatencySummary,
        notes: Vec<String>,
        interrupted: bool,
        unprobed: &[(Vec<String>, String)],
    ) -> Report {
        let order = check_ids_of(config.profile);
        self.results.sort_by_key(|r| {
            order
                .iter()
                .position(|id| *id == r.id)
                .unwrap_or(usize::MAX)
        });
        let summary = Summary::of(&self.results);
        let verdict = Report::verdict_word(&summary, config.strict, interrupted, false);
        Report {
            schema_version: SCHEMA_VERSION,
            tool: concat!("hookcheck ", env!("CARGO_PKG_VERSION")).to_owned(),
            target: self.target,
            seed: Some(config.seed),
            started_at: self.started_at,
            duration_ms: self.started.elapsed().as_millis() as u64,
            timeout_ms: config.client.timeout.as_millis() as u64,
            effects_probe: config.effects.as_ref().map(|p| p.kind().to_owned()),
            verdict: verdict.into(),
            summary,
            latency,
            notes,
            reason: None,
            interrupted,
            unverified: unverified(&self.results, unprobed),
            checks: self.results,
        }
    }
}

/// The MUST checks that were skipped, grouped by why; and the MUST checks that passed on
/// what they probed but left part of their situation unprobed, with what.
fn unverified(results: &[CheckResult], unprobed: &[(Vec<String>, String)]) -> Vec<Unverified> {
    let mut groups: BTreeMap<&str, usize> = BTreeMap::new();
    for check in results {
        if check.level == Level::Must && check.outcome == Outcome::Skip {
            *groups.entry(check.actual.as_str()).or_default() += 1;
        }
    }
    for (ids, reason) in unprobed {
        let passed = results
            .iter()
            .filter(|c| c.level == Level::Must && c.outcome == Outcome::Pass)
            .filter(|c| ids.contains(&c.id))
            .count();
        if passed > 0 {
            *groups.entry(reason.as_str()).or_default() += passed;
        }
    }
    let mut unverified: Vec<Unverified> = groups
        .into_iter()
        .map(|(reason, count)| Unverified {
            count,
            reason: reason.to_owned(),
        })
        .collect();
    unverified.sort_by(|a, b| b.count.cmp(&a.count).then(a.reason.cmp(&b.reason)));
    unverified
}
