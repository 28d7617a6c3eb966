//! `hookcheck list`: the requirement catalogue, as text or JSON.

use std::io::{self, Write};

use serde::Serialize;

use crate::catalogue::sender::SENDER_REQUIREMENTS;
use crate::catalogue::{Category, Level, Requirement, requirements};
use crate::exit_codes;
use crate::profile::Profile;
use crate::report::pretty_json;
use crate::report::terminal::para;

/// Arguments of `hookcheck list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Print the catalogue as JSON: an array of requirements, each with its check ids.
    #[arg(long)]
    pub json: bool,

    /// The contract whose requirements to list: `cr3dentials` or `standard-webhooks`.
    #[arg(long, value_name = "NAME", default_value_t = Profile::Cr3dentials)]
    pub profile: Profile,

    /// List what `hookcheck capture` grades a sender against, instead of a receiver's
    /// requirements.
    #[arg(long, conflicts_with = "profile")]
    pub sender: bool,
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
    let catalogue = if args.sender {
        SENDER_REQUIREMENTS
    } else {
        requirements(args.profile)
    };
    let written = if args.json {
        write_json(&mut out, catalogue)
    } else {
        write_text(&mut out, catalogue)
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

/// Writes a catalogue as JSON.
pub fn write_json(out: &mut dyn Write, catalogue: &[Requirement]) -> io::Result<()> {
    let listed: Vec<Listed<'_>> = catalogue.iter().map(Listed::from).collect();
    out.write_all(pretty_json(&listed)?.as_bytes())
}

/// Writes a catalogue as text, grouped by category, in 80 columns.
pub fn write_text(out: &mut dyn Write, catalogue: &[Requirement]) -> io::Result<()> {
    const INDENT: &str = "         ";
    for category in Category::ALL {
        if !catalogue.iter().any(|r| r.category == category) {
            continue;
        }
        writeln!(out, "{category}")?;
        for r in catalogue.iter().filter(|r| r.category == category) {
            writeln!(out, "  {:<6} {}", r.level.to_string(), r.id)?;
            para(out, INDENT, &format!("{} ({})", r.text, r.clause), INDENT)?;
            match r.unchecked {
                Some(reason) => para(out, &format!("{INDENT}not checked: "), reason, INDENT)?,
                None => {
                    let checks = r.check_ids();
                    if checks.len() > 1 {
                        let variants: Vec<&str> =
                            checks.iter().map(|c| &c[r.id.len() + 1..]).collect();
                        let head = format!("{INDENT}checks: ");
                        para(out, &head, &variants.join(", "), INDENT)?;
                    }
                }
            }
        }
        writeln!(out)?;
    }
    let checks: usize = catalogue.iter().map(|r| r.check_ids().len()).sum();
    writeln!(out, "{} requirements, {checks} checks", catalogue.len())
}

#[cfg(test)]
mod tests {
    use crate::catalogue::requirements;
    use crate::profile::Profile;

    fn text(profile: Profile) -> String {
        let mut out = Vec::new();
        super::write_text(&mut out, requirements(profile)).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_catalogue_text_fits_80_columns_and_names_every_check() {
        for profile in Profile::ALL {
            for line in text(profile).lines() {
                assert!(line.chars().count() <= 80, "{line}");
            }
        }
        let text = text(Profile::Cr3dentials);
        assert!(text.contains("idempotency/exactly-once\n"));
        assert!(text.contains(" after-retry-delay"));
    }

    #[test]
    fn the_standard_webhooks_catalogue_lists_its_own_requirements_only() {
        let text = text(Profile::StandardWebhooks);
        assert!(text.contains("signature/forgery-refused\n"), "{text}");
        assert!(text.contains("tampered-body"));
        assert!(text.contains("[SW-8]"));
        assert!(!text.contains("idempotency/exactly-once"));
    }
}
