//! Payload family (SPEC §3 ¶3, ¶4, ¶8): every payload form the sender may produce is
//! accepted: non-ASCII text, unknown fields [D-4], 256 KiB bodies [D-11], any RFC 3339
//! timestamp [D-3], a `charset` parameter on the content type; and each one that is
//! acknowledged causes exactly one side effect.

use futures::future::join_all;

use super::kit::{Ctx, Expect, Expected, Verdict, expect_probe_accepted};
use crate::generate::PayloadShape;
use crate::spec::Status;

/// Runs the payload checks.
pub async fn run(ctx: &Ctx) {
    join_all(PayloadShape::ALL.iter().map(|&shape| one_shape(ctx, shape))).await;
}

async fn one_shape(ctx: &Ctx, shape: PayloadShape) {
    let accepted_id = shape.acceptance_check();
    let processed_id = format!("payload/processed-once/{}", shape.id());
    if !ctx.selected(&accepted_id) && !ctx.selected(&processed_id) {
        return;
    }
    let payload = ctx.payload(Status::Completed, &accepted_id).build();
    let probe = ctx
        .delivery(shape.body(&payload))
        .replacing("content-type", shape.content_type());
    let sent = expect_probe_accepted(ctx, &accepted_id, probe).await;
    let expected = vec![Expected::new(
        payload.session_id,
        Expect::for_delivery([&sent]),
        format!("the {} delivery", shape.id()),
    )];
    ctx.expect_effects(
        &processed_id,
        expected,
        Verdict::evidence().with_sent(&sent),
    );
}
