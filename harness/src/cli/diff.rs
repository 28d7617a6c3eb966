//! `hookcheck diff OLD.json NEW.json`: what changed between two runs, check by check.

use std::path::PathBuf;

use crate::cli::CliError;
use crate::cli::output::{ColorArg, read_report};
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
    pub color: ColorArg,
}

/// Runs `hookcheck diff`.
pub fn run(args: &DiffArgs) -> i32 {
    match execute(args) {
        Ok(diff) if diff.regressions().next().is_some() => exit_codes::FAILED,
        Ok(_) => exit_codes::OK,
        Err(message) => CliError::Usage(message).report(),
    }
}

fn execute(args: &DiffArgs) -> Result<Diff, String> {
    let old = read_report(&args.old, "OLD")?;
    let new = read_report(&args.new, "NEW")?;
    let diff = Diff::between(&old, &new, args.strict);
    let mut outputs: Vec<(Output, String)> = Vec::new();
    let output = |format, path: &std::path::Path| Output {
        format,
        destination: Destination::from_arg(path),
    };
    if let Some(path) = &args.markdown {
        outputs.push((output(Format::Markdown, path), diff_markdown(&diff)));
    }
    if let Some(path) = &args.json {
        let text = diff_json(&diff).map_err(|e| e.to_string())?;
        outputs.push((output(Format::Json, path), text));
    }
    let places: Vec<Output> = outputs.iter().map(|(o, _)| o.clone()).collect();
    check_outputs(&places).map_err(|e| e.to_string())?;
    for (output, text) in &outputs {
        write_output(output, text.as_bytes()).map_err(|e| e.to_string())?;
    }
    let to_stdout = places.iter().any(|o| o.destination == Destination::Stdout);
    if !to_stdout {
        print!("{}", diff_text(&diff, args.color.stdout_color()));
    }
    Ok(diff)
}
