//! TLS on both sides: the rustls client configuration of the raw probe client, and the
//! reference receiver's server certificates.

mod client;
mod server;

pub(crate) use client::{Trust, client_config};
pub use server::{
    SELF_SIGNED_NAMES, TlsError, TlsSetup, TlsSource, load_certificates, load_private_key,
    server_config, write_self_signed,
};
