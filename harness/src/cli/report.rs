//! `hookcheck report --from run.json`: render a saved JSON report in any format.

use std::path::PathBuf;

use crate::cli::CliError;
use crate::cli::output::{ColorArg, ReportFiles, read_report};
use crate::exit_codes;
use crate::report::{TerminalOptions, check_outputs, write_report, write_summary};

const EXAMPLES: &str = "\
Examples:
  hookcheck run --seed 1 --json run.json
  hookcheck report --from run.json                          # the terminal summary again
  hookcheck report --from run.json --markdown run.md --html run.html
  hookcheck report --from run.json --markdown - >> \"$GITHUB_STEP_SUMMARY\"

Exit codes: 0 written, 2 the JSON cannot be read or a report cannot be written.";

/// Arguments of `hookcheck report`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct ReportArgs {
    /// The JSON report a run wrote (`hookcheck run --json PATH`).
    #[arg(long, value_name = "PATH")]
    pub from: PathBuf,

    /// Count a warn as a failure in the JUnit file, as `run --strict` does.
    #[arg(long)]
    pub strict: bool,

    #[command(flatten)]
    pub files: ReportFiles,

    #[command(flatten)]
    pub color: ColorArg,
}

/// Runs `hookcheck report`. Without a report flag it prints the terminal summary.
pub fn run(args: &ReportArgs) -> i32 {
    match execute(args) {
        Ok(()) => exit_codes::OK,
        Err(message) => CliError::Usage(message).report(),
    }
}

fn execute(args: &ReportArgs) -> Result<(), String> {
    let report = read_report(&args.from, "--from")?;
    let outputs = args.files.outputs();
    check_outputs(&outputs).map_err(|e| e.to_string())?;
    if outputs.is_empty() {
        let options = TerminalOptions {
            color: args.color.stdout_color(),
            report_files: vec![args.from.display().to_string()],
        };
        return write_summary(&mut std::io::stdout().lock(), &report, &options)
            .map_err(|e| format!("failed to write the summary: {e}"));
    }
    for output in &outputs {
        write_report(output, &report, args.strict).map_err(|e| e.to_string())?;
    }
    Ok(())
}
