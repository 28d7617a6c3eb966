//! The transport layer every client of the harness sits on: the sender
//! ([`crate::sender`]), the raw probe client ([`crate::rawhttp`]), the runner's checks, the
//! fuzzer and the load engine.
//!
//! - [`HttpClient`]: the hyper/reqwest client configured like the provider's (no
//!   redirects, no proxy), built from [`ClientSettings`] (auth header, timeout, TLS trust,
//!   extra headers; defaults [`DEFAULT_TIMEOUT`] and the system trust store).
//! - [`Exchange`] / [`Exchanged`] / [`Response`]: one request and what it came to, with
//!   the body limits [`BODY_READ_LIMIT`] and [`BODY_PREFIX_LIMIT`].
//! - [`FailureClass`] / [`TransportError`]: why an exchange produced no response, and
//!   [`classify`], which names the class of a reqwest error.
//! - [`parse_target`] / [`check_target`] / [`display_url`]: which URLs are webhook
//!   targets, and how they print (never with a password).
//! - [`tls`]: TLS on both sides: client trust ([`tls::ClientTls`], [`tls::CaBundle`]), the
//!   raw client's rustls configuration, and the receiver's server certificates.
//! - [`ClientError`]: why a client could not be built or a target was refused.

mod client;
mod error;
mod exchange;
mod failure;
mod settings;
mod target;
pub mod tls;

pub use client::HttpClient;
pub use error::ClientError;
pub use exchange::{BODY_PREFIX_LIMIT, BODY_READ_LIMIT, Exchange, Exchanged, Response};
pub use failure::{FailureClass, TransportError, classify, is_lost_connection};
pub use settings::{ClientSettings, DEFAULT_TIMEOUT};
pub use target::{check_target, display_url, parse_target};
