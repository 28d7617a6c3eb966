//! How an attempt is made ([`Recipe`]): which message, signed when, with which keys, then
//! broken how. The grader sends the [`Attempt`] a recipe makes, and its repro script makes
//! the same attempt again at the time it is run, since a signature is only good for the
//! tolerance window ([SW-8]).

use super::{Forgery, Header, Secret, Signed, sign};

/// A key a recipe signs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// The run's secret (`--secret`; `$HOOKCHECK_SECRET` in a repro).
    Run,
    /// A throwaway secret of the grader's own: another key, as a forger or an old key has.
    Throwaway(Secret),
}

/// An attempt of a message, as made: the grader builds it now and a repro builds it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipe {
    /// The id signed, and sent unless the recipe tampers with it.
    pub id: String,
    /// Seconds from now to the signed timestamp (negative: in the past).
    pub skew: i64,
    /// The body signed, and sent unless the recipe tampers with it.
    pub body: Vec<u8>,
    /// The keys that sign it, in order: one `v1` entry each.
    pub keys: Vec<Key>,
    /// Entries written after the signatures as they are (`v1a,…`).
    pub extra: Vec<String>,
    /// What is broken after signing, if anything.
    pub tamper: Option<Tamper>,
}

crate::closed::closed_enum! {
    /// What a recipe breaks after signing.
    pub enum Tamper as "tamper" {
        /// One byte of the body.
        Body => "body",
        /// `webhook-id` gets a character more.
        Id => "id",
        /// `webhook-timestamp` one second later.
        Timestamp => "timestamp",
        /// No `webhook-id` header.
        NoId => "no-id",
        /// No `webhook-timestamp` header.
        NoTimestamp => "no-timestamp",
        /// No `webhook-signature` header.
        NoSignature => "no-signature",
        /// `webhook-timestamp` as a date.
        TimestampAsDate => "timestamp-as-date",
        /// `webhook-timestamp` past any 64-bit integer.
        TimestampOverflowing => "timestamp-overflowing",
        /// A `v1` entry that is not base64.
        SignatureNotBase64 => "signature-not-base64",
        /// An empty `webhook-signature`.
        SignatureEmpty => "signature-empty",
    }
}

/// One attempt as it goes on the wire: its Standard Webhooks headers and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The headers, in order.
    pub headers: Vec<(Header, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// Entries of versions a receiver does not verify: an asymmetric `v1a` and a future `v2`.
pub const UNKNOWN_ENTRIES: [&str; 2] = [
    "v1a,hnO5ev1a3lFERmItVh5+HQy9VAM7uRpBn+Bnmkc2n2tTzg0BZgqZpoeBSQGi/5H9d8RLb9Qk7BVlTqa0iOkJDA==",
    "v2,MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=",
];

impl Recipe {
    /// A genuine attempt of message `id` at now + `skew` seconds, signed with the run's key.
    pub fn genuine(id: &str, skew: i64, body: Vec<u8>) -> Recipe {
        Recipe {
            id: id.to_owned(),
            skew,
            body,
            keys: vec![Key::Run],
            extra: Vec::new(),
            tamper: None,
        }
    }

    /// An attempt of message `id`, now, broken by `forgery`.
    pub fn forged(forgery: Forgery, id: &str, body: Vec<u8>) -> Recipe {
        let genuine = Recipe::genuine(id, 0, body);
        let tampered = |tamper| Recipe {
            tamper: Some(tamper),
            ..genuine.clone()
        };
        match forgery {
            Forgery::WrongSecret => Recipe {
                keys: vec![Key::Throwaway(Secret::generate())],
                ..genuine
            },
            Forgery::UnknownVersionsOnly => Recipe {
                keys: Vec::new(),
                extra: UNKNOWN_ENTRIES.map(str::to_owned).to_vec(),
                ..genuine
            },
            Forgery::TamperedBody => tampered(Tamper::Body),
            Forgery::TamperedId => tampered(Tamper::Id),
            Forgery::TamperedTimestamp => tampered(Tamper::Timestamp),
            Forgery::MissingId => tampered(Tamper::NoId),
            Forgery::MissingTimestamp => tampered(Tamper::NoTimestamp),
            Forgery::MissingSignature => tampered(Tamper::NoSignature),
            Forgery::TimestampAsDate => tampered(Tamper::TimestampAsDate),
            Forgery::TimestampOverflowing => tampered(Tamper::TimestampOverflowing),
            Forgery::SignatureNotBase64 => tampered(Tamper::SignatureNotBase64),
            Forgery::SignatureEmpty => tampered(Tamper::SignatureEmpty),
        }
    }

    /// The same recipe signed with `keys` first and then the run's key (a key being
    /// rotated), followed by `extra` entries.
    pub fn with_keys(mut self, keys: Vec<Key>, extra: Vec<String>) -> Recipe {
        self.keys = keys;
        self.extra = extra;
        self
    }

    /// The id the attempt claims to be: the one its effects would be counted under.
    pub fn claimed_id(&self) -> String {
        match self.tamper {
            Some(Tamper::Id) => format!("{}x", self.id),
            _ => self.id.clone(),
        }
    }

    /// The attempt made at `now` (Unix seconds) with the run's `secret`.
    pub fn attempt(&self, secret: &Secret, now: i64) -> Attempt {
        let timestamp = now + self.skew;
        let signed = Signed {
            id: &self.id,
            timestamp,
            body: &self.body,
        };
        let mut entries: Vec<String> = self
            .keys
            .iter()
            .map(|key| match key {
                Key::Run => sign(secret, &signed),
                Key::Throwaway(other) => sign(other, &signed),
            })
            .collect();
        entries.extend(self.extra.iter().cloned());
        let mut headers = vec![
            (Header::Id, self.claimed_id()),
            (
                Header::Timestamp,
                (timestamp + self.timestamp_shift()).to_string(),
            ),
            (Header::Signature, entries.join(" ")),
        ];
        if let Some(left_out) = self.left_out() {
            headers.retain(|(name, _)| *name != left_out);
        }
        if let Some((malformed, value)) = self.malformed() {
            for (name, sent) in &mut headers {
                if *name == malformed {
                    *sent = value.to_owned();
                }
            }
        }
        Attempt {
            headers,
            body: self.sent_body(),
        }
    }

    /// Seconds added to the signed timestamp in the header.
    pub fn timestamp_shift(&self) -> i64 {
        i64::from(self.tamper == Some(Tamper::Timestamp))
    }

    /// The header the attempt leaves out, if any.
    pub fn left_out(&self) -> Option<Header> {
        match self.tamper? {
            Tamper::NoId => Some(Header::Id),
            Tamper::NoTimestamp => Some(Header::Timestamp),
            Tamper::NoSignature => Some(Header::Signature),
            Tamper::Body
            | Tamper::Id
            | Tamper::Timestamp
            | Tamper::TimestampAsDate
            | Tamper::TimestampOverflowing
            | Tamper::SignatureNotBase64
            | Tamper::SignatureEmpty => None,
        }
    }

    /// The header the attempt sends with a value no parser reads as the scheme means it, in
    /// place of the signed one, and that value ([SD-11]).
    pub fn malformed(&self) -> Option<(Header, &'static str)> {
        match self.tamper? {
            Tamper::TimestampAsDate => Some((Header::Timestamp, "2026-01-01T00:00:00Z")),
            Tamper::TimestampOverflowing => Some((Header::Timestamp, "99999999999999999999")),
            Tamper::SignatureNotBase64 => Some((Header::Signature, "v1,!!not-base64!!")),
            Tamper::SignatureEmpty => Some((Header::Signature, "")),
            Tamper::Body
            | Tamper::Id
            | Tamper::Timestamp
            | Tamper::NoId
            | Tamper::NoTimestamp
            | Tamper::NoSignature => None,
        }
    }

    /// The body as sent: the signed one, or with one byte changed.
    pub fn sent_body(&self) -> Vec<u8> {
        match self.tamper {
            Some(Tamper::Body) => tampered(&self.body),
            _ => self.body.clone(),
        }
    }
}

impl Key {
    /// The key as a repro writes it: `None` for the run's (read from `$HOOKCHECK_SECRET`), a
    /// throwaway key as hex (it is the grader's own, not a secret of the user's).
    pub fn throwaway_hex(&self) -> Option<String> {
        match self {
            Key::Run => None,
            Key::Throwaway(secret) => {
                Some(secret.key().iter().map(|b| format!("{b:02x}")).collect())
            }
        }
    }
}

/// The body with one byte changed: the last letter or digit.
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
        let genuine = Recipe::genuine("msg_1", 0, body.clone()).attempt(&secret, now);
        assert!(
            verifier
                .verify(&header_map(&genuine), &genuine.body, now)
                .is_ok()
        );
        let rotated = Recipe::genuine("msg_1", 0, body.clone())
            .with_keys(
                vec![Key::Throwaway(Secret::generate()), Key::Run],
                UNKNOWN_ENTRIES.map(str::to_owned).to_vec(),
            )
            .attempt(&secret, now);
        assert!(
            verifier
                .verify(&header_map(&rotated), &rotated.body, now)
                .is_ok()
        );
        for forgery in Forgery::ALL {
            let forged = Recipe::forged(forgery, "msg_1", body.clone()).attempt(&secret, now);
            let headers = header_map(&forged);
            let verified = verifier.verify(&headers, &forged.body, now);
            assert!(verified.is_err(), "{forgery} verified");
        }
    }

    #[test]
    fn a_stale_recipe_is_refused_and_a_tampered_id_is_the_one_claimed() {
        let secret = Secret::generate();
        let verifier = Verifier::new(secret.clone(), DEFAULT_TOLERANCE);
        let now = unix_now();
        let stale = Recipe::genuine("msg_2", -600, b"{}".to_vec()).attempt(&secret, now);
        assert!(
            verifier
                .verify(&header_map(&stale), &stale.body, now)
                .is_err()
        );
        let forged = Recipe::forged(Forgery::TamperedId, "msg_2", b"{}".to_vec());
        assert_eq!(forged.claimed_id(), "msg_2x");
    }
}
