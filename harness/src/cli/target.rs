//! The options of every command that sends to a target (`run`, `fuzz`, `load`, `send`):
//! where the target is and how the client reaches it ([`TargetArgs`]), and the seed the
//! generated input follows from ([`SeedArgs`]). A flag added here is added to each of them.
//!
//! `run` and `fuzz` test the built-in receiver without `--target`; `load` and `send` require
//! it, with `#[command(mut_arg("target", required_target))]`, and each command may say in
//! its own words what the URL is for (`mut_arg` with `help`).

use std::path::PathBuf;
use std::time::Duration;

use clap::Arg;
use reqwest::Url;

use crate::auth::AuthHeader;
use crate::cli::{AuthArg, CliError, duration_default, parse_duration};
use crate::transport::tls::ClientTls;
use crate::transport::{ClientSettings, DEFAULT_TIMEOUT, parse_target};

/// `--target`, `--auth`, `--timeout`, `--ca-cert`, `--insecure`.
#[derive(Debug, Clone, clap::Args)]
pub struct TargetArgs {
    /// The webhook URL: http or https, with a host.
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,

    /// The auth header the target expects, as `Name: value` (e.g. `X-API-Key: your-secret`),
    /// sent on every delivery; `run` grades the auth checks with it and `fuzz` sends bad
    /// credentials too. The value never appears in output; repro lines and scripts write it
    /// as $HOOKCHECK_AUTH.
    #[arg(long, value_name = "'NAME: VALUE'", env = AuthArg::ENV, hide_env_values = true)]
    pub auth: Option<AuthArg>,

    /// Bound on one delivery attempt, from sending the request to its complete response:
    /// the sender timeout every delivery is graded against (the provider's default).
    #[arg(long, value_name = "DURATION", default_value = duration_default!(DEFAULT_TIMEOUT), value_parser = parse_duration)]
    pub timeout: Duration,

    /// Trust the certificates in this PEM file instead of the system roots (`run` then
    /// reports transport/valid-certificate as a skipped check).
    #[arg(long, value_name = "PEM", conflicts_with = "insecure")]
    pub ca_cert: Option<PathBuf>,

    /// Do not verify the target's certificate. For local experiments only (`run` reports
    /// transport/valid-certificate as a skipped check).
    #[arg(long)]
    pub insecure: bool,
}

/// Makes `--target` required, for the commands that have no built-in receiver to fall
/// back on (a `mut_arg` of their `#[command]`).
pub fn required_target(arg: Arg) -> Arg {
    arg.required(true)
}

impl TargetArgs {
    /// The auth header, or a usage error that never echoes its value.
    pub fn auth(&self) -> Result<Option<AuthHeader>, CliError> {
        self.auth
            .as_ref()
            .map(AuthArg::parse)
            .transpose()
            .map_err(|e| CliError::Usage(format!("invalid --auth: {e}")))
    }

    /// The TLS trust of `--ca-cert PEM` / `--insecure` (clap makes them exclusive).
    pub fn tls(&self) -> ClientTls {
        match (&self.ca_cert, self.insecure) {
            (Some(path), _) => ClientTls::CaFile(path.clone()),
            (None, true) => ClientTls::Insecure,
            (None, false) => ClientTls::System,
        }
    }

    /// The client settings these options describe: auth, timeout and TLS trust (no extra
    /// headers: the commands that take `--header` add them).
    pub fn settings(&self) -> Result<ClientSettings, CliError> {
        Ok(ClientSettings {
            auth: self.auth()?,
            timeout: self.timeout,
            tls: self.tls(),
            ..ClientSettings::default()
        })
    }

    /// The target URL of a command that requires `--target` ([`required_target`]).
    pub fn required_url(&self) -> Result<Url, CliError> {
        let text = self.target.as_deref().unwrap_or_default();
        parse_target(text).map_err(|e| CliError::Usage(e.to_string()))
    }
}

/// `--seed`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SeedArgs {
    /// The seed the generated input follows from (`run`: every payload but its completedAt,
    /// the time of sending; `fuzz`: every sequence; `load`: session ids and statuses), so
    /// the same seed sends the same requests. Random by default; `run` and `fuzz` print it
    /// and record it in their reports.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
}

impl SeedArgs {
    /// The given seed, else the config's own (random) one.
    pub fn or(&self, default: u64) -> u64 {
        self.seed.unwrap_or(default)
    }
}
