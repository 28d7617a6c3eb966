//! How a [`Sender`](super::Sender) delivers: timeout, retries, backoff, auth, TLS.

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::transport::SenderError;
use crate::auth::AuthHeader;

/// Which certificates an HTTPS target must present.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ClientTls {
    /// The operating system's trust store, as Cr3dentials uses a public one (SPEC §2).
    #[default]
    System,
    /// Only the certificates in this PEM file are trusted: for a test server with its own CA
    /// or a self-signed certificate.
    CaFile(PathBuf),
    /// Any certificate is accepted. For local experiments only: Cr3dentials never does this.
    Insecure,
}

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
    /// Bound on one attempt, from sending the request to the complete response (SPEC [D-6]).
    /// Default 30 s.
    pub timeout: Duration,
    /// Retries after the first attempt; default 3, so at most 4 attempts (SPEC [D-8]).
    pub retries: u32,
    /// Delay before the first retry; retry n waits `base * 2^(n-1)`. Default 5 s.
    pub backoff_base: Duration,
    /// Each delay varies by up to this fraction either way; default 0.2 (±20 %).
    pub jitter: f64,
    /// The custom auth header, sent on every attempt.
    pub auth: Option<AuthHeader>,
    /// Further headers sent on every delivery; one with the name of a default header
    /// (`content-type`, the auth header) replaces it.
    pub extra_headers: Vec<(HeaderName, HeaderValue)>,
    /// Which certificates HTTPS targets must present.
    pub tls: ClientTls,
    /// Open a new connection for every request instead of reusing idle ones. A server
    /// may close an idle keep-alive connection at any moment, and a POST sent on it just
    /// then fails; the conformance runner sets this so that no probe's failure is caused
    /// by how another probe's connection ended. Default off.
    pub fresh_connections: bool,
}

/// The provider's default timeout for one delivery (SPEC §2): every command's default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// [`DEFAULT_TIMEOUT`] as the command line writes it.
pub const DEFAULT_TIMEOUT_TEXT: &str = "30s";
/// The provider's default number of retries after the first attempt (SPEC §2, [D-8]).
pub const DEFAULT_RETRIES: u32 = 3;
/// The delay before the first retry, doubled before each next one (SPEC [D-8]).
pub const DEFAULT_BACKOFF_BASE: Duration = Duration::from_secs(5);

impl Default for SenderConfig {
    fn default() -> Self {
        SenderConfig {
            timeout: DEFAULT_TIMEOUT,
            retries: DEFAULT_RETRIES,
            backoff_base: DEFAULT_BACKOFF_BASE,
            jitter: 0.2,
            auth: None,
            extra_headers: Vec::new(),
            tls: ClientTls::System,
            fresh_connections: false,
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
        self.timeout = timeout;
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
        self.auth = Some(auth);
        self
    }

    /// Sends one more header on every delivery.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.extra_headers.push((name, value));
        self
    }

    /// Chooses which certificates HTTPS targets must present.
    pub fn tls(mut self, tls: ClientTls) -> Self {
        self.tls = tls;
        self
    }

    /// The most attempts one delivery makes: the first plus the retries.
    pub fn max_attempts(&self) -> u32 {
        self.retries.saturating_add(1)
    }
}

/// The certificates of a [`ClientTls::CaFile`], read and checked once for every client
/// that trusts them (the sender's and the raw probe client's).
#[derive(Debug, Clone)]
pub struct CaBundle {
    /// Each certificate, in file order.
    pub certificates: Vec<CertificateDer<'static>>,
    /// The same certificates as rustls trust roots.
    pub roots: RootCertStore,
}

impl CaBundle {
    /// Reads a PEM file that must hold at least one certificate, all of them valid.
    pub fn read(path: &Path) -> Result<CaBundle, SenderError> {
        let invalid = |reason: String| SenderError::CaFileInvalid {
            path: path.to_owned(),
            reason,
        };
        let pem = std::fs::read(path).map_err(|source| SenderError::CaFileUnreadable {
            path: path.to_owned(),
            source,
        })?;
        let certificates = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid(format!("not a PEM certificate bundle ({e})")))?;
        if certificates.is_empty() {
            return Err(invalid("no CERTIFICATE block found".to_owned()));
        }
        let mut roots = RootCertStore::empty();
        for (index, der) in certificates.iter().enumerate() {
            roots
                .add(der.clone())
                .map_err(|e| invalid(format!("certificate {} is not valid ({e})", index + 1)))?;
        }
        Ok(CaBundle {
            certificates,
            roots,
        })
    }
}

/// Formats a duration as the attempt log and every message write it: `12ms`, `2s`,
/// `4.871s` (the form `--timeout` takes).
pub fn format_duration(duration: Duration) -> String {
    if duration < Duration::from_secs(1) {
        format!("{}ms", duration.as_millis())
    } else if duration.subsec_millis() == 0 {
        format!("{}s", duration.as_secs())
    } else {
        let text = format!("{:.3}", duration.as_secs_f64());
        format!("{}s", text.trim_end_matches('0'))
    }
}
