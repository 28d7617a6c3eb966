//! The reference sender: delivers one event exactly as Cr3dentials does (SPEC §2), on
//! the [`crate::transport`] layer.
//!
//! - [`SenderConfig`]: retries, backoff, jitter, and the client settings (auth header,
//!   timeout, TLS trust: [`ClientSettings`](crate::transport::ClientSettings)), with the
//!   provider's defaults.
//! - [`Sender::deliver`]: POST with retries and exponential backoff, returning a
//!   [`Delivery`], the attempt log, which prints as text and serializes as JSON.
//! - [`Sender::exchange`]: one request of any shape with the same timeout and failure
//!   classes ([`FailureClass`](crate::transport::FailureClass)), for conformance probes.
//!
//! The auth value never appears in a [`Delivery`], an error or a message: responses that
//! echo it back are redacted.

mod client;
mod config;
mod defect;
mod delivery;
mod error;
mod signing;

pub use client::Sender;
pub use config::{DEFAULT_BACKOFF_BASE, DEFAULT_JITTER, DEFAULT_RETRIES, SenderConfig};
pub use defect::SenderDefect;
pub(crate) use delivery::millis;
pub use delivery::{Attempt, Delivery, MAX_BACKOFF, jittered, nominal_backoff};
pub use error::SenderError;
pub use reqwest::Url;
