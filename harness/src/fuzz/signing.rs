//! How a delivery is signed under `--profile standard-webhooks`: plainly with the run's
//! secret, or in one of the [`Signing`]s here. A delivery is signed when it is sent, with a
//! fresh timestamp, so every copy of a message is a retry: the same id and body, a new
//! signature ([SW-2]). A repro script signs it again when it is run.

use crate::standard_webhooks::{
    Forgery, Key, OUTSIDE_TOLERANCE_SECS, Recipe, Secret, UNKNOWN_ENTRIES,
};

/// A way of signing a Standard Webhooks delivery other than the plain one: valid forms a
/// receiver must accept ([SW-10], [SD-4]), forgeries ([SW-6]) and timestamps outside the
/// tolerance ([SW-8]) it must refuse. Serialized as its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Signing {
    /// Valid: another key's `v1` signature first, then the run's, as while a key is
    /// rotated ([SW-4], [SW-10]).
    RotatedKeys,
    /// Valid: the run's `v1` signature followed by `v1a` and `v2` entries ([SD-4]).
    UnknownVersions,
    /// Refused: signed 10 minutes ago ([SW-8]).
    StaleTimestamp,
    /// Refused: signed 10 minutes ahead ([SW-8]).
    FutureTimestamp,
    /// Refused: a forgery ([SW-6]).
    Forged(Forgery),
}

crate::closed::closed_list! {
    Signing as "signing" {
        Signing::RotatedKeys => "rotated-keys",
        Signing::UnknownVersions => "unknown-versions",
        Signing::StaleTimestamp => "stale-timestamp",
        Signing::FutureTimestamp => "future-timestamp",
        Signing::Forged(Forgery::WrongSecret) => "wrong-secret",
        Signing::Forged(Forgery::TamperedBody) => "tampered-body",
        Signing::Forged(Forgery::TamperedId) => "tampered-id",
        Signing::Forged(Forgery::TamperedTimestamp) => "tampered-timestamp",
        Signing::Forged(Forgery::MissingId) => "missing-id",
        Signing::Forged(Forgery::MissingTimestamp) => "missing-timestamp",
        Signing::Forged(Forgery::MissingSignature) => "missing-signature",
        Signing::Forged(Forgery::UnknownVersionsOnly) => "unknown-versions-only",
        Signing::Forged(Forgery::TimestampAsDate) => "timestamp-as-date",
        Signing::Forged(Forgery::TimestampOverflowing) => "timestamp-overflowing",
        Signing::Forged(Forgery::SignatureNotBase64) => "signature-not-base64",
        Signing::Forged(Forgery::SignatureEmpty) => "signature-empty",
    }
}

impl Signing {
    /// The valid forms: a receiver must accept them.
    pub const VALID: [Signing; 2] = [Signing::RotatedKeys, Signing::UnknownVersions];

    /// Whether a receiver must refuse a delivery signed this way.
    pub fn refused(self) -> bool {
        !Signing::VALID.contains(&self)
    }

    /// Whether the effects counted under the message's id show whether it was processed:
    /// not for a tampered id, whose effect would be counted under the id it claims.
    pub fn observed(self) -> bool {
        self != Signing::Forged(Forgery::TamperedId)
    }

    /// What a delivery signed this way is, for people: `signed/rotated-keys`,
    /// `forged/wrong-secret`, `replay/stale-timestamp`.
    pub fn label(self) -> String {
        let family = match self {
            Signing::RotatedKeys | Signing::UnknownVersions => "signed",
            Signing::StaleTimestamp | Signing::FutureTimestamp => "replay",
            Signing::Forged(_) => "forged",
        };
        format!("{family}/{}", self.as_str())
    }
}

/// The recipe of an attempt of message `id` carrying `body`, signed as `signing` says (the
/// plain genuine attempt when `None`). A rotated-out key is a throwaway of hookcheck's own.
pub fn recipe(signing: Option<Signing>, id: &str, body: Vec<u8>) -> Recipe {
    let genuine = |skew| Recipe::genuine(id, skew, body.clone());
    match signing {
        None => genuine(0),
        Some(Signing::RotatedKeys) => genuine(0).with_keys(
            vec![Key::Throwaway(Secret::generate()), Key::Run],
            Vec::new(),
        ),
        Some(Signing::UnknownVersions) => {
            genuine(0).with_keys(vec![Key::Run], UNKNOWN_ENTRIES.map(str::to_owned).to_vec())
        }
        Some(Signing::StaleTimestamp) => genuine(-OUTSIDE_TOLERANCE_SECS),
        Some(Signing::FutureTimestamp) => genuine(OUTSIDE_TOLERANCE_SECS),
        Some(Signing::Forged(forgery)) => Recipe::forged(forgery, id, body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard_webhooks::{DEFAULT_TOLERANCE, Verifier, unix_now};

    #[test]
    fn valid_forms_verify_and_refused_ones_do_not() {
        let secret = Secret::generate();
        let verifier = Verifier::new(secret.clone(), DEFAULT_TOLERANCE);
        let now = unix_now();
        let body = br#"{"type":"a.b","timestamp":"t","data":{}}"#.to_vec();
        let signings = std::iter::once(None).chain(Signing::ALL.into_iter().map(Some));
        for signing in signings {
            let attempt = recipe(signing, "msg_abc", body.clone()).attempt(&secret, now);
            let mut headers = axum::http::HeaderMap::new();
            for (name, value) in &attempt.headers {
                headers.insert(name.as_str(), value.parse().unwrap());
            }
            let verified = verifier.verify(&headers, &attempt.body, now).is_ok();
            assert_eq!(
                verified,
                !signing.is_some_and(Signing::refused),
                "{signing:?}"
            );
        }
        assert_eq!(Signing::ALL.len(), 4 + Forgery::ALL.len());
        assert_eq!(
            "tampered-id".parse(),
            Ok(Signing::Forged(Forgery::TamperedId))
        );
    }
}
