//! What a conformance run found, and the events that tell reporters about it.
//!
//! This module is neutral ground: the runner produces these values and the reporters in
//! [`crate::report`] consume them; neither imports the other.
//!
//! # The JSON report (`hookcheck run --json PATH`)
//!
//! One object, [`Report`], serialized with camelCase keys except where noted:
//!
//! | key | type | meaning |
//! |---|---|---|
//! | `schemaVersion` | integer | [`SCHEMA_VERSION`]; bumped on any incompatible change |
//! | `tool` | string | `hookcheck X.Y.Z` |
//! | `target` | string | the webhook URL graded (never with credentials) |
//! | `seed` | integer | the seed every generated payload came from; `--seed` repeats a run |
//! | `startedAt` | string | RFC 3339 UTC |
//! | `durationMs` | integer | wall time of the run |
//! | `timeoutMs` | integer | the sender timeout deliveries were graded against |
//! | `effectsProbe` | string or null | `url`, `command`, or null when none was given |
//! | `verdict` | string | `conformant` or `not-conformant` (see [`Report::conformant`]) |
//! | `summary` | object | `pass`, `fail`, `warn`, `skip`, `error`: counts of checks |
//! | `latency` | object | `deliveries`, `timedOut`, `p50_ms`, `p95_ms`, `p99_ms`, `max_ms` over every delivery the run timed (a timed-out delivery counts at the timeout) |
//! | `notes` | array of strings | what the user should know about how the run was graded (e.g. the certificate failed and the rest went on unverified) |
//! | `reason` | string, absent unless ungradable | why nothing could be delivered (verdict `ungradable`) |
//! | `interrupted` | boolean | the run was stopped (Ctrl-C, SIGTERM) before it finished |
//! | `unverified` | array | `{count, reason}`: MUST checks the run could not verify, and why |
//! | `checks` | array | one [`CheckResult`] per check, in catalogue order |
//!
//! Each check: `id`, `requirementId`, `category`, `level` (`MUST`, `SHOULD`, `INFO`),
//! `outcome` (`pass`, `fail`, `warn`, `skip`, `error`), `requirement` (the sentence),
//! `clause`, `expected`, `actual`, `repro` (a `curl` command line or a short POSIX `sh`
//! script, or null; the auth value appears only as `$HOOKCHECK_AUTH`), `durationMs`, and
//! `exchanges` (absent when empty: each `{method, requestHeaders, requestBody, requestBytes,
//! status, responseHeaders, responseBody, durationMs}`, secrets redacted, bodies truncated).

use serde::{Deserialize, Serialize};

use crate::catalogue::{Category, Level};

/// The version of the JSON report format.
pub const SCHEMA_VERSION: u32 = 1;

crate::closed::closed_enum! {
    /// How one check ended, worst first; its name is the lowercase word every report uses.
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum Outcome as "outcome" {
        /// A MUST broken.
        Fail => "fail",
        /// No verdict possible (e.g. the target refused the connection).
        Error => "error",
        /// A SHOULD broken.
        Warn => "warn",
        /// Not run, with the reason in `actual`.
        Skip => "skip",
        /// The requirement holds.
        Pass => "pass",
    }
}

impl Outcome {
    /// The outcome of a broken requirement of this level.
    pub fn broken(level: Level) -> Outcome {
        match level {
            Level::Must => Outcome::Fail,
            Level::Should => Outcome::Warn,
            Level::Info => Outcome::Pass,
        }
    }
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    /// The check's id, `requirement-id/variant`.
    pub id: String,
    /// The requirement it tests.
    pub requirement_id: String,
    /// The requirement's category.
    pub category: Category,
    /// The requirement's level.
    pub level: Level,
    /// How it ended.
    pub outcome: Outcome,
    /// The requirement in one sentence.
    pub requirement: String,
    /// Where CONTRACT.md says it.
    pub clause: String,
    /// What a conforming receiver does.
    pub expected: String,
    /// What the target did (for a skip or an error: why there is no verdict).
    pub actual: String,
    /// A command line that sends the request that shows the problem.
    pub repro: Option<String>,
    /// How long the check took.
    pub duration_ms: u64,
    /// The requests the check sent and what came back, secrets redacted and bodies
    /// truncated (see [`ExchangeRecord`]); empty for a check that sent nothing of its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exchanges: Vec<ExchangeRecord>,
}

/// One request of a check and its answer, as a report shows it: the auth value replaced by
/// `$HOOKCHECK_AUTH` (or the expression that derives the value sent), bodies cut to
/// [`ExchangeRecord::MAX_BODY`] bytes of text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExchangeRecord {
    /// The method.
    pub method: String,
    /// The headers sent, in order, secrets redacted.
    pub request_headers: Vec<(String, String)>,
    /// The body sent (lossy UTF-8, truncated).
    pub request_body: String,
    /// The body's full length in bytes.
    pub request_bytes: usize,
    /// The status received, or none when no complete response arrived.
    pub status: Option<u16>,
    /// The headers received.
    #[serde(default)]
    pub response_headers: Vec<(String, String)>,
    /// The body received (lossy UTF-8, truncated), or the failure when none arrived.
    pub response_body: String,
    /// How long the exchange took.
    pub duration_ms: f64,
    /// For a drawn valid delivery, its features in words (what differs from the canonical
    /// delivery of its status), so that a finding says what was sent without the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drawn: Option<String>,
}

impl ExchangeRecord {
    /// How much of a body a report keeps.
    pub const MAX_BODY: usize = 2048;
}

/// A group of MUST checks a run could not verify, and why: the verdict line says so rather
/// than claim more than was checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Unverified {
    /// How many MUST checks.
    pub count: usize,
    /// Why, and what would verify them (e.g. "need an effects probe: --effects-url").
    pub reason: String,
}

impl Unverified {
    /// The skipped MUST checks among `checks`, grouped by their reason in order of first
    /// appearance.
    pub fn of_skipped_musts(checks: &[CheckResult]) -> Vec<Unverified> {
        let mut groups: Vec<Unverified> = Vec::new();
        let skipped = checks
            .iter()
            .filter(|c| c.level == Level::Must && c.outcome == Outcome::Skip);
        for check in skipped {
            match groups.iter_mut().find(|g| g.reason == check.actual) {
                Some(group) => group.count += 1,
                None => groups.push(Unverified {
                    count: 1,
                    reason: check.actual.clone(),
                }),
            }
        }
        groups
    }
}

/// Counts of checks by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Checks that passed.
    pub pass: usize,
    /// Checks where a MUST broke.
    pub fail: usize,
    /// Checks where a SHOULD broke.
    pub warn: usize,
    /// Checks not run.
    pub skip: usize,
    /// Checks with no verdict.
    pub error: usize,
}

impl Summary {
    /// Counts the outcomes of these checks.
    pub fn of<'a>(checks: impl IntoIterator<Item = &'a CheckResult>) -> Summary {
        let mut summary = Summary::default();
        for check in checks {
            *match check.outcome {
                Outcome::Pass => &mut summary.pass,
                Outcome::Fail => &mut summary.fail,
                Outcome::Warn => &mut summary.warn,
                Outcome::Skip => &mut summary.skip,
                Outcome::Error => &mut summary.error,
            } += 1;
        }
        summary
    }

    /// All checks counted.
    pub fn total(&self) -> usize {
        self.pass + self.fail + self.warn + self.skip + self.error
    }
}

/// Latency percentiles over every delivery the run timed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LatencySummary {
    /// How many deliveries were timed.
    pub deliveries: u64,
    /// How many of them got no complete answer within the timeout.
    pub timed_out: u64,
    /// Median.
    #[serde(rename = "p50_ms")]
    pub p50_ms: f64,
    /// 95th percentile.
    #[serde(rename = "p95_ms")]
    pub p95_ms: f64,
    /// 99th percentile.
    #[serde(rename = "p99_ms")]
    pub p99_ms: f64,
    /// Slowest.
    #[serde(rename = "max_ms")]
    pub max_ms: f64,
}

/// The whole result of a run: what `--json` writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `hookcheck X.Y.Z`.
    pub tool: String,
    /// The webhook URL graded.
    pub target: String,
    /// The seed the run's payloads came from; none for a capture, which draws nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// When the run started, RFC 3339 UTC.
    pub started_at: String,
    /// Wall time of the run.
    pub duration_ms: u64,
    /// The timeout deliveries were graded against.
    pub timeout_ms: u64,
    /// `url`, `command`, or none.
    pub effects_probe: Option<String>,
    /// `conformant` or `not-conformant`.
    pub verdict: String,
    /// Counts by outcome.
    pub summary: Summary,
    /// Percentiles over every timed delivery.
    pub latency: LatencySummary,
    /// What the user should know about how the run was graded.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Why nothing could be graded, when the verdict is `ungradable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Whether the run was stopped (Ctrl-C, SIGTERM) before it finished.
    #[serde(default)]
    pub interrupted: bool,
    /// MUST checks that were not verified, grouped by why.
    #[serde(default)]
    pub unverified: Vec<Unverified>,
    /// Every check, in catalogue order.
    pub checks: Vec<CheckResult>,
}

impl Report {
    /// Whether the run found the target conformant: no MUST failed, no check without a
    /// verdict, and with `strict` no SHOULD broken either.
    pub fn conformant(summary: &Summary, strict: bool) -> bool {
        summary.fail == 0 && summary.error == 0 && !(strict && summary.warn > 0)
    }

    /// The verdict word of a report: `interrupted`, `ungradable` (nothing could be graded),
    /// `conformant` or `not-conformant`, in that order of precedence.
    pub fn verdict_word(
        summary: &Summary,
        strict: bool,
        interrupted: bool,
        ungradable: bool,
    ) -> &'static str {
        if interrupted {
            "interrupted"
        } else if ungradable {
            "ungradable"
        } else if Report::conformant(summary, strict) {
            "conformant"
        } else {
            "not-conformant"
        }
    }
}

/// What the runner tells reporters, in order.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// The run is about to start.
    RunStarted {
        /// The webhook URL.
        target: &'a str,
        /// How many checks will report.
        planned: usize,
        /// The seed of the run; none for a capture, which draws nothing.
        seed: Option<u64>,
    },
    /// A phase of the run started (e.g. `burst`, `robustness`).
    PhaseStarted {
        /// The phase's name.
        name: &'a str,
    },
    /// One check finished.
    CheckFinished(&'a CheckResult),
    /// The run ended.
    RunFinished(&'a Report),
}

/// A consumer of run events. Errors are the reporter's own (e.g. a report file that cannot
/// be written); the runner hands them back to the caller after the run.
pub trait Reporter: Send {
    /// Handles one event.
    fn on_event(&mut self, event: &Event<'_>) -> std::io::Result<()>;
}
