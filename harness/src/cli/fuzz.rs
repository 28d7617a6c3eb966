//! `hookcheck fuzz`: the stateful black-box fuzzer, and `--replay` of a saved case.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use clap::builder::RangedU64ValueParser;

use crate::auth::AuthHeader;
use crate::cli::effects::EffectsArgs;
use crate::cli::output::{QuietArg, ReportFiles};
use crate::cli::profile::ProfileArgs;
use crate::cli::serve_profile::{defect_names, defect_of, standard_webhooks};
use crate::cli::target::{ReplicaArgs, SeedArgs, TargetArgs};
use crate::cli::{CliError, duration_default, parse_duration};
use crate::effects::EffectsProbe;
use crate::exit_codes;
use crate::fuzz::{
    Budget, CaseFile, DEFAULT_CASES, FuzzConfig, FuzzError, SpaceSource, failed, fuzz, replay,
};
use crate::profile::Profile;
use crate::receiver::{Choices, Defect, Receiver, ReceiverConfig, RunningReceiver, Signing};
use crate::report::bodies::BodiesFolder;
use crate::report::fuzz::summary as fuzz_summary;
use crate::report::replay::summary as replay_summary;
use crate::report::{check_outputs, write_any};
use crate::standard_webhooks::Secret;
use crate::transport::parse_target;

const EXAMPLES: &str = "\
Sends sequences of deliveries drawn from the seed (valid and invalid payloads of many
sessions, interleaved and concurrent copies, other bodies for the same session, late copies,
bad auth headers) and checks after each: every valid delivery 2xx within the timeout, every
acknowledged session exactly one effect, no effect for unprocessable or unauthenticated
input, no 5xx for bad input, every request answered, the target alive. The first failure of
each invariant is shrunk, saved as a case file (--save) and printed as a POSIX sh script.

Examples:
  # Fuzz the built-in reference receiver, then one with a defect:
  hookcheck fuzz --seed 1
  hookcheck fuzz --seed 1 --defect dedupes-completed-only --save fuzz-cases

  # Your endpoint, with its auth header and a way to count side effects, for 30 seconds:
  hookcheck fuzz --target http://localhost:3000/hook --auth 'X-API-Key: your-secret' \\
      --effects-url 'http://localhost:3000/_test/effects/{sessionId}' --time 30s

  # Two replicas of one receiver on one database: the copies of each session go round
  # robin over both, so a dedupe kept in one process's memory shows:
  hookcheck fuzz --target http://10.0.0.5:3000/hook --replica http://10.0.0.6:3000/hook \\
      --effects-url 'http://10.0.0.5:3000/_test/effects/{sessionId}'

  # Standard Webhooks (STANDARD-WEBHOOKS.md): each delivery signed when
  # sent, copies retried with the same webhook-id, forgeries refused; the
  # secret comes from --secret or $HOOKCHECK_SECRET:
  hookcheck fuzz --profile standard-webhooks --seed 1 --cases 200
  hookcheck fuzz --profile standard-webhooks \\
      --target http://localhost:3000/hook \\
      --effects-url 'http://localhost:3000/_test/effects/{sessionId}'

  # Run a saved case again (exit 1 while it still fails); a case found with --replica
  # needs the same --target and --replica URLs, in the same order:
  hookcheck fuzz --replay fuzz-cases/exactly-once-seed1.json --target http://localhost:3000/hook

A broken MUST invariant fails the run; a broken SHOULD invariant (should-accepted,
no-5xx-for-bad-input) is reported, shrunk and saved as a warning. Repro scripts write the
auth value as $HOOKCHECK_AUTH, a secret header's as $HOOKCHECK_HEADER_<NAME> and sign
Standard Webhooks deliveries with $HOOKCHECK_SECRET: export them before running one.

--time bounds the whole command, shrinking included: requests, pauses and effect reads
are cut at the deadline (a cut one gets no verdict), and shrinking that runs out of time
reports the smallest case found so far and says so.

Exit codes: 0 no MUST invariant broken (with --replay: the case held), 1 a MUST invariant
broken (with --replay: the case failed again, or a MUST broke), 2 usage error, 3 nothing
can be delivered to the target (refused connection, failed TLS handshake, not HTTP), or
--replay cannot tell whether the case still fails (its invariant needs effect counts and
there is no effects probe, one that failed its self-test, or a count could not be read).";

/// Arguments of `hookcheck fuzz`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES, mut_arg("target", |arg| arg.help(TARGET_HELP)))]
pub struct FuzzArgs {
    #[command(flatten)]
    pub target: TargetArgs,

    /// Every copy of a session (duplicates in sequence, at once, late, abandoned) goes to
    /// the next of --target and the replicas, so a dedupe kept per process shows.
    #[command(flatten)]
    pub replicas: ReplicaArgs,

    /// How side effects are counted (SPEC §4).
    #[command(flatten)]
    pub effects: EffectsArgs,

    #[command(flatten)]
    pub seed: SeedArgs,

    /// Stop after this many requests.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CASES, conflicts_with = "time", value_parser = clap::value_parser!(u64).range(1..))]
    pub cases: u64,

    /// Stop after this long instead of after --cases.
    #[arg(long, value_name = "DURATION", value_parser = parse_budget)]
    pub time: Option<Duration>,

    /// Sequences under way at once.
    #[arg(long, value_name = "N", default_value_t = FuzzConfig::DEFAULT_CONCURRENCY, value_parser = RangedU64ValueParser::<usize>::new().range(1..=256))]
    pub concurrency: usize,

    /// How long after a sequence its side effects are counted; never sooner than 2s, and a
    /// missing effect is polled for max(1s, 4 × settle) before it is called lost.
    #[arg(long, value_name = "DURATION", default_value = duration_default!(FuzzConfig::DEFAULT_SETTLE), value_parser = parse_duration)]
    pub settle: Duration,

    /// The pause before a late copy of a session, as before the provider's first retry.
    #[arg(long, value_name = "DURATION", default_value = duration_default!(FuzzConfig::DEFAULT_RETRY_DELAY), value_parser = parse_duration)]
    pub retry_delay: Duration,

    /// The most replays shrinking may make for each broken invariant.
    #[arg(long, value_name = "N", default_value_t = FuzzConfig::DEFAULT_SHRINK_REPLAYS)]
    pub shrink_replays: usize,

    /// Save a case file per broken invariant (and bodies too long for a repro line) here.
    /// Without it, long bodies go into `<stem>.bodies/` beside the first report file, as
    /// with `run` (none beside `-`, a device, a FIFO or a symlink).
    #[arg(long, value_name = "DIR")]
    pub save: Option<PathBuf>,

    /// Run this case file once instead of fuzzing, and exit by its result (the report
    /// flags write the replay's result).
    #[arg(long, value_name = "FILE")]
    pub replay: Option<PathBuf>,

    #[command(flatten)]
    pub files: ReportFiles,

    #[command(flatten)]
    pub quiet: QuietArg,

    /// Without --target: give the built-in receiver this defect (one of the profile's).
    /// `hookcheck serve --help` lists them.
    #[arg(long, value_name = "NAME", conflicts_with = "target", value_parser = defect_names())]
    pub defect: Option<String>,

    #[command(flatten)]
    pub profile: ProfileArgs,
}

/// What `--target` is for, in `hookcheck fuzz --help`.
const TARGET_HELP: &str = "The webhook URL to fuzz. Without it, hookcheck starts its reference \
receiver in-process (with --defect, a broken one) and fuzzes that.";

/// Reads `--time`: a duration of at least a millisecond.
fn parse_budget(text: &str) -> Result<Duration, String> {
    match parse_duration(text)? {
        time if time.is_zero() => Err("the time budget must be longer than zero".into()),
        time => Ok(time),
    }
}

/// Runs `hookcheck fuzz`.
pub async fn run(args: FuzzArgs) -> i32 {
    match execute(args).await {
        Ok(code) => code,
        Err(error) => error.report(),
    }
}

async fn execute(args: FuzzArgs) -> Result<i32, CliError> {
    let usage = CliError::Usage;
    let secret = fuzz_secret(&args)?;
    let client = args.target.settings()?;
    let replicas = args.replicas.urls()?;
    let auth = client.auth.clone();
    // A report that cannot be written is found out now, not after the whole run.
    check_outputs(&args.files.outputs()).map_err(|e| usage(e.to_string()))?;
    let case = args
        .replay
        .as_deref()
        .map(CaseFile::load)
        .transpose()
        .map_err(|e| usage(e.to_string()))?;
    let local = match &args.target.target {
        Some(_) => None,
        None => Some(start_local(&args, auth.as_ref(), secret.as_ref()).await?),
    };
    let target = match (&args.target.target, &local) {
        (Some(text), _) => text.clone(),
        (None, Some(receiver)) => receiver.webhook_url(),
        (None, None) => unreachable!("a local receiver runs when no target is given"),
    };
    let mut config = FuzzConfig::new(parse_target(&target).map_err(|e| usage(e.to_string()))?);
    config.client = client;
    config.replicas = replicas;
    config.effects = effects_probe(&args, local.as_ref())?;
    config.signing = secret;
    configure(&mut config, &args);
    let outcome = match &case {
        Some(case) => replay_case(&config, case, &args).await,
        None => campaign(config, &args).await,
    };
    if let Some(receiver) = local {
        receiver.shutdown().await;
    }
    outcome
}

async fn campaign(mut config: FuzzConfig, args: &FuzzArgs) -> Result<i32, CliError> {
    eprintln!(
        "hookcheck fuzz: seed {}, {}",
        config.seed,
        match config.budget {
            Budget::Cases(n) => format!("{n} cases"),
            Budget::Time(d) => format!("for {}", crate::duration::format_duration(d)),
        }
    );
    // Without --save, long bodies go beside the first report file.
    let bodies = match &args.save {
        Some(_) => None,
        None => BodiesFolder::prepare(None, &args.files.outputs())
            .map_err(|e| CliError::Usage(e.to_string()))?,
    };
    config.bodies_dir = bodies.as_ref().map(|folder| folder.path.clone());
    let report = fuzz(config, Box::new(SpaceSource::default())).await;
    if let Some(folder) = bodies {
        let findings = report
            .as_ref()
            .map(|r| r.findings.as_slice())
            .unwrap_or_default();
        let repros: Vec<&str> = findings.iter().map(|f| f.repro.as_str()).collect();
        folder.finish(&repros);
    }
    let report = report.map_err(fuzz_error)?;
    let mut summary = args.files.summary_stream();
    let _ = write!(summary, "{}", fuzz_summary(&report)).and_then(|()| summary.flush());
    for output in args.files.outputs() {
        write_any(&output, &report).map_err(|e| CliError::Usage(e.to_string()))?;
    }
    Ok(if failed(report.verdict) {
        exit_codes::FAILED
    } else {
        exit_codes::OK
    })
}

async fn replay_case(
    config: &FuzzConfig,
    case: &CaseFile,
    args: &FuzzArgs,
) -> Result<i32, CliError> {
    let report = replay(config, case).await.map_err(fuzz_error)?;
    let mut summary = args.files.summary_stream();
    let _ = write!(summary, "{}", replay_summary(&report)).and_then(|()| summary.flush());
    for output in args.files.outputs() {
        write_any(&output, &report).map_err(|e| CliError::Usage(e.to_string()))?;
    }
    Ok(if report.failed() {
        exit_codes::FAILED
    } else if report.inconclusive() {
        exit_codes::UNAVAILABLE
    } else {
        exit_codes::OK
    })
}

fn fuzz_error(error: FuzzError) -> CliError {
    match error {
        FuzzError::Unreachable(_) | FuzzError::UnreachableReplica(_) => {
            CliError::Unavailable(error.to_string())
        }
        FuzzError::Client(_)
        | FuzzError::CaseFile(_)
        | FuzzError::TooFewReplicas(_)
        | FuzzError::ProfileMismatch(_) => CliError::Usage(error.to_string()),
    }
}

/// `--effects-url` / `--effects-cmd`; the local receiver's own endpoint without either.
fn effects_probe(
    args: &FuzzArgs,
    local: Option<&RunningReceiver>,
) -> Result<Option<EffectsProbe>, CliError> {
    match (args.effects.probe()?, local) {
        (Some(probe), _) => Ok(Some(probe)),
        (None, Some(receiver)) => EffectsProbe::url(&receiver.effects_url_template())
            .map(Some)
            .map_err(|e| CliError::Unavailable(e.to_string())),
        (None, None) => Ok(None),
    }
}

/// The signing secret of a Standard Webhooks campaign: given, or, for the built-in
/// receiver when none is, a fresh one made for it.
fn fuzz_secret(args: &FuzzArgs) -> Result<Option<Secret>, CliError> {
    match args.profile.profile {
        Profile::StandardWebhooks
            if args.target.target.is_none() && args.profile.secret.is_none() =>
        {
            Ok(Some(Secret::generate()))
        }
        _ => args.profile.secret(),
    }
}

/// Without `--target`, the reference receiver, started in-process: under
/// `standard-webhooks` verifying signatures made with `secret`.
async fn start_local(
    args: &FuzzArgs,
    auth: Option<&AuthHeader>,
    secret: Option<&Secret>,
) -> Result<RunningReceiver, CliError> {
    let mut config = ReceiverConfig::default();
    if let Some(auth) = auth {
        config = config.auth(auth.clone());
    }
    let defect = args.defect.as_deref();
    let config = match secret {
        Some(secret) => {
            let signing = Signing::new(secret.clone());
            standard_webhooks(config, signing, auth.is_some(), Choices::default(), defect)?
        }
        None => ReceiverConfig {
            defect: defect_of::<Defect>(args.profile.profile, defect)?,
            ..config
        },
    };
    let receiver = Receiver::start(config)
        .await
        .map_err(|e| CliError::Unavailable(e.to_string()))?;
    if !args.quiet.quiet {
        eprintln!(
            "hookcheck: no --target given: fuzzing the built-in reference receiver at {}{}",
            receiver.webhook_url(),
            args.defect
                .as_ref()
                .map(|d| format!(" (defect: {d})"))
                .unwrap_or_default()
        );
    }
    Ok(receiver)
}

/// The settings that come straight from the command line.
fn configure(config: &mut FuzzConfig, args: &FuzzArgs) {
    config.seed = args.seed.or(config.seed);
    config.budget = match args.time {
        Some(time) => Budget::Time(time),
        None => Budget::Cases(args.cases),
    };
    config.concurrency = args.concurrency;
    config.settle = args.settle;
    config.retry_delay = args.retry_delay;
    config.shrink.replays = args.shrink_replays;
    config.save_dir = args.save.clone();
    config.progress = !args.quiet.quiet;
}
