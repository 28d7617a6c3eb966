//! Load: drain a backlog of distinct (and optionally duplicated) deliveries into a target,
//! as the provider does after an outage, and measure what the target sustains.
//!
//! - [`LoadPlan`] says how ([`plan`]): concurrency, closed loop or a fixed rate, when to
//!   stop, the duplicates ratio, the effects probe.
//! - [`Schedule`] numbers the sessions and builds each body from a pre-serialized template
//!   ([`schedule`]).
//! - [`engine::drive`] sends them on a shared keep-alive pool and tallies statuses, failure
//!   classes and latency from each delivery's due time, in a [`Tally`] per worker
//!   ([`tally`]).
//! - [`ExactlyOnce`] and [`LoadVerdict`] judge the run ([`verdict`]): everything answered
//!   2xx, and every distinct session processed exactly once.
//! - [`LoadReport`] is what `hookcheck load` prints and writes as JSON ([`summary`]).
//! - [`Shard`] splits one seeded backlog over processes (`load --shard K/N`, [`shard`]);
//!   [`merge`] adds their reports up into one (`load --merge`).
//!
//! ```
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
//! # async fn main() {
//! use hookcheck::load::{LoadPlan, Stop, run};
//! use hookcheck::effects::EffectsProbe;
//! use hookcheck::receiver::{Receiver, ReceiverConfig};
//!
//! hookcheck::install_crypto_provider();
//! let receiver = Receiver::start(ReceiverConfig::default()).await.unwrap();
//! let mut plan = LoadPlan::new(receiver.webhook_url().parse().unwrap());
//! plan.stop = Stop::Deliveries(200);
//! plan.concurrency = 8;
//! plan.effects = Some(EffectsProbe::url(&receiver.effects_url_template()).unwrap());
//! let report = run(plan, None).await.unwrap();
//! assert_eq!(report.deliveries, 200);
//! assert!(report.verdict.holds, "{}", report.verdict);
//! receiver.shutdown().await;
//! # }
//! ```

pub mod engine;
mod hash;
pub mod merge;
mod messages;
pub mod plan;
mod replay;
pub mod schedule;
pub mod shard;
pub mod summary;
pub mod tally;
pub mod verdict;

use std::sync::Arc;

pub use engine::{Progress, ProgressHook};
pub use merge::MergeError;
pub use plan::{LoadPlan, OutagePlan, Pace, PlanError, Stop};
pub use schedule::Schedule;
pub use shard::{Shard, ShardError, ShardRecord};
pub use summary::{LoadLatency, LoadReport};
pub use tally::Tally;
pub use verdict::{Cited, Counted, ExactlyOnce, LoadVerdict};

use crate::sender::{Sender, SenderConfig, SenderError};
use crate::transport::display_url;

/// Why a load run could not start.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The plan is invalid.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The HTTP client could not be set up (a bad CA file, for one).
    #[error(transparent)]
    Client(#[from] SenderError),
    /// The outage proxy could not listen on 127.0.0.1.
    #[error("cannot start the outage proxy: {0}")]
    Proxy(std::io::Error),
}

/// How many effect queries run at once at most.
const EFFECT_QUERIES: usize = 32;

/// Runs a load plan to the end and judges it. `on_progress` is called about once a second.
pub async fn run(
    plan: LoadPlan,
    on_progress: Option<ProgressHook>,
) -> Result<LoadReport, LoadError> {
    plan.validate()?;
    let config = SenderConfig {
        client: plan.client.clone(),
        ..SenderConfig::default()
    };
    let sender = Sender::new(config.clone())?;
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let clients = (0..threads)
        .map(|_| Sender::new(config.clone()).map(|s| s.http_client().clone()))
        .collect::<Result<Vec<_>, _>>()?;
    let schedule = Arc::new(Schedule::of(plan.profile, plan.seed, plan.duplicates));
    let (driven, outage) = match &plan.outage {
        Some(outage) => {
            let (driven, report) =
                replay::drive(&plan, outage, Arc::clone(&schedule), on_progress).await?;
            (driven, Some(report))
        }
        None => {
            let headers = sender.delivery_headers();
            let schedule = Arc::clone(&schedule);
            let driven = engine::drive(&plan, clients, headers, schedule, on_progress).await;
            (driven, None)
        }
    };
    let mut started = driven.tally.started.clone();
    started.sort_unstable();
    started.dedup();
    let exactly_once = match &plan.effects {
        Some(probe) => {
            tokio::time::sleep(plan.settle).await;
            let check = ExactlyOnce::check(
                probe,
                &sender,
                |index| schedule.session_id(index),
                &started,
                &driven.tally.acknowledged,
                plan.concurrency.min(EFFECT_QUERIES),
            )
            .await;
            Some(check)
        }
        None => None,
    };
    let rate = match plan.pace {
        Pace::Rate(rate) => Some(rate),
        Pace::AsFastAsAnswered => None,
    };
    let mut report = LoadReport::new(
        plan.profile,
        display_url(&plan.target),
        plan.concurrency,
        rate,
        driven.elapsed,
        &driven.tally,
        exactly_once,
    );
    report.replicas = plan.replicas.iter().map(display_url).collect();
    report.shard = plan.shard.map(|shard| ShardRecord {
        shard,
        seed: plan.seed,
        backlog: match plan.stop {
            Stop::Deliveries(n) => n,
            Stop::After(_) => 0,
        },
        duplicates_ratio: plan.duplicates,
        effects: plan.effects.is_some(),
        latency_us: driven.tally.latency.buckets(),
    });
    // Under an outage, a delivery given up is told apart: the outage's, or the target's.
    if let Some(outage) = &outage {
        let (gave_up, in_outage) = (outage.gave_up, outage.gave_up_in_outage);
        let checked = report.exactly_once.as_ref();
        report.verdict = LoadVerdict::judge_replay(plan.profile, gave_up, in_outage, checked);
    }
    report.outage = outage;
    Ok(report)
}
