//! `hookcheck explain ID`: a requirement or check explained, like `rustc --explain`: the
//! requirement, its clauses from `CONTRACT.md`, why it matters, how receivers (or senders) break it and
//! how to fix it.

use std::io::{self, Write};

use crate::exit_codes;
use crate::explain::{Explained, explain};
use crate::report::contract::documents;
use crate::report::terminal::para;

/// Arguments of `hookcheck explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A requirement id (`idempotency/exactly-once`) or check id
    /// (`idempotency/exactly-once/concurrent`), as `hookcheck list` and every report name
    /// them.
    #[arg(value_name = "ID")]
    pub id: String,
}

/// Runs `hookcheck explain`.
pub fn run(args: &ExplainArgs) -> i32 {
    let explained = match explain(&args.id) {
        Ok(explained) => explained,
        Err(e) => {
            super::report_error(&e);
            return exit_codes::USAGE;
        }
    };
    match write(&mut io::stdout().lock(), &explained) {
        Ok(()) => exit_codes::OK,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => exit_codes::OK,
        Err(e) => {
            super::report_error(&format!("failed to write the explanation: {e}"));
            exit_codes::UNAVAILABLE
        }
    }
}

/// Writes the explanation as 80-column text.
pub fn write(out: &mut dyn Write, explained: &Explained) -> io::Result<()> {
    let requirement = explained.requirement;
    writeln!(
        out,
        "{} ({}, {})",
        requirement.id, requirement.level, requirement.category
    )?;
    if let Some(check) = &explained.check {
        writeln!(out, "  check: {check}")?;
    }
    para(out, "  ", requirement.text, "  ")?;
    if let Some(reason) = requirement.unchecked {
        para(out, "  not checked: ", reason, "  ")?;
    }
    for cited in &explained.contracts {
        let files = documents(cited.clauses.iter().map(|(clause, _)| clause)).join(", ");
        writeln!(out)?;
        let heading = format!("The contract ({files}, {}):", cited.clause);
        para(out, "", &heading, "  ")?;
        // Each clause's text opens with its own label (`§3 ¶3.`, `[D-10]`).
        for (_, text) in &cited.clauses {
            let text = text.replace("**", "").replace('\n', " ");
            para(out, "  ", &text, "    ")?;
        }
    }
    let explanation = explained.explanation;
    for (head, text) in [
        ("Why it matters", explanation.why),
        ("How it breaks", explanation.breaks),
        ("How to fix it", explanation.fix),
    ] {
        writeln!(out, "\n{head}:")?;
        para(out, "  ", text, "  ")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(id: &str) -> String {
        let mut out = Vec::new();
        write(&mut out, &explain(id).unwrap()).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn an_explanation_quotes_the_contract_and_says_how_to_fix_it() {
        let text = text("idempotency/exactly-once/after-retry-delay");
        assert!(text.starts_with("idempotency/exactly-once (MUST, idempotency)\n"));
        assert!(text.contains("  check: idempotency/exactly-once/after-retry-delay\n"));
        assert!(text.contains("\n  §3 ¶3. Exactly once. It MUST process each `sessionId`"));
        assert!(text.contains("\n  [D-10] A session has one terminal event"));
        assert!(text.contains("How to fix it:\n"));
        assert!(!text.contains("<a id="), "{text}");
    }

    #[test]
    fn every_explanation_fits_80_columns() {
        let profiles = crate::profile::Profile::ALL;
        for id in profiles.map(crate::catalogue::check_ids_of).concat() {
            for line in text(&id).lines() {
                // A single word longer than the line (a URL, a long code span) may overflow.
                let words = line.split(' ').filter(|w| !w.is_empty()).count();
                assert!(
                    line.chars().count() <= 80 || words <= 1,
                    "`{id}`: {line:?} is wider than 80 columns"
                );
            }
        }
    }
}
