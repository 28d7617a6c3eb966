//! What a family expects of effect counts: [`Expect`] for one session, [`Expected`] with
//! the session and what it is, and a [`Pending`] check that the ledger grades at the end
//! of the run.

use std::time::Instant;

use super::probe::Sent;
use super::verdict::Verdict;

/// What one session's effect count must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Acknowledged: exactly one effect.
    Once,
    /// Refused or unanswered, so the sender retries: no more than one.
    AtMostOnce,
    /// Unprocessable or unauthenticated: none.
    None,
}

impl Expect {
    /// The expectation for a valid delivery whose copies came to `sent`: exactly once if
    /// any copy was acknowledged, else at most once.
    pub fn for_delivery<'a>(sent: impl IntoIterator<Item = &'a Sent>) -> Expect {
        if sent.into_iter().any(Sent::is_2xx) {
            Expect::Once
        } else {
            Expect::AtMostOnce
        }
    }

    pub(super) fn allows(self, count: u64) -> bool {
        match self {
            Expect::Once => count == 1,
            Expect::AtMostOnce => count <= 1,
            Expect::None => count == 0,
        }
    }

    pub(super) fn words(self) -> &'static str {
        match self {
            Expect::Once => "exactly 1 effect",
            Expect::AtMostOnce => "at most 1 effect",
            Expect::None => "0 effects",
        }
    }
}

/// One session of a deferred check.
#[derive(Debug, Clone)]
pub struct Expected {
    /// The session asked about.
    pub session: String,
    /// Its count must be this.
    pub expect: Expect,
    /// What it is, for the report (`the ERROR delivery`, `copy 2`).
    pub what: String,
}

impl Expected {
    /// One session with its expectation.
    pub fn new(session: impl Into<String>, expect: Expect, what: impl Into<String>) -> Self {
        Expected {
            session: session.into(),
            expect,
            what: what.into(),
        }
    }
}

/// A check waiting for the end of the run.
#[derive(Debug)]
pub(crate) struct Pending {
    pub(super) check_id: String,
    pub(super) started: Instant,
    pub(super) expected: Vec<Expected>,
    /// The repro and exchanges the verdict carries.
    pub(super) evidence: Verdict,
    /// Why the situation the check names did not occur, when it did not: then counts that
    /// hold make a skip with this reason, never a pass.
    pub(super) unobserved: Option<String>,
}
