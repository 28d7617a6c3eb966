//! Robustness family (SPEC §3 ¶8, [D-12]): after any input at all the receiver answers
//! within the timeout and keeps serving; bad input gets 4xx (or 2xx where allowed), not
//! 5xx; unprocessable input causes no side effect.
//!
//! Bad inputs go one at a time, each followed by a liveness probe (a valid delivery), so
//! that a crash or hang is pinned on the input that caused it. Once the target stops
//! answering, the remaining inputs get no verdict rather than a misleading one.

use std::time::Instant;

use reqwest::Method;
use serde_json::{Value, json};

use super::kit::NO_EFFECTS_PROBE;
use super::kit::{Ctx, Probe, Sent, Verdict, VerdictOutcome};
use crate::catalogue::{BAD_INPUT_VARIANTS, UNPROCESSABLE_WITH_SESSION_VARIANTS};
use crate::sender::FailureClass;
use crate::spec::Status;

/// The size of the oversized body: far past any sensible limit (SPEC §3 ¶8).
pub const OVERSIZED_BODY_BYTES: usize = 8 * 1024 * 1024;
/// How deep the deeply nested body nests.
pub const NESTING_DEPTH: usize = 10_000;

/// One bad input: its variant, the session it names (if any), and the request.
struct BadInput {
    variant: &'static str,
    session_id: Option<String>,
    probe: Probe,
}

/// Runs the robustness checks.
pub async fn run(ctx: &Ctx) {
    let inputs: Vec<BadInput> = BAD_INPUT_VARIANTS
        .iter()
        .chain(std::iter::once(&"status-missing"))
        .filter(|variant| wanted(ctx, variant))
        .map(|variant| bad_input(ctx, variant))
        .collect();
    let mut dead_after: Option<&'static str> = None;
    let mut sent_sessions: Vec<(&'static str, String, String)> = Vec::new();

    for input in &inputs {
        let keeps_id = format!("robustness/keeps-serving/{}", input.variant);
        let no_5xx_id = format!("robustness/no-5xx-for-bad-input/{}", input.variant);
        let effect_id = format!("robustness/no-effect-for-unprocessable/{}", input.variant);
        if let Some(culprit) = dead_after {
            let reason = format!("the target stopped answering after `{culprit}`");
            for id in [&keeps_id, &no_5xx_id, &effect_id] {
                if ctx.selected(id) {
                    ctx.report(
                        id,
                        Instant::now(),
                        Verdict::new(VerdictOutcome::NoVerdict, "", reason.clone()),
                    );
                }
            }
            continue;
        }
        let started = Instant::now();
        let sent = ctx.send(&input.probe).await;
        let liveness_body = ctx
            .payload(Status::Completed, &format!("{keeps_id}/liveness"))
            .build()
            .to_json_bytes();
        let liveness = ctx.send(&ctx.delivery(liveness_body)).await;
        if liveness
            .failure()
            .is_some_and(|f| f.class == FailureClass::Connect)
        {
            dead_after = Some(input.variant);
        }
        if ctx.selected(&keeps_id) {
            ctx.report(&keeps_id, started, keeps_serving(ctx, &sent, &liveness));
        }
        if ctx.selected(&no_5xx_id) {
            ctx.report(&no_5xx_id, started, no_5xx(&sent));
        }
        if let Some(session_id) = input
            .session_id
            .as_ref()
            .filter(|_| ctx.selected(&effect_id))
        {
            sent_sessions.push((input.variant, session_id.clone(), sent.repro.clone()));
        }
    }

    if sent_sessions.is_empty() {
        return;
    }
    if ctx.effects.is_none() {
        for (variant, _, _) in &sent_sessions {
            ctx.skip(
                &format!("robustness/no-effect-for-unprocessable/{variant}"),
                NO_EFFECTS_PROBE,
            );
        }
        return;
    }
    tokio::time::sleep(ctx.settle).await;
    for (variant, session_id, repro) in sent_sessions {
        let id = format!("robustness/no-effect-for-unprocessable/{variant}");
        let started = Instant::now();
        let expected = format!("0 effects for session {session_id}");
        let verdict = match ctx.effect_count(&session_id).await {
            Some(Ok(0)) => Verdict::new(VerdictOutcome::Holds, expected, "0 effects"),
            Some(Ok(n)) => Verdict::new(VerdictOutcome::Broken, expected, format!("{n} effect(s)")),
            Some(Err(e)) => Verdict::new(VerdictOutcome::NoVerdict, expected, e),
            None => Verdict::skip(NO_EFFECTS_PROBE),
        };
        ctx.report(&id, started, verdict.with_repro(repro));
    }
}

fn wanted(ctx: &Ctx, variant: &str) -> bool {
    ctx.selected(&format!("robustness/keeps-serving/{variant}"))
        || ctx.selected(&format!("robustness/no-5xx-for-bad-input/{variant}"))
        || (UNPROCESSABLE_WITH_SESSION_VARIANTS.contains(&variant)
            && ctx.selected(&format!("robustness/no-effect-for-unprocessable/{variant}")))
}

fn keeps_serving(ctx: &Ctx, sent: &Sent, liveness: &Sent) -> Verdict {
    let expected = format!(
        "an answer within {}, then 2xx for a valid delivery",
        crate::sender::format_duration(ctx.timeout)
    );
    let hung = sent
        .failure()
        .is_some_and(|f| f.class == FailureClass::Timeout);
    if hung {
        return Verdict::new(
            VerdictOutcome::Broken,
            expected,
            format!("hung: {}", sent.describe()),
        )
        .with_repro(sent.repro.clone());
    }
    let answer = match sent.failure() {
        // Closing early (e.g. on an oversized upload) is an answer, if the target lives on.
        Some(_) => format!("connection closed without a status ({})", sent.describe()),
        None => format!("answered {}", sent.describe()),
    };
    if liveness.is_2xx() {
        Verdict::new(
            VerdictOutcome::Holds,
            expected,
            format!(
                "{answer}; a valid delivery then got {}",
                liveness.describe()
            ),
        )
    } else {
        Verdict::new(
            VerdictOutcome::Broken,
            expected,
            format!(
                "{answer}; a valid delivery then got {}",
                liveness.describe()
            ),
        )
        .with_repro(sent.repro.clone())
    }
}

fn no_5xx(sent: &Sent) -> Verdict {
    let expected = "4xx (or 2xx where SPEC [D-12] allows it)";
    match sent.status() {
        Some(status) if status >= 500 => {
            Verdict::new(VerdictOutcome::Broken, expected, sent.describe())
                .with_repro(sent.repro.clone())
        }
        Some(_) => Verdict::new(VerdictOutcome::Holds, expected, sent.describe()),
        None if sent
            .failure()
            .is_some_and(|f| f.class == FailureClass::Timeout) =>
        {
            Verdict::skip(
                "no status to grade: the target did not answer (see robustness/keeps-serving)",
            )
        }
        None => Verdict::new(
            VerdictOutcome::Holds,
            expected,
            format!("no 5xx: {}", sent.describe()),
        ),
    }
}

/// The request for one bad input.
fn bad_input(ctx: &Ctx, variant: &'static str) -> BadInput {
    let label = format!("robustness/{variant}");
    let payload = ctx.payload(Status::Completed, &label).build();
    let session_id = payload.session_id.clone();
    let mut value = payload.to_value();
    let as_bytes = |value: &Value| serde_json::to_vec(value).expect("a JSON value serializes");
    let (body, session): (Vec<u8>, bool) = match variant {
        "malformed-json" => {
            // Cut off mid-object: the sessionId is readable, the JSON is not.
            let text =
                format!(r#"{{"sessionId":"{session_id}","status":"COMPLETED","platformId":7,"#);
            (text.into_bytes(), true)
        }
        "empty-body" => (Vec::new(), false),
        "not-an-object" => (as_bytes(&json!([session_id, "COMPLETED"])), false),
        "wrong-types" => {
            value["platformId"] = json!("seven");
            value["metadata"] = json!([1, 2, 3]);
            value["externalReferenceId"] = json!(42);
            (as_bytes(&value), false)
        }
        "missing-fields" => {
            for field in ["platformId", "completedAt", "metadata"] {
                value.as_object_mut().map(|o| o.remove(field));
            }
            (as_bytes(&value), false)
        }
        "unknown-status" => {
            value["status"] = json!("VERIFIED");
            (as_bytes(&value), true)
        }
        "status-missing" => {
            value.as_object_mut().map(|o| o.remove("status"));
            (as_bytes(&value), true)
        }
        "deep-nesting" => {
            let text = String::from_utf8(as_bytes(&value)).expect("serde_json writes UTF-8");
            let nested = format!("{}{}", "[".repeat(NESTING_DEPTH), "]".repeat(NESTING_DEPTH));
            let text = text.replacen(
                "\"metadata\":{",
                &format!("\"metadata\":{{\"nested\":{nested},"),
                1,
            );
            (text.into_bytes(), false)
        }
        "oversized-body" => {
            value["metadata"]["padding"] = json!("x".repeat(OVERSIZED_BODY_BYTES));
            (as_bytes(&value), false)
        }
        "invalid-utf8" => {
            value["externalReferenceId"] = json!("INVALID_UTF8_HERE");
            let text = as_bytes(&value);
            let marker = b"INVALID_UTF8_HERE";
            let at = text
                .windows(marker.len())
                .position(|w| w == marker)
                .expect("the marker was just written");
            let mut body = text[..at].to_vec();
            body.extend_from_slice(b"caf\xe9 \xff\xfe");
            body.extend_from_slice(&text[at + marker.len()..]);
            (body, true)
        }
        _ => (as_bytes(&value), false),
    };
    let mut probe = ctx.delivery(body).untimed();
    match variant {
        "wrong-content-type" => probe = probe.replacing("content-type", "text/plain"),
        "wrong-method" => {
            probe.method = Method::GET;
            probe.body = bytes::Bytes::new();
            probe = probe.without("content-type");
        }
        _ => {}
    }
    BadInput {
        variant,
        session_id: session.then_some(session_id),
        probe,
    }
}
