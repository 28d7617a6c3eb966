//! The one error type of the command line: a user's mistake or an unreachable target,
//! each one line, each with its exit code chosen in one place.

use crate::exit_codes;

/// Why a command stopped before it could give a verdict.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CliError {
    /// The command line or an input file is wrong: a bad URL, a malformed header, a missing
    /// file, a selection that would verify nothing.
    #[error("{0}")]
    Usage(String),
    /// The target could not be reached at all, or a server could not start.
    #[error("{0}")]
    Unavailable(String),
}

impl CliError {
    /// The exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(_) => exit_codes::USAGE,
            CliError::Unavailable(_) => exit_codes::UNAVAILABLE,
        }
    }

    /// Prints the error as one line and returns its exit code.
    pub fn report(&self) -> i32 {
        super::report_error(self);
        self.exit_code()
    }
}
