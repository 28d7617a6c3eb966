//! Side effects, graded at the end of the run (SPEC §3 ¶3, §4).
//!
//! A family that sent deliveries says what each session's effect count must be
//! ([`Ctx::expect_effects`]); the runner grades them all once every phase is done
//! ([`grade_effects`]). Every count is graded by a read no sooner than [`NO_EFFECT_WAIT`]
//! after the last copy of any session went out, so that an effect that lands
//! asynchronously after the answer (a second effect of a duplicate, an effect of a refused
//! input) is seen; a session that must have one effect and shows none at the first read
//! is polled a little longer, so a receiver that processes from a queue is not blamed for
//! its delay.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures::StreamExt;

use super::context::Ctx;
use super::expectation::{Expect, Expected, Pending};
use super::probe::Sent;
use super::verdict::{Verdict, VerdictOutcome};
use crate::catalogue::NO_EFFECTS_PROBE;

/// Effect counts read at once.
const READERS: usize = 4;
/// Between two reads of a count that is still missing.
const POLL: Duration = Duration::from_millis(200);
/// Every count is read last no sooner than this after the last copy of its session went
/// out, so that a receiver that processes input from a queue (a refused input, a
/// duplicate) has had time to record what it was going to.
pub const NO_EFFECT_WAIT: Duration = Duration::from_secs(2);

impl Ctx {
    /// Defers an effect check to the end of the run: each session's count must meet its
    /// expectation. `evidence` carries the repro and exchanges; its outcome is ignored.
    /// Without an effects probe the check is skipped; with one that failed its self-test
    /// it gets no verdict.
    pub fn expect_effects(&self, check_id: &str, expected: Vec<Expected>, evidence: Verdict) {
        self.expect_effects_observed(check_id, expected, evidence, None);
    }

    /// [`Ctx::expect_effects`] for a check whose situation may not have occurred:
    /// `unobserved` says why not, and turns counts that hold into a skip with that reason.
    pub fn expect_effects_observed(
        &self,
        check_id: &str,
        expected: Vec<Expected>,
        evidence: Verdict,
        unobserved: Option<String>,
    ) {
        if !self.selected(check_id) {
            return;
        }
        let started = Instant::now();
        if self.effects.is_none() {
            return self.report(check_id, started, Verdict::skip(NO_EFFECTS_PROBE));
        }
        if let Some(broken) = &self.effects_broken {
            let expected = describe_expected(&expected, self.profile().unit());
            let verdict = Verdict::no_verdict(expected, broken.clone());
            return self.report(check_id, started, verdict);
        }
        self.ledger
            .lock()
            .expect("ledger lock is never poisoned")
            .push(Pending {
                check_id: check_id.to_owned(),
                started,
                expected,
                evidence,
                unobserved,
            });
    }
}

/// Grades every deferred effect check: waits the settle time, reads every count, polls the
/// missing ones, then reads every count once more, no sooner than [`NO_EFFECT_WAIT`] after
/// the last copy of any session went out, and grades that last read.
pub async fn grade_effects(ctx: &Ctx) {
    let pending = std::mem::take(&mut *ctx.ledger.lock().expect("ledger lock is never poisoned"));
    if pending.is_empty() {
        return;
    }
    tokio::time::sleep(ctx.settle).await;
    let all = sessions(&pending, |_| true);
    let mut counts = read(ctx, all.clone()).await;
    let deadline = Instant::now() + (ctx.settle * 4).max(Duration::from_secs(1));
    loop {
        let missing = sessions(&pending, |e| {
            e.expect == Expect::Once && counts.get(&e.session) == Some(&Ok(0))
        });
        if missing.is_empty() || Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(POLL).await;
        counts.extend(read(ctx, missing).await);
    }
    // No verdict from a count read too early: an effect that lands after the answer (a
    // duplicate processed in the background, a refused input processed from a queue) has
    // had NO_EFFECT_WAIT to land when every count is read again. A check is deferred once
    // its last copy was answered, so its deferral bounds when that copy went out.
    if let Some(last) = pending.iter().map(|p| p.started).max() {
        tokio::time::sleep_until((last + NO_EFFECT_WAIT).into()).await;
    }
    let last_read = read(ctx, all).await;
    let down = ctx.down();
    for pending in pending {
        let unit = ctx.profile().unit();
        let verdict = verdict_of(&pending, &counts, &last_read, down.as_deref(), unit);
        ctx.report(&pending.check_id, pending.started, verdict);
    }
}

fn sessions(pending: &[Pending], keep: impl Fn(&Expected) -> bool) -> Vec<String> {
    let mut sessions: Vec<String> = pending
        .iter()
        .flat_map(|p| p.expected.iter())
        .filter(|e| keep(e))
        .map(|e| e.session.clone())
        .collect();
    sessions.sort();
    sessions.dedup();
    sessions
}

async fn read(ctx: &Ctx, sessions: Vec<String>) -> HashMap<String, Result<u64, String>> {
    futures::stream::iter(sessions)
        .map(|session| async move {
            let count = match ctx.effect_count(&session).await {
                Some(count) => count,
                None => Err(NO_EFFECTS_PROBE.to_owned()),
            };
            (session, count)
        })
        .buffer_unordered(READERS)
        .collect()
        .await
}

/// The verdict of one check from the last read of its counts; `earlier` is the first
/// read (and polls), quoted when a count changed since, so that a late effect says so.
fn verdict_of(
    pending: &Pending,
    earlier: &HashMap<String, Result<u64, String>>,
    counts: &HashMap<String, Result<u64, String>>,
    down: Option<&str>,
    unit: &str,
) -> Verdict {
    let expected = describe_expected(&pending.expected, unit);
    let mut wrong = Vec::new();
    let mut failed = Vec::new();
    for e in &pending.expected {
        match counts.get(&e.session) {
            Some(Ok(n)) if e.expect.allows(*n) => {}
            Some(Ok(n)) => wrong.push(format!(
                "{}: {}, expected {}{}",
                e.what,
                crate::count::count(*n, "effect"),
                e.expect.words(),
                late(earlier.get(&e.session), *n)
            )),
            Some(Err(why)) => failed.push(format!("{}: {why}", e.what)),
            None => failed.push(format!("{}: not read", e.what)),
        }
    }
    let evidence = pending.evidence.clone();
    let (outcome, actual) = if !wrong.is_empty() {
        (VerdictOutcome::Broken, wrong.join("; "))
    } else if let Some(first) = failed.first() {
        let cause = down.map(|d| format!("{d}; ")).unwrap_or_default();
        let actual = format!(
            "{cause}the effects probe failed for {} of {} sessions, e.g. {first}",
            failed.len(),
            pending.expected.len()
        );
        (VerdictOutcome::NoVerdict, actual)
    } else if pending
        .expected
        .iter()
        .all(|e| e.expect == Expect::AtMostOnce)
    {
        let why = "no delivery was acknowledged, so there is no processing to count (the acceptance check says why)";
        (VerdictOutcome::Skip, why.to_owned())
    } else if let Some(why) = &pending.unobserved {
        (VerdictOutcome::Skip, why.clone())
    } else {
        (VerdictOutcome::Holds, observed(&pending.expected, unit))
    };
    Verdict {
        outcome,
        expected,
        actual,
        ..evidence
    }
}

/// ` (2s after the last copy; 1 when read first)` when the count grew since the first read:
/// the receiver recorded an effect after it answered.
fn late(first: Option<&Result<u64, String>>, last: u64) -> String {
    match first {
        Some(Ok(n)) if *n < last => format!(
            " ({} after the last copy; {n} when read first)",
            crate::duration::format_duration(NO_EFFECT_WAIT)
        ),
        Some(Ok(_) | Err(_)) | None => String::new(),
    }
}

/// What held, in words; `unit` is what an effect is counted by (`session`, `message`).
fn observed(expected: &[Expected], unit: &str) -> String {
    match expected {
        [one] => format!("{} for {}", one.expect.words(), one.what),
        many => format!("every one of {} {unit}s as expected", many.len()),
    }
}

/// What must hold, in words; `unit` is what an effect is counted by.
fn describe_expected(expected: &[Expected], unit: &str) -> String {
    match expected {
        [one] => format!(
            "{} for {unit} {} ({})",
            one.expect.words(),
            one.session,
            one.what
        ),
        many if many.iter().all(|e| e.expect == Expect::Once) => {
            format!("exactly 1 effect for each of {} {unit}s", many.len())
        }
        many if many.iter().all(|e| e.expect == Expect::None) => {
            format!("0 effects for each of {} {unit}s", many.len())
        }
        many => many
            .iter()
            .map(|e| format!("{}: {}", e.what, e.expect.words()))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

impl Ctx {
    /// Defers "no side effect" for a request that must not be processed (`what` names it).
    /// A request that never reached the target shows nothing, so it gets no verdict.
    pub fn expect_no_effect(&self, check_id: &str, session: &str, what: &str, sent: &Sent) {
        if sent.unreachable() {
            if self.selected(check_id) {
                let unit = self.profile().unit();
                let verdict = self.target_down(format!("0 effects for {unit} {session}"), sent);
                self.report(check_id, Instant::now(), verdict);
            }
            return;
        }
        let expected = vec![Expected::new(session, Expect::None, what)];
        self.expect_effects(check_id, expected, Verdict::evidence().with_sent(sent));
    }

    /// How many times the target processed a session, or why that cannot be known.
    /// `None` when the run has no effects probe.
    pub async fn effect_count(&self, session_id: &str) -> Option<Result<u64, String>> {
        let probe = self.effects.as_ref()?;
        Some(
            probe
                .count(&self.effects_sender, session_id)
                .await
                .map_err(|e| e.to_string()),
        )
    }
}
