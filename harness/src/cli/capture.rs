//! `hookcheck capture`: play the receiver for a sender under test and grade it (SPEC §2).

use std::net::SocketAddr;
use std::time::Duration;

use crate::capture::{Capture, CaptureConfig, DEFAULT_SCRIPT, Expectations, Script, URL_ENV};
use crate::cli::output::{ReportFiles, TerminalArgs, reporters};
use crate::cli::{CliError, duration_default, parse_duration};
use crate::exit_codes;
use crate::report::check_outputs;
use crate::results::Report;
use crate::sender::{DEFAULT_BACKOFF_BASE, DEFAULT_JITTER, DEFAULT_RETRIES};
use crate::transport::DEFAULT_TIMEOUT;

/// How long a capture waits for deliveries unless told.
const DEFAULT_WAIT: Duration = Duration::from_secs(300);
/// The scheduling slack unless told.
const DEFAULT_SLACK: Duration = Duration::from_millis(250);

const EXAMPLES: &str = "\
Listens for webhook deliveries, answers each attempt of a delivery (the requests with one
sessionId) as --answer says, and grades the sender against SPEC §2: POST with a JSON body
and Content-Type, the auth header on every attempt, the same body on every retry, one
status per sessionId, redirects never followed, the timeout honoured, retries counted and
spaced by the backoff within the jitter, none after a 2xx, a 4xx retried. A check whose
situation did not arise is skipped, never passed (`hookcheck list --sender` lists the
checks, `hookcheck explain ID` explains each). The listening URL is printed on stderr and
given to --trigger as $HOOKCHECK_CAPTURE_URL; the trigger runs in a process group of its
own, ended (with whatever it left in the background) when it exits or --wait passes.

Answers: 2xx, 3xx, 4xx, 5xx (200, 307, 400, 503), a status code such as 502, slow (no
answer until twice the timeout, then a late 200), reset, close. Past the end of the
script its last answer repeats.

Examples:
  # Grade the reference sender, with its schedule compressed:
  hookcheck capture --answer 5xx,3xx,slow,4xx,2xx --retries 4 --backoff-base 100ms \\
      --timeout 1s --auth X-API-Key \\
      --trigger 'hookcheck send --target \"$HOOKCHECK_CAPTURE_URL\" --status COMPLETED \\
          --retries 4 --backoff-base 100ms --timeout 1s --auth \"X-API-Key: s3cret\"'

  # Wait up to 10 minutes for your own sender, on a fixed port, and write reports:
  hookcheck capture --listen 127.0.0.1:8081 --wait 10m --json capture.json --html capture.html

Exit codes: 0 the sender conforms, 1 a MUST failed (or a SHOULD with --strict), 2 usage
error, 3 the port could not be bound or no request arrived, 130 stopped by Ctrl-C.";

/// Arguments of `hookcheck capture`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct CaptureArgs {
    /// Where to listen; port 0 picks a free port. The URL is printed on stderr.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,

    /// The answers to each delivery's attempts, comma-separated: 2xx, 3xx, 4xx, 5xx, a
    /// status code, slow, reset, close.
    #[arg(long, value_name = "ANSWERS", default_value = DEFAULT_SCRIPT)]
    pub answer: Script,

    /// A command run with sh, $HOOKCHECK_CAPTURE_URL set, that makes the sender deliver;
    /// the capture grades when it exits. Default: none (wait the whole --wait).
    #[arg(long, value_name = "CMD")]
    pub trigger: Option<String>,

    /// Bound on the capture: without --trigger, how long to listen; with it, when to kill it.
    #[arg(long, value_name = "DURATION", default_value = duration_default!(DEFAULT_WAIT), value_parser = parse_duration)]
    pub wait: Duration,

    /// The sender's retries after the first attempt.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_RETRIES)]
    pub retries: u32,

    /// The sender's delay before the first retry; retry n waits base * 2^(n-1).
    #[arg(long, value_name = "DURATION", default_value = duration_default!(DEFAULT_BACKOFF_BASE), value_parser = parse_duration)]
    pub backoff_base: Duration,

    /// The sender's jitter, a fraction between 0 and 1.
    #[arg(long, value_name = "FRACTION", default_value_t = DEFAULT_JITTER)]
    pub jitter: f64,

    /// The sender's per-attempt timeout.
    #[arg(long, value_name = "DURATION", default_value = duration_default!(DEFAULT_TIMEOUT), value_parser = parse_duration)]
    pub timeout: Duration,

    /// How far a measured delay or hang-up may stray from its bounds.
    #[arg(long, value_name = "DURATION", default_value = duration_default!(DEFAULT_SLACK), value_parser = parse_duration)]
    pub slack: Duration,

    /// The name of the auth header every attempt must carry (the name only: its value is
    /// never read or printed). Default: none (request/auth-every-attempt is skipped).
    #[arg(long, value_name = "NAME")]
    pub auth: Option<String>,

    /// Treat a broken SHOULD (a warn) as a failure for the exit code.
    #[arg(long)]
    pub strict: bool,

    #[command(flatten)]
    pub files: ReportFiles,

    #[command(flatten)]
    pub terminal: TerminalArgs,
}

/// Runs `hookcheck capture`.
pub async fn run(args: CaptureArgs) -> i32 {
    match execute(args).await {
        Ok(code) => code,
        Err(error) => error.report(),
    }
}

async fn execute(args: CaptureArgs) -> Result<i32, CliError> {
    let config = config(&args)?;
    check_outputs(&args.files.outputs()).map_err(|e| CliError::Usage(e.to_string()))?;
    let capture = Capture::listen(config)
        .await
        .map_err(|e| CliError::Unavailable(e.to_string()))?;
    eprintln!("capture: listening on {} (${URL_ENV})", capture.url());
    let report = capture
        .grade(
            &mut reporters(&args.terminal, &args.files, args.strict),
            super::run::stop_signal(),
        )
        .await
        .map_err(|e| CliError::Usage(e.to_string()))?;
    verdict_code(&report, args.strict)
}

fn config(args: &CaptureArgs) -> Result<CaptureConfig, CliError> {
    let usage = CliError::Usage;
    if !(0.0..=1.0).contains(&args.jitter) {
        return Err(usage(format!(
            "--jitter {} is not between 0 and 1",
            args.jitter
        )));
    }
    if args.timeout.is_zero() || args.wait.is_zero() {
        return Err(usage("--timeout and --wait must be at least 1ms".into()));
    }
    if let Some(name) = &args.auth
        && reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err()
    {
        return Err(usage(
            "--auth takes the header's name only (e.g. X-API-Key), and this is not a header name"
                .into(),
        ));
    }
    Ok(CaptureConfig {
        listen: args.listen,
        script: args.answer.clone(),
        expect: Expectations {
            retries: args.retries,
            backoff_base: args.backoff_base,
            jitter: args.jitter,
            timeout: args.timeout,
            slack: args.slack,
            auth_name: args.auth.clone(),
        },
        trigger: args.trigger.clone(),
        wait: args.wait,
        strict: args.strict,
    })
}

fn verdict_code(report: &Report, strict: bool) -> Result<i32, CliError> {
    if report.interrupted {
        return Ok(exit_codes::INTERRUPTED);
    }
    if let Some(reason) = &report.reason {
        return Err(CliError::Unavailable(format!(
            "cannot grade the sender: {reason}"
        )));
    }
    Ok(if Report::conformant(&report.summary, strict) {
        exit_codes::OK
    } else {
        exit_codes::FAILED
    })
}
