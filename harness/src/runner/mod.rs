//! The conformance runner: orders the check families into phases and turns what they
//! report into events for the reporters and a [`Report`].
//!
//! [`run`] takes a [`RunConfig`] and a list of [`Reporter`]s, emits [`Event`]s to them as
//! checks finish, and returns the [`Report`]. The phases:
//!
//! 1. **preflight**: one valid delivery, verifying TLS; it decides only whether anything
//!    can be delivered at all (else the report says `ungradable`, with the reason), and
//!    grades `transport/https` and `transport/valid-certificate`.
//! 2. **main**: the status, payload and auth families, concurrently (at most
//!    [`RunConfig::concurrency`] requests in flight). The session of
//!    `idempotency/*/after-retry-delay` is first delivered here and sent again at every
//!    moment a provider's retry can come within [`RunConfig::dedupe_window`]
//!    ([`RetrySchedule::plan`](crate::checks::retry_schedule::RetrySchedule::plan)),
//!    whatever phase is running then.
//! 3. **idempotency**: the duplicate scenarios, alone, since some copies arrive together.
//! 4. **burst**: `latency/burst` alone, so nothing else competes with it; then the run's
//!    first session once more (`after-burst`).
//! 5. **robustness**: bad inputs one at a time, each followed by a liveness probe; last,
//!    because a bad input may take the target down.
//! 6. **effects**: every effect count, read once everything has been sent
//!    ([`grade_effects`](crate::checks::kit::grade_effects)); then `latency/within-timeout`
//!    and `transport/no-redirect` over every valid delivery of the run.

mod assemble;

use std::sync::Mutex;
use std::time::Instant;

use tokio::sync::{Semaphore, mpsc};

use crate::checks::kit::{Ctx, Face, RunMessage, grade_effects};
use crate::checks::{self, transport::Preflight};
pub use crate::effects::EffectsProbe;
use crate::latency::LatencyRecorder;
use crate::rawhttp::RawClient;
use crate::results::{CheckResult, Event, Report, Reporter};
use crate::sender::{Sender, SenderConfig, SenderError};
use crate::transport::tls::ClientTls;

pub use crate::checks::kit::RunConfig;
pub use crate::effects::{EffectsError, EffectsSource, SESSION_PLACEHOLDER};

/// Why a run produced no report.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The configuration is wrong (a bad CA file).
    #[error("{0}")]
    Config(String),
    /// A reporter failed (e.g. the report file cannot be written).
    #[error("failed to write a report: {0}")]
    Report(#[source] std::io::Error),
}

impl From<SenderError> for RunError {
    fn from(error: SenderError) -> Self {
        RunError::Config(error.to_string())
    }
}

/// Runs every selected check against the target and returns the report. A target that
/// nothing can be delivered to still gets a report, with the verdict `ungradable`.
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
    let face = Face::of(config.profile, config.secret.as_ref()).ok_or_else(|| {
        RunError::Config("the standard-webhooks profile needs the signing secret".into())
    })?;
    let mut run = assemble::Building::start(&config);
    let mut emit = |event: Event<'_>| -> Result<(), RunError> {
        for reporter in reporters.iter_mut() {
            reporter.on_event(&event).map_err(RunError::Report)?;
        }
        Ok(())
    };
    emit(Event::RunStarted {
        target: &run.target,
        planned: run.planned.len(),
        seed: Some(config.seed),
    })?;
    let base = sender_config(&config);
    let verifying = Sender::new(base.clone())?;
    let preflight = checks::transport::preflight(&config, &face, &verifying, &base).await;
    let sender = match &preflight.sender {
        Ok(sender) => sender.clone(),
        Err(reason) => return finish_ungradable(run, &config, reason, &mut emit),
    };
    let (tx, mut rx) = mpsc::unbounded_channel::<RunMessage>();
    let ctx = context(&config, face, sender, &preflight, &run.planned, tx).await?;
    let phases = async {
        match ctx.face {
            Face::Cr3dentials => phases(&ctx, preflight.verdicts).await,
            Face::StandardWebhooks(_) => signed_phases(&ctx, preflight.verdicts).await,
        }
    };
    tokio::pin!(phases);
    tokio::pin!(stop);
    let mut interrupted = false;
    loop {
        tokio::select! {
            () = &mut phases => break,
            () = &mut stop => {
                interrupted = true;
                break;
            }
            Some(message) = rx.recv() => forward(&mut emit, &mut run.results, message)?,
        }
    }
    while let Ok(message) = rx.try_recv() {
        forward(&mut emit, &mut run.results, message)?;
    }
    let latency = ctx
        .latency
        .lock()
        .expect("latency lock is never poisoned")
        .summary();
    let mut notes = preflight.notes;
    notes.extend(ctx.effects_broken.clone());
    let report = run.finish(&config, latency, notes, interrupted, &ctx.unprobed());
    emit(Event::RunFinished(&report))?;
    Ok(report)
}

/// Ends a run whose target nothing can be delivered to: every planned check is
/// ungradable for `reason`; each is emitted, then the report.
fn finish_ungradable(
    run: assemble::Building,
    config: &RunConfig,
    reason: &str,
    emit: &mut impl FnMut(Event<'_>) -> Result<(), RunError>,
) -> Result<Report, RunError> {
    let report = run.ungradable(config, reason);
    for check in &report.checks {
        emit(Event::CheckFinished(check))?;
    }
    emit(Event::RunFinished(&report))?;
    Ok(report)
}

/// The sender every probe goes through: no retries, a fresh connection per request.
fn sender_config(config: &RunConfig) -> SenderConfig {
    SenderConfig {
        client: config.client.clone(),
        retries: 0,
        fresh_connections: true,
        ..SenderConfig::default()
    }
}

/// Builds the run's shared state, with the effects probe's self-test done.
async fn context(
    config: &RunConfig,
    face: Face,
    sender: Sender,
    preflight: &Preflight,
    planned: &[String],
    results: mpsc::UnboundedSender<RunMessage>,
) -> Result<Ctx, RunError> {
    let effects_sender = Sender::new(SenderConfig::default().tls(config.client.tls.clone()))?;
    let effects_broken = match &config.effects {
        Some(probe) => self_test(probe, &effects_sender).await,
        None => None,
    };
    let tls = if preflight.insecure {
        &ClientTls::Insecure
    } else {
        &config.client.tls
    };
    let ctx = Ctx {
        raw: RawClient::new(tls).map_err(SenderError::from)?,
        sender,
        target: config.target.clone(),
        replicas: config.replicas.clone(),
        auth: config.client.auth.clone(),
        timeout: config.client.timeout,
        effects: config.effects.clone(),
        effects_broken,
        effects_sender,
        seed: config.seed,
        settle: config.settle,
        dedupe_window: config.dedupe_window,
        retry: config.retry_schedule(),
        abandon_after: config.abandon_patience,
        baseline: preflight.latency(),
        first_delivery: preflight.first_delivery(),
        burst: config.burst.max(1),
        bodies_dir: config.bodies_dir.clone(),
        face,
        planned: planned.iter().cloned().collect(),
        latency: Mutex::new(LatencyRecorder::new(config.client.timeout)),
        delivered: Default::default(),
        first_timeout: Mutex::new(None),
        redirects: Mutex::new((0, None)),
        down: Mutex::new(None),
        ledger: Mutex::new(Vec::new()),
        unprobed: Mutex::new(Vec::new()),
        limiter: Semaphore::new(config.concurrency.max(1)),
        results,
    };
    if let Some((_, exchanged, repro)) = &preflight.delivery {
        // The preflight is the run's first valid delivery: it counts too.
        ctx.record_timing(exchanged, repro);
    }
    Ok(ctx)
}

/// Asks the effects probe about a session that was never delivered: it must answer 0. A
/// probe that fails, or counts anything, cannot grade effects; why, if so.
async fn self_test(probe: &EffectsProbe, sender: &Sender) -> Option<String> {
    let session = uuid::Uuid::new_v4().to_string();
    match probe.count(sender, &session).await {
        Ok(0) => None,
        Ok(n) => Some(format!(
            "the effects probe failed its self-test: it counted {} for a session never delivered ({session}), so its counts cannot be trusted",
            crate::count::count(n, "effect")
        )),
        Err(e) => Some(format!("the effects probe failed its self-test: {e}")),
    }
}

/// The checks the preflight graded (HTTPS, the certificate), reported when selected.
type Preflighted = Vec<(&'static str, Instant, crate::checks::kit::Verdict)>;

/// Every phase, in order; checks report through the context as they finish.
async fn phases(ctx: &Ctx, preflight: Preflighted) {
    report_preflight(ctx, preflight);
    let ordered = async {
        ctx.phase("main");
        tokio::join!(
            checks::status::run(ctx),
            checks::payload::run(ctx),
            checks::auth::run(ctx),
        );
        // Duplicates arrive together on purpose: alone, so that the load they make is
        // theirs and a slow answer elsewhere is not blamed on them, nor they on it.
        ctx.phase("idempotency");
        checks::idempotency::run(ctx).await;
        ctx.phase("burst");
        checks::latency::burst(ctx).await;
        checks::idempotency::after_burst(ctx).await;
        ctx.phase("robustness");
        checks::robustness::run(ctx).await;
    };
    tokio::join!(ordered, checks::idempotency::after_retry_delay(ctx));
    finish(ctx).await;
}

/// The phases of a Standard Webhooks run: the signature and replay checks, then the
/// duplicates alone, then the burst alone, while a message is retried on the schedule
/// beside them; then every effect count and what every delivery showed.
async fn signed_phases(ctx: &Ctx, preflight: Preflighted) {
    report_preflight(ctx, preflight);
    let ordered = async {
        ctx.phase("main");
        checks::signed::run(ctx).await;
        ctx.phase("idempotency");
        checks::signed::duplicates(ctx).await;
        ctx.phase("burst");
        checks::latency::burst(ctx).await;
    };
    tokio::join!(ordered, checks::signed::after_retry_delay(ctx));
    finish(ctx).await;
}

fn report_preflight(ctx: &Ctx, preflight: Preflighted) {
    for (id, at, verdict) in preflight {
        if ctx.selected(id) {
            ctx.report(id, at, verdict);
        }
    }
}

/// The last phase of every profile: the effects counted, then the checks graded over
/// every valid delivery the run sent (in time, never redirected).
async fn finish(ctx: &Ctx) {
    ctx.phase("effects");
    grade_effects(ctx).await;
    checks::latency::within_timeout(ctx);
    checks::transport::no_redirect(ctx);
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
