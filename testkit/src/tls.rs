//! A fresh self-signed certificate for a TLS test server.

use std::sync::Arc;

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

/// A self-signed certificate valid for `localhost` and `127.0.0.1`, and an acceptor that
/// serves it offering h2 and http/1.1 (ring, rustls's safe default protocol versions).
pub struct SelfSigned {
    /// The certificate, PEM-encoded: what a client must trust.
    pub pem: String,
    /// Accepts TLS connections with the certificate.
    pub acceptor: TlsAcceptor,
}

/// Generates a certificate and its acceptor.
pub fn self_signed() -> SelfSigned {
    let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    let certified = rcgen::generate_simple_self_signed(names).expect("a self-signed certificate");
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default versions")
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .expect("the certificate matches its key");
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    SelfSigned {
        pem: certified.cert.pem(),
        acceptor: TlsAcceptor::from(Arc::new(config)),
    }
}
