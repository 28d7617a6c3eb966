//! What can go wrong before a single delivery is sent.

use crate::transport::ClientError;

/// Why a [`Sender`](super::Sender) could not be built or a target URL was refused.
///
/// Every variant is a mistake in the configuration or the command line, except a
/// [`ClientError::Build`], which is the HTTP client failing to start.
#[derive(Debug, thiserror::Error)]
pub enum SenderError {
    /// The client settings or the target are wrong, or the HTTP client did not start.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The jitter fraction is not a number between 0 and 1.
    #[error("jitter must be a fraction between 0 and 1, got {0}")]
    InvalidJitter(f64),
}

impl SenderError {
    /// Whether the error is the user's mistake (exit code 2) rather than the machine's.
    pub fn is_usage(&self) -> bool {
        match self {
            SenderError::Client(error) => error.is_usage(),
            SenderError::InvalidJitter(_) => true,
        }
    }
}
