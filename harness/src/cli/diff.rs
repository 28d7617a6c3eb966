//! `hookcheck diff OLD.json NEW.json`: what changed between two runs, check by check.

use std::path::PathBuf;

use crate::cli::output::{TerminalArgs, read_report};
use crate::cli::report_error;
use crate::diff::Diff;
use crate::exit_codes;
use crate::report::diff::{diff_json, diff_markdown, diff_text};
use crate::report::{Destination, Format, Output, check_outputs, write_output};

const EXAMPLES: &str = "\
Examples:
  hookcheck diff reports/baseline.json run.json
  hookcheck diff old.json new.json --markdown diff.md --json diff.json

Exit codes: 0 no new failure, 1 a check fails now that did not before (or a new check
fails), 2 a report cannot be read or written.";

/// Arguments of `hookcheck diff`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct DiffArgs {
    /// The older JSON report.
    #[arg(value_name = "OLD.json")]
    pub old: PathBuf,

    /// The newer JSON report.
    #[arg(value_name = "NEW.json")]
    pub new: PathBuf,

    /// Count a SHOULD broken (a warn) as a failure.
    #[arg(long)]
    pub strict: bool,

    /// Also write the diff as Markdown to this file (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    pub markdown: Option<PathBuf>,

    /// Also write the diff as JSON to this file (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,

    #[command(flatten)]
    pub terminal: TerminalArgs,
}

/// Runs `hookcheck diff`.
pub fn run(args: &DiffArgs) -> i32 {
    match execute(args) {
        Ok(diff) if diff.regressions().next().is_some() => exit_codes::FAILED,
        Ok(_) => exit_codes::OK,
        Err(message) => {
            report_error(&message);
            exit_codes::USAGE
        }
    }
}

fn execute(args: &DiffArgs) -> Result<Diff, String> {
    let old = read_report(&args.old, "OLD")?;
    let new = read_report(&args.new, "NEW")?;
    let diff = Diff::between(&old, &new, args.strict);
    let outputs: Vec<Output> = [
        (Format::Markdown, &args.markdown),
        (Format::Json, &args.json),
    ]
    .into_iter()
    .filter_map(|(format, path)| {
        path.as_deref().map(|p| Output {
            format,
            destination: Destination::from_arg(p),
        })
    })
    .collect();
    check_outputs(&outputs).map_err(|e| e.to_string())?;
    for output in &outputs {
        let text = match output.format {
            Format::Json => diff_json(&diff).map_err(|e| e.to_string())?,
            _ => diff_markdown(&diff),
        };
        write_output(output, text.as_bytes()).map_err(|e| e.to_string())?;
    }
    let to_stdout = outputs.iter().any(|o| o.destination == Destination::Stdout);
    if !to_stdout {
        print!("{}", diff_text(&diff, args.terminal.stdout_color()));
    }
    Ok(diff)
}
