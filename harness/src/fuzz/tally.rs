//! What a campaign counts while it sends: requests, sequences, and the first failure of
//! each invariant, shared by the sending tasks and the progress line.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64};

use super::invariant::{Invariant, Violation};
use super::model::Sequence;

/// How many failing sequences are kept per invariant: when the first does not fail again
/// alone (it needed other sequences' traffic), the next is shrunk instead.
pub const KEPT_EXAMPLES: usize = 4;

/// After this many requests in a row with no answer at all, the target is taken to have
/// stopped serving: sending stops (sequences under way stop at their next step) and
/// nothing is replayed, so a target that accepts and never answers, or drips its answers,
/// cannot hold a run for `requests × timeout`.
pub const HUNG_AFTER: u64 = 16;

/// One sequence that broke an invariant.
#[derive(Debug, Clone)]
pub struct Example {
    /// The sequence's index.
    pub index: u64,
    /// The sequence.
    pub sequence: Sequence,
    /// The first violation of the invariant in it.
    pub violation: Violation,
}

/// The first failures of an invariant, and how often it broke.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// The failing sequences of lowest index, at most [`KEPT_EXAMPLES`], lowest first.
    pub examples: Vec<Example>,
    /// How many sequences broke the invariant.
    pub sequences: u64,
}

/// What the sending phase counted.
#[derive(Debug, Default)]
pub struct Tally {
    /// Requests sent.
    pub cases: AtomicU64,
    /// Sequences completed.
    pub sequences: AtomicU64,
    /// Effect counts that could not be read.
    pub unread_counts: AtomicU64,
    /// The target stopped accepting connections.
    pub dead: AtomicBool,
    /// The first failure per invariant.
    pub found: Mutex<BTreeMap<Invariant, Found>>,
    /// The first unread count's reason.
    pub unread_reason: Mutex<Option<String>>,
    /// How many answers or counts each invariant graded: one that graded nothing is not
    /// checked, never held.
    pub observed: Mutex<BTreeMap<Invariant, u64>>,
    /// Per invariant, how many of its effect counts could not be read, and why the first.
    pub unread: Mutex<BTreeMap<Invariant, (u64, String)>>,
    /// Requests in a row the target did not answer at all.
    pub unanswered_in_a_row: AtomicU64,
    /// Why sending stopped before the budget was spent, if it did.
    pub stopped: Mutex<Option<String>>,
}

impl Tally {
    /// Counts answers and silences in order; whether the target now looks hung.
    pub(super) fn silences(&self, answers: &[super::invariant::Answer]) -> bool {
        use std::sync::atomic::Ordering;
        for answer in answers.iter().filter(|a| !a.cut) {
            if answer.outcome.is_err() {
                self.unanswered_in_a_row.fetch_add(1, Ordering::SeqCst);
            } else {
                self.unanswered_in_a_row.store(0, Ordering::SeqCst);
            }
        }
        let hung = self.unanswered_in_a_row.load(Ordering::SeqCst) >= HUNG_AFTER;
        if hung {
            self.stop(format!(
                "the target answered none of {HUNG_AFTER} requests in a row, so it was not fuzzed further"
            ));
        }
        hung
    }

    /// Stops sending, with the reason (the first one is kept).
    pub(super) fn stop(&self, why: String) {
        self.dead.store(true, std::sync::atomic::Ordering::SeqCst);
        self.stopped
            .lock()
            .expect("never poisoned")
            .get_or_insert(why);
    }

    pub(super) fn observe(&self, invariants: impl IntoIterator<Item = Invariant>) {
        let mut observed = self.observed.lock().expect("never poisoned");
        for invariant in invariants {
            *observed.entry(invariant).or_default() += 1;
        }
    }

    pub(super) fn unread_counts(&self, unread: &[(Invariant, String)]) {
        if unread.is_empty() {
            return;
        }
        self.unread_counts
            .fetch_add(unread.len() as u64, std::sync::atomic::Ordering::Relaxed);
        self.unread_reason
            .lock()
            .expect("never poisoned")
            .get_or_insert_with(|| unread[0].1.clone());
        let mut map = self.unread.lock().expect("never poisoned");
        for (invariant, reason) in unread {
            map.entry(*invariant)
                .or_insert_with(|| (0, reason.clone()))
                .0 += 1;
        }
    }

    pub(super) fn record(&self, index: u64, sequence: &Sequence, violations: Vec<Violation>) {
        let mut found = self.found.lock().expect("the tally lock is never poisoned");
        let mut seen = Vec::new();
        for violation in violations {
            if seen.contains(&violation.invariant) {
                continue;
            }
            seen.push(violation.invariant);
            let entry = found.entry(violation.invariant).or_default();
            entry.sequences += 1;
            // The lowest indexes are kept, so that the same seed reports the same sequences.
            let at = entry.examples.partition_point(|e| e.index < index);
            if at < KEPT_EXAMPLES {
                entry.examples.insert(
                    at,
                    Example {
                        index,
                        sequence: sequence.clone(),
                        violation,
                    },
                );
                entry.examples.truncate(KEPT_EXAMPLES);
            }
        }
    }

    /// How many invariants broke so far.
    pub fn failing(&self) -> usize {
        self.found.lock().map(|f| f.len()).unwrap_or(0)
    }
}
