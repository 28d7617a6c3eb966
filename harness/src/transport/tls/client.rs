//! The rustls client configuration of the raw probe client
//! ([`RawClient`](crate::rawhttp::RawClient)): the same trust settings as every client
//! ([`ClientTls`]) with the ring provider and ALPN `http/1.1` only.

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::trust::{CaBundle, CaFileError, ClientTls};

/// A client configuration, or why none could be made for [`ClientTls::System`] (a machine
/// without a trust store). The latter is not a configuration mistake: plain-http targets
/// still work, and every HTTPS attempt reports it as a TLS failure.
pub(crate) type Trust = Result<Arc<ClientConfig>, String>;

/// Builds the configuration; only a bad [`ClientTls::CaFile`] is an error.
pub(crate) fn client_config(tls: &ClientTls) -> Result<Trust, CaFileError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = match ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
    {
        Ok(builder) => builder,
        Err(e) => return Ok(Err(format!("no usable TLS protocol version: {e}"))),
    };
    let mut config = match tls {
        ClientTls::System => match rustls_platform_verifier::Verifier::new(provider.clone()) {
            Ok(verifier) => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verifier))
                .with_no_client_auth(),
            Err(e) => return Ok(Err(format!("no system trust store: {e}"))),
        },
        ClientTls::CaFile(path) => builder
            .with_root_certificates(load_roots(path)?)
            .with_no_client_auth(),
        ClientTls::Insecure => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate {
                algorithms: provider.signature_verification_algorithms,
            }))
            .with_no_client_auth(),
    };
    // The probes are about HTTP/1.1 bytes; a server must not pick h2.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Ok(Arc::new(config)))
}

/// The trusted roots of a [`ClientTls::CaFile`].
fn load_roots(path: &Path) -> Result<RootCertStore, CaFileError> {
    Ok(CaBundle::read(path)?.roots)
}

/// [`ClientTls::Insecure`]: any certificate for any name is accepted, but the handshake
/// signatures are still checked, so the peer must hold the key of the certificate it shows.
#[derive(Debug)]
struct AcceptAnyCertificate {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
