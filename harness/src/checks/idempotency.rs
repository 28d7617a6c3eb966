//! Idempotency family (SPEC §3 ¶3, [D-10]): repeated deliveries of one session, sent one
//! after another, all at once, after an abandoned first attempt, or with another body, are
//! all answered 2xx and cause exactly one side effect.

use std::time::Instant;

use futures::future::join_all;

use super::kit::{Ctx, Sent, Verdict, VerdictOutcome};
use super::kit::{NO_EFFECTS_PROBE, release_together};
use crate::spec::Status;

/// Copies sent one after another.
pub const SEQUENTIAL_COPIES: usize = 3;
/// Copies released together, each on its own request.
pub const CONCURRENT_COPIES: usize = 8;

/// Runs the idempotency checks.
pub async fn run(ctx: &Ctx) {
    join_all([
        scenario(ctx, "sequential"),
        scenario(ctx, "concurrent"),
        scenario(ctx, "after-abandoned"),
        scenario(ctx, "other-body"),
    ])
    .await;
}

async fn scenario(ctx: &Ctx, variant: &str) {
    let acknowledged_id = format!("idempotency/duplicates-acknowledged/{variant}");
    let once_id = format!("idempotency/exactly-once/{variant}");
    if !ctx.selected(&acknowledged_id) && !ctx.selected(&once_id) {
        return;
    }
    let started = Instant::now();
    let payload = ctx.payload(Status::Completed, &once_id).build();
    let session_id = payload.session_id.clone();
    let probe = ctx.delivery(payload.to_json_bytes());

    let (copies, abandoned): (Vec<Sent>, Option<String>) = match variant {
        "sequential" => {
            let mut copies = Vec::new();
            for _ in 0..SEQUENTIAL_COPIES {
                copies.push(ctx.send(&probe).await);
            }
            (copies, None)
        }
        "concurrent" => (
            release_together(ctx, &vec![probe.clone(); CONCURRENT_COPIES]).await,
            None,
        ),
        "after-abandoned" => {
            // The first copy is written whole, then the connection is closed without
            // reading the answer, as a sender that timed out does; the retry follows.
            let abandoned = match ctx.send_and_abandon(&probe).await {
                Ok(_) => None,
                Err(e) => Some(format!(
                    "the abandoned first copy could not be written: {e}"
                )),
            };
            (vec![ctx.send(&probe).await], abandoned)
        }
        _ => {
            // [D-10]: one session has one terminal event; another body is still a duplicate.
            let mut other = payload.clone();
            other.status = Status::Error;
            other.extracted_data = None;
            other.proof_hash = None;
            let second = ctx.delivery(other.to_json_bytes());
            (vec![ctx.send(&probe).await, ctx.send(&second).await], None)
        }
    };

    if ctx.selected(&acknowledged_id) {
        let expected = format!("2xx for each of {} copies", copies.len());
        let refused: Vec<(usize, &Sent)> = copies
            .iter()
            .enumerate()
            .filter(|(_, sent)| !sent.is_2xx())
            .collect();
        let verdict = match (&abandoned, refused.first()) {
            (Some(reason), _) => Verdict::new(VerdictOutcome::NoVerdict, expected, reason.clone()),
            (None, None) => Verdict::new(
                VerdictOutcome::Holds,
                expected,
                copies
                    .iter()
                    .map(Sent::describe)
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            (None, Some((_, first))) => {
                let only_connect = refused.iter().all(|(_, s)| {
                    s.failure()
                        .is_some_and(|f| f.class == crate::sender::FailureClass::Connect)
                });
                Verdict::new(
                    if only_connect {
                        VerdictOutcome::NoVerdict
                    } else {
                        VerdictOutcome::Broken
                    },
                    expected,
                    refused
                        .iter()
                        .map(|(i, sent)| format!("copy {}: {}", i + 1, sent.describe()))
                        .collect::<Vec<_>>()
                        .join("; "),
                )
                .with_repro(first.repro.clone())
            }
        };
        ctx.report(&acknowledged_id, started, verdict);
    }

    if ctx.selected(&once_id) {
        if ctx.effects.is_none() {
            ctx.skip(&once_id, NO_EFFECTS_PROBE);
            return;
        }
        tokio::time::sleep(ctx.settle).await;
        let expected = format!("exactly 1 effect for session {session_id}");
        let repro = copies.first().map(|s| s.repro.clone());
        let verdict = match (ctx.effect_count(&session_id).await, &abandoned) {
            (_, Some(reason)) => Verdict::new(VerdictOutcome::NoVerdict, expected, reason.clone()),
            (Some(Ok(1)), None) => Verdict::new(VerdictOutcome::Holds, expected, "1 effect"),
            (Some(Ok(n)), None) => {
                let copies_sent = copies.len() + usize::from(variant == "after-abandoned");
                Verdict::new(
                    VerdictOutcome::Broken,
                    expected,
                    format!("{n} effects after {copies_sent} copies"),
                )
            }
            (Some(Err(e)), None) => Verdict::new(VerdictOutcome::NoVerdict, expected, e),
            (None, None) => Verdict::skip(NO_EFFECTS_PROBE),
        };
        let verdict = match repro {
            Some(repro) => verdict.with_repro(repro),
            None => verdict,
        };
        ctx.report(&once_id, started, verdict);
    }
}
