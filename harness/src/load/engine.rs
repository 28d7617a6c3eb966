//! The load engine: `concurrency` workers, spread over one thread per core, each thread with
//! its own keep-alive connection pool; workers claim deliveries by number, so no worker waits
//! for another.
//!
//! Each delivery has a due time: when it was claimed (closed loop) or `start + k / rate`
//! (open loop). Its latency runs from the due time to the end of its response, so in an
//! open loop a stalled target delays, and shows in, every delivery due during the stall.
//! A timed-out delivery is recorded at the time it was given up, never dropped.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::{StatusCode, Url};
use tokio::time::Instant;

use super::plan::{LoadPlan, Pace, Stop};
use super::schedule::Schedule;
use super::shard::Shard;
use super::tally::Tally;
use crate::standard_webhooks::{Signer, insert_signed, unix_now};
use crate::transport::{FailureClass, TransportError};

/// How many tallies workers share at most: few enough to merge cheaply, enough that
/// workers rarely wait on one another's lock.
const TALLY_SHARDS: usize = 16;

/// How far a run has got, for a progress line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Since the run started.
    pub elapsed: Duration,
    /// Deliveries finished (answered or not).
    pub deliveries: u64,
    /// Of those, the ones not answered 2xx.
    pub failed: u64,
}

/// Called about once a second while a run goes on.
pub type ProgressHook = Arc<dyn Fn(&Progress) + Send + Sync>;

/// What the workers did.
#[derive(Debug)]
pub struct Driven {
    /// Everything measured.
    pub tally: Tally,
    /// From the start until the last delivery finished.
    pub elapsed: Duration,
}

/// What every worker reads.
struct Shared {
    urls: Vec<Url>,
    headers: HeaderMap,
    /// Under Standard Webhooks, signs each delivery as it is sent.
    signer: Option<Signer>,
    schedule: Arc<Schedule>,
    shard: Option<Shard>,
    pace: Pace,
    stop: Stop,
    timeout: Duration,
    keep_acknowledged: bool,
    start: Instant,
    next: AtomicU64,
    finished: AtomicU64,
    failed: AtomicU64,
    tallies: Vec<Mutex<Tally>>,
}

/// Runs the plan's deliveries, one client of `clients` per OS thread, with `headers` on
/// each delivery.
///
/// Each thread runs its own single-threaded runtime and its share of the workers, with its
/// own connections, as wrk does: a request and its connection never wake each other across
/// threads.
pub async fn drive(
    plan: &LoadPlan,
    clients: Vec<reqwest::Client>,
    headers: HeaderMap,
    schedule: Arc<Schedule>,
    on_progress: Option<ProgressHook>,
) -> Driven {
    let shards = plan.concurrency.clamp(1, TALLY_SHARDS);
    let shared = Arc::new(Shared {
        urls: plan.urls(),
        headers,
        signer: plan.secret.as_ref().map(Signer::new),
        schedule,
        shard: plan.shard,
        pace: plan.pace,
        stop: plan.stop,
        timeout: plan.client.timeout,
        keep_acknowledged: plan.effects.is_some(),
        start: Instant::now(),
        next: AtomicU64::new(0),
        finished: AtomicU64::new(0),
        failed: AtomicU64::new(0),
        tallies: (0..shards).map(|_| Mutex::new(Tally::default())).collect(),
    });
    let ticker = on_progress.map(|hook| tokio::spawn(tick(Arc::clone(&shared), hook)));
    let threads = clients.len().clamp(1, plan.concurrency);
    let mut done = Vec::new();
    for (thread, client) in clients.into_iter().take(threads).enumerate() {
        // Workers thread, thread + threads, … run on this thread.
        let workers: Vec<usize> = (thread..plan.concurrency).step_by(threads).collect();
        let (finished, wait) = tokio::sync::oneshot::channel();
        let shared = Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .name(format!("hookcheck-load-{thread}"))
            .spawn(move || {
                run_thread(&shared, &client, &workers);
                let _ = finished.send(());
            });
        if spawned.is_ok() {
            done.push(wait);
        }
    }
    for wait in done {
        // A thread that died (a bug) leaves its deliveries out of the tally, no more.
        let _ = wait.await;
    }
    let elapsed = shared.start.elapsed();
    if let Some(ticker) = ticker {
        ticker.abort();
    }
    let mut tally = Tally::default();
    for shard in &shared.tallies {
        tally.merge(std::mem::take(&mut *lock(shard)));
    }
    Driven { tally, elapsed }
}

/// One load thread: its workers on a single-threaded runtime, until all are done.
fn run_thread(shared: &Arc<Shared>, client: &reqwest::Client, workers: &[usize]) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    let shards = shared.tallies.len();
    runtime.block_on(async {
        let tasks: Vec<_> = workers
            .iter()
            .map(|&n| tokio::spawn(work(Arc::clone(shared), client.clone(), n % shards)))
            .collect();
        for task in tasks {
            let _ = task.await;
        }
    });
}

impl Shared {
    /// When delivery `k` is due, or `None` when the run stops before it.
    fn due(&self, k: u64) -> Option<Instant> {
        due(self.pace, self.stop, self.start, k)
    }
}

/// When delivery `k` of a run started at `start` is due, or `None` when it is past the stop.
pub(super) fn due(pace: Pace, stop: Stop, start: Instant, k: u64) -> Option<Instant> {
    let due = match pace {
        Pace::AsFastAsAnswered => Instant::now(),
        Pace::Rate(rate) => start + Duration::from_secs_f64(k as f64 / rate),
    };
    let within = match stop {
        Stop::Deliveries(n) => k < n,
        Stop::After(duration) => due < start + duration,
    };
    within.then_some(due)
}

/// One worker: claims the next delivery, waits for its due time, sends it, records it.
async fn work(shared: Arc<Shared>, client: reqwest::Client, shard: usize) {
    loop {
        let k = shared.next.fetch_add(1, Ordering::Relaxed);
        let Some(due) = shared.due(k) else { break };
        if let Some(shard) = shared.shard
            && !shard.owns(shared.schedule.session_of(k))
        {
            continue;
        }
        // tokio's timer ticks in milliseconds: sleeping until a time already past would
        // still wait for the next tick.
        if due > Instant::now() {
            tokio::time::sleep_until(due).await;
        }
        let planned = shared.schedule.delivery(k);
        let url = &shared.urls[planned.destination(k, shared.urls.len())];
        let headers = shared.headers_for(planned.session, &planned.body);
        let sent =
            tokio::time::timeout(shared.timeout, send(&client, url, headers, planned.body)).await;
        let latency = due.elapsed();
        let outcome = match sent {
            Ok(Ok(status)) => Ok(status),
            Ok(Err(error)) => Err(crate::transport::classify(&error)),
            Err(_) => Err(TransportError {
                class: FailureClass::Timeout,
                message: String::new(),
            }),
        };
        let acknowledged = matches!(outcome, Ok(status) if status.is_success());
        shared.finished.fetch_add(1, Ordering::Relaxed);
        if !acknowledged {
            shared.failed.fetch_add(1, Ordering::Relaxed);
        }
        let mut tally = lock(&shared.tallies[shard]);
        let timed_out = matches!(&outcome, Err(e) if e.class == FailureClass::Timeout);
        tally.latency.record(latency, timed_out);
        match outcome {
            Ok(status) => *tally.statuses.entry(status.as_u16()).or_default() += 1,
            Err(error) => *tally.errors.entry(error.class).or_default() += 1,
        }
        if planned.duplicate {
            tally.duplicates += 1;
        } else if shared.keep_acknowledged {
            tally.started.push(planned.session);
        }
        if acknowledged && shared.keep_acknowledged {
            tally.acknowledged.push(planned.session);
        }
    }
}

impl Shared {
    /// The headers of a delivery of `session` carrying `body`.
    fn headers_for(&self, session: u64, body: &[u8]) -> HeaderMap {
        let signer = self.signer.as_ref();
        delivery_headers(&self.headers, signer, &self.schedule, session, body)
    }
}

/// The headers of a delivery of `session` carrying `body`: `fixed`, and with a `signer`
/// (Standard Webhooks) the message's id, the time now and their signature.
fn delivery_headers(
    fixed: &HeaderMap,
    signer: Option<&Signer>,
    schedule: &Schedule,
    session: u64,
    body: &[u8],
) -> HeaderMap {
    let mut headers = fixed.clone();
    if let Some(signer) = signer {
        let id = schedule.session_id(session);
        insert_signed(&mut headers, signer, &id, unix_now(), body);
    }
    headers
}

/// POSTs one body to `url` and reads the whole response, so the connection goes back to
/// the pool.
async fn send(
    client: &reqwest::Client,
    url: &Url,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, reqwest::Error> {
    let mut response = client
        .post(url.clone())
        .headers(headers)
        .body(body)
        .send()
        .await?;
    let status = response.status();
    while response.chunk().await?.is_some() {}
    Ok(status)
}

/// Reports progress once a second until aborted.
async fn tick(shared: Arc<Shared>, hook: ProgressHook) {
    let mut every = tokio::time::interval(Duration::from_secs(1));
    every.tick().await;
    loop {
        every.tick().await;
        hook(&Progress {
            elapsed: shared.start.elapsed(),
            deliveries: shared.finished.load(Ordering::Relaxed),
            failed: shared.failed.load(Ordering::Relaxed),
        });
    }
}

/// A panic while a tally was locked leaves plain counters behind, still usable.
fn lock(tally: &Mutex<Tally>) -> MutexGuard<'_, Tally> {
    tally
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;
    use crate::standard_webhooks::{DEFAULT_TOLERANCE, Secret, Verifier};

    #[test]
    fn a_duplicate_copy_carries_its_messages_id_and_body_with_a_valid_signature() {
        let secret = Secret::generate();
        let signer = Signer::new(&secret);
        let schedule = Schedule::of(Profile::StandardWebhooks, 5, 0.5);
        let copy = (1..100)
            .map(|k| schedule.delivery(k))
            .find(|planned| planned.duplicate)
            .expect("half the deliveries are copies");
        let first = schedule.delivery(copy.session);
        assert_eq!(first.body, copy.body, "a copy is the same body");
        let verifier = Verifier::new(secret, DEFAULT_TOLERANCE);
        let fixed = HeaderMap::new();
        for planned in [&first, &copy] {
            let headers = delivery_headers(
                &fixed,
                Some(&signer),
                &schedule,
                planned.session,
                &planned.body,
            );
            let verified = verifier
                .verify(&headers, &planned.body, unix_now())
                .expect("each copy is signed with the secret");
            assert_eq!(verified.id, schedule.session_id(copy.session));
        }
        let body: serde_json::Value = serde_json::from_slice(&copy.body).unwrap();
        assert!(
            body["type"].is_string() && body["timestamp"].is_string(),
            "{body}"
        );
        assert_eq!(body["data"]["id"], schedule.session_id(copy.session));
        let wrong = Verifier::new(Secret::generate(), DEFAULT_TOLERANCE);
        let headers = delivery_headers(&fixed, Some(&signer), &schedule, copy.session, &copy.body);
        assert!(wrong.verify(&headers, &copy.body, unix_now()).is_err());
    }
}
