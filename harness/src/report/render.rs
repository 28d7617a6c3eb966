//! One rendering path for every verdict a command reaches: a run's report, a fuzzing
//! campaign's, a replay's, a load run's and a diff each implement [`Render`] (one method per
//! file format), and [`write_any`] writes any of them in any format through
//! [`write_output`]. The format is chosen in one place ([`Render::render`]); JSON is the
//! model itself through [`pretty_json`], and JUnit XML is serialized through [`junit_xml`].

use std::io;

use quick_junit::Report as JunitReport;
use serde::Serialize;

use super::output::{Format, Output, OutputError, write_output};

/// A verdict that can be written in every file format.
pub trait Render {
    /// The JSON format: the model itself ([`pretty_json`]).
    fn json(&self) -> io::Result<String>;
    /// JUnit XML for CI test views, graded so the CI view agrees with the exit code.
    fn junit(&self) -> io::Result<String>;
    /// Markdown for a CI job summary or a pull-request comment.
    fn markdown(&self) -> String;
    /// One self-contained HTML page.
    fn html(&self) -> String;

    /// The verdict in one file format.
    fn render(&self, format: Format) -> io::Result<String> {
        match format {
            Format::Json => self.json(),
            Format::Junit => self.junit(),
            Format::Markdown => Ok(self.markdown()),
            Format::Html => Ok(self.html()),
        }
    }
}

/// A value as pretty JSON, newline-terminated: how every JSON report is written.
pub fn pretty_json<T: Serialize + ?Sized>(value: &T) -> io::Result<String> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}

/// A JUnit report as XML.
pub fn junit_xml(junit: &JunitReport) -> io::Result<String> {
    junit
        .to_string()
        .map_err(|e| io::Error::other(e.to_string()))
}

/// Renders and writes one report of any command: `-` is stdout, a regular file is replaced
/// whole, a device or FIFO is written in place.
pub fn write_any(output: &Output, report: &dyn Render) -> Result<(), OutputError> {
    let text = report
        .render(output.format)
        .map_err(|source| OutputError::Write {
            format: output.format,
            destination: output.destination.clone(),
            source,
        })?;
    write_output(output, text.as_bytes())
}
