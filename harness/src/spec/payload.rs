//! The event type and its status enum.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

crate::closed::closed_enum! {
    /// A terminal status of a verification session (SPEC §1, [doc]), its name the wire
    /// spelling, e.g. `PARTIAL_COMPLETE`; it reads back in any case, so that `completed`
    /// works on a command line (the contract's parser insists on the exact spelling).
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum Status as "status" {
        /// Verification finished with verified data.
        Completed => "COMPLETED",
        /// Verification finished with part of the data.
        PartialComplete => "PARTIAL_COMPLETE",
        /// Verification failed.
        Error => "ERROR",
        /// The user cancelled the session.
        Cancelled => "CANCELLED",
        /// The session was terminated.
        Terminated => "TERMINATED",
    }
}

impl Status {
    /// Whether the session ended with verified data; SPEC [D-2] sends `extractedData`
    /// and `proofHash` only for these.
    pub fn is_success(self) -> bool {
        matches!(self, Status::Completed | Status::PartialComplete)
    }
}

/// The top-level fields of SPEC §1, in the contract's order; any other is an unknown field,
/// kept but free to ignore (SPEC [D-4]).
pub const FIELDS: [&str; 8] = [
    "sessionId",
    "status",
    "platformId",
    "externalReferenceId",
    "extractedData",
    "proofHash",
    "completedAt",
    "metadata",
];

/// One webhook event, as Cr3dentials POSTs it (SPEC §1).
///
/// Unknown top-level fields are kept in [`Payload::extra`] so that a payload survives a
/// parse and serialize round trip (SPEC [D-4]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Payload {
    /// The session; the idempotency key.
    pub session_id: String,
    /// One of the five terminal statuses.
    pub status: Status,
    /// The platform verified against.
    pub platform_id: Number,
    /// The partner's own reference, null when none was given.
    pub external_reference_id: Option<String>,
    /// Verified account data; free-form keys.
    pub extracted_data: Option<Map<String, Value>>,
    /// Opaque reference to the attestation; null for non-success statuses (SPEC [D-2]).
    pub proof_hash: Option<String>,
    /// Completion time; serialized as RFC 3339 UTC with milliseconds (SPEC [D-3]).
    #[serde(serialize_with = "serialize_timestamp")]
    pub completed_at: OffsetDateTime,
    /// Non-sensitive session metadata; free-form keys.
    pub metadata: Map<String, Value>,
    /// Top-level fields the contract does not name, kept as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Payload {
    /// The JSON body the reference sender puts on the wire.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a Payload always serializes")
    }

    /// The payload as a JSON value, for callers that edit fields before sending.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).expect("a Payload always serializes")
    }
}

/// Formats a time the way the model sender does: RFC 3339, UTC, milliseconds, `Z`
/// (`2025-03-24T12:05:00.000Z`).
///
/// RFC 3339 years have four digits, so an instant whose UTC year is not in 0000..=9999
/// (`0000-01-01T00:00:00+00:01`, `9999-12-31T23:59:59-00:01`, both valid RFC 3339) is
/// written in its own offset instead, with milliseconds: it reads back as the same instant.
pub fn format_timestamp(at: OffsetDateTime) -> String {
    let utc = at
        .checked_to_offset(time::UtcOffset::UTC)
        .filter(|utc| (0..=9999).contains(&utc.year()));
    let written = match utc {
        Some(utc) => utc.format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        )),
        None => at.format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]\
             [offset_hour sign:mandatory]:[offset_minute]"
        )),
    };
    written.unwrap_or_else(|_| at.format(&Rfc3339).unwrap_or_default())
}

fn serialize_timestamp<S: serde::Serializer>(at: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_timestamp(*at))
}
