//! The reporters: each implements [`Reporter`](crate::results::Reporter) over the run's
//! [`Event`](crate::results::Event)s and turns them into its own format
//! ([`TerminalReporter`], [`JsonReporter`], [`JunitReporter`]). A new format never touches
//! the runner. The JSON format is documented in [`crate::results`], where it is defined.

mod json;
mod junit;
mod terminal;
#[cfg(test)]
mod tests;

pub use json::JsonReporter;
pub use junit::JunitReporter;
pub use terminal::TerminalReporter;
