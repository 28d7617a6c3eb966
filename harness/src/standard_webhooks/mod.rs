//! The Standard Webhooks signature scheme (`STANDARD-WEBHOOKS.md`): a delivery carries
//! `webhook-id`, `webhook-timestamp` and `webhook-signature`, the last a space-separated list
//! of `v1,<base64>` HMAC-SHA256 signatures over `id.timestamp.body`, made with a `whsec_`
//! secret.
//!
//! - [`Secret`] is the signing secret; like the auth header it never prints.
//! - [`sign`] and [`signature_header`] are the sender's side;
//! - [`Verifier`] is the receiver's side: headers present, timestamp within the tolerance,
//!   one `v1` signature matching in constant time, others (rotated keys, unknown versions)
//!   ignored.

mod forgery;
mod message;
mod recipe;
pub mod schedule;
mod secret;
mod verify;

pub use forgery::Forgery;
pub use message::{Message, UNUSUAL_BODY, insert_signed, new_id, signed_headers, unix_now};
pub use recipe::{Attempt, Key, Recipe, Tamper, UNKNOWN_ENTRIES};
pub use secret::{Secret, SecretError};
pub use verify::{
    DEFAULT_TOLERANCE, OUTSIDE_TOLERANCE_SECS, Verified, Verifier, VerifyError,
    WITHIN_TOLERANCE_SECS,
};
pub(crate) use verify::{header, matches, signatures_in, unix_seconds, v1_signature};

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

crate::closed::closed_enum! {
    /// The three headers a delivery carries, by their wire names.
    pub enum Header as "Standard Webhooks header" {
        /// The message id, the idempotency key: the same on every attempt.
        Id => "webhook-id",
        /// The attempt's time, integer Unix seconds: new on every attempt.
        Timestamp => "webhook-timestamp",
        /// The signatures, space-separated `version,base64` pairs.
        Signature => "webhook-signature",
    }
}

/// The version tag of an HMAC-SHA256 signature.
pub const V1: &str = "v1";

/// What one attempt signs: the message id, the attempt's Unix time and the body as sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signed<'a> {
    /// `webhook-id`.
    pub id: &'a str,
    /// `webhook-timestamp`, seconds since the Unix epoch.
    pub timestamp: i64,
    /// The body, byte for byte as it goes on the wire.
    pub body: &'a [u8],
}

/// The raw HMAC-SHA256 of `id.timestamp.body` under `secret`.
fn mac(secret: &Secret, signed: &Signed) -> [u8; 32] {
    Signer::new(secret).mac(signed)
}

/// One signature, `v1,<base64>`.
pub fn sign(secret: &Secret, signed: &Signed) -> String {
    Signer::new(secret).sign(signed)
}

/// A secret made ready to sign many attempts: the HMAC key is set up once, each signature
/// costs one HMAC over the attempt. `Debug` shows `Signer(***)`.
#[derive(Clone)]
pub struct Signer {
    keyed: Hmac<Sha256>,
}

impl Signer {
    /// A signer for `secret`.
    pub fn new(secret: &Secret) -> Signer {
        let keyed =
            Hmac::<Sha256>::new_from_slice(secret.key()).expect("HMAC takes a key of any length");
        Signer { keyed }
    }

    /// The raw HMAC-SHA256 of `id.timestamp.body`.
    fn mac(&self, signed: &Signed) -> [u8; 32] {
        let mut mac = self.keyed.clone();
        mac.update(signed.id.as_bytes());
        mac.update(b".");
        mac.update(signed.timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(signed.body);
        mac.finalize().into_bytes().into()
    }

    /// One signature, `v1,<base64>`.
    pub fn sign(&self, signed: &Signed) -> String {
        let encoded = base64::engine::general_purpose::STANDARD.encode(self.mac(signed));
        format!("{V1},{encoded}")
    }
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(***)")
    }
}

/// The `webhook-signature` value for a sender signing with every one of `secrets` (the
/// current one and those being rotated out), space-separated.
pub fn signature_header(secrets: &[Secret], signed: &Signed) -> String {
    let signatures: Vec<String> = secrets.iter().map(|secret| sign(secret, signed)).collect();
    signatures.join(" ")
}
