//! Every input the harness can send, in one place: valid payloads across the space SPEC §1
//! allows, and typed departures from it.
//!
//! Each kind of input is an enum whose variants carry their id segment (the last part of a
//! check id, `BadInput::MissingSessionId.id() == "session-id-missing"`) and build their own
//! bytes. The catalogue takes its variant lists from these enums ([`BadInput::IDS`] …), the
//! check families take their inputs from them, and the fuzzers draw from the same enums, so a
//! new kind of input is one new variant, never a string matched somewhere with a catch-all.
//!
//! - [`StatusShape`]: how the status family shapes a valid delivery (as sent, nullables null,
//!   data present), for every [`Status`](crate::spec::Status).
//! - [`PayloadShape`]: the payload family's valid variants (unicode, unknown fields, 256 KiB,
//!   every RFC 3339 form, a charset parameter).
//! - [`SharedValue`]: pairs of distinct sessions that share a field value.
//! - [`BadInput`]: unprocessable and off-contract requests (SPEC [D-12]).
//! - [`AuthMutation`]: every way an auth header can differ from the configured one.
//! - [`DuplicateScenario`]: how copies of one session arrive.
//! - [`ValidPayload`]: any valid event SPEC §1 allows, drawn from arbitrary bytes; and
//!   [`InvalidPayload`], one with a typed [`Mutation`] and its [D-12] grade. Fuzz targets
//!   (`fuzz/`) and property tests draw from these, through [`arbitrary::Unstructured`].

#[macro_use]
mod ids;
mod auth;
mod bad_input;
mod corpus;
mod duplicate;
mod json;
mod mutation;
mod shapes;
#[cfg(test)]
mod strategy;
mod timestamp;
mod valid;

pub use auth::{AuthMutation, MutatedHeader, NameCase};
pub use bad_input::{BadInput, BadRequest, InputGrade, NESTING_DEPTH, OVERSIZED_BODY_BYTES};
pub use corpus::{CorpusCase, CorpusEntry, CorpusError, corpus, write_corpus};
pub use duplicate::DuplicateScenario;
pub use json::{Escaping, Flavour, JsonText, JsonValue, MAX_VALID_DEPTH, Spacing};
pub use mutation::{
    BadUtf8, InvalidPayload, JsonKind, MAX_BOMB_DEPTH, Mutation, MutationKind, OVERSIZE_FLOOR,
};
pub use shapes::{
    LARGE_BODY_BYTES, PayloadShape, STATUS_IDS, SharedValue, StatusShape, TimestampForm,
    UnknownFields, status_id,
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
