//! The check families, one file per category of SPEC §3 (the catalogue in
//! [`crate::catalogue`] names every check; each family implements its category's).
//!
//! A family function sends its probes through the run's [`Ctx`](crate::runner::Ctx) and
//! reports one [`Verdict`](crate::runner::Verdict) per selected check.

pub mod auth;
pub mod idempotency;
pub mod latency;
pub mod payload;
pub mod robustness;
pub mod status;
pub mod transport;

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;

use futures::future::join_all;
use tokio::sync::Barrier;

use crate::runner::{Ctx, Probe, Sent};

/// Sends one valid delivery of `body` and grades it: 2xx within the timeout.
pub(crate) async fn expect_accepted(ctx: &Ctx, check_id: String, body: impl Into<Bytes>) {
    if !ctx.selected(&check_id) {
        return;
    }
    let started = Instant::now();
    let sent = ctx.send(&ctx.delivery(body)).await;
    ctx.report(&check_id, started, ctx.expect_2xx(&sent));
}

/// The reason effect checks are skipped without an effects probe.
pub(crate) const NO_EFFECTS_PROBE: &str =
    "no effects probe: give --effects-url or --effects-cmd (SPEC §4) to observe side effects";

/// Sends every probe at once: each waits at a barrier until all are ready, then goes out
/// on its own request, outside the run's limit on requests in flight.
pub(crate) async fn release_together(ctx: &Ctx, probes: &[Probe]) -> Vec<Sent> {
    let barrier = Arc::new(Barrier::new(probes.len()));
    join_all(probes.iter().map(|probe| {
        let barrier = barrier.clone();
        async move {
            barrier.wait().await;
            ctx.send_now(probe).await
        }
    }))
    .await
}
