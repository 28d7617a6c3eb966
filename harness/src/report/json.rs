//! The JSON format: the [`Report`] itself, pretty-printed (documented in [`crate::results`]).

use std::io;

use crate::results::Report;

/// The report as pretty JSON, newline-terminated.
pub fn render(report: &Report) -> io::Result<String> {
    let mut text = serde_json::to_string_pretty(report)?;
    text.push('\n');
    Ok(text)
}
