//! The check kit: what every family shares. The run's context ([`Ctx`]), the requests it
//! sends ([`Probe`], [`Sent`]), what a check finds ([`Verdict`]), the shared expectations
//! ("a valid delivery is acknowledged": [`Ctx::expect_2xx`]; "an input is answered":
//! [`Ctx::expect_answer`]; "exactly one effect" / "no effect": [`Ctx::expect_effects`]),
//! and short repro scripts. It sits below the families and imports none of them; the
//! effects probe itself is [`crate::effects`].

mod config;
mod context;
mod controls;
mod draw;
mod expect;
mod expectation;
mod face;
mod ledger;
mod probe;
mod send;
mod verdict;

pub use config::{DEFAULT_SETTLE, QUICK_SETTLE, QUICK_WINDOW, RunConfig};
pub use context::{Ctx, RunMessage};
pub use controls::Controls;
pub use draw::{Walk, control, expect_drawn_accepted, explained, walk};
pub use expect::{expect_accepted, expect_probe_accepted};
pub use expectation::{Expect, Expected};
pub use face::{Face, Fresh};
pub use ledger::grade_effects;
pub use probe::{Probe, Sent, header_list, header_map};
pub use verdict::{Verdict, VerdictOutcome};

use std::sync::Arc;

use futures::future::join_all;
use tokio::sync::Barrier;

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
