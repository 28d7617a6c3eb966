//! The default payload source: the whole valid space of SPEC §1
//! ([`ValidPayload`](crate::generate::ValidPayload)) and typed departures from it
//! ([`InvalidPayload`](crate::generate::InvalidPayload), graded as its mutation says),
//! mixed with the enumerated shapes of [`EnumSource`] so that every named kind of input
//! still comes up in a small budget.
//!
//! Each drawn valid payload is graded by what it holds:
//!
//! - MUST ([`Expect::Valid`]): every field present, in the forms the sender writes
//!   (an integer `platformId`, a 64-hex or null `proofHash`, `completedAt` as
//!   `2025-03-24T12:05:00.000Z`), with any free-form data, Unicode, escaping, field order
//!   and whitespace, up to [`ORDINARY_BYTES`];
//! - SHOULD ([`Expect::ShouldAccept`]): unknown top-level fields (SPEC [D-4]), another
//!   RFC 3339 form of `completedAt` ([D-3]), a body between [`ORDINARY_BYTES`] and 256 KiB
//!   ([D-11]);
//! - may be refused ([`Expect::MayRefuse`]): a body over 256 KiB ([D-11]: 2xx or 413), a
//!   field left out, a `platformId` or `proofHash` in a form the sender never writes, a
//!   NUL character (many stores refuse it).
//!
//! The session id of every body is the one the sequence gives (a UUID, so that it can be
//! replaced by [`SESSION_MARK`](super::model::SESSION_MARK) and made fresh in every run),
//! and `externalReferenceId`, when a string, ends with [`RUN_MARK`].
//!
//! Most bodies are of ordinary size (a few hundred bytes to a few KiB), so that the
//! fuzzer's throughput stays that of a webhook sender; one in fifty is drawn from enough
//! bytes to reach tens or hundreds of KiB. Drawing and writing a body costs far more than
//! sending it, so 30 % of space deliveries are drawn afresh and the others reuse one of the
//! last 64 drawn bodies, with their own session id.

use arbitrary::{Arbitrary, Unstructured};
use rand::rngs::StdRng;
use rand::{Rng, RngCore};

use super::model::{Expect, Method, RUN_MARK, SESSION_MARK, replace};
use super::source::{Drawn, EnumSource, PayloadSource};
use crate::generate::{
    AuthMutation, Field, InputGrade, InvalidPayload, JsonText, JsonValue, LARGE_BODY_BYTES,
    MutationKind, ValidPayload, status_id, write_members,
};
use crate::spec::Status;

/// The largest body graded MUST: a larger valid one is a SHOULD (SPEC [D-11]).
pub const ORDINARY_BYTES: usize = 64 * 1024;
/// The share of valid deliveries drawn from [`EnumSource`]'s named shapes.
const NAMED_VALID: f64 = 0.25;
/// The first valid deliveries of a run all come from the named shapes, so that a small
/// budget still sends every named shape (each comes up once in a round of its bag).
const NAMED_FIRST: usize = 48;
/// The share of invalid deliveries drawn from [`EnumSource`]'s named bad inputs (other
/// methods and content types, which no mutation of a body makes).
const NAMED_INVALID: f64 = 0.5;
/// Tries at drawing a payload before falling back to a named shape.
const TRIES: usize = 8;

/// How many drawn bodies of each kind are kept for reuse by other sessions.
const KEPT: usize = 64;
/// The share of space deliveries drawn afresh; the others reuse a kept body (with their
/// own session id), since drawing and writing a body costs far more than sending it.
const FRESH: f64 = 0.3;

/// A drawn body kept for reuse, with [`SESSION_MARK`] where its session id goes.
#[derive(Debug, Clone)]
struct Kept {
    drawn: Drawn,
}

impl Kept {
    fn new(drawn: &Drawn, session_id: &str) -> Kept {
        let mut drawn = drawn.clone();
        drawn.body = replace(&drawn.body, session_id.as_bytes(), SESSION_MARK.as_bytes());
        Kept { drawn }
    }

    fn for_session(&self, session_id: &str) -> Drawn {
        let mut drawn = self.drawn.clone();
        drawn.body = replace(&drawn.body, SESSION_MARK.as_bytes(), session_id.as_bytes());
        drawn
    }
}

/// Kept bodies: the most recent [`KEPT`], one replaced at random once full.
#[derive(Debug, Clone, Default)]
struct Pool {
    kept: Vec<Kept>,
}

impl Pool {
    /// A kept body for `session_id`, unless this delivery is to be drawn afresh.
    fn reuse(&self, rng: &mut StdRng, session_id: &str) -> Option<Drawn> {
        if self.kept.is_empty() || rng.random_bool(FRESH) {
            return None;
        }
        let at = rng.random_range(0..self.kept.len());
        Some(self.kept[at].for_session(session_id))
    }

    fn keep(&mut self, rng: &mut StdRng, drawn: &Drawn, session_id: &str) {
        let kept = Kept::new(drawn, session_id);
        if self.kept.len() < KEPT {
            self.kept.push(kept);
        } else {
            let at = rng.random_range(0..KEPT);
            self.kept[at] = kept;
        }
    }
}

/// The default source: the valid space and its mutations, with the named shapes mixed in.
#[derive(Debug, Clone, Default)]
pub struct SpaceSource {
    named: EnumSource,
    valid: Pool,
    invalid: Pool,
    /// How many valid deliveries were drawn so far.
    valid_drawn: usize,
}

/// Random bytes to draw one payload from: mostly a few dozen to a few hundred (bodies of a
/// few hundred bytes to a few KiB), rarely many.
fn entropy(rng: &mut StdRng) -> Vec<u8> {
    // A few KiB of input already write bodies of a hundred KiB or more (repeated values).
    let len = match rng.random_range(0..100) {
        0..=1 => rng.random_range(2048..=8192),
        2..=7 => rng.random_range(256..=1024),
        _ => rng.random_range(16..=192),
    };
    let mut bytes = vec![0u8; len];
    rng.fill_bytes(&mut bytes);
    bytes
}

fn text(value: &JsonValue) -> Option<String> {
    match value {
        JsonValue::Text(text) => Some(text.text()),
        _ => None,
    }
}

/// Whether `completedAt` is written as the sender writes it: `YYYY-MM-DDThh:mm:ss.mmmZ`.
/// A `completedAt` further ahead of now than the clock skew a receiver must allow.
fn too_far_ahead(value: &JsonValue) -> bool {
    let Some(text) = text(value) else {
        return false;
    };
    let format = time::format_description::well_known::Rfc3339;
    let Ok(at) = time::OffsetDateTime::parse(&text.to_ascii_uppercase(), &format) else {
        return false;
    };
    let bound = time::Duration::seconds(crate::generate::CLOCK_SKEW_BOUND_SECS);
    at > time::OffsetDateTime::now_utc() + bound
}

fn sender_timestamp(value: &JsonValue) -> bool {
    let Some(text) = text(value) else {
        return false;
    };
    let bytes = text.as_bytes();
    bytes.len() == 24
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            10 => *b == b'T',
            13 | 16 => *b == b':',
            19 => *b == b'.',
            23 => *b == b'Z',
            _ => b.is_ascii_digit(),
        })
}

fn integer(value: &JsonValue) -> bool {
    match value {
        JsonValue::Int(_) => true,
        JsonValue::Raw(raw) => {
            let digits = raw.strip_prefix(b"-").unwrap_or(raw);
            !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

fn sender_proof_hash(value: &JsonValue) -> bool {
    match value {
        JsonValue::Null => true,
        JsonValue::Text(_) => text(value).is_some_and(|t| {
            t.len() == 64 && t.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        }),
        _ => false,
    }
}

/// How the contract grades a drawn valid body, and why, in a word for its label.
pub fn grade_valid(members: &[(JsonText, JsonValue)], body: &[u8]) -> (Expect, &'static str) {
    let get = |field: Field| {
        members
            .iter()
            .find(|(k, _)| k.text() == field.wire_name())
            .map(|(_, v)| v)
    };
    let known = |name: &str| Field::ALL.iter().any(|f| f.wire_name() == name);
    if body.len() > LARGE_BODY_BYTES {
        return (Expect::MayRefuse, "over-256kib");
    }
    // D-14: an omitted optional field is null; any other field left out is off-contract.
    if Field::ALL
        .iter()
        .any(|f| get(*f).is_none() && !f.is_optional())
    {
        return (Expect::MayRefuse, "field-left-out");
    }
    // D-13: only a skew up to the bound must be taken; a time further ahead may be refused.
    if get(Field::CompletedAt).is_some_and(too_far_ahead) {
        return (Expect::MayRefuse, "completed-at-ahead");
    }
    if !get(Field::PlatformId).is_some_and(integer) {
        return (Expect::MayRefuse, "platform-id-form");
    }
    if !get(Field::ProofHash).is_some_and(sender_proof_hash) {
        return (Expect::MayRefuse, "proof-hash-form");
    }
    if body.windows(6).any(|w| w == b"\\u0000") {
        return (Expect::MayRefuse, "nul-character");
    }
    if members.iter().any(|(k, _)| !known(&k.text())) {
        return (Expect::ShouldAccept, "unknown-fields");
    }
    if !get(Field::CompletedAt).is_some_and(sender_timestamp) {
        return (Expect::ShouldAccept, "timestamp-form");
    }
    if body.len() > ORDINARY_BYTES {
        return (Expect::ShouldAccept, "large-body");
    }
    (Expect::Valid, "drawn")
}

/// The share of drawn valid payloads written as the sender writes the fields a receiver
/// may legitimately be strict about (`completedAt`, `platformId`, `proofHash`, no NUL
/// character, half the time no unknown field), so that the rest of the space (any data,
/// Unicode, escaping, nulls, order, whitespace) is graded at MUST level.
const AS_SENT: f64 = 0.6;

/// Every string (keys too) without NUL characters, its escaping kept.
fn strip_nul(value: &mut JsonValue) {
    let clean = |text: &mut JsonText| {
        if text.text().contains('\0') {
            *text = JsonText::plain(text.text().replace('\0', "")).escaped(text.escaping());
        }
    };
    match value {
        JsonValue::Text(text) => clean(text),
        JsonValue::Array(items) => items.iter_mut().for_each(strip_nul),
        JsonValue::Object(members) => {
            for (key, value) in members {
                clean(key);
                strip_nul(value);
            }
        }
        JsonValue::Repeat { item, .. } => strip_nul(item),
        JsonValue::Nest { inner, .. } => strip_nul(inner),
        JsonValue::Null
        | JsonValue::Bool(_)
        | JsonValue::Int(_)
        | JsonValue::Float(_)
        | JsonValue::Raw(_) => {}
    }
}

/// The current time as the sender writes `completedAt`.
fn sender_now() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.millisecond()
    )
}

/// Writes the fields a receiver may be strict about as the sender writes them.
fn as_sent(members: &mut Vec<(JsonText, JsonValue)>, rng: &mut StdRng) {
    let known = |key: &JsonText| Field::ALL.iter().any(|f| f.wire_name() == key.text());
    if rng.random_bool(0.5) {
        members.retain(|(key, _)| known(key));
    }
    for (key, value) in members.iter_mut() {
        strip_nul(value);
        let name = key.text();
        if name == Field::CompletedAt.wire_name() {
            *value = JsonValue::Text(JsonText::plain(sender_now()));
        } else if name == Field::PlatformId.wire_name() && !integer(value) {
            *value = JsonValue::Int(rng.random_range(1..=999));
        } else if name == Field::ProofHash.wire_name() && !sender_proof_hash(value) {
            let hex = format!("{:032x}{:032x}", rng.random::<u128>(), rng.random::<u128>());
            *value = JsonValue::Text(JsonText::plain(hex));
        }
    }
}

/// A drawn valid payload as a delivery of `session_id` (and of `status`, if given).
fn valid_delivery(
    payload: &ValidPayload,
    rng: &mut StdRng,
    session_id: &str,
    status: Option<Status>,
) -> Drawn {
    let mut members = payload.members();
    if rng.random_bool(AS_SENT) {
        as_sent(&mut members, rng);
    }
    for (key, value) in &mut members {
        let name = key.text();
        if name == Field::SessionId.wire_name() {
            *value = JsonValue::Text(JsonText::plain(session_id));
        } else if let (true, Some(status)) = (name == Field::Status.wire_name(), status) {
            *value = JsonValue::Text(JsonText::plain(status.as_str()));
        } else if name == Field::ExternalReferenceId.wire_name()
            && let Some(reference) = text(value)
        {
            *value = JsonValue::Text(JsonText::plain(format!("{reference}-{RUN_MARK}")));
        }
    }
    let (body, _) = write_members(&members, payload.spacing());
    let (expect, why) = grade_valid(&members, &body);
    let status = status.unwrap_or_else(|| payload.status());
    Drawn {
        label: format!("valid/{}/space-{why}", status_id(status)),
        expect,
        method: Method::Post,
        content_type: Some("application/json".into()),
        observed: true,
        body,
    }
}

/// The largest body an ordinary draw keeps: a small input can still write a long
/// repeated value, and most bodies must stay of ordinary size for throughput.
const ORDINARY_DRAW_BYTES: usize = 16 * 1024;

fn draw_valid(rng: &mut StdRng) -> Option<ValidPayload> {
    (0..TRIES).find_map(|_| {
        let bytes = entropy(rng);
        let payload = ValidPayload::arbitrary(&mut Unstructured::new(&bytes)).ok()?;
        let large = bytes.len() >= 2048;
        (large || payload.to_bytes().len() <= ORDINARY_DRAW_BYTES).then_some(payload)
    })
}

/// A mutation whose body names its session by a UUID (so that the session can be made
/// fresh); an oversize one (past 1 MiB) only once in sixteen.
fn draw_invalid(rng: &mut StdRng) -> Option<InvalidPayload> {
    (0..TRIES).find_map(|_| {
        let drawn = InvalidPayload::arbitrary(&mut Unstructured::new(&entropy(rng))).ok()?;
        let uuid = uuid::Uuid::parse_str(&drawn.base.session_id()).is_ok();
        let oversize = drawn.mutation.kind() == MutationKind::Oversize;
        (uuid && (!oversize || rng.random_ratio(1, 16))).then_some(drawn)
    })
}

impl PayloadSource for SpaceSource {
    fn valid(&mut self, rng: &mut StdRng, session_id: &str) -> Drawn {
        self.valid_drawn += 1;
        if self.valid_drawn <= NAMED_FIRST || rng.random_bool(NAMED_VALID) {
            return self.named.valid(rng, session_id);
        }
        if let Some(drawn) = self.valid.reuse(rng, session_id) {
            return drawn;
        }
        match draw_valid(rng) {
            Some(payload) => {
                let drawn = valid_delivery(&payload, rng, session_id, None);
                self.valid.keep(rng, &drawn, session_id);
                drawn
            }
            None => self.named.valid(rng, session_id),
        }
    }

    fn valid_of(&mut self, rng: &mut StdRng, session_id: &str, status: Status) -> Drawn {
        match draw_valid(rng) {
            Some(payload) if !rng.random_bool(NAMED_VALID) => {
                valid_delivery(&payload, rng, session_id, Some(status))
            }
            _ => self.named.valid_of(rng, session_id, status),
        }
    }

    fn invalid(&mut self, rng: &mut StdRng, session_id: &str) -> Drawn {
        if rng.random_bool(NAMED_INVALID) {
            return self.named.invalid(rng, session_id);
        }
        if let Some(drawn) = self.invalid.reuse(rng, session_id) {
            return drawn;
        }
        let Some(drawn) = draw_invalid(rng) else {
            return self.named.invalid(rng, session_id);
        };
        let drawn = mutated_delivery(&drawn, session_id);
        self.invalid.keep(rng, &drawn, session_id);
        drawn
    }

    fn credential(&mut self, rng: &mut StdRng, secret: &[u8]) -> Option<AuthMutation> {
        self.named.credential(rng, secret)
    }
}

/// A drawn mutation as a delivery of `session_id`.
fn mutated_delivery(drawn: &InvalidPayload, session_id: &str) -> Drawn {
    let base = drawn.base.session_id();
    Drawn {
        label: format!("bad/space-{}", drawn.mutation.kind().as_str()),
        expect: match drawn.grade() {
            InputGrade::Unprocessable => Expect::Unprocessable,
            InputGrade::OffContract => Expect::OffContract,
        },
        method: Method::Post,
        content_type: Some("application/json".into()),
        observed: drawn.observed_session().is_some(),
        body: replace(&drawn.to_bytes(), base.as_bytes(), session_id.as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn drawn_bodies_are_varied_carry_the_session_and_are_graded_by_what_they_hold() {
        let mut source = SpaceSource::default();
        let mut rng = StdRng::seed_from_u64(5);
        let id = "0d2a4c1e-0000-4000-8000-00000000abcd";
        let mut labels = std::collections::BTreeSet::new();
        let mut sizes = Vec::new();
        for _ in 0..400 {
            let drawn = source.valid(&mut rng, id);
            let value: serde_json::Value = serde_json::from_slice(&drawn.body)
                .unwrap_or_else(|e| panic!("{}: {e}", drawn.label));
            assert_eq!(value["sessionId"], id, "{}", drawn.label);
            if drawn.body.len() > LARGE_BODY_BYTES {
                assert_eq!(
                    drawn.expect,
                    Expect::MayRefuse,
                    "never 2xx expected past 256 KiB"
                );
            }
            sizes.push(drawn.body.len());
            labels.insert(drawn.label);
        }
        sizes.sort_unstable();
        assert!(labels.len() > 20, "{labels:?}");
        assert!(
            labels.iter().any(|l| l.ends_with("space-drawn")),
            "{labels:?}"
        );
        let median = sizes[sizes.len() / 2];
        eprintln!(
            "sizes: p25 {} p50 {median} p75 {} p90 {} p99 {}",
            sizes[sizes.len() / 4],
            sizes[sizes.len() * 3 / 4],
            sizes[sizes.len() * 9 / 10],
            sizes[sizes.len() * 99 / 100]
        );
        assert!(
            median < 8 * 1024,
            "most bodies are of ordinary size: median {median}"
        );
        let invalid: std::collections::BTreeSet<String> = (0..200)
            .map(|_| source.invalid(&mut rng, id).label)
            .collect();
        assert!(
            invalid.iter().any(|l| l.starts_with("bad/space-")),
            "{invalid:?}"
        );
    }

    #[test]
    fn the_sender_forms_are_recognised() {
        assert!(sender_timestamp(&JsonValue::Text(JsonText::plain(
            "2025-03-24T12:05:00.000Z"
        ))));
        assert!(!sender_timestamp(&JsonValue::Text(JsonText::plain(
            "2025-03-24T12:05:00Z"
        ))));
        assert!(integer(&JsonValue::Raw(b"-12".to_vec())));
        assert!(!integer(&JsonValue::Raw(b"12e3".to_vec())));
        assert!(sender_proof_hash(&JsonValue::Null));
        assert!(!sender_proof_hash(&JsonValue::Text(JsonText::plain("abc"))));
    }
}
