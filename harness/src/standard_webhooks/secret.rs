//! The signing secret: `whsec_` followed by the base64 of the key bytes (STANDARD-WEBHOOKS.md
//! [SW-5], [SD-1]). It never prints; the one place that needs its text asks for it by name.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::{GeneralPurpose, PAD_INDIFFERENT};
use rand::RngCore;

/// The prefix that marks a Standard Webhooks symmetric secret.
pub const PREFIX: &str = "whsec_";

/// Key bytes of a secret made by [`Secret::generate`]; the specification asks for 24 to 64.
pub const GENERATED_KEY_BYTES: usize = 32;

/// Base64 with or without padding: secrets are pasted both ways.
const BASE64: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, PAD_INDIFFERENT);

/// What a malformed secret got wrong. Messages never quote the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// Nothing after the prefix.
    #[error("the secret is empty")]
    Empty,
    /// The text after `whsec_` is not standard base64.
    #[error("the secret is not `whsec_` followed by base64")]
    NotBase64,
}

/// A symmetric signing secret. `Debug` shows `Secret(***)`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    key: Vec<u8>,
}

impl Secret {
    /// Reads `whsec_<base64>`; the prefix may be left out, as the official libraries allow.
    pub fn parse(text: &str) -> Result<Secret, SecretError> {
        let text = text.trim();
        let encoded = text.strip_prefix(PREFIX).unwrap_or(text);
        let key = BASE64.decode(encoded).map_err(|_| SecretError::NotBase64)?;
        Secret::from_key(key)
    }

    /// A secret from raw key bytes.
    pub fn from_key(key: Vec<u8>) -> Result<Secret, SecretError> {
        if key.is_empty() {
            return Err(SecretError::Empty);
        }
        Ok(Secret { key })
    }

    /// A fresh random secret of [`GENERATED_KEY_BYTES`].
    pub fn generate() -> Secret {
        let mut key = vec![0u8; GENERATED_KEY_BYTES];
        rand::rng().fill_bytes(&mut key);
        Secret { key }
    }

    /// The secret as `whsec_<base64>`, for the one place that hands it to another program.
    pub fn expose_text(&self) -> String {
        format!("{PREFIX}{}", BASE64.encode(&self.key))
    }

    pub(super) fn key(&self) -> &[u8] {
        &self.key
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::str::FromStr for Secret {
    type Err = SecretError;

    fn from_str(text: &str) -> Result<Secret, SecretError> {
        Secret::parse(text)
    }
}
