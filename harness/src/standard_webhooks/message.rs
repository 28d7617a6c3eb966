//! One Standard Webhooks message and the headers of one attempt of it ([SW-1], [SW-2]): what
//! the signing sender sends and the grader's probes start from.

use rand::Rng;
use rand::distr::Alphanumeric;
use serde_json::{Value, json};

use axum::http::{HeaderMap, HeaderName, HeaderValue};

use super::{Header, Secret, Signed, Signer, signature_header};

/// One message: the same id on every attempt; the body never changes between attempts.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// `webhook-id`: `msg_` and letters and digits ([SD-2]).
    pub id: String,
    /// The event type, full-stop delimited (`invoice.paid`).
    pub event_type: String,
    /// When the event happened, RFC 3339.
    pub occurred: String,
    /// The event's data.
    pub data: Value,
}

impl Message {
    /// A message of `event_type` with a fresh random id, happening now.
    pub fn new(event_type: &str, data: Value) -> Message {
        Message {
            id: new_id(&mut rand::rng()),
            event_type: event_type.to_owned(),
            occurred: crate::spec::format_timestamp(time::OffsetDateTime::now_utc()),
            data,
        }
    }

    /// The body as sent: compact JSON `{"type", "timestamp", "data"}`.
    pub fn body(&self) -> Vec<u8> {
        let body = json!({
            "type": self.event_type,
            "timestamp": self.occurred,
            "data": self.data,
        });
        serde_json::to_vec(&body).expect("a JSON value always serialises")
    }
}

/// The body a sender may well produce: spaces and line breaks, keys out of order, escaped
/// characters. Parsing and re-serialising it changes every one of them ([SW-7]).
pub const UNUSUAL_BODY: &str = "{\n  \"type\": \"hookcheck.probe\",\n  \"timestamp\": \"2026-01-01T00:00:00Z\",\n  \"data\": {\"zeta\": 1, \"alpha\": \"caf\\u00e9 \\/ \\\"q\\\"\", \"amount\": 1.50}\n}\n";

/// A fresh message id: `msg_` and 24 letters and digits.
pub fn new_id(rng: &mut impl Rng) -> String {
    let tail: String = rng
        .sample_iter(Alphanumeric)
        .take(24)
        .map(char::from)
        .collect();
    format!("msg_{tail}")
}

/// The three headers of one attempt of message `id` at `timestamp` (Unix seconds) carrying
/// `body`, signed with every one of `secrets`.
pub fn signed_headers(
    secrets: &[Secret],
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> [(Header, String); 3] {
    let signed = Signed {
        id,
        timestamp,
        body,
    };
    [
        (Header::Id, id.to_owned()),
        (Header::Timestamp, timestamp.to_string()),
        (Header::Signature, signature_header(secrets, &signed)),
    ]
}

/// Puts the three headers of one attempt of message `id` at `timestamp` carrying `body`,
/// signed by `signer`, into `headers`, each marked sensitive. An id that is not a header
/// value is left out (whoever made it checks ids), and the receiver refuses the attempt.
pub fn insert_signed(
    headers: &mut HeaderMap,
    signer: &Signer,
    id: &str,
    timestamp: i64,
    body: &[u8],
) {
    let signed = Signed {
        id,
        timestamp,
        body,
    };
    let values = [
        (Header::Id, HeaderValue::from_str(id)),
        (
            Header::Timestamp,
            HeaderValue::from_str(&timestamp.to_string()),
        ),
        (
            Header::Signature,
            HeaderValue::from_str(&signer.sign(&signed)),
        ),
    ];
    for (name, value) in values {
        if let Ok(mut value) = value {
            value.set_sensitive(true);
            headers.insert(HeaderName::from_static(name.as_str()), value);
        }
    }
}

/// The current time in whole Unix seconds, as `webhook-timestamp` carries it.
pub fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard_webhooks::{DEFAULT_TOLERANCE, Verifier};

    #[test]
    fn a_signed_attempt_verifies_and_ids_hold_no_full_stop() {
        let secret = Secret::generate();
        let message = Message::new("invoice.paid", json!({"amount": 3}));
        assert!(message.id.starts_with("msg_") && !message.id.contains('.'));
        let body = message.body();
        let now = unix_now();
        let mut headers = axum::http::HeaderMap::new();
        for (name, value) in signed_headers(std::slice::from_ref(&secret), &message.id, now, &body)
        {
            headers.insert(name.as_str(), value.parse().unwrap());
        }
        let verified = Verifier::new(secret, DEFAULT_TOLERANCE)
            .verify(&headers, &body, now)
            .unwrap();
        assert_eq!(verified.id, message.id);
    }
}
