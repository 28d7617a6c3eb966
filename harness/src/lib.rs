//! hookcheck: a conformance test harness and fuzzing suite for Cr3dentials webhook
//! receivers.
//!
//! - [`spec`]: the webhook contract as code: [`spec::Payload`], [`spec::Status`],
//!   [`spec::parse`], [`spec::PayloadBuilder`].
//! - [`auth`]: the optional custom auth header, a secret that never prints.

pub mod auth;
pub mod catalogue;
pub mod checks;
pub mod cli;
pub mod exit_codes;
pub mod rawhttp;
pub mod receiver;
pub mod report;
pub mod repro;
pub mod runner;
pub mod sender;
pub mod spec;
pub mod tls;

/// Installs ring as the process-wide rustls crypto provider. Every binary and test that
/// builds a TLS client or server calls this first; a second call is harmless.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
