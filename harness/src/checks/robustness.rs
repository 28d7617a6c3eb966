//! Robustness family (SPEC §3 ¶7, [D-12]): any input at all is answered within the timeout,
//! without the handler crashing, and the receiver keeps serving; bad input gets 4xx (or 2xx
//! where allowed), not 5xx; unprocessable input causes no side effect.
//!
//! Bad inputs go one at a time, each followed by a liveness probe (a valid delivery), so
//! that a crash or hang is pinned on the input that caused it. Once the target stops
//! answering, the remaining inputs get no verdict, with the cause, rather than a misleading one.

use std::time::Instant;

use reqwest::Method;

use super::kit::{Controls, Ctx, Probe, Sent, Verdict, VerdictOutcome};
use crate::duration::format_duration;
use crate::generate::{BadInput, BadRequest, Drawn, InputGrade};
use crate::spec::Status;
use crate::transport::FailureClass;

/// The check that counts the effects of the liveness probes.
const LIVENESS_ONCE: &str = "robustness/liveness-processed-once";

/// Runs the robustness checks.
pub async fn run(ctx: &Ctx) {
    let wanted = |input: BadInput| {
        let ids = Ids::of(input);
        ctx.selected(LIVENESS_ONCE) || ctx.any_selected([&ids.keeps, &ids.no_5xx, &ids.no_effect])
    };
    if !BadInput::ALL.iter().any(|&input| wanted(input)) {
        return;
    }
    let mut controls = Controls::new();
    // Without a status the target answers, keeps-serving cannot be observed; the other
    // checks of each input still can.
    let liveness = liveness_status(ctx, &mut controls).await;
    let mut dead_after = match &liveness {
        Err(NoLiveness { cause, dead: true }) => Some(cause.clone()),
        _ => None,
    };
    for input in BadInput::ALL {
        let ids = Ids::of(input);
        if !wanted(input) {
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
        if let Some(cause) = one_input(ctx, input, &ids, &liveness, &mut controls).await {
            dead_after = Some(cause);
        }
    }
    controls.expect(
        ctx,
        LIVENESS_ONCE,
        "no liveness probe was sent (no input was sent to follow)",
    );
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
            keeps: format!("robustness/keeps-serving/{}", input.as_str()),
            no_5xx: format!("robustness/no-5xx-for-bad-input/{}", input.as_str()),
            no_effect: format!("robustness/no-effect-for-unprocessable/{}", input.as_str()),
        }
    }
}

/// A status whose valid delivery the target answers 2xx before any bad input, for the
/// liveness probes: a target that is slow on one status must not look dead after every
/// input. One delivery of each status goes out at once. `Err` says why none is: `dead`
/// when none got any answer at all.
async fn liveness_status(ctx: &Ctx, controls: &mut Controls) -> Result<Drawn, NoLiveness> {
    let sent = ctx.liveness_controls("robustness/liveness-control").await;
    for (drawn, sent) in &sent {
        let probe = ctx.drawn_delivery(drawn);
        controls.add(
            format!("the {} liveness control", drawn.status),
            &probe,
            sent,
        );
    }
    if let Some((drawn, _)) = sent.iter().find(|(_, sent)| sent.is_2xx()) {
        return Ok(drawn.clone());
    }
    let answers: Vec<String> = sent
        .iter()
        .map(|(drawn, sent)| format!("{}: {}", drawn.status, sent.describe()))
        .collect();
    let dead = sent.iter().all(|(_, sent)| sent.failure().is_some());
    let cause = if dead {
        format!(
            "the target stopped answering: no valid delivery got an answer before the bad inputs ({})",
            answers.join("; ")
        )
    } else {
        format!(
            "no valid delivery was answered 2xx before the bad inputs ({}), so whether the target keeps serving cannot be observed",
            answers.join("; ")
        )
    };
    Err(NoLiveness { cause, dead })
}

/// Why there is no liveness probe.
struct NoLiveness {
    cause: String,
    /// No delivery got any answer: the target is taken for dead.
    dead: bool,
}

/// Sends one input and its liveness probe, reports, and returns why the target is to be
/// taken for dead, if it is.
async fn one_input(
    ctx: &Ctx,
    input: BadInput,
    ids: &Ids,
    liveness: &Result<Drawn, NoLiveness>,
    controls: &mut Controls,
) -> Option<String> {
    let started = Instant::now();
    let payload = ctx.draw_payload(Status::Completed, &format!("robustness/{}", input.as_str()));
    let request = input.request(&payload);
    let probe = probe_of(ctx, &request);
    // A receiver may answer 413 before it has read a huge body and close: the raw client
    // reads an answer that arrives while it is still writing.
    let sent = if input.may_close() {
        ctx.send_raw(&probe).await
    } else {
        ctx.send(&probe).await
    };
    let liveness = match liveness {
        // The features the target accepted before any bad input, in a fresh session.
        Ok(accepted) => {
            let probe = ctx.drawn_delivery(&accepted.fresh());
            let sent = ctx.send(&probe).await;
            controls.add(format!("the liveness probe after {input}"), &probe, &sent);
            Ok(sent)
        }
        Err(none) => Err(none.cause.clone()),
    };
    if ctx.selected(&ids.keeps) {
        let verdict = match &liveness {
            Ok(liveness) => keeps_serving(ctx, input, &sent, liveness),
            Err(cause) => ctx
                .expect_answer(&sent, input.may_close())
                .unwrap_or_else(|| Verdict::no_verdict("", cause.clone()).with_sent(&sent)),
        };
        ctx.report(&ids.keeps, started, verdict);
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
    let liveness = liveness.ok()?;
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

/// How a bad input was answered, as [`no_5xx`] grades it (SPEC [D-12], [D-17]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    /// 100–199 as the final answer.
    Informational,
    /// 200–299.
    Success,
    /// 300–399.
    Redirect,
    /// 400–499.
    ClientError,
    /// 500–599.
    ServerError,
    /// A status outside 100–599.
    OutOfRange,
    /// No complete answer within the timeout.
    Timeout,
    /// The connection closed before an answer.
    Closed,
    /// The connection was refused: the target is down.
    Unreachable,
    /// Something that is not an HTTP answer, or a failed TLS session.
    NotHttp,
}

impl Answer {
    fn of(sent: &Sent) -> Answer {
        if let Some(status) = sent.status() {
            return match status {
                100..=199 => Answer::Informational,
                200..=299 => Answer::Success,
                300..=399 => Answer::Redirect,
                400..=499 => Answer::ClientError,
                500..=599 => Answer::ServerError,
                _ => Answer::OutOfRange,
            };
        }
        match sent.failure_class() {
            Some(FailureClass::Timeout) => Answer::Timeout,
            Some(FailureClass::Closed) => Answer::Closed,
            Some(FailureClass::Connect) => Answer::Unreachable,
            // A single exchange has a response whatever its status: a status or redirect
            // failure without one is not an answer either.
            Some(
                FailureClass::Protocol
                | FailureClass::Tls
                | FailureClass::Status
                | FailureClass::Redirect,
            )
            | None => Answer::NotHttp,
        }
    }
}

/// Grades the answer to a bad input: 4xx is the right answer; 2xx is allowed (SPEC [D-12]:
/// off-contract input may be accepted, unprocessable input acknowledged and ignored; its
/// effect is graded by no-effect-for-unprocessable); a redirect refuses the input in
/// effect, since the sender does not follow it; 5xx, or a status outside HTTP's classes,
/// is the finding. No answer leaves no status to grade: keeps-serving grades that.
fn no_5xx(input: BadInput, sent: &Sent) -> Verdict {
    let expected = "4xx (or 2xx where SPEC [D-12] allows it)";
    let holds = |why: &str| {
        Verdict::new(
            VerdictOutcome::Holds,
            expected,
            format!("{} ({why})", sent.describe()),
        )
    };
    let verdict = match Answer::of(sent) {
        Answer::ClientError => holds("refused"),
        Answer::Success => match input.grade() {
            InputGrade::OffContract => holds("accepted: off-contract input may be"),
            InputGrade::Unprocessable => {
                holds("acknowledged: unprocessable input may be, if it causes no effect")
            }
        },
        Answer::Redirect => holds("a redirect, not followed: the input is refused in effect"),
        Answer::ServerError => Verdict::new(VerdictOutcome::Broken, expected, sent.describe()),
        Answer::Informational | Answer::OutOfRange => Verdict::new(
            VerdictOutcome::Broken,
            expected,
            format!("{}: not a final answer HTTP defines", sent.describe()),
        ),
        Answer::Closed if input.may_close() => Verdict::skip(format!(
            "no status to grade: the target refused the input by closing the connection ({})",
            sent.describe()
        )),
        Answer::Timeout | Answer::Closed | Answer::Unreachable | Answer::NotHttp => {
            Verdict::no_verdict(
                expected,
                format!(
                    "no status to grade: {} (see robustness/keeps-serving/{input})",
                    sent.describe()
                ),
            )
        }
    };
    verdict.with_sent(sent)
}
