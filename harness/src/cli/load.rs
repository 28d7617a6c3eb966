//! `hookcheck load`: drain a backlog of deliveries into a target and measure it.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::cli::{AuthArg, CliError, client_tls, parse_duration};
use crate::effects::EffectsProbe;
use crate::exit_codes;
use crate::load::{LoadError, LoadPlan, LoadReport, Pace, Progress, ProgressHook, Stop, run};
use crate::report::{Destination, Format, Output, check_outputs, write_output};
use crate::transport::{FailureClass, parse_target};

const EXAMPLES: &str = "\
Sends a backlog of distinct webhook deliveries (and, with --duplicates, redeliveries of
sessions already sent) as the provider does after an outage, then prints throughput, status
codes, failure classes (timeout, connect, tls, protocol) and latency percentiles (p50, p90,
p99, p99.9, max). With --rate the load is open loop: each delivery is due at a fixed time
and its latency counts from then, so a target that stalls shows it in every delivery it
delays. With an effects probe the run ends by checking that every distinct session was
processed exactly once. Progress goes to stderr once a second.

Examples:
  # 32 deliveries in flight for 10 s against a local receiver (`hookcheck serve`):
  hookcheck load --target http://127.0.0.1:8080/webhook

  # 20 000 deliveries, 10 % of them duplicates, then check exactly-once:
  hookcheck load --target http://127.0.0.1:8080/webhook \\
      --deliveries 20000 --duplicates 0.1 \\
      --effects-url 'http://127.0.0.1:8080/_test/effects/{sessionId}'

  # Open loop at 500 deliveries/s for 30 s, with an auth header, report as JSON:
  hookcheck load --target https://staging.example.com/hook --auth 'X-API-Key: secret' \\
      --rate 500 --duration 30s --json load.json

Exit codes: 0 the verdict holds (every delivery 2xx, nothing lost or doubled), 1 it does
not, 2 usage error, 3 the target never answered (unreachable, no TLS handshake).";

/// Arguments of `hookcheck load`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct LoadArgs {
    /// The webhook URL to load: http or https, with a host.
    #[arg(long, value_name = "URL")]
    pub target: String,

    /// The auth header the target expects, as `Name: value`. Never printed.
    #[arg(long, value_name = "'NAME: VALUE'", env = AuthArg::ENV, hide_env_values = true)]
    pub auth: Option<AuthArg>,

    /// Deliveries in flight at once (and connections opened at most).
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..=4096))]
    pub concurrency: u16,

    /// Open loop: send this many deliveries per second, whatever the target does, and
    /// count each latency from the delivery's due time. Without it, each worker sends as
    /// soon as its previous delivery is answered.
    #[arg(long, value_name = "PER_SECOND")]
    pub rate: Option<f64>,

    /// Stop sending after this long [default: 10s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, conflicts_with = "deliveries")]
    pub duration: Option<Duration>,

    /// Stop after this many deliveries, duplicates included.
    #[arg(long, value_name = "N")]
    pub deliveries: Option<u64>,

    /// The fraction of deliveries (0 up to 1, exclusive) that redeliver an earlier session
    /// with the same body.
    #[arg(long, value_name = "RATIO", default_value_t = 0.0)]
    pub duplicates: f64,

    /// Bound on one delivery, from sending it to its complete response; a delivery that
    /// times out counts in the latency at the time it was given up.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub timeout: Duration,

    /// A URL that answers how many times a session was processed, with `{sessionId}` in
    /// it (a bare integer or {"count": N}); enables the exactly-once check.
    #[arg(long, value_name = "TEMPLATE", conflicts_with = "effects_cmd")]
    pub effects_url: Option<String>,

    /// A shell command that prints how many times $HOOKCHECK_SESSION_ID was processed;
    /// enables the exactly-once check.
    #[arg(long, value_name = "COMMAND")]
    pub effects_cmd: Option<String>,

    /// How long to wait after the last delivery before counting effects.
    #[arg(long, value_name = "DURATION", default_value = "300ms", value_parser = parse_duration)]
    pub settle: Duration,

    /// Trust the certificates in this PEM file instead of the system roots.
    #[arg(long, value_name = "PEM", conflicts_with = "insecure")]
    pub ca_cert: Option<PathBuf>,

    /// Do not verify the target's certificate.
    #[arg(long)]
    pub insecure: bool,

    /// The seed session ids and statuses follow from. Random by default.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Write the report as JSON to this file.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
}

/// Runs `hookcheck load`.
pub async fn run_load(args: LoadArgs) -> i32 {
    match execute(args).await {
        Ok(code) => code,
        Err(error) => error.report(),
    }
}

async fn execute(args: LoadArgs) -> Result<i32, CliError> {
    let plan = plan(&args).map_err(CliError::Usage)?;
    // A report that cannot be written is found out now, and nothing is created before the
    // run has a report to put there.
    let output = args.json.as_ref().map(|path| Output {
        format: Format::Json,
        destination: Destination::from_arg(path),
    });
    check_outputs(output.as_slice()).map_err(|e| CliError::Usage(e.to_string()))?;
    let report = run(plan, Some(progress_hook()))
        .await
        .map_err(|e| match e {
            LoadError::Plan(_) | LoadError::Client(_) => CliError::Usage(e.to_string()),
        })?;
    if std::io::stderr().is_terminal() {
        eprintln!();
    }
    println!("{report}");
    if let Some(output) = &output {
        let json = serde_json::to_vec_pretty(&report).expect("a LoadReport always serializes");
        write_output(output, &json).map_err(|e| CliError::Usage(e.to_string()))?;
    }
    if unreachable(&report) {
        return Err(CliError::Unavailable(format!(
            "{} never answered: {} deliveries failed to connect",
            report.target, report.deliveries
        )));
    }
    Ok(if report.verdict.holds {
        exit_codes::OK
    } else {
        exit_codes::FAILED
    })
}

/// Turns the arguments into a plan, or says what is wrong with them.
fn plan(args: &LoadArgs) -> Result<LoadPlan, String> {
    let target = parse_target(&args.target).map_err(|e| e.to_string())?;
    let mut plan = LoadPlan::new(target);
    plan.client.auth = args
        .auth
        .as_ref()
        .map(AuthArg::parse)
        .transpose()
        .map_err(|e| format!("invalid --auth: {e}"))?;
    plan.concurrency = usize::from(args.concurrency);
    plan.pace = args.rate.map_or(Pace::AsFastAsAnswered, Pace::Rate);
    plan.stop = match (args.deliveries, args.duration) {
        (Some(n), _) => Stop::Deliveries(n),
        (None, Some(duration)) => Stop::After(duration),
        (None, None) => Stop::After(Duration::from_secs(10)),
    };
    plan.duplicates = args.duplicates;
    plan.client.timeout = args.timeout;
    plan.settle = args.settle;
    plan.client.tls = client_tls(args.ca_cert.as_deref(), args.insecure);
    plan.effects = match (&args.effects_url, &args.effects_cmd) {
        (Some(template), _) => {
            Some(EffectsProbe::url(template).map_err(|e| format!("invalid --effects-url: {e}"))?)
        }
        (None, Some(command)) => Some(EffectsProbe::command(command.clone())),
        (None, None) => None,
    };
    if let Some(seed) = args.seed {
        plan.seed = seed;
    }
    plan.validate().map_err(|e| e.to_string())?;
    Ok(plan)
}

/// No delivery got any response, and they failed to connect (or to shake hands).
fn unreachable(report: &LoadReport) -> bool {
    let connect = [FailureClass::Connect, FailureClass::Tls]
        .iter()
        .map(|class| report.errors.get(class.as_str()).copied().unwrap_or(0))
        .sum::<u64>();
    report.statuses.is_empty() && connect > 0
}

/// A progress line on stderr once a second: rewritten in place on a terminal.
fn progress_hook() -> ProgressHook {
    let terminal = std::io::stderr().is_terminal();
    Arc::new(move |progress: &Progress| {
        let line = format!(
            "load: {:>4.0} s  {} deliveries  {:.0}/s  {} not 2xx",
            progress.elapsed.as_secs_f64(),
            progress.deliveries,
            progress.deliveries as f64 / progress.elapsed.as_secs_f64().max(1e-9),
            progress.failed
        );
        if terminal {
            eprint!("\r{line}\x1b[K");
        } else {
            eprintln!("{line}");
        }
    })
}
