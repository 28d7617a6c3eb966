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

mod config;
mod delivery;

#[cfg(test)]
mod tests;

pub(crate) use crate::transport::classify as classify_error;
pub use crate::transport::{
    BODY_PREFIX_LIMIT, BODY_READ_LIMIT, Exchange, Exchanged, FailureClass, Response, Sender,
    SenderError, TransportError, check_target, display_url, is_lost_connection, parse_target,
};
pub use config::{
    CaBundle, ClientTls, DEFAULT_BACKOFF_BASE, DEFAULT_RETRIES, DEFAULT_TIMEOUT,
    DEFAULT_TIMEOUT_TEXT, SenderConfig, format_duration,
};
pub use delivery::{Attempt, Delivery, MAX_BACKOFF, jittered, nominal_backoff};
pub use reqwest::Url;
