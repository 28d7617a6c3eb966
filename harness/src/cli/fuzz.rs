//! `hookcheck fuzz`: the stateful black-box fuzzer, and `--replay` of a saved case.

use std::path::PathBuf;
use std::time::Duration;

use crate::auth::AuthHeader;
use crate::cli::effects::EffectsArgs;
use crate::cli::{AuthArg, CliError, client_tls, parse_duration};
use crate::effects::EffectsProbe;
use crate::exit_codes;
use crate::fuzz::{
    Budget, CaseFile, DEFAULT_CASES, FuzzConfig, FuzzError, FuzzReport, ShrinkLimits, SpaceSource,
    failed, fuzz, replay,
};
use crate::receiver::{Defect, Receiver, ReceiverConfig, RunningReceiver};
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

  # Run a saved case again (exit 1 while it still fails):
  hookcheck fuzz --replay fuzz-cases/exactly-once-seed1.json --target http://localhost:3000/hook

A broken MUST invariant fails the run; a broken SHOULD invariant (should-accepted,
no-5xx-for-bad-input) is reported, shrunk and saved as a warning. Repro scripts write the
auth value as $HOOKCHECK_AUTH: export it before running one.

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
#[command(after_long_help = EXAMPLES)]
pub struct FuzzArgs {
    /// The webhook URL to fuzz. Without it, hookcheck starts its reference receiver
    /// in-process (with --defect, a broken one) and fuzzes that.
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,

    /// The auth header the target expects, as `Name: value`; enables bad-auth deliveries.
    /// The value never appears in output; repro scripts write it as $HOOKCHECK_AUTH.
    #[arg(long, value_name = "'NAME: VALUE'", env = AuthArg::ENV, hide_env_values = true)]
    pub auth: Option<AuthArg>,

    /// How side effects are counted (SPEC §4); repro scripts write an --effects-header
    /// value as $HOOKCHECK_EFFECTS_AUTH.
    #[command(flatten)]
    pub effects: EffectsArgs,

    /// The seed every sequence follows from; the same seed gives the same sequences
    /// (session ids are fresh in every run). Random by default, and always printed.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Stop after this many requests.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CASES, conflicts_with = "time", value_parser = clap::value_parser!(u64).range(1..))]
    pub cases: u64,

    /// Stop after this long instead of after --cases.
    #[arg(long, value_name = "DURATION", value_parser = parse_budget)]
    pub time: Option<Duration>,

    /// Sequences under way at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,

    /// The sender timeout every request is graded against (the provider's default is 30s).
    #[arg(long, value_name = "DURATION", default_value = crate::transport::DEFAULT_TIMEOUT_TEXT, value_parser = parse_duration)]
    pub timeout: Duration,

    /// How long after a sequence its side effects are counted; never sooner than 2s, and a
    /// missing effect is polled for max(1s, 4 × settle) before it is called lost.
    #[arg(long, value_name = "DURATION", default_value = "1500ms", value_parser = parse_duration)]
    pub settle: Duration,

    /// The pause before a late copy of a session, as before the provider's first retry.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub retry_delay: Duration,

    /// The most replays shrinking may make for each broken invariant.
    #[arg(long, value_name = "N", default_value_t = 40)]
    pub shrink_replays: usize,

    /// Save a case file per broken invariant (and bodies too long for a repro line) here.
    #[arg(long, value_name = "DIR")]
    pub save: Option<PathBuf>,

    /// Run this case file once instead of fuzzing, and exit by its result.
    #[arg(long, value_name = "FILE")]
    pub replay: Option<PathBuf>,

    /// Write the report as JSON to this file.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,

    /// Write the report as JUnit XML to this file.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,

    /// Trust the certificates in this PEM file instead of the system roots.
    #[arg(long, value_name = "PEM", conflicts_with = "insecure")]
    pub ca_cert: Option<PathBuf>,

    /// Do not verify the target's certificate.
    #[arg(long)]
    pub insecure: bool,

    /// Without --target: give the built-in receiver this defect. `hookcheck serve --help`
    /// lists them.
    #[arg(long, value_name = "NAME", conflicts_with = "target")]
    pub defect: Option<Defect>,
}

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
    let auth = args
        .auth
        .as_ref()
        .map(AuthArg::parse)
        .transpose()
        .map_err(|e| usage(format!("invalid --auth: {e}")))?;
    // A report that cannot be written is found out now, not after the whole run.
    for path in args.json.iter().chain(&args.junit) {
        writable(path).map_err(usage)?;
    }
    let case = args
        .replay
        .as_deref()
        .map(CaseFile::load)
        .transpose()
        .map_err(|e| usage(e.to_string()))?;
    let local = match &args.target {
        Some(_) => None,
        None => Some(start_local(&args, auth.as_ref()).await?),
    };
    let target = match (&args.target, &local) {
        (Some(text), _) => text.clone(),
        (None, Some(receiver)) => receiver.webhook_url(),
        (None, None) => unreachable!("a local receiver runs when no target is given"),
    };
    let mut config = FuzzConfig::new(parse_target(&target).map_err(|e| usage(e.to_string()))?);
    config.client.auth = auth;
    config.effects = effects_probe(&args, local.as_ref())?;
    configure(&mut config, &args);
    let outcome = match &case {
        Some(case) => replay_case(&config, case).await,
        None => campaign(config, &args).await,
    };
    if let Some(receiver) = local {
        receiver.shutdown().await;
    }
    outcome
}

async fn campaign(config: FuzzConfig, args: &FuzzArgs) -> Result<i32, CliError> {
    eprintln!(
        "hookcheck fuzz: seed {}, {}",
        config.seed,
        match config.budget {
            Budget::Cases(n) => format!("{n} cases"),
            Budget::Time(d) => format!("for {}", crate::duration::format_duration(d)),
        }
    );
    let report = fuzz(config, Box::new(SpaceSource::default()))
        .await
        .map_err(fuzz_error)?;
    print!("{}", report.render());
    write_reports(&report, args)?;
    Ok(if failed(report.verdict) {
        exit_codes::FAILED
    } else {
        exit_codes::OK
    })
}

async fn replay_case(config: &FuzzConfig, case: &CaseFile) -> Result<i32, CliError> {
    let report = replay(config, case).await.map_err(fuzz_error)?;
    print!("{}", report.render());
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
        FuzzError::Unreachable(_) => CliError::Unavailable(error.to_string()),
        FuzzError::Client(_) | FuzzError::CaseFile(_) => CliError::Usage(error.to_string()),
    }
}

fn write_reports(report: &FuzzReport, args: &FuzzArgs) -> Result<(), CliError> {
    let failure = |path: &PathBuf, e: std::io::Error| {
        CliError::Usage(format!("cannot write a report to {}: {e}", path.display()))
    };
    if let Some(path) = &args.json {
        report.write_json(path).map_err(|e| failure(path, e))?;
    }
    if let Some(path) = &args.junit {
        report.write_junit(path).map_err(|e| failure(path, e))?;
    }
    Ok(())
}

/// Refuses a report path whose folder does not exist, or that is a folder.
fn writable(path: &std::path::Path) -> Result<(), String> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => std::path::Path::new("."),
    };
    if !folder.is_dir() || path.is_dir() {
        return Err(format!(
            "cannot write a report to {}: {}",
            path.display(),
            if path.is_dir() {
                "it is a folder".to_owned()
            } else {
                format!("folder {} does not exist", folder.display())
            }
        ));
    }
    Ok(())
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

/// Without `--target`, the reference receiver, started in-process.
async fn start_local(
    args: &FuzzArgs,
    auth: Option<&AuthHeader>,
) -> Result<RunningReceiver, CliError> {
    let mut config = ReceiverConfig::default();
    if let Some(auth) = auth {
        config = config.auth(auth.clone());
    }
    if let Some(defect) = args.defect {
        config = config.defect(defect);
    }
    let receiver = Receiver::start(config)
        .await
        .map_err(|e| CliError::Unavailable(e.to_string()))?;
    eprintln!(
        "hookcheck: no --target given: fuzzing the built-in reference receiver at {}{}",
        receiver.webhook_url(),
        args.defect
            .map(|d| format!(" (defect: {})", d.name()))
            .unwrap_or_default()
    );
    Ok(receiver)
}

/// The settings that come straight from the command line.
fn configure(config: &mut FuzzConfig, args: &FuzzArgs) {
    config.client.tls = client_tls(args.ca_cert.as_deref(), args.insecure);
    if let Some(seed) = args.seed {
        config.seed = seed;
    }
    config.budget = match args.time {
        Some(time) => Budget::Time(time),
        None => Budget::Cases(args.cases),
    };
    config.concurrency = usize::from(args.concurrency);
    config.client.timeout = args.timeout;
    config.settle = args.settle;
    config.retry_delay = args.retry_delay;
    config.shrink = ShrinkLimits {
        replays: args.shrink_replays,
        time: Duration::from_secs(60),
    };
    config.save_dir = args.save.clone();
    config.progress = true;
}
