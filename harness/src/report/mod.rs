//! The reporters: each turns the run's [`Event`](crate::results::Event)s into its own
//! format. [`TerminalReporter`] draws progress and the summary; [`FileReporter`] writes one
//! file format ([`Format`]: JSON, JUnit, Markdown, HTML) when the run ends, and [`render`]
//! turns a saved [`Report`] into any of them (`hookcheck report --from`). A new format never
//! touches the runner. The JSON format is documented in [`crate::results`], where it is
//! defined; every format cites the contract ([`contract`]) and says the verdict with
//! [`verdict::verdict_line`].

pub mod contract;
pub mod diff;
mod html;
mod json;
mod junit;
mod markdown;
mod output;
mod progress;
mod style;
mod svg;
pub(crate) mod terminal;
#[cfg(test)]
mod tests;
pub mod verdict;

use std::io;

pub use output::{Destination, Format, Output, OutputError, check_outputs, write_output};
pub use progress::Progress;
pub use style::ColorChoice;
pub use terminal::{TerminalOptions, TerminalReporter, write_summary};

use crate::results::{Event, Report, Reporter};

/// Renders a report in one file format. `strict` counts a warn as a failure where the
/// format grades (JUnit).
pub fn render(format: Format, report: &Report, strict: bool) -> io::Result<String> {
    match format {
        Format::Json => json::render(report),
        Format::Junit => junit::render(report, strict),
        Format::Markdown => Ok(markdown::render(report)),
        Format::Html => Ok(html::render(report)),
    }
}

/// Writes one report file when the run ends (an interrupted run too, marked so).
pub struct FileReporter {
    output: Output,
    strict: bool,
}

impl FileReporter {
    /// A reporter that writes `output` at the end of the run.
    pub fn new(output: Output, strict: bool) -> Self {
        FileReporter { output, strict }
    }
}

impl Reporter for FileReporter {
    fn on_event(&mut self, event: &Event<'_>) -> io::Result<()> {
        let Event::RunFinished(report) = event else {
            return Ok(());
        };
        write_report(&self.output, report, self.strict).map_err(io::Error::other)
    }
}

/// Renders and writes one report.
pub fn write_report(output: &Output, report: &Report, strict: bool) -> Result<(), OutputError> {
    let text = render(output.format, report, strict).map_err(|source| OutputError::Write {
        format: output.format,
        destination: output.destination.clone(),
        source,
    })?;
    write_output(output, text.as_bytes())
}
