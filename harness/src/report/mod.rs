//! The renderers: each turns a verdict into its own format. [`TerminalReporter`] draws a
//! run's progress and summary from its [`Event`](crate::results::Event)s; [`FileReporter`]
//! writes one file format ([`Format`]: JSON, JUnit, Markdown, HTML) when the run ends, and
//! [`render`] turns a saved [`Report`] into any of them (`hookcheck report --from`). A
//! run's report ([`RunReport`]), a campaign's ([`fuzz`]), a replay's ([`replay`]), a load
//! run's ([`load`]) and a diff ([`diff`]) each implement [`Render`] for every format, and
//! every command writes every format through the one writer, [`write_any`].
//! A new format never touches the runner. The JSON format is documented in
//! [`crate::results`], where it is defined; every format cites the contract ([`contract`])
//! and says the verdict with [`verdict::verdict_line`].

pub mod bodies;
pub mod contract;
pub mod diff;
pub mod fuzz;
mod html;
mod html_table;
mod junit;
pub mod load;
mod markdown;
mod markdown_table;
mod outage;
mod output;
mod progress;
mod render;
pub mod replay;
mod style;
mod svg;
pub(crate) mod terminal;
#[cfg(test)]
mod tests;
pub mod verdict;

use std::io;

pub use output::{Destination, Format, Output, OutputError, check_outputs, write_output};
pub use progress::Progress;
pub use render::{Render, pretty_json, write_any};
pub use style::ColorChoice;
pub use terminal::{TerminalOptions, TerminalReporter, write_summary};

use crate::results::{Event, Report, Reporter};

/// A run's report for the writer (`hookcheck run` and `hookcheck report`); `strict` counts
/// a warn as a failure where the format grades (JUnit).
#[derive(Debug, Clone, Copy)]
pub struct RunReport<'a> {
    /// The report.
    pub report: &'a Report,
    /// `--strict`.
    pub strict: bool,
}

impl Render for RunReport<'_> {
    fn json(&self) -> io::Result<String> {
        pretty_json(self.report)
    }

    fn junit(&self) -> io::Result<String> {
        junit::render(self.report, self.strict)
    }

    fn markdown(&self) -> String {
        markdown::render(self.report)
    }

    fn html(&self) -> String {
        html::render(self.report)
    }
}

/// Renders a run's report in one file format. `strict` counts a warn as a failure where the
/// format grades (JUnit).
pub fn render(format: Format, report: &Report, strict: bool) -> io::Result<String> {
    RunReport { report, strict }.render(format)
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

/// Renders and writes one run's report.
pub fn write_report(output: &Output, report: &Report, strict: bool) -> Result<(), OutputError> {
    write_any(output, &RunReport { report, strict })
}
