//! The invariants checked after each sequence, and how each delivery and each session is
//! graded against them.
//!
//! MUST invariants come from SPEC §3's MUSTs; a break fails the run (exit 1). SHOULD
//! invariants come from its SHOULDs (SPEC §3 ¶7 and ¶8): a break is reported, shrunk and
//! saved like a failure, but as a warning, and does not change the exit code.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::model::{Expect, Sequence};
use crate::duration::format_duration;
use crate::profile::Profile;
use crate::transport::{FailureClass, TransportError};

crate::closed::closed_enum! {
    /// How much a broken invariant weighs.
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "UPPERCASE")]
    pub enum Level as "invariant level" {
        /// A MUST of the contract: a break fails the run.
        Must => "MUST",
        /// A SHOULD of the contract: a break is a warning.
        Should => "SHOULD",
    }
}

/// One invariant. Serialized as its id (`exactly-once`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Invariant {
    /// Every valid delivery, copies included, is answered 2xx within the timeout.
    ValidAcknowledged,
    /// Every valid delivery of a SHOULD-level shape is answered 2xx.
    ShouldAccepted,
    /// Every other request is answered within the timeout, the connection left open until
    /// the answer: not a crash, not a hang.
    Answered,
    /// Bad input is answered 4xx (or 2xx), not 5xx.
    #[serde(rename = "no-5xx-for-bad-input")]
    No5xxForBadInput,
    /// A delivery with a wrong credential is refused (non-2xx).
    BadAuthRefused,
    /// Every acknowledged session has exactly one side effect.
    ExactlyOnce,
    /// An unprocessable input has no side effect.
    NoEffectForUnprocessable,
    /// A delivery with a wrong credential has no side effect.
    NoEffectWhenUnauthenticated,
    /// The target keeps accepting connections.
    TargetAlive,
}

// Declared in one order (which `Ord`, and so every map keyed on an invariant, follows),
// listed in report order.
crate::closed::closed_list! {
    Invariant as "invariant" {
        Invariant::ValidAcknowledged => "valid-acknowledged",
        Invariant::ExactlyOnce => "exactly-once",
        Invariant::Answered => "answered",
        Invariant::TargetAlive => "target-alive",
        Invariant::NoEffectForUnprocessable => "no-effect-for-unprocessable",
        Invariant::BadAuthRefused => "bad-auth-refused",
        Invariant::NoEffectWhenUnauthenticated => "no-effect-when-unauthenticated",
        Invariant::ShouldAccepted => "should-accepted",
        Invariant::No5xxForBadInput => "no-5xx-for-bad-input",
    }
}

impl Invariant {
    /// MUST or SHOULD.
    pub fn level(self) -> Level {
        match self {
            Invariant::ShouldAccepted | Invariant::No5xxForBadInput => Level::Should,
            Invariant::ValidAcknowledged
            | Invariant::Answered
            | Invariant::BadAuthRefused
            | Invariant::ExactlyOnce
            | Invariant::NoEffectForUnprocessable
            | Invariant::NoEffectWhenUnauthenticated
            | Invariant::TargetAlive => Level::Must,
        }
    }

    /// The requirement, one sentence.
    pub fn requirement(self) -> &'static str {
        match self {
            Invariant::ValidAcknowledged => {
                "every valid delivery, copies included, is answered 2xx within the timeout"
            }
            Invariant::ShouldAccepted => {
                "unknown fields, 256 KiB bodies, any RFC 3339 time and a charset parameter are accepted"
            }
            Invariant::Answered => {
                "every request is answered within the timeout, without the connection closing first"
            }
            Invariant::No5xxForBadInput => "bad input is answered 4xx, not 5xx",
            Invariant::BadAuthRefused => "a delivery with a wrong auth header is refused",
            Invariant::ExactlyOnce => "every acknowledged session has exactly one side effect",
            Invariant::NoEffectForUnprocessable => "unprocessable input has no side effect",
            Invariant::NoEffectWhenUnauthenticated => {
                "a delivery with a wrong auth header has no side effect"
            }
            Invariant::TargetAlive => "the target keeps accepting connections",
        }
    }

    /// The clauses of CONTRACT.md it grades, as the catalogue writes them (the reports
    /// link each to its anchor).
    pub fn clause(self) -> &'static str {
        match self {
            Invariant::ValidAcknowledged => "SPEC §3 ¶1, ¶2, ¶4 [D-6]",
            Invariant::ShouldAccepted => "SPEC §3 ¶8 [D-3] [D-4] [D-11]",
            Invariant::Answered => "SPEC §3 ¶7",
            Invariant::No5xxForBadInput => "SPEC §3 ¶7 [D-12]",
            Invariant::BadAuthRefused => "SPEC §3 ¶6",
            Invariant::ExactlyOnce => "SPEC §3 ¶3 [D-10]",
            Invariant::NoEffectForUnprocessable => "SPEC §3 ¶7 [D-12]",
            Invariant::NoEffectWhenUnauthenticated => "SPEC §3 ¶6",
            Invariant::TargetAlive => "SPEC §3 ¶7",
        }
    }

    /// The requirement under `profile`, one sentence.
    pub fn requirement_in(self, profile: Profile) -> &'static str {
        match (profile, self) {
            (Profile::Cr3dentials, _) => self.requirement(),
            (_, Invariant::ValidAcknowledged) => {
                "every validly signed delivery, retries included, is answered 2xx within the timeout"
            }
            (_, Invariant::BadAuthRefused) => {
                "a delivery that fails verification or is outside the tolerance is refused with a 4xx"
            }
            (_, Invariant::ExactlyOnce) => {
                "every acknowledged message (webhook-id) has exactly one side effect"
            }
            (_, Invariant::NoEffectWhenUnauthenticated) => {
                "a delivery that fails verification has no side effect under the id it claims"
            }
            (
                _,
                Invariant::ShouldAccepted
                | Invariant::Answered
                | Invariant::No5xxForBadInput
                | Invariant::NoEffectForUnprocessable
                | Invariant::TargetAlive,
            ) => self.requirement(),
        }
    }

    /// The clauses of `profile`'s contract it grades, cited as its reports cite them.
    pub fn clause_in(self, profile: Profile) -> &'static str {
        match (profile, self) {
            (Profile::Cr3dentials, _) => self.clause(),
            (_, Invariant::ValidAcknowledged) => "STANDARD-WEBHOOKS [SW-7] [SW-10] [SW-12] [SD-4]",
            (_, Invariant::ShouldAccepted) => "STANDARD-WEBHOOKS [SW-1]",
            (_, Invariant::Answered | Invariant::TargetAlive) => "STANDARD-WEBHOOKS [SW-12] [SD-8]",
            (_, Invariant::No5xxForBadInput) => "STANDARD-WEBHOOKS [SD-6]",
            (_, Invariant::BadAuthRefused) => "STANDARD-WEBHOOKS [SW-6] [SW-8] [SD-6] [SD-11]",
            (_, Invariant::ExactlyOnce) => "STANDARD-WEBHOOKS [SW-11] [SD-5]",
            (_, Invariant::NoEffectForUnprocessable) => "STANDARD-WEBHOOKS [SW-6] [SD-6]",
            (_, Invariant::NoEffectWhenUnauthenticated) => {
                "STANDARD-WEBHOOKS [SW-6] [SD-6] [SD-11]"
            }
        }
    }

    /// Whether anything `profile` sends is graded against it: a Standard Webhooks sender
    /// sends no bad payload and no shape a receiver may refuse.
    pub fn applies_to(self, profile: Profile) -> bool {
        profile == Profile::Cr3dentials
            || !matches!(
                self,
                Invariant::ShouldAccepted
                    | Invariant::No5xxForBadInput
                    | Invariant::NoEffectForUnprocessable
            )
    }

    /// Whether checking it needs the effects probe.
    pub fn needs_effects(self) -> bool {
        matches!(
            self,
            Invariant::ExactlyOnce
                | Invariant::NoEffectForUnprocessable
                | Invariant::NoEffectWhenUnauthenticated
        )
    }

    /// Whether checking it needs an auth header.
    pub fn needs_auth(self) -> bool {
        matches!(
            self,
            Invariant::BadAuthRefused | Invariant::NoEffectWhenUnauthenticated
        )
    }
}

/// What one request came to.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The step it belongs to.
    pub step: usize,
    /// The session slot, or none for the other sessions of a [`super::model::Step::Others`].
    pub session: Option<u16>,
    /// How the contract grades it.
    pub expect: Expect,
    /// What it is.
    pub label: String,
    /// The status code, or why there is none.
    pub outcome: Result<u16, TransportError>,
    /// How long it took.
    pub duration: Duration,
    /// Whether the time budget cut it short (or it was never sent): no verdict.
    pub cut: bool,
}

impl Answer {
    /// Whether the target did not answer at all (the budget not to blame).
    pub fn unanswered(&self) -> bool {
        self.outcome.is_err() && !self.cut
    }

    fn described(&self) -> String {
        match &self.outcome {
            Ok(code) => format!("HTTP {code} after {}", format_duration(self.duration)),
            Err(e) => e.to_string(),
        }
    }

    fn acknowledged(&self) -> bool {
        matches!(self.outcome, Ok(code) if (200..300).contains(&code))
    }
}

/// One broken invariant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Violation {
    /// Which invariant.
    pub invariant: Invariant,
    /// The step of the sequence it shows in, if one.
    pub step: Option<usize>,
    /// What was sent.
    pub label: String,
    /// What the invariant expects.
    pub expected: String,
    /// What happened.
    pub actual: String,
}

impl Violation {
    fn new(invariant: Invariant, answer: &Answer, expected: &str) -> Self {
        Violation {
            invariant,
            step: Some(answer.step),
            label: answer.label.clone(),
            expected: expected.to_owned(),
            actual: answer.described(),
        }
    }
}

/// Grades every answer of a sequence against the response invariants. An answer the
/// time budget cut short is not graded.
pub fn grade_answers(answers: &[Answer], timeout: Duration) -> Vec<Violation> {
    answers
        .iter()
        .filter(|a| !a.cut)
        .filter_map(|answer| grade_answer(answer, timeout))
        .collect()
}

fn grade_answer(answer: &Answer, timeout: Duration) -> Option<Violation> {
    let within = format!("2xx within {}", format_duration(timeout));
    let answered = format!("an answer within {}", format_duration(timeout));
    match (&answer.outcome, answer.expect) {
        (Err(e), _) if e.class == FailureClass::Connect => Some(Violation::new(
            Invariant::TargetAlive,
            answer,
            "a connection",
        )),
        // A receiver refusing an oversized body may close the connection as it answers
        // 413, before the whole body is written (SPEC [D-11]).
        (Err(e), Expect::MayRefuse) if e.class == FailureClass::Closed => None,
        (Err(_), Expect::Valid) => Some(Violation::new(
            Invariant::ValidAcknowledged,
            answer,
            &within,
        )),
        (Err(_), _) => Some(Violation::new(Invariant::Answered, answer, &answered)),
        (Ok(_), _) if answer.acknowledged() && !answer.expect.is_unauthenticated() => None,
        (Ok(400..=499), Expect::Unverified) => None,
        (Ok(_), Expect::Unverified) => Some(Violation::new(
            Invariant::BadAuthRefused,
            answer,
            "a 4xx refusal, with no effect",
        )),
        (Ok(_), Expect::Valid) => Some(Violation::new(
            Invariant::ValidAcknowledged,
            answer,
            &within,
        )),
        (Ok(_), Expect::ShouldAccept) => {
            Some(Violation::new(Invariant::ShouldAccepted, answer, "2xx"))
        }
        (Ok(code), Expect::MayRefuse) if *code >= 500 => Some(Violation::new(
            Invariant::ShouldAccepted,
            answer,
            "2xx, or a 4xx refusal (413 for a body over 256 KiB), not 5xx",
        )),
        (Ok(_), Expect::BadAuth) if answer.acknowledged() => Some(Violation::new(
            Invariant::BadAuthRefused,
            answer,
            "a refusal (401 or 403)",
        )),
        (Ok(code), Expect::Unprocessable | Expect::OffContract) if *code >= 500 => Some(
            Violation::new(Invariant::No5xxForBadInput, answer, "4xx (or 2xx)"),
        ),
        (Ok(_), _) => None,
    }
}

/// The invariants each answer was graded against (an answer cut short by the budget, none),
/// so that an invariant nothing observed is never reported as held.
pub fn observed(answers: &[Answer]) -> Vec<Invariant> {
    let mut seen = Vec::new();
    for answer in answers.iter().filter(|a| !a.cut) {
        seen.push(Invariant::TargetAlive);
        seen.push(match answer.expect {
            Expect::Valid => Invariant::ValidAcknowledged,
            Expect::ShouldAccept | Expect::MayRefuse => Invariant::ShouldAccepted,
            Expect::BadAuth | Expect::Unverified => Invariant::BadAuthRefused,
            Expect::Unprocessable | Expect::OffContract => Invariant::Answered,
        });
        // A forgery must be answered too, with a refusal.
        if answer.expect == Expect::Unverified {
            seen.push(Invariant::Answered);
        }
        if matches!(answer.expect, Expect::Unprocessable | Expect::OffContract)
            && answer.outcome.is_ok()
        {
            seen.push(Invariant::No5xxForBadInput);
        }
    }
    seen.sort();
    seen.dedup();
    seen
}

/// How many effects a session must have, and which invariant says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EffectExpectation {
    /// The session slot.
    pub session: u16,
    /// The count it must have.
    pub count: u64,
    /// The invariant a different count breaks.
    pub invariant: Invariant,
    /// The first step that delivered the session.
    pub step: usize,
}

/// The sessions whose effect counts are graded: exactly one for a session a valid
/// delivery of which was acknowledged; none for a session only ever sent with a wrong
/// credential, or only as observable unprocessable input. Other sessions (refused valid
/// deliveries, off-contract input a receiver may accept) are not graded.
pub fn effect_expectations(sequence: &Sequence, answers: &[Answer]) -> Vec<EffectExpectation> {
    let mut sessions: BTreeMap<u16, Vec<&Answer>> = BTreeMap::new();
    for answer in answers {
        if let Some(session) = answer.session {
            sessions.entry(session).or_default().push(answer);
        }
    }
    let observed = |session: u16| {
        sequence
            .deliveries()
            .filter(|(_, d)| d.session == session)
            .all(|(_, d)| d.observed)
    };
    sessions
        .into_iter()
        .filter_map(|(session, answers)| {
            let step = answers.iter().map(|a| a.step).min().unwrap_or(0);
            let all = |expect: Expect| answers.iter().all(|a| a.expect == expect);
            let (count, invariant) = if answers
                .iter()
                .any(|a| a.expect.is_valid() && a.acknowledged())
            {
                (1, Invariant::ExactlyOnce)
            } else if all(Expect::BadAuth) || (all(Expect::Unverified) && observed(session)) {
                (0, Invariant::NoEffectWhenUnauthenticated)
            } else if all(Expect::Unprocessable) && observed(session) {
                (0, Invariant::NoEffectForUnprocessable)
            } else {
                return None;
            };
            Some(EffectExpectation {
                session,
                count,
                invariant,
                step,
            })
        })
        .collect()
}

/// Grades effect counts against their expectations. A count that could not be read is
/// no verdict, not a pass: it is returned, with its invariant, as the error text instead.
pub fn grade_effects(
    sequence: &Sequence,
    expectations: &[EffectExpectation],
    counts: &BTreeMap<u16, Result<u64, String>>,
    profile: Profile,
) -> (Vec<Violation>, Vec<(Invariant, String)>) {
    let unit = profile.unit();
    let mut violations = Vec::new();
    let mut errors = Vec::new();
    for expectation in expectations {
        match counts.get(&expectation.session) {
            Some(Ok(count)) if *count == expectation.count => {}
            Some(Ok(count)) => violations.push(Violation {
                invariant: expectation.invariant,
                step: Some(expectation.step),
                label: session_label(sequence, expectation.session),
                expected: match expectation.count {
                    0 => format!("no effect for the {unit}"),
                    n => format!(
                        "exactly {} for the {unit}",
                        crate::count::count(n, "effect")
                    ),
                },
                actual: crate::count::count(*count, "effect"),
            }),
            Some(Err(e)) => errors.push((expectation.invariant, e.clone())),
            None => errors.push((expectation.invariant, "not read".to_owned())),
        }
    }
    (violations, errors)
}

/// The labels of a session's deliveries, each once with its number of copies.
fn session_label(sequence: &Sequence, session: u16) -> String {
    let mut labels: Vec<(&str, usize)> = Vec::new();
    for (_, delivery) in sequence.deliveries().filter(|(_, d)| d.session == session) {
        match labels.iter_mut().find(|(l, _)| *l == delivery.label) {
            Some((_, copies)) => *copies += 1,
            None => labels.push((&delivery.label, 1)),
        }
    }
    let parts: Vec<String> = labels
        .into_iter()
        .map(|(label, copies)| match copies {
            1 => label.to_owned(),
            n => format!("{label} ×{n}"),
        })
        .collect();
    parts.join(" + ")
}

#[cfg(test)]
mod tests;
