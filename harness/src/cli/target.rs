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
use reqwest::header::{HeaderName, HeaderValue};

use crate::auth::AuthHeader;
use crate::cli::{AuthArg, CliError, duration_default, parse_duration};
use crate::secrets::{REDACTED, is_secret_name, repro_variable, shared_variable};
use crate::transport::tls::ClientTls;
use crate::transport::{ClientSettings, DEFAULT_TIMEOUT, parse_target};

/// `--target`, `--auth`, `--header`, `--secret-header`, `--timeout`, `--ca-cert`,
/// `--insecure`.
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

    /// An extra header on every request, as `Name: value` (repeatable). A name that marks a
    /// secret (authorization, cookie, or one containing secret, token, key, signature,
    /// password, credential, session) is redacted as the --auth value is, and repro lines
    /// read it from $HOOKCHECK_HEADER_<NAME> (the name in capitals, `-` written `_`).
    #[arg(long = "header", value_name = "'NAME: VALUE'")]
    pub headers: Vec<String>,

    /// An extra secret header on every request (repeatable), its value read from the
    /// environment variable $HOOKCHECK_HEADER_<NAME> (the name in capitals, `-` written
    /// `_`: `CF-Access-Client-Secret` reads $HOOKCHECK_HEADER_CF_ACCESS_CLIENT_SECRET), the
    /// one its repro lines use too. Never printed.
    #[arg(long = "secret-header", value_name = "NAME")]
    pub secret_headers: Vec<String>,

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

    /// The client settings these options describe: auth, extra headers, timeout and TLS
    /// trust.
    pub fn settings(&self) -> Result<ClientSettings, CliError> {
        let auth = self.auth()?;
        let mut headers = Vec::new();
        for text in &self.headers {
            headers.push(parse_header(text, auth.as_ref()).map_err(CliError::Usage)?);
        }
        for name in &self.secret_headers {
            headers.push(secret_header(name, auth.as_ref()).map_err(CliError::Usage)?);
        }
        if let Some([first, other, variable]) = shared_variable(&headers) {
            return Err(CliError::Usage(format!(
                "secret headers `{first}` and `{other}` would both read ${variable} in repro \
                 lines: give each secret header once, under names that differ in more than \
                 punctuation"
            )));
        }
        Ok(ClientSettings {
            auth,
            timeout: self.timeout,
            tls: self.tls(),
            headers,
        })
    }

    /// The target URL of a command that requires `--target` ([`required_target`]).
    pub fn required_url(&self) -> Result<Url, CliError> {
        let text = self.target.as_deref().unwrap_or_default();
        parse_target(text).map_err(|e| CliError::Usage(e.to_string()))
    }
}

/// Reads a `--header 'Name: value'`, marked sensitive when its name marks a secret. A
/// header with the auth header's name is refused: `--auth` is the one place it goes in.
fn parse_header(
    text: &str,
    auth: Option<&AuthHeader>,
) -> Result<(HeaderName, HeaderValue), String> {
    let Some((name, value)) = text.split_once(':') else {
        // The text may be a secret: only a name-like text is echoed.
        let shown = if is_secret_name(text) { REDACTED } else { text };
        return Err(format!(
            "invalid --header `{shown}`: expected `Name: value`"
        ));
    };
    let name = header_name(name.trim(), "--header", auth)?;
    let mut value = HeaderValue::from_str(value.trim()).map_err(|_| {
        format!("invalid --header `{name}`: the value holds characters HTTP does not allow")
    })?;
    value.set_sensitive(is_secret_name(name.as_str()));
    Ok((name, value))
}

/// Reads a `--secret-header NAME`, its value from `$HOOKCHECK_HEADER_<NAME>`.
fn secret_header(
    name: &str,
    auth: Option<&AuthHeader>,
) -> Result<(HeaderName, HeaderValue), String> {
    let parsed = header_name(name.trim(), "--secret-header", auth)?;
    let variable = repro_variable(parsed.as_str());
    let text = std::env::var(&variable).map_err(|_| {
        format!("--secret-header {name}: set its value in the environment variable {variable}")
    })?;
    let mut value = HeaderValue::from_str(text.trim()).map_err(|_| {
        format!("--secret-header {name}: ${variable} holds characters HTTP does not allow")
    })?;
    value.set_sensitive(true);
    Ok((parsed, value))
}

/// A header name of `flag`, refused when it is the auth header's.
fn header_name(name: &str, flag: &str, auth: Option<&AuthHeader>) -> Result<HeaderName, String> {
    let parsed = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("invalid {flag}: `{name}` is not a valid header name"))?;
    if auth.is_some_and(|auth| auth.name() == parsed) {
        return Err(format!(
            "{flag} `{name}` is the auth header: give it with --auth only"
        ));
    }
    Ok(parsed)
}

/// `--replica`, for the commands that send copies of one session (`run`, `fuzz`,
/// `load`); `send` delivers to one URL.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReplicaArgs {
    /// The URL of another replica of the same receiver (repeatable): a process of its own,
    /// on the same database as the --target one. The copies of a session (duplicates in
    /// sequence and at once, retries) go round robin over --target and the replicas in
    /// the order given, so a dedupe kept in one process's memory shows; the effects probe
    /// counts the shared outcome. Findings' repro lines send each copy to the replica it
    /// went to. Without it, every copy still goes over a fresh connection.
    #[arg(long = "replica", value_name = "URL", requires = "target")]
    pub replicas: Vec<String>,
}

impl ReplicaArgs {
    /// The replica URLs, each checked as a target is.
    pub fn urls(&self) -> Result<Vec<Url>, CliError> {
        self.replicas
            .iter()
            .map(|text| {
                parse_target(text).map_err(|e| CliError::Usage(format!("invalid --replica: {e}")))
            })
            .collect()
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
