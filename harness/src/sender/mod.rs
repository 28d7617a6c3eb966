//! The reference sender: delivers one event exactly as Cr3dentials does (SPEC §2).
//!
//! - [`SenderConfig`]: timeout, retries, backoff, jitter, auth header, TLS trust
//!   ([`ClientTls`]), with the provider's defaults.
//! - [`Sender::deliver`]: POST with retries and exponential backoff, returning a
//!   [`Delivery`], the attempt log, which prints as text and serializes as JSON.
//! - [`Sender::exchange`]: one request of any shape with the same timeout and failure
//!   classes ([`FailureClass`]), for conformance probes.
//! - [`parse_target`]: only `http`/`https` URLs with a host are targets.
//!
//! The auth value never appears in a [`Delivery`], an error or a message: responses that
//! echo it back are redacted.

mod classify;
mod client;
mod config;
mod delivery;
mod error;
mod target;

pub(crate) use classify::classify as classify_error;
pub use classify::{FailureClass, TransportError, is_lost_connection};
pub use client::{BODY_PREFIX_LIMIT, BODY_READ_LIMIT, Exchange, Exchanged, Response, Sender};
pub use config::{
    CaBundle, ClientTls, DEFAULT_BACKOFF_BASE, DEFAULT_RETRIES, DEFAULT_TIMEOUT,
    DEFAULT_TIMEOUT_TEXT, SenderConfig, format_duration,
};
pub use delivery::{Attempt, Delivery, MAX_BACKOFF, jittered, nominal_backoff};
pub use error::SenderError;
pub use reqwest::Url;
pub use target::{check_target, display_url, parse_target};
