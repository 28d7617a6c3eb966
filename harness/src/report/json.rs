//! The JSON reporter: writes the [`Report`](crate::results::Report) to a file when the run ends.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use crate::results::{Event, Reporter};

/// Writes the whole report as pretty JSON to a path at the end of the run.
pub struct JsonReporter {
    path: PathBuf,
}

impl JsonReporter {
    /// A reporter that will write to `path`, replacing it.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        JsonReporter { path: path.into() }
    }
}

impl Reporter for JsonReporter {
    fn on_event(&mut self, event: &Event<'_>) -> io::Result<()> {
        let Event::RunFinished(report) = event else {
            return Ok(());
        };
        // Write beside the target and rename, so a reader never sees half a report.
        let tmp = self.path.with_extension("json.tmp");
        {
            let mut out = BufWriter::new(File::create(&tmp)?);
            serde_json::to_writer_pretty(&mut out, report)?;
            out.write_all(b"\n")?;
            out.flush()?;
        }
        std::fs::rename(&tmp, &self.path)
    }
}
