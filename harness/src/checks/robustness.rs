//! Robustness family (SPEC §3 ¶8, [D-12]): any input at all is answered within the timeout,
//! without the handler crashing, and the receiver keeps serving; bad input gets 4xx (or 2xx
//! where allowed), not 5xx; unprocessable input causes no side effect.
//!
//! Bad inputs go one at a time, each followed by a liveness probe (a valid delivery), so
//! that a crash or hang is pinned on the input that caused it. Once the target stops
//! answering, the remaining inputs get no verdict, with the cause, rather than a misleading one.

use std::time::Instant;

use reqwest::Method;

use super::kit::{Ctx, Probe, Sent, Verdict, VerdictOutcome};
use crate::generate::{BadInput, BadRequest};
use crate::sender::format_duration;
use crate::spec::Status;

/// Runs the robustness checks.
pub async fn run(ctx: &Ctx) {
    let mut dead_after: Option<String> = None;
    for &input in BadInput::ALL {
        let ids = Ids::of(input);
        if !ctx.any_selected([&ids.keeps, &ids.no_5xx, &ids.no_effect]) {
            continue;
        }
        if let Some(cause) = dead_after.clone().or_else(|| ctx.down()) {
            for id in [&ids.keeps, &ids.no_5xx, &ids.no_effect] {
                if ctx.selected(id) {
                    ctx.report(id, Instant::now(), Verdict::no_verdict("", cause.clone()));
                }
            }
            continue;
        }
        if let Some(cause) = one_input(ctx, input, &ids).await {
            dead_after = Some(cause);
        }
    }
}

/// The three check ids of one input.
struct Ids {
    keeps: String,
    no_5xx: String,
    no_effect: String,
}

impl Ids {
    fn of(input: BadInput) -> Ids {
        Ids {
            keeps: format!("robustness/keeps-serving/{}", input.id()),
            no_5xx: format!("robustness/no-5xx-for-bad-input/{}", input.id()),
            no_effect: format!("robustness/no-effect-for-unprocessable/{}", input.id()),
        }
    }
}

/// Sends one input and its liveness probe, reports, and returns why the target is to be
/// taken for dead, if it is.
async fn one_input(ctx: &Ctx, input: BadInput, ids: &Ids) -> Option<String> {
    let started = Instant::now();
    let payload = ctx
        .payload(Status::Completed, &format!("robustness/{}", input.id()))
        .build();
    let request = input.request(&payload);
    let probe = probe_of(ctx, &request);
    // A receiver may answer 413 before it has read a huge body and close: the raw client
    // reads an answer that arrives while it is still writing.
    let sent = if input.may_close() {
        ctx.send_raw(&probe).await
    } else {
        ctx.send(&probe).await
    };
    let liveness_body = ctx
        .payload(Status::Completed, &format!("{}/liveness", ids.keeps))
        .build()
        .to_json_bytes();
    let liveness = ctx.send(&ctx.delivery(liveness_body)).await;
    if ctx.selected(&ids.keeps) {
        ctx.report(
            &ids.keeps,
            started,
            keeps_serving(ctx, input, &sent, &liveness),
        );
    }
    if ctx.selected(&ids.no_5xx) {
        ctx.report(&ids.no_5xx, started, no_5xx(input, &sent));
    }
    if let Some(session) = &request.observed_session {
        ctx.expect_no_effect(
            &ids.no_effect,
            session,
            &format!("the {input} input"),
            &sent,
        );
    }
    (!liveness.is_2xx() && liveness.failure().is_some()).then(|| {
        format!(
            "the target stopped answering after the `{input}` input: a valid delivery then got {}",
            liveness.describe()
        )
    })
}

/// The request of a bad input, with the run's headers.
fn probe_of(ctx: &Ctx, request: &BadRequest) -> Probe {
    let mut probe = ctx.delivery(request.body.clone()).untimed();
    probe.method = Method::from_bytes(request.method.as_bytes()).unwrap_or(Method::POST);
    match request.content_type {
        Some(content_type) => probe.replacing("content-type", content_type),
        None => probe.without("content-type"),
    }
}

fn keeps_serving(ctx: &Ctx, input: BadInput, sent: &Sent, liveness: &Sent) -> Verdict {
    if let Some(verdict) = ctx.expect_answer(sent, input.may_close()) {
        return verdict;
    }
    let expected = format!(
        "an answer within {}, then 2xx for a valid delivery",
        format_duration(ctx.timeout)
    );
    let answer = match sent.failure() {
        Some(_) => format!("refused by closing the connection ({})", sent.describe()),
        None => format!("answered {}", sent.describe()),
    };
    let actual = format!(
        "{answer}; a valid delivery then got {}",
        liveness.describe()
    );
    let outcome = if liveness.is_2xx() {
        VerdictOutcome::Holds
    } else {
        VerdictOutcome::Broken
    };
    Verdict::new(outcome, expected, actual)
        .with_sent(sent)
        .with_exchanges([liveness])
}

fn no_5xx(input: BadInput, sent: &Sent) -> Verdict {
    let expected = "4xx (or 2xx where SPEC [D-12] allows it)";
    let verdict = match sent.status() {
        Some(status) if status >= 500 => {
            Verdict::new(VerdictOutcome::Broken, expected, sent.describe())
        }
        Some(_) => Verdict::new(VerdictOutcome::Holds, expected, sent.describe()),
        None if input.may_close() && !sent.unreachable() => Verdict::skip(format!(
            "no status to grade: the target refused the input by closing the connection ({})",
            sent.describe()
        )),
        None => Verdict::no_verdict(
            expected,
            format!(
                "no status to grade: {} (see robustness/keeps-serving/{input})",
                sent.describe()
            ),
        ),
    };
    verdict.with_sent(sent)
}
