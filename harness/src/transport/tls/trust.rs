//! Client trust: which certificates an HTTPS target must present ([`ClientTls`]), the CA
//! bundle a [`ClientTls::CaFile`] names, read once for every client ([`CaBundle`]), and why
//! such a file is refused ([`CaFileError`]).

use std::path::{Path, PathBuf};

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// Which certificates an HTTPS target must present.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ClientTls {
    /// The operating system's trust store, as Cr3dentials uses a public one (SPEC §2).
    #[default]
    System,
    /// Only the certificates in this PEM file are trusted: for a test server with its own CA
    /// or a self-signed certificate.
    CaFile(PathBuf),
    /// Any certificate is accepted. For local experiments only: Cr3dentials never does this.
    Insecure,
}

/// Why the file of a [`ClientTls::CaFile`] cannot be trusted: always the user's mistake.
#[derive(Debug, thiserror::Error)]
pub enum CaFileError {
    /// The CA certificate file could not be read.
    #[error("cannot read CA certificate file `{}`", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The CA certificate file is not a PEM bundle of valid certificates.
    #[error("invalid CA certificate file `{}`: {reason}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

/// The certificates of a [`ClientTls::CaFile`], read and checked once for every client
/// that trusts them (the sender's and the raw probe client's).
#[derive(Debug, Clone)]
pub struct CaBundle {
    /// Each certificate, in file order.
    pub certificates: Vec<CertificateDer<'static>>,
    /// The same certificates as rustls trust roots.
    pub roots: RootCertStore,
}

impl CaBundle {
    /// Reads a PEM file that must hold at least one certificate, all of them valid.
    pub fn read(path: &Path) -> Result<CaBundle, CaFileError> {
        let invalid = |reason: String| CaFileError::Invalid {
            path: path.to_owned(),
            reason,
        };
        let pem = std::fs::read(path).map_err(|source| CaFileError::Unreadable {
            path: path.to_owned(),
            source,
        })?;
        let certificates = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid(format!("not a PEM certificate bundle ({e})")))?;
        if certificates.is_empty() {
            return Err(invalid("no CERTIFICATE block found".to_owned()));
        }
        let mut roots = RootCertStore::empty();
        for (index, der) in certificates.iter().enumerate() {
            roots
                .add(der.clone())
                .map_err(|e| invalid(format!("certificate {} is not valid ({e})", index + 1)))?;
        }
        Ok(CaBundle {
            certificates,
            roots,
        })
    }
}
