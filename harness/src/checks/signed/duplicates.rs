//! Each `webhook-id` processed once ([SW-11], [SD-5]): a retry re-signed with a fresh
//! timestamp, one after the other and at once; two ids with one body; and a refused forgery
//! that claims an id before the genuine message of that id arrives.

use std::time::Instant;

use futures::future::join_all;

use super::{expect_2xx, message, probe, send_genuine};
use crate::checks::kit::{Ctx, Expect, Expected, Verdict, release_together};
use crate::standard_webhooks::{Forgery, Recipe, Secret};

/// The duplicate checks, concurrently: each message has its own id.
pub async fn duplicates(ctx: &Ctx) {
    let Some(secret) = ctx.secret.clone() else {
        return;
    };
    tokio::join!(
        sequential(ctx, &secret),
        concurrent(ctx, &secret),
        distinct_ids(ctx, &secret),
        forgery_first(ctx, &secret),
    );
}

/// Expects exactly one effect for `id` if any of `sent` was acknowledged, else at most one.
fn once(ctx: &Ctx, check: &str, id: &str, what: &str, sent: &[crate::checks::kit::Sent]) {
    let expected = vec![Expected::new(id, Expect::for_delivery(sent), what)];
    let evidence = Verdict::evidence().with_exchanges(sent);
    ctx.expect_effects(check, expected, evidence);
}

/// A message, then its retry once the first attempt was answered: 2 s later by its
/// timestamp, so the retry's signature differs as a real one does.
async fn sequential(ctx: &Ctx, secret: &Secret) {
    let check = "idempotency/retry-processed-once/sequential";
    if !ctx.any_selected(["idempotency/retry-acknowledged", check]) {
        return;
    }
    let message = message("idempotency/retry-processed-once/sequential");
    let first = send_genuine(ctx, secret, &message, -2).await;
    let started = Instant::now();
    let retry = send_genuine(ctx, secret, &message, 0).await;
    expect_2xx(ctx, "idempotency/retry-acknowledged", started, &retry);
    let what = "a message and its retry";
    once(ctx, check, &message.id, what, &[first, retry]);
}

/// Two attempts of one message, each with its own timestamp, released together.
async fn concurrent(ctx: &Ctx, secret: &Secret) {
    let check = "idempotency/retry-processed-once/concurrent";
    if !ctx.selected(check) {
        return;
    }
    let message = message(check);
    let probes: Vec<_> = [-1, 0]
        .into_iter()
        .map(|skew| {
            probe(
                ctx,
                secret,
                Recipe::genuine(&message.id, skew, message.body()),
            )
        })
        .collect();
    let sent = release_together(ctx, &probes).await;
    once(ctx, check, &message.id, "two attempts sent at once", &sent);
}

/// Two messages, two ids, byte for byte the same body: both are processed ([SD-5]).
async fn distinct_ids(ctx: &Ctx, secret: &Secret) {
    let check = "idempotency/distinct-ids-processed";
    if !ctx.selected(check) {
        return;
    }
    let body = message(check).body();
    let ids = [message(check).id, message(check).id];
    let sent = join_all(ids.iter().map(|id| {
        let probe = probe(ctx, secret, Recipe::genuine(id, 0, body.clone()));
        async move { ctx.send(&probe).await }
    }))
    .await;
    let expected = ids
        .iter()
        .zip(&sent)
        .enumerate()
        .map(|(n, (id, sent))| {
            let what = format!("message {} of 2 (same body)", n + 1);
            Expected::new(id, Expect::for_delivery([sent]), what)
        })
        .collect();
    ctx.expect_effects(check, expected, Verdict::evidence().with_exchanges(&sent));
}

/// A forgery claiming an id (refused), then the genuine message of that id: processed once.
async fn forgery_first(ctx: &Ctx, secret: &Secret) {
    let check = "idempotency/forgery-claims-nothing";
    if !ctx.selected(check) {
        return;
    }
    let message = message(check);
    let forged = Recipe::forged(Forgery::WrongSecret, &message.id, message.body());
    let forged = ctx.send(&probe(ctx, secret, forged).untimed()).await;
    let genuine = send_genuine(ctx, secret, &message, 0).await;
    let what = "the genuine message after a forgery of its id";
    let expected = vec![Expected::new(
        &message.id,
        Expect::for_delivery([&genuine]),
        what,
    )];
    let evidence = Verdict::evidence().with_exchanges([&forged, &genuine]);
    ctx.expect_effects(check, expected, evidence);
}
