//! `hookcheck diff OLD.json NEW.json`: what changed between two runs, check by check.

use std::path::PathBuf;

use crate::cli::CliError;
use crate::cli::output::{ColorArg, ReportFiles, read_report};
use crate::diff::Diff;
use crate::exit_codes;
use crate::report::diff::diff_text;
use crate::report::{check_outputs, write_any};

const EXAMPLES: &str = "\
Examples:
  hookcheck diff reports/baseline.json run.json
  hookcheck diff old.json new.json --markdown diff.md --json diff.json
  hookcheck diff old.json new.json --junit diff.xml --html diff.html

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

    #[command(flatten)]
    pub files: ReportFiles,

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
    let outputs = args.files.outputs();
    check_outputs(&outputs).map_err(|e| e.to_string())?;
    for output in &outputs {
        write_any(output, &diff).map_err(|e| e.to_string())?;
    }
    if !args.files.to_stdout() {
        print!("{}", diff_text(&diff, args.color.stdout_color()));
    }
    Ok(diff)
}
