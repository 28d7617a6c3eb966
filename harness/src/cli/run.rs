//! `hookcheck run`: grade a webhook endpoint against the contract.

use std::path::PathBuf;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use crate::auth::AuthHeader;
use crate::catalogue::Selection;
use crate::cli::{AuthArg, client_tls, parse_duration, report_error};
use crate::exit_codes;
use crate::receiver::{Defect, Receiver, ReceiverConfig, RunningReceiver};
use crate::report::{JsonReporter, JunitReporter, TerminalReporter};
use crate::results::{Report, Reporter};
use crate::runner::{EffectsProbe, RunConfig, RunError, run as run_checks};
use crate::sender::parse_target;

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
      --json report.json --junit report.xml

  # Count effects in your database instead, and only grade idempotency:
  hookcheck run --target http://localhost:3000/hook --only idempotency \\
      --effects-cmd 'psql -tAc \"select count(*) from events where session_id = '\\''$HOOKCHECK_SESSION_ID'\\''\"'

Repro lines write the auth value as $HOOKCHECK_AUTH: export it before running one.

Exit codes: 0 conformant, 1 a MUST failed or a check had no verdict (or a SHOULD broke,
with --strict), 2 usage error, 3 the target could not be graded at all (unreachable, hangs,
not HTTP, no TLS handshake possible).";

/// Arguments of `hookcheck run`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct RunArgs {
    /// The webhook URL to grade. Without it, hookcheck starts its reference receiver
    /// in-process and grades that, so one command shows a full run.
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,

    /// The auth header the target expects, as `Name: value`. Enables the auth checks.
    /// The value never appears in output; repro lines write it as $HOOKCHECK_AUTH.
    #[arg(long, value_name = "'NAME: VALUE'", env = AuthArg::ENV, hide_env_values = true)]
    pub auth: Option<AuthArg>,

    /// An extra header on every request, as `Name: value` (repeatable). Its value shows in
    /// repro lines: a secret belongs in --auth.
    #[arg(long = "header", value_name = "'NAME: VALUE'")]
    pub headers: Vec<String>,

    /// The sender timeout deliveries are graded against (the provider's default is 30s).
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub timeout: Duration,

    /// A URL that answers how many times a session was processed, with `{sessionId}` in
    /// it; the answer is a bare integer or {"count": N}.
    #[arg(long, value_name = "TEMPLATE", conflicts_with = "effects_cmd")]
    pub effects_url: Option<String>,

    /// A shell command that prints how many times $HOOKCHECK_SESSION_ID was processed.
    #[arg(long, value_name = "COMMAND")]
    pub effects_cmd: Option<String>,

    /// Trust the certificates in this PEM file instead of the system roots.
    #[arg(long, value_name = "PEM", conflicts_with = "insecure")]
    pub ca_cert: Option<PathBuf>,

    /// Do not verify the target's certificate (reported as a skipped check).
    #[arg(long)]
    pub insecure: bool,

    /// The seed every generated payload follows from (all but completedAt, the time of the
    /// run); the report records it, so a run's requests can be repeated. Random by default.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

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

    /// Write the report as JSON to this file.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,

    /// Write the report as JUnit XML to this file.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,

    /// Write request bodies too long for a repro line (over 4 KiB) into this folder
    /// (created if missing), so that every repro line runs as printed.
    #[arg(long, value_name = "DIR")]
    pub bodies: Option<PathBuf>,

    /// How many distinct deliveries the burst probe sends at once.
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub burst: u16,

    /// How many requests the main phase keeps in flight at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,

    /// How long to wait after deliveries before counting their side effects.
    #[arg(long, value_name = "DURATION", default_value = "300ms", value_parser = parse_duration)]
    pub settle: Duration,

    /// Without --target: give the built-in receiver this defect, to see how a broken
    /// receiver is reported. `hookcheck serve --help` lists them.
    #[arg(long, value_name = "NAME", conflicts_with = "target")]
    pub defect: Option<Defect>,
}

/// Runs `hookcheck run`.
pub async fn run(args: RunArgs) -> i32 {
    match execute(args).await {
        Ok(code) => code,
        Err((code, message)) => {
            report_error(&message);
            code
        }
    }
}

async fn execute(args: RunArgs) -> Result<i32, (i32, String)> {
    let usage = |message: String| (exit_codes::USAGE, message);
    let auth = args
        .auth
        .as_ref()
        .map(AuthArg::parse)
        .transpose()
        .map_err(|e| usage(format!("invalid --auth: {e}")))?;
    let headers = args
        .headers
        .iter()
        .map(|text| parse_header(text, auth.as_ref()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(usage)?;
    let selection = Selection {
        only: args.only.clone(),
        skip: args.skip.clone(),
    };
    let unknown = selection.unknown_prefixes();
    if !unknown.is_empty() {
        return Err(usage(format!(
            "`{}` selects no check (see `hookcheck list`)",
            unknown.join("`, `")
        )));
    }
    let mut effects = match (&args.effects_url, &args.effects_cmd) {
        (Some(template), _) => Some(
            EffectsProbe::url(template)
                .map_err(|e| usage(format!("invalid --effects-url: {e}")))?,
        ),
        (None, Some(command)) => Some(EffectsProbe::Command(command.clone())),
        (None, None) => None,
    };
    // A report that cannot be written is found out now, not after the whole run.
    for path in args.json.iter().chain(&args.junit) {
        check_writable(path).map_err(usage)?;
    }
    if let Some(dir) = &args.bodies {
        std::fs::create_dir_all(dir).map_err(|e| {
            usage(format!(
                "cannot create --bodies folder {}: {e}",
                dir.display()
            ))
        })?;
    }
    let tls = client_tls(args.ca_cert.as_deref(), args.insecure);

    // Without a target, grade the reference receiver in-process.
    let mut local: Option<RunningReceiver> = None;
    let target = match (&args.target, args.defect) {
        (Some(text), _) => parse_target(text).map_err(|e| usage(e.to_string()))?,
        (None, defect) => {
            let mut config = ReceiverConfig::default();
            if let Some(auth) = &auth {
                config = config.auth(auth.clone());
            }
            if let Some(defect) = defect {
                config = config.defect(defect);
            }
            let receiver = Receiver::start(config)
                .await
                .map_err(|e| (exit_codes::UNAVAILABLE, e.to_string()))?;
            eprintln!(
                "hookcheck: no --target given: grading the built-in reference receiver at {}{}",
                receiver.webhook_url(),
                defect
                    .map(|d| format!(" (defect: {})", d.name()))
                    .unwrap_or_default()
            );
            if effects.is_none() {
                effects = Some(
                    EffectsProbe::url(&receiver.effects_url_template())
                        .map_err(|e| (exit_codes::UNAVAILABLE, e.to_string()))?,
                );
            }
            let url = parse_target(&receiver.webhook_url()).map_err(|e| usage(e.to_string()))?;
            local = Some(receiver);
            url
        }
    };

    let mut config = RunConfig::new(target);
    config.auth = auth;
    config.headers = headers;
    config.timeout = args.timeout;
    config.effects = effects;
    config.tls = tls;
    if let Some(seed) = args.seed {
        config.seed = seed;
    }
    config.selection = selection;
    config.burst = usize::from(args.burst);
    config.concurrency = usize::from(args.concurrency);
    config.settle = args.settle;
    config.strict = args.strict;
    config.bodies_dir = args.bodies.clone();

    let mut reporters: Vec<Box<dyn Reporter>> =
        vec![Box::new(TerminalReporter::stdio(args.strict))];
    if let Some(path) = &args.json {
        reporters.push(Box::new(JsonReporter::new(path)));
    }
    if let Some(path) = &args.junit {
        reporters.push(Box::new(JunitReporter::new(path, args.strict)));
    }
    let outcome = run_checks(config, &mut reporters).await;
    if let Some(receiver) = local {
        receiver.shutdown().await;
    }
    match outcome {
        Ok(report) if Report::conformant(&report.summary, args.strict) => Ok(exit_codes::OK),
        Ok(_) => Ok(exit_codes::FAILED),
        Err(e @ RunError::Ungradable { .. }) => Err((exit_codes::UNAVAILABLE, e.to_string())),
        Err(e @ (RunError::Config(_) | RunError::Report(_))) => Err(usage(e.to_string())),
    }
}

/// Reads a `--header 'Name: value'`. A header with the auth header's name is refused:
/// `--auth` is the one place a secret goes in.
fn parse_header(
    text: &str,
    auth: Option<&AuthHeader>,
) -> Result<(HeaderName, HeaderValue), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("invalid --header `{text}`: expected `Name: value`"))?;
    let name = name.trim();
    let parsed = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("invalid --header: `{name}` is not a valid header name"))?;
    let value = HeaderValue::from_str(value.trim()).map_err(|_| {
        format!("invalid --header `{name}`: the value holds characters HTTP does not allow")
    })?;
    if auth.is_some_and(|auth| auth.name() == parsed) {
        return Err(format!(
            "--header `{name}` is the auth header: give it with --auth only"
        ));
    }
    Ok((parsed, value))
}

/// Refuses a report path whose folder does not exist or that names a folder.
fn check_writable(path: &std::path::Path) -> Result<(), String> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => std::path::Path::new("."),
    };
    if !folder.is_dir() {
        return Err(format!(
            "cannot write a report to {}: folder {} does not exist",
            path.display(),
            folder.display()
        ));
    }
    if path.is_dir() {
        return Err(format!(
            "cannot write a report to {}: it is a folder",
            path.display()
        ));
    }
    Ok(())
}
