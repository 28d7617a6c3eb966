//! The renderers of a replay's [`ReplayReport`] (`hookcheck fuzz --replay FILE`): the
//! terminal lines, JSON (the model itself), JUnit (a test case for the case's invariant,
//! one for each other invariant it broke), Markdown and one HTML page. Every format ends on
//! the same result: the case broke again, held, or has no verdict.

use std::fmt::Write as _;
use std::io;

use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};

use super::fuzz::outcome_word;
use super::html::page_start;
use super::html_table::{self, Cell, esc};
use super::markdown_table::{self, cell};
use super::render::{Render, junit_xml, pretty_json};
use crate::fuzz::{Level, ReplayReport, Violation};

impl Render for ReplayReport {
    fn json(&self) -> io::Result<String> {
        pretty_json(self)
    }

    fn junit(&self) -> io::Result<String> {
        junit(self)
    }

    fn markdown(&self) -> String {
        markdown(self)
    }

    fn html(&self) -> String {
        html(self)
    }
}

/// `replay: INVARIANT broke again`, `… held` or `… no verdict: why`.
pub fn result_line(report: &ReplayReport) -> String {
    let result = match (&report.no_verdict, report.reproduced) {
        (_, true) => "broke again".to_owned(),
        (Some(why), false) => format!("no verdict: {why}"),
        (None, false) => "held".to_owned(),
    };
    format!("replay: {} {result}", report.invariant)
}

/// The columns of the table of broken invariants.
const COLUMNS: [&str; 6] = ["invariant", "level", "step", "sent", "expected", "actual"];

/// The step a violation shows in, `-` when it is the whole sequence's.
fn step(violation: &Violation) -> String {
    violation.step.map_or("-".to_owned(), |s| s.to_string())
}

/// The terminal lines of a replay: each broken invariant, unread counts, the result.
pub fn summary(report: &ReplayReport) -> String {
    let mut out = String::new();
    for v in &report.violations {
        let _ = writeln!(
            out,
            "{} {} [{}]: {} (step {}): expected {}; actual {}",
            outcome_word(v.invariant.level()),
            v.invariant,
            v.invariant.level(),
            v.label,
            step(v),
            v.expected,
            v.actual
        );
    }
    for reason in &report.unread_counts {
        let _ = writeln!(out, "no verdict: {reason}");
    }
    let _ = writeln!(out, "{}", result_line(report));
    out
}

/// JUnit XML: the case's invariant first (a failure when it broke again, skipped without a
/// verdict), then every other invariant the replay broke: a MUST fails, a SHOULD passes
/// with the violation in its system-out, so the CI view agrees with the exit code.
fn junit(report: &ReplayReport) -> io::Result<String> {
    let mut junit = JunitReport::new("hookcheck fuzz --replay");
    let mut suite = TestSuite::new("replay");
    let mut invariants = vec![report.invariant];
    for v in &report.violations {
        if !invariants.contains(&v.invariant) {
            invariants.push(v.invariant);
        }
    }
    for invariant in invariants {
        let broken: Vec<String> = report
            .violations
            .iter()
            .filter(|v| v.invariant == invariant)
            .map(|v| {
                format!(
                    "{} (step {}): expected {}; actual {}",
                    v.label,
                    step(v),
                    v.expected,
                    v.actual
                )
            })
            .collect();
        let failed = if invariant == report.invariant {
            report.reproduced
        } else {
            invariant.level() == Level::Must
        };
        let status = match (&report.no_verdict, failed) {
            (_, true) => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(format!("{invariant} broke again"));
                status.set_description(broken.join("\n"));
                status
            }
            (Some(why), false) if invariant == report.invariant => {
                let mut status = TestCaseStatus::skipped();
                status.set_message(why.clone());
                status
            }
            _ => TestCaseStatus::success(),
        };
        let mut case = TestCase::new(invariant.as_str(), status);
        case.set_classname("hookcheck.fuzz.replay");
        if !failed && !broken.is_empty() {
            case.set_system_out(format!("warn: {}", broken.join("\n")));
        }
        suite.add_test_case(case);
    }
    junit.add_test_suite(suite);
    junit_xml(&junit)
}

/// The report as Markdown: the result, then every broken invariant and unread count.
fn markdown(report: &ReplayReport) -> String {
    let mut out = format!(
        "# hookcheck fuzz --replay\n\n**{}**\n",
        cell(&result_line(report))
    );
    if !report.violations.is_empty() {
        out.push('\n');
        markdown_table::head(&mut out, &COLUMNS, COLUMNS.len());
    }
    for v in &report.violations {
        markdown_table::row(
            &mut out,
            &[
                format!("`{}`", v.invariant),
                v.invariant.level().to_string(),
                step(v),
                cell(&v.label),
                cell(&v.expected),
                cell(&v.actual),
            ],
        );
    }
    for reason in &report.unread_counts {
        let _ = writeln!(out, "\n- no verdict: {}", cell(reason));
    }
    out
}

/// The report as one self-contained HTML page.
fn html(report: &ReplayReport) -> String {
    let mut out = String::with_capacity(8 * 1024);
    let class = match (report.failed(), report.inconclusive()) {
        (true, _) => "bad",
        (false, true) => "none",
        (false, false) => "ok",
    };
    page_start(
        &mut out,
        &format!("hookcheck fuzz --replay: {}", report.invariant),
        class,
        "hookcheck fuzz --replay",
        &result_line(report),
        None,
    );
    if !report.violations.is_empty() {
        html_table::head(&mut out, None, &COLUMNS, COLUMNS.len());
    }
    for v in &report.violations {
        html_table::row(
            &mut out,
            &[
                Cell::td(format!("<code>{}</code>", v.invariant)),
                Cell::td(v.invariant.level().to_string()),
                Cell::td(step(v)),
                Cell::td(esc(&v.label)),
                Cell::td(esc(&v.expected)),
                Cell::td(esc(&v.actual)),
            ],
        );
    }
    if !report.violations.is_empty() {
        html_table::end(&mut out);
    }
    for reason in &report.unread_counts {
        let _ = writeln!(out, "<p class=\"hint\">no verdict: {}</p>", esc(reason));
    }
    out.push_str("</body></html>\n");
    out
}
