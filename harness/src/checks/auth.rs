//! Auth family (SPEC §3 ¶6): with an auth header configured, a delivery whose header is
//! missing, empty or differs in any way is refused with a non-2xx answer within the timeout
//! (401 or 403 SHOULD) and causes no side effect; the header's *name* matches in any case;
//! two copies of the header are reported.

use std::time::Instant;

use futures::future::join_all;

use super::kit::{Controls, Ctx, Probe, Sent, Verdict, VerdictOutcome, control};
use crate::auth::AuthHeader;
use crate::catalogue::{NO_AUTH, REQUIREMENTS};
use crate::duration::format_duration;
use crate::generate::{AuthMutation, MutatedHeader, NameCase, Pin};
use crate::repro::AuthRepro;
use crate::spec::Status;
use crate::transport::FailureClass;

/// Runs the auth checks.
pub async fn run(ctx: &Ctx) {
    let Some(auth) = ctx.auth.clone() else {
        for requirement in REQUIREMENTS.iter().filter(|r| r.id.starts_with("auth/")) {
            for id in requirement.check_ids() {
                ctx.skip(&id, NO_AUTH);
            }
        }
        return;
    };
    let rejected: Vec<Rejected> = join_all(
        AuthMutation::ALL
            .iter()
            .map(|&mutation| bad_credentials(ctx, &auth, mutation)),
    )
    .await
    .into_iter()
    .flatten()
    .collect();
    rejection_status(ctx, &rejected);
    for r in &rejected {
        let id = format!("auth/no-effect-when-rejected/{}", r.mutation.as_str());
        ctx.expect_no_effect(&id, &r.session_id, "the refused delivery", &r.sent);
    }
    let mut controls = Controls::new();
    let cases = join_all(
        NameCase::ALL
            .iter()
            .map(|&case| name_in_any_case(ctx, &auth, case)),
    )
    .await;
    for (case, probe, sent) in cases.into_iter().flatten() {
        let what = format!("the delivery with the header name in {}", case.as_str());
        controls.add(what, &probe, &sent);
    }
    if let Some((probe, sent)) = duplicated_header(ctx, &auth).await {
        controls.add(
            "the delivery with a wrong copy of the header",
            &probe,
            &sent,
        );
    }
    controls.expect(
        ctx,
        ACCEPTED_ONCE,
        "no correctly authenticated delivery was sent",
    );
}

/// The check that counts the effects of the correctly authenticated deliveries.
const ACCEPTED_ONCE: &str = "auth/accepted-processed-once";

/// One bad-credential delivery: its mutation, session, and what came back.
struct Rejected {
    mutation: AuthMutation,
    session_id: String,
    sent: Sent,
}

async fn bad_credentials(ctx: &Ctx, auth: &AuthHeader, mutation: AuthMutation) -> Option<Rejected> {
    let id = format!("auth/rejects-bad-credentials/{}", mutation.as_str());
    let effect_id = format!("auth/no-effect-when-rejected/{}", mutation.as_str());
    if !ctx.any_selected([&id, &effect_id, &"auth/rejection-status".to_owned()]) {
        return None;
    }
    let payload = ctx.draw(Status::Completed, &id, &Pin::ANY);
    let started = Instant::now();
    let name = auth.name().as_str();
    let probe = ctx.drawn_delivery(&payload).untimed();
    let probe = match mutation.apply(auth.expose_value().as_bytes()) {
        Ok(MutatedHeader::Missing) => probe.without(name),
        Ok(MutatedHeader::Value { value, expression }) => Probe {
            auth_repro: Some(AuthRepro::Expression(expression)),
            ..probe.replacing(name, value)
        },
        Err(reason) => {
            ctx.skip(&id, reason);
            ctx.skip(&effect_id, reason);
            return None;
        }
    };
    let sent = ctx.send(&probe).await;
    if ctx.selected(&id) {
        ctx.report(&id, started, refusal(ctx, &sent));
    }
    Some(Rejected {
        mutation,
        session_id: payload.session_id,
        sent,
    })
}

/// A refusal is a non-2xx answer within the timeout: an acceptance, a hang or a closed
/// connection is none.
fn refusal(ctx: &Ctx, sent: &Sent) -> Verdict {
    let expected = format!(
        "non-2xx (401 or 403) within {}",
        format_duration(ctx.timeout)
    );
    let (outcome, actual) = match sent.failure_class() {
        None if sent.is_2xx() => (
            VerdictOutcome::Broken,
            format!("accepted: {}", sent.describe()),
        ),
        None => (VerdictOutcome::Holds, sent.describe()),
        Some(FailureClass::Connect) => return ctx.target_down(expected, sent),
        Some(FailureClass::Timeout) => (
            VerdictOutcome::Broken,
            format!(
                "no answer: {} (a refusal is a non-2xx answer)",
                sent.describe()
            ),
        ),
        Some(_) => (VerdictOutcome::Broken, sent.describe()),
    };
    Verdict::new(outcome, expected, actual).with_sent(sent)
}

/// 401 or 403 for every refused delivery (SHOULD); nothing refused leaves nothing to grade.
fn rejection_status(ctx: &Ctx, rejected: &[Rejected]) {
    let id = "auth/rejection-status";
    if !ctx.selected(id) {
        return;
    }
    let started = Instant::now();
    let expected = "401 or 403 for each refused delivery";
    let refused: Vec<(&Rejected, u16)> = rejected
        .iter()
        .filter_map(|r| r.sent.status().map(|status| (r, status)))
        .filter(|(_, status)| !(200..300).contains(status))
        .collect();
    let others: Vec<&(&Rejected, u16)> = refused
        .iter()
        .filter(|(_, status)| *status != 401 && *status != 403)
        .collect();
    let verdict = match (refused.is_empty(), others.first()) {
        (true, _) => Verdict::no_verdict(
            expected,
            "no bad credential was refused with a status, so there is no refusal status to grade (see auth/rejects-bad-credentials)",
        ),
        (false, None) => Verdict::new(
            VerdictOutcome::Holds,
            expected,
            format!("{} refusals, each 401 or 403", refused.len()),
        ),
        (false, Some((first, _))) => Verdict::new(
            VerdictOutcome::Broken,
            expected,
            others
                .iter()
                .map(|(r, _)| format!("{}: {}", r.mutation.as_str(), r.sent.describe()))
                .collect::<Vec<_>>()
                .join("; "),
        )
        .with_sent(&first.sent),
    };
    ctx.report(id, started, verdict);
}

/// The configured header sent with its name in lower or upper case, over the raw client
/// so the case reaches the wire.
async fn name_in_any_case(
    ctx: &Ctx,
    auth: &AuthHeader,
    case: NameCase,
) -> Option<(NameCase, Probe, Sent)> {
    let id = format!("auth/header-name-any-case/{}", case.as_str());
    if !ctx.any_selected([id.as_str(), ACCEPTED_ONCE]) {
        return None;
    }
    let started = Instant::now();
    let drawn = ctx.draw(Status::Completed, &id, &Pin::ANY);
    let probe = ctx
        .drawn_delivery(&drawn)
        .without(auth.name().as_str())
        .with(
            &case.spell(auth.name().as_str()),
            auth.expose_value().as_bytes(),
        );
    let sent = ctx.send_raw(&probe).await;
    if ctx.selected(&id) {
        let verdict = control(ctx, &drawn, &probe, &sent).await;
        ctx.report(&id, started, verdict);
    }
    Some((case, probe, sent))
}

/// Two copies of the header, the wrong one first: either answer conforms (INFO).
async fn duplicated_header(ctx: &Ctx, auth: &AuthHeader) -> Option<(Probe, Sent)> {
    let id = "auth/duplicated-header";
    if !ctx.any_selected([id, ACCEPTED_ONCE]) {
        return None;
    }
    let started = Instant::now();
    let drawn = ctx.draw(Status::Completed, id, &Pin::ANY);
    let name = auth.name().as_str();
    let probe = ctx
        .drawn_delivery(&drawn)
        .untimed()
        .without(name)
        .with(name, b"hookcheck-wrong-value".to_vec())
        .with(name, auth.expose_value().as_bytes());
    let sent = ctx.send(&probe).await;
    if ctx.selected(id) {
        ctx.report(id, started, duplicated_verdict(ctx, &sent));
    }
    Some((probe, sent))
}

fn duplicated_verdict(ctx: &Ctx, sent: &Sent) -> Verdict {
    let expected = "an answer, 2xx or not (either behaviour conforms)";
    match (sent.failure_class(), sent.is_2xx()) {
        (Some(FailureClass::Connect), _) => ctx.target_down(expected, sent),
        (Some(_), _) => Verdict::no_verdict(expected, sent.describe()).with_sent(sent),
        (None, true) => Verdict::new(
            VerdictOutcome::Holds,
            expected,
            format!("accepted: {}", sent.describe()),
        )
        .with_sent(sent),
        (None, false) => Verdict::new(
            VerdictOutcome::Holds,
            expected,
            format!("refused: {}", sent.describe()),
        )
        .with_sent(sent),
    }
}
