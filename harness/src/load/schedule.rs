//! Which delivery goes out k-th: its session (new, or a redelivery of an earlier one) and its
//! body, built from a pre-serialized template per status so that a delivery costs one copy.
//!
//! The backlog is a pure function of the seed, the duplicates ratio and `k`: delivery `k`
//! either starts session `k` or redelivers an earlier session, whatever order workers (or
//! processes, with `--shard`) send it in. So a backlog split over shards is, in union,
//! exactly the backlog one process sends.
//!
//! Under `--profile standard-webhooks` a session is a message ([`super::messages`]): its
//! id is its `webhook-id`, its body a Standard Webhooks event.

use bytes::{Bytes, BytesMut};

use super::hash::mix;
use super::messages;
use crate::profile::Profile;
use crate::spec::{PayloadBuilder, Status};

/// The session id the templates are serialized with, overwritten per delivery.
const PLACEHOLDER: &str = "00000000-0000-4000-8000-000000000000";

/// One delivery to send.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The session's index: the number of the delivery that first sends it.
    pub session: u64,
    /// Whether this redelivers a session already sent.
    pub duplicate: bool,
    /// The JSON body.
    pub body: Bytes,
}

impl Planned {
    /// Which of `urls` URLs (the target, then the replicas) the k-th delivery goes to: a
    /// session's first copy to the next one in turn by session number, so new sessions go
    /// round robin; a redelivery to one of the others, in turn by `k`, so that with more
    /// than one URL no copy lands where its session's first one did.
    pub fn destination(&self, k: u64, urls: usize) -> usize {
        let urls = urls.max(1) as u64;
        let first = self.session % urls;
        let at = if self.duplicate && urls > 1 {
            (first + 1 + k % (urls - 1)) % urls
        } else {
            first
        };
        at as usize
    }
}

/// A serialized payload and where its session id sits.
#[derive(Debug)]
struct Template {
    bytes: Vec<u8>,
    id_at: usize,
}

/// Numbers sessions and builds bodies; shared by every worker.
#[derive(Debug)]
pub struct Schedule {
    seed: u64,
    duplicates: f64,
    profile: Profile,
    templates: Vec<Template>,
}

impl Schedule {
    /// A schedule whose ids and statuses follow from `seed`; `duplicates` of the deliveries
    /// (a fraction) redeliver an earlier session with the same body.
    pub fn new(seed: u64, duplicates: f64) -> Self {
        Self::of(Profile::Cr3dentials, seed, duplicates)
    }

    /// Like [`Schedule::new`], with the sessions and bodies of `profile`: Cr3dentials
    /// payloads, or Standard Webhooks messages.
    pub fn of(profile: Profile, seed: u64, duplicates: f64) -> Self {
        let (bodies, placeholder) = match profile {
            Profile::Cr3dentials => (payloads(seed), PLACEHOLDER),
            Profile::StandardWebhooks => (messages::templates(), messages::ID_PLACEHOLDER),
        };
        let templates = bodies
            .into_iter()
            .map(|bytes| {
                let id_at = find(&bytes, placeholder.as_bytes())
                    .expect("a serialized body holds its session id");
                Template { bytes, id_at }
            })
            .collect();
        Schedule {
            seed,
            duplicates,
            profile,
            templates,
        }
    }

    /// The contract the bodies follow.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The k-th delivery.
    pub fn delivery(&self, k: u64) -> Planned {
        let session = self.session_of(k);
        Planned {
            session,
            duplicate: session != k,
            body: self.body(session),
        }
    }

    /// The session delivery `k` sends: `k` itself when it starts one, else an earlier
    /// delivery's session. Delivery 0 always starts one. A redelivery picks an earlier
    /// delivery at random and, when that one was a redelivery too, the nearest one before
    /// it that started a session.
    pub fn session_of(&self, k: u64) -> u64 {
        let Some(roll) = self.redelivers(k) else {
            return k;
        };
        let mut session = mix(roll) % k;
        while self.redelivers(session).is_some() {
            session -= 1;
        }
        session
    }

    /// The roll of delivery `k` when it redelivers an earlier session.
    fn redelivers(&self, k: u64) -> Option<u64> {
        let roll = mix(self.seed ^ k.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        (k > 0 && unit(roll) < self.duplicates).then_some(roll)
    }

    /// The session id of session `index`, distinct for every index: a version-4 UUID, or
    /// under Standard Webhooks the message's `webhook-id`.
    pub fn session_id(&self, index: u64) -> String {
        match self.profile {
            Profile::Cr3dentials => self.uuid(index).hyphenated().to_string(),
            Profile::StandardWebhooks => messages::message_id(mix(self.seed), index),
        }
    }

    fn uuid(&self, index: u64) -> uuid::Uuid {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&mix(self.seed).to_be_bytes());
        // The variant bits overwrite the top two bits of the index: unique below 2^62.
        bytes[8..].copy_from_slice(&index.to_be_bytes());
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    /// The body of session `index`: its status's (or event's) template with its id
    /// written in.
    fn body(&self, index: u64) -> Bytes {
        let template = &self.templates[(index % self.templates.len() as u64) as usize];
        let mut body = BytesMut::from(template.bytes.as_slice());
        let at = template.id_at;
        match self.profile {
            Profile::Cr3dentials => {
                let id = &mut body[at..at + PLACEHOLDER.len()];
                self.uuid(index).hyphenated().encode_lower(id);
            }
            Profile::StandardWebhooks => {
                let id = &mut body[at..at + messages::ID_PLACEHOLDER.len()];
                messages::write_id(mix(self.seed), index, id);
            }
        }
        body.freeze()
    }
}

/// The Cr3dentials payload of every status, serialized with the placeholder session id.
fn payloads(seed: u64) -> Vec<Vec<u8>> {
    Status::ALL
        .iter()
        .map(|&status| {
            PayloadBuilder::new(status)
                .seed(seed)
                .session_id(PLACEHOLDER)
                .build()
                .to_json_bytes()
        })
        .collect()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// A hash as a number in 0.0..1.0.
fn unit(hash: u64) -> f64 {
    (hash >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_body_is_a_valid_payload_with_its_sessions_id() {
        let schedule = Schedule::new(7, 0.0);
        for k in 0..10 {
            let planned = schedule.delivery(k);
            let payload = crate::spec::parse(&planned.body).expect("valid payload");
            assert_eq!(payload.session_id, schedule.session_id(planned.session));
            assert!(!planned.duplicate);
            assert_eq!(planned.session, k);
        }
    }

    #[test]
    fn duplicates_redeliver_earlier_sessions_at_about_the_ratio() {
        let schedule = Schedule::new(1, 0.25);
        let planned: Vec<_> = (0..4000).map(|k| schedule.delivery(k)).collect();
        let duplicates = planned.iter().filter(|p| p.duplicate).count();
        assert!((800..1200).contains(&duplicates), "{duplicates}");
        for (k, p) in planned.iter().enumerate() {
            assert!(p.session <= k as u64);
            assert!(
                !schedule.delivery(p.session).duplicate,
                "a session starts at its own k"
            );
        }
        let redelivered = planned.iter().find(|p| p.duplicate).unwrap();
        let first = planned
            .iter()
            .find(|p| p.session == redelivered.session)
            .unwrap();
        assert_eq!(
            first.body, redelivered.body,
            "a redelivery is the same body"
        );
    }

    #[test]
    fn first_copies_go_round_robin_and_every_redelivery_elsewhere() {
        for urls in [1usize, 2, 3] {
            let schedule = Schedule::new(3, 0.3);
            let mut first_at = std::collections::HashMap::new();
            let mut sent = vec![0u64; urls];
            for k in 0..3000 {
                let planned = schedule.delivery(k);
                let at = planned.destination(k, urls);
                sent[at] += 1;
                match first_at.get(&planned.session) {
                    Some(&first) if urls > 1 => assert_ne!(at, first, "k {k} with {urls}"),
                    Some(_) => assert_eq!(at, 0),
                    None => {
                        first_at.insert(planned.session, at);
                    }
                }
            }
            let fair = 3000 / urls as u64;
            assert!(
                sent.iter().all(|&n| n.abs_diff(fair) < fair / 5),
                "{sent:?}"
            );
        }
    }

    #[test]
    fn session_ids_differ_between_sessions_and_runs() {
        let (a, b) = (Schedule::new(1, 0.0), Schedule::new(2, 0.0));
        assert_ne!(a.session_id(0), a.session_id(1));
        assert_ne!(a.session_id(0), b.session_id(0));
        assert_eq!(a.session_id(5).len(), 36);
    }
}
