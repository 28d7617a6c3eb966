//! How copies of one session arrive (SPEC §3 ¶3, [D-8], [D-10]): delivery is at-least-once,
//! and every copy must be acknowledged and cause no second effect.

use super::drawn::Drawn;
use crate::spec::Status;

crate::closed::closed_enum! {
    /// One duplicate scenario. The sending is the idempotency family's; the copies are these.
    #[derive(arbitrary::Arbitrary)]
    pub enum DuplicateScenario as "duplicate scenario" {
        /// Three copies, one after another.
        Sequential => "sequential",
        /// Eight copies released together, each on its own connection.
        Concurrent => "concurrent",
        /// A copy whose sender hung up before the answer, then the retry.
        AfterAbandoned => "after-abandoned",
        /// COMPLETED, then ERROR for the same session: one session has one terminal event.
        OtherBody => "other-body",
        /// ERROR, then COMPLETED for the same session.
        OtherBodyReversed => "other-body-reversed",
        /// Two copies of a session of every status.
        EveryStatus => "every-status",
        /// A copy after the first retry's delay (or `--dedupe-window`), with other sessions
        /// delivered in between, as a real retry arrives.
        AfterRetryDelay => "after-retry-delay",
        /// The run's first session again, after the burst and everything else.
        AfterBurst => "after-burst",
    }
}

impl DuplicateScenario {
    /// Copies sent of each session.
    pub const fn copies(self) -> usize {
        match self {
            DuplicateScenario::Sequential => 3,
            DuplicateScenario::Concurrent => 8,
            DuplicateScenario::AfterAbandoned
            | DuplicateScenario::OtherBody
            | DuplicateScenario::OtherBodyReversed
            | DuplicateScenario::EveryStatus
            | DuplicateScenario::AfterRetryDelay
            | DuplicateScenario::AfterBurst => 2,
        }
    }

    /// The statuses of the sessions it delivers (one session each).
    pub fn statuses(self) -> Vec<Status> {
        match self {
            DuplicateScenario::EveryStatus => Status::ALL.to_vec(),
            DuplicateScenario::OtherBodyReversed => vec![Status::Error],
            DuplicateScenario::Sequential
            | DuplicateScenario::Concurrent
            | DuplicateScenario::AfterAbandoned
            | DuplicateScenario::OtherBody
            | DuplicateScenario::AfterRetryDelay
            | DuplicateScenario::AfterBurst => vec![Status::Completed],
        }
    }

    /// Copy number `n` (from 0) of the session whose first copy is `first`: the same bytes,
    /// except that the other-body scenarios send the other terminal event second [D-10].
    pub fn copy(self, first: &Drawn, n: usize) -> Drawn {
        if n == 0 {
            return first.clone();
        }
        match self {
            DuplicateScenario::OtherBody => first.other_event(Status::Error),
            DuplicateScenario::OtherBodyReversed => first.other_event(Status::Completed),
            DuplicateScenario::Sequential
            | DuplicateScenario::Concurrent
            | DuplicateScenario::AfterAbandoned
            | DuplicateScenario::EveryStatus
            | DuplicateScenario::AfterRetryDelay
            | DuplicateScenario::AfterBurst => first.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::Pin;
    use crate::spec::parse;

    #[test]
    fn every_copy_is_a_valid_delivery_of_the_same_session() {
        for scenario in DuplicateScenario::ALL.iter().copied() {
            for status in scenario.statuses() {
                let first = Drawn::draw(9, scenario.as_str(), status, &Pin::ANY);
                for n in 0..scenario.copies() {
                    let copy = scenario.copy(&first, n);
                    let payload =
                        parse(&copy.to_bytes()).unwrap_or_else(|e| panic!("{scenario}: {e}"));
                    assert_eq!(payload.session_id, first.session_id, "{scenario}");
                    let same = copy.to_bytes() == first.to_bytes();
                    let other = matches!(
                        scenario,
                        DuplicateScenario::OtherBody | DuplicateScenario::OtherBodyReversed
                    );
                    assert_eq!(same, n == 0 || !other, "{scenario} copy {n}");
                }
            }
        }
    }

    #[test]
    fn other_body_scenarios_cross_statuses_in_both_orders() {
        let completed = Drawn::draw(1, "c", Status::Completed, &Pin::ANY);
        let error = Drawn::draw(1, "e", Status::Error, &Pin::ANY);
        assert_eq!(
            DuplicateScenario::OtherBody.copy(&completed, 1).status,
            Status::Error
        );
        assert_eq!(
            DuplicateScenario::OtherBodyReversed.copy(&error, 1).status,
            Status::Completed
        );
        assert_eq!(DuplicateScenario::EveryStatus.statuses().len(), 5);
    }
}
