//! What can go wrong before a single request is sent.

use std::path::PathBuf;

/// Why a [`Sender`](super::Sender) could not be built or a target URL was refused.
///
/// Every variant is a mistake in the configuration or the command line, except
/// [`SenderError::Client`], which is the HTTP client failing to start.
#[derive(Debug, thiserror::Error)]
pub enum SenderError {
    /// The target URL does not parse, is not http or https, or has no host.
    #[error("invalid target URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL as given (without any password it held).
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The CA certificate file could not be read.
    #[error("cannot read CA certificate file `{}`", path.display())]
    CaFileUnreadable {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The CA certificate file is not a PEM bundle of valid certificates.
    #[error("invalid CA certificate file `{}`: {reason}", path.display())]
    CaFileInvalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The jitter fraction is not a number between 0 and 1.
    #[error("jitter must be a fraction between 0 and 1, got {0}")]
    InvalidJitter(f64),
    /// A zero timeout would fail every attempt before it starts.
    #[error("the timeout must be longer than zero")]
    ZeroTimeout,
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client")]
    Client(#[source] reqwest::Error),
}

impl SenderError {
    /// Whether the error is the user's mistake (exit code 2) rather than the machine's.
    pub fn is_usage(&self) -> bool {
        !matches!(self, SenderError::Client(_))
    }
}
