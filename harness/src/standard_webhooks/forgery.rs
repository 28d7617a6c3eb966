//! Deliveries a receiver must refuse ([SW-6]): what a forger, a tamperer or a broken proxy
//! sends. Each starts from a genuine attempt and breaks one thing.

use super::{Header, Secret, signed_headers};

crate::closed::closed_enum! {
    /// One way a delivery fails verification; its name is the check variant that sends it.
    pub enum Forgery as "forgery" {
        /// Signed with another secret.
        WrongSecret => "wrong-secret",
        /// The body changed after signing (one byte).
        TamperedBody => "tampered-body",
        /// `webhook-id` changed after signing.
        TamperedId => "tampered-id",
        /// `webhook-timestamp` changed after signing (one second later).
        TamperedTimestamp => "tampered-timestamp",
        /// No `webhook-id` header.
        MissingId => "missing-id",
        /// No `webhook-timestamp` header.
        MissingTimestamp => "missing-timestamp",
        /// No `webhook-signature` header.
        MissingSignature => "missing-signature",
        /// A `webhook-signature` holding only entries of versions the receiver does not
        /// verify (`v1a`, `v2`): nothing it can check matches.
        UnknownVersionsOnly => "unknown-versions-only",
    }
}

/// One attempt as it goes on the wire: its Standard Webhooks headers and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The headers, by wire name, in order.
    pub headers: Vec<(Header, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Attempt {
    /// A genuine attempt of message `id` at `timestamp`, signed with `secret`.
    pub fn genuine(secret: &Secret, id: &str, timestamp: i64, body: Vec<u8>) -> Attempt {
        Attempt::signed_with(std::slice::from_ref(secret), id, timestamp, body)
    }

    /// An attempt signed with every one of `secrets`, in order (a key being rotated).
    pub fn signed_with(secrets: &[Secret], id: &str, timestamp: i64, body: Vec<u8>) -> Attempt {
        let headers = signed_headers(secrets, id, timestamp, &body).to_vec();
        Attempt { headers, body }
    }

    /// Rewrites `webhook-signature` (when present) through `shape`.
    pub fn reshape_signature(&mut self, shape: impl Fn(&str) -> String) {
        if let Some(value) = self.header(Header::Signature) {
            let reshaped = shape(value);
            self.set(Header::Signature, reshaped);
        }
    }

    /// The value of one header, if the attempt has it.
    pub fn header(&self, name: Header) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, value)| value.as_str())
    }

    fn set(&mut self, name: Header, value: String) {
        self.drop_header(name);
        self.headers.push((name, value));
    }

    fn drop_header(&mut self, name: Header) {
        self.headers.retain(|(n, _)| *n != name);
    }
}

impl Forgery {
    /// The attempt of message `id` at `timestamp` carrying `body`, broken this way. The
    /// receiver's secret is `secret`; a forgery never carries a signature it makes.
    pub fn attempt(self, secret: &Secret, id: &str, timestamp: i64, body: Vec<u8>) -> Attempt {
        match self {
            Forgery::WrongSecret => Attempt::genuine(&Secret::generate(), id, timestamp, body),
            Forgery::TamperedBody => {
                let mut attempt = Attempt::genuine(secret, id, timestamp, body);
                attempt.body = tampered(&attempt.body);
                attempt
            }
            Forgery::TamperedId => {
                let mut attempt = Attempt::genuine(secret, id, timestamp, body);
                attempt.set(Header::Id, format!("{id}x"));
                attempt
            }
            Forgery::TamperedTimestamp => {
                let mut attempt = Attempt::genuine(secret, id, timestamp, body);
                attempt.set(Header::Timestamp, (timestamp + 1).to_string());
                attempt
            }
            Forgery::MissingId => missing(secret, id, timestamp, body, Header::Id),
            Forgery::MissingTimestamp => missing(secret, id, timestamp, body, Header::Timestamp),
            Forgery::MissingSignature => missing(secret, id, timestamp, body, Header::Signature),
            Forgery::UnknownVersionsOnly => {
                let mut attempt = Attempt::genuine(secret, id, timestamp, body);
                attempt.reshape_signature(|v1| {
                    let encoded = v1.split_once(',').map_or("", |(_, b64)| b64);
                    format!("v1a,{encoded} v2,{encoded}")
                });
                attempt
            }
        }
    }

    /// The message id whose effect count shows whether the forgery was processed: the one
    /// it claims to be.
    pub fn claimed_id(self, id: &str) -> String {
        match self {
            Forgery::TamperedId => format!("{id}x"),
            _ => id.to_owned(),
        }
    }
}

fn missing(secret: &Secret, id: &str, timestamp: i64, body: Vec<u8>, header: Header) -> Attempt {
    let mut attempt = Attempt::genuine(secret, id, timestamp, body);
    attempt.drop_header(header);
    attempt
}

/// The body with one byte changed: the first digit or letter of the last value.
fn tampered(body: &[u8]) -> Vec<u8> {
    let mut body = body.to_vec();
    if let Some(at) = body.iter().rposition(u8::is_ascii_alphanumeric) {
        body[at] = if body[at] == b'0' { b'1' } else { b'0' };
    } else {
        body.push(b' ');
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard_webhooks::{DEFAULT_TOLERANCE, Verifier, unix_now};

    fn header_map(attempt: &Attempt) -> axum::http::HeaderMap {
        let mut map = axum::http::HeaderMap::new();
        for (name, value) in &attempt.headers {
            map.insert(name.as_str(), value.parse().unwrap());
        }
        map
    }

    #[test]
    fn the_genuine_attempt_verifies_and_every_forgery_does_not() {
        let secret = Secret::generate();
        let verifier = Verifier::new(secret.clone(), DEFAULT_TOLERANCE);
        let now = unix_now();
        let body = br#"{"type":"a.b","data":{"n":7}}"#.to_vec();
        let genuine = Attempt::genuine(&secret, "msg_1", now, body.clone());
        assert!(
            verifier
                .verify(&header_map(&genuine), &genuine.body, now)
                .is_ok()
        );
        for forgery in Forgery::ALL {
            let forged = forgery.attempt(&secret, "msg_1", now, body.clone());
            assert!(
                verifier
                    .verify(&header_map(&forged), &forged.body, now)
                    .is_err(),
                "{forgery} verified"
            );
        }
    }
}
