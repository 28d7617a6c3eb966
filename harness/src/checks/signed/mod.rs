//! The Standard Webhooks family (STANDARD-WEBHOOKS.md §2): signatures verified before
//! anything is acted on ([SW-6], [SW-7], [SW-10]), timestamps outside the tolerance refused
//! ([SW-8]), and each `webhook-id` processed once ([`duplicates`], [SW-11]).
//!
//! Every probe is made by a [`Recipe`]: a genuine attempt signed with the run's secret, or a
//! [`Forgery`] of one; its repro makes the attempt again when run. Every message has a fresh
//! `webhook-id`, so the effects probe (asked with the id in place of `{sessionId}`) shows
//! what each one caused. A probe none of whose checks is selected is not sent.

mod duplicates;

pub use duplicates::{after_retry_delay, duplicates};

use std::time::Instant;

use futures::future::join_all;
use serde_json::json;

use super::kit::{Ctx, Expect, Expected, Face, Sent, Verdict, VerdictOutcome};
use crate::catalogue::standard_webhooks::NO_EFFECT_FORGERIES;
use crate::standard_webhooks::{
    Forgery, Key, Message, Recipe, Secret, UNKNOWN_ENTRIES, UNUSUAL_BODY,
};

use crate::standard_webhooks::{OUTSIDE_TOLERANCE_SECS, WITHIN_TOLERANCE_SECS};

/// The signature and replay checks, concurrently.
pub async fn run(ctx: &Ctx) {
    let Face::StandardWebhooks(secret) = &ctx.face else {
        return;
    };
    let forgeries = join_all(Forgery::ALL.map(|f| forgery(ctx, secret, f)));
    let skews = join_all(
        [
            ("past", -OUTSIDE_TOLERANCE_SECS),
            ("future", OUTSIDE_TOLERANCE_SECS),
        ]
        .map(|(variant, skew)| outside_tolerance(ctx, secret, variant, skew)),
    );
    tokio::join!(
        valid(ctx, secret),
        forgeries,
        skews,
        within_tolerance(ctx, secret),
        body_as_received(ctx, secret),
        rotation(ctx, secret),
        unknown_versions(ctx, secret),
    );
}

/// A fresh message for one check: its id is the key its effects are counted by.
fn message(check: &str) -> Message {
    Message::new("hookcheck.probe", json!({ "check": check }))
}

/// Sends a genuine attempt of `message` at now + `skew` seconds.
async fn send_genuine(ctx: &Ctx, secret: &Secret, message: &Message, skew: i64) -> Sent {
    let recipe = Recipe::genuine(&message.id, skew, message.body());
    ctx.send(&ctx.signed(secret, recipe)).await
}

/// Grades `sent` as a valid delivery under `check_id`, if selected.
fn expect_2xx(ctx: &Ctx, check_id: &str, started: Instant, sent: &Sent) {
    if ctx.selected(check_id) {
        ctx.report(check_id, started, ctx.expect_2xx(sent));
    }
}

/// Grades `sent` as a delivery that must be refused: a 4xx in time. A 2xx accepted it, a
/// 5xx says the receiver failed rather than refused ([SD-6]), no answer is a crash.
fn expect_refused(ctx: &Ctx, check_id: &str, started: Instant, sent: &Sent) {
    if !ctx.selected(check_id) {
        return;
    }
    let verdict = match (ctx.expect_answer(sent, false), sent.status()) {
        (Some(verdict), _) => verdict,
        (None, Some(status)) => {
            let outcome = match status {
                400..=499 => VerdictOutcome::Holds,
                _ => VerdictOutcome::Broken,
            };
            let actual = match status {
                200..=299 => format!("accepted it: {}", sent.describe()),
                _ => sent.describe(),
            };
            Verdict::new(outcome, "4xx: refused, with no effect", actual).with_sent(sent)
        }
        (None, None) => Verdict::no_verdict("4xx", sent.describe()).with_sent(sent),
    };
    ctx.report(check_id, started, verdict);
}

async fn valid(ctx: &Ctx, secret: &Secret) {
    if !ctx.any_selected(["signature/valid-accepted", "signature/valid-processed-once"]) {
        return;
    }
    let started = Instant::now();
    let message = message("signature/valid-accepted");
    let sent = send_genuine(ctx, secret, &message, 0).await;
    expect_2xx(ctx, "signature/valid-accepted", started, &sent);
    let expected = vec![Expected::new(
        &message.id,
        Expect::for_delivery([&sent]),
        "the signed delivery",
    )];
    let evidence = Verdict::evidence().with_sent(&sent);
    ctx.expect_effects("signature/valid-processed-once", expected, evidence);
}

async fn forgery(ctx: &Ctx, secret: &Secret, forgery: Forgery) {
    let refused = format!("signature/forgery-refused/{forgery}");
    let no_effect = format!("signature/forgery-no-effect/{forgery}");
    if !ctx.any_selected([&refused, &no_effect]) {
        return;
    }
    let started = Instant::now();
    let message = message(forgery.as_str());
    let recipe = Recipe::forged(forgery, &message.id, message.body());
    let claimed = recipe.claimed_id();
    let sent = ctx.send(&ctx.signed(secret, recipe).untimed()).await;
    expect_refused(
        ctx,
        &format!("signature/forgery-refused/{forgery}"),
        started,
        &sent,
    );
    if NO_EFFECT_FORGERIES.contains(&forgery.as_str()) {
        let check = format!("signature/forgery-no-effect/{forgery}");
        let what = format!("the {forgery} delivery");
        ctx.expect_no_effect(&check, &claimed, &what, &sent);
    }
}

async fn outside_tolerance(ctx: &Ctx, secret: &Secret, variant: &str, skew: i64) {
    let refused = format!("replay/outside-tolerance-refused/{variant}");
    let check = format!("replay/outside-tolerance-no-effect/{variant}");
    if !ctx.any_selected([&refused, &check]) {
        return;
    }
    let started = Instant::now();
    let message = message(variant);
    let recipe = Recipe::genuine(&message.id, skew, message.body());
    let sent = ctx.send(&ctx.signed(secret, recipe).untimed()).await;
    expect_refused(ctx, &refused, started, &sent);
    let when =
        crate::duration::format_duration(std::time::Duration::from_secs(skew.unsigned_abs()));
    let what = format!("the delivery stamped {when} in the {variant}");
    ctx.expect_no_effect(&check, &message.id, &what, &sent);
}

async fn within_tolerance(ctx: &Ctx, secret: &Secret) {
    if !ctx.selected("replay/within-tolerance-accepted") {
        return;
    }
    let started = Instant::now();
    let message = message("replay/within-tolerance-accepted");
    let sent = send_genuine(ctx, secret, &message, -WITHIN_TOLERANCE_SECS).await;
    expect_2xx(ctx, "replay/within-tolerance-accepted", started, &sent);
}

async fn body_as_received(ctx: &Ctx, secret: &Secret) {
    if !ctx.selected("signature/body-as-received") {
        return;
    }
    let started = Instant::now();
    let id = message("signature/body-as-received").id;
    let recipe = Recipe::genuine(&id, 0, UNUSUAL_BODY.as_bytes().to_vec());
    let sent = ctx.send(&ctx.signed(secret, recipe)).await;
    expect_2xx(ctx, "signature/body-as-received", started, &sent);
}

/// Sends a fresh message signed with `keys` in order, then the `extra` entries, and grades
/// it as a valid delivery.
async fn signatures(ctx: &Ctx, secret: &Secret, check: &str, keys: Vec<Key>, extra: &[&str]) {
    if !ctx.selected(check) {
        return;
    }
    let started = Instant::now();
    let message = message(check);
    let extra = extra.iter().map(|entry| (*entry).to_owned()).collect();
    let recipe = Recipe::genuine(&message.id, 0, message.body()).with_keys(keys, extra);
    let sent = ctx.send(&ctx.signed(secret, recipe)).await;
    expect_2xx(ctx, check, started, &sent);
}

/// A key being rotated: signed with an old secret first, then the current one ([SW-4]).
async fn rotation(ctx: &Ctx, secret: &Secret) {
    let keys = vec![Key::Throwaway(Secret::generate()), Key::Run];
    signatures(ctx, secret, "signature/any-v1-matches", keys, &[]).await;
}

/// The valid entry followed by entries of versions a receiver does not know ([SD-4]).
async fn unknown_versions(ctx: &Ctx, secret: &Secret) {
    let check = "signature/unknown-version-ignored";
    signatures(ctx, secret, check, vec![Key::Run], &UNKNOWN_ENTRIES).await;
}
