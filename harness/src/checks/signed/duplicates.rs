//! Each `webhook-id` processed once ([SW-11], [SD-5]): a retry re-signed with a fresh
//! timestamp, one after the other and at once (the second copy to the next replica, with
//! `--replica`); two ids with one body; and a refused forgery
//! that claims an id before the genuine message of that id arrives.

use std::time::{Duration, Instant};

use futures::future::join_all;

use super::{expect_2xx, message, send_genuine};
use crate::checks::kit::{Ctx, Expect, Expected, Face, Sent, Verdict, release_together};
use crate::duration::format_span;
use crate::repro::{Script, Step};
use crate::standard_webhooks::schedule;
use crate::standard_webhooks::{Forgery, Recipe, Secret};

/// The duplicate checks, concurrently: each message has its own id.
pub async fn duplicates(ctx: &Ctx) {
    let Face::StandardWebhooks(secret) = &ctx.face else {
        return;
    };
    tokio::join!(
        sequential(ctx, secret),
        concurrent(ctx, secret),
        distinct_ids(ctx, secret),
        forgery_first(ctx, secret),
    );
}

/// Expects exactly one effect for `id` if any of `sent` was acknowledged, else at most one.
fn once(ctx: &Ctx, check: &str, id: &str, what: &str, sent: &[Sent], repro: String) {
    let expected = vec![Expected::new(id, Expect::for_delivery(sent), what)];
    let evidence = Verdict::evidence().with_exchanges(sent).with_repro(repro);
    ctx.expect_effects(check, expected, evidence);
}

/// The repro of deliveries sent one after the other: each signs again when run.
fn in_turn(what: &str, sent: &[&Sent]) -> String {
    let steps = sent.iter().map(|sent| Step::Send(sent.repro.clone()));
    let script = Script::new().then(Step::Comment(what.to_owned()));
    steps.fold(script, Script::then).render()
}

/// The repro of deliveries released together: each signs again when run.
fn together(what: &str, sent: &[Sent]) -> String {
    let lines = sent.iter().map(|sent| sent.repro.clone()).collect();
    let script = Script::new().then(Step::Comment(what.to_owned()));
    script.then(Step::Together(lines)).render()
}

/// A message, then the same message at each retry moment of the schedule within the run's
/// dedupe window ([SW-13], [SD-9]), each re-signed when sent and, with `--replica`, sent to
/// the next replica. It runs beside the other phases: its waits are its own.
pub async fn after_retry_delay(ctx: &Ctx) {
    let check = "idempotency/retry-processed-once/after-retry-delay";
    let (Face::StandardWebhooks(secret), true) = (&ctx.face, ctx.selected(check)) else {
        return;
    };
    let (moments, unprobed) = schedule::within(ctx.dedupe_window);
    if let Some(first) = unprobed.first() {
        let reason = format!(
            "retries from +{} on (STANDARD-WEBHOOKS [SW-13]) were not sent: --dedupe-window {} sends them",
            format_span(*first),
            format_span(*unprobed.last().unwrap_or(first)),
        );
        ctx.note_unprobed(vec![check.to_owned()], reason);
    }
    let message = message(check);
    let start = tokio::time::Instant::now();
    let first = send_genuine(ctx, secret, &message, 0).await;
    let what = "a message, then its retries at the schedule's moments";
    let mut script = Script::new()
        .then(Step::Comment(what.to_owned()))
        .then(Step::Send(first.repro.clone()));
    let (mut sent, mut previous) = (vec![first], Duration::ZERO);
    for (n, at) in moments.into_iter().enumerate() {
        tokio::time::sleep_until(start + at).await;
        let recipe = Recipe::genuine(&message.id, 0, message.body());
        let retry = ctx
            .send(&ctx.signed(secret, recipe).to(ctx.copy_url(n + 1)))
            .await;
        script = script
            .then(Step::Sleep(at.saturating_sub(previous)))
            .then(Step::Comment(format!("the retry at +{}", format_span(at))))
            .then(Step::Send(retry.repro.clone()));
        sent.push(retry);
        previous = at;
    }
    once(ctx, check, &message.id, what, &sent, script.render());
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
    // The retry goes where a balancer may well send it: to the next replica, if any.
    let recipe = Recipe::genuine(&message.id, 0, message.body());
    let retry = ctx
        .send(&ctx.signed(secret, recipe).to(ctx.copy_url(1)))
        .await;
    expect_2xx(ctx, "idempotency/retry-acknowledged", started, &retry);
    let what = "a message and its retry";
    let repro = in_turn(what, &[&first, &retry]);
    once(ctx, check, &message.id, what, &[first, retry], repro);
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
        .enumerate()
        .map(|(n, skew)| {
            let recipe = Recipe::genuine(&message.id, skew, message.body());
            ctx.signed(secret, recipe).to(ctx.copy_url(n))
        })
        .collect();
    let sent = release_together(ctx, &probes).await;
    let what = "two attempts sent at once";
    let repro = together(what, &sent);
    once(ctx, check, &message.id, what, &sent, repro);
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
        let probe = ctx.signed(secret, Recipe::genuine(id, 0, body.clone()));
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
    let repro = in_turn("two messages, two ids, one body", &[&sent[0], &sent[1]]);
    let evidence = Verdict::evidence().with_exchanges(&sent).with_repro(repro);
    ctx.expect_effects(check, expected, evidence);
}

/// A forgery claiming an id (refused), then the genuine message of that id: processed once.
async fn forgery_first(ctx: &Ctx, secret: &Secret) {
    let check = "idempotency/forgery-claims-nothing";
    if !ctx.selected(check) {
        return;
    }
    let message = message(check);
    let forged = Recipe::forged(Forgery::WrongSecret, &message.id, message.body());
    let forged = ctx.send(&ctx.signed(secret, forged).untimed()).await;
    let genuine = send_genuine(ctx, secret, &message, 0).await;
    let what = "the genuine message after a forgery of its id";
    let expected = vec![Expected::new(
        &message.id,
        Expect::for_delivery([&genuine]),
        what,
    )];
    let repro = in_turn(
        "a forgery of the id, then the genuine message",
        &[&forged, &genuine],
    );
    let evidence = Verdict::evidence()
        .with_exchanges([&forged, &genuine])
        .with_repro(repro);
    ctx.expect_effects(check, expected, evidence);
}
