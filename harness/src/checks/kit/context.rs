//! What every check family shares during a run: the clients, the target, the payload
//! generator, what the run has learnt about the target so far, and the channel results
//! leave by.

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::Url;
use tokio::sync::{Semaphore, mpsc};

use super::expectation::Pending;
use super::verdict::{Verdict, VerdictOutcome};
use crate::auth::AuthHeader;
use crate::catalogue::requirement_in;
use crate::checks::retry_schedule::RetrySchedule;
use crate::effects::EffectsProbe;
use crate::generate::Drawn;
use crate::latency::LatencyRecorder;
use crate::rawhttp::RawClient;
use crate::results::{CheckResult, Outcome};
use crate::sender::Sender;

/// Shared state of one run.
pub struct Ctx {
    /// The client every probe goes through (insecure when the certificate failed and the
    /// run continues to grade the rest).
    pub sender: Sender,
    /// The raw HTTP/1.1 client for probes reqwest cannot express.
    pub raw: RawClient,
    /// The webhook URL.
    pub target: Url,
    /// Further replicas of the receiver (`--replica`): the copies of a session go round
    /// robin over the target and these ([`Ctx::copy_url`]).
    pub replicas: Vec<Url>,
    /// The configured auth header.
    pub auth: Option<AuthHeader>,
    /// The sender timeout deliveries are graded against.
    pub timeout: Duration,
    /// Where effect counts come from, if anywhere.
    pub effects: Option<EffectsProbe>,
    /// Why the effects probe cannot be trusted (it failed its self-test), if it cannot.
    pub effects_broken: Option<String>,
    /// The client effect queries go through: the run's TLS trust.
    pub effects_sender: Sender,
    /// The run's seed.
    pub seed: u64,
    /// How long to wait after deliveries before counting their effects.
    pub settle: Duration,
    /// How long after its first copy a session is still sent again (SPEC [D-8]).
    pub dedupe_window: Duration,
    /// The retry schedule the copies of `after-retry-delay` follow.
    pub retry: RetrySchedule,
    /// How long the abandoned copy's sender waits, when not half the typical latency.
    pub abandon_after: Option<Duration>,
    /// How long the preflight delivery took: the target's typical latency.
    pub baseline: Duration,
    /// The run's first delivery (the preflight's), and whether it was acknowledged.
    pub first_delivery: Option<(Drawn, bool)>,
    /// How many deliveries the burst probe sends at once.
    pub burst: usize,
    /// Where bodies too long for a repro line are written (`--bodies`).
    pub bodies_dir: Option<std::path::PathBuf>,
    /// The contract the run grades against, with what its deliveries need.
    pub face: super::Face,
    /// The ids of the checks this run includes, `--only` and `--skip` applied.
    pub planned: HashSet<String>,
    pub(crate) latency: Mutex<LatencyRecorder>,
    /// How many valid deliveries the run has sent so far.
    pub(crate) delivered: AtomicU64,
    /// The repro line of the first valid delivery that timed out, for `latency/within-timeout`.
    pub(crate) first_timeout: Mutex<Option<String>>,
    /// Valid deliveries answered 3xx: how many, and the first one's answer and repro line.
    pub(crate) redirects: Mutex<(u64, Option<(String, String)>)>,
    /// Why the target counts as down, once a probe found it so.
    pub(crate) down: Mutex<Option<String>>,
    /// Effect checks graded at the end of the run.
    pub(crate) ledger: Mutex<Vec<Pending>>,
    /// What checks that reported could not probe: their ids, and what was left out.
    pub(crate) unprobed: Mutex<Vec<(Vec<String>, String)>>,
    pub(crate) limiter: Semaphore,
    pub(crate) results: mpsc::UnboundedSender<RunMessage>,
}

/// What the families tell the runner's reporting loop.
#[derive(Debug)]
pub enum RunMessage {
    /// A phase started.
    Phase(&'static str),
    /// A check finished.
    Check(CheckResult),
}

impl Ctx {
    /// Tells the reporters a phase started.
    pub fn phase(&self, name: &'static str) {
        let _ = self.results.send(RunMessage::Phase(name));
    }

    /// The contract the run grades against.
    pub fn profile(&self) -> crate::profile::Profile {
        self.face.profile()
    }

    /// Whether the check is in the catalogue and selected for this run.
    pub fn selected(&self, check_id: &str) -> bool {
        self.planned.contains(check_id)
    }

    /// Where copy `n` (from 0) of one session goes: round robin over the target and the
    /// replicas, so copy 0 goes to the target, copy 1 to the first replica, and so on;
    /// without replicas, every copy goes to the target (each over a fresh connection).
    pub fn copy_url(&self, n: usize) -> &Url {
        match n % (self.replicas.len() + 1) {
            0 => &self.target,
            k => &self.replicas[k - 1],
        }
    }

    /// Whether any of these checks runs.
    pub fn any_selected<S: AsRef<str>>(&self, check_ids: impl IntoIterator<Item = S>) -> bool {
        check_ids.into_iter().any(|id| self.selected(id.as_ref()))
    }

    /// Records that the target is down (a connection was refused), first seen by `check_id`.
    pub fn mark_down(&self, check_id: &str, what: &str) {
        let mut down = self.down.lock().expect("down lock is never poisoned");
        if down.is_none() {
            *down = Some(format!("the target {what} (first seen by {check_id})"));
        }
    }

    /// Why the target counts as down, if it does.
    pub fn down(&self) -> Option<String> {
        self.down
            .lock()
            .expect("down lock is never poisoned")
            .clone()
    }

    /// How many valid deliveries the run has sent so far.
    pub fn valid_deliveries(&self) -> u64 {
        self.delivered.load(Ordering::Relaxed)
    }

    /// Reports one check's result; level, category and requirement come from the catalogue,
    /// and the outcome follows from the verdict and the level by one rule.
    pub fn report(&self, check_id: &str, started: Instant, verdict: Verdict) {
        let requirement = requirement_in(self.profile(), check_id)
            .unwrap_or_else(|| panic!("check `{check_id}` is not in the catalogue"));
        let outcome = match verdict.outcome {
            VerdictOutcome::Holds => Outcome::Pass,
            VerdictOutcome::Broken => Outcome::broken(requirement.level),
            VerdictOutcome::Skip => Outcome::Skip,
            VerdictOutcome::NoVerdict => Outcome::Error,
        };
        let repro = match outcome {
            Outcome::Pass | Outcome::Skip => None,
            Outcome::Fail | Outcome::Warn | Outcome::Error => verdict.repro,
        };
        let result = CheckResult {
            id: check_id.to_owned(),
            requirement_id: requirement.id.to_owned(),
            category: requirement.category,
            level: requirement.level,
            outcome,
            requirement: requirement.text.to_owned(),
            clause: requirement.clause.to_owned(),
            expected: verdict.expected,
            actual: self.sender.redact(&verdict.actual),
            repro,
            duration_ms: started.elapsed().as_millis() as u64,
            exchanges: verdict.exchanges,
        };
        // The receiving end lives until every family has finished.
        let _ = self.results.send(RunMessage::Check(result));
    }

    /// Notes what the checks `check_ids` leave unprobed; the report counts each of them
    /// that passes among the MUST checks not verified, with `reason`.
    pub fn note_unprobed(&self, check_ids: Vec<String>, reason: String) {
        self.unprobed
            .lock()
            .expect("unprobed lock is never poisoned")
            .push((check_ids, reason));
    }

    /// What the run's checks left unprobed (see [`Ctx::note_unprobed`]).
    pub fn unprobed(&self) -> Vec<(Vec<String>, String)> {
        self.unprobed
            .lock()
            .expect("unprobed lock is never poisoned")
            .clone()
    }

    /// Reports a skipped check.
    pub fn skip(&self, check_id: &str, reason: impl Into<String>) {
        if self.selected(check_id) {
            self.report(check_id, Instant::now(), Verdict::skip(reason));
        }
    }
}
