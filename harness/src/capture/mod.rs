//! `hookcheck capture`: the other side of the wire. The capture plays the receiver for a
//! sender under test, answers each attempt of a delivery as a [`Script`] says (2xx, 3xx,
//! 4xx, 5xx, slow past the timeout, reset, close), records every request, and grades the
//! sender against SPEC §2 (the [`SENDER_REQUIREMENTS`](crate::catalogue::sender)).
//!
//! Like the runner, it emits [`Event`]s to [`Reporter`]s and returns a [`Report`], so
//! every reporter (terminal, JSON, JUnit, Markdown, HTML) writes a capture's verdict as it
//! writes a run's. In the report, `target` is the capture's URL, `seed` is 0, `timeoutMs`
//! the sender timeout graded against, and `notes` the attempt log (one line per request).
//!
//! - [`Capture::listen`] binds the listener (port 0 allowed) and gives its URL;
//! - [`Capture::grade`] runs the trigger command (or waits), then grades what arrived.

mod answer;
mod delivery;
mod grade;
mod server;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;

pub use answer::{Answer, AnswerKind, DEFAULT_SCRIPT, Script};
pub use server::{Arrival, REDIRECTED_PATH};

use crate::catalogue::sender::SENDER_REQUIREMENTS;
use crate::duration::format_duration;
use crate::process_group::end_group;
use crate::results::{
    CheckResult, Event, LatencySummary, Report, Reporter, SCHEMA_VERSION, Summary, Unverified,
};

/// The environment variable that holds the capture's URL for the trigger command.
pub const URL_ENV: &str = "HOOKCHECK_CAPTURE_URL";

/// What the sender under test is expected to do: its configuration as the user states it,
/// the provider's defaults otherwise (SPEC §2, [D-8]).
#[derive(Debug, Clone)]
pub struct Expectations {
    /// Retries after the first attempt.
    pub retries: u32,
    /// The delay before the first retry.
    pub backoff_base: Duration,
    /// The jitter fraction either way.
    pub jitter: f64,
    /// The per-attempt timeout.
    pub timeout: Duration,
    /// How far a measured moment may stray from its bounds (scheduling, connecting).
    pub slack: Duration,
    /// The auth header's name, when the sender is expected to send one.
    pub auth_name: Option<String>,
}

/// How to run one capture.
#[derive(Debug, Clone)]
pub struct CaptureConfig {
    /// Where to listen (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    /// The answers to each delivery's attempts.
    pub script: Script,
    /// What the sender is graded against.
    pub expect: Expectations,
    /// A command run with `sh -c`, `HOOKCHECK_CAPTURE_URL` set; the capture grades once
    /// it exits. Without one, the capture waits the whole `wait`.
    pub trigger: Option<String>,
    /// The bound on the whole capture: the trigger is killed past it.
    pub wait: Duration,
    /// Count a SHOULD broken as a failure.
    pub strict: bool,
}

/// Why a capture could not run.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The listener could not bind.
    #[error("cannot listen on {0}: {1}")]
    Bind(SocketAddr, #[source] std::io::Error),
    /// The trigger command could not start.
    #[error("cannot start the trigger command with sh: {0}")]
    Trigger(#[source] std::io::Error),
    /// A reporter failed.
    #[error("failed to write a report: {0}")]
    Report(#[source] std::io::Error),
}

/// A capture listening for deliveries.
pub struct Capture {
    url: String,
    shared: Arc<server::Shared>,
    accept: tokio::task::JoinHandle<()>,
    config: CaptureConfig,
    started_at: String,
}

impl Capture {
    /// Binds the listener and starts answering.
    pub async fn listen(config: CaptureConfig) -> Result<Capture, CaptureError> {
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|e| CaptureError::Bind(config.listen, e))?;
        let local = listener
            .local_addr()
            .map_err(|e| CaptureError::Bind(config.listen, e))?;
        let base = format!("http://{local}");
        let hold = config.expect.timeout * 2 + config.expect.slack;
        let auth = config.expect.auth_name.clone();
        let shared = Arc::new(server::Shared::new(
            config.script.clone(),
            hold,
            auth,
            base.clone(),
        ));
        let accept = tokio::spawn(server::accept(listener, Arc::clone(&shared)));
        Ok(Capture {
            url: format!("{base}/webhook"),
            shared,
            accept,
            config,
            started_at: crate::spec::format_timestamp(time::OffsetDateTime::now_utc()),
        })
    }

    /// The URL deliveries go to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Runs the trigger (or waits), stops listening once the last exchange ended, grades
    /// what arrived, and reports it; `stop` (Ctrl-C) ends the wait early, marked interrupted.
    pub async fn grade(
        self,
        reporters: &mut [Box<dyn Reporter>],
        stop: impl std::future::Future<Output = ()>,
    ) -> Result<Report, CaptureError> {
        let started = Instant::now();
        let mut emit = |event: Event<'_>| -> Result<(), CaptureError> {
            for reporter in reporters.iter_mut() {
                reporter.on_event(&event).map_err(CaptureError::Report)?;
            }
            Ok(())
        };
        emit(Event::RunStarted {
            target: &self.url,
            planned: SENDER_REQUIREMENTS.len(),
            seed: 0,
        })?;
        let (mut notes, interrupted) = self.await_deliveries(stop).await?;
        self.accept.abort();
        let arrivals = self.shared.arrivals();
        notes.extend(arrivals.iter().map(log_line));
        let expect = &self.config.expect;
        let (checks, reason) = if arrivals.is_empty() {
            let reason = format!(
                "no request arrived at {} within {}",
                self.url,
                format_duration(self.config.wait)
            );
            (grade::all_skipped(&reason, expect), Some(reason))
        } else {
            (grade::grade(&arrivals, expect), None)
        };
        for check in &checks {
            emit(Event::CheckFinished(check))?;
        }
        let report = self.report(checks, notes, reason, interrupted, started);
        emit(Event::RunFinished(&report))?;
        Ok(report)
    }

    /// Runs the trigger to its end (or waits), bounded by `wait`, then lets the last
    /// exchanges end. Returns notes and whether `stop` cut it short.
    async fn await_deliveries(
        &self,
        stop: impl std::future::Future<Output = ()>,
    ) -> Result<(Vec<String>, bool), CaptureError> {
        let mut notes = Vec::new();
        let wait = self.config.wait;
        let mut interrupted = false;
        match &self.config.trigger {
            Some(command) => {
                let mut child = spawn_trigger(command, &self.url)?;
                let group = child.id();
                tokio::select! {
                    status = tokio::time::timeout(wait, child.wait()) => match status {
                        Ok(Ok(status)) if status.success() => {}
                        Ok(Ok(status)) => notes.push(format!("the trigger command ended with {status}")),
                        Ok(Err(e)) => notes.push(format!("the trigger command could not be awaited: {e}")),
                        Err(_) => notes.push(format!("the trigger command was still running after --wait {} and was killed", format_duration(wait))),
                    },
                    () = stop => interrupted = true,
                }
                // Whatever the trigger left running in the background ends with it.
                end_group(group);
            }
            None => tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = stop => interrupted = true,
            },
        }
        let drain = Instant::now();
        let bound =
            self.config.expect.timeout * 2 + self.config.expect.slack + Duration::from_secs(1);
        while self.shared.busy() && drain.elapsed() < bound {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Ok((notes, interrupted))
    }

    fn report(
        &self,
        checks: Vec<CheckResult>,
        notes: Vec<String>,
        reason: Option<String>,
        interrupted: bool,
        started: Instant,
    ) -> Report {
        let summary = Summary::of(&checks);
        let verdict =
            Report::verdict_word(&summary, self.config.strict, interrupted, reason.is_some());
        Report {
            schema_version: SCHEMA_VERSION,
            tool: concat!("hookcheck ", env!("CARGO_PKG_VERSION")).to_owned(),
            target: self.url.clone(),
            seed: 0,
            started_at: self.started_at.clone(),
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            timeout_ms: u64::try_from(self.config.expect.timeout.as_millis()).unwrap_or(u64::MAX),
            effects_probe: None,
            verdict: verdict.into(),
            summary,
            latency: LatencySummary::default(),
            notes,
            reason,
            interrupted,
            unverified: Unverified::of_skipped_musts(&checks),
            checks,
        }
    }
}

fn spawn_trigger(command: &str, url: &str) -> Result<tokio::process::Child, CaptureError> {
    use std::os::fd::AsFd;
    // The trigger's output goes to stderr, so that a report on stdout (`--json -`) stays whole.
    let stdout = std::io::stderr()
        .as_fd()
        .try_clone_to_owned()
        .map_err(CaptureError::Trigger)?;
    tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .env(URL_ENV, url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::from(stdout))
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(CaptureError::Trigger)
}

/// One line of the attempt log: which request, when, what it was answered, when it ended.
fn log_line(arrival: &Arrival) -> String {
    let session = arrival.session.as_deref().unwrap_or("no sessionId");
    let what = match arrival.answer {
        Some(answer) => format!("attempt {} of {session}: answered {answer}", arrival.number),
        None => format!("followed redirect {} {}", arrival.method, arrival.path),
    };
    let hung_up = match arrival.hung_up {
        Some(at) => format!(
            ", the sender hung up after {}",
            format_duration(at.saturating_sub(arrival.at))
        ),
        None => String::new(),
    };
    format!(
        "+{} {what}{hung_up}, ended +{}",
        format_duration(arrival.at),
        format_duration(arrival.ended)
    )
}
