//! Payload family (SPEC §3 ¶3, ¶4, ¶8): every payload form the sender may produce is
//! accepted: non-ASCII text, unknown fields [D-4], 256 KiB bodies [D-11], any RFC 3339
//! timestamp [D-3], a `charset` parameter on the content type, a `completedAt` of any age
//! [D-13], omitted optional fields [D-14], free-form keys [D-16]; and each one that is
//! acknowledged causes exactly one side effect. Each delivery is drawn with its subject
//! pinned, the rest of the space drawn.

use futures::future::join_all;

use super::kit::{Ctx, Expect, Expected, Verdict, expect_drawn_accepted};
use crate::generate::PayloadShape;
use crate::spec::Status;

/// Runs the payload checks.
pub async fn run(ctx: &Ctx) {
    join_all(PayloadShape::ALL.iter().map(|&shape| one_shape(ctx, shape))).await;
}

async fn one_shape(ctx: &Ctx, shape: PayloadShape) {
    let accepted_id = shape.acceptance_check();
    let processed_id = format!("payload/processed-once/{}", shape.as_str());
    if !ctx.selected(&accepted_id) && !ctx.selected(&processed_id) {
        return;
    }
    let drawn = ctx.draw(Status::Completed, &accepted_id, &shape.pin());
    let probe = ctx
        .drawn_delivery(&drawn)
        .replacing("content-type", shape.content_type());
    let subject = Some(shape.subject());
    let sent = expect_drawn_accepted(ctx, &accepted_id, &drawn, probe, subject).await;
    let expected = vec![Expected::new(
        drawn.session_id.clone(),
        Expect::for_delivery([&sent]),
        format!("the {} delivery: {}", shape.as_str(), drawn.describe()),
    )];
    ctx.expect_effects(
        &processed_id,
        expected,
        Verdict::evidence().with_sent(&sent),
    );
}
