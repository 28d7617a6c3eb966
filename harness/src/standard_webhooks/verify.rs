//! The receiver's side of the scheme (STANDARD-WEBHOOKS.md [SW-6], [SW-8]..[SW-10]): the
//! three headers present, the timestamp within the tolerance in both directions, and one `v1`
//! signature equal, in constant time, to the one the secret gives. Entries of other versions and entries
//! that do not decode are ignored, so a sender can add a signature kind or rotate a key without
//! breaking a receiver.

use std::time::Duration;

use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::{GeneralPurpose, PAD_INDIFFERENT};
use subtle::ConstantTimeEq;

use super::{Header, Secret, Signed, V1, mac};

/// How far the attempt's timestamp may be from the receiver's clock, either way: five
/// minutes, as the official libraries use (STANDARD-WEBHOOKS.md [SD-3]).
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// How far from now a probe of the refusal puts its timestamp: outside any sensible
/// tolerance, 10 minutes either way (STANDARD-WEBHOOKS.md [SD-3]).
pub const OUTSIDE_TOLERANCE_SECS: i64 = 10 * 60;
/// How old a timestamp every receiver accepts is: inside the 60 s of [SD-3].
pub const WITHIN_TOLERANCE_SECS: i64 = 30;

const BASE64: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, PAD_INDIFFERENT);

/// Why a delivery is refused. Messages never quote a signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// A header is absent or empty.
    #[error("header `{0}` is missing")]
    Missing(Header),
    /// A header holds bytes that are not visible ASCII.
    #[error("header `{0}` is not visible ASCII")]
    Unreadable(Header),
    /// `webhook-timestamp` is not a whole number of seconds.
    #[error("`webhook-timestamp` is not whole Unix seconds")]
    BadTimestamp,
    /// The attempt is older than the tolerance: a replay, or a clock far behind.
    #[error("`webhook-timestamp` is {age} s old, past the tolerance of {tolerance} s")]
    TooOld { age: u64, tolerance: u64 },
    /// The attempt is newer than the tolerance: a clock far ahead.
    #[error("`webhook-timestamp` is {ahead} s ahead, past the tolerance of {tolerance} s")]
    TooNew { ahead: u64, tolerance: u64 },
    /// No `v1` signature matches the body, id and timestamp under the secret.
    #[error("no `v1` signature matches")]
    NoMatch,
}

/// A delivery whose signature holds: its id (the idempotency key) and its attempt time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified<'a> {
    /// `webhook-id`.
    pub id: &'a str,
    /// `webhook-timestamp`, Unix seconds.
    pub timestamp: i64,
}

/// Verifies deliveries signed with one secret.
#[derive(Debug, Clone)]
pub struct Verifier {
    secret: Secret,
    tolerance: Duration,
}

impl Verifier {
    /// A verifier for `secret` allowing `tolerance` of clock difference either way.
    pub fn new(secret: Secret, tolerance: Duration) -> Verifier {
        Verifier { secret, tolerance }
    }

    /// How far a timestamp may be from the clock, either way.
    pub fn tolerance(&self) -> Duration {
        self.tolerance
    }

    /// Checks one delivery at `now` (Unix seconds): headers, then timestamp, then signature.
    pub fn verify<'a>(
        &self,
        headers: &'a HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<Verified<'a>, VerifyError> {
        let id = header(headers, Header::Id)?;
        let timestamp_text = header(headers, Header::Timestamp)?;
        let signatures = header(headers, Header::Signature)?;
        let timestamp = unix_seconds(timestamp_text)?;
        self.check_window(timestamp, now)?;
        let expected = self.expected(&Signed {
            id,
            timestamp,
            body,
        });
        if signatures_in(signatures).any(|candidate| matches(&candidate, &expected)) {
            Ok(Verified { id, timestamp })
        } else {
            Err(VerifyError::NoMatch)
        }
    }

    /// Whether `timestamp` is within the tolerance of `now`, either way.
    pub(crate) fn check_window(&self, timestamp: i64, now: i64) -> Result<(), VerifyError> {
        let tolerance = self.tolerance.as_secs();
        let age = i128::from(now) - i128::from(timestamp);
        let distance = u64::try_from(age.unsigned_abs()).unwrap_or(u64::MAX);
        match distance > tolerance {
            false => Ok(()),
            true if age > 0 => Err(VerifyError::TooOld {
                age: distance,
                tolerance,
            }),
            true => Err(VerifyError::TooNew {
                ahead: distance,
                tolerance,
            }),
        }
    }
}

impl Verifier {
    /// The raw signature the secret gives for `signed`, for the reference receiver's
    /// deliberate defects, which compare it their own (wrong) way.
    pub(crate) fn expected(&self, signed: &Signed) -> [u8; 32] {
        mac(&self.secret, signed)
    }
}

/// Whether a decoded signature equals the expected one, in constant time.
pub(crate) fn matches(candidate: &[u8], expected: &[u8; 32]) -> bool {
    bool::from(candidate.ct_eq(expected))
}

/// The first value of `which`, present, non-empty and visible ASCII.
pub(crate) fn header(headers: &HeaderMap, which: Header) -> Result<&str, VerifyError> {
    let value = headers
        .get(which.as_str())
        .ok_or(VerifyError::Missing(which))?;
    let text = value.to_str().map_err(|_| VerifyError::Unreadable(which))?;
    match text.trim() {
        "" => Err(VerifyError::Missing(which)),
        text => Ok(text),
    }
}

/// Whole Unix seconds: ASCII digits only (STANDARD-WEBHOOKS.md [SD-3]).
pub(crate) fn unix_seconds(text: &str) -> Result<i64, VerifyError> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VerifyError::BadTimestamp);
    }
    text.parse().map_err(|_| VerifyError::BadTimestamp)
}

/// The decoded `v1` signatures of a `webhook-signature` value, skipping other versions and
/// entries that are not `version,base64`.
pub(crate) fn signatures_in(value: &str) -> impl Iterator<Item = Vec<u8>> + '_ {
    value.split(' ').filter_map(v1_signature)
}

/// The decoded signature of one entry when it is `v1,<base64>`.
pub(crate) fn v1_signature(entry: &str) -> Option<Vec<u8>> {
    let (version, encoded) = entry.split_once(',')?;
    (version == V1)
        .then(|| BASE64.decode(encoded).ok())
        .flatten()
}
