//! The Cr3dentials webhook contract as code (SPEC §1).
//!
//! - [`Payload`] and [`Status`]: the event, with all eight documented fields.
//! - [`parse`]: raw bytes to a [`Payload`], accepting everything SPEC §1 allows and
//!   rejecting the rest with a [`ParseError`] that names the field and the problem.
//! - [`PayloadBuilder`]: a realistic payload for any status, following SPEC [D-2].

mod build;
mod parse;
mod payload;
mod skipped;

pub use build::PayloadBuilder;
pub use parse::{Grade, Limits, ParseError, parse, parse_with};
pub use payload::{FIELDS, Payload, Status, format_timestamp};
