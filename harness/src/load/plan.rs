//! What a load run does: the target, how hard to push it, when to stop.

use std::time::Duration;

use reqwest::Url;

use super::shard::Shard;
use crate::effects::EffectsProbe;
use crate::outage::{OutageSpec, RetrySchedule};
use crate::profile::Profile;
use crate::standard_webhooks::Secret;
use crate::transport::ClientSettings;

/// When a load run stops sending.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stop {
    /// After this long (open loop: no delivery is scheduled past it).
    After(Duration),
    /// After this many deliveries, duplicates included.
    Deliveries(u64),
}

/// How deliveries are paced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pace {
    /// Closed loop: each of the `concurrency` workers sends its next delivery as soon as the
    /// previous one is answered. Measures the most the target sustains.
    AsFastAsAnswered,
    /// Open loop: delivery `k` is due at `start + k / rate`, whatever the target does, and its
    /// latency counts from that moment, so a stall shows in every delivery it delays
    /// (no coordinated omission).
    Rate(f64),
}

/// A load run, checked by [`LoadPlan::validate`].
#[derive(Debug, Clone)]
#[must_use]
pub struct LoadPlan {
    /// The webhook URL.
    pub target: Url,
    /// Other replicas of the same receiver (`--replica`): deliveries go round robin over
    /// the target and these, each redelivery to another one than its session's first copy.
    pub replicas: Vec<Url>,
    /// How every delivery reaches the target: the auth header sent on every delivery, the
    /// bound on one delivery, from sending it to its complete response (its latency still
    /// counts from its due time), and which certificates an HTTPS target must present.
    pub client: ClientSettings,
    /// Deliveries in flight at most (and connections opened at most).
    pub concurrency: usize,
    /// Closed or open loop.
    pub pace: Pace,
    /// When to stop.
    pub stop: Stop,
    /// The fraction of deliveries (0.0..1.0) that redeliver an earlier session.
    pub duplicates: f64,
    /// Where effect counts come from; with one, the run ends with the exactly-once check.
    pub effects: Option<EffectsProbe>,
    /// How long to wait after the last delivery before counting effects.
    pub settle: Duration,
    /// The seed session ids and statuses follow from.
    pub seed: u64,
    /// The share of the backlog this process sends (`--shard K/N`), or all of it.
    pub shard: Option<Shard>,
    /// `--outage`: deliver through an outage proxy with the sender's retry schedule.
    pub outage: Option<OutagePlan>,
    /// The contract deliveries follow (`--profile`): Cr3dentials payloads, or Standard
    /// Webhooks messages signed with [`LoadPlan::secret`].
    pub profile: Profile,
    /// The Standard Webhooks signing secret, needed by that profile alone.
    pub secret: Option<Secret>,
}

/// An outage replay (`load --outage`): each delivery follows the reference sender's retry
/// schedule through a proxy that is down for the spec's windows, every time divided by
/// `time_scale`.
#[derive(Debug, Clone, PartialEq)]
pub struct OutagePlan {
    /// The windows, in real time from the start of the run.
    pub spec: OutageSpec,
    /// Real seconds per wall-clock second (`--time-scale`): 60 runs a real minute in 1 s.
    pub time_scale: f64,
    /// The real retry schedule (its timeout replaces the plan's client timeout).
    pub schedule: RetrySchedule,
}

/// A plan that cannot run. Messages read after "error: ".
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// Zero workers.
    #[error("--concurrency must be at least 1")]
    NoConcurrency,
    /// A rate that is zero, negative or not a number.
    #[error("--rate must be a positive number of deliveries per second, not {0}")]
    BadRate(f64),
    /// A duplicates ratio outside 0.0..1.0.
    #[error("--duplicates must be a ratio from 0.0 up to (not including) 1.0, not {0}")]
    BadDuplicates(f64),
    /// Nothing to send.
    #[error("--deliveries and --duration must be more than zero")]
    NothingToSend,
    /// A zero timeout.
    #[error("--timeout must be more than zero")]
    ZeroTimeout,
    /// A shard of a backlog bounded by time: how much each shard sends would depend on how
    /// fast it sends, so the shards would not add up to one backlog.
    #[error(
        "--shard splits a backlog of a known size: give --deliveries (the whole backlog's, the same on every shard) instead of --duration"
    )]
    ShardWithoutDeliveries,
    /// A time scale that is zero, negative or not a number.
    #[error("--time-scale must be a positive number, not {0}")]
    BadTimeScale(f64),
    /// A jitter outside 0..1.
    #[error("--jitter must be a fraction from 0 to 1, not {0}")]
    BadJitter(f64),
    /// An outage replay against an HTTPS target or with replicas.
    #[error(
        "--outage needs one plain http target (no --replica): its proxy forwards to one address and the client connects to the proxy"
    )]
    OutageTarget,
    /// A Standard Webhooks run with no secret to sign with.
    #[error("--profile standard-webhooks needs the signing secret: give --secret whsec_…")]
    NoSecret,
    /// A secret under the Cr3dentials profile, which signs nothing.
    #[error(
        "--secret is for --profile standard-webhooks; the cr3dentials profile authenticates with --auth"
    )]
    SecretWithoutProfile,
}

impl LoadPlan {
    /// Deliveries in flight at most, by default (`--concurrency`).
    pub const DEFAULT_CONCURRENCY: usize = 32;
    /// How long a run sends, by default (`--duration`).
    pub const DEFAULT_DURATION: Duration = Duration::from_secs(10);
    /// The fraction of deliveries that redeliver a session, by default (`--duplicates`).
    pub const DEFAULT_DUPLICATES: f64 = 0.0;
    /// How long after the last delivery effects are counted, by default (`--settle`).
    pub const DEFAULT_SETTLE: Duration = Duration::from_millis(300);

    /// A closed-loop plan: 32 workers for 10 s, no duplicates, the provider's 30 s timeout,
    /// no effects probe.
    pub fn new(target: Url) -> Self {
        LoadPlan {
            target,
            replicas: Vec::new(),
            client: ClientSettings::default(),
            concurrency: Self::DEFAULT_CONCURRENCY,
            pace: Pace::AsFastAsAnswered,
            stop: Stop::After(Self::DEFAULT_DURATION),
            duplicates: Self::DEFAULT_DUPLICATES,
            effects: None,
            settle: Self::DEFAULT_SETTLE,
            seed: rand::random(),
            shard: None,
            outage: None,
            profile: Profile::Cr3dentials,
            secret: None,
        }
    }

    /// The plan with Standard Webhooks deliveries signed with `secret`.
    pub fn standard_webhooks(mut self, secret: Secret) -> Self {
        self.profile = Profile::StandardWebhooks;
        self.secret = Some(secret);
        self
    }

    /// Where deliveries go: the target, then each replica.
    pub fn urls(&self) -> Vec<Url> {
        std::iter::once(self.target.clone())
            .chain(self.replicas.iter().cloned())
            .collect()
    }

    /// Whether the plan can run.
    pub fn validate(&self) -> Result<(), PlanError> {
        if self.concurrency == 0 {
            return Err(PlanError::NoConcurrency);
        }
        if let Pace::Rate(rate) = self.pace
            && !(rate.is_finite() && rate > 0.0)
        {
            return Err(PlanError::BadRate(rate));
        }
        if !(0.0..1.0).contains(&self.duplicates) {
            return Err(PlanError::BadDuplicates(self.duplicates));
        }
        if matches!(self.stop, Stop::After(d) if d.is_zero())
            || matches!(self.stop, Stop::Deliveries(0))
        {
            return Err(PlanError::NothingToSend);
        }
        if self.client.timeout.is_zero() {
            return Err(PlanError::ZeroTimeout);
        }
        if self.shard.is_some() && !matches!(self.stop, Stop::Deliveries(_)) {
            return Err(PlanError::ShardWithoutDeliveries);
        }
        match (self.profile, &self.secret) {
            (Profile::StandardWebhooks, None) => return Err(PlanError::NoSecret),
            (Profile::Cr3dentials, Some(_)) => return Err(PlanError::SecretWithoutProfile),
            _ => {}
        }
        match &self.outage {
            Some(outage) => outage.validate(self),
            None => Ok(()),
        }
    }
}

impl OutagePlan {
    fn validate(&self, plan: &LoadPlan) -> Result<(), PlanError> {
        if !(self.time_scale.is_finite() && self.time_scale > 0.0) {
            return Err(PlanError::BadTimeScale(self.time_scale));
        }
        if !(0.0..=1.0).contains(&self.schedule.jitter) {
            return Err(PlanError::BadJitter(self.schedule.jitter));
        }
        if plan.target.scheme() != "http" || !plan.replicas.is_empty() {
            return Err(PlanError::OutageTarget);
        }
        if self.schedule.timeout.is_zero() {
            return Err(PlanError::ZeroTimeout);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> LoadPlan {
        LoadPlan::new(Url::parse("http://127.0.0.1:1/hook").unwrap())
    }

    #[test]
    fn the_default_plan_is_valid_and_bad_knobs_are_named() {
        assert_eq!(plan().validate(), Ok(()));
        let mut bad = plan();
        bad.duplicates = 1.0;
        assert_eq!(bad.validate(), Err(PlanError::BadDuplicates(1.0)));
        bad = plan();
        bad.pace = Pace::Rate(0.0);
        assert_eq!(bad.validate(), Err(PlanError::BadRate(0.0)));
        bad = plan();
        bad.stop = Stop::Deliveries(0);
        assert_eq!(bad.validate(), Err(PlanError::NothingToSend));
        bad = plan();
        bad.concurrency = 0;
        assert_eq!(bad.validate(), Err(PlanError::NoConcurrency));
        bad = plan();
        bad.shard = Some(Shard { index: 1, count: 2 });
        assert_eq!(bad.validate(), Err(PlanError::ShardWithoutDeliveries));
        bad.stop = Stop::Deliveries(10);
        assert_eq!(bad.validate(), Ok(()));
        bad = plan();
        bad.profile = Profile::StandardWebhooks;
        assert_eq!(bad.validate(), Err(PlanError::NoSecret));
        assert_eq!(
            plan().standard_webhooks(Secret::generate()).validate(),
            Ok(())
        );
    }
}
