//! Status family (SPEC §3 ¶1, ¶3, ¶4, §1 [D-2]): a valid delivery of every terminal status is
//! answered 2xx as the sender sends it, with every nullable field null, and with data
//! present; and each one that is acknowledged causes exactly one side effect.

use futures::future::join_all;

use super::kit::{Ctx, Expect, Expected, Sent, Verdict, expect_accepted};
use crate::generate::{StatusShape, status_id};
use crate::spec::Status;

/// Runs the status checks.
pub async fn run(ctx: &Ctx) {
    join_all(
        Status::ALL
            .into_iter()
            .map(|status| one_status(ctx, status)),
    )
    .await;
}

async fn one_status(ctx: &Ctx, status: Status) {
    let variant = status_id(status);
    let processed_id = format!("status/processed-once/{variant}");
    let shapes: Vec<(StatusShape, String)> = StatusShape::ALL
        .iter()
        .map(|&shape| (shape, format!("status/{}/{variant}", shape.id())))
        .filter(|(_, id)| ctx.selected(id) || ctx.selected(&processed_id))
        .collect();
    let sent: Vec<(StatusShape, String, Sent)> =
        join_all(shapes.into_iter().map(|(shape, id)| async move {
            let payload = ctx.payload(status, &id).build();
            let sent = expect_accepted(ctx, &id, shape.body(&payload)).await;
            (shape, payload.session_id, sent)
        }))
        .await;
    if sent.is_empty() {
        return;
    }
    let expected = sent
        .iter()
        .map(|(shape, session, sent)| {
            let what = format!("the {} delivery ({})", status.as_str(), shape.id());
            Expected::new(session.clone(), Expect::for_delivery([sent]), what)
        })
        .collect();
    let evidence = Verdict::evidence().with_exchanges(sent.iter().map(|(_, _, s)| s));
    let evidence = match sent.first() {
        Some((_, _, first)) => evidence.with_repro(first.repro.clone()),
        None => evidence,
    };
    ctx.expect_effects(&processed_id, expected, evidence);
}
