//! The reference receiver: a webhook endpoint that meets every MUST and SHOULD of SPEC §3.
//!
//! - [`Receiver::start`] serves a [`ReceiverConfig`] in the background and returns a
//!   [`RunningReceiver`] (its URLs, a direct effect count, `shutdown`).
//! - [`app`] is the axum [`Router`](axum::Router) itself, for tests without a socket.
//! - Deliveries are deduplicated on `sessionId` in SQLite, or in a PostgreSQL database that
//!   any number of receiver processes share ([`StoreLocation`]): durable, atomic under
//!   concurrent duplicates, and counted by `GET /_test/effects/{sessionId}` (SPEC §4).
//! - A [`Defect`] breaks one requirement on purpose, to prove that a checker catches it.
//! - [`Choices`] make it differ in ways SPEC §3 allows (another 2xx, accepting off-contract
//!   input, ignoring an unknown status, answering late, processing in the background), to
//!   prove that a checker does not fail a conforming receiver for them.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), hookcheck::receiver::ReceiverError> {
//! use hookcheck::receiver::{Receiver, ReceiverConfig};
//!
//! let receiver = Receiver::start(ReceiverConfig::default()).await?;
//! assert!(receiver.webhook_url().starts_with("http://127.0.0.1:"));
//! assert_eq!(receiver.effect_count("no-such-session").await?, 0);
//! receiver.shutdown().await;
//! # Ok(()) }
//! ```

mod app;
mod body_faults;
mod choices;
mod clock_faults;
mod defect;
mod defect_facts;
mod faults;
mod log;
mod read;
mod rejection;
mod seen;
mod server;
mod signed;
mod store;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use app::{AppState, EFFECTS_PATH, HEALTH_PATH, WEBHOOK_PATH, app};
pub use choices::{ASYNC_PROCESSING_DELAY, AckStatus, Choices, DEFAULT_ANSWER_DELAY};
pub use defect::Defect;
pub use defect_facts::{DefectFacts, Found};
pub use log::{DeliveryLog, DeliveryOutcome};
pub use server::{Receiver, RunningReceiver};
pub use signed::{SignedDefect, Signing};
pub use store::{PostgresUrl, PostgresUrlError, StoreError, StoreLocation};

use crate::auth::AuthHeader;
use crate::profile::Profile;
use crate::transport::tls::{TlsError, TlsSource};

/// Called once per delivery, after its answer is decided.
pub type DeliveryHook = Arc<dyn Fn(&DeliveryLog) + Send + Sync>;

/// The default body limit: 1 MiB, above the 256 KiB SPEC [D-11] asks for.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
/// How long the `slow-cancelled` and `slow-completed` defects wait before answering unless
/// told otherwise: above the sender's 30 s timeout.
pub const DEFAULT_SLOW_DELAY: Duration = Duration::from_secs(31);
/// How long the `dedupe-expires` defect remembers a session unless told otherwise.
pub const DEFAULT_DEDUPE_EXPIRY: Duration = Duration::from_secs(2);
/// How long shutdown waits for open requests before closing them, unless told otherwise.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);
/// Where `hookcheck serve` listens unless told otherwise (in-process, the default is a
/// free port).
pub const SERVE_ADDR: SocketAddr =
    SocketAddr::V4(std::net::SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8080));
/// The SQLite file `hookcheck serve` keeps processed sessions in unless told otherwise
/// (in-process, the default is memory).
pub const SERVE_DATABASE: &str = "hookcheck-receiver.db";

/// How the receiver runs. [`Default`]: listen on 127.0.0.1 port 0, in-memory store, no
/// auth, no TLS, no defect, the default [`Choices`].
#[derive(Clone)]
#[must_use]
pub struct ReceiverConfig {
    /// The address to bind; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Where processed sessions are kept.
    pub store: StoreLocation,
    /// The auth header every delivery must carry, if any.
    pub auth: Option<AuthHeader>,
    /// Serve HTTPS with this certificate, if any.
    pub tls: Option<TlsSource>,
    /// A deliberate defect, if any.
    pub defect: Option<Defect>,
    /// Largest body accepted, in bytes (413 above it).
    pub body_limit: usize,
    /// How long the `slow-cancelled` and `slow-completed` defects wait; above the sender's 30 s by default.
    pub slow_delay: Duration,
    /// How long the `dedupe-expires` defect remembers a session (2 s by default).
    pub dedupe_expiry: Duration,
    /// How long shutdown waits for open requests before closing them.
    pub shutdown_timeout: Duration,
    /// Called once per delivery.
    pub on_delivery: Option<DeliveryHook>,
    /// Legitimate choices that differ from the defaults.
    pub choices: Choices,
    /// Verify Standard Webhooks signatures and dedupe on `webhook-id` (the
    /// `standard-webhooks` profile) instead of the Cr3dentials pipeline; `auth`, `defect`
    /// and `choices` then do not apply.
    pub signing: Option<Signing>,
}

impl Default for ReceiverConfig {
    fn default() -> Self {
        ReceiverConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            store: StoreLocation::Memory,
            auth: None,
            tls: None,
            defect: None,
            body_limit: DEFAULT_BODY_LIMIT,
            slow_delay: DEFAULT_SLOW_DELAY,
            dedupe_expiry: DEFAULT_DEDUPE_EXPIRY,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            on_delivery: None,
            choices: Choices::default(),
            signing: None,
        }
    }
}

impl ReceiverConfig {
    /// Binds this address.
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Keeps processed sessions in this SQLite file.
    pub fn database(mut self, path: impl Into<PathBuf>) -> Self {
        self.store = StoreLocation::File(path.into());
        self
    }

    /// Keeps processed sessions in this PostgreSQL database, shared with every receiver
    /// given the same URL.
    pub fn postgres(mut self, url: PostgresUrl) -> Self {
        self.store = StoreLocation::Postgres(url);
        self
    }

    /// Requires this auth header on every delivery.
    pub fn auth(mut self, auth: AuthHeader) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Serves HTTPS.
    pub fn tls(mut self, source: TlsSource) -> Self {
        self.tls = Some(source);
        self
    }

    /// Breaks one requirement on purpose.
    pub fn defect(mut self, defect: Defect) -> Self {
        self.defect = Some(defect);
        self
    }

    /// Refuses bodies larger than this many bytes.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Sets how long the `slow-cancelled` and `slow-completed` defects wait before answering.
    pub fn slow_delay(mut self, delay: Duration) -> Self {
        self.slow_delay = delay;
        self
    }

    /// Sets how long the `dedupe-expires` defect remembers a session.
    pub fn dedupe_expiry(mut self, expiry: Duration) -> Self {
        self.dedupe_expiry = expiry;
        self
    }

    /// Sets how long shutdown waits for open requests.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// Makes these legitimate choices.
    pub fn choices(mut self, choices: Choices) -> Self {
        self.choices = choices;
        self
    }

    /// Serves the Standard Webhooks profile: verifies signatures as `signing` says.
    pub fn signing(mut self, signing: Signing) -> Self {
        self.signing = Some(signing);
        self
    }

    /// The contract this receiver serves.
    pub fn profile(&self) -> Profile {
        match self.signing {
            Some(_) => Profile::StandardWebhooks,
            None => Profile::Cr3dentials,
        }
    }

    /// Calls `hook` once per delivery.
    pub fn on_delivery(mut self, hook: impl Fn(&DeliveryLog) + Send + Sync + 'static) -> Self {
        self.on_delivery = Some(Arc::new(hook));
        self
    }
}

impl std::fmt::Debug for ReceiverConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiverConfig")
            .field("listen", &self.listen)
            .field("store", &self.store)
            .field("auth", &self.auth)
            .field("tls", &self.tls)
            .field("defect", &self.defect)
            .field("body_limit", &self.body_limit)
            .field("slow_delay", &self.slow_delay)
            .field("dedupe_expiry", &self.dedupe_expiry)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("on_delivery", &self.on_delivery.is_some())
            .field("choices", &self.choices)
            .field("signing", &self.signing)
            .finish()
    }
}

/// Why the receiver could not start or answer. Each message is one line.
#[derive(Debug, thiserror::Error)]
pub enum ReceiverError {
    /// The listen address could not be bound (in use, not local, not permitted).
    #[error("failed to bind {addr}: {reason}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why, e.g. `address already in use`.
        reason: String,
    },
    /// The database could not be opened or queried.
    #[error("failed to {0}")]
    Store(#[from] StoreError),
    /// The TLS certificate or key could not be used.
    #[error("failed to {0}")]
    Tls(#[from] TlsError),
}

impl ReceiverError {
    fn bind(addr: SocketAddr, error: &std::io::Error) -> Self {
        let reason = match error.kind() {
            std::io::ErrorKind::AddrInUse => "address already in use".to_owned(),
            std::io::ErrorKind::AddrNotAvailable => "address not available".to_owned(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
            _ => error.to_string().to_lowercase(),
        };
        ReceiverError::Bind { addr, reason }
    }
}
