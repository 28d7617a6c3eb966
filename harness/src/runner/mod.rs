//! The conformance runner: hits a target webhook endpoint with everything SPEC §3 covers
//! and grades it, requirement by requirement.
//!
//! [`run`] takes a [`RunConfig`] and a list of [`Reporter`]s, emits [`Event`]s to them as
//! checks finish, and returns the [`Report`]. The phases:
//!
//! 1. **preflight**: one valid delivery, verifying TLS; it decides whether the target can
//!    be graded at all (else [`RunError::Ungradable`]) and grades `transport/*`.
//! 2. **main**: the status, payload and auth families, concurrently (at most
//!    [`RunConfig::concurrency`] requests in flight).
//! 3. **idempotency**: the duplicate scenarios, alone, since some copies arrive together.
//! 4. **burst**: `latency/burst` alone, so nothing else competes with it.
//! 5. **robustness**: bad inputs one at a time, each followed by a liveness probe; last,
//!    because a bad input may take the target down.
//! 6. `latency/within-timeout` over every valid delivery of the run.

use std::sync::Mutex;
use std::time::Instant;

use tokio::sync::{Semaphore, mpsc};

use crate::catalogue::all_check_ids;
use crate::checks;
use crate::checks::kit::{Ctx, RunMessage};
use crate::effects;
use crate::latency::LatencyRecorder;
use crate::rawhttp::RawClient;
use crate::results::{CheckResult, Event, Report, Reporter, SCHEMA_VERSION, Summary};
use crate::sender::{ClientTls, Sender, SenderConfig, SenderError, display_url};

pub use crate::checks::kit::RunConfig;
pub use crate::effects::{EffectsError, EffectsProbe, SESSION_PLACEHOLDER};

/// Why a run produced no grades.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The configuration is wrong (a bad CA file, an effects probe that does not answer).
    #[error("{0}")]
    Config(String),
    /// The target could not be graded at all: unreachable, no HTTP, no TLS handshake.
    #[error("cannot grade {target}: {reason}")]
    Ungradable {
        /// The target, as shown.
        target: String,
        /// What happened.
        reason: String,
    },
    /// A reporter failed (e.g. the report file cannot be written).
    #[error("failed to write a report: {0}")]
    Report(#[source] std::io::Error),
}

impl From<SenderError> for RunError {
    fn from(error: SenderError) -> Self {
        RunError::Config(error.to_string())
    }
}

/// Runs every selected check against the target and returns the report.
pub async fn run(
    config: RunConfig,
    reporters: &mut [Box<dyn Reporter>],
) -> Result<Report, RunError> {
    run_until(config, reporters, std::future::pending()).await
}

/// [`run`], stopped early when `stop` completes (Ctrl-C, SIGTERM): the checks graded so
/// far make the report, marked [`Report::interrupted`], and every reporter still gets it.
pub async fn run_until(
    config: RunConfig,
    reporters: &mut [Box<dyn Reporter>],
    stop: impl std::future::Future<Output = ()>,
) -> Result<Report, RunError> {
    let started = Instant::now();
    let started_at = crate::spec::format_timestamp(time::OffsetDateTime::now_utc());
    let target_shown = display_url(&config.target);
    let planned: Vec<String> = all_check_ids()
        .into_iter()
        .filter(|id| config.selection.includes(id))
        .collect();

    let base = SenderConfig::default()
        .timeout(config.timeout)
        .retries(0)
        .fresh_connections(true)
        .tls(config.tls.clone());
    let mut base = match &config.auth {
        Some(auth) => base.auth(auth.clone()),
        None => base,
    };
    for (name, value) in &config.headers {
        base = base.header(name.clone(), value.clone());
    }
    let verifying = Sender::new(base.clone())?;
    let effects_sender = Sender::new(
        SenderConfig::default()
            .timeout(effects::QUERY_TIMEOUT)
            .tls(config.tls.clone()),
    )?;
    if let Some(probe) = &config.effects {
        // A probe that cannot answer for an unknown session would turn every
        // idempotency check into an error: say so once, before anything is sent.
        probe
            .count(&effects_sender, "hookcheck-effects-probe-self-test")
            .await
            .map_err(|e| RunError::Config(e.to_string()))?;
    }

    let (tx, mut rx) = mpsc::unbounded_channel::<RunMessage>();
    let mut emit = |event: Event<'_>| -> Result<(), RunError> {
        for reporter in reporters.iter_mut() {
            reporter.on_event(&event).map_err(RunError::Report)?;
        }
        Ok(())
    };
    emit(Event::RunStarted {
        target: &target_shown,
        planned: planned.len(),
        seed: config.seed,
    })?;

    let preflight = checks::transport::preflight(&config, &verifying, &base).await;
    let sender = match preflight.sender {
        Ok(sender) => sender,
        Err(reason) => {
            return Err(RunError::Ungradable {
                target: target_shown,
                reason,
            });
        }
    };
    let ctx = Ctx {
        raw: RawClient::new(if preflight.insecure {
            &ClientTls::Insecure
        } else {
            &config.tls
        })?,
        sender,
        target: config.target.clone(),
        auth: config.auth.clone(),
        timeout: config.timeout,
        effects: config.effects.clone(),
        effects_sender,
        seed: config.seed,
        settle: config.settle,
        baseline: preflight.latency,
        burst: config.burst.max(1),
        bodies_dir: config.bodies_dir.clone(),
        planned: planned.iter().cloned().collect(),
        latency: Mutex::new({
            // The preflight is the run's first valid delivery: it counts too.
            let mut recorder = LatencyRecorder::new(config.timeout);
            recorder.record(preflight.latency, false);
            recorder
        }),
        first_timeout: Mutex::new(None),
        limiter: Semaphore::new(config.concurrency.max(1)),
        results: tx,
    };
    let mut results: Vec<CheckResult> = Vec::new();

    // Every phase runs while this loop forwards finished checks to the reporters.
    let phases = async {
        for verdict in preflight.verdicts {
            let (id, at, verdict) = verdict;
            if ctx.selected(id) {
                ctx.report(id, at, verdict);
            }
        }
        ctx.phase("main");
        tokio::join!(
            checks::status::run(&ctx),
            checks::payload::run(&ctx),
            checks::auth::run(&ctx),
        );
        // Duplicates arrive together on purpose: alone, so that the load they make is
        // theirs and a slow answer elsewhere is not blamed on them, nor they on it.
        ctx.phase("idempotency");
        checks::idempotency::run(&ctx).await;
        ctx.phase("burst");
        checks::latency::burst(&ctx).await;
        ctx.phase("robustness");
        checks::robustness::run(&ctx).await;
        checks::latency::within_timeout(&ctx);
    };
    tokio::pin!(phases);
    tokio::pin!(stop);
    let mut phases_done = false;
    let mut interrupted = false;
    loop {
        tokio::select! {
            () = &mut phases, if !phases_done => {
                phases_done = true;
            }
            () = &mut stop, if !phases_done => {
                phases_done = true;
                interrupted = true;
            }
            Some(message) = rx.recv(), if !phases_done => {
                forward(&mut emit, &mut results, message)?;
            }
            else => break,
        }
    }
    while let Ok(message) = rx.try_recv() {
        forward(&mut emit, &mut results, message)?;
    }

    let order = all_check_ids();
    results.sort_by_key(|r| {
        order
            .iter()
            .position(|id| *id == r.id)
            .unwrap_or(usize::MAX)
    });
    let summary = Summary::of(&results);
    let latency = ctx
        .latency
        .lock()
        .expect("latency lock is never poisoned")
        .summary();
    let report = Report {
        schema_version: SCHEMA_VERSION,
        tool: concat!("hookcheck ", env!("CARGO_PKG_VERSION")).to_owned(),
        target: target_shown,
        seed: config.seed,
        started_at,
        duration_ms: started.elapsed().as_millis() as u64,
        timeout_ms: config.timeout.as_millis() as u64,
        effects_probe: config.effects.as_ref().map(|p| p.kind().to_owned()),
        verdict: if Report::conformant(&summary, config.strict) {
            "conformant".into()
        } else {
            "not-conformant".into()
        },
        summary,
        latency,
        notes: preflight.notes,
        reason: None,
        interrupted,
        unverified: Vec::new(),
        checks: results,
    };
    emit(Event::RunFinished(&report))?;
    Ok(report)
}

fn forward(
    emit: &mut impl FnMut(Event<'_>) -> Result<(), RunError>,
    results: &mut Vec<CheckResult>,
    message: RunMessage,
) -> Result<(), RunError> {
    match message {
        RunMessage::Phase(name) => emit(Event::PhaseStarted { name }),
        RunMessage::Check(result) => {
            emit(Event::CheckFinished(&result))?;
            results.push(result);
            Ok(())
        }
    }
}
