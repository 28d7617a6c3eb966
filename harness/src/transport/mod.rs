//! The transport layer under every client: connections, exchanges and their limits,
//! failure classes, target URLs, and TLS on both sides.

mod client;
mod error;
mod failure;
mod target;
pub mod tls;

pub(crate) use failure::classify;
pub use client::{BODY_PREFIX_LIMIT, BODY_READ_LIMIT, Exchange, Exchanged, Response, Sender};
pub use error::SenderError;
pub use failure::{FailureClass, TransportError, is_lost_connection};
pub use target::{check_target, display_url, parse_target};
