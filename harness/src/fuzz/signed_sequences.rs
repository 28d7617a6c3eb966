//! The sequences of `--profile standard-webhooks`. A slot is a message: its id is the
//! `webhook-id`, and every copy of it (in order, at once, abandoned, late) is a retry with
//! the same body, signed afresh when sent ([SW-2], [SW-11]). Bodies come from
//! [`super::signed_space`]; bad deliveries are forgeries and timestamps outside the
//! tolerance ([`Signing`]), some claiming the id of a message the sequence also delivers.
//! No other body for the same message, no bad payload, no other method or content type:
//! Standard Webhooks never sends them.

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};

use super::model::{Body, Credential, Delivery, Expect, Method, Step};
use super::signed_space;
use super::signing::Signing;
use super::source::Bag;

/// The share of messages signed in a valid form other than the plain one.
const OTHER_SIGNATURE: f64 = 0.2;

/// The share of refused deliveries that claim the id of a message the sequence delivers.
const CLAIMS_A_MESSAGE: f64 = 0.4;

/// A message of slot `slot`, drawn: valid, signed plainly or (sometimes) in another valid form.
fn message(rng: &mut StdRng, slot: u16) -> Delivery {
    let drawn = signed_space::draw(rng);
    let signing = rng
        .random_bool(OTHER_SIGNATURE)
        .then(|| *Signing::VALID.choose(rng).expect("not empty"));
    Delivery {
        session: slot,
        label: match signing {
            Some(signing) => format!("{}/{}", drawn.label, signing.as_str()),
            None => drawn.label,
        },
        expect: Expect::Valid,
        method: Method::Post,
        content_type: Some("application/json".into()),
        credential: signing.map_or(Credential::Configured, Credential::Signed),
        observed: true,
        body: Body::from_bytes(drawn.body),
        replica: 0,
    }
}

/// The ways of refusing a delivery, drawn from a shuffled bag so that every forgery and
/// both timestamps come up in a small budget.
#[derive(Debug, Clone)]
pub struct Refusals {
    bag: Bag<Signing>,
}

impl Default for Refusals {
    fn default() -> Self {
        let ways = Signing::ALL.into_iter().filter(|s| s.refused()).collect();
        Refusals {
            bag: Bag::new(ways),
        }
    }
}

impl Refusals {
    /// `delivery` signed in a way a receiver must refuse, the next from the bag.
    fn refused(&mut self, rng: &mut StdRng, delivery: Delivery) -> Delivery {
        let signing = self.bag.draw(rng);
        Delivery {
            label: signing.label(),
            expect: Expect::Unverified,
            credential: Credential::Signed(signing),
            observed: signing.observed(),
            ..delivery
        }
    }

    /// Messages with copies, some abandoned, and one or two refused deliveries, shuffled.
    pub fn interleaved(&mut self, rng: &mut StdRng) -> Vec<Step> {
        let mut steps = Vec::new();
        let mut messages = Vec::new();
        let mut slot = 0u16;
        for _ in 0..rng.random_range(1..=3) {
            let first = message(rng, slot);
            if rng.random_bool(0.5) {
                steps.push(Step::Send(first.clone()));
            } else if rng.random_bool(0.3) {
                steps.push(Step::Abandon(first.clone()));
            }
            steps.push(Step::Send(first.clone()));
            messages.push(first);
            slot += 1;
        }
        for _ in 0..rng.random_range(1..=2) {
            let claimed = match rng.random_bool(CLAIMS_A_MESSAGE) {
                true => messages.choose(rng).expect("at least one message").clone(),
                false => {
                    slot += 1;
                    message(rng, slot - 1)
                }
            };
            steps.push(Step::Send(self.refused(rng, claimed)));
        }
        steps.shuffle(rng);
        steps
    }
}

/// 2 to 8 copies of one message at once.
pub fn concurrent(rng: &mut StdRng) -> Vec<Step> {
    let first = message(rng, 0);
    vec![Step::Together(vec![first; rng.random_range(2..=8)])]
}

/// Two messages with the same body, byte for byte, and different ids: distinct messages
/// ([SD-5]: the key is `webhook-id`).
pub fn same_body(rng: &mut StdRng) -> Vec<Step> {
    let mut a = message(rng, 0);
    a.label = format!("{}/same-body", a.label);
    let b = Delivery {
        session: 1,
        ..a.clone()
    };
    vec![Step::Send(a), Step::Send(b)]
}

/// A message, `between`, then a retry of it.
pub fn late_copy(rng: &mut StdRng, between: Step) -> Vec<Step> {
    let first = message(rng, 0);
    vec![Step::Send(first.clone()), between, Step::Send(first)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn copies_are_the_same_message_and_refused_deliveries_are_typed() {
        let mut rng = StdRng::seed_from_u64(4);
        let mut refusals = Refusals::default();
        let mut refused_seen = std::collections::HashSet::new();
        for _ in 0..10 {
            let steps = refusals.interleaved(&mut rng);
            let deliveries: Vec<&Delivery> = steps.iter().flat_map(Step::deliveries).collect();
            for d in &deliveries {
                assert_eq!(d.method, Method::Post);
                if d.expect == Expect::Unverified {
                    let signing = d.credential.signing().expect("refused ones are signed so");
                    assert!(signing.refused(), "{}", d.label);
                    refused_seen.insert(signing);
                    continue;
                }
                assert_eq!(d.expect, Expect::Valid);
                for other in deliveries.iter().filter(|o| o.session == d.session) {
                    assert_eq!(other.body, d.body, "a copy is a retry: same bytes");
                }
            }
        }
        assert_eq!(
            refused_seen.len(),
            Signing::ALL.len() - Signing::VALID.len()
        );
    }
}
