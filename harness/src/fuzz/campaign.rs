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
use super::execute::{Ids, Place, Target, undeliverable};
use super::generate::{GenerateConfig, Generator, SequenceKind};
use super::invariant::{
    Invariant, Violation, effect_expectations, grade_answers, grade_effects, observed,
};
use super::ledger::{first_read_after, read_counts};
use super::model::Sequence;
use super::progress::Progress;
use super::source::PayloadSource;
use super::tally::Tally;
use crate::transport::FailureClass;

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

/// Runs the sending phase; returns the tally and how long it took. `started` is when the
/// command's clock started (the deadline counts from it).
pub async fn send_phase(
    config: &FuzzConfig,
    target: &Arc<Target>,
    nonces: &Arc<Nonces>,
    source: Box<dyn PayloadSource>,
    started: Instant,
) -> Result<(Arc<Tally>, Duration), FuzzError> {
    let tally = Arc::new(Tally::default());
    first_check(target, nonces, &tally).await?;
    if let Some(why) = target.unreachable_replica(nonces.ids()).await {
        return Err(FuzzError::UnreachableReplica(why));
    }
    let generator = generator(config, source);
    let progress = config
        .progress
        .then(|| Progress::start(tally.clone(), started));
    let places = Arc::new(Semaphore::new(config.concurrency.max(1)));
    let mut tasks = JoinSet::new();
    let mut planned = 0u64;
    let mut sequences = ahead(generator);
    loop {
        let spent = match config.budget {
            Budget::Cases(n) => planned >= n,
            Budget::Time(budget) => Instant::now() >= sending_ends(config, started, budget, &tally),
        };
        if spent || tally.dead.load(Ordering::SeqCst) || target.deadline.passed() {
            break;
        }
        let Some((index, sequence)) = sequences.recv().await else {
            break;
        };
        if late_and_out_of_time(config, index, started.elapsed()) {
            continue;
        }
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
    drop(sequences);
    while tasks.join_next().await.is_some() {}
    // Every sequence's effects are read by now: the whole sending phase, as the command
    // took it and as the progress line counts its rate.
    let took = started.elapsed();
    if let Some(progress) = progress {
        progress.finish().await;
    }
    Ok((tally, took))
}

/// The campaign's sequence generator: its seed, signing with the auth secret, if any.
fn generator(config: &FuzzConfig, source: Box<dyn PayloadSource>) -> Generator {
    Generator::new(
        config.seed,
        GenerateConfig {
            secret: config
                .client
                .auth
                .as_ref()
                .map(|a| a.expose_value().as_bytes().to_vec()),
            retry_delay: config.retry_delay,
            urls: 1 + config.replicas.len(),
            profile: config.profile(),
        },
        source,
    )
}

/// Sequences 0, 1, 2 … drawn on a thread of their own, a few ahead of the sending loop, so
/// that drawing payloads (a millisecond or so for a large one) never holds up sending. The
/// thread ends when the receiver is dropped.
fn ahead(mut generator: Generator) -> tokio::sync::mpsc::Receiver<(u64, Sequence)> {
    let (sender, receiver) = tokio::sync::mpsc::channel(64);
    std::thread::spawn(move || {
        for index in 0.. {
            if sender
                .blocking_send((index, generator.sequence(index)))
                .is_err()
            {
                break;
            }
        }
    });
    receiver
}

/// With `--time D`, when sending stops: early enough that the last sequences' effect
/// counts are read before the deadline, and, once something broke, early enough to leave
/// a quarter of the budget for shrinking; never before half the budget.
fn sending_ends(config: &FuzzConfig, started: Instant, budget: Duration, tally: &Tally) -> Instant {
    let reserve = first_read_after(config.settle) + Duration::from_millis(500);
    let found = tally.failing() > 0;
    let usable = if found { budget * 3 / 4 } else { budget };
    started + (budget / 2).max(usable.saturating_sub(reserve))
}

/// The first delivery: a refused connection, a failed TLS handshake or an answer that is
/// not HTTP means nothing can be delivered (exit 3); no answer at all within the timeout
/// is a broken invariant, and the target is not fuzzed further.
async fn first_check(target: &Target, nonces: &Nonces, tally: &Tally) -> Result<(), FuzzError> {
    let sequence = target.first_sequence();
    let executed = target
        .execute(&sequence, nonces.ids(), &mut Place::default())
        .await;
    tally
        .cases
        .store(executed.requests as u64, Ordering::Relaxed);
    let Some(answer) = executed.answers.first() else {
        return Ok(());
    };
    match &answer.outcome {
        Err(_) if answer.cut => Ok(()),
        Err(e) if undeliverable(e.class) => Err(FuzzError::Unreachable(format!(
            "{}: {e}",
            crate::transport::display_url(&target.url)
        ))),
        Err(_) => {
            // No answer: a broken invariant already; the campaign goes on, and stops if
            // the target answers nothing at all.
            let violations = grade_answers(&executed.answers, target.timeout);
            tally.observe(observed(&executed.answers));
            tally.silences(&executed.answers);
            tally.record(0, &sequence, violations);
            Ok(())
        }
        Ok(_) => {
            tally.observe([Invariant::TargetAlive]);
            Ok(())
        }
    }
}

/// With a time budget, a sequence that pauses for the retry delay is not started once less
/// than that delay is left: it would hold the campaign past its budget.
fn late_and_out_of_time(config: &FuzzConfig, index: u64, elapsed: Duration) -> bool {
    let Budget::Time(budget) = config.budget else {
        return false;
    };
    SequenceKind::of(index) == SequenceKind::AfterRetryDelay
        && elapsed + config.retry_delay + first_read_after(config.settle) > budget
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
        self.tally.unread_counts(&unread);
        if violations
            .iter()
            .any(|v| v.invariant == Invariant::TargetAlive)
        {
            self.tally
                .stop("the target stopped accepting connections".to_owned());
        }
        if self.tally.dead.load(Ordering::SeqCst) {
            self.target.stop.store(true, Ordering::SeqCst);
        }
        self.tally.sequences.fetch_add(1, Ordering::Relaxed);
        self.tally.record(index, &sequence, violations);
    }
}

/// Sends a sequence and grades every invariant: the answers at once, a liveness check after
/// bad input or an unanswered request, the effect counts as [`read_counts`] reads them
/// (the place is given back first, so other sequences keep the target busy meanwhile).
/// Returns the violations and, per invariant, the reasons of counts that could not be read.
pub async fn grade(
    target: &Target,
    sequence: &Sequence,
    ids: Ids,
    settle: Duration,
    mut place: Place,
    tally: &Tally,
) -> (Vec<Violation>, Vec<(Invariant, String)>) {
    let executed = target.execute(sequence, ids, &mut place).await;
    tally
        .cases
        .fetch_add(executed.requests as u64, Ordering::Relaxed);
    let mut violations = grade_answers(&executed.answers, target.timeout);
    tally.observe(observed(&executed.answers));
    if tally.silences(&executed.answers) {
        target.stop.store(true, Ordering::SeqCst);
    }
    // A closed connection may be a crash; a timeout is not (the connection was taken).
    let crashed = executed.answers.iter().any(|a| {
        a.unanswered() && !matches!(&a.outcome, Err(e) if e.class == FailureClass::Timeout)
    });
    let suspect = crashed
        || sequence
            .deliveries()
            .any(|(_, d)| !d.expect.is_valid() && !d.expect.is_unauthenticated());
    let dead = violations
        .iter()
        .any(|v| v.invariant == Invariant::TargetAlive);
    if suspect && !dead && !target.deadline.passed() {
        let urls = 1 + target.replicas.len() as u64;
        tally.cases.fetch_add(urls, Ordering::Relaxed);
        match target.alive(ids).await {
            Err(e) => violations.push(Violation {
                invariant: Invariant::TargetAlive,
                step: None,
                label: "valid/completed/after-the-sequence".into(),
                expected: "an answer to a valid delivery after the sequence".into(),
                actual: e.to_string(),
            }),
            Ok(()) => tally.observe([Invariant::TargetAlive]),
        }
    }
    place.release();
    let expectations = effect_expectations(sequence, &executed.answers);
    if target.effects.is_none() || target.effects_broken.is_some() || expectations.is_empty() {
        return (violations, Vec::new());
    }
    let counts = read_counts(target, &expectations, ids, executed.finished, settle).await;
    tally.observe(
        expectations
            .iter()
            .filter(|e| matches!(counts.get(&e.session), Some(Ok(_))))
            .map(|e| e.invariant),
    );
    let (broken, unread) = grade_effects(sequence, &expectations, &counts, target.profile());
    violations.extend(broken);
    (violations, unread)
}
