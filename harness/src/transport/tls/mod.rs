//! TLS on both sides.
//!
//! - Client trust ([`ClientTls`], [`CaBundle`], [`CaFileError`]): which certificates an
//!   HTTPS target must present, for every client.
//! - The raw probe client's rustls configuration (`client.rs`): that trust with the ring
//!   provider and ALPN `http/1.1` only.
//! - The reference receiver's server certificates ([`TlsSource`], [`server_config`]):
//!   from PEM files or generated self-signed.

mod client;
mod server;
mod trust;

pub(crate) use client::{Trust, client_config};
pub use server::{
    SELF_SIGNED_NAMES, TlsError, TlsSetup, TlsSource, load_certificates, load_private_key,
    server_config, write_self_signed,
};
pub use trust::{CaBundle, CaFileError, ClientTls};
