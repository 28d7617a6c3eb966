//! What can go wrong before a single request is sent: a refused target URL, an untrusted
//! CA file, a zero timeout, an HTTP client that does not start.

use super::tls::CaFileError;

/// Why a client could not be built or a target URL was refused.
///
/// Every variant is a mistake in the configuration or the command line, except
/// [`ClientError::Build`], which is the HTTP client failing to start.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The target URL does not parse, is not http or https, or has no host.
    #[error("invalid target URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL as given (without any password it held).
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The CA certificate file cannot be read or holds no valid certificate.
    #[error(transparent)]
    CaFile(#[from] CaFileError),
    /// A zero timeout would fail every attempt before it starts.
    #[error("the timeout must be longer than zero")]
    ZeroTimeout,
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client")]
    Build(#[source] reqwest::Error),
}

impl ClientError {
    /// Whether the error is the user's mistake (exit code 2) rather than the machine's.
    pub fn is_usage(&self) -> bool {
        !matches!(self, ClientError::Build(_))
    }
}
