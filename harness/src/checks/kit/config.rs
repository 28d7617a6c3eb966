//! What a run is asked to do: [`RunConfig`].

use std::time::Duration;

use reqwest::Url;

use crate::catalogue::Selection;
use crate::checks::retry_schedule::RetrySchedule;
use crate::effects::EffectsProbe;
use crate::profile::Profile;
use crate::sender::{DEFAULT_BACKOFF_BASE, DEFAULT_RETRIES};
use crate::standard_webhooks::Secret;
use crate::transport::ClientSettings;

/// The dedupe window of a quick run (`--quick`): copies of a delivered session only 1 s
/// after the first; the later retry moments are reported as not verified.
pub const QUICK_WINDOW: Duration = Duration::from_secs(1);
/// How long a quick run waits after deliveries before counting their effects.
pub const QUICK_SETTLE: Duration = Duration::from_millis(100);
/// How long a run waits after deliveries before counting their effects, by default.
pub const DEFAULT_SETTLE: Duration = Duration::from_millis(300);

/// Everything a run needs. [`RunConfig::new`] gives the defaults of `hookcheck run`.
#[derive(Debug, Clone)]
#[must_use]
pub struct RunConfig {
    /// The webhook URL.
    pub target: Url,
    /// Further replicas of the same receiver (`--replica`), sharing its database: the
    /// copies of a session go round robin over the target and these, so that a dedupe
    /// kept per process shows. The effects probe counts the shared outcome.
    pub replicas: Vec<Url>,
    /// How every request reaches the target: the auth header it expects, if any, the
    /// sender timeout (SPEC §2: default 30 s), how certificates are checked, and extra
    /// headers on every request (`--header`).
    pub client: ClientSettings,
    /// Where effect counts come from.
    pub effects: Option<EffectsProbe>,
    /// The seed every payload follows from.
    pub seed: u64,
    /// `--only` / `--skip`.
    pub selection: Selection,
    /// Deliveries in flight at once in the burst probe (SPEC [D-9]).
    pub burst: usize,
    /// Requests in flight at once in the main phase.
    pub concurrency: usize,
    /// How long to wait after deliveries before counting effects.
    pub settle: Duration,
    /// With `strict`, a broken SHOULD makes the run not conformant.
    pub strict: bool,
    /// Where bodies too long for a repro line are written, so the line can name the file.
    pub bodies_dir: Option<std::path::PathBuf>,
    /// How long after its first copy a delivered session is still sent again, at the
    /// moments the provider's retries can come (SPEC [D-8]; [`RetrySchedule::plan`]): by
    /// default the whole schedule of attempts that end at once, 42 s.
    pub dedupe_window: Duration,
    /// The provider's backoff base the retry moments follow (SPEC [D-8]: 5 s by default).
    pub retry_base: Duration,
    /// How long the sender of the abandoned copy waits before it hangs up; `None`: half
    /// the target's typical latency (the preflight's), so that it gives up mid-processing.
    /// Zero hangs up as soon as the request is written.
    pub abandon_patience: Option<Duration>,
    /// The contract the target is graded against.
    pub profile: Profile,
    /// The Standard Webhooks signing secret, for that profile (`--secret`).
    pub secret: Option<Secret>,
}

impl RunConfig {
    /// Deliveries the burst probe sends at once, by default (`--burst`).
    pub const DEFAULT_BURST: usize = 32;
    /// Requests the main phase keeps in flight at once, by default (`--concurrency`).
    pub const DEFAULT_CONCURRENCY: usize = 8;

    /// The defaults for a target.
    pub fn new(target: Url) -> Self {
        RunConfig {
            target,
            replicas: Vec::new(),
            client: ClientSettings::default(),
            effects: None,
            seed: rand::random(),
            selection: Selection::default(),
            burst: Self::DEFAULT_BURST,
            concurrency: Self::DEFAULT_CONCURRENCY,
            settle: DEFAULT_SETTLE,
            strict: false,
            bodies_dir: None,
            dedupe_window: RetrySchedule::default().default_span(),
            retry_base: DEFAULT_BACKOFF_BASE,
            abandon_patience: None,
            profile: Profile::default(),
            secret: None,
        }
    }

    /// The retry schedule the run's copies follow: its base, the default retry count, and
    /// its timeout.
    pub fn retry_schedule(&self) -> RetrySchedule {
        RetrySchedule {
            base: self.retry_base,
            retries: DEFAULT_RETRIES,
            timeout: self.client.timeout,
        }
    }
}
