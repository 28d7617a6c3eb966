//! The renderers: each turns a verdict into its own format. [`TerminalReporter`] draws a
//! run's progress and summary from its [`Event`](crate::results::Event)s; [`FileReporter`]
//! writes one file format ([`Format`]: JSON, JUnit, Markdown, HTML) when the run ends, and
//! [`render`] turns a saved [`Report`] into any of them (`hookcheck report --from`). A
//! campaign's report ([`fuzz`]), a replay's ([`replay`]), a load run's ([`load`]) and a diff
//! ([`diff`]) have renderers for every format too, and every command writes every format through [`write_any`] ([`output`]'s writer).
//! A new format never touches the runner. The JSON format is documented in
//! [`crate::results`], where it is defined; every format cites the contract ([`contract`])
//! and says the verdict with [`verdict::verdict_line`].

pub mod contract;
pub mod diff;
pub mod fuzz;
mod html;
mod json;
mod junit;
pub mod load;
mod markdown;
mod output;
mod progress;
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
pub use style::ColorChoice;
pub use terminal::{TerminalOptions, TerminalReporter, write_summary};

use crate::diff::Diff;
use crate::fuzz::{FuzzReport, ReplayReport};
use crate::load::LoadReport;
use crate::results::{Event, Report, Reporter};

/// A verdict a command reached, for the writer: a run's report (with `--strict` or not), a
/// fuzzing campaign's or a replay's, a load run's, two runs compared.
#[derive(Debug, Clone, Copy)]
pub enum AnyReport<'a> {
    /// `hookcheck run` and `hookcheck report`; `strict` counts a warn as a failure in JUnit.
    Run {
        /// The report.
        report: &'a Report,
        /// `--strict`.
        strict: bool,
    },
    /// `hookcheck fuzz`.
    Fuzz(&'a FuzzReport),
    /// `hookcheck load`.
    Load(&'a LoadReport),
    /// `hookcheck fuzz --replay`.
    Replay(&'a ReplayReport),
    /// `hookcheck diff`.
    Diff(&'a Diff),
}

impl AnyReport<'_> {
    /// The report in one file format.
    pub fn render(self, format: Format) -> io::Result<String> {
        match self {
            AnyReport::Run { report, strict } => render(format, report, strict),
            AnyReport::Fuzz(report) => fuzz::render(format, report),
            AnyReport::Load(report) => load::render(format, report),
            AnyReport::Replay(report) => replay::render(format, report),
            AnyReport::Diff(diff) => diff::render(format, diff),
        }
    }
}

/// Renders and writes one report of any command, through [`write_output`]: `-` is stdout,
/// a regular file is replaced whole, a device or FIFO is written in place.
pub fn write_any(output: &Output, report: AnyReport<'_>) -> Result<(), OutputError> {
    let text = report
        .render(output.format)
        .map_err(|source| OutputError::Write {
            format: output.format,
            destination: output.destination.clone(),
            source,
        })?;
    write_output(output, text.as_bytes())
}

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

/// Renders and writes one run's report.
pub fn write_report(output: &Output, report: &Report, strict: bool) -> Result<(), OutputError> {
    write_any(output, AnyReport::Run { report, strict })
}
