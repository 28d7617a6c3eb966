//! How a [`Sender`](super::Sender) delivers: timeout, retries, backoff, auth, TLS.

use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use crate::auth::AuthHeader;
use crate::standard_webhooks::Secret;
use crate::transport::ClientSettings;
use crate::transport::tls::ClientTls;

/// The delivery settings of one webhook, with the provider's defaults (SPEC §2, [D-8]).
///
/// ```
/// use std::time::Duration;
/// use hookcheck::sender::SenderConfig;
///
/// let config = SenderConfig::default()
///     .timeout(Duration::from_secs(2))
///     .retries(1)
///     .backoff_base(Duration::from_millis(100))
///     .auth("X-API-Key: s3cret".parse().unwrap());
/// assert_eq!(config.max_attempts(), 2);
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct SenderConfig {
    /// The auth header, the bound on one attempt (SPEC [D-6], default 30 s), which
    /// certificates HTTPS targets must present, and further headers sent on every delivery.
    pub client: ClientSettings,
    /// Retries after the first attempt; default 3, so at most 4 attempts (SPEC [D-8]).
    pub retries: u32,
    /// Delay before the first retry; retry n waits `base * 2^(n-1)`. Default 5 s.
    pub backoff_base: Duration,
    /// Each delay varies by up to this fraction either way; default 0.2 (±20 %).
    pub jitter: f64,
    /// Open a new connection for every request instead of reusing idle ones. A server
    /// may close an idle keep-alive connection at any moment, and a POST sent on it just
    /// then fails; the conformance runner sets this so that no probe's failure is caused
    /// by how another probe's connection ended. Default off.
    pub fresh_connections: bool,
    /// A seeded fault (`hookcheck send --defect`), to show `hookcheck capture` catching
    /// it; none by default.
    pub defect: Option<super::SenderDefect>,
    /// Sign every attempt as Standard Webhooks does (`webhook-id`, `webhook-timestamp`,
    /// `webhook-signature`) with this secret, which never prints; none by default.
    pub signing: Option<Secret>,
}

/// The provider's default number of retries after the first attempt (SPEC §2, [D-8]).
pub const DEFAULT_RETRIES: u32 = 3;
/// The delay before the first retry, doubled before each next one (SPEC [D-8]).
pub const DEFAULT_BACKOFF_BASE: Duration = Duration::from_secs(5);
/// How much each delay varies either way, as a fraction (SPEC [D-8]: ±20%).
pub const DEFAULT_JITTER: f64 = 0.2;

impl Default for SenderConfig {
    fn default() -> Self {
        SenderConfig {
            client: ClientSettings::default(),
            retries: DEFAULT_RETRIES,
            backoff_base: DEFAULT_BACKOFF_BASE,
            jitter: DEFAULT_JITTER,
            fresh_connections: false,
            defect: None,
            signing: None,
        }
    }
}

impl SenderConfig {
    /// Opens a new connection for every request (see [`SenderConfig::fresh_connections`]).
    pub fn fresh_connections(mut self, fresh: bool) -> Self {
        self.fresh_connections = fresh;
        self
    }

    /// Sets the per-attempt timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.client.timeout = timeout;
        self
    }

    /// Sets the number of retries after the first attempt.
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// Sets the delay before the first retry.
    pub fn backoff_base(mut self, base: Duration) -> Self {
        self.backoff_base = base;
        self
    }

    /// Sets the jitter fraction (0 for exact delays).
    pub fn jitter(mut self, jitter: f64) -> Self {
        self.jitter = jitter;
        self
    }

    /// Sends this auth header on every attempt.
    pub fn auth(mut self, auth: AuthHeader) -> Self {
        self.client.auth = Some(auth);
        self
    }

    /// Sends one more header on every delivery.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.client.headers.push((name, value));
        self
    }

    /// Signs every attempt with this Standard Webhooks secret.
    pub fn signing(mut self, secret: Secret) -> Self {
        self.signing = Some(secret);
        self
    }

    /// Chooses which certificates HTTPS targets must present.
    pub fn tls(mut self, tls: ClientTls) -> Self {
        self.client.tls = tls;
        self
    }

    /// The most attempts one delivery makes: the first plus the retries.
    pub fn max_attempts(&self) -> u32 {
        self.retries.saturating_add(1)
    }
}
