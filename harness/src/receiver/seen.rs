//! The in-memory seen-set of the dedupe defects: what a receiver that deduplicates in a
//! cache, or on the wrong key, remembers. It sits in front of the store, which then
//! records every delivery the set lets through.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::Defect;
use crate::spec::{Payload, Status};

/// How many sessions the `dedupe-forgets` defect remembers.
pub const FORGETFUL_CAPACITY: usize = 16;
/// How long the `dedupe-expires` defect remembers a session.
pub const EXPIRY: Duration = Duration::from_secs(2);

/// The keys one dedupe defect has seen, most recent last.
#[derive(Debug)]
pub struct Seen {
    rule: Rule,
    keys: Mutex<VecDeque<(String, Instant)>>,
}

/// Which key a defect deduplicates on, and how long it remembers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// `sessionId`, the most recent [`FORGETFUL_CAPACITY`] only.
    Forgets,
    /// `sessionId`, for [`EXPIRY`].
    Expires,
    /// `externalReferenceId`, null counting as one key.
    ExternalReference,
    /// `sessionId`, for COMPLETED deliveries only.
    CompletedOnly,
    /// `(sessionId, status)`.
    SessionAndStatus,
}

impl Seen {
    /// The seen-set of `defect`, when it is a dedupe defect.
    pub fn for_defect(defect: Option<Defect>) -> Option<Seen> {
        let rule = match defect? {
            Defect::DedupeForgets => Rule::Forgets,
            Defect::DedupeExpires => Rule::Expires,
            Defect::KeyedOnExternalReference => Rule::ExternalReference,
            Defect::DedupesCompletedOnly => Rule::CompletedOnly,
            Defect::ReprocessesOtherStatus => Rule::SessionAndStatus,
            _ => return None,
        };
        Some(Seen {
            rule,
            keys: Mutex::new(VecDeque::new()),
        })
    }

    /// Whether `payload` is new to this set (to be processed), remembering it if so.
    pub fn first_time(&self, payload: &Payload) -> bool {
        let key = match self.rule {
            Rule::Forgets | Rule::Expires => payload.session_id.clone(),
            Rule::CompletedOnly if payload.status != Status::Completed => return true,
            Rule::CompletedOnly => payload.session_id.clone(),
            Rule::ExternalReference => match &payload.external_reference_id {
                Some(reference) => format!("ref:{reference}"),
                None => "null".to_owned(),
            },
            Rule::SessionAndStatus => format!("{}\u{0}{}", payload.session_id, payload.status),
        };
        let now = Instant::now();
        // A poisoned lock only means another request panicked mid-update; the set is
        // still a set.
        let mut keys = self
            .keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.rule == Rule::Expires {
            keys.retain(|(_, at)| now.duration_since(*at) < EXPIRY);
        }
        if let Some(found) = keys.iter().position(|(k, _)| *k == key) {
            if self.rule == Rule::Forgets {
                // Least recently used goes first: a hit is used again.
                let hit = keys.remove(found).expect("the position was just found");
                keys.push_back(hit);
            }
            return false;
        }
        keys.push_back((key, now));
        if self.rule == Rule::Forgets && keys.len() > FORGETFUL_CAPACITY {
            keys.pop_front();
        }
        true
    }
}
