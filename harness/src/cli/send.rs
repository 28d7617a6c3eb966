//! `hookcheck send`: the portal's Test action and its Logs page, on the command line.

use std::error::Error;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use serde_json::{Map, Value};

use crate::cli::profile::ProfileArgs;
use crate::cli::target::TargetArgs;
use crate::cli::{CliError, duration_default, parse_duration, report_error};
use crate::exit_codes;
use crate::outage::{OutageSpec, RetrySchedule, SpecError, simulate};
use crate::profile::Profile;
use crate::sender::{
    DEFAULT_BACKOFF_BASE, DEFAULT_JITTER, DEFAULT_RETRIES, Delivery, Sender, SenderConfig,
    SenderDefect, Url,
};
use crate::spec::{PayloadBuilder, Status};
use crate::standard_webhooks::Message;

const EXAMPLES: &str = "\
Delivers one webhook event exactly as Cr3dentials does: POST, JSON body,
Content-Type: application/json, the auth header on every attempt, a per-attempt timeout
covering the complete response, redirects never followed, and retries with exponential
backoff (base * 2^(n-1), +-jitter) until a 2xx. Prints one line per attempt as it ends
(number, start offset, status or error class, duration, next delay), then the outcome
and the sessionId. Error classes: status, redirect, timeout, connect, tls, protocol.

Examples:
  # Deliver a COMPLETED event with the provider's defaults (30s timeout, 3 retries):
  hookcheck send --target https://api.example.com/webhooks/cr3dentials \\
      --status COMPLETED --auth 'X-API-Key: your-secret'

  # Compress time and break the contract on purpose:
  hookcheck send --target http://localhost:8080/hook --status ERROR \\
      --retries 2 --backoff-base 200ms --timeout 2s --set proofHash=null --set 'sessionId=\"abc\"'

  # Sign it as Standard Webhooks does (webhook-id, a fresh webhook-timestamp and
  # webhook-signature on every attempt; type verification.completed, the event as data):
  hookcheck send --profile standard-webhooks --secret whsec_... \
      --target http://localhost:8080/webhook --status COMPLETED

  # Send your own body, trusting a test server's certificate, log as JSON:
  hookcheck send --target https://localhost:8443/hook --payload event.json \\
      --ca-cert server.pem --json

  # No network: when would the attempts of one delivery sent 5 s into a 30 s outage
  # fall, and does the default schedule get it through?
  hookcheck send --simulate --outage 30s@0s --at 5s

Exit codes: 0 delivered (--simulate: whatever the jitter), 1 every attempt failed (a receiver refusing the signature
included), 2 usage error (bad URL, malformed --auth or --secret, a missing secret under
--profile standard-webhooks, unreadable or invalid payload or CA file, unknown status).";

/// Arguments of `hookcheck send`.
///
/// Delivers one webhook event exactly as Cr3dentials does: POST, JSON body,
/// `Content-Type: application/json`, the auth header on every attempt, a per-attempt
/// timeout covering the complete response, redirects never followed, retries with
/// exponential backoff (`base * 2^(n-1)`, ±jitter) until a 2xx. Prints one line per
/// attempt as it ends, then the outcome and the sessionId.
#[derive(Debug, clap::Args)]
#[command(
    after_long_help = EXAMPLES,
    mut_arg("target", |arg| arg.required_unless_present("simulate").help("The webhook URL to deliver to: http or https, with a host."))
)]
pub struct SendArgs {
    #[command(flatten)]
    pub target: TargetArgs,

    #[command(flatten)]
    pub profile: ProfileArgs,

    /// The event's terminal status: COMPLETED, PARTIAL_COMPLETE, ERROR, CANCELLED or
    /// TERMINATED (any case). A realistic payload is built for it. Required unless
    /// --payload is given.
    #[arg(
        long,
        value_name = "STATUS",
        value_parser = parse_status,
        required_unless_present_any = ["payload", "simulate"],
        conflicts_with = "payload"
    )]
    pub status: Option<Status>,

    /// Retries after the first attempt (so at most N+1 attempts).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_RETRIES)]
    pub retries: u32,

    /// Delay before the first retry; retry n waits base * 2^(n-1).
    #[arg(long, value_name = "DURATION", default_value = duration_default!(DEFAULT_BACKOFF_BASE), value_parser = parse_duration)]
    pub backoff_base: Duration,

    /// How much each delay varies either way, as a fraction between 0 and 1.
    #[arg(long, value_name = "FRACTION", default_value_t = DEFAULT_JITTER)]
    pub jitter: f64,

    /// Sets a top-level field of the payload to a JSON value, e.g. `proofHash=null` or
    /// `sessionId="abc"`. Repeatable. Default: none.
    #[arg(long = "set", value_name = "FIELD=JSON", value_parser = parse_assignment)]
    pub set: Vec<Assignment>,

    /// Sends this file's bytes as the body instead of a built payload (--set still applies
    /// when it is a JSON object). Default: none.
    #[arg(long, value_name = "FILE")]
    pub payload: Option<PathBuf>,

    /// Prints the attempt log as one JSON document on stdout instead of text.
    #[arg(long)]
    pub json: bool,

    /// Seed one sender fault, to see `hookcheck capture` catch it: no-retry, retries-2xx,
    /// follows-redirects, drops-auth, fixed-backoff, no-timeout, changes-body. Default: none.
    #[arg(long, value_name = "NAME", value_parser = parse_defect)]
    pub defect: Option<SenderDefect>,

    /// Send nothing: print when each attempt of one delivery would fall against the
    /// --outage windows, and whether it gets through (the model `load --outage` uses).
    #[arg(long, requires = "outage", conflicts_with_all = ["payload", "status", "set", "defect"])]
    pub simulate: bool,

    /// With --simulate: the outage windows, DURATION@START[:refuse|reset|503],
    /// comma-separated, from time 0.
    #[arg(long, value_name = "SPEC", value_parser = parse_outage, requires = "simulate")]
    pub outage: Option<OutageSpec>,

    /// With --simulate: when the first attempt is sent.
    #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = parse_duration, requires = "simulate")]
    pub at: Duration,
}

fn parse_outage(text: &str) -> Result<OutageSpec, String> {
    text.parse().map_err(|e: SpecError| e.to_string())
}

/// `send --simulate`: the model's answer for one delivery, as text or JSON; exit 1 when
/// it is given up with nominal delays or at either end of the jitter.
fn simulate_one(args: &SendArgs) -> i32 {
    if !(0.0..=1.0).contains(&args.jitter) {
        return CliError::Usage(format!(
            "--jitter must be a fraction from 0 to 1, not {}",
            args.jitter
        ))
        .report();
    }
    let Some(spec) = &args.outage else {
        return CliError::Usage("--simulate needs --outage".to_owned()).report();
    };
    let schedule = RetrySchedule {
        retries: args.retries,
        backoff_base: args.backoff_base,
        jitter: args.jitter,
        timeout: args.target.timeout,
    };
    let simulation = simulate(spec, schedule, args.at);
    if args.json {
        match serde_json::to_string(&simulation) {
            Ok(json) => out(&json),
            Err(e) => report_error(&format!("cannot write the simulation as JSON: {e}")),
        }
    } else {
        out(&simulation.to_string());
    }
    if simulation.delivered_whatever_the_jitter() {
        exit_codes::OK
    } else {
        exit_codes::FAILED
    }
}

fn parse_defect(text: &str) -> Result<SenderDefect, String> {
    text.parse()
        .map_err(|e: crate::closed::UnknownName| e.to_string())
}

/// One `--set FIELD=JSON`.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// The top-level field.
    pub field: String,
    /// Its new value.
    pub value: Value,
}

fn parse_status(text: &str) -> Result<Status, String> {
    text.parse()
        .map_err(|e: crate::closed::UnknownName| e.to_string())
}

fn parse_assignment(text: &str) -> Result<Assignment, String> {
    let (field, value) = text
        .split_once('=')
        .ok_or_else(|| "expected FIELD=JSON, e.g. proofHash=null".to_owned())?;
    let field = field.trim();
    if field.is_empty() {
        return Err("the field name is empty".to_owned());
    }
    let value = serde_json::from_str(value)
        .map_err(|e| format!("the value is not JSON ({e}); quote strings: {field}='\"text\"'"))?;
    Ok(Assignment {
        field: field.to_owned(),
        value,
    })
}

/// Runs `hookcheck send`.
pub async fn run(args: SendArgs) -> i32 {
    if args.simulate {
        return simulate_one(&args);
    }
    let (sender, url, body) = match prepare(&args) {
        Ok(prepared) => prepared,
        Err(error) => return error.report(),
    };
    if url.scheme() == "http" && args.profile.profile == Profile::Cr3dentials {
        eprintln!("note: the target is plain http; Cr3dentials delivers over HTTPS only");
    }
    let delivery = if args.json {
        let delivery = sender.deliver(&url, body).await;
        match serde_json::to_string(&delivery) {
            Ok(json) => out(&json),
            Err(e) => report_error(&format!("cannot write the attempt log as JSON: {e}")),
        }
        delivery
    } else {
        let max_attempts = sender.config().max_attempts();
        let plural = if max_attempts == 1 { "" } else { "s" };
        out(&format!(
            "POST {} ({} bytes, at most {max_attempts} attempt{plural})",
            crate::transport::display_url(&url),
            body.len(),
        ));
        let delivery = sender
            .deliver_observed(&url, body, |attempt| out(&attempt.to_string()))
            .await;
        out(&delivery.summary());
        delivery
    };
    outcome_code(&delivery)
}

fn outcome_code(delivery: &Delivery) -> i32 {
    if delivery.delivered {
        exit_codes::OK
    } else {
        exit_codes::FAILED
    }
}

/// Everything a user can get wrong, checked before anything is sent.
fn prepare(args: &SendArgs) -> Result<(Sender, Url, Bytes), CliError> {
    let url = args.target.required_url()?;
    let signing = args.profile.secret()?;
    let body = build_body(args).map_err(CliError::Usage)?;
    let body = match (&signing, args.payload.is_none()) {
        (Some(_), true) => standard_webhooks_event(args, &body)?,
        _ => body,
    };
    let config = SenderConfig {
        client: args.target.settings()?,
        retries: args.retries,
        backoff_base: args.backoff_base,
        jitter: args.jitter,
        defect: args.defect,
        signing,
        ..SenderConfig::default()
    };
    let sender = Sender::new(config).map_err(|e| {
        let message = with_causes(&e);
        if e.is_usage() {
            CliError::Usage(message)
        } else {
            CliError::Unavailable(message)
        }
    })?;
    Ok((sender, url, body))
}

/// The body: a built payload for `--status` or the `--payload` file, with `--set` applied.
fn build_body(args: &SendArgs) -> Result<Bytes, String> {
    let (mut object, source) = match (&args.payload, args.status) {
        (Some(path), _) => {
            let bytes = std::fs::read(path)
                .map_err(|e| format!("cannot read payload file `{}`: {e}", path.display()))?;
            if args.set.is_empty() {
                return Ok(bytes.into());
            }
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(Value::Object(object)) => (object, format!("`{}`", path.display())),
                _ => {
                    return Err(format!(
                        "--set needs a payload that is a JSON object, and `{}` is not one",
                        path.display()
                    ));
                }
            }
        }
        (None, Some(status)) => {
            let payload = PayloadBuilder::new(status).build();
            if args.set.is_empty() {
                return Ok(payload.to_json_bytes().into());
            }
            match payload.to_value() {
                Value::Object(object) => (object, "the built payload".to_owned()),
                _ => (Map::new(), String::new()),
            }
        }
        (None, None) => return Err("give --status or --payload".to_owned()),
    };
    for Assignment { field, value } in &args.set {
        object.insert(field.clone(), value.clone());
    }
    serde_json::to_vec(&Value::Object(object))
        .map(Bytes::from)
        .map_err(|e| format!("cannot serialize {source} after --set: {e}"))
}

/// The built payload as a Standard Webhooks event: type `verification.<status>` (lower
/// case), the payload as `data`.
fn standard_webhooks_event(args: &SendArgs, payload: &[u8]) -> Result<Bytes, CliError> {
    let status = args
        .status
        .map_or("completed".to_owned(), |s| s.as_str().to_ascii_lowercase());
    let data: Value = serde_json::from_slice(payload)
        .map_err(|e| CliError::Usage(format!("the payload after --set is not JSON: {e}")))?;
    let message = Message::new(&format!("verification.{status}"), data);
    Ok(message.body().into())
}

/// An error and its sources on one line, `a: b: c`.
fn with_causes(error: &dyn Error) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        line.push_str(": ");
        line.push_str(&cause.to_string());
        source = cause.source();
    }
    line
}

/// Prints one line on stdout; a closed stdout (`| head`) is not worth a panic.
fn out(line: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_values_must_be_json() {
        let set = parse_assignment("proofHash=null").unwrap();
        assert_eq!(set.field, "proofHash");
        assert_eq!(set.value, Value::Null);
        assert_eq!(parse_assignment("sessionId=\"abc\"").unwrap().value, "abc");
        assert!(
            parse_assignment("sessionId=abc")
                .unwrap_err()
                .contains("not JSON")
        );
        assert!(parse_assignment("=1").is_err());
        assert!(parse_assignment("noequals").is_err());
    }

    #[test]
    fn the_auth_argument_never_prints_in_debug() {
        let secret: crate::cli::AuthArg = "X-API-Key: s3cret".parse().unwrap();
        assert!(!format!("{secret:?}").contains("s3cret"));
    }
}
