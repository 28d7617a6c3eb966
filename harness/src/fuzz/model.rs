//! What the fuzzer sends: a [`Sequence`] of [`Step`]s, each one delivery, copies sent
//! together, a pause, or a run of other sessions. Sessions are slots (0, 1, 2 …), not ids:
//! every execution gives each slot a fresh id, so a sequence can be replayed against the
//! same receiver without its first run's deduplication getting in the way.
//!
//! This is also the case file's format (see [`super::case_file`]), so every type here is
//! serialized with stable, documented names.

use serde::{Deserialize, Serialize};

use super::signing::Signing;
use crate::generate::AuthMutation;

/// The text that stands for a slot's session id in a stored body; replaced by the id at
/// send time.
pub const SESSION_MARK: &str = "@SESSION@";

/// What the contract says about one delivery, and so which invariants grade it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Expect {
    /// A valid delivery (SPEC §3 ¶1, ¶4): it MUST be answered 2xx within the timeout.
    Valid,
    /// A valid delivery of a shape a receiver SHOULD accept (unknown fields, 256 KiB, other
    /// RFC 3339 forms, a charset parameter): refusing it is a SHOULD break.
    ShouldAccept,
    /// Unprocessable input (SPEC [D-12]): answered, no side effect, 4xx rather than 5xx.
    Unprocessable,
    /// Off-contract input (SPEC [D-12]): answered, 2xx or 4xx, 4xx rather than 5xx.
    OffContract,
    /// A valid body with a wrong credential (SPEC §3 ¶6): refused, no side effect.
    BadAuth,
    /// A valid delivery a conforming receiver may still refuse (4xx): a body over
    /// 256 KiB (SPEC [D-11]: 2xx or 413), or values of §1's types in forms the sender never
    /// writes (a fractional `platformId`, a `proofHash` that is not 64 hex digits, a NUL
    /// character, a field left out). A 2xx means it was processed; a 5xx is a SHOULD break,
    /// a crash or a hang a MUST one.
    MayRefuse,
    /// Under `standard-webhooks`: a delivery that fails verification, a forgery or a
    /// timestamp outside the tolerance (STANDARD-WEBHOOKS [SW-6], [SW-8]). Refused with a
    /// 4xx, no effect; a 2xx or a 5xx breaks [SW-6] ([SD-6]).
    Unverified,
}

impl Expect {
    /// Whether a 2xx to this delivery means its session was processed.
    pub fn is_valid(self) -> bool {
        matches!(
            self,
            Expect::Valid | Expect::ShouldAccept | Expect::MayRefuse
        )
    }

    /// Whether it is a valid body that fails authentication: a wrong credential, or under
    /// `standard-webhooks` a signature that does not verify.
    pub fn is_unauthenticated(self) -> bool {
        matches!(self, Expect::BadAuth | Expect::Unverified)
    }
}

crate::closed::closed_enum! {
    /// The HTTP method of a delivery; its name is the one on the wire.
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "UPPERCASE")]
    pub enum Method as "method" {
        /// Every delivery but one kind of bad input.
        Post => "POST",
        /// A GET instead of a POST (bad input).
        Get => "GET",
    }
}

/// Which auth header a delivery carries, or under `standard-webhooks` how it is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// The configured one (or none when none is configured); under `standard-webhooks`, one
    /// `v1` signature made with the run's secret.
    Configured,
    /// The configured one, changed so that it no longer matches.
    Mutated(AuthMutation),
    /// Under `standard-webhooks`: signed another way (see [`Signing`]).
    Signed(Signing),
}

impl Credential {
    /// How a Standard Webhooks delivery with this credential is signed: `None` for the plain
    /// signature (an auth mutation means nothing there).
    pub fn signing(self) -> Option<Signing> {
        match self {
            Credential::Signed(signing) => Some(signing),
            Credential::Configured | Credential::Mutated(_) => None,
        }
    }
}

impl Serialize for Credential {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Credential::Configured => s.serialize_str("configured"),
            Credential::Mutated(mutation) => s.serialize_str(mutation.as_str()),
            Credential::Signed(signing) => s.serialize_str(signing.as_str()),
        }
    }
}

impl<'de> Deserialize<'de> for Credential {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text == "configured" {
            return Ok(Credential::Configured);
        }
        let mutated = AuthMutation::ALL
            .iter()
            .find(|m| m.as_str() == text)
            .map(|m| Credential::Mutated(*m));
        let signed = || {
            Signing::ALL
                .into_iter()
                .find(|s| s.as_str() == text)
                .map(Credential::Signed)
        };
        mutated.or_else(signed).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown credential `{text}` (expected configured or one of {}, {})",
                AuthMutation::IDS.join(", "),
                Signing::IDS.join(", ")
            ))
        })
    }
}

/// The text that stands for a token fresh in every execution, written after the
/// `externalReferenceId` of valid deliveries: two sessions of one sequence can share a
/// reference, while a replay does not collide with the references of earlier runs.
pub const RUN_MARK: &str = "@RUN@";

/// A body as stored: text when it is UTF-8, hex digits otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Body {
    /// UTF-8 text.
    Text(String),
    /// Any bytes, as lowercase hex.
    Hex(String),
}

impl Body {
    /// The stored form of these bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Body {
        match String::from_utf8(bytes) {
            Ok(text) => Body::Text(text),
            Err(e) => Body::Hex(e.into_bytes().iter().map(|b| format!("{b:02x}")).collect()),
        }
    }

    /// The bytes as sent: [`SESSION_MARK`] replaced by `session_id`, [`RUN_MARK`] by `run`.
    pub fn sent(&self, session_id: &str, run: &str) -> Vec<u8> {
        replace(&self.bytes(session_id), RUN_MARK.as_bytes(), run.as_bytes())
    }

    /// The bytes, with [`SESSION_MARK`] replaced by `session_id` ([`RUN_MARK`] left as is). Hex that is not hex
    /// reads as no bytes (a hand-edited case file); the case file loader checks it first.
    pub fn bytes(&self, session_id: &str) -> Vec<u8> {
        let raw = match self {
            Body::Text(text) => text.as_bytes().to_vec(),
            Body::Hex(hex) => decode_hex(hex).unwrap_or_default(),
        };
        replace(&raw, SESSION_MARK.as_bytes(), session_id.as_bytes())
    }
}

/// Decodes lowercase or uppercase hex digits.
pub fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// `haystack` with every `from` replaced by `to`.
pub fn replace(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(at) = find(rest, from) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(to);
        rest = &rest[at + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// Where `needle` first occurs in `haystack`: candidates are found by their first byte,
/// so a body is scanned once rather than compared at every offset.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, tail) = needle.split_first()?;
    let mut start = 0;
    while let Some(offset) = haystack.get(start..)?.iter().position(|b| *b == first) {
        let at = start + offset;
        if haystack.get(at + 1..at + needle.len()) == Some(tail) {
            return Some(at);
        }
        start = at + 1;
    }
    None
}

/// One request of a sequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// The session slot whose id the body carries.
    pub session: u16,
    /// What it is, for people: `valid/completed/as-sent`, `bad/malformed-json` …
    pub label: String,
    /// How the contract grades it.
    pub expect: Expect,
    /// The method.
    pub method: Method,
    /// The content type, or none (the header is left out).
    pub content_type: Option<String>,
    /// The auth header it carries.
    pub credential: Credential,
    /// Whether the session's effect count shows whether this input was processed (its body
    /// names the session as a string).
    pub observed: bool,
    /// The body, with [`SESSION_MARK`] where the session id goes.
    pub body: Body,
    /// Where it goes with `--replica`: 0 the target, k the k-th replica (see
    /// [`super::route`]). Left out of a case file when 0; a case file without it sends
    /// every copy to the target.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub replica: u16,
}

/// Whether `n` is 0: a delivery to the target, whose `replica` a case file leaves out.
fn is_zero(n: &u16) -> bool {
    *n == 0
}

/// One step of a sequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Step {
    /// One delivery, waited for.
    Send(Delivery),
    /// Deliveries released at once, each on its own connection, then waited for.
    Together(Vec<Delivery>),
    /// A delivery written whole, whose sender hangs up without reading the answer, as one
    /// whose timeout ran out does (SPEC §3 ¶3).
    Abandon(Delivery),
    /// A pause, as before a retry.
    Pause {
        /// How long, in milliseconds.
        ms: u64,
    },
    /// Valid deliveries of this many other, fresh sessions, one after another: a copy that
    /// follows them is a retry arriving after much other traffic.
    Others {
        /// How many.
        count: u16,
    },
}

impl Step {
    /// The deliveries of the step that the sequence itself describes.
    pub fn deliveries(&self) -> &[Delivery] {
        match self {
            Step::Send(delivery) | Step::Abandon(delivery) => std::slice::from_ref(delivery),
            Step::Together(deliveries) => deliveries,
            Step::Pause { .. } | Step::Others { .. } => &[],
        }
    }

    /// The deliveries of the step, to change.
    pub fn deliveries_mut(&mut self) -> &mut [Delivery] {
        match self {
            Step::Send(delivery) | Step::Abandon(delivery) => std::slice::from_mut(delivery),
            Step::Together(deliveries) => deliveries,
            Step::Pause { .. } | Step::Others { .. } => &mut [],
        }
    }

    /// How many requests it sends.
    pub fn cases(&self) -> usize {
        match self {
            Step::Others { count } => usize::from(*count),
            Step::Send(_) | Step::Together(_) | Step::Abandon(_) | Step::Pause { .. } => {
                self.deliveries().len()
            }
        }
    }
}

/// A sequence of deliveries whose invariants are checked together.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Sequence {
    /// The steps, in order.
    pub steps: Vec<Step>,
}

impl Sequence {
    /// How many requests it sends.
    pub fn cases(&self) -> usize {
        self.steps.iter().map(Step::cases).sum()
    }

    /// Every delivery, with the index of its step.
    pub fn deliveries(&self) -> impl Iterator<Item = (usize, &Delivery)> {
        self.steps
            .iter()
            .enumerate()
            .flat_map(|(i, step)| step.deliveries().iter().map(move |d| (i, d)))
    }

    /// The number of session slots it uses.
    pub fn slots(&self) -> u16 {
        self.deliveries()
            .map(|(_, d)| d.session + 1)
            .max()
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_and_find_handle_overlaps_ends_and_absence() {
        assert_eq!(replace(b"a@S@b@S@", b"@S@", b"xy"), b"axybxy");
        assert_eq!(replace(b"@@S@", b"@S@", b"-"), b"@-");
        assert_eq!(replace(b"abc", b"@S@", b"-"), b"abc");
        assert_eq!(find(b"ab", b"abc"), None);
        assert_eq!(find(b"xxabc", b"abc"), Some(2));
    }

    #[test]
    fn bodies_that_are_not_utf8_are_stored_as_hex_and_read_back() {
        let bytes = b"{\"sessionId\":\"@SESSION@\",\"x\":\"\xff\"}".to_vec();
        let body = Body::from_bytes(bytes);
        assert!(matches!(body, Body::Hex(_)));
        assert_eq!(body.bytes("s-1"), b"{\"sessionId\":\"s-1\",\"x\":\"\xff\"}");
    }

    #[test]
    fn credentials_read_back_by_their_ids() {
        for credential in [
            Credential::Configured,
            Credential::Mutated(AuthMutation::OtherCase),
            Credential::Signed(Signing::StaleTimestamp),
            Credential::Signed(Signing::Forged(
                crate::standard_webhooks::Forgery::MissingSignature,
            )),
        ] {
            let text = serde_json::to_string(&credential).unwrap();
            assert_eq!(
                serde_json::from_str::<Credential>(&text).unwrap(),
                credential
            );
        }
        assert!(serde_json::from_str::<Credential>("\"nope\"").is_err());
    }
}
