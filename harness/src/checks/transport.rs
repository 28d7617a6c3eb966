//! Transport family (SPEC §3 ¶6, ¶10, §2): HTTPS, a certificate that validates for the
//! host, and no redirect for a valid delivery.
//!
//! These are graded by the preflight: the first valid delivery of a run, sent with full
//! certificate verification. The preflight also decides whether the target can be graded
//! at all.

use std::time::{Duration, Instant};

use bytes::Bytes;

use super::kit::{RunConfig, Verdict, VerdictOutcome, header_list};
use crate::repro::{AuthRepro, ReproRequest, curl};
use crate::sender::{ClientTls, Exchange, Exchanged, FailureClass, Sender, SenderConfig};
use crate::spec::{PayloadBuilder, Status};

/// What the preflight found.
pub struct Preflight {
    /// The client the rest of the run uses, or why the target cannot be graded.
    pub sender: Result<Sender, String>,
    /// Whether that client skips certificate checks because the certificate failed them.
    pub insecure: bool,
    /// Verdicts for the transport checks.
    pub verdicts: Vec<(&'static str, Instant, Verdict)>,
    /// How long the answered preflight delivery took: the target's typical latency.
    pub latency: Duration,
    /// What the user should know about how the run was graded.
    pub notes: Vec<String>,
}

/// Sends one valid delivery with verification and grades transport from it.
pub async fn preflight(config: &RunConfig, verifying: &Sender, base: &SenderConfig) -> Preflight {
    let started = Instant::now();
    let body = PayloadBuilder::new(Status::Completed)
        .seed(config.seed ^ 0x5052_4546_4c49_4748)
        .build()
        .to_json_bytes();
    let mut exchange = Exchange::post(config.target.clone(), Bytes::from(body));
    exchange.headers = verifying.delivery_headers();
    let headers = header_list(&exchange.headers);
    let repro = repro_of(config, &exchange, &headers);
    let first = verifying.exchange(exchange.clone()).await;
    let is_https = config.target.scheme() == "https";
    let mut verdicts = Vec::new();

    let (sender, insecure, answered): (Sender, bool, Exchanged) = match &first.outcome {
        Err(e) if e.class == FailureClass::Tls && config.tls != ClientTls::Insecure => {
            // The certificate failed; grade it, then see whether the rest can be graded.
            let insecure = match Sender::new(base.clone().tls(ClientTls::Insecure)) {
                Ok(sender) => sender,
                Err(e) => return ungradable(e.to_string()),
            };
            let second = insecure.exchange(exchange).await;
            if let Err(e2) = &second.outcome {
                return ungradable(diagnose(e2.class, &e2.message, config));
            }
            verdicts.push((
                "transport/valid-certificate",
                started,
                Verdict::new(
                    VerdictOutcome::Broken,
                    "a certificate that validates for the host",
                    format!("{e}"),
                )
                .with_repro(repro.clone()),
            ));
            (insecure, true, second)
        }
        Err(e) => return ungradable(diagnose(e.class, &e.message, config)),
        Ok(_) => {
            let certificate = if !is_https {
                Verdict::skip("plain-http target: there is no certificate to check")
            } else if config.tls == ClientTls::Insecure {
                Verdict::skip("--insecure: the certificate was not verified")
            } else {
                Verdict::new(
                    VerdictOutcome::Holds,
                    "a certificate that validates for the host",
                    "verified: chain, host name and expiry",
                )
            };
            verdicts.push(("transport/valid-certificate", started, certificate));
            (verifying.clone(), false, first)
        }
    };

    let https = if is_https {
        Verdict::new(
            VerdictOutcome::Holds,
            "https",
            "https: TLS handshake completed",
        )
    } else {
        // Plain http is allowed for local CI runs: reported, never failed.
        Verdict::new(
            VerdictOutcome::Warn,
            "https (SPEC: HTTPS only, with a valid certificate)",
            "plain http: acceptable for a local run, not for production",
        )
        .with_repro(repro.clone())
    };
    verdicts.push(("transport/https", started, https));

    let response = answered
        .outcome
        .as_ref()
        .expect("only an answered preflight gets here");
    let redirect = if response.status.is_redirection() {
        let location = response
            .headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("no Location");
        Verdict::new(
            VerdictOutcome::Broken,
            "no 3xx (redirects are not followed: the delivery fails)",
            format!("{} to {location}", response.status.as_u16()),
        )
        .with_repro(repro)
    } else {
        Verdict::new(
            VerdictOutcome::Holds,
            "no 3xx (redirects are not followed: the delivery fails)",
            format!("answered {}", response.status.as_u16()),
        )
    };
    verdicts.push(("transport/no-redirect", started, redirect));

    let mut notes = Vec::new();
    if insecure {
        notes.push(
            "the certificate failed verification: the rest of the run went on without verifying it"
                .to_owned(),
        );
    }
    let status = response.status.as_u16();
    if config.auth.is_none() && (status == 401 || status == 403) {
        notes.push(format!(
            "a valid delivery without an auth header was answered {status}: if the target expects one, give it with --auth 'Name: value'"
        ));
    }
    Preflight {
        sender: Ok(sender),
        insecure,
        verdicts,
        latency: answered.duration,
        notes,
    }
}

/// The repro line of the preflight delivery.
fn repro_of(config: &RunConfig, exchange: &Exchange, headers: &[(String, Vec<u8>)]) -> String {
    curl(&ReproRequest {
        method: exchange.method.as_str(),
        url: exchange.url.as_str(),
        headers,
        body: &exchange.body,
        auth: config.auth.as_ref(),
        auth_repro: Some(&AuthRepro::Secret),
        body_file: None,
    })
}

fn ungradable(reason: String) -> Preflight {
    Preflight {
        sender: Err(reason),
        insecure: false,
        verdicts: Vec::new(),
        latency: Duration::ZERO,
        notes: Vec::new(),
    }
}

/// Says why the first delivery got no answer, in terms a user can act on.
fn diagnose(class: FailureClass, message: &str, config: &RunConfig) -> String {
    match class {
        FailureClass::Connect => format!("the connection failed ({message})"),
        FailureClass::Timeout => format!(
            "the target accepted the delivery but sent no complete response within {} (it hangs)",
            crate::sender::format_duration(config.timeout)
        ),
        FailureClass::Tls => format!("no TLS handshake is possible ({message})"),
        FailureClass::Protocol => {
            format!("the target answered something that is not HTTP ({message})")
        }
        FailureClass::Status | FailureClass::Redirect => message.to_owned(),
    }
}
