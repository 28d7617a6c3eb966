//! Every input the harness can send, in one place: valid payloads across the space SPEC §1
//! allows, and typed departures from it.
//!
//! Each kind of input is an enum whose variants carry their id segment (the last part of a
//! check id, `BadInput::MissingSessionId.as_str() == "session-id-missing"`) and build their own
//! bytes. The catalogue takes its variant lists from these enums ([`BadInput::IDS`] …), the
//! check families take their inputs from them, and the fuzzers draw from the same enums, so a
//! new kind of input is one new variant, never a string matched somewhere with a catch-all.
//!
//! - [`Drawn`]: a valid delivery drawn from the space SPEC §1 allows, with typed
//!   features ([`Dimension`]) and a canonical form the walk goes back to; every valid
//!   delivery of `hookcheck run` is one.
//! - [`StatusShape`]: what the status family fixes of it (as sent, nullables null, data
//!   present), for every [`Status`](crate::spec::Status).
//! - [`PayloadShape`]: the payload family's subjects (unicode, unknown fields, 256 KiB,
//!   every RFC 3339 form, a charset parameter, every age of `completedAt`, omitted
//!   optional fields, free-form keys).
//! - [`Departure`] and [`CaseLabel`]: the words of SPEC [D-12] each bad input is, and the
//!   clause each corpus label follows.
//! - [`SharedValue`]: pairs of distinct sessions that share a field value.
//! - [`BadInput`]: unprocessable and off-contract requests (SPEC [D-12]).
//! - [`AuthMutation`]: every way an auth header can differ from the configured one.
//! - [`DuplicateScenario`]: how copies of one session arrive.
//! - [`ValidPayload`]: any valid event SPEC §1 allows, drawn from arbitrary bytes; and
//!   [`InvalidPayload`], one with a typed [`Mutation`] and its [D-12] grade. Fuzz targets
//!   (`fuzz/`) and property tests draw from these, through [`arbitrary::Unstructured`].
//! - [`SignedBody`]: a Standard Webhooks payload drawn the same way; the signed corpus
//!   ([`signed_corpus`]) signs fixed and drawn bodies, and every [`Forgery`] of them.
//!
//! [`Forgery`]: crate::standard_webhooks::Forgery

mod auth;
mod bad_input;
mod corpus;
mod drawn;
mod drawn_body;
mod duplicate;
mod json;
mod label;
mod mutation;
mod payload_shape;
mod shapes;
mod signed_body;
mod signed_corpus;
#[cfg(test)]
mod strategy;
mod timestamp;
mod valid;

pub use auth::{AuthMutation, MutatedHeader, NameCase};
pub use bad_input::{BadInput, BadRequest, NESTING_DEPTH, OVERSIZED_BODY_BYTES};
pub use corpus::{CorpusCase, CorpusEntry, CorpusError, corpus, write_corpus};
pub(crate) use drawn::fnv1a;
pub use drawn::{
    Age, CLOCK_SKEW_BOUND_SECS, Dimension, Drawn, Extra, Features, Keys, MAX_AHEAD_SECS, Order,
    Pin, Presence, TimeForm as DrawnTimeForm,
};
pub use duplicate::DuplicateScenario;
pub use json::{Escaping, Flavour, JsonText, JsonValue, MAX_VALID_DEPTH, Spacing};
pub use label::{CaseLabel, Departure, InputGrade, MUST_ACCEPT_BYTES};
pub use mutation::{
    BadUtf8, InvalidPayload, JsonKind, MAX_BOMB_DEPTH, Mutation, MutationKind, OVERSIZE_FLOOR,
};
pub use payload_shape::{FreeFormKeys, Omittable, PayloadShape, TimestampForm, UnknownFields};
pub use shapes::{
    LARGE_BODY_BYTES, PAYLOAD_SHAPE_IDS, STATUS_IDS, SharedValue, StatusShape, status_id,
};
pub use signed_body::SignedBody;
pub use signed_corpus::{
    BodyShape, Expect, SignedCorpusCase, SignedCorpusEntry, SignedHeaders, signed_corpus,
    write_signed_corpus,
};
pub use timestamp::{Offset, Timestamp};
pub use valid::{
    Field, MAX_VALID_BYTES, Nullables, PlatformId, ProofHash, SessionId, ValidPayload,
    write_members,
};

/// Serializes a JSON value; a `Value` always serializes.
fn to_bytes(value: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("a JSON value always serializes")
}
