//! Drawn deliveries: the one place a family gets a valid payload from ([`Ctx::draw`]), and
//! the walk that names the feature a receiver refused ([`expect_drawn_accepted`]).
//!
//! When a drawn delivery is refused, crashes the handler or times out, the canonical
//! delivery of the same status goes out (a fresh session); if that one is accepted, the
//! drawn one is walked back toward it one [`Dimension`] at a time, each step with a fresh
//! session: a step that is still refused keeps the dimension canonical (it is not needed
//! for the refusal), one that is accepted puts it back. What remains off canonical is the
//! feature the finding names, and its repro sends that minimal delivery.

use std::time::{Duration, Instant};

use futures::future::join_all;

use super::context::Ctx;
use super::probe::{Probe, Sent};
use super::verdict::{Verdict, VerdictOutcome};
use crate::generate::{Dimension, Drawn, Pin};
use crate::spec::{Payload, PayloadBuilder, Status};

/// The most deliveries one walk sends, the canonical one included.
const MAX_STEPS: usize = 12;
/// The longest one walk takes, as a multiple of the timeout (each step is bounded by it).
const MAX_WALK_TIMEOUTS: u32 = 4;

impl Ctx {
    /// A valid delivery of `status`, drawn from the run's seed and `label` with `pin` fixed:
    /// a fresh session, features that `--seed` repeats, `completedAt` relative to now.
    pub fn draw(&self, status: Status, label: &str, pin: &Pin) -> Drawn {
        Drawn::draw(self.seed, label, status, pin)
    }

    /// The probe that delivers `drawn`; its features are recorded with the exchange.
    pub fn drawn_delivery(&self, drawn: &Drawn) -> Probe {
        let mut probe = self.delivery(drawn.to_bytes());
        probe.drawn = Some(drawn.describe());
        probe
    }

    /// One drawn delivery of each status, sent at once; if none is accepted, the canonical
    /// delivery of each: a control that shows the target serving must be one it accepts,
    /// whatever it makes of the drawn features (those are graded by the checks that send
    /// them).
    pub async fn liveness_controls(&self, label: &str) -> Vec<(Drawn, Sent)> {
        let send_all = |drawn: Vec<Drawn>| {
            join_all(drawn.into_iter().map(|drawn| async move {
                let sent = self.send(&self.drawn_delivery(&drawn)).await;
                (drawn, sent)
            }))
        };
        let drawn = Status::ALL.map(|status| self.draw(status, label, &Pin::ANY));
        let sent = send_all(drawn.to_vec()).await;
        if sent.iter().any(|(_, s)| s.is_2xx() || s.unreachable()) {
            return sent;
        }
        send_all(drawn.iter().map(Drawn::canonical).collect()).await
    }

    /// A drawn delivery as the parser reads it: the valid payload a bad input departs from.
    pub fn draw_payload(&self, status: Status, label: &str) -> Payload {
        let drawn = self.draw(status, label, &Pin::ANY);
        crate::spec::parse(&drawn.to_bytes()).unwrap_or_else(|_| {
            // Every drawn delivery parses (a test holds it); the reference sender's otherwise.
            PayloadBuilder::new(status)
                .session_id(drawn.session_id.clone())
                .build()
        })
    }

    /// The probe `like` with `drawn` as its body and features (same method and headers).
    fn redrawn(&self, like: &Probe, drawn: &Drawn) -> Probe {
        Probe {
            body: drawn.to_bytes().into(),
            drawn: Some(drawn.describe()),
            ..like.clone()
        }
    }
}

/// What a walk found.
pub enum Walk {
    /// The canonical delivery of the same status was refused too.
    CanonicalRefused(Sent),
    /// These features, together, are what the receiver refused; the minimal delivery that
    /// shows it, and what it came to.
    Named {
        dimensions: Vec<Dimension>,
        features: Vec<String>,
        minimal: Sent,
        steps: usize,
    },
    /// Every step was accepted (the refusal did not repeat), or the bound was reached
    /// first.
    Inconclusive(String),
}

fn refused(sent: &Sent) -> bool {
    !sent.is_2xx()
}

/// Whether a failed delivery is worth walking: refused with a status, or the handler
/// crashed (closed the connection). A timeout is not walked: each step could take the
/// whole timeout again, and a slow receiver is graded by the latency checks.
fn walkable(sent: &Sent) -> bool {
    match sent.failure_class() {
        None => true,
        Some(class) => class == crate::transport::FailureClass::Closed,
    }
}

/// Walks a refused drawn delivery back toward the canonical one (see the module docs).
/// The dimensions in `keep` (a check's subject) stay as drawn, in the canonical delivery
/// too: when that one is refused, the subject alone is named.
pub async fn walk(ctx: &Ctx, drawn: &Drawn, like: &Probe, keep: &[Dimension]) -> Walk {
    let deadline = Instant::now() + ctx.timeout * MAX_WALK_TIMEOUTS + Duration::from_secs(1);
    if let Some(walk) = canonical_refusal(ctx, drawn, like, keep).await {
        return walk;
    }
    let mut current = drawn.clone();
    let mut last: Option<Sent> = None;
    let mut steps = 1;
    for dimension in drawn.off_canonical() {
        if keep.contains(&dimension) || !current.off_canonical().contains(&dimension) {
            continue; // the subject, or put back with another dimension
        }
        if steps >= MAX_STEPS || Instant::now() >= deadline {
            return Walk::Inconclusive(format!(
                "the walk back to the canonical delivery stopped after {steps} deliveries"
            ));
        }
        let candidate = current.with_canonical(dimension).fresh();
        let sent = ctx.send(&ctx.redrawn(like, &candidate)).await;
        steps += 1;
        if sent.unreachable() {
            return Walk::Inconclusive(format!("the target went down: {}", sent.describe()));
        }
        if refused(&sent) {
            current = candidate;
            last = Some(sent);
        }
    }
    let needed: Vec<Dimension> = current.off_canonical();
    let minimal = match last {
        Some(sent) => sent,
        // No step was refused: send the delivery itself again, fresh, to show it.
        None => ctx.send(&ctx.redrawn(like, &current.fresh())).await,
    };
    if needed.is_empty() || !refused(&minimal) {
        return Walk::Inconclusive(
            "the refusal did not repeat when the delivery was sent again".into(),
        );
    }
    Walk::Named {
        features: needed.iter().map(|&d| current.feature(d)).collect(),
        dimensions: needed,
        minimal,
        steps,
    }
}

/// The first step of a [`walk`]: the canonical delivery with only the `keep` dimensions
/// of `drawn`. Its refusal ends the walk: the subject alone is named, unless the plain
/// canonical delivery is refused too. `None` when it is accepted and the walk goes on.
async fn canonical_refusal(
    ctx: &Ctx,
    drawn: &Drawn,
    like: &Probe,
    keep: &[Dimension],
) -> Option<Walk> {
    let canonical = keep
        .iter()
        .fold(drawn.canonical(), |c, &d| c.with_dimension_of(d, drawn));
    let sent = ctx.send(&ctx.redrawn(like, &canonical)).await;
    let kept: Vec<Dimension> = canonical
        .off_canonical()
        .into_iter()
        .filter(|d| keep.contains(d))
        .collect();
    match (refused(&sent), kept.is_empty()) {
        (true, true) => Some(Walk::CanonicalRefused(sent)),
        (true, false) => {
            // The subject alone is refused; unless the plain canonical delivery is too.
            let plain = ctx.send(&ctx.redrawn(like, &drawn.canonical())).await;
            if refused(&plain) {
                return Some(Walk::CanonicalRefused(plain));
            }
            Some(Walk::Named {
                features: kept.iter().map(|&d| canonical.feature(d)).collect(),
                dimensions: kept,
                minimal: sent,
                steps: 2,
            })
        }
        (false, _) => None,
    }
}

/// Sends a drawn delivery and grades it: 2xx within the timeout. A refusal is walked back
/// to the feature that caused it, which the finding names; its repro sends the minimal
/// delivery. When the feature is none of the check's `subject` (a payload check whose
/// delivery was refused for a drawn feature another check grades), the check has no
/// verdict and says so, rather than blame its own subject. Returns what the first
/// delivery came to, for the effect checks that follow.
pub async fn expect_drawn_accepted(
    ctx: &Ctx,
    check_id: &str,
    drawn: &Drawn,
    probe: Probe,
    subject: Option<&[Dimension]>,
) -> Sent {
    let started = Instant::now();
    let sent = ctx.send(&probe).await;
    if ctx.selected(check_id) {
        let verdict = ctx.expect_2xx(&sent);
        let verdict = match verdict.outcome {
            VerdictOutcome::Broken if walkable(&sent) => {
                let keep = subject.unwrap_or(&[]);
                match explain(ctx, drawn, &probe, verdict, keep).await {
                    (verdict, Some(named))
                        if subject.is_some() && !named.iter().any(|d| keep.contains(d)) =>
                    {
                        Verdict {
                            outcome: VerdictOutcome::NoVerdict,
                            actual: format!(
                                "a feature other checks grade, not this check's subject: {}",
                                verdict.actual
                            ),
                            ..verdict
                        }
                    }
                    (verdict, _) => verdict,
                }
            }
            VerdictOutcome::Broken => Verdict {
                actual: format!("drawn as {}: {}", drawn.describe(), verdict.actual),
                ..verdict
            },
            _ => verdict,
        };
        ctx.report(check_id, started, verdict);
    }
    sent
}

/// A broken verdict of a drawn delivery, with what the walk found.
pub async fn explained(ctx: &Ctx, drawn: &Drawn, probe: &Probe, verdict: Verdict) -> Verdict {
    explain(ctx, drawn, probe, verdict, &[]).await.0
}

/// [`explained`], and the dimensions the walk named, if it named any.
async fn explain(
    ctx: &Ctx,
    drawn: &Drawn,
    probe: &Probe,
    verdict: Verdict,
    keep: &[Dimension],
) -> (Verdict, Option<Vec<Dimension>>) {
    let status = drawn.status;
    let walked = walk(ctx, drawn, probe, keep).await;
    let named = match &walked {
        Walk::Named { dimensions, .. } => Some(dimensions.clone()),
        _ => None,
    };
    let verdict = match walked {
        Walk::Named {
            features,
            minimal,
            steps,
            ..
        } => Verdict {
            actual: format!(
                "refused when {} (every other feature as the canonical {status} delivery has it; {steps} deliveries walked it back; drawn as {}): {}",
                features.join(" and "),
                drawn.describe(),
                minimal.describe(),
            ),
            repro: Some(minimal.repro.clone()),
            ..verdict
        }
        .with_exchanges([&minimal]),
        Walk::CanonicalRefused(canonical) => Verdict {
            actual: format!(
                "the canonical {status} delivery was refused too, so the problem is not a drawn feature (drawn as {}): {}",
                drawn.describe(),
                verdict.actual,
            ),
            ..verdict
        }
        .with_exchanges([&canonical]),
        Walk::Inconclusive(why) => Verdict {
            actual: format!("drawn as {} ({why}): {}", drawn.describe(), verdict.actual),
            ..verdict
        },
    };
    (verdict, named)
}

/// The verdict of a control delivery, one whose subject is not the payload (an auth
/// header's name): 2xx within the timeout; when the walk shows the receiver refused a drawn
/// feature instead, the check has no verdict, and says which feature, rather than blame its
/// own subject.
pub async fn control(ctx: &Ctx, drawn: &Drawn, probe: &Probe, sent: &Sent) -> Verdict {
    let verdict = ctx.expect_2xx(sent);
    if verdict.outcome != VerdictOutcome::Broken || !walkable(sent) {
        return verdict;
    }
    match explain(ctx, drawn, probe, verdict, &[]).await {
        (explained, Some(_)) => Verdict {
            outcome: VerdictOutcome::NoVerdict,
            ..explained
        },
        (explained, None) => explained,
    }
}
