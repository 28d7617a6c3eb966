//! Transport family (SPEC §3 ¶5, ¶9, §2): HTTPS, a certificate that validates for the
//! host, and no redirect for any valid delivery.
//!
//! The preflight, the run's first valid delivery, is sent with full certificate
//! verification and grades the first two. It decides only whether anything can be
//! delivered at all: a refused connection, no TLS handshake or an answer that is not HTTP
//! leave nothing to grade; a slow or closed answer is a failed delivery, graded like any
//! other by the rest of the run.

use std::time::{Duration, Instant};

use bytes::Bytes;

use super::kit::{Ctx, Face, RunConfig, Verdict, VerdictOutcome, header_list};
use crate::generate::{Drawn, Pin};
use crate::repro::{AuthRepro, ReproRequest, curl};
use crate::sender::{Sender, SenderConfig};
use crate::spec::Status;
use crate::standard_webhooks::{Message, Recipe, unix_now};
use crate::transport::tls::ClientTls;
use crate::transport::{Exchange, Exchanged, FailureClass};
use reqwest::header::HeaderValue;

/// What the preflight found.
pub struct Preflight {
    /// The client the rest of the run uses, or why nothing can be delivered to the target.
    pub sender: Result<Sender, String>,
    /// Whether that client skips certificate checks because the certificate failed them.
    pub insecure: bool,
    /// Verdicts for the transport checks it grades.
    pub verdicts: Vec<(&'static str, Instant, Verdict)>,
    /// The delivery: its payload (a Cr3dentials one), what came back, and its repro line.
    pub delivery: Option<(Option<Drawn>, Exchanged, String)>,
    /// What the user should know about how the run was graded.
    pub notes: Vec<String>,
}

impl Preflight {
    /// How long the delivery took: the target's typical latency.
    pub fn latency(&self) -> Duration {
        self.delivery
            .as_ref()
            .map_or(Duration::ZERO, |(_, exchanged, _)| exchanged.duration)
    }

    /// The delivery's payload, and whether the target accepted it (answered 2xx).
    pub fn first_delivery(&self) -> Option<(Drawn, bool)> {
        let (payload, exchanged, _) = self.delivery.as_ref()?;
        let accepted = exchanged.outcome.as_ref();
        Some((
            payload.clone()?,
            accepted.is_ok_and(|r| r.status.is_success()),
        ))
    }
}

/// Sends one valid delivery with verification and grades transport from it.
pub async fn preflight(
    config: &RunConfig,
    face: &Face,
    verifying: &Sender,
    base: &SenderConfig,
) -> Preflight {
    let started = Instant::now();
    let (payload, exchange) = first_delivery(config, face, verifying);
    let repro = repro_of(config, &exchange);
    let first = verifying.exchange(exchange.clone()).await;
    let mut verdicts = Vec::new();

    let (sender, insecure, answered) = match first.outcome.as_ref().err().map(|e| e.class) {
        Some(FailureClass::Tls) if config.client.tls != ClientTls::Insecure => {
            // The certificate failed; grade it, then see whether the rest can be graded.
            let (insecure, second) = match retry_insecure(base, exchange).await {
                Ok(pair) => pair,
                Err(reason) => return ungradable(reason),
            };
            let verdict = certificate_failed(config, &first).with_repro(repro.clone());
            verdicts.push(("transport/valid-certificate", started, verdict));
            (insecure, true, second)
        }
        _ => {
            if let Some(reason) = undeliverable(&first) {
                return ungradable(reason);
            }
            verdicts.push((
                "transport/valid-certificate",
                started,
                certificate(config, &first),
            ));
            (verifying.clone(), false, first)
        }
    };
    verdicts.push(("transport/https", started, https(config, &answered, &repro)));
    let notes = notes(config, insecure, &answered);
    Preflight {
        sender: Ok(sender),
        insecure,
        verdicts,
        delivery: Some((payload, answered, repro)),
        notes,
    }
}

/// The run's first delivery under its profile: a drawn Cr3dentials payload, or a Standard
/// Webhooks message signed with the run's secret.
fn first_delivery(
    config: &RunConfig,
    face: &Face,
    verifying: &Sender,
) -> (Option<Drawn>, Exchange) {
    let mut headers = verifying.delivery_headers();
    let (payload, body) = match face {
        Face::StandardWebhooks(secret) => {
            let message = Message::new("hookcheck.preflight", serde_json::json!({}));
            let attempt =
                Recipe::genuine(&message.id, 0, message.body()).attempt(secret, unix_now());
            for (name, value) in &attempt.headers {
                if let Ok(value) = HeaderValue::from_str(value) {
                    headers.insert(name.as_str(), value);
                }
            }
            (None, attempt.body)
        }
        Face::Cr3dentials => {
            let drawn = Drawn::draw(
                config.seed,
                "transport/preflight",
                Status::Completed,
                &Pin::ANY,
            );
            let body = drawn.to_bytes();
            (Some(drawn), body)
        }
    };
    let mut exchange = Exchange::post(config.target.clone(), Bytes::from(body));
    exchange.headers = headers;
    (payload, exchange)
}

const CERTIFICATE: &str = "a certificate that validates for the host";

/// Why a certificate verified against `--ca-cert` is not verified (SPEC §2 ¶7, [D-18]).
pub const OWN_CA: &str = "--ca-cert: the certificate was verified against your own CA, not against the public roots the provider verifies it with; run without --ca-cert against a certificate from a public CA to verify it";

/// The certificate failed against `--ca-cert`: what that says, and what it does not.
fn own_ca_failed(first: &Exchanged) -> String {
    let failure = failure_of(first);
    format!(
        "the certificate failed verification against --ca-cert ({failure}); whether it validates against the public roots the provider uses was not checked"
    )
}

/// The certificate verdict when verification failed: broken, except against the user's
/// own CA, which says nothing about the public roots.
fn certificate_failed(config: &RunConfig, first: &Exchanged) -> Verdict {
    if matches!(config.client.tls, ClientTls::CaFile(_)) {
        Verdict::no_verdict(CERTIFICATE, own_ca_failed(first))
    } else {
        Verdict::new(VerdictOutcome::Broken, CERTIFICATE, failure_of(first))
    }
}

/// The preflight again without verification, to grade the rest of the run.
async fn retry_insecure(
    base: &SenderConfig,
    exchange: Exchange,
) -> Result<(Sender, Exchanged), String> {
    let insecure = Sender::new(base.clone().tls(ClientTls::Insecure)).map_err(|e| e.to_string())?;
    let second = insecure.exchange(exchange).await;
    match undeliverable(&second) {
        Some(reason) => Err(reason),
        None => Ok((insecure, second)),
    }
}

fn certificate(config: &RunConfig, first: &Exchanged) -> Verdict {
    if config.target.scheme() != "https" {
        Verdict::skip("plain-http target: there is no certificate to check")
    } else if config.client.tls == ClientTls::Insecure {
        Verdict::skip("--insecure: the certificate was not verified")
    } else if matches!(config.client.tls, ClientTls::CaFile(_)) && first.outcome.is_ok() {
        Verdict::skip(OWN_CA)
    } else if first.outcome.is_ok() {
        Verdict::new(
            VerdictOutcome::Holds,
            CERTIFICATE,
            "verified: chain, host name and expiry",
        )
    } else {
        Verdict::no_verdict(CERTIFICATE, no_answer(first))
    }
}

fn https(config: &RunConfig, answered: &Exchanged, repro: &str) -> Verdict {
    let expected = format!(
        "https ({}: HTTPS only, with a valid certificate)",
        config.profile.citation()
    );
    if config.target.scheme() != "https" {
        // Plain http is allowed for local CI runs: reported, never failed, never passed.
        return Verdict::skip(
            "plain-http target: acceptable for a local run, but production must serve HTTPS",
        )
        .with_repro(repro.to_owned());
    }
    match &answered.outcome {
        Ok(_) => Verdict::new(
            VerdictOutcome::Holds,
            expected,
            "https: TLS handshake completed",
        ),
        Err(_) => Verdict::no_verdict(&expected, no_answer(answered)),
    }
}

fn no_answer(exchanged: &Exchanged) -> String {
    let failure = failure_of(exchanged);
    format!(
        "the first delivery got no answer, so the TLS session was not seen to complete ({failure})"
    )
}

fn notes(config: &RunConfig, insecure: bool, answered: &Exchanged) -> Vec<String> {
    let mut notes = Vec::new();
    if insecure {
        notes.push(
            "the certificate failed verification: the rest of the run went on without verifying it"
                .to_owned(),
        );
    }
    let status = answered.outcome.as_ref().map(|r| r.status.as_u16()).ok();
    if config.client.auth.is_none() && matches!(status, Some(401 | 403)) {
        notes.push(format!(
            "a valid delivery without an auth header was answered {}: if the target expects one, give it with --auth 'Name: value'",
            status.unwrap_or_default()
        ));
    }
    notes
}

/// Why nothing at all can be delivered, judging by the first delivery: the connection was
/// refused, there is no TLS handshake, or the answer is not HTTP. `None` when it reached
/// the target, whatever the target then did with it.
fn undeliverable(exchanged: &Exchanged) -> Option<String> {
    let failure = exchanged.outcome.as_ref().err()?;
    let message = &failure.message;
    match failure.class {
        FailureClass::Connect => Some(format!("the connection failed ({message})")),
        FailureClass::Tls => Some(format!("no TLS handshake is possible ({message})")),
        FailureClass::Protocol => Some(format!(
            "the target answered something that is not HTTP ({message})"
        )),
        FailureClass::Timeout
        | FailureClass::Closed
        | FailureClass::Status
        | FailureClass::Redirect => None,
    }
}

/// The repro line of the preflight delivery.
fn repro_of(config: &RunConfig, exchange: &Exchange) -> String {
    let headers = header_list(&exchange.headers);
    curl(&ReproRequest {
        method: exchange.method.as_str(),
        url: exchange.url.as_str(),
        headers: &headers,
        body: &exchange.body,
        auth: config.client.auth.as_ref(),
        secrets: &config.client.secret_names(),
        auth_repro: Some(&AuthRepro::Secret),
        body_file: None,
    })
}

fn ungradable(reason: String) -> Preflight {
    Preflight {
        sender: Err(reason),
        insecure: false,
        verdicts: Vec::new(),
        delivery: None,
        notes: Vec::new(),
    }
}

/// Grades every valid delivery of the run: none may be answered 3xx (SPEC [D-7]).
pub fn no_redirect(ctx: &Ctx) {
    let id = "transport/no-redirect";
    if !ctx.selected(id) {
        return;
    }
    let started = Instant::now();
    let total = ctx.valid_deliveries();
    let (count, first) = ctx
        .redirects
        .lock()
        .expect("redirect lock is never poisoned")
        .clone();
    let expected = "no 3xx for any valid delivery (redirects are not followed: the delivery fails)";
    let verdict = match first {
        _ if total == 0 => Verdict::skip("no valid delivery was sent"),
        None => Verdict::new(
            VerdictOutcome::Holds,
            expected,
            format!("none of {total} valid deliveries was redirected"),
        ),
        Some((answer, repro)) => Verdict::new(
            VerdictOutcome::Broken,
            expected,
            format!(
                "{count} of {total} valid deliveries were answered with a redirect, e.g. {answer}"
            ),
        )
        .with_repro(repro),
    };
    ctx.report(id, started, verdict);
}

/// What went wrong with an exchange, or nothing when it was answered.
fn failure_of(exchanged: &Exchanged) -> String {
    exchanged
        .outcome
        .as_ref()
        .err()
        .map(ToString::to_string)
        .unwrap_or_default()
}
