//! The command line: argument definitions and dispatch. `main.rs` only parses and exits;
//! each subcommand's module turns its arguments into library calls and an exit code.

use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::exit_codes;

pub use error::CliError;

pub mod capture;
pub mod completions;
pub mod config;
pub mod corpus;
pub mod diff;
pub mod effects;
mod error;
pub mod explain;
pub mod fuzz;
pub mod init;
pub mod list;
pub mod load;
pub mod output;
pub mod profile;
pub mod report;
pub mod run;
pub mod send;
pub mod serve;
pub mod serve_profile;
pub mod target;

/// Conformance test harness and fuzzer for Cr3dentials webhook receivers.
///
/// hookcheck delivers webhook events exactly as Cr3dentials does (`send`), runs a
/// reference receiver that does everything a conforming receiver must (`serve`), grades
/// your endpoint against the contract (`run`), and fuzzes it with sequences of deliveries
/// (`fuzz`).
///
/// Exit codes: 0 success, 1 a negative verdict (failed delivery, failed MUST, a new
/// failure against a baseline), 2 usage error, 3 target unreachable or server could not
/// start, 130 a run stopped by Ctrl-C or SIGTERM.
#[derive(Debug, Parser)]
#[command(
    name = "hookcheck",
    version,
    propagate_version = true,
    max_term_width = 80
)]
pub struct Cli {
    /// Read the options of `run`, `fuzz` and `load` from this TOML file (default:
    /// ./hookcheck.toml when it exists); a flag given here overrides the file.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<std::path::PathBuf>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the reference receiver: a webhook endpoint that meets every MUST and SHOULD.
    Serve(serve::ServeArgs),
    /// Deliver one event as Cr3dentials does, with retries, and print the attempt log.
    Send(send::SendArgs),
    /// Play the receiver for a sender under test and grade its deliveries, retries and
    /// timeouts against the contract.
    Capture(Box<capture::CaptureArgs>),
    /// Grade a webhook endpoint against every requirement of the contract.
    Run(Box<run::RunArgs>),
    /// Drain a backlog of deliveries into an endpoint: throughput, latency, exactly-once.
    Load(load::LoadArgs),
    /// Print the requirement catalogue: every requirement, its level and its checks.
    List(list::ListArgs),
    /// Explain a requirement or check: its clauses, why it matters, how receivers break
    /// it and how to fix it.
    Explain(explain::ExplainArgs),
    /// Write a commented starter hookcheck.toml and a GitHub Actions job that uses it.
    Init(init::InitArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff), e.g. `hookcheck man > hookcheck.1`.
    Man,
    /// Render a saved JSON report as terminal text, JSON, JUnit, Markdown or HTML.
    Report(report::ReportArgs),
    /// Compare two JSON reports check by check: new failures, fixed, new and removed checks.
    Diff(diff::DiffArgs),
    /// Fuzz a webhook endpoint with sequences of deliveries and check its invariants.
    Fuzz(fuzz::FuzzArgs),
    /// Write the valid and invalid corpus as files with an index.json, for your own
    /// parser tests and fuzzers.
    ///
    /// Under `--profile standard-webhooks --secret whsec_…`, the corpus is of signed
    /// deliveries: each case is a body file, and index.json gives the three headers it is
    /// sent with, signed with that secret (which is never written), and whether a
    /// conforming receiver accepts or refuses it. Every case is signed when the corpus is
    /// written, at `signedAt` (Unix seconds, in index.json): a verifier that checks the
    /// timestamp tolerance must be given that time as its clock, as the official libraries'
    /// own tests do.
    Corpus(corpus::CorpusArgs),
}

/// Runs a parsed command line to completion and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    crate::install_crypto_provider();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: failed to start the async runtime: {e}");
            return exit_codes::UNAVAILABLE;
        }
    };
    runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => serve::run(args).await,
            Command::Send(args) => send::run(args).await,
            Command::Capture(args) => capture::run(*args).await,
            Command::Run(args) => run::run(*args).await,
            Command::Load(args) => load::run_load(args).await,
            Command::List(args) => list::run(&args),
            Command::Explain(args) => explain::run(&args),
            Command::Init(args) => init::run(&args),
            Command::Completions(args) => completions::completions(&args),
            Command::Man => completions::man(),
            Command::Report(args) => report::run(&args),
            Command::Diff(args) => diff::run(&args),
            Command::Fuzz(args) => fuzz::run(args).await,
            Command::Corpus(args) => corpus::run(&args),
        }
    })
}

/// A duration as the command line writes it: whole seconds as `30s`, anything else in
/// milliseconds (`1500ms`), so that [`parse_duration`] reads it back.
pub fn duration_arg(duration: Duration) -> String {
    if duration.subsec_nanos() == 0 {
        format!("{}s", duration.as_secs())
    } else {
        format!("{}ms", duration.as_millis())
    }
}

/// The `default_value` of a duration flag, from the library's named constant: formatted
/// once by [`duration_arg`], so the flag's default and the config's are one value.
macro_rules! duration_default {
    ($duration:expr) => {
        $crate::cli::arg_default!($crate::cli::duration_arg, $duration)
    };
}
pub(crate) use duration_default;

/// The `default_value` of a flag, from the library's named constant, as `$format` writes
/// it for the command line (formatted once).
macro_rules! arg_default {
    ($format:path, $value:expr) => {{
        static TEXT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| $format($value));
        TEXT.as_str()
    }};
}
pub(crate) use arg_default;

/// Reads a duration such as `500ms`, `2s`, `1m` or `1m30s` (a clap value parser).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text.trim())
        .map_err(|e| format!("`{text}` is not a duration like 500ms, 2s or 1m ({e})"))
}

/// An `--auth 'Name: value'` argument, kept unparsed so that clap, which echoes a value
/// it cannot parse, never prints the secret; [`AuthArg::parse`] reports a redacted error.
#[derive(Clone)]
pub struct AuthArg(String);

impl AuthArg {
    /// The environment variable `--auth` is also read from, as `Name: value`. (Repro lines
    /// use `$HOOKCHECK_AUTH` for the bare value, so this one has another name.)
    pub const ENV: &'static str = "HOOKCHECK_AUTH_HEADER";

    /// The header, or what is wrong with the argument (never echoing the value).
    pub fn parse(&self) -> Result<crate::auth::AuthHeader, crate::auth::AuthParseError> {
        self.0.parse()
    }
}

impl std::str::FromStr for AuthArg {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(AuthArg(s.to_owned()))
    }
}

impl std::fmt::Debug for AuthArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthArg(<redacted>)")
    }
}

/// Prints one error line, the form every subcommand uses for a user's mistake.
pub fn report_error(error: &dyn std::fmt::Display) {
    eprintln!("error: {error}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_the_readme_says() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn every_default_is_written_as_the_command_line_reads_it() {
        for duration in [
            Duration::from_secs(30),
            Duration::from_millis(1500),
            Duration::from_millis(300),
            Duration::ZERO,
        ] {
            assert_eq!(parse_duration(&duration_arg(duration)), Ok(duration));
        }
        assert_eq!(duration_arg(Duration::from_millis(1500)), "1500ms");
        assert_eq!(duration_arg(Duration::from_secs(30)), "30s");
    }

    #[test]
    fn command_line_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
