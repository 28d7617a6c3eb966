//! `hookcheck run`: grade a webhook endpoint against the contract.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use clap::builder::RangedU64ValueParser;

use crate::auth::AuthHeader;
use crate::catalogue::{Selection, requirement_in};
use crate::checks::retry_schedule::RetrySchedule;
use crate::cli::effects::EffectsArgs;
use crate::cli::output::{ReportFiles, TerminalArgs, read_report, reporters};
use crate::cli::profile::ProfileArgs;
use crate::cli::serve_profile::{defect_names, defect_of, standard_webhooks};
use crate::cli::target::{ReplicaArgs, SeedArgs, TargetArgs};
use crate::cli::{CliError, duration_default, parse_duration};
use crate::diff::Diff;
use crate::duration::{format_duration, format_span};
use crate::exit_codes;
use crate::profile::Profile;
use crate::receiver::{Choices, Receiver, ReceiverConfig, RunningReceiver, Signing};
use crate::report::bodies::BodiesFolder;
use crate::report::check_outputs;
use crate::report::diff::diff_text;
use crate::results::Report;
use crate::runner::{EffectsProbe, RunConfig, RunError, run_until};
use crate::sender::DEFAULT_BACKOFF_BASE;
use crate::standard_webhooks::Secret;
use crate::standard_webhooks::schedule as signed_schedule;
use crate::transport::parse_target;

const EXAMPLES: &str = "\
Sends every terminal status, null and extra fields, large and unicode payloads, bad auth
headers, duplicates (sequential, concurrent, after an abandoned attempt, with another body),
a burst of concurrent deliveries, and malformed input to the target, then grades each
requirement of the contract: pass, fail (a MUST broken), warn (a SHOULD broken), skip (with
the reason) or error (no verdict possible). `hookcheck list` prints the catalogue.

Examples:
  # A full run against the built-in reference receiver (no target needed):
  hookcheck run

  # See what a broken receiver looks like:
  hookcheck run --defect racy-dedupe

  # Your endpoint, with its auth header and a way to count side effects:
  hookcheck run --target https://staging.example.com/webhooks/cr3dentials \\
      --auth 'X-API-Key: your-secret' \\
      --effects-url 'https://staging.example.com/_test/effects/{sessionId}' \\
      --json report.json --junit report.xml --markdown report.md --html report.html

  # A receiver running as two processes on one database: copies of each session go to
  # both, so a dedupe kept per process shows:
  hookcheck run --target http://10.0.0.5:3000/hook --replica http://10.0.0.6:3000/hook \\
      --effects-url 'http://10.0.0.5:3000/_test/effects/{sessionId}'

  # A Standard Webhooks receiver: signatures, replay window, dedupe on webhook-id
  # (STANDARD-WEBHOOKS.md). The secret comes from $HOOKCHECK_SECRET or --secret:
  hookcheck run --profile standard-webhooks --target http://localhost:3000/hook \\
      --effects-url 'http://localhost:3000/_test/effects/{sessionId}'

  # Block only regressions against a committed snapshot:
  hookcheck run --target http://localhost:3000/hook --baseline reports/baseline.json

  # Count effects in your database instead, and only grade idempotency:
  hookcheck run --target http://localhost:3000/hook --only idempotency \\
      --effects-cmd 'psql -tAc \"select count(*) from events where session_id = '\\''$HOOKCHECK_SESSION_ID'\\''\"'

Repro lines write the auth value as $HOOKCHECK_AUTH and a secret header's as
$HOOKCHECK_HEADER_<NAME>: export them before running one.

The verdict line says how many MUST checks were not verified and why (no --auth, no effects
probe, a plain-http target): a skipped check is never counted as a pass.

Exit codes: 0 conformant, 1 a MUST failed or a check had no verdict (or a SHOULD broke,
with --strict; with --baseline: only a new failure), 2 usage error (also: every selected
check would be skipped), 3 nothing can be delivered to the target (connection refused, DNS,
not HTTP, no TLS handshake; the requested reports are written then too, with the reason),
130 stopped by Ctrl-C or SIGTERM (the summary and the reports are still written, marked
interrupted).";

/// Arguments of `hookcheck run`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES, mut_arg("target", |arg| arg.help(TARGET_HELP)))]
pub struct RunArgs {
    #[command(flatten)]
    pub target: TargetArgs,

    #[command(flatten)]
    pub replicas: ReplicaArgs,

    #[command(flatten)]
    pub profile: ProfileArgs,

    /// How side effects are counted (SPEC §4).
    #[command(flatten)]
    pub effects: EffectsArgs,

    /// How long after its first copy a delivered session is still sent again. Copies go
    /// at every moment a retry can come (SPEC D-8): +5s, +15s, +35s, and at the jitter's
    /// upper bound +6s, +18s, +42s; later ones (retries after attempts that time out, up to
    /// +132s with the 30s timeout) only within a longer window; one more copy at the end of
    /// the window. Overlaps the other phases. Under --profile standard-webhooks the moments
    /// are that schedule's (+5s, +5m5s, +35m5s, … up to +75h35m5s). [default: 42s, the whole
    /// schedule of attempts that end at once; standard-webhooks: 5s, its first retry; with
    /// --quick: 1s]
    #[arg(long, value_name = "DURATION", value_parser = parse_window, conflicts_with = "quick")]
    pub dedupe_window: Option<Duration>,

    /// The provider's backoff base for this webhook, when it is configured otherwise
    /// (SPEC D-8): the retry moments of --dedupe-window follow it.
    #[arg(long, value_name = "DURATION", default_value = duration_default!(DEFAULT_BACKOFF_BASE), value_parser = parse_window)]
    pub retry_base: Duration,

    /// A quick run: copies of a delivered session only 1s after the first (the retry
    /// moments from +5s on are not probed, and the report counts those checks as not
    /// verified) and 100ms of settle time. Every count is still read 2s after its last copy.
    #[arg(long)]
    pub quick: bool,

    #[command(flatten)]
    pub seed: SeedArgs,

    /// Run only the checks whose id starts with this (repeatable), e.g. `auth` or
    /// `idempotency/exactly-once`.
    #[arg(long, value_name = "PREFIX")]
    pub only: Vec<String>,

    /// Skip the checks whose id starts with this (repeatable).
    #[arg(long, value_name = "PREFIX")]
    pub skip: Vec<String>,

    /// Treat a broken SHOULD (a warn) as a failure for the exit code.
    #[arg(long)]
    pub strict: bool,

    #[command(flatten)]
    pub files: ReportFiles,

    #[command(flatten)]
    pub terminal: TerminalArgs,

    /// Compare with this earlier JSON report: exit 1 only for a check that fails now and did
    /// not then (a regression), so known gaps do not block.
    #[arg(long, value_name = "OLD.json")]
    pub baseline: Option<PathBuf>,

    /// Write request bodies too long for a repro line (over 4 KiB) into this folder
    /// (created if missing), so that every repro line runs as printed. [default: with a
    /// report file, `<stem>.bodies/` beside the first one (`report.json` →
    /// `report.bodies/`), keeping only the bodies a repro line names; none beside `-`, a
    /// device, a FIFO or a symlink]
    #[arg(long, value_name = "DIR")]
    pub bodies: Option<PathBuf>,

    /// How many distinct deliveries the burst probe sends at once.
    #[arg(long, value_name = "N", default_value_t = RunConfig::DEFAULT_BURST, value_parser = RangedU64ValueParser::<usize>::new().range(1..=1024))]
    pub burst: usize,

    /// How many requests the main phase keeps in flight at once.
    #[arg(long, value_name = "N", default_value_t = RunConfig::DEFAULT_CONCURRENCY, value_parser = RangedU64ValueParser::<usize>::new().range(1..=256))]
    pub concurrency: usize,

    /// How long to wait after deliveries before counting their side effects the first
    /// time (every count is read again 2s after the last copy of its session).
    /// [default: 300ms; with --quick: 100ms]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub settle: Option<Duration>,

    /// Without --target: give the built-in receiver this defect (one of the profile's), to
    /// see how a broken receiver is reported. `hookcheck serve --help` lists them.
    #[arg(long, value_name = "NAME", conflicts_with = "target", value_parser = defect_names())]
    pub defect: Option<String>,
}

/// What `--target` is for, in `hookcheck run --help`.
const TARGET_HELP: &str = "The webhook URL to grade. Without it, hookcheck starts its \
reference receiver in-process and grades that, so one command shows a full run.";

/// Runs `hookcheck run`.
pub async fn run(args: RunArgs) -> i32 {
    match execute(args).await {
        Ok(code) => code,
        Err(error) => error.report(),
    }
}

pub use crate::checks::kit::{DEFAULT_SETTLE, QUICK_SETTLE, QUICK_WINDOW};

/// Reads `--dedupe-window` and `--retry-base`: at least a millisecond.
fn parse_window(text: &str) -> Result<Duration, String> {
    let window = parse_duration(text)?;
    if window.is_zero() {
        return Err("must be at least 1ms".into());
    }
    Ok(window)
}

/// The run's dedupe window: given, quick, or the profile's default (Cr3dentials: the whole
/// schedule of attempts that end at once; Standard Webhooks: its first retry); refused past
/// the latest moment a retry can come.
fn dedupe_window(
    args: &RunArgs,
    profile: Profile,
    schedule: &RetrySchedule,
) -> Result<Duration, CliError> {
    let (default, longest, why) = match profile {
        Profile::Cr3dentials => (
            schedule.default_span(),
            schedule.longest_span(),
            format!(
                "{} retries after attempts that each take the whole {} timeout",
                schedule.retries,
                format_duration(schedule.timeout)
            ),
        ),
        Profile::StandardWebhooks => (
            signed_schedule::first_retry(),
            signed_schedule::last_retry(),
            "the last retry of the Standard Webhooks schedule, STANDARD-WEBHOOKS [SW-13]".into(),
        ),
    };
    let window = match (args.dedupe_window, args.quick) {
        (Some(window), _) => window,
        (None, true) => QUICK_WINDOW,
        (None, false) => default,
    };
    if window > longest {
        return Err(CliError::Usage(format!(
            "--dedupe-window {} is past the latest moment a retry can come ({}: {why})",
            format_span(window),
            format_span(longest),
        )));
    }
    Ok(window)
}

async fn execute(args: RunArgs) -> Result<i32, CliError> {
    let (baseline, bodies) = prepare_files(&args)?;
    let graded = grade(&args, bodies.as_ref().map(|folder| folder.path.clone())).await;
    if let Some(folder) = bodies {
        let report = graded.as_ref().ok();
        let checks = report
            .map(|report| report.checks.as_slice())
            .unwrap_or_default();
        let repros: Vec<&str> = checks.iter().filter_map(|c| c.repro.as_deref()).collect();
        folder.finish(&repros);
    }
    verdict_code(&graded?, baseline.as_ref(), &args)
}

/// Runs the selected checks against the target (or the built-in receiver), long bodies
/// written into `bodies_dir`.
async fn grade(args: &RunArgs, bodies_dir: Option<PathBuf>) -> Result<Report, CliError> {
    let usage = CliError::Usage;
    let client = args.target.settings()?;
    let replicas = args.replicas.urls()?;
    let auth = client.auth.clone();
    let profile = args.profile.profile;
    let secret = run_secret(args)?;
    let selection = selection(args, profile)?;
    let mut effects = args.effects.probe()?;
    let schedule = RetrySchedule {
        base: args.retry_base,
        timeout: args.target.timeout,
        ..RetrySchedule::default()
    };
    let window = dedupe_window(args, profile, &schedule)?;
    // The built-in receiver always brings its effects endpoint.
    let has_effects = effects.is_some() || args.target.target.is_none();
    refuse_empty_selection(profile, &selection, auth.is_some(), has_effects)?;
    let local = match &args.target.target {
        Some(_) => None,
        None => Some(start_local(args, auth.as_ref(), secret.as_ref()).await?),
    };
    if let Some(receiver) = &local
        && effects.is_none()
    {
        effects = Some(
            EffectsProbe::url(&receiver.effects_url_template())
                .map_err(|e| CliError::Unavailable(e.to_string()))?,
        );
    }
    let target = target_url(args, local.as_ref());
    let mut config = RunConfig::new(parse_target(&target).map_err(|e| usage(e.to_string()))?);
    config.client = client;
    config.replicas = replicas;
    config.effects = effects;
    config.selection = selection;
    config.profile = profile;
    config.secret = secret;
    configure(&mut config, args);
    config.dedupe_window = window;
    config.bodies_dir = bodies_dir;
    let outcome = run_until(
        config,
        &mut reporters(&args.terminal, &args.files, args.strict),
        stop_signal(),
    )
    .await;
    if let Some(receiver) = local {
        receiver.shutdown().await;
    }
    outcome.map_err(|e @ (RunError::Config(_) | RunError::Report(_))| usage(e.to_string()))
}

/// Checks the run's files before it starts, so that a report that cannot be written, or a
/// baseline that cannot be read, is found out now, not after the whole run: the outputs
/// are writable, the bodies folder exists; returns the baseline report, if any, and the
/// bodies folder.
fn prepare_files(args: &RunArgs) -> Result<(Option<Report>, Option<BodiesFolder>), CliError> {
    let usage = CliError::Usage;
    check_outputs(&args.files.outputs()).map_err(|e| usage(e.to_string()))?;
    let baseline = args
        .baseline
        .as_deref()
        .map(|path| read_report(path, "--baseline"))
        .transpose()
        .map_err(usage)?;
    let bodies = BodiesFolder::prepare(args.bodies.as_deref(), &args.files.outputs())
        .map_err(|e| usage(e.to_string()))?;
    Ok((baseline, bodies))
}

/// The URL the run delivers to: the given target, else the local receiver's webhook.
fn target_url(args: &RunArgs, local: Option<&RunningReceiver>) -> String {
    match (&args.target.target, local) {
        (Some(text), _) => text.clone(),
        (None, Some(receiver)) => receiver.webhook_url(),
        (None, None) => unreachable!("a local receiver runs when no target is given"),
    }
}

/// The exit code of a finished run: interrupted, ungradable, by its verdict, or with a
/// baseline by its regressions only.
fn verdict_code(
    report: &Report,
    baseline: Option<&Report>,
    args: &RunArgs,
) -> Result<i32, CliError> {
    if report.interrupted {
        return Ok(exit_codes::INTERRUPTED);
    }
    if report.verdict == "ungradable" {
        let reason = report.reason.clone().unwrap_or_default();
        return Err(CliError::Unavailable(format!(
            "cannot grade {}: {reason}",
            report.target
        )));
    }
    let summary = &report.summary;
    if summary.total() > 0 && summary.skip == summary.total() {
        return Err(CliError::Usage(
            "every selected check was skipped: nothing was verified (see the reasons above)".into(),
        ));
    }
    if let Some(baseline) = baseline {
        return Ok(baseline_code(report, baseline, args));
    }
    Ok(if Report::conformant(summary, args.strict) {
        exit_codes::OK
    } else {
        exit_codes::FAILED
    })
}

/// Prints what changed since the baseline; 1 only for a regression.
fn baseline_code(report: &Report, baseline: &Report, args: &RunArgs) -> i32 {
    let diff = Diff::between(baseline, report, args.strict);
    let text = diff_text(&diff, args.terminal.stdout_color());
    let _ = writeln!(args.files.summary_stream(), "\n{text}");
    if diff.regressions().next().is_some() {
        exit_codes::FAILED
    } else {
        exit_codes::OK
    }
}

/// `--only` / `--skip`, refusing a prefix that selects nothing.
fn selection(args: &RunArgs, profile: Profile) -> Result<Selection, CliError> {
    let selection = Selection {
        only: args.only.clone(),
        skip: args.skip.clone(),
    };
    let unknown = selection.unknown_prefixes(profile);
    if !unknown.is_empty() {
        return Err(CliError::Usage(format!(
            "`{}` selects no check (see `hookcheck list`)",
            unknown.join("`, `")
        )));
    }
    Ok(selection)
}

/// A selection every check of which would be skipped verifies nothing: a CI job whose
/// secret is missing must not go green.
fn refuse_empty_selection(
    profile: Profile,
    selection: &Selection,
    has_auth: bool,
    has_effects: bool,
) -> Result<(), CliError> {
    let reasons: Vec<&str> = crate::catalogue::check_ids_of(profile)
        .iter()
        .filter(|id| selection.includes(id))
        .map(|id| requirement_in(profile, id).and_then(|r| r.needs.unmet(has_auth, has_effects)))
        .collect::<Option<Vec<&str>>>()
        .unwrap_or_default();
    match reasons.first() {
        Some(reason) => Err(CliError::Usage(format!(
            "every selected check would be skipped, so nothing would be verified: {reason}"
        ))),
        None => Ok(()),
    }
}

/// Without `--target`, the reference receiver, started in-process.
async fn start_local(
    args: &RunArgs,
    auth: Option<&AuthHeader>,
    secret: Option<&Secret>,
) -> Result<RunningReceiver, CliError> {
    let mut config = ReceiverConfig::default();
    if let Some(auth) = auth {
        config = config.auth(auth.clone());
    }
    let (profile, defect) = (args.profile.profile, args.defect.as_deref());
    let config = match secret {
        Some(secret) => {
            let signing = Signing::new(secret.clone());
            standard_webhooks(config, signing, auth.is_some(), Choices::default(), defect)?
        }
        None => ReceiverConfig {
            defect: defect_of(profile, defect)?,
            ..config
        },
    };
    let receiver = Receiver::start(config)
        .await
        .map_err(|e| CliError::Unavailable(e.to_string()))?;
    if !args.terminal.quiet() {
        eprintln!(
            "hookcheck: no --target given: grading the built-in reference receiver at {}{}",
            receiver.webhook_url(),
            args.defect
                .as_ref()
                .map(|d| format!(" (defect: {d})"))
                .unwrap_or_default()
        );
    }
    Ok(receiver)
}

/// The signing secret of a Standard Webhooks run: given, or, for the built-in receiver
/// when none is, a fresh one made for it.
fn run_secret(args: &RunArgs) -> Result<Option<Secret>, CliError> {
    let local = args.target.target.is_none();
    match args.profile.profile {
        Profile::StandardWebhooks if local && args.profile.secret.is_none() => {
            Ok(Some(Secret::generate()))
        }
        _ => args.profile.secret(),
    }
}

/// The settings that come straight from the command line.
fn configure(config: &mut RunConfig, args: &RunArgs) {
    config.seed = args.seed.or(config.seed);
    config.burst = args.burst;
    config.concurrency = args.concurrency;
    config.settle = match (args.settle, args.quick) {
        (Some(settle), _) => settle,
        (None, true) => QUICK_SETTLE,
        (None, false) => DEFAULT_SETTLE,
    };
    config.retry_base = args.retry_base;
    config.strict = args.strict;
}

/// Completes on Ctrl-C or SIGTERM, so the run stops and still reports what it graded.
pub(crate) async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut term) = signal(SignalKind::terminate()) else {
        // Without a SIGTERM handler, Ctrl-C still stops the run.
        let _ = tokio::signal::ctrl_c().await;
        return;
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
