//! The outage replay engine (`load --outage`): every delivery of the backlog follows the
//! reference sender's retry schedule, compressed by the time scale, through an
//! [`OutageProxy`] that is down for the plan's windows.
//!
//! Each delivery opens a fresh connection per attempt, and the proxy cuts forwarded
//! connections when a window opens, so no keep-alive connection carries an attempt
//! through an outage. A delivery's latency runs from its due time to the end of its last
//! attempt, and the tally counts its last attempt's status or failure.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use reqwest::Url;
use tokio::time::Instant;

use super::LoadError;
use super::engine::{Driven, Progress, ProgressHook, due};
use super::plan::{LoadPlan, OutagePlan};
use super::schedule::Schedule;
use super::tally::Tally;
use crate::outage::report::TIMELINE_LIMIT;
use crate::outage::{OutageProxy, OutageReport, OutageSpec, RetrySchedule, TimelineAttempt};
use crate::profile::Profile;
use crate::sender::{Delivery, Sender, SenderConfig};

/// What the workers record.
#[derive(Default)]
struct Record {
    tally: Tally,
    attempts: BTreeMap<u32, u64>,
    timeline: Vec<TimelineAttempt>,
    reached: u64,
    gave_up: u64,
    gave_up_in_outage: u64,
}

/// What every worker reads.
struct Shared {
    plan: LoadPlan,
    sender: Sender,
    url: Url,
    schedule: Arc<Schedule>,
    record: Mutex<Record>,
    next: AtomicU64,
    start: Instant,
    scale: f64,
    /// The windows in real time, to tell a delivery given up to the outage from one the
    /// target itself refused.
    windows: OutageSpec,
}

/// Runs the backlog through the outage proxy; returns the tally and the report's outage
/// section.
pub(super) async fn drive(
    plan: &LoadPlan,
    outage: &OutagePlan,
    schedule: Arc<Schedule>,
    on_progress: Option<ProgressHook>,
) -> Result<(Driven, OutageReport), LoadError> {
    let compressed = outage.schedule.scaled(outage.time_scale);
    let sender = compressed_sender(plan, &compressed)?;
    let start = Instant::now();
    let windows = outage.spec.scaled(outage.time_scale);
    let proxy = OutageProxy::start(upstream(&plan.target), windows, start)
        .await
        .map_err(LoadError::Proxy)?;
    let mut url = plan.target.clone();
    let _ = url.set_ip_host(proxy.addr().ip());
    let _ = url.set_port(Some(proxy.addr().port()));
    let shared = Arc::new(Shared {
        plan: plan.clone(),
        sender,
        url,
        schedule,
        record: Mutex::new(Record::default()),
        next: AtomicU64::new(0),
        start,
        scale: outage.time_scale,
        windows: outage.spec.clone(),
    });
    let ticker = on_progress.map(|hook| tokio::spawn(tick(Arc::clone(&shared), hook)));
    let workers: Vec<_> = (0..plan.concurrency)
        .map(|_| tokio::spawn(work(Arc::clone(&shared))))
        .collect();
    for worker in workers {
        let _ = worker.await;
    }
    let elapsed = start.elapsed();
    if let Some(ticker) = ticker {
        ticker.abort();
    }
    let mut record = std::mem::take(&mut *lock(&shared.record));
    let report = record.report(outage, &proxy);
    let tally = record.tally;
    Ok((Driven { tally, elapsed }, report))
}

/// The reference sender with the schedule compressed, a fresh connection per attempt.
fn compressed_sender(plan: &LoadPlan, compressed: &RetrySchedule) -> Result<Sender, LoadError> {
    let mut config = SenderConfig {
        client: plan.client.clone(),
        signing: plan.secret.clone(),
        retries: compressed.retries,
        backoff_base: compressed.backoff_base,
        jitter: compressed.jitter,
        ..SenderConfig::default()
    }
    .fresh_connections(true);
    config.client.timeout = compressed.timeout;
    Ok(Sender::new(config)?)
}

/// One worker: claims the next delivery, waits for its due time, delivers it with every
/// retry, records it.
async fn work(shared: Arc<Shared>) {
    while let Some((k, due)) = claim(&shared.plan, &shared.next, shared.start) {
        if let Some(shard) = shared.plan.shard
            && !shard.owns(shared.schedule.session_of(k))
        {
            continue;
        }
        if due > Instant::now() {
            tokio::time::sleep_until(due).await;
        }
        let planned = shared.schedule.delivery(k);
        // Under Standard Webhooks every attempt is signed afresh under the message's id.
        let webhook_id = (shared.schedule.profile() == Profile::StandardWebhooks)
            .then(|| shared.schedule.session_id(planned.session));
        let delivery = shared
            .sender
            .deliver_signed(&shared.url, planned.body, webhook_id)
            .await;
        let real = (due - shared.start).mul_f64(shared.scale);
        let mut record = lock(&shared.record);
        record.add(k, &delivery, due.elapsed(), real, &shared);
        if planned.duplicate {
            record.tally.duplicates += 1;
        } else {
            record.tally.started.push(planned.session);
        }
        if delivery.delivered {
            record.tally.acknowledged.push(planned.session);
        }
    }
}

fn lock(record: &Mutex<Record>) -> MutexGuard<'_, Record> {
    record.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The next delivery and its due time, or `None` once the plan stops.
fn claim(plan: &LoadPlan, next: &AtomicU64, start: Instant) -> Option<(u64, Instant)> {
    let k = next.fetch_add(1, Ordering::Relaxed);
    due(plan.pace, plan.stop, start, k).map(|at| (k, at))
}

/// `host:port` of the target, for the proxy to connect to.
fn upstream(target: &Url) -> String {
    let host = target.host_str().unwrap_or("127.0.0.1");
    let port = target.port_or_known_default().unwrap_or(80);
    match host.contains(':') && !host.starts_with('[') {
        true => format!("[{host}]:{port}"),
        false => format!("{host}:{port}"),
    }
}

/// Whether a delivery's last attempt (first sent at `real`, real time) started or ended
/// inside an outage window: then the outage, not the target, had the last word.
fn last_in_outage(delivery: &Delivery, real: Duration, scale: f64, windows: &OutageSpec) -> bool {
    delivery.attempts.last().is_some_and(|attempt| {
        let started = real.saturating_add(attempt.start_offset.mul_f64(scale));
        let ended = started.saturating_add(attempt.duration.mul_f64(scale));
        windows.window_at(started).is_some() || windows.window_at(ended).is_some()
    })
}

impl Record {
    /// One finished delivery, `latency` from its due time, first sent at `real` (real time),
    /// its last attempt held against `shared`'s windows when it was given up.
    fn add(
        &mut self,
        k: u64,
        delivery: &Delivery,
        latency: Duration,
        real: Duration,
        shared: &Shared,
    ) {
        let scale = shared.scale;
        let last = delivery.attempts.last();
        let timed_out =
            last.is_some_and(|a| a.failure == Some(crate::transport::FailureClass::Timeout));
        self.tally.latency.record(latency, timed_out);
        match last.map(|a| (a.status_code, a.failure)) {
            Some((Some(code), _)) => *self.tally.statuses.entry(code).or_default() += 1,
            Some((None, Some(class))) => *self.tally.errors.entry(class).or_default() += 1,
            _ => {}
        }
        *self
            .attempts
            .entry(delivery.attempts.len() as u32)
            .or_default() += 1;
        if delivery.delivered {
            self.reached += 1;
        } else {
            self.gave_up += 1;
            if last_in_outage(delivery, real, scale, &shared.windows) {
                self.gave_up_in_outage += 1;
            }
        }
        for attempt in &delivery.attempts {
            if self.timeline.len() < TIMELINE_LIMIT {
                self.timeline.push(TimelineAttempt {
                    delivery: k,
                    number: attempt.number,
                    at: real.saturating_add(attempt.start_offset.mul_f64(scale)),
                    reached: attempt.delivered(),
                });
            }
        }
    }
}

impl Record {
    /// The outage section of the report.
    fn report(&mut self, outage: &OutagePlan, proxy: &OutageProxy) -> OutageReport {
        let counts = proxy.counts();
        OutageReport {
            windows: outage.spec.windows.clone(),
            time_scale: outage.time_scale,
            schedule: outage.schedule,
            longest_survived: outage.schedule.longest_survived(),
            longest_survived_wall: outage.schedule.scaled(outage.time_scale).longest_survived(),
            deliveries: self.tally.deliveries(),
            reached: self.reached,
            gave_up: self.gave_up,
            gave_up_in_outage: self.gave_up_in_outage,
            attempts: self
                .attempts
                .iter()
                .map(|(n, count)| (n.to_string(), *count))
                .collect(),
            forwarded_connections: counts.forwarded.load(Ordering::Relaxed),
            blocked_connections: counts.blocked.load(Ordering::Relaxed),
            upstream_failures: counts.upstream_failures.load(Ordering::Relaxed),
            timeline: std::mem::take(&mut self.timeline),
        }
    }
}

/// Reports progress once a second until aborted.
async fn tick(shared: Arc<Shared>, hook: ProgressHook) {
    let mut every = tokio::time::interval(Duration::from_secs(1));
    every.tick().await;
    loop {
        every.tick().await;
        let (deliveries, failed) = {
            let record = lock(&shared.record);
            (record.reached + record.gave_up, record.gave_up)
        };
        hook(&Progress {
            elapsed: shared.start.elapsed(),
            deliveries,
            failed,
        });
    }
}
