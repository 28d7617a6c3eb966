//! The check kit: what every family shares. The run's context ([`Ctx`]), the requests it
//! sends ([`Probe`], [`Sent`]), what a check finds ([`Verdict`]), the effects probe, and
//! the shared expectations. The effects probe itself is [`crate::effects`]. It sits below the families and imports none of them.

mod config;
mod context;
mod probe;
mod verdict;

pub use config::RunConfig;
pub use context::{Ctx, RunMessage};
pub use probe::{Probe, Sent, header_list, header_map};
pub use verdict::{Verdict, VerdictOutcome};

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;

use futures::future::join_all;
use tokio::sync::Barrier;

/// Sends one valid delivery of `body` and grades it: 2xx within the timeout.
pub async fn expect_accepted(ctx: &Ctx, check_id: String, body: impl Into<Bytes>) {
    if !ctx.selected(&check_id) {
        return;
    }
    let started = Instant::now();
    let sent = ctx.send(&ctx.delivery(body)).await;
    ctx.report(&check_id, started, ctx.expect_2xx(&sent));
}

/// The reason effect checks are skipped without an effects probe.
pub const NO_EFFECTS_PROBE: &str =
    "no effects probe: give --effects-url or --effects-cmd (SPEC §4) to observe side effects";

/// Sends every probe at once: each waits at a barrier until all are ready, then goes out
/// on its own request, outside the run's limit on requests in flight.
pub async fn release_together(ctx: &Ctx, probes: &[Probe]) -> Vec<Sent> {
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
