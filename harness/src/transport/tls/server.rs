//! TLS for the reference receiver: certificates from PEM files or generated self-signed.
//!
//! - [`TlsSource`]: where the certificate comes from: a PEM certificate chain and key
//!   ([`TlsSource::Files`]) or a fresh self-signed certificate for `localhost`,
//!   `127.0.0.1` and `::1` ([`TlsSource::SelfSigned`]), written to `DIR/cert.pem` and
//!   `DIR/key.pem` so that a client can trust it.
//! - [`server_config`]: a rustls [`ServerConfig`] for a source, with ALPN `h2` and
//!   `http/1.1` so that one listener serves both HTTP versions.
//!
//! Every failure is a [`TlsError`] naming the file and what is wrong with it.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The names a self-signed certificate is valid for.
pub const SELF_SIGNED_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// Where the receiver's certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsSource {
    /// A PEM certificate chain (leaf first) and its PEM private key.
    Files {
        /// The certificate chain file.
        cert: PathBuf,
        /// The private key file (PKCS#8, PKCS#1 or SEC1).
        key: PathBuf,
    },
    /// A certificate generated at start, written into this folder (created if missing).
    SelfSigned {
        /// The folder that receives `cert.pem` and `key.pem`.
        dir: PathBuf,
    },
}

/// Why a TLS configuration could not be built. Messages read after "failed to …".
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A certificate or key file does not exist.
    #[error("read {what} {}: no such file", path.display())]
    Missing {
        /// `certificate` or `private key`.
        what: &'static str,
        /// The file.
        path: PathBuf,
    },
    /// A certificate or key file exists but cannot be read.
    #[error("read {what} {}: {reason}", path.display())]
    Unreadable {
        /// `certificate` or `private key`.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating system's reason, lowercased.
        reason: String,
    },
    /// The certificate file holds no PEM certificate, or a malformed one.
    #[error("read certificate {}: {reason}", path.display())]
    InvalidCertificate {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The key file holds no PEM private key, or a malformed one.
    #[error("read private key {}: {reason}", path.display())]
    InvalidKey {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// rustls refused the pair, e.g. the key does not belong to the certificate.
    #[error("use the certificate and key: {0}")]
    Rejected(String),
    /// rcgen could not generate a self-signed certificate.
    #[error("generate a self-signed certificate: {0}")]
    Generate(String),
    /// The generated certificate or key could not be written.
    #[error("write {}: {reason}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's reason, lowercased.
        reason: String,
    },
}

/// A ready TLS configuration and, for a self-signed one, the files a client trusts.
#[derive(Debug, Clone)]
pub struct TlsSetup {
    /// The rustls configuration, ALPN `h2` then `http/1.1`.
    pub config: Arc<ServerConfig>,
    /// The certificate a client should trust (`DIR/cert.pem` for a self-signed one,
    /// the given file otherwise).
    pub cert_path: PathBuf,
}

/// Builds the server configuration for a source; generates and writes the certificate
/// first for [`TlsSource::SelfSigned`].
pub fn server_config(source: &TlsSource) -> Result<TlsSetup, TlsError> {
    match source {
        TlsSource::Files { cert, key } => {
            let chain = load_certificates(cert)?;
            let key = load_private_key(key)?;
            Ok(TlsSetup {
                config: build(chain, key)?,
                cert_path: cert.clone(),
            })
        }
        TlsSource::SelfSigned { dir } => {
            let (cert_path, key_path) = write_self_signed(dir)?;
            let chain = load_certificates(&cert_path)?;
            let key = load_private_key(&key_path)?;
            Ok(TlsSetup {
                config: build(chain, key)?,
                cert_path,
            })
        }
    }
}

/// Generates a self-signed certificate for [`SELF_SIGNED_NAMES`] and writes it to
/// `dir/cert.pem` and `dir/key.pem`; returns both paths.
pub fn write_self_signed(dir: &Path) -> Result<(PathBuf, PathBuf), TlsError> {
    let names: Vec<String> = SELF_SIGNED_NAMES.iter().map(|n| (*n).to_owned()).collect();
    let certified =
        rcgen::generate_simple_self_signed(names).map_err(|e| TlsError::Generate(e.to_string()))?;
    std::fs::create_dir_all(dir).map_err(|e| write_error(dir, &e))?;
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    std::fs::write(&cert_path, certified.cert.pem()).map_err(|e| write_error(&cert_path, &e))?;
    write_private(&key_path, certified.signing_key.serialize_pem())
        .map_err(|e| write_error(&key_path, &e))?;
    Ok((cert_path, key_path))
}

/// Reads every certificate of a PEM file, leaf first.
pub fn load_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = read("certificate", path)?;
    let chain = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::InvalidCertificate {
            path: path.to_owned(),
            reason: pem_reason(&e),
        })?;
    if chain.is_empty() {
        return Err(TlsError::InvalidCertificate {
            path: path.to_owned(),
            reason: "no PEM certificate in it".into(),
        });
    }
    Ok(chain)
}

/// Reads the first private key of a PEM file.
pub fn load_private_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let bytes = read("private key", path)?;
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| TlsError::InvalidKey {
        path: path.to_owned(),
        reason: match e {
            rustls::pki_types::pem::Error::NoItemsFound => "no PEM private key in it".into(),
            other => pem_reason(&other),
        },
    })
}

fn build(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Rejected(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| TlsError::Rejected(e.to_string().to_lowercase()))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn read(what: &'static str, path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => TlsError::Missing {
            what,
            path: path.to_owned(),
        },
        _ => TlsError::Unreadable {
            what,
            path: path.to_owned(),
            reason: io_reason(&e),
        },
    })
}

fn pem_reason(error: &rustls::pki_types::pem::Error) -> String {
    use rustls::pki_types::pem::Error;
    match error {
        Error::MissingSectionEnd { .. } => "a PEM section has no END line".into(),
        Error::IllegalSectionStart { .. } => "a PEM BEGIN line is malformed".into(),
        Error::Base64Decode(_) => "a PEM section is not valid base64".into(),
        Error::NoItemsFound => "no PEM item of the expected kind in it".into(),
        Error::SectionTooLarge => "a PEM section is too large".into(),
        Error::Io(e) => io_reason(e),
        other => format!("{other:?}").to_lowercase(),
    }
}

/// The operating system's reason without the `(os error N)` tail, lowercased.
fn io_reason(error: &io::Error) -> String {
    let text = error.to_string();
    let text = match text.find(" (os error") {
        Some(at) => &text[..at],
        None => &text,
    };
    text.to_lowercase()
}

fn write_error(path: &Path, error: &io::Error) -> TlsError {
    TlsError::Write {
        path: path.to_owned(),
        reason: io_reason(error),
    }
}

/// Writes the key readable by its owner only, where the platform has permissions.
fn write_private(path: &Path, contents: String) -> io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_signed_certificate_is_written_and_loads() {
        let dir = tempfile::tempdir().unwrap();
        let setup = server_config(&TlsSource::SelfSigned {
            dir: dir.path().join("tls"),
        })
        .unwrap();
        assert_eq!(setup.cert_path, dir.path().join("tls/cert.pem"));
        assert!(dir.path().join("tls/key.pem").exists());
        assert_eq!(
            setup.config.alpn_protocols,
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        );
    }

    #[test]
    fn missing_certificate_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let err = server_config(&TlsSource::Files {
            cert: dir.path().join("nope.pem"),
            key: dir.path().join("key.pem"),
        })
        .unwrap_err();
        assert!(
            matches!(
                err,
                TlsError::Missing {
                    what: "certificate",
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("nope.pem: no such file"), "{err}");
    }

    #[test]
    fn garbage_certificate_and_key_are_invalid_not_panics() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = write_self_signed(dir.path()).unwrap();
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "hello, not a certificate\n").unwrap();

        let err = server_config(&TlsSource::Files {
            cert: junk.clone(),
            key: key.clone(),
        })
        .unwrap_err();
        assert!(matches!(err, TlsError::InvalidCertificate { .. }), "{err}");

        let err = server_config(&TlsSource::Files {
            cert: cert.clone(),
            key: junk,
        })
        .unwrap_err();
        assert!(matches!(err, TlsError::InvalidKey { .. }), "{err}");

        // A certificate file given as the key holds no private key.
        let err = server_config(&TlsSource::Files {
            cert: cert.clone(),
            key: cert,
        })
        .unwrap_err();
        assert!(matches!(err, TlsError::InvalidKey { .. }), "{err}");
    }

    #[test]
    fn key_of_another_certificate_is_rejected() {
        let one = tempfile::tempdir().unwrap();
        let two = tempfile::tempdir().unwrap();
        let (cert, _) = write_self_signed(one.path()).unwrap();
        let (_, other_key) = write_self_signed(two.path()).unwrap();
        let err = server_config(&TlsSource::Files {
            cert,
            key: other_key,
        })
        .unwrap_err();
        assert!(matches!(err, TlsError::Rejected(_)), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_key_file_is_named() {
        // A folder in place of the file: reading it fails for root too.
        let dir = tempfile::tempdir().unwrap();
        let (cert, _) = write_self_signed(dir.path()).unwrap();
        let err = server_config(&TlsSource::Files {
            cert,
            key: dir.path().to_owned(),
        })
        .unwrap_err();
        assert!(
            matches!(
                err,
                TlsError::Unreadable {
                    what: "private key",
                    ..
                }
            ),
            "{err}"
        );
    }
}
