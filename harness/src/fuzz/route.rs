//! With `--replica`, where each copy of a session goes. The URLs are the target, then the
//! replicas in the order given; copy i of the session in slot s goes to URL (s + i) mod n,
//! as `load` sends its redeliveries: any two copies of a session in a row land on
//! different processes, and sessions start on different ones. Without replicas every copy
//! goes to the target. The destination is written into each delivery
//! ([`Delivery::replica`](super::model::Delivery::replica)) when the sequence is drawn, so
//! that shrinking, case files, replays and repro scripts keep it.

use std::collections::HashMap;

use super::model::Sequence;

/// Spreads the copies of every session of `sequence` over `urls` URLs.
pub fn spread(sequence: &mut Sequence, urls: usize) {
    let urls = urls.max(1);
    let mut copies: HashMap<u16, usize> = HashMap::new();
    for step in &mut sequence.steps {
        for delivery in step.deliveries_mut() {
            let copy = copies.entry(delivery.session).or_default();
            let at = (usize::from(delivery.session) + *copy) % urls;
            delivery.replica = u16::try_from(at).unwrap_or(0);
            *copy += 1;
        }
    }
}

/// How many URLs `sequence` sends to: 1 when every delivery goes to the target.
pub fn urls_needed(sequence: &Sequence) -> usize {
    sequence
        .deliveries()
        .map(|(_, d)| usize::from(d.replica) + 1)
        .max()
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzz::model::{Body, Credential, Delivery, Expect, Method, Step};

    fn copy(session: u16) -> Delivery {
        Delivery {
            session,
            label: "valid/completed/as-sent".into(),
            expect: Expect::Valid,
            method: Method::Post,
            content_type: None,
            credential: Credential::Configured,
            observed: true,
            body: Body::Text("{}".into()),
            replica: 0,
        }
    }

    fn sequence() -> Sequence {
        Sequence {
            steps: vec![
                Step::Send(copy(0)),
                Step::Send(copy(1)),
                Step::Together(vec![copy(0), copy(0)]),
                Step::Pause { ms: 1 },
                Step::Abandon(copy(1)),
                Step::Others { count: 3 },
                Step::Send(copy(0)),
            ],
        }
    }

    fn destinations(sequence: &Sequence, session: u16) -> Vec<u16> {
        let copies = sequence.deliveries().filter(|(_, d)| d.session == session);
        copies.map(|(_, d)| d.replica).collect()
    }

    #[test]
    fn copies_go_round_robin_from_a_start_that_follows_the_session() {
        let mut two = sequence();
        spread(&mut two, 2);
        assert_eq!(destinations(&two, 0), [0, 1, 0, 1]);
        assert_eq!(destinations(&two, 1), [1, 0]);
        assert_eq!(urls_needed(&two), 2);
        let mut three = sequence();
        spread(&mut three, 3);
        assert_eq!(destinations(&three, 0), [0, 1, 2, 0]);
        assert_eq!(destinations(&three, 1), [1, 2]);
    }

    #[test]
    fn without_replicas_every_copy_goes_to_the_target() {
        let mut one = sequence();
        spread(&mut one, 2);
        spread(&mut one, 1);
        assert!(one.deliveries().all(|(_, d)| d.replica == 0));
        assert_eq!(urls_needed(&one), 1);
    }
}
