//! A fuzzing campaign: sequences drawn from the seed, sent `concurrency` at a time until the
//! budget is spent, each graded as soon as it is done (its effect counts after the settle
//! time, without holding a place); then the first failure of each invariant shrunk, saved
//! and scripted.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::config::{Budget, FuzzConfig, FuzzError};
use super::execute::{Ids, Place, Target};
use super::generate::{GenerateConfig, Generator, SequenceKind};
use super::invariant::{Invariant, Violation, effect_expectations, grade_answers, grade_effects};
use super::model::{Expect, Sequence};
use super::progress::Progress;
use super::source::PayloadSource;
use super::tally::Tally;

/// Draws fresh nonces for session ids: random per process, so that two runs of one seed
/// against one receiver do not collide.
#[derive(Debug)]
pub struct Nonces {
    base: u64,
    next: AtomicU64,
}

impl Nonces {
    /// Nonces from a random base.
    pub fn new() -> Self {
        Nonces {
            base: rand::random(),
            next: AtomicU64::new(0),
        }
    }

    /// A fresh set of ids.
    pub fn ids(&self) -> Ids {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        Ids::new(self.base ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }
}

impl Default for Nonces {
    fn default() -> Self {
        Nonces::new()
    }
}

/// Runs the sending phase; returns the tally and how long it took.
pub async fn send_phase(
    config: &FuzzConfig,
    target: &Arc<Target>,
    nonces: &Arc<Nonces>,
    source: Box<dyn PayloadSource>,
) -> Result<(Arc<Tally>, Duration), FuzzError> {
    target.alive(nonces.ids()).await.map_err(|e| {
        FuzzError::Unreachable(format!("{}: {e}", crate::sender::display_url(&target.url)))
    })?;
    let mut generator = Generator::new(
        config.seed,
        GenerateConfig {
            secret: config
                .auth
                .as_ref()
                .map(|a| a.expose_value().as_bytes().to_vec()),
            retry_delay: config.retry_delay,
        },
        source,
    );
    let tally = Arc::new(Tally::default());
    // The first connection check was a valid delivery too.
    tally.cases.store(1, Ordering::Relaxed);
    let started = Instant::now();
    let progress = config
        .progress
        .then(|| Progress::start(tally.clone(), started));
    let places = Arc::new(Semaphore::new(config.concurrency.max(1)));
    let mut tasks = JoinSet::new();
    let mut planned = 0u64;
    for index in 0.. {
        let spent = match config.budget {
            Budget::Cases(n) => planned >= n,
            Budget::Time(d) => started.elapsed() >= d,
        };
        if spent || tally.dead.load(Ordering::SeqCst) {
            break;
        }
        if late_and_out_of_time(config, index, started.elapsed()) {
            continue;
        }
        let sequence = generator.sequence(index);
        planned += sequence.cases() as u64;
        let place = Place::take(&places).await;
        let job = Job {
            target: target.clone(),
            tally: tally.clone(),
            ids: nonces.ids(),
            settle: config.settle,
        };
        tasks.spawn(job.run(index, sequence, place));
        while tasks.try_join_next().is_some() {}
    }
    while tasks.join_next().await.is_some() {}
    let last = *tally.last_answer.lock().expect("never poisoned");
    let took = last.map_or(Duration::ZERO, |l| l.saturating_duration_since(started));
    if let Some(progress) = progress {
        progress.finish().await;
    }
    Ok((tally, took))
}

/// With a time budget, a sequence that pauses for the retry delay is not started once less
/// than that delay is left: it would hold the campaign past its budget.
fn late_and_out_of_time(config: &FuzzConfig, index: u64, elapsed: Duration) -> bool {
    let Budget::Time(budget) = config.budget else {
        return false;
    };
    SequenceKind::of(index) == SequenceKind::AfterRetryDelay
        && elapsed + config.retry_delay > budget
}

/// One sequence to send and grade.
struct Job {
    target: Arc<Target>,
    tally: Arc<Tally>,
    ids: Ids,
    settle: Duration,
}

impl Job {
    async fn run(self, index: u64, sequence: Sequence, place: Place) {
        let (violations, unread) = grade(
            &self.target,
            &sequence,
            self.ids,
            self.settle,
            place,
            &self.tally,
        )
        .await;
        if !unread.is_empty() {
            self.tally
                .unread_counts
                .fetch_add(unread.len() as u64, Ordering::Relaxed);
            let mut reason = self.tally.unread_reason.lock().expect("never poisoned");
            reason.get_or_insert_with(|| unread[0].clone());
        }
        if violations
            .iter()
            .any(|v| v.invariant == Invariant::TargetAlive)
        {
            self.tally.dead.store(true, Ordering::SeqCst);
        }
        self.tally.sequences.fetch_add(1, Ordering::Relaxed);
        self.tally.record(index, &sequence, violations);
    }
}

/// Sends a sequence and grades every invariant: the answers at once, a liveness check after
/// bad input, the effect counts after `settle` (the place is given back first). Returns
/// the violations and the reasons of counts that could not be read.
pub async fn grade(
    target: &Target,
    sequence: &Sequence,
    ids: Ids,
    settle: Duration,
    mut place: Place,
    tally: &Tally,
) -> (Vec<Violation>, Vec<String>) {
    let executed = target.execute(sequence, ids, &mut place).await;
    tally
        .cases
        .fetch_add(executed.requests as u64, Ordering::Relaxed);
    tally.answered(executed.finished);
    let mut violations = grade_answers(&executed.answers, target.timeout);
    let bad_input = sequence
        .deliveries()
        .any(|(_, d)| !d.expect.is_valid() && d.expect != Expect::BadAuth);
    let dead = violations
        .iter()
        .any(|v| v.invariant == Invariant::TargetAlive);
    if bad_input && !dead {
        tally.cases.fetch_add(1, Ordering::Relaxed);
        if let Err(e) = target.alive(ids).await {
            violations.push(Violation {
                invariant: Invariant::TargetAlive,
                step: None,
                label: "valid/completed/after-the-sequence".into(),
                expected: "a connection after the sequence".into(),
                actual: e.to_string(),
            });
        }
    }
    place.release();
    let expectations = effect_expectations(sequence, &executed.answers);
    if target.effects.is_none() || expectations.is_empty() {
        return (violations, Vec::new());
    }
    tokio::time::sleep_until((executed.finished + settle).into()).await;
    let counts = target.counts(&expectations, ids).await;
    let (broken, unread) = grade_effects(sequence, &expectations, &counts);
    violations.extend(broken);
    (violations, unread)
}
