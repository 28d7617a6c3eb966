//! What a campaign counts while it sends: requests, sequences, and the first failure of
//! each invariant, shared by the sending tasks and the progress line.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::time::Instant;

use super::invariant::{Invariant, Violation};
use super::model::Sequence;

/// How many failing sequences are kept per invariant: when the first does not fail again
/// alone (it needed other sequences' traffic), the next is shrunk instead.
pub const KEPT_EXAMPLES: usize = 4;

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
    /// When the last answer arrived.
    pub last_answer: Mutex<Option<Instant>>,
}

impl Tally {
    pub(super) fn answered(&self, at: Instant) {
        let mut last = self.last_answer.lock().expect("never poisoned");
        if last.is_none_or(|l| l < at) {
            *last = Some(at);
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
