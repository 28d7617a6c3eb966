//! Compliance snapshots compared: what changed between two runs, check by check. `hookcheck
//! diff OLD.json NEW.json` prints it; `hookcheck run --baseline OLD.json` fails only on
//! [`Diff::regressions`], so a team can adopt hookcheck on a receiver with known gaps and
//! block only new ones.

use serde::Serialize;

use crate::results::{CheckResult, Outcome, Report};

crate::closed::closed_enum! {
    /// How a check changed between two runs, in the order reports list them; its name is
    /// the JSON one.
    #[derive(Serialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum ChangeKind as "change kind" {
        /// Bad now (fail or error; warn too with strict), not before, or a new check that is bad.
        NewFailure => "new-failure",
        /// Bad before, not now.
        Fixed => "fixed",
        /// A check the old run did not have (and that is not bad).
        Added => "added",
        /// A check the new run does not have.
        Removed => "removed",
        /// Another change of outcome (e.g. a pass that became a skip, a fail that became an error).
        Changed => "changed",
    }
}

impl ChangeKind {
    /// How a report titles the kind.
    pub fn title(self) -> &'static str {
        match self {
            ChangeKind::NewFailure => "new failures",
            ChangeKind::Fixed => "fixed",
            ChangeKind::Added => "new checks",
            ChangeKind::Removed => "removed checks",
            ChangeKind::Changed => "other changes",
        }
    }
}

/// One check that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// What kind of change.
    pub kind: ChangeKind,
    /// The check id.
    pub id: String,
    /// Its outcome in the old run, if it was there.
    pub old: Option<Outcome>,
    /// Its outcome in the new run, if it is there.
    pub new: Option<Outcome>,
    /// What the target did in the new run (else the old one).
    pub actual: String,
}

/// One side of a comparison, named for the reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRef {
    /// The target graded.
    pub target: String,
    /// When the run started.
    pub started_at: String,
    /// Its verdict.
    pub verdict: String,
}

impl RunRef {
    fn of(report: &Report) -> RunRef {
        RunRef {
            target: report.target.clone(),
            started_at: report.started_at.clone(),
            verdict: report.verdict.clone(),
        }
    }
}

/// What changed between two runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diff {
    /// The old run.
    pub old: RunRef,
    /// The new run.
    pub new: RunRef,
    /// Whether a warn counted as bad.
    pub strict: bool,
    /// Every changed check, by kind then in the new run's order.
    pub changes: Vec<Change>,
    /// Checks bad in both runs: the known gaps.
    pub still_failing: usize,
    /// Checks with the same outcome in both runs.
    pub unchanged: usize,
}

impl Diff {
    /// Compares two reports check by check. With `strict`, a warn is bad like a fail.
    pub fn between(old: &Report, new: &Report, strict: bool) -> Diff {
        let bad = |o: Outcome| {
            matches!(o, Outcome::Fail | Outcome::Error) || (strict && o == Outcome::Warn)
        };
        let mut diff = Diff {
            old: RunRef::of(old),
            new: RunRef::of(new),
            strict,
            changes: Vec::new(),
            still_failing: 0,
            unchanged: 0,
        };
        for check in &new.checks {
            let before = find(old, &check.id).map(|c| c.outcome);
            let kind = match before {
                None if bad(check.outcome) => Some(ChangeKind::NewFailure),
                None => Some(ChangeKind::Added),
                Some(b) if bad(check.outcome) && !bad(b) => Some(ChangeKind::NewFailure),
                Some(b) if bad(b) && !bad(check.outcome) => Some(ChangeKind::Fixed),
                Some(b) if b == check.outcome => None,
                Some(_) => Some(ChangeKind::Changed),
            };
            if before.is_some_and(bad) && bad(check.outcome) {
                diff.still_failing += 1;
            }
            match kind {
                Some(kind) => diff.changes.push(change(kind, before, Some(check))),
                None => diff.unchanged += 1,
            }
        }
        for check in old.checks.iter().filter(|c| find(new, &c.id).is_none()) {
            let mut removed = change(ChangeKind::Removed, Some(check.outcome), None);
            removed.id.clone_from(&check.id);
            removed.actual.clone_from(&check.actual);
            diff.changes.push(removed);
        }
        diff.changes.sort_by_key(|c| c.kind);
        diff
    }

    /// The changes that block a baseline run.
    pub fn regressions(&self) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(|c| c.kind == ChangeKind::NewFailure)
    }

    /// The changes of one kind.
    pub fn of_kind(&self, kind: ChangeKind) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(move |c| c.kind == kind)
    }
}

fn find<'a>(report: &'a Report, id: &str) -> Option<&'a CheckResult> {
    report.checks.iter().find(|c| c.id == id)
}

fn change(kind: ChangeKind, old: Option<Outcome>, new: Option<&CheckResult>) -> Change {
    Change {
        kind,
        id: new.map(|c| c.id.clone()).unwrap_or_default(),
        old,
        new: new.map(|c| c.outcome),
        actual: new.map(|c| c.actual.clone()).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{Category, Level};

    fn report(checks: &[(&str, Outcome)]) -> Report {
        let checks: Vec<CheckResult> = checks
            .iter()
            .map(|(id, outcome)| CheckResult {
                id: (*id).to_owned(),
                requirement_id: (*id).to_owned(),
                category: Category::Status,
                level: Level::Must,
                outcome: *outcome,
                requirement: String::new(),
                clause: String::new(),
                expected: String::new(),
                actual: format!("{outcome}"),
                repro: None,
                duration_ms: 0,
                exchanges: Vec::new(),
            })
            .collect();
        Report {
            schema_version: 1,
            tool: String::new(),
            target: String::new(),
            seed: Some(0),
            started_at: String::new(),
            duration_ms: 0,
            timeout_ms: 0,
            effects_probe: None,
            verdict: String::new(),
            summary: crate::results::Summary::of(&checks),
            latency: Default::default(),
            notes: Vec::new(),
            reason: None,
            interrupted: false,
            unverified: Vec::new(),
            checks,
        }
    }

    fn kinds(diff: &Diff) -> Vec<(&str, ChangeKind)> {
        diff.changes
            .iter()
            .map(|c| (c.id.as_str(), c.kind))
            .collect()
    }

    #[test]
    fn only_a_check_that_turns_bad_or_arrives_bad_is_a_regression() {
        use Outcome::*;
        let old = report(&[
            ("a", Pass),
            ("b", Fail),
            ("c", Fail),
            ("d", Pass),
            ("gone", Pass),
        ]);
        let new = report(&[
            ("a", Fail),
            ("b", Pass),
            ("c", Error),
            ("d", Skip),
            ("new", Fail),
        ]);
        let diff = Diff::between(&old, &new, false);
        assert_eq!(
            kinds(&diff),
            vec![
                ("a", ChangeKind::NewFailure),
                ("new", ChangeKind::NewFailure),
                ("b", ChangeKind::Fixed),
                ("gone", ChangeKind::Removed),
                ("c", ChangeKind::Changed),
                ("d", ChangeKind::Changed),
            ]
        );
        assert_eq!(
            diff.still_failing, 1,
            "c failed before and has no verdict now"
        );
        assert_eq!(diff.regressions().count(), 2);
    }

    #[test]
    fn a_new_warn_is_a_regression_only_when_strict() {
        let old = report(&[("a", Outcome::Pass)]);
        let new = report(&[("a", Outcome::Warn)]);
        assert_eq!(Diff::between(&old, &new, false).regressions().count(), 0);
        assert_eq!(Diff::between(&old, &new, true).regressions().count(), 1);
    }
}
