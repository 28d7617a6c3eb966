//! How a fuzzing campaign runs, and why one cannot.

use std::path::PathBuf;
use std::time::Duration;

use reqwest::Url;

use super::shrink::ShrinkLimits;
use crate::effects::EffectsProbe;
use crate::profile::Profile;
use crate::sender::SenderError;
use crate::standard_webhooks::Secret;
use crate::transport::ClientSettings;

/// How much to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// Until this many requests have been planned.
    Cases(u64),
    /// Until this much time has passed: the whole command, shrinking included, ends by then
    /// (see [`super::deadline`]).
    Time(Duration),
}

/// The default budget: enough to meet every kind of sequence several times and every
/// kind of input many times, in a few seconds against a local receiver.
pub const DEFAULT_CASES: u64 = 600;

/// Everything a campaign needs. [`FuzzConfig::new`] gives the defaults.
#[derive(Debug, Clone)]
pub struct FuzzConfig {
    /// The webhook URL.
    pub target: Url,
    /// Further replicas of the same receiver (`--replica`), sharing its database: the
    /// copies of a session go round robin over the target and these (see
    /// [`super::route`]); the effects probe counts the shared outcome.
    pub replicas: Vec<Url>,
    /// How every request reaches the target: the auth header it expects (which enables
    /// the bad-credential inputs), the sender timeout every request is graded against,
    /// which certificates an HTTPS target must present.
    pub client: ClientSettings,
    /// Where effect counts come from; without one the effect invariants are not checked.
    pub effects: Option<EffectsProbe>,
    /// The seed every sequence follows from.
    pub seed: u64,
    /// How much to send.
    pub budget: Budget,
    /// Sequences under way at once.
    pub concurrency: usize,
    /// How long after a sequence its effects are counted (never sooner than
    /// [`super::ledger::FINAL_READ_AFTER`]); a missing one is polled for max(1 s, 4 × settle).
    pub settle: Duration,
    /// The pause before a late copy, as before the provider's first retry.
    pub retry_delay: Duration,
    /// How much shrinking may do: `replays` for each failure, `time` for all of them.
    pub shrink: ShrinkLimits,
    /// Where case files (and bodies too long for a repro line) are saved, if anywhere.
    pub save_dir: Option<PathBuf>,
    /// Where bodies too long for a repro line are written when there is no `save_dir`.
    pub bodies_dir: Option<PathBuf>,
    /// Print progress on stderr.
    pub progress: bool,
    /// The Standard Webhooks signing secret: with one, the campaign grades against
    /// `standard-webhooks` (STANDARD-WEBHOOKS.md), every delivery signed when it is sent;
    /// without one, against `cr3dentials`.
    pub signing: Option<Secret>,
}

impl FuzzConfig {
    /// Sequences under way at once, by default (`--concurrency`).
    pub const DEFAULT_CONCURRENCY: usize = 8;
    /// How long after a sequence its effects are counted, by default (`--settle`).
    pub const DEFAULT_SETTLE: Duration = Duration::from_millis(1500);
    /// The pause before a late copy, by default (`--retry-delay`): the provider's backoff
    /// base, before its first retry.
    pub const DEFAULT_RETRY_DELAY: Duration = crate::sender::DEFAULT_BACKOFF_BASE;
    /// The most replays shrinking makes for each broken invariant (`--shrink-replays`).
    pub const DEFAULT_SHRINK_REPLAYS: usize = 40;
    /// How long shrinking may take for all broken invariants together.
    pub const DEFAULT_SHRINK_TIME: Duration = Duration::from_secs(60);

    /// The defaults for `target`: 600 cases, 8 at once, the provider's 30 s timeout, 1.5 s
    /// settle, 5 s retry delay (SPEC [D-8]), a random seed, nothing saved, no progress.
    pub fn new(target: Url) -> Self {
        FuzzConfig {
            target,
            replicas: Vec::new(),
            client: ClientSettings::default(),
            effects: None,
            seed: rand::random::<u32>().into(),
            budget: Budget::Cases(DEFAULT_CASES),
            concurrency: Self::DEFAULT_CONCURRENCY,
            settle: Self::DEFAULT_SETTLE,
            retry_delay: Self::DEFAULT_RETRY_DELAY,
            shrink: ShrinkLimits {
                replays: Self::DEFAULT_SHRINK_REPLAYS,
                time: Self::DEFAULT_SHRINK_TIME,
            },
            save_dir: None,
            bodies_dir: None,
            progress: false,
            signing: None,
        }
    }

    /// The contract graded: `standard-webhooks` with a signing secret.
    pub fn profile(&self) -> Profile {
        match self.signing {
            Some(_) => Profile::StandardWebhooks,
            None => Profile::Cr3dentials,
        }
    }

    /// The target, then the replicas.
    pub fn urls(&self) -> impl Iterator<Item = &Url> {
        std::iter::once(&self.target).chain(&self.replicas)
    }
}

/// Why a campaign or a replay could not run.
#[derive(Debug, thiserror::Error)]
pub enum FuzzError {
    /// The HTTP client could not be built (a bad CA file, a zero timeout).
    #[error(transparent)]
    Client(#[from] SenderError),
    /// The target refused the first connection.
    #[error("cannot reach the target {0}")]
    Unreachable(String),
    /// A replica (`--replica`) refused the first connection.
    #[error("cannot reach the replica {0}")]
    UnreachableReplica(String),
    /// A case file could not be read or written.
    #[error(transparent)]
    CaseFile(#[from] super::case_file::CaseFileError),
    /// A case file sends copies to more replicas than `--replica` gives.
    #[error("{0}")]
    TooFewReplicas(String),
    /// A case file was found under another profile than the one given.
    #[error("{0}")]
    ProfileMismatch(String),
}
