//! The optional custom auth header of SPEC §2: one header, name and value chosen by the
//! partner, e.g. `X-API-Key: your-secret`.
//!
//! The value is a secret: it never appears in `Debug`, `Display`, a report, a log or a
//! repro line. Code that must put it on the wire asks for it by name with
//! [`AuthHeader::expose_value`].

use std::fmt;
use std::str::FromStr;

use axum::http::{HeaderName, HeaderValue};
use subtle::ConstantTimeEq;

/// What a malformed `--auth` argument got wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthParseError {
    /// There is no `:` between name and value.
    #[error("expected `Name: value`, found no `:`")]
    MissingColon,
    /// The name is empty or not a valid HTTP header name.
    #[error("`{0}` is not a valid HTTP header name")]
    InvalidName(String),
    /// The value is empty after trimming.
    #[error("the header value is empty")]
    EmptyValue,
    /// The value holds characters an HTTP header value cannot.
    #[error("the header value holds characters HTTP does not allow")]
    InvalidValue,
}

/// A configured auth header. Its value is redacted everywhere it is printed.
#[derive(Clone)]
pub struct AuthHeader {
    name: HeaderName,
    value: HeaderValue,
}

impl AuthHeader {
    /// A header from a name and a value.
    pub fn new(name: &str, value: &str) -> Result<Self, AuthParseError> {
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| AuthParseError::InvalidName(name.trim().to_owned()))?;
        let value = value.trim();
        if value.is_empty() {
            return Err(AuthParseError::EmptyValue);
        }
        let mut value = HeaderValue::from_str(value).map_err(|_| AuthParseError::InvalidValue)?;
        value.set_sensitive(true);
        Ok(AuthHeader { name, value })
    }

    /// The header name, lowercased as HTTP/2 and the `http` crate keep it.
    pub fn name(&self) -> &HeaderName {
        &self.name
    }

    /// The secret value, for the one place that puts it on the wire.
    pub fn expose_value(&self) -> &HeaderValue {
        &self.value
    }

    /// Whether `candidate` is exactly the configured value, compared in constant time
    /// (SPEC §3).
    pub fn matches(&self, candidate: &[u8]) -> bool {
        self.value.as_bytes().ct_eq(candidate).into()
    }

    /// The shell variable a repro line uses in place of the value.
    pub const REPRO_VARIABLE: &'static str = "HOOKCHECK_AUTH";
}

impl FromStr for AuthHeader {
    type Err = AuthParseError;

    /// Reads `Name: value`, as `curl -H` does.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, value) = s.split_once(':').ok_or(AuthParseError::MissingColon)?;
        AuthHeader::new(name, value)
    }
}

impl fmt::Debug for AuthHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuthHeader({}: <redacted>)", self.name)
    }
}

impl fmt::Display for AuthHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: <redacted>", self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_name_and_value_like_curl() {
        let auth: AuthHeader = "X-API-Key: s3cret".parse().unwrap();
        assert_eq!(auth.name().as_str(), "x-api-key");
        assert!(auth.matches(b"s3cret"));
        assert!(!auth.matches(b"s3cre"));
        assert!(!auth.matches(b"S3CRET"));
    }

    #[test]
    fn value_never_appears_when_printed() {
        let auth: AuthHeader = "X-API-Key: s3cret".parse().unwrap();
        assert!(!format!("{auth:?} {auth}").contains("s3cret"));
    }

    #[test]
    fn malformed_arguments_are_named() {
        assert_eq!(
            "nocolon".parse::<AuthHeader>().unwrap_err(),
            AuthParseError::MissingColon
        );
        assert_eq!(
            "X-Key:   ".parse::<AuthHeader>().unwrap_err(),
            AuthParseError::EmptyValue
        );
        assert!(matches!(
            "Bad Name: v".parse::<AuthHeader>().unwrap_err(),
            AuthParseError::InvalidName(_)
        ));
    }
}
