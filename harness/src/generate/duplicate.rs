//! How copies of one session arrive (SPEC §3 ¶3, [D-8], [D-10]): delivery is at-least-once,
//! and every copy must be acknowledged and cause no second effect.

use serde_json::json;

use crate::spec::{Payload, Status};

id_enum! {
    /// One duplicate scenario. The sending is the idempotency family's; the copies are these.
    pub enum DuplicateScenario {
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

    /// Copy number `n` (from 0) of the session whose first copy is `first`: the same body,
    /// except that the other-body scenarios send the other terminal event second [D-10].
    pub fn copy(self, first: &Payload, n: usize) -> Payload {
        let mut copy = first.clone();
        if n == 0 {
            return copy;
        }
        match self {
            DuplicateScenario::OtherBody => {
                copy.status = Status::Error;
                copy.extracted_data = None;
                copy.proof_hash = None;
            }
            DuplicateScenario::OtherBodyReversed => {
                copy.status = Status::Completed;
                copy.extracted_data =
                    json!({"accountHolder": "Ada Lovelace", "accountType": "checking"})
                        .as_object()
                        .cloned();
                copy.proof_hash =
                    Some("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into());
            }
            DuplicateScenario::Sequential
            | DuplicateScenario::Concurrent
            | DuplicateScenario::AfterAbandoned
            | DuplicateScenario::EveryStatus
            | DuplicateScenario::AfterRetryDelay
            | DuplicateScenario::AfterBurst => {}
        }
        copy
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{PayloadBuilder, parse};

    #[test]
    fn every_copy_is_a_valid_delivery_of_the_same_session() {
        for scenario in DuplicateScenario::ALL.iter().copied() {
            for status in scenario.statuses() {
                let first = PayloadBuilder::new(status).seed(9).build();
                for n in 0..scenario.copies() {
                    let copy = scenario.copy(&first, n);
                    assert_eq!(copy.session_id, first.session_id, "{scenario}");
                    parse(&copy.to_json_bytes()).unwrap_or_else(|e| panic!("{scenario}: {e}"));
                }
            }
        }
    }

    #[test]
    fn other_body_scenarios_cross_statuses_in_both_orders() {
        let completed = PayloadBuilder::new(Status::Completed).seed(1).build();
        let error = PayloadBuilder::new(Status::Error).seed(1).build();
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
