//! What a check found, in the requirement's own terms.

/// What a check found, before the catalogue turns it into an [`Outcome`].
#[derive(Debug, Clone)]
pub struct Verdict {
    /// Whether the requirement holds.
    pub outcome: VerdictOutcome,
    /// What a conforming receiver does.
    pub expected: String,
    /// What the target did.
    pub actual: String,
    /// The request that shows it.
    pub repro: Option<String>,
}

/// The result of a check in the requirement's own terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerdictOutcome {
    /// The requirement holds.
    Holds,
    /// The requirement is broken: fail for a MUST, warn for a SHOULD.
    Broken,
    /// A lesser part of the requirement is broken: warn whatever its level.
    Warn,
    /// Not run.
    Skip,
    /// No verdict possible.
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
        }
    }

    /// A skip with its reason.
    pub fn skip(reason: impl Into<String>) -> Self {
        Verdict::new(VerdictOutcome::Skip, "", reason)
    }

    /// Attaches the repro line.
    pub fn with_repro(mut self, repro: impl Into<String>) -> Self {
        self.repro = Some(repro.into());
        self
    }
}
