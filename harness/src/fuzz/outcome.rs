//! The report of a campaign and of a replay: one JSON document (written with `--json`),
//! a terminal summary, and JUnit XML (`--junit`).
//!
//! The JSON report (`"format": "hookcheck-fuzz-report/1"`):
//!
//! - `target`, `seed`, `cases` (requests sent while fuzzing), `sequences`,
//!   `durationMs` (the sending phase), `casesPerSecond`, `shrinkMs`;
//! - `effectsProbe` (`url`, `command` or null), `auth` (whether bad credentials were sent);
//! - `invariants`: one entry per invariant: `invariant`, `level` (`MUST`/`SHOULD`),
//!   `requirement`, `clause` (the CONTRACT.md clauses it grades), `outcome` (`held`,
//!   `broken`, or `unchecked` with `reason`: no effects probe or one that failed its
//!   self-test, no auth header, counts that could not be read, nothing graded), and
//!   `sequences` (how many sequences broke it);
//! - `findings`: one per broken invariant: `invariant`, `level`, `requirement`, `clause`,
//!   `sequences`, `firstSequence`, `label`, `expected`, `actual`, `shrink`
//!   (`fromSteps`, `toSteps`, `fromCases`, `toCases`, `replays`, `reproducedAlone`,
//!   `note` when not shrunk, `stopped` when shrinking ran out of replays or time and the
//!   case is the smallest found so far),
//!   `caseFile` (its path, when saved), `repro` (a POSIX `sh` script) and `case` (the case
//!   file's content);
//! - `unreadCounts`: effect counts that could not be read (each is no verdict, not a pass),
//!   and `unreadReason`, why the first could not;
//! - `stoppedEarly`: why sending stopped before the budget was spent (the target stopped
//!   accepting connections, or answered none of 16 requests in a row), or null;
//! - `verdict`: `pass` (no invariant broken), `warn` (only SHOULDs broken) or `fail`.

use std::fmt::Write as _;
use std::io;
use std::path::Path;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};
use serde::{Deserialize, Serialize};

use super::case_file::CaseFile;
use super::invariant::{Invariant, Level, Violation};

/// The format tag of the JSON report.
pub const REPORT_FORMAT: &str = "hookcheck-fuzz-report/1";

/// How an invariant fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InvariantOutcome {
    /// Never broken.
    Held,
    /// Broken at least once.
    Broken,
    /// Not checked: no effects probe or one that failed its self-test, no auth header,
    /// effect counts that could not be read, or nothing graded against it.
    Unchecked,
}

/// One invariant's line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvariantResult {
    /// Which.
    pub invariant: Invariant,
    /// MUST or SHOULD.
    pub level: Level,
    /// Its requirement.
    pub requirement: String,
    /// The CONTRACT.md clauses it grades (`SPEC §3 ¶3 [D-10]`).
    #[serde(default)]
    pub clause: String,
    /// How it fared.
    pub outcome: InvariantOutcome,
    /// Why it was not checked.
    pub reason: Option<String>,
    /// Sequences that broke it.
    pub sequences: u64,
}

/// What shrinking did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShrinkSummary {
    /// Steps before.
    pub from_steps: usize,
    /// Steps after.
    pub to_steps: usize,
    /// Requests before.
    pub from_cases: usize,
    /// Requests after.
    pub to_cases: usize,
    /// Replays made.
    pub replays: usize,
    /// Whether the failure came back when its sequence was replayed alone.
    pub reproduced_alone: bool,
    /// Why it was not shrunk, if it was not.
    pub note: Option<String>,
    /// Why shrinking stopped before it was done, if it did: the case is the smallest
    /// found so far.
    #[serde(default)]
    pub stopped: Option<String>,
}

/// A broken invariant, shrunk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Which invariant.
    pub invariant: Invariant,
    /// Its level.
    pub level: Level,
    /// Its requirement.
    pub requirement: String,
    /// The CONTRACT.md clauses it grades (`SPEC §3 ¶3 [D-10]`).
    #[serde(default)]
    pub clause: String,
    /// Sequences that broke it.
    pub sequences: u64,
    /// The first of them.
    pub first_sequence: u64,
    /// What was sent.
    pub label: String,
    /// What the invariant expected.
    pub expected: String,
    /// What happened.
    pub actual: String,
    /// What shrinking did.
    pub shrink: ShrinkSummary,
    /// Where the case file was saved.
    pub case_file: Option<String>,
    /// The POSIX `sh` script that sends the shrunk sequence.
    pub repro: String,
    /// The case.
    pub case: CaseFile,
}

/// How a campaign ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FuzzVerdict {
    /// No invariant broken.
    Pass,
    /// Only SHOULD invariants broken.
    Warn,
    /// A MUST invariant broken.
    Fail,
}

/// The report of a campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FuzzReport {
    /// Always [`REPORT_FORMAT`].
    pub format: String,
    /// The target, without credentials.
    pub target: String,
    /// The seed.
    pub seed: u64,
    /// Requests sent while fuzzing.
    pub cases: u64,
    /// Sequences sent.
    pub sequences: u64,
    /// How long sending took.
    pub duration_ms: u64,
    /// Requests per second while sending.
    pub cases_per_second: f64,
    /// How long shrinking took.
    pub shrink_ms: u64,
    /// The effects probe's kind.
    pub effects_probe: Option<String>,
    /// Whether bad credentials were sent.
    pub auth: bool,
    /// Every invariant.
    pub invariants: Vec<InvariantResult>,
    /// Every broken invariant, shrunk.
    pub findings: Vec<Finding>,
    /// Effect counts that could not be read.
    pub unread_counts: u64,
    /// Why the first of them could not be read.
    pub unread_reason: Option<String>,
    /// Why sending stopped before the budget was spent (the target stopped serving), if
    /// it did.
    #[serde(default)]
    pub stopped_early: Option<String>,
    /// The verdict.
    pub verdict: FuzzVerdict,
}

impl FuzzReport {
    /// The verdict of these findings.
    pub fn verdict_of(findings: &[Finding]) -> FuzzVerdict {
        if findings.iter().any(|f| f.level == Level::Must) {
            FuzzVerdict::Fail
        } else if findings.is_empty() {
            FuzzVerdict::Pass
        } else {
            FuzzVerdict::Warn
        }
    }

    /// The terminal summary.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "hookcheck fuzz {}: {} cases in {} sequences, {:.1} s ({:.0} cases/s), seed {}",
            self.target,
            self.cases,
            self.sequences,
            self.duration_ms as f64 / 1000.0,
            self.cases_per_second,
            self.seed
        );
        let _ = writeln!(out, "\nfailures by invariant:");
        for result in &self.invariants {
            let mark = match (result.outcome, result.level) {
                (InvariantOutcome::Held, _) => "ok  ",
                (InvariantOutcome::Broken, Level::Must) => "FAIL",
                (InvariantOutcome::Broken, Level::Should) => "WARN",
                (InvariantOutcome::Unchecked, _) => "skip",
            };
            let detail = match (result.outcome, &result.reason) {
                (InvariantOutcome::Unchecked, Some(reason)) => format!(" (not checked: {reason})"),
                (InvariantOutcome::Broken, _) => format!(": {} sequence(s)", result.sequences),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "  {mark} {} [{}]{detail}",
                result.invariant, result.level
            );
        }
        for finding in &self.findings {
            render_finding(&mut out, finding);
        }
        if let Some(why) = &self.stopped_early {
            let _ = writeln!(out, "\nstopped early: {why}");
        }
        if self.unread_counts > 0 {
            let _ = writeln!(
                out,
                "\n{} effect count(s) could not be read, so they have no verdict; the first: {}",
                self.unread_counts,
                self.unread_reason.as_deref().unwrap_or("no reason given")
            );
        }
        let verdict = match self.verdict {
            FuzzVerdict::Pass => "no invariant broken".to_owned(),
            FuzzVerdict::Warn => format!(
                "{} SHOULD invariant(s) broken, no MUST",
                self.findings.len()
            ),
            FuzzVerdict::Fail => {
                let musts = self
                    .findings
                    .iter()
                    .filter(|f| f.level == Level::Must)
                    .count();
                match self.findings.len() - musts {
                    0 => format!("{musts} MUST invariant(s) broken"),
                    shoulds => format!("{musts} MUST invariant(s) broken, {shoulds} SHOULD"),
                }
            }
        };
        let _ = writeln!(out, "\nverdict: {verdict}");
        out
    }

    /// Writes the JSON report, atomically.
    pub fn write_json(&self, path: &Path) -> io::Result<()> {
        let text = serde_json::to_vec_pretty(self).map_err(io::Error::other)?;
        let partial = path.with_extension("partial");
        std::fs::write(&partial, text)?;
        std::fs::rename(&partial, path)
    }

    /// Writes JUnit XML: one test case per invariant. A broken SHOULD passes with the
    /// finding in its system-out, so the CI view agrees with the exit code.
    pub fn write_junit(&self, path: &Path) -> io::Result<()> {
        let mut junit = JunitReport::new("hookcheck fuzz");
        junit.set_time(Duration::from_millis(self.duration_ms + self.shrink_ms));
        let mut suite = TestSuite::new("fuzz");
        for result in &self.invariants {
            let finding = self
                .findings
                .iter()
                .find(|f| f.invariant == result.invariant);
            let text = finding.map(|f| {
                format!(
                    "expected: {}\nactual: {}\nrepro:\n{}",
                    f.expected, f.actual, f.repro
                )
            });
            let status = match (result.outcome, result.level) {
                (InvariantOutcome::Broken, Level::Must) => {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    status.set_message(format!("broken in {} sequence(s)", result.sequences));
                    status.set_description(text.clone().unwrap_or_default());
                    status
                }
                (InvariantOutcome::Unchecked, _) => {
                    let mut status = TestCaseStatus::skipped();
                    status.set_message(result.reason.clone().unwrap_or_default());
                    status
                }
                _ => TestCaseStatus::success(),
            };
            let mut case = TestCase::new(result.invariant.id(), status);
            case.set_classname("hookcheck.fuzz");
            if result.outcome == InvariantOutcome::Broken && result.level == Level::Should {
                case.set_system_out(format!("warn: {}", text.unwrap_or_default()));
            }
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
        let xml = junit
            .to_string()
            .map_err(|e| io::Error::other(e.to_string()))?;
        std::fs::write(path, xml)
    }
}

fn render_finding(out: &mut String, finding: &Finding) {
    let _ = writeln!(
        out,
        "\n{} {} [{}]: {} ({})",
        if finding.level == Level::Must {
            "FAIL"
        } else {
            "WARN"
        },
        finding.invariant,
        finding.level,
        finding.requirement,
        finding.clause
    );
    let _ = writeln!(
        out,
        "  first in sequence {}: {}",
        finding.first_sequence, finding.label
    );
    let _ = writeln!(out, "  expected: {}", finding.expected);
    let _ = writeln!(out, "  actual:   {}", finding.actual);
    let shrink = &finding.shrink;
    let how = match (&shrink.note, &shrink.stopped) {
        (Some(note), _) => format!("not shrunk: {note}"),
        (None, stopped) => format!(
            "shrunk from {} steps ({} requests) to {} ({}) in {} replays{}",
            shrink.from_steps,
            shrink.from_cases,
            shrink.to_steps,
            shrink.to_cases,
            shrink.replays,
            stopped
                .as_ref()
                .map(|why| format!("; {why}"))
                .unwrap_or_default()
        ),
    };
    let _ = writeln!(out, "  {how}");
    if let Some(path) = &finding.case_file {
        let _ = writeln!(
            out,
            "  case file: {path} (hookcheck fuzz --replay {path} --target URL)"
        );
    }
    let _ = writeln!(
        out,
        "  repro (POSIX sh; export HOOKCHECK_AUTH first if the target needs auth):"
    );
    for line in finding.repro.lines() {
        let _ = writeln!(out, "    {line}");
    }
}

/// The result of replaying a case file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplayReport {
    /// The invariant the case file broke.
    pub invariant: Invariant,
    /// Whether it broke again.
    pub reproduced: bool,
    /// Every invariant broken in this replay.
    pub violations: Vec<Violation>,
    /// Effect counts that could not be read.
    pub unread_counts: Vec<String>,
    /// Why the replay cannot say whether the case still fails, if it cannot (its
    /// invariant needs effect counts that are not to be had).
    #[serde(default)]
    pub no_verdict: Option<String>,
}

impl ReplayReport {
    /// Whether the replay cannot tell whether the case still fails (and nothing else
    /// failed): exit 3, never 0.
    pub fn inconclusive(&self) -> bool {
        !self.failed() && self.no_verdict.is_some()
    }

    /// Whether the replay's verdict is negative: the case's failure came back, or a MUST
    /// invariant broke.
    pub fn failed(&self) -> bool {
        self.reproduced
            || self
                .violations
                .iter()
                .any(|v| v.invariant.level() == Level::Must)
    }

    /// The terminal summary.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for v in &self.violations {
            let _ = writeln!(
                out,
                "{} {} [{}]: {} (step {}): expected {}; actual {}",
                if v.invariant.level() == Level::Must {
                    "FAIL"
                } else {
                    "WARN"
                },
                v.invariant,
                v.invariant.level(),
                v.label,
                v.step.map_or("-".to_owned(), |s| s.to_string()),
                v.expected,
                v.actual
            );
        }
        for reason in &self.unread_counts {
            let _ = writeln!(out, "no verdict: {reason}");
        }
        let result = match (&self.no_verdict, self.reproduced) {
            (_, true) => "broke again".to_owned(),
            (Some(why), false) => format!("no verdict: {why}"),
            (None, false) => "held".to_owned(),
        };
        let _ = writeln!(out, "replay: {} {result}", self.invariant);
        out
    }
}

#[cfg(test)]
#[path = "outcome_tests.rs"]
mod tests;
