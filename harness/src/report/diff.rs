//! A [`Diff`] for people and tools: terminal lines, Markdown, JSON.

use std::fmt::Write as _;
use std::io;

use crate::diff::{Change, ChangeKind, Diff};
use crate::report::style::Paint;
use crate::results::Outcome;

/// One line that says whether the new run regressed.
pub fn diff_verdict(diff: &Diff) -> String {
    let regressions = diff.regressions().count();
    let fixed = diff.of_kind(ChangeKind::Fixed).count();
    match regressions {
        0 => format!(
            "baseline: no new failures ({fixed} fixed, {} known failures remain)",
            diff.still_failing
        ),
        n => format!(
            "baseline: {n} new failure{} ({fixed} fixed, {} known failures remain)",
            if n == 1 { "" } else { "s" },
            diff.still_failing
        ),
    }
}

/// The diff as terminal text (colour when `color`).
pub fn diff_text(diff: &Diff, color: bool) -> String {
    let paint = Paint(color);
    let mut out = format!(
        "old run  {} ({})\nnew run  {} ({})\n",
        diff.old.started_at, diff.old.verdict, diff.new.started_at, diff.new.verdict
    );
    for kind in ChangeKind::ALL {
        let changes: Vec<&Change> = diff.of_kind(kind).collect();
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{} ({}):", paint.bold(kind.title()), changes.len());
        for change in changes {
            let outcome = change.new.or(change.old).unwrap_or(Outcome::Skip);
            let word = format!("{:>5} → {:<5}", word(change.old), word(change.new));
            let _ = writeln!(out, "  {} {}", paint.outcome(outcome, &word), change.id);
        }
    }
    let _ = writeln!(out, "\n{}", diff_verdict(diff));
    out
}

/// The diff as Markdown.
pub fn diff_markdown(diff: &Diff) -> String {
    let mut out = format!(
        "# hookcheck: compliance diff\n\n**{}**\n\nOld run: {} (`{}`, {}). New run: {} (`{}`, {}).\n",
        diff_verdict(diff),
        diff.old.started_at,
        diff.old.target,
        diff.old.verdict,
        diff.new.started_at,
        diff.new.target,
        diff.new.verdict
    );
    for kind in ChangeKind::ALL {
        let changes: Vec<&Change> = diff.of_kind(kind).collect();
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n## {} ({})\n\n| check | before | now | actual |\n|---|---|---|---|",
            kind.title(),
            changes.len()
        );
        for change in changes {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                change.id,
                word(change.old),
                word(change.new),
                change
                    .actual
                    .replace('|', "\\|")
                    .replace('<', "&lt;")
                    .replace('\n', "<br>")
            );
        }
    }
    out
}

/// The diff as pretty JSON: `old`, `new`, `strict`, `changes` (`kind`, `id`, `old`, `new`,
/// `actual`), `stillFailing`, `unchanged`.
pub fn diff_json(diff: &Diff) -> io::Result<String> {
    let mut text = serde_json::to_string_pretty(diff)?;
    text.push('\n');
    Ok(text)
}

fn word(outcome: Option<Outcome>) -> &'static str {
    outcome.map_or("-", Outcome::as_str)
}
