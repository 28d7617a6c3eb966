//! Status family (SPEC §3 ¶1, ¶3, ¶4, §1 [D-2]): a valid delivery of every terminal status is
//! answered 2xx as the sender sends it, with every nullable field null, and with data
//! present; and each one that is acknowledged causes exactly one side effect.

use futures::future::join_all;

use super::kit::{Ctx, Expect, Expected, Sent, Verdict, expect_drawn_accepted};
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
        .map(|&shape| (shape, format!("status/{}/{variant}", shape.as_str())))
        .filter(|(_, id)| ctx.selected(id) || ctx.selected(&processed_id))
        .collect();
    let sent: Vec<(String, Sent, String)> =
        join_all(shapes.into_iter().map(|(shape, id)| async move {
            let drawn = ctx.draw(status, &id, &shape.pin(status));
            let probe = ctx.drawn_delivery(&drawn);
            // Every drawn feature is part of "a valid delivery": all are this check's subject.
            let sent = expect_drawn_accepted(ctx, &id, &drawn, probe, None).await;
            let what = format!("the {} delivery: {}", shape.as_str(), drawn.describe());
            (drawn.session_id, sent, what)
        }))
        .await;
    if sent.is_empty() {
        return;
    }
    let expected = sent
        .iter()
        .map(|(session, sent, what)| {
            Expected::new(session.clone(), Expect::for_delivery([sent]), what.clone())
        })
        .collect();
    let evidence = Verdict::evidence().with_exchanges(sent.iter().map(|(_, s, _)| s));
    let evidence = match sent.first() {
        Some((_, first, _)) => evidence.with_repro(first.repro.clone()),
        None => evidence,
    };
    ctx.expect_effects(&processed_id, expected, evidence);
}
