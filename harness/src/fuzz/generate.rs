//! Sequences from a seed: the same seed and settings give the same sequences, whatever the
//! target answers. Sequence `n` is drawn from its own generator seeded with (seed, n), and
//! its kind follows a fixed schedule, so a small budget still covers every kind.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use super::model::{Credential, Delivery, Sequence, Step};
use super::signed_sequences;
use super::source::PayloadSource;
use crate::generate::SharedValue;
use crate::profile::Profile;
use crate::spec::Status;

/// How many other sessions are delivered between a session and its late copy: more than a
/// small dedupe cache holds.
pub const OTHERS_BETWEEN: u16 = 24;

/// The kinds of sequence, each aimed at a family of faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SequenceKind {
    /// Several sessions, valid and invalid, with sequential copies, other bodies for the
    /// same session, bad input and bad credentials, in a shuffled order.
    Interleaved,
    /// Copies of one session released together.
    Concurrent,
    /// Two distinct sessions sharing a field value (SPEC §3 ¶3: the key is `sessionId`).
    SharedValue,
    /// A copy after many other sessions.
    AfterOthers,
    /// A copy after the first retry's delay.
    AfterRetryDelay,
}

impl SequenceKind {
    /// The kind of sequence `index`: a copy after the retry delay once in 32 (it holds a
    /// slot for the whole delay), after others once in 16, shared values once in 8,
    /// concurrent copies once in 4, interleaved sessions otherwise.
    pub fn of(index: u64) -> SequenceKind {
        if index % 32 == 7 {
            SequenceKind::AfterRetryDelay
        } else if index % 16 == 5 {
            SequenceKind::AfterOthers
        } else if index % 8 == 3 {
            SequenceKind::SharedValue
        } else if index % 4 == 1 {
            SequenceKind::Concurrent
        } else {
            SequenceKind::Interleaved
        }
    }
}

/// What generation needs besides the seed.
#[derive(Debug, Clone)]
pub struct GenerateConfig {
    /// The configured auth secret, if any: bad credentials are drawn only with one.
    pub secret: Option<Vec<u8>>,
    /// The pause before a late copy.
    pub retry_delay: Duration,
    /// How many URLs the copies of a session are spread over (see [`super::route`]): 1
    /// without `--replica`.
    pub urls: usize,
    /// The contract: under `standard-webhooks` the sequences are those of
    /// [`super::signed_sequences`], and the payload source is not drawn from.
    pub profile: Profile,
}

/// Draws sequences, one per index, from a seed and a payload source.
pub struct Generator {
    seed: u64,
    config: GenerateConfig,
    source: Box<dyn PayloadSource>,
    refusals: signed_sequences::Refusals,
}

/// Session ids used while drawing; the executor replaces them with fresh ones.
fn draft_id(slot: u16) -> String {
    format!(
        "00000000-0000-4000-8000-{:012x}",
        0xf0220000_u64 + u64::from(slot)
    )
}

impl Generator {
    /// A generator of the sequences of `seed`.
    pub fn new(seed: u64, config: GenerateConfig, source: Box<dyn PayloadSource>) -> Self {
        Generator {
            seed,
            config,
            source,
            refusals: signed_sequences::Refusals::default(),
        }
    }

    /// Sequence number `index`.
    pub fn sequence(&mut self, index: u64) -> Sequence {
        let mut rng = StdRng::seed_from_u64(self.seed ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let steps = match self.config.profile {
            Profile::Cr3dentials => self.cr3dentials(index, &mut rng),
            Profile::StandardWebhooks => self.standard_webhooks(index, &mut rng),
        };
        let mut sequence = Sequence { steps };
        super::route::spread(&mut sequence, self.config.urls);
        sequence
    }

    /// What a delivery waits for before a late copy: other messages or sessions, or the
    /// retry delay.
    fn between(&self, kind: SequenceKind) -> Step {
        match kind {
            SequenceKind::AfterOthers => Step::Others {
                count: OTHERS_BETWEEN,
            },
            _ => Step::Pause {
                ms: u64::try_from(self.config.retry_delay.as_millis()).unwrap_or(u64::MAX),
            },
        }
    }

    /// The steps of sequence `index` under `standard-webhooks`: shared values are two
    /// messages with the same body.
    fn standard_webhooks(&mut self, index: u64, rng: &mut StdRng) -> Vec<Step> {
        match SequenceKind::of(index) {
            SequenceKind::Interleaved => self.refusals.interleaved(rng),
            SequenceKind::Concurrent => signed_sequences::concurrent(rng),
            SequenceKind::SharedValue => signed_sequences::same_body(rng),
            kind @ (SequenceKind::AfterOthers | SequenceKind::AfterRetryDelay) => {
                signed_sequences::late_copy(rng, self.between(kind))
            }
        }
    }

    /// The steps of sequence `index` under `cr3dentials`.
    fn cr3dentials(&mut self, index: u64, rng: &mut StdRng) -> Vec<Step> {
        match SequenceKind::of(index) {
            SequenceKind::Interleaved => self.interleaved(rng),
            SequenceKind::Concurrent => self.concurrent(rng),
            SequenceKind::SharedValue => self.shared_value(rng),
            kind @ (SequenceKind::AfterOthers | SequenceKind::AfterRetryDelay) => {
                let between = self.between(kind);
                self.late_copy(rng, between)
            }
        }
    }

    fn valid(&mut self, rng: &mut StdRng, slot: u16) -> Delivery {
        let id = draft_id(slot);
        self.source
            .valid(rng, &id)
            .into_delivery(slot, &id, Credential::Configured)
    }

    fn valid_of(&mut self, rng: &mut StdRng, slot: u16, status: Status) -> Delivery {
        let id = draft_id(slot);
        self.source
            .valid_of(rng, &id, status)
            .into_delivery(slot, &id, Credential::Configured)
    }

    /// Sessions with copies, other bodies, bad input and bad credentials, shuffled.
    fn interleaved(&mut self, rng: &mut StdRng) -> Vec<Step> {
        let mut steps = Vec::new();
        let mut slot = 0u16;
        for _ in 0..rng.random_range(1..=3) {
            let first = self.valid(rng, slot);
            if rng.random_bool(0.5) {
                steps.push(Step::Send(first.clone()));
            } else if rng.random_bool(0.3) {
                steps.push(Step::Abandon(first.clone()));
            }
            if rng.random_bool(0.3) {
                let status = Status::ALL[rng.random_range(0..Status::ALL.len())];
                steps.push(Step::Send(self.valid_of(rng, slot, status)));
            }
            steps.push(Step::Send(first));
            slot += 1;
        }
        for _ in 0..rng.random_range(0..=2) {
            let id = draft_id(slot);
            let drawn = self.source.invalid(rng, &id);
            steps.push(Step::Send(drawn.into_delivery(
                slot,
                &id,
                Credential::Configured,
            )));
            slot += 1;
        }
        if let Some(secret) = self.config.secret.clone()
            && rng.random_bool(0.5)
            && let Some(mutation) = self.source.credential(rng, &secret)
        {
            let mut delivery = self.valid_of(rng, slot, Status::Completed);
            delivery.credential = Credential::Mutated(mutation);
            delivery.expect = super::model::Expect::BadAuth;
            delivery.label = format!("auth/{}", mutation.as_str());
            steps.push(Step::Send(delivery));
        }
        steps.shuffle(rng);
        steps
    }

    /// 2 to 8 copies at once, one of them sometimes another body of the same session.
    fn concurrent(&mut self, rng: &mut StdRng) -> Vec<Step> {
        let first = self.valid(rng, 0);
        let mut copies = vec![first; rng.random_range(2..=8)];
        if rng.random_bool(0.3) {
            let status = Status::ALL[rng.random_range(0..Status::ALL.len())];
            copies[0] = self.valid_of(rng, 0, status);
        }
        vec![Step::Together(copies)]
    }

    /// A session, `between`, then a copy (or another body) of it.
    fn late_copy(&mut self, rng: &mut StdRng, between: Step) -> Vec<Step> {
        let first = self.valid(rng, 0);
        let copy = if rng.random_bool(0.5) {
            first.clone()
        } else {
            let status = Status::ALL[rng.random_range(0..Status::ALL.len())];
            self.valid_of(rng, 0, status)
        };
        vec![Step::Send(first), between, Step::Send(copy)]
    }

    /// Two sessions sharing `externalReferenceId` (null or not) or `proofHash`.
    fn shared_value(&mut self, rng: &mut StdRng) -> Vec<Step> {
        let shared = SharedValue::ALL[rng.random_range(0..SharedValue::ALL.len())];
        let mut a = self.valid_of(rng, 0, Status::Completed);
        let mut b = self.valid_of(rng, 1, Status::Completed);
        let value = match shared {
            SharedValue::NullExternalReference => ("externalReferenceId", Value::Null),
            SharedValue::SameExternalReference => (
                "externalReferenceId",
                Value::from(format!(
                    "order-shared-{}-{}",
                    rng.random_range(1000..10_000),
                    super::model::RUN_MARK
                )),
            ),
            SharedValue::SameProofHash => (
                "proofHash",
                Value::from(format!("{:064x}", rng.random::<u128>())),
            ),
        };
        for delivery in [&mut a, &mut b] {
            set_field(delivery, value.0, value.1.clone());
            delivery.label = format!("{}/{}", delivery.label, shared.as_str());
        }
        vec![Step::Send(a), Step::Send(b)]
    }
}

/// Sets a top-level field of a JSON body.
fn set_field(delivery: &mut Delivery, field: &str, value: Value) {
    let bytes = delivery.body.bytes(super::model::SESSION_MARK);
    if let Ok(Value::Object(mut object)) = serde_json::from_slice::<Value>(&bytes) {
        object.insert(field.to_owned(), value);
        let text = serde_json::to_vec(&object).expect("a JSON object serializes");
        delivery.body = super::model::Body::from_bytes(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzz::source::EnumSource;

    fn generator(seed: u64) -> Generator {
        Generator::new(
            seed,
            GenerateConfig {
                secret: Some(b"s3cret".to_vec()),
                retry_delay: Duration::from_secs(5),
                urls: 1,
                profile: Profile::Cr3dentials,
            },
            Box::new(EnumSource::default()),
        )
    }

    #[test]
    fn the_same_seed_gives_the_same_sequences() {
        let (mut a, mut b, mut c) = (generator(7), generator(7), generator(8));
        let first: Vec<Sequence> = (0..40).map(|i| a.sequence(i)).collect();
        let again: Vec<Sequence> = (0..40).map(|i| b.sequence(i)).collect();
        let other: Vec<Sequence> = (0..40).map(|i| c.sequence(i)).collect();
        // completedAt is the time of drawing: compare everything else.
        let strip = |s: &[Sequence]| {
            s.iter()
                .flat_map(|s| {
                    s.deliveries()
                        .map(|(i, d)| (i, d.label.clone(), d.session))
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(&first), strip(&again));
        assert_ne!(strip(&first), strip(&other));
    }

    #[test]
    fn the_first_32_sequences_hold_every_kind() {
        let kinds: std::collections::BTreeSet<SequenceKind> =
            (0..32).map(SequenceKind::of).collect();
        assert_eq!(kinds.len(), 5);
    }

    #[test]
    fn shared_value_sessions_are_distinct_slots_with_the_same_value() {
        let mut g = generator(3);
        let sequence = g.sequence(3);
        let deliveries: Vec<&Delivery> = sequence.deliveries().map(|(_, d)| d).collect();
        assert_eq!(deliveries.len(), 2);
        assert_ne!(deliveries[0].session, deliveries[1].session);
    }
}
