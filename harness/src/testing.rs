//! Grading a receiver from its own `cargo test`: the Rust face of `hookcheck run`.
//!
//! [`Conformance`] builds a run against a URL, or against an axum [`Router`] that it
//! serves on `127.0.0.1` port 0 for the run's length; [`Conformance::effects`] takes the
//! effects probe as a closure over the receiver's own store; [`Graded::assert_conformant`]
//! fails the test with the findings as the terminal summary shows them.
//!
//! ```
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
//! # async fn main() -> Result<(), hookcheck::testing::ConformanceError> {
//! use hookcheck::receiver::{AppState, ReceiverConfig, WEBHOOK_PATH, app};
//! use hookcheck::testing::Conformance;
//!
//! // Your receiver's router and a way to count what it processed.
//! let state = AppState::new(&ReceiverConfig::default()).expect("store opens");
//! let store = state.clone();
//!
//! let graded = Conformance::router(app(state), WEBHOOK_PATH)
//!     .await?
//!     .effects(move |session_id| {
//!         let store = store.clone();
//!         async move { store.effect_count(&session_id).await.unwrap_or(u64::MAX) }
//!     })
//!     .only(["status", "idempotency/exactly-once"])
//!     .quick()
//!     .run()
//!     .await?;
//! graded.assert_conformant();
//! # Ok(()) }
//! ```

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::auth::{AuthHeader, AuthParseError};
use crate::effects::{EffectsProbe, EffectsSource};
use crate::report::{TerminalOptions, write_summary};
use crate::results::{CheckResult, Outcome, Report};
use crate::runner::{RunConfig, RunError, run};

/// Why a conformance run could not be built or run (a finding is not an error: it is in
/// [`Graded`]).
#[derive(Debug, thiserror::Error)]
pub enum ConformanceError {
    /// The target is not a URL.
    #[error("`{0}` is not a URL")]
    BadUrl(String),
    /// The auth header is not `Name: value`.
    #[error("bad auth header: {0}")]
    BadAuth(#[from] AuthParseError),
    /// The router could not be served on 127.0.0.1.
    #[error("failed to serve the router on 127.0.0.1: {0}")]
    Serve(#[source] std::io::Error),
    /// The run itself failed (a bad CA file).
    #[error(transparent)]
    Run(#[from] RunError),
}

/// A conformance run being built.
#[must_use]
pub struct Conformance {
    config: RunConfig,
    server: Option<Served>,
}

/// A router served for the length of a run.
struct Served {
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Conformance {
    /// A run against a webhook URL.
    pub fn url(target: &str) -> Result<Conformance, ConformanceError> {
        let url = target
            .parse()
            .map_err(|_| ConformanceError::BadUrl(target.to_owned()))?;
        Ok(Conformance {
            config: RunConfig::new(url),
            server: None,
        })
    }

    /// A run against `router`, served on `127.0.0.1` port 0 until the run ends; deliveries
    /// go to `path` (e.g. `/webhook`).
    pub async fn router(router: Router, path: &str) -> Result<Conformance, ConformanceError> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .map_err(ConformanceError::Serve)?;
        let addr = listener.local_addr().map_err(ConformanceError::Serve)?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serving = axum::serve(listener, router).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            let _ = serving.await;
        });
        let path = format!("/{}", path.trim_start_matches('/'));
        let mut conformance = Conformance::url(&format!("http://{addr}{path}"))?;
        conformance.server = Some(Served { stop, task });
        Ok(conformance)
    }

    /// The auth header the receiver expects, as `Name: value`; its value never appears in
    /// a finding.
    pub fn auth(mut self, header: &str) -> Result<Conformance, ConformanceError> {
        self.config.client.auth = Some(header.parse::<AuthHeader>()?);
        Ok(self)
    }

    /// Counts side effects with `count(session_id)`: how many times the receiver processed
    /// that session, read from its own store (CONTRACT.md §4). Without a probe the
    /// checks that need one (exactly-once among them) are skipped, never passed, and the
    /// report's `unverified` lists them.
    pub fn effects<F, Fut>(mut self, count: F) -> Conformance
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = u64> + Send + 'static,
    {
        let source = EffectsSource::function(count);
        self.config.effects = Some(EffectsProbe::from(source));
        self
    }

    /// Runs only the checks whose ids start with one of these prefixes (`--only`).
    pub fn only<S: Into<String>>(mut self, prefixes: impl IntoIterator<Item = S>) -> Self {
        self.config.selection.only = prefixes.into_iter().map(Into::into).collect();
        self
    }

    /// Leaves out the checks whose ids start with one of these prefixes (`--skip`).
    pub fn skip<S: Into<String>>(mut self, prefixes: impl IntoIterator<Item = S>) -> Self {
        self.config.selection.skip = prefixes.into_iter().map(Into::into).collect();
        self
    }

    /// The seed every payload follows from (random by default; the report records it).
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = seed;
        self
    }

    /// The sender timeout answers are graded against (30 s by default).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.client.timeout = timeout;
        self
    }

    /// A fast run for a test suite, as `hookcheck run --quick`: copies of a delivered
    /// session only 1 s after the first instead of across the provider's retry schedule
    /// (the later moments are listed in the report's `unverified`), and effect counts read
    /// sooner.
    pub fn quick(mut self) -> Self {
        self.config.dedupe_window = crate::checks::kit::QUICK_WINDOW;
        self.config.settle = crate::checks::kit::QUICK_SETTLE;
        self
    }

    /// Runs every selected check and returns the graded report.
    pub async fn run(self) -> Result<Graded, ConformanceError> {
        crate::install_crypto_provider();
        let report = run(self.config, &mut []).await;
        if let Some(served) = self.server {
            let _ = served.stop.send(());
            let _ = served.task.await;
        }
        Ok(Graded { report: report? })
    }
}

/// A finished run.
#[derive(Debug, Clone)]
pub struct Graded {
    report: Report,
}

impl Graded {
    /// Whether no MUST failed and every MUST check had a verdict.
    pub fn is_conformant(&self) -> bool {
        self.report.verdict == "conformant"
    }

    /// The checks that failed, warned or had no verdict.
    pub fn findings(&self) -> impl Iterator<Item = &CheckResult> {
        self.report
            .checks
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Fail | Outcome::Warn | Outcome::Error))
    }

    /// The whole report, as `hookcheck run --json` writes it.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// The findings as the terminal summary shows them, with each one's repro line.
    pub fn summary(&self) -> String {
        let mut out = Vec::new();
        write_summary(&mut out, &self.report, &TerminalOptions::default())
            .expect("writing to memory cannot fail");
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Panics with the summary unless the receiver is conformant.
    #[track_caller]
    pub fn assert_conformant(&self) {
        assert!(
            self.is_conformant(),
            "the receiver is not conformant:\n{}",
            self.summary()
        );
    }
}
