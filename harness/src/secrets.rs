//! Secret headers besides the auth header: extra headers an access proxy in front of the
//! target needs (`Authorization: Bearer …`, `CF-Access-Client-Secret`, a cookie).
//!
//! An extra header is secret when its name says so ([`SECRET_NAME_PARTS`]) or when it was
//! given as one (`--secret-header`, a [`HeaderValue`] marked sensitive). Its value is
//! redacted wherever the auth value is, and a repro line reads it from the environment
//! variable [`repro_variable`] names, e.g. `$HOOKCHECK_HEADER_CF_ACCESS_CLIENT_SECRET`.

use axum::http::{HeaderName, HeaderValue};

/// A header whose name contains one of these (compared case-insensitively) carries a
/// secret: `authorization` covers `Proxy-Authorization`, `cookie` covers `Set-Cookie`.
pub const SECRET_NAME_PARTS: &[&str] = &[
    "authorization",
    "cookie",
    "secret",
    "token",
    "key",
    "signature",
    "password",
    "credential",
    "session",
];

/// The prefix of the environment variable that holds a secret header's value.
pub const VARIABLE_PREFIX: &str = "HOOKCHECK_HEADER_";

/// What a report shows in place of a secret value.
pub const REDACTED: &str = "<redacted>";

/// Whether a header of this name carries a secret.
pub fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_NAME_PARTS.iter().any(|part| name.contains(part))
}

/// Whether an extra header is secret: by its name, or given as one (marked sensitive).
pub fn is_secret(name: &HeaderName, value: &HeaderValue) -> bool {
    value.is_sensitive() || is_secret_name(name.as_str())
}

/// The environment variable that holds the value of the secret header `name`, in repro
/// lines and for `--secret-header`: [`VARIABLE_PREFIX`] then the name in capitals, every
/// character other than a letter or a digit written `_` (`CF-Access-Client-Secret` →
/// `HOOKCHECK_HEADER_CF_ACCESS_CLIENT_SECRET`).
pub fn repro_variable(name: &str) -> String {
    let tail: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("{VARIABLE_PREFIX}{tail}")
}

/// The names of the secret ones among extra headers.
pub fn secret_names(headers: &[(HeaderName, HeaderValue)]) -> Vec<HeaderName> {
    headers
        .iter()
        .filter(|(name, value)| is_secret(name, value))
        .map(|(name, _)| name.clone())
        .collect()
}

/// The variable a repro line reads for a header named `name`, if it is one of `secrets`.
pub fn variable_for(secrets: &[HeaderName], name: &str) -> Option<String> {
    secrets
        .iter()
        .any(|secret| secret.as_str().eq_ignore_ascii_case(name))
        .then(|| repro_variable(name))
}

/// Two secret headers whose repro lines would read one variable (`X-Api-Key` and
/// `X_Api_Key`, or one name given twice): their names and the variable. A repro line could
/// not send both values, so such a set is refused before anything is sent.
pub fn shared_variable(headers: &[(HeaderName, HeaderValue)]) -> Option<[String; 3]> {
    let secrets = secret_names(headers);
    secrets.iter().enumerate().find_map(|(i, first)| {
        let variable = repro_variable(first.as_str());
        secrets[i + 1..]
            .iter()
            .find(|other| repro_variable(other.as_str()) == variable)
            .map(|other| [first.to_string(), other.to_string(), variable])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_secret_headers_that_would_share_a_variable_are_found() {
        let header = |name: &str, value: &str| {
            let mut value = HeaderValue::from_str(value).unwrap();
            value.set_sensitive(true);
            (HeaderName::from_bytes(name.as_bytes()).unwrap(), value)
        };
        let clash = [header("x-api-key", "a"), header("x_api_key", "b")];
        assert_eq!(
            shared_variable(&clash),
            Some([
                "x-api-key".into(),
                "x_api_key".into(),
                "HOOKCHECK_HEADER_X_API_KEY".into()
            ])
        );
        let twice = [
            header("cookie", "a"),
            header("x-trace", "t"),
            header("cookie", "b"),
        ];
        assert!(shared_variable(&twice).is_some());
        let plain = (
            HeaderName::from_static("x-trace"),
            HeaderValue::from_static("1"),
        );
        let distinct = [
            header("x-api-key", "a"),
            header("cookie", "c"),
            plain.clone(),
            plain,
        ];
        assert_eq!(shared_variable(&distinct), None);
    }

    #[test]
    fn names_that_mark_a_secret() {
        for name in [
            "Authorization",
            "Proxy-Authorization",
            "Cookie",
            "set-cookie",
            "CF-Access-Client-Secret",
            "X-Auth-Token",
            "X-API-KEY",
            "X-Hub-Signature-256",
            "X-Password",
            "X-Credentials",
            "X-Session-Id",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "X-Request-Id",
            "User-Agent",
            "Accept",
            "X-Tenant",
            "Keep-Alive",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn a_sensitive_value_is_secret_whatever_its_name() {
        let name = HeaderName::from_static("x-tenant");
        let mut value = HeaderValue::from_static("acme");
        assert!(!is_secret(&name, &value));
        value.set_sensitive(true);
        assert!(is_secret(&name, &value));
    }

    #[test]
    fn variables_are_shell_names() {
        assert_eq!(
            repro_variable("CF-Access-Client-Secret"),
            "HOOKCHECK_HEADER_CF_ACCESS_CLIENT_SECRET"
        );
        assert_eq!(
            repro_variable("authorization"),
            "HOOKCHECK_HEADER_AUTHORIZATION"
        );
        let secrets = [HeaderName::from_static("cookie")];
        assert_eq!(
            variable_for(&secrets, "Cookie").as_deref(),
            Some("HOOKCHECK_HEADER_COOKIE")
        );
        assert_eq!(variable_for(&secrets, "x-tenant"), None);
    }
}
