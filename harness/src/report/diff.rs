//! A [`Diff`] for people and tools: terminal lines, and every file format (JSON, JUnit with
//! a failing test case per new failure, Markdown, one HTML page).

use std::fmt::Write as _;
use std::io;

use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};

use super::html::page_start;
use super::html_table::{self, Cell, esc};
use super::markdown_table::{self, cell};
use super::render::{Render, junit_xml, pretty_json};
use crate::diff::{Change, ChangeKind, Diff};
use crate::report::style::Paint;
use crate::results::Outcome;

impl Render for Diff {
    /// The diff as pretty JSON: `old`, `new`, `strict`, `changes` (`kind`, `id`, `old`,
    /// `new`, `actual`), `stillFailing`, `unchanged`.
    fn json(&self) -> io::Result<String> {
        pretty_json(self)
    }

    fn junit(&self) -> io::Result<String> {
        diff_junit(self)
    }

    fn markdown(&self) -> String {
        diff_markdown(self)
    }

    fn html(&self) -> String {
        diff_html(self)
    }
}

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
fn diff_markdown(diff: &Diff) -> String {
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
        let _ = writeln!(out, "\n## {} ({})\n", kind.title(), changes.len());
        markdown_table::head(&mut out, &COLUMNS, COLUMNS.len());
        for change in changes {
            markdown_table::row(
                &mut out,
                &[
                    format!("`{}`", change.id),
                    word(change.old).to_owned(),
                    word(change.new).to_owned(),
                    cell(&change.actual),
                ],
            );
        }
    }
    out
}

/// JUnit XML: a test case per changed check, a failure for each new failure (what the
/// check did now is its description), the other changes passing with what changed in
/// their system-out, so the CI view agrees with the exit code.
fn diff_junit(diff: &Diff) -> io::Result<String> {
    let mut junit = JunitReport::new("hookcheck diff");
    let mut suite = TestSuite::new("diff");
    for change in &diff.changes {
        let moved = format!(
            "{}: {} → {}",
            change.kind.title(),
            word(change.old),
            word(change.new)
        );
        let status = if change.kind == ChangeKind::NewFailure {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(moved.clone());
            status.set_description(change.actual.clone());
            status
        } else {
            TestCaseStatus::success()
        };
        let mut case = TestCase::new(change.id.as_str(), status);
        case.set_classname(format!("hookcheck.diff.{}", change.kind));
        if change.kind != ChangeKind::NewFailure {
            case.set_system_out(moved);
        }
        suite.add_test_case(case);
    }
    junit.add_test_suite(suite);
    junit_xml(&junit)
}

/// The diff as one self-contained HTML page: the verdict, then a table per kind of change.
fn diff_html(diff: &Diff) -> String {
    let mut out = String::with_capacity(8 * 1024);
    let regressed = diff.regressions().next().is_some();
    let runs = format!(
        "old run {} ({}, {}) · new run {} ({}, {})",
        diff.old.started_at,
        diff.old.target,
        diff.old.verdict,
        diff.new.started_at,
        diff.new.target,
        diff.new.verdict
    );
    page_start(
        &mut out,
        &format!("hookcheck diff: {}", esc(&diff.new.target)),
        if regressed { "bad" } else { "ok" },
        "hookcheck diff",
        &diff_verdict(diff),
        Some(&runs),
    );
    for kind in ChangeKind::ALL {
        let changes: Vec<&Change> = diff.of_kind(kind).collect();
        if changes.is_empty() {
            continue;
        }
        let _ = write!(out, "<h2>{} ({})</h2>", kind.title(), changes.len());
        html_table::head(&mut out, None, &COLUMNS, COLUMNS.len());
        for change in changes {
            let outcome = change.new.or(change.old).unwrap_or(Outcome::Skip);
            html_table::row(
                &mut out,
                &[
                    Cell::td(format!("<code>{}</code>", esc(&change.id))),
                    Cell::td(word(change.old)),
                    Cell::td(word(change.new)).class(format!("o {outcome}")),
                    Cell::td(esc(&change.actual)),
                ],
            );
        }
        html_table::end(&mut out);
    }
    out.push_str("</body></html>\n");
    out
}

/// The columns of a table of changes.
const COLUMNS: [&str; 4] = ["check", "before", "now", "actual"];

fn word(outcome: Option<Outcome>) -> &'static str {
    outcome.map_or("-", Outcome::as_str)
}
