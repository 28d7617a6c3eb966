//! Where the fuzzer's payloads come from: one small seam, [`PayloadSource`], so that a
//! richer generator can replace the built-in one without touching sequences, execution
//! or grading.
//!
//! The built-in [`EnumSource`] draws from the typed inputs of [`crate::generate`]:
//! [`StatusShape`] and [`PayloadShape`] for valid deliveries of every status, [`BadInput`]
//! for unprocessable and off-contract ones, [`AuthMutation`] for bad credentials. It draws
//! from shuffled bags, so every variant comes up once in each round of its enum: a small
//! budget still sends every kind of input.

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::model::{Body, Credential, Delivery, Expect, Method, RUN_MARK, SESSION_MARK};
use crate::generate::{AuthMutation, BadInput, InputGrade, PayloadShape, StatusShape};
use crate::spec::{PayloadBuilder, Status};

/// A drawn request for one session, before it is placed in a sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drawn {
    /// What it is, for people.
    pub label: String,
    /// How the contract grades it.
    pub expect: Expect,
    /// The method.
    pub method: Method,
    /// The content type, if any.
    pub content_type: Option<String>,
    /// Whether its effect count is observable per session.
    pub observed: bool,
    /// The body, carrying the session id it was drawn for.
    pub body: Vec<u8>,
}

impl Drawn {
    /// The delivery of slot `session`, its id replaced by [`SESSION_MARK`], and
    /// [`RUN_MARK`] after the `externalReferenceId` of a valid body (unless the source
    /// wrote it there already).
    pub fn into_delivery(self, session: u16, session_id: &str, credential: Credential) -> Delivery {
        let marked = self
            .body
            .windows(RUN_MARK.len())
            .any(|w| w == RUN_MARK.as_bytes());
        let body = match self.expect.is_valid() && !marked {
            true => mark_reference(self.body),
            false => self.body,
        };
        let body = super::model::replace(&body, session_id.as_bytes(), SESSION_MARK.as_bytes());
        Delivery {
            session,
            label: self.label,
            expect: self.expect,
            method: self.method,
            content_type: self.content_type,
            credential,
            observed: self.observed,
            body: Body::from_bytes(body),
            replica: 0,
        }
    }
}

/// The body with [`RUN_MARK`] appended to a string `externalReferenceId`; a body of the
/// 256 KiB shape keeps its exact size.
fn mark_reference(body: Vec<u8>) -> Vec<u8> {
    if body.len() >= crate::generate::LARGE_BODY_BYTES {
        return body;
    }
    let Ok(serde_json::Value::Object(mut object)) = serde_json::from_slice(&body) else {
        return body;
    };
    let Some(serde_json::Value::String(reference)) = object.get_mut("externalReferenceId") else {
        return body;
    };
    reference.push('-');
    reference.push_str(RUN_MARK);
    serde_json::to_vec(&object).unwrap_or(body)
}

/// A source of payloads for the fuzzer. Every body must carry `session_id` where the
/// session goes (as a JSON string, or as text inside a malformed body), so that the
/// executor can give each replay fresh ids.
pub trait PayloadSource: Send {
    /// A valid delivery of some status.
    fn valid(&mut self, rng: &mut StdRng, session_id: &str) -> Drawn;
    /// A valid delivery of this status, as the sender sends it (for another body of the
    /// same session).
    fn valid_of(&mut self, rng: &mut StdRng, session_id: &str, status: Status) -> Drawn;
    /// An unprocessable or off-contract request.
    fn invalid(&mut self, rng: &mut StdRng, session_id: &str) -> Drawn;
    /// A wrong credential for `secret`, or `None` when no mutation applies to it.
    fn credential(&mut self, rng: &mut StdRng, secret: &[u8]) -> Option<AuthMutation>;
}

/// A bag of variants drawn without replacement, refilled and reshuffled when empty.
#[derive(Debug, Clone)]
pub struct Bag<T: Copy> {
    all: Vec<T>,
    left: Vec<T>,
}

impl<T: Copy> Bag<T> {
    /// A bag of `all`.
    pub fn new(all: Vec<T>) -> Self {
        Bag {
            all,
            left: Vec::new(),
        }
    }

    /// The next variant: every one comes up once in each round, in a shuffled order.
    pub fn draw(&mut self, rng: &mut StdRng) -> T {
        if self.left.is_empty() {
            self.left = self.all.clone();
            self.left.shuffle(rng);
        }
        self.left.pop().expect("a bag holds at least one variant")
    }
}

/// A valid shape: one of the status family's or of the payload family's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValidShape {
    Status(StatusShape),
    Payload(PayloadShape),
}

impl ValidShape {
    /// Unicode is a MUST (any field combination the sender may produce); the other payload
    /// shapes are SHOULDs (SPEC §3 ¶8).
    fn expect(self) -> Expect {
        match self {
            ValidShape::Status(_) | ValidShape::Payload(PayloadShape::Unicode) => Expect::Valid,
            ValidShape::Payload(_) => Expect::ShouldAccept,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            ValidShape::Status(shape) => shape.as_str(),
            ValidShape::Payload(shape) => shape.as_str(),
        }
    }
}

/// The built-in source: the enums of [`crate::generate`], drawn from shuffled bags.
#[derive(Debug, Clone)]
pub struct EnumSource {
    statuses: Bag<Status>,
    shapes: Bag<ValidShape>,
    bad: Bag<BadInput>,
    auth: Bag<AuthMutation>,
}

impl Default for EnumSource {
    fn default() -> Self {
        let shapes = StatusShape::ALL
            .iter()
            .map(|s| ValidShape::Status(*s))
            .chain(PayloadShape::ALL.iter().map(|s| ValidShape::Payload(*s)))
            .collect();
        EnumSource {
            statuses: Bag::new(Status::ALL.to_vec()),
            shapes: Bag::new(shapes),
            // An 8 MiB body would dominate every figure; `hookcheck run` sends it once.
            bad: Bag::new(
                BadInput::ALL
                    .iter()
                    .copied()
                    .filter(|b| *b != BadInput::OversizedBody)
                    .collect(),
            ),
            auth: Bag::new(AuthMutation::ALL.to_vec()),
        }
    }
}

fn payload(rng: &mut StdRng, session_id: &str, status: Status) -> crate::spec::Payload {
    PayloadBuilder::new(status)
        .seed(rng.random())
        .session_id(session_id)
        .build()
}

impl PayloadSource for EnumSource {
    fn valid(&mut self, rng: &mut StdRng, session_id: &str) -> Drawn {
        let status = self.statuses.draw(rng);
        // The status family's plain shape half the time: most real traffic is plain.
        let shape = if rng.random_bool(0.5) {
            ValidShape::Status(StatusShape::AsSent)
        } else {
            self.shapes.draw(rng)
        };
        let payload = payload(rng, session_id, status);
        let (body, content_type) = match shape {
            ValidShape::Status(s) => (s.body(&payload), "application/json"),
            ValidShape::Payload(s) => (s.body(&payload), s.content_type()),
        };
        Drawn {
            label: format!(
                "valid/{}/{}",
                crate::generate::status_id(status),
                shape.as_str()
            ),
            expect: shape.expect(),
            method: Method::Post,
            content_type: Some(content_type.to_owned()),
            observed: true,
            body,
        }
    }

    fn valid_of(&mut self, rng: &mut StdRng, session_id: &str, status: Status) -> Drawn {
        let payload = payload(rng, session_id, status);
        Drawn {
            label: format!("valid/{}/as-sent", crate::generate::status_id(status)),
            expect: Expect::Valid,
            method: Method::Post,
            content_type: Some("application/json".into()),
            observed: true,
            body: StatusShape::AsSent.body(&payload),
        }
    }

    fn invalid(&mut self, rng: &mut StdRng, session_id: &str) -> Drawn {
        let input = self.bad.draw(rng);
        let status = self.statuses.draw(rng);
        let request = input.request(&payload(rng, session_id, status));
        Drawn {
            label: format!("bad/{}", input.as_str()),
            expect: match input.grade() {
                InputGrade::Unprocessable => Expect::Unprocessable,
                InputGrade::OffContract => Expect::OffContract,
            },
            method: if request.method == "GET" {
                Method::Get
            } else {
                Method::Post
            },
            content_type: request.content_type.map(str::to_owned),
            // A numeric sessionId names no string session the probe can count.
            observed: request.observed_session.as_deref() == Some(session_id),
            body: request.body,
        }
    }

    fn credential(&mut self, rng: &mut StdRng, secret: &[u8]) -> Option<AuthMutation> {
        (0..AuthMutation::ALL.len())
            .map(|_| self.auth.draw(rng))
            .find(|m| m.apply(secret).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn every_bad_input_but_the_oversized_one_comes_up_in_one_round() {
        let mut source = EnumSource::default();
        let mut rng = StdRng::seed_from_u64(1);
        let labels: std::collections::BTreeSet<String> = (0..BadInput::ALL.len() - 1)
            .map(|_| source.invalid(&mut rng, "s-1").label)
            .collect();
        assert_eq!(labels.len(), BadInput::ALL.len() - 1);
        assert!(!labels.contains("bad/oversized-body"));
    }

    #[test]
    fn drawn_bodies_carry_the_session_and_store_it_as_the_mark() {
        let mut source = EnumSource::default();
        let mut rng = StdRng::seed_from_u64(2);
        let id = "0d2a4c1e-0000-4000-8000-00000000abcd";
        let drawn = source.valid(&mut rng, id);
        let delivery = drawn.into_delivery(3, id, Credential::Configured);
        assert_eq!(delivery.session, 3);
        let bytes = delivery.body.bytes("other-id");
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("\"sessionId\":\"other-id\""), "{text}");
        assert!(!text.contains(id));
    }
}
