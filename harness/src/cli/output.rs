//! Flags shared by the commands that give a verdict (`run`, `report`, `fuzz`, `load`,
//! `diff`): the report files, each written through [`crate::report::write_any`], and how
//! the terminal output looks; and reading a saved JSON report.

use std::path::{Path, PathBuf};

use crate::report::{
    ColorChoice, Destination, FileReporter, Format, Output, Progress, TerminalOptions,
    TerminalReporter,
};
use crate::results::{Report, Reporter};

/// The report files to write (`-` is stdout): every format, for every command that gives a
/// verdict.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReportFiles {
    /// Write the report as JSON to this file (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,

    /// Write the report as JUnit XML to this file (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,

    /// Write the report as Markdown, for a CI job summary or a PR comment (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    pub markdown: Option<PathBuf>,

    /// Write the report as one self-contained HTML page (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    pub html: Option<PathBuf>,
}

impl ReportFiles {
    /// The requested outputs, in format order.
    pub fn outputs(&self) -> Vec<Output> {
        let paths = [&self.json, &self.junit, &self.markdown, &self.html];
        Format::ALL
            .into_iter()
            .zip(paths)
            .filter_map(|(format, path)| {
                path.as_deref().map(|path| Output {
                    format,
                    destination: Destination::from_arg(path),
                })
            })
            .collect()
    }

    /// Whether a report goes to stdout (`-`), where the summary would otherwise go.
    pub fn to_stdout(&self) -> bool {
        self.outputs()
            .iter()
            .any(|o| o.destination == Destination::Stdout)
    }

    /// Where the terminal summary goes: stdout, unless a report goes there (`--json -`),
    /// then stderr.
    pub fn summary_stream(&self) -> Box<dyn std::io::Write + Send> {
        if self.to_stdout() {
            Box::new(std::io::stderr())
        } else {
            Box::new(std::io::stdout())
        }
    }

    /// The files a summary can point a reader to, the most readable first: Markdown, HTML,
    /// JSON (stdout is not one, nor is JUnit, which keeps findings but not every repro).
    pub fn file_names(&self) -> Vec<String> {
        [&self.markdown, &self.html, &self.json]
            .into_iter()
            .flatten()
            .filter(|path| path.as_os_str() != "-")
            .map(|path| path.display().to_string())
            .collect()
    }
}

/// `--color`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ColorArg {
    /// Colour the terminal output: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_name = "WHEN", value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

impl ColorArg {
    /// Whether stdout gets colour.
    pub fn stdout_color(&self) -> bool {
        use std::io::IsTerminal;
        self.color.enabled(std::io::stdout().is_terminal())
    }
}

/// `--quiet`, for every command that prints progress (`run`, `fuzz`, `load`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct QuietArg {
    /// Print only the summary: no progress.
    #[arg(long, short)]
    pub quiet: bool,
}

/// How a run's terminal output looks: colour and progress.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TerminalArgs {
    #[command(flatten)]
    pub color: ColorArg,

    #[command(flatten)]
    pub quiet: QuietArg,
}

impl TerminalArgs {
    /// Whether stdout gets colour.
    pub fn stdout_color(&self) -> bool {
        self.color.stdout_color()
    }

    /// Whether progress is left out.
    pub fn quiet(&self) -> bool {
        self.quiet.quiet
    }
}

/// Reads a JSON report a run wrote, naming the flag it came from in the error.
pub fn read_report(path: &Path, what: &str) -> Result<Report, String> {
    let text =
        std::fs::read(path).map_err(|e| format!("cannot read {what} {}: {e}", path.display()))?;
    serde_json::from_slice(&text).map_err(|e| {
        format!(
            "{what} {} is not a hookcheck JSON report (`hookcheck run --json PATH` writes one): {e}",
            path.display()
        )
    })
}

/// The reporters of a command that grades into a run [`Report`]: the terminal summary (with
/// progress on stderr) and one file reporter per report file.
pub fn reporters(
    terminal: &TerminalArgs,
    files: &ReportFiles,
    strict: bool,
) -> Vec<Box<dyn Reporter>> {
    let color = terminal.stdout_color();
    let options = TerminalOptions {
        color,
        report_files: files.file_names(),
    };
    let progress = Progress::for_stderr(terminal.quiet(), color);
    let mut reporters: Vec<Box<dyn Reporter>> = vec![Box::new(TerminalReporter::new(
        files.summary_stream(),
        progress,
        options,
    ))];
    for output in files.outputs() {
        reporters.push(Box::new(FileReporter::new(output, strict)));
    }
    reporters
}
