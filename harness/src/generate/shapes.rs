//! Valid payloads across the space SPEC §1 allows: the shapes the status and payload
//! families send, and pairs of distinct sessions that share field values.

use serde_json::{Value, json};

use super::to_bytes;
use crate::spec::{Payload, PayloadBuilder, Status};

/// SPEC [D-11]: receivers should accept payloads up to at least 256 KiB; the large payload
/// is exactly this size, so a receiver whose limit is 256 KiB accepts it.
pub const LARGE_BODY_BYTES: usize = 256 * 1024;

/// The id segment of a terminal status (`PARTIAL_COMPLETE` is `partial-complete`).
pub const fn status_id(status: Status) -> &'static str {
    match status {
        Status::Completed => "completed",
        Status::PartialComplete => "partial-complete",
        Status::Error => "error",
        Status::Cancelled => "cancelled",
        Status::Terminated => "terminated",
    }
}

/// The id segments of the five statuses, in the documentation's order.
pub const STATUS_IDS: &[&str] = &[
    status_id(Status::ALL[0]),
    status_id(Status::ALL[1]),
    status_id(Status::ALL[2]),
    status_id(Status::ALL[3]),
    status_id(Status::ALL[4]),
];

id_enum! {
    /// How the status family shapes a valid delivery of a status (SPEC §1 [D-2]); each shape
    /// is one requirement, checked for every status.
    pub enum StatusShape {
        /// Exactly what the reference sender sends for the status.
        AsSent => "valid-delivery-2xx",
        /// Every documented nullable field null: `externalReferenceId` and `extractedData`
        /// always, `proofHash` only for the non-success statuses, the only ones it is null for.
        NullableNull => "nullable-fields-null",
        /// `extractedData` and `proofHash` present, whatever the status.
        WithData => "data-for-every-status",
    }
}

impl StatusShape {
    /// The body of this shape, from the payload the sender would send.
    pub fn body(self, payload: &Payload) -> Vec<u8> {
        let mut value = payload.to_value();
        match self {
            StatusShape::AsSent => {}
            StatusShape::NullableNull => {
                value["externalReferenceId"] = Value::Null;
                value["extractedData"] = Value::Null;
                if !payload.status.is_success() {
                    value["proofHash"] = Value::Null;
                }
            }
            StatusShape::WithData => {
                value["extractedData"] =
                    json!({"accountHolder": "Ada Lovelace", "accountType": "checking"});
                value["proofHash"] =
                    json!("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
            }
        }
        to_bytes(&value)
    }
}

id_enum! {
    /// Where unknown fields go (SPEC [D-4]).
    pub enum UnknownFields {
        /// New top-level fields.
        TopLevel => "top-level",
        /// New keys inside `extractedData` and `metadata`.
        Nested => "nested",
    }
}

id_enum! {
    /// RFC 3339 forms of `completedAt` other than the sender's own (SPEC [D-3]).
    pub enum TimestampForm {
        /// Whole seconds.
        NoFraction => "no-fraction",
        /// Six fraction digits.
        Microseconds => "microseconds",
        /// A positive UTC offset.
        PositiveOffset => "positive-offset",
        /// A negative UTC offset.
        NegativeOffset => "negative-offset",
    }
}

impl TimestampForm {
    /// The timestamp, one instant written four ways.
    pub const fn text(self) -> &'static str {
        match self {
            TimestampForm::NoFraction => "2025-03-24T12:05:00Z",
            TimestampForm::Microseconds => "2025-03-24T12:05:00.123456Z",
            TimestampForm::PositiveOffset => "2025-03-24T17:35:00.000+05:30",
            TimestampForm::NegativeOffset => "2025-03-24T04:05:00-08:00",
        }
    }
}

id_enum! {
    /// A valid delivery of the payload family. Each is also checked for exactly one effect
    /// (`payload/processed-once/{id}`).
    pub enum PayloadShape {
        /// Non-ASCII text (astral planes, joiners, escapes) in every string field.
        Unicode => "unicode",
        /// Unknown top-level fields.
        UnknownTopLevel => "unknown-top-level",
        /// Unknown keys inside `extractedData` and `metadata`.
        UnknownNested => "unknown-nested",
        /// Exactly [`LARGE_BODY_BYTES`].
        LargeBody => "large-body",
        /// `completedAt` in whole seconds.
        TimestampNoFraction => "timestamp-no-fraction",
        /// `completedAt` with microseconds.
        TimestampMicroseconds => "timestamp-microseconds",
        /// `completedAt` with a positive offset.
        TimestampPositiveOffset => "timestamp-positive-offset",
        /// `completedAt` with a negative offset.
        TimestampNegativeOffset => "timestamp-negative-offset",
        /// `Content-Type: application/json; charset=utf-8`.
        CharsetParameter => "charset-parameter",
    }
}

impl PayloadShape {
    /// The id of the check that grades whether this shape is accepted.
    pub fn acceptance_check(self) -> String {
        match self {
            PayloadShape::Unicode => "payload/unicode".into(),
            PayloadShape::UnknownTopLevel => unknown_check(UnknownFields::TopLevel),
            PayloadShape::UnknownNested => unknown_check(UnknownFields::Nested),
            PayloadShape::LargeBody => "payload/large-body".into(),
            PayloadShape::CharsetParameter => "payload/charset-parameter".into(),
            PayloadShape::TimestampNoFraction
            | PayloadShape::TimestampMicroseconds
            | PayloadShape::TimestampPositiveOffset
            | PayloadShape::TimestampNegativeOffset => format!(
                "payload/timestamp-forms/{}",
                self.timestamp().map_or("", TimestampForm::id)
            ),
        }
    }

    /// The timestamp form a timestamp shape sends.
    pub const fn timestamp(self) -> Option<TimestampForm> {
        match self {
            PayloadShape::TimestampNoFraction => Some(TimestampForm::NoFraction),
            PayloadShape::TimestampMicroseconds => Some(TimestampForm::Microseconds),
            PayloadShape::TimestampPositiveOffset => Some(TimestampForm::PositiveOffset),
            PayloadShape::TimestampNegativeOffset => Some(TimestampForm::NegativeOffset),
            PayloadShape::Unicode
            | PayloadShape::UnknownTopLevel
            | PayloadShape::UnknownNested
            | PayloadShape::LargeBody
            | PayloadShape::CharsetParameter => None,
        }
    }

    /// The content type the shape is sent with.
    pub const fn content_type(self) -> &'static str {
        if matches!(self, PayloadShape::CharsetParameter) {
            "application/json; charset=utf-8"
        } else {
            "application/json"
        }
    }

    /// The body of this shape, from a valid payload.
    pub fn body(self, payload: &Payload) -> Vec<u8> {
        let mut value = payload.to_value();
        match self {
            PayloadShape::Unicode => unicode(&mut value),
            PayloadShape::UnknownTopLevel => unknown_top_level(&mut value),
            PayloadShape::UnknownNested => unknown_nested(&mut value),
            PayloadShape::LargeBody => return large_body(value),
            PayloadShape::CharsetParameter => {}
            PayloadShape::TimestampNoFraction
            | PayloadShape::TimestampMicroseconds
            | PayloadShape::TimestampPositiveOffset
            | PayloadShape::TimestampNegativeOffset => {
                let form = self.timestamp().map_or("", TimestampForm::text);
                value["completedAt"] = json!(form);
            }
        }
        to_bytes(&value)
    }
}

fn unknown_check(where_: UnknownFields) -> String {
    format!("payload/unknown-fields/{}", where_.id())
}

fn unicode(value: &mut Value) {
    value["externalReferenceId"] = json!("заказ-№42-注文-🚀");
    value["extractedData"] = json!({
        "accountHolder": "Zoë Ærøskøbing-山田 太郎 مرحبا",
        "accountType": "épargne",
        "bankName": "Bančna družba \u{200d}👩‍💻",
        "note": "line\nbreak\ttab \"quoted\" \\ back\u{0007}slash",
    });
    value["metadata"] =
        json!({"source": "hookcheck", "städte": ["Zürich", "Kraków", "東京"], "emoji": "✅🔐"});
}

fn unknown_top_level(value: &mut Value) {
    value["webhookVersion"] = json!(2);
    value["riskAssessment"] = json!({"score": 0.12, "signals": ["new-device"]});
    value["deliveredAt"] = json!("2025-03-24T12:05:01.000Z");
}

fn unknown_nested(value: &mut Value) {
    if !value["extractedData"].is_object() {
        value["extractedData"] = json!({});
    }
    value["extractedData"]["accountOpenedAt"] = json!("2019-07-01");
    value["extractedData"]["owners"] = json!([{"name": "Ada", "share": 0.5}]);
    value["metadata"]["sdkVersion"] = json!("4.2.0");
    value["metadata"]["flags"] = json!({"beta": true});
}

/// A valid payload of exactly [`LARGE_BODY_BYTES`], made large the way a real one is: many
/// transactions in `extractedData`, then a metadata note that fills the last bytes.
fn large_body(mut value: Value) -> Vec<u8> {
    if !value["extractedData"].is_object() {
        value["extractedData"] = json!({});
    }
    let transaction = |i: usize| {
        json!({
            "id": format!("txn-{i:06}"),
            "amount": format!("{}.{:02}", i % 5000, i % 100),
            "currency": "USD",
            "description": "Card payment at a merchant with a fairly long descriptive name",
        })
    };
    let room = LARGE_BODY_BYTES - 1024;
    let mut transactions = Vec::new();
    let mut size = to_bytes(&value).len();
    while size < room {
        let t = transaction(transactions.len());
        size += to_bytes(&t).len() + 1;
        transactions.push(t);
    }
    value["extractedData"]["transactions"] = Value::Array(transactions);
    value["metadata"]["note"] = json!("");
    let short = LARGE_BODY_BYTES.saturating_sub(to_bytes(&value).len());
    value["metadata"]["note"] = json!("x".repeat(short));
    to_bytes(&value)
}

id_enum! {
    /// Two distinct sessions that share a field value: a receiver keyed on anything but
    /// `sessionId` processes only one of them (SPEC §3 ¶3).
    pub enum SharedValue {
        /// Both have `externalReferenceId: null`.
        NullExternalReference => "null-external-reference",
        /// Both carry the same `externalReferenceId`.
        SameExternalReference => "same-external-reference",
        /// Both carry the same `proofHash`.
        SameProofHash => "same-proof-hash",
    }
}

impl SharedValue {
    /// Two payloads of distinct sessions, built from `first` and `second`, sharing the value.
    pub fn pair(self, first: PayloadBuilder, second: PayloadBuilder) -> (Payload, Payload) {
        let (mut a, mut b) = match self {
            SharedValue::NullExternalReference => (
                first.external_reference_id(None).build(),
                second.external_reference_id(None).build(),
            ),
            SharedValue::SameExternalReference => {
                let shared = Some("order-shared-4711".to_owned());
                (
                    first.external_reference_id(shared.clone()).build(),
                    second.external_reference_id(shared).build(),
                )
            }
            SharedValue::SameProofHash => (first.build(), second.build()),
        };
        if self == SharedValue::SameProofHash {
            b.proof_hash = a.proof_hash.clone();
        }
        // Distinct sessions, whatever the builders' seeds.
        if a.session_id == b.session_id {
            b.session_id = uuid::Uuid::new_v4().to_string();
        }
        a.status = Status::Completed;
        b.status = Status::Completed;
        (a, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Limits, parse_with};

    fn base(status: Status) -> Payload {
        PayloadBuilder::new(status).seed(1).build()
    }

    #[test]
    fn every_shape_of_every_status_is_a_valid_payload() {
        let limits = Limits {
            max_body_bytes: 1024 * 1024,
            ..Limits::default()
        };
        for status in Status::ALL {
            for shape in StatusShape::ALL {
                let body = shape.body(&base(status));
                parse_with(&body, limits).unwrap_or_else(|e| panic!("{shape} {status}: {e}"));
            }
            for shape in PayloadShape::ALL {
                let body = shape.body(&base(status));
                parse_with(&body, limits).unwrap_or_else(|e| panic!("{shape} {status}: {e}"));
            }
        }
    }

    #[test]
    fn nullable_shape_nulls_proof_hash_only_where_the_sender_does() {
        let completed: Value =
            serde_json::from_slice(&StatusShape::NullableNull.body(&base(Status::Completed)))
                .unwrap();
        assert!(completed["proofHash"].is_string());
        assert!(completed["extractedData"].is_null());
        let error: Value =
            serde_json::from_slice(&StatusShape::NullableNull.body(&base(Status::Error))).unwrap();
        assert!(error["proofHash"].is_null());
    }

    #[test]
    fn the_large_payload_is_exactly_256_kib() {
        for status in Status::ALL {
            assert_eq!(
                PayloadShape::LargeBody.body(&base(status)).len(),
                LARGE_BODY_BYTES
            );
        }
    }

    #[test]
    fn shared_value_pairs_are_distinct_sessions_sharing_the_value() {
        for shared in SharedValue::ALL {
            let (a, b) = shared.pair(
                PayloadBuilder::new(Status::Completed).seed(1),
                PayloadBuilder::new(Status::Completed).seed(2),
            );
            assert_ne!(a.session_id, b.session_id, "{shared}");
            match shared {
                SharedValue::NullExternalReference => {
                    assert!(a.external_reference_id.is_none() && b.external_reference_id.is_none());
                }
                SharedValue::SameExternalReference => {
                    assert_eq!(a.external_reference_id, b.external_reference_id);
                }
                SharedValue::SameProofHash => assert_eq!(a.proof_hash, b.proof_hash),
            }
        }
    }
}
