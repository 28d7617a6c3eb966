//! The in-memory seen-set of the dedupe defects: what a receiver that deduplicates in a
//! cache, or on the wrong key, remembers. It sits in front of the store, which then
//! records every delivery the set lets through.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::Defect;
use crate::spec::{Payload, Status};

/// How many sessions the `dedupe-forgets` defect remembers.
pub const FORGETFUL_CAPACITY: usize = 16;

/// The keys one dedupe defect has seen.
#[derive(Debug)]
pub struct Seen {
    rule: Rule,
    keys: Mutex<Keys>,
}

/// The remembered keys: when each was first seen, and (for the LRU) their order of use,
/// least recent first.
#[derive(Debug, Default)]
struct Keys {
    first_seen: HashMap<String, Instant>,
    by_use: VecDeque<String>,
}

/// Which key a defect deduplicates on, and how long it remembers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// `sessionId`, the most recent [`FORGETFUL_CAPACITY`] only.
    Forgets,
    /// `sessionId`, for this long after it was first seen.
    Expires(Duration),
    /// `externalReferenceId`, null counting as one key.
    ExternalReference,
    /// `sessionId`, for COMPLETED deliveries only.
    CompletedOnly,
    /// `(sessionId, status)`.
    SessionAndStatus,
    /// `sessionId`, for the life of the process.
    Process,
}

impl Seen {
    /// The seen-set of `defect`, when it is a dedupe defect; `expiry` is how long the
    /// `dedupe-expires` defect remembers a session.
    pub fn for_defect(defect: Option<Defect>, expiry: Duration) -> Option<Seen> {
        let rule = match defect? {
            Defect::DedupeForgets => Rule::Forgets,
            Defect::DedupeExpires => Rule::Expires(expiry),
            Defect::KeyedOnExternalReference => Rule::ExternalReference,
            Defect::DedupesCompletedOnly => Rule::CompletedOnly,
            Defect::ReprocessesOtherStatus => Rule::SessionAndStatus,
            Defect::PerProcessDedupe => Rule::Process,
            _ => return None,
        };
        Some(Seen {
            rule,
            keys: Mutex::new(Keys::default()),
        })
    }

    /// Whether `payload` is new to this set (to be processed), remembering it if so.
    pub fn first_time(&self, payload: &Payload) -> bool {
        let key = match self.rule {
            Rule::Forgets | Rule::Expires(_) | Rule::Process => payload.session_id.clone(),
            Rule::CompletedOnly if payload.status != Status::Completed => return true,
            Rule::CompletedOnly => payload.session_id.clone(),
            Rule::ExternalReference => match &payload.external_reference_id {
                Some(reference) => format!("ref:{reference}"),
                None => "null".to_owned(),
            },
            Rule::SessionAndStatus => format!("{}\u{0}{}", payload.session_id, payload.status),
        };
        // A poisoned lock only means another request panicked mid-update; the set is
        // still a set.
        let mut keys = self
            .keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match self.rule {
            Rule::Forgets => keys.use_recent(key),
            Rule::Expires(expiry) => keys.first_within(key, expiry),
            _ => keys.first_seen.insert(key, Instant::now()).is_none(),
        }
    }
}

impl Keys {
    /// LRU of [`FORGETFUL_CAPACITY`]: whether `key` was not among the latest used.
    fn use_recent(&mut self, key: String) -> bool {
        let found = self.by_use.iter().position(|k| *k == key);
        let first = found.is_none();
        match found {
            Some(at) => {
                self.by_use.remove(at);
            }
            None if self.by_use.len() == FORGETFUL_CAPACITY => {
                self.by_use.pop_front();
            }
            None => {}
        }
        self.by_use.push_back(key);
        first
    }

    /// Whether `key` was not seen in the last `window`; remembers it from now if so.
    fn first_within(&mut self, key: String, window: Duration) -> bool {
        let now = Instant::now();
        if self.first_seen.len() > 4096 {
            self.first_seen
                .retain(|_, at| now.duration_since(*at) < window);
        }
        match self.first_seen.get(&key) {
            Some(at) if now.duration_since(*at) < window => false,
            _ => {
                self.first_seen.insert(key, now);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lru_forgets_the_least_recently_used_key_first() {
        let mut keys = Keys::default();
        for i in 0..FORGETFUL_CAPACITY {
            assert!(keys.use_recent(format!("s{i}")));
        }
        // Using s0 again makes s1 the oldest, so the next new key evicts s1.
        assert!(!keys.use_recent("s0".into()));
        assert!(keys.use_recent("new".into()));
        assert!(!keys.use_recent("s0".into()));
        assert!(keys.use_recent("s1".into()));
    }

    #[test]
    fn an_expiring_key_is_new_again_after_its_window() {
        let mut keys = Keys::default();
        assert!(keys.first_within("s".into(), Duration::from_millis(30)));
        assert!(!keys.first_within("s".into(), Duration::from_millis(30)));
        std::thread::sleep(Duration::from_millis(40));
        assert!(keys.first_within("s".into(), Duration::from_millis(30)));
    }
}
