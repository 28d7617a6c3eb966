//! What a campaign and a replay found: the model of their reports, which
//! [`crate::report::fuzz`] renders in every format (the terminal summary, JSON, JUnit,
//! Markdown, HTML), each written where `--json`, `--junit`, `--markdown`, `--html` say.
//!
//! The JSON report (`"format": "hookcheck-fuzz-report/1"`):
//!
//! - `profile` (`standard-webhooks`; left out for `cr3dentials`, whose clauses the
//!   invariants then cite), `target`, `replicas` (with `--replica`: the other replicas the copies of each session
//!   went round robin over, each finding's repro naming the URL of every copy), `seed`, `cases` (requests sent while fuzzing), `sequences`,
//!   `durationMs` (the sending phase, the effect reads of its sequences included), `casesPerSecond`, `shrinkMs`;
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

use serde::{Deserialize, Serialize};

use super::case_file::CaseFile;
use super::invariant::{Invariant, Level, Violation};
use crate::profile::Profile;

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
    /// The contract graded; left out for `cr3dentials`.
    #[serde(default, skip_serializing_if = "Profile::is_default")]
    pub profile: Profile,
    /// The target, without credentials.
    pub target: String,
    /// The replicas (`--replica`), without credentials; left out without any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replicas: Vec<String>,
    /// The seed.
    pub seed: u64,
    /// Requests sent while fuzzing.
    pub cases: u64,
    /// Sequences sent.
    pub sequences: u64,
    /// How long sending took, the effect reads of its sequences included.
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
}
