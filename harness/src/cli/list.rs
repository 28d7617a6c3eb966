//! `hookcheck list`: the requirement catalogue, as text or JSON.

use std::io::{self, Write};

use serde::Serialize;

use crate::catalogue::{Category, Level, REQUIREMENTS, Requirement};
use crate::exit_codes;

/// Arguments of `hookcheck list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Print the catalogue as JSON: an array of requirements, each with its check ids.
    #[arg(long)]
    pub json: bool,
}

/// One requirement as `list --json` prints it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Listed<'a> {
    id: &'a str,
    category: Category,
    level: Level,
    requirement: &'a str,
    clause: &'a str,
    checks: Vec<String>,
    unchecked: Option<&'a str>,
}

impl<'a> From<&'a Requirement> for Listed<'a> {
    fn from(r: &'a Requirement) -> Self {
        Listed {
            id: r.id,
            category: r.category,
            level: r.level,
            requirement: r.text,
            clause: r.clause,
            checks: r.check_ids(),
            unchecked: r.unchecked,
        }
    }
}

/// Runs `hookcheck list`.
pub fn run(args: &ListArgs) -> i32 {
    let mut out = io::stdout().lock();
    let written = if args.json {
        write_json(&mut out)
    } else {
        write_text(&mut out)
    };
    match written {
        Ok(()) => exit_codes::OK,
        // A closed pipe (`hookcheck list | head`) is not an error worth a message.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => exit_codes::OK,
        Err(e) => {
            super::report_error(&format!("failed to write the catalogue: {e}"));
            exit_codes::UNAVAILABLE
        }
    }
}

/// Writes the catalogue as JSON.
pub fn write_json(out: &mut dyn Write) -> io::Result<()> {
    let listed: Vec<Listed<'_>> = REQUIREMENTS.iter().map(Listed::from).collect();
    serde_json::to_writer_pretty(&mut *out, &listed)?;
    writeln!(out)
}

/// Writes the catalogue as text, grouped by category.
pub fn write_text(out: &mut dyn Write) -> io::Result<()> {
    for category in Category::ALL {
        writeln!(out, "{category}")?;
        for r in REQUIREMENTS.iter().filter(|r| r.category == category) {
            writeln!(out, "  {:<6} {}", r.level.to_string(), r.id)?;
            writeln!(out, "         {} ({})", r.text, r.clause)?;
            match r.unchecked {
                Some(reason) => writeln!(out, "         not checked: {reason}")?,
                None => {
                    let checks = r.check_ids();
                    if checks.len() > 1 {
                        let variants: Vec<&str> =
                            checks.iter().map(|c| &c[r.id.len() + 1..]).collect();
                        writeln!(out, "         checks: {}", variants.join(", "))?;
                    }
                }
            }
        }
        writeln!(out)?;
    }
    let checks: usize = REQUIREMENTS.iter().map(|r| r.check_ids().len()).sum();
    writeln!(out, "{} requirements, {checks} checks", REQUIREMENTS.len())
}
