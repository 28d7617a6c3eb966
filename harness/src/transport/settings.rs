//! [`ClientSettings`]: what every client of the harness is told about the target's door
//! (the auth header, the timeout, which certificates to trust, extra headers), with the
//! provider's defaults as named constants.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::tls::ClientTls;
use crate::auth::AuthHeader;
use crate::secrets;

/// The provider's default timeout for one delivery (SPEC §2): every command's default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How a client talks to the target: the settings the sender, the runner, the fuzzer and
/// the load engine share. [`ClientSettings::default`] is the provider's: no auth header,
/// [`DEFAULT_TIMEOUT`], the system trust store, no extra headers.
#[derive(Debug, Clone)]
#[must_use]
pub struct ClientSettings {
    /// The custom auth header the target expects, sent on every request.
    pub auth: Option<AuthHeader>,
    /// Bound on one exchange, from sending the request to the complete response
    /// (SPEC [D-6]).
    pub timeout: Duration,
    /// Which certificates an HTTPS target must present.
    pub tls: ClientTls,
    /// Further headers sent on every request; one with the name of a default header
    /// (`content-type`, the auth header) replaces it. One whose name marks it secret, or
    /// whose value is marked sensitive, is redacted as the auth value is
    /// ([`crate::secrets`]).
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl Default for ClientSettings {
    fn default() -> Self {
        ClientSettings {
            auth: None,
            timeout: DEFAULT_TIMEOUT,
            tls: ClientTls::System,
            headers: Vec::new(),
        }
    }
}

impl ClientSettings {
    /// Sets `headers` from these settings over what is there: the auth header, then the
    /// extra headers, each replacing a header of the same name.
    pub fn apply_headers(&self, headers: &mut HeaderMap) {
        if let Some(auth) = &self.auth {
            headers.insert(auth.name().clone(), auth.expose_value().clone());
        }
        for (name, value) in &self.headers {
            headers.insert(name.clone(), value.clone());
        }
    }

    /// The names of the secret extra headers, whose repro lines read their values from
    /// environment variables.
    pub fn secret_names(&self) -> Vec<HeaderName> {
        secrets::secret_names(&self.headers)
    }

    /// `text` with every occurrence of a secret value (the auth value, a secret extra
    /// header's) replaced, for messages built from what a peer sent back (a receiver may
    /// echo request headers).
    pub fn redact(&self, text: &str) -> String {
        let auth = self.auth.iter().map(AuthHeader::expose_value);
        let extra = self
            .headers
            .iter()
            .filter(|(name, value)| secrets::is_secret(name, value))
            .map(|(_, value)| value);
        let mut text = text.to_owned();
        for value in auth.chain(extra) {
            let secret = String::from_utf8_lossy(value.as_bytes());
            if !secret.is_empty() {
                text = text.replace(secret.as_ref(), secrets::REDACTED);
            }
        }
        text
    }
}
