//! `hookcheck load`: drain a backlog of deliveries into a target and measure it.

use std::io::{IsTerminal, Write as _};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::builder::RangedU64ValueParser;

use crate::cli::effects::EffectsArgs;
use crate::cli::output::{QuietArg, ReportFiles};
use crate::cli::profile::ProfileArgs;
use crate::cli::target::{ReplicaArgs, SeedArgs, TargetArgs};
use crate::cli::{CliError, duration_default, parse_duration};
use crate::exit_codes;
use crate::load::{
    LoadError, LoadPlan, LoadReport, OutagePlan, Pace, Progress, ProgressHook, Shard, Stop, merge,
    run,
};
use crate::outage::{OutageSpec, RetrySchedule, SpecError};
use crate::report::{check_outputs, write_any};
use crate::sender::{DEFAULT_BACKOFF_BASE, DEFAULT_JITTER, DEFAULT_RETRIES};
use crate::transport::FailureClass;

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

  # Two replicas on one database: deliveries round robin over both, each redelivery to
  # the other one, so a dedupe kept in one process's memory shows as doubled effects:
  hookcheck load --target http://10.0.0.5:3000/hook --replica http://10.0.0.6:3000/hook \\
      --duplicates 0.2 --effects-url 'http://10.0.0.5:3000/_test/effects/{sessionId}'

  # Open loop at 500 deliveries/s for 30 s, with an auth header, report as JSON:
  hookcheck load --target https://staging.example.com/hook --auth 'X-API-Key: secret' \\
      --rate 500 --duration 30s --json load.json

  # One backlog of 100 000 deliveries split over two processes (two CI jobs, two pods),
  # each with the same --seed and --deliveries, then one report and verdict over both:
  hookcheck load --target http://10.0.0.5:3000/hook --deliveries 100000 --seed 42 \\
      --shard 1/2 --effects-url 'http://10.0.0.5:3000/_test/effects/{sessionId}' --json s1.json
  hookcheck load --target http://10.0.0.5:3000/hook --deliveries 100000 --seed 42 \\
      --shard 2/2 --effects-url 'http://10.0.0.5:3000/_test/effects/{sessionId}' --json s2.json
  hookcheck load --merge s1.json s2.json

  # Standard Webhooks: every delivery a message signed with the secret (from
  # $HOOKCHECK_SECRET here), every copy and retry signed again with a fresh
  # webhook-timestamp; effects counted by webhook-id in place of {sessionId}:
  hookcheck load --profile standard-webhooks --target http://127.0.0.1:8080/webhook \
      --deliveries 20000 --duplicates 0.1 \
      --effects-url 'http://127.0.0.1:8080/_test/effects/{sessionId}'

  # Replay a 30 s outage 10 s in (and a 20 s one answering 503 at 2 min), a real minute
  # per second, with the sender's retry schedule; the report says what got through:
  hookcheck load --target http://127.0.0.1:8080/webhook --deliveries 200 --rate 100 \\
      --outage 30s@10s,20s@2m:503 --time-scale 60 --html outage.html

Exit codes: 0 the verdict holds (every delivery 2xx, nothing lost or doubled; under
--outage: no delivery given up), 1 it does not, 2 usage error, 3 the target never
answered (unreachable, no TLS handshake).";

/// Arguments of `hookcheck load`.
#[derive(Debug, clap::Args)]
#[command(
    after_long_help = EXAMPLES,
    mut_arg("target", |arg| arg.required_unless_present("merge").help("The webhook URL to load: http or https, with a host."))
)]
pub struct LoadArgs {
    #[command(flatten)]
    pub target: TargetArgs,

    // Under standard-webhooks each session is a message: a `webhook-id` that follows from
    // --seed, a {"type", "timestamp", "data"} body, every copy and retry signed afresh with
    // --secret when sent; effects are counted by webhook-id.
    #[command(flatten)]
    pub profile: ProfileArgs,

    /// Deliveries go round robin over --target and the replicas, and each redelivery
    /// (--duplicates) to another one than its session's first copy.
    #[command(flatten)]
    pub replicas: ReplicaArgs,

    /// Deliveries in flight at once (and connections opened at most).
    #[arg(long, value_name = "N", default_value_t = LoadPlan::DEFAULT_CONCURRENCY, value_parser = RangedU64ValueParser::<usize>::new().range(1..=4096))]
    pub concurrency: usize,

    /// Open loop: send this many deliveries per second, whatever the target does, and
    /// count each latency from the delivery's due time. Without it, each worker sends as
    /// soon as its previous delivery is answered.
    #[arg(long, value_name = "PER_SECOND")]
    pub rate: Option<f64>,

    /// Stop sending after this long.
    #[arg(long, value_name = "DURATION", default_value = duration_default!(LoadPlan::DEFAULT_DURATION), value_parser = parse_duration, conflicts_with = "deliveries")]
    pub duration: Duration,

    /// Stop after this many deliveries, duplicates included.
    #[arg(long, value_name = "N")]
    pub deliveries: Option<u64>,

    /// The fraction of deliveries (0 up to 1, exclusive) that redeliver an earlier session
    /// with the same body.
    #[arg(long, value_name = "RATIO", default_value_t = LoadPlan::DEFAULT_DUPLICATES)]
    pub duplicates: f64,

    /// How side effects are counted (SPEC §4); with a probe the run ends with the
    /// exactly-once check.
    #[command(flatten)]
    pub effects: EffectsArgs,

    /// How long to wait after the last delivery before counting effects.
    #[arg(long, value_name = "DURATION", default_value = duration_default!(LoadPlan::DEFAULT_SETTLE), value_parser = parse_duration)]
    pub settle: Duration,

    #[command(flatten)]
    pub seed: SeedArgs,

    #[command(flatten)]
    pub files: ReportFiles,

    #[command(flatten)]
    pub quiet: QuietArg,

    /// Send shard K of N of the backlog: the sessions (with all their copies) that fall to
    /// it, out of the backlog one process sends with the same --seed, --deliveries and
    /// --duplicates, all three required and the same on every shard. Shards are disjoint and
    /// together send the whole backlog; the JSON report records what --merge needs.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,

    /// Add up the JSON reports of every shard of one backlog (`--shard K/N --json FILE`)
    /// into one report and one verdict, instead of sending anything.
    #[arg(long, value_name = "JSON", num_args = 1.., conflicts_with_all = ["target", "shard"])]
    pub merge: Vec<PathBuf>,

    #[command(flatten)]
    pub outage: OutageArgs,
}

/// `--outage` and the retry schedule it replays.
#[derive(Debug, clap::Args)]
pub struct OutageArgs {
    /// Replay an outage: a proxy in front of the target refuses, resets or answers 503 for
    /// these windows (DURATION@START[:refuse|reset|503], comma-separated, real time from
    /// the start), and every delivery follows the sender's retry schedule through it.
    #[arg(long, value_name = "SPEC", value_parser = parse_outage)]
    pub outage: Option<OutageSpec>,

    /// With --outage: real seconds per wall-clock second; every window, backoff delay and
    /// timeout is divided by it (60: a real minute passes in one second).
    #[arg(
        long,
        value_name = "FACTOR",
        default_value_t = 1.0,
        requires = "outage"
    )]
    pub time_scale: f64,

    /// With --outage: retries after the first attempt.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_RETRIES, requires = "outage")]
    pub retries: u32,

    /// With --outage: the delay before the first retry (real time); retry n waits
    /// base * 2^(n-1).
    #[arg(long, value_name = "DURATION", default_value = duration_default!(DEFAULT_BACKOFF_BASE), value_parser = parse_duration, requires = "outage")]
    pub backoff_base: Duration,

    /// With --outage: how much each delay varies either way, as a fraction from 0 to 1.
    #[arg(long, value_name = "FRACTION", default_value_t = DEFAULT_JITTER, requires = "outage")]
    pub jitter: f64,
}

fn parse_outage(text: &str) -> Result<OutageSpec, String> {
    text.parse().map_err(|e: SpecError| e.to_string())
}

impl OutageArgs {
    /// The outage replay these flags ask for, with `timeout` as the per-attempt bound.
    fn plan(&self, timeout: Duration) -> Option<OutagePlan> {
        let spec = self.outage.clone()?;
        Some(OutagePlan {
            spec,
            time_scale: self.time_scale,
            schedule: RetrySchedule {
                retries: self.retries,
                backoff_base: self.backoff_base,
                jitter: self.jitter,
                timeout,
            },
        })
    }
}

/// Runs `hookcheck load`.
pub async fn run_load(args: LoadArgs) -> i32 {
    match execute(args).await {
        Ok(code) => code,
        Err(error) => error.report(),
    }
}

async fn execute(args: LoadArgs) -> Result<i32, CliError> {
    let usage = |e: &dyn std::fmt::Display| CliError::Usage(e.to_string());
    if !args.merge.is_empty() {
        return merged(&args);
    }
    let plan = plan(&args)?;
    // A report that cannot be written is found out now, and nothing is created before the
    // run has a report to put there.
    let outputs = args.files.outputs();
    check_outputs(&outputs).map_err(|e| usage(&e))?;
    let progress = (!args.quiet.quiet).then(progress_hook);
    let report = run(plan, progress).await.map_err(|e| match e {
        LoadError::Plan(_) | LoadError::Client(_) => usage(&e),
        LoadError::Proxy(_) => CliError::Unavailable(e.to_string()),
    })?;
    if !args.quiet.quiet && std::io::stderr().is_terminal() {
        eprintln!();
    }
    let _ = writeln!(args.files.summary_stream(), "{report}");
    for output in &outputs {
        write_any(output, &report).map_err(|e| usage(&e))?;
    }
    if unreachable(&report) {
        return Err(CliError::Unavailable(format!(
            "{} never answered: {} deliveries failed to connect",
            report.target, report.deliveries
        )));
    }
    Ok(verdict_code(&report))
}

/// 0 when the verdict holds, 1 when not.
fn verdict_code(report: &LoadReport) -> i32 {
    if report.verdict.holds {
        exit_codes::OK
    } else {
        exit_codes::FAILED
    }
}

/// `load --merge`: one report of the shards' reports, printed and written as a run's is.
fn merged(args: &LoadArgs) -> Result<i32, CliError> {
    let usage = |e: &dyn std::fmt::Display| CliError::Usage(e.to_string());
    let outputs = args.files.outputs();
    check_outputs(&outputs).map_err(|e| usage(&e))?;
    let reports = merge::read(&args.merge).map_err(|e| usage(&e))?;
    let report = merge::merge(&reports).map_err(|e| usage(&e))?;
    let _ = writeln!(args.files.summary_stream(), "{report}");
    for output in &outputs {
        write_any(output, &report).map_err(|e| usage(&e))?;
    }
    Ok(verdict_code(&report))
}

/// Turns the arguments into a plan, or says what is wrong with them.
fn plan(args: &LoadArgs) -> Result<LoadPlan, CliError> {
    let mut plan = LoadPlan::new(args.target.required_url()?);
    plan.client = args.target.settings()?;
    plan.replicas = args.replicas.urls()?;
    plan.concurrency = args.concurrency;
    plan.pace = args.rate.map_or(Pace::AsFastAsAnswered, Pace::Rate);
    plan.stop = match args.deliveries {
        Some(n) => Stop::Deliveries(n),
        None => Stop::After(args.duration),
    };
    plan.duplicates = args.duplicates;
    plan.settle = args.settle;
    plan.effects = args.effects.probe()?;
    plan.seed = args.seed.or(plan.seed);
    plan.shard = args.shard;
    if args.shard.is_some() && args.seed.seed.is_none() {
        return Err(CliError::Usage(
            "--shard needs --seed N, the same on every shard, so that the shards split one backlog"
                .to_owned(),
        ));
    }
    plan.outage = args.outage.plan(plan.client.timeout);
    plan.profile = args.profile.profile;
    plan.secret = args.profile.secret()?;
    plan.validate()
        .map_err(|e| CliError::Usage(e.to_string()))?;
    Ok(plan)
}

/// No delivery got any response, and they failed to connect (or to shake hands); under
/// --outage, the proxy never reached the target outside the windows.
fn unreachable(report: &LoadReport) -> bool {
    if let Some(outage) = &report.outage {
        return outage.forwarded_connections == 0 && outage.upstream_failures > 0;
    }
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
