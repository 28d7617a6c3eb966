//! What a check found, in the requirement's own terms.

use crate::results::ExchangeRecord;

use super::probe::Sent;

/// What a check found, before the catalogue turns it into an
/// [`Outcome`](crate::results::Outcome) by the requirement's level: one rule everywhere, so
/// a MUST is never reported as a warning.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// Whether the requirement holds.
    pub outcome: VerdictOutcome,
    /// What a conforming receiver does.
    pub expected: String,
    /// What the target did (for a skip or no verdict: why).
    pub actual: String,
    /// The request, or the short script, that shows it.
    pub repro: Option<String>,
    /// The requests behind the verdict and their answers.
    pub exchanges: Vec<ExchangeRecord>,
}

/// The result of a check in the requirement's own terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerdictOutcome {
    /// The requirement holds, and the check observed that it does.
    Holds,
    /// The requirement is broken: fail for a MUST, warn for a SHOULD, pass for an INFO.
    Broken,
    /// Not run, or nothing to observe for a reason that is no finding (the reason says why).
    Skip,
    /// No verdict possible: the target went down, an earlier finding broke the check's
    /// precondition, or the effects probe failed (the reason says which).
    NoVerdict,
}

impl Verdict {
    /// A verdict with no repro line.
    pub fn new(
        outcome: VerdictOutcome,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Self {
        Verdict {
            outcome,
            expected: expected.into(),
            actual: actual.into(),
            repro: None,
            exchanges: Vec::new(),
        }
    }

    /// A skip with its reason.
    pub fn skip(reason: impl Into<String>) -> Self {
        Verdict::new(VerdictOutcome::Skip, "", reason)
    }

    /// Only evidence: the repro and exchanges a deferred check carries until its verdict is
    /// known ([`Ctx::expect_effects`](super::Ctx::expect_effects) sets the rest).
    pub fn evidence() -> Self {
        Verdict::skip("")
    }

    /// No verdict, with the cause.
    pub fn no_verdict(expected: impl Into<String>, cause: impl Into<String>) -> Self {
        Verdict::new(VerdictOutcome::NoVerdict, expected, cause)
    }

    /// Attaches the repro line or script.
    pub fn with_repro(mut self, repro: impl Into<String>) -> Self {
        self.repro = Some(repro.into());
        self
    }

    /// Attaches a probe: its exchange, and its repro line unless one is set already.
    pub fn with_sent(mut self, sent: &Sent) -> Self {
        self.exchanges.push(sent.record.clone());
        if self.repro.is_none() {
            self.repro = Some(sent.repro.clone());
        }
        self
    }

    /// Attaches several probes' exchanges (the repro stays as it is).
    pub fn with_exchanges<'a>(mut self, sent: impl IntoIterator<Item = &'a Sent>) -> Self {
        self.exchanges
            .extend(sent.into_iter().map(|sent| sent.record.clone()));
        self
    }
}
