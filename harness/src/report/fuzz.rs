//! The renderers of a fuzzing campaign's [`FuzzReport`]: the terminal summary, JSON (the
//! model itself, documented in [`crate::fuzz::outcome`]), JUnit (one test case per
//! invariant), Markdown and one HTML page (a replay's are in [`super::replay`]). Every
//! format says the verdict with [`verdict_line`] and cites each finding's clause.

use std::fmt::Write as _;
use std::io;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};

use super::html::page_start;
use super::html_table::{self, Cell, esc};
use super::markdown::fenced;
use super::markdown_table::{self, cell};
use super::render::{Render, junit_xml, pretty_json};
use super::verdict::seconds;
use crate::count::count;
use crate::fuzz::outcome::{Finding, InvariantOutcome, InvariantResult};
use crate::fuzz::{FuzzReport, FuzzVerdict, Level};
use crate::profile::Profile;

impl Render for FuzzReport {
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

/// `verdict: …`: no invariant broken, or how many MUST and SHOULD invariants broke.
pub fn verdict_line(report: &FuzzReport) -> String {
    let verdict = match report.verdict {
        FuzzVerdict::Pass => "no invariant broken".to_owned(),
        FuzzVerdict::Warn => format!(
            "{} broken, no MUST",
            count(report.findings.len() as u64, "SHOULD invariant")
        ),
        FuzzVerdict::Fail => {
            let musts = report
                .findings
                .iter()
                .filter(|f| f.level == Level::Must)
                .count();
            match report.findings.len() - musts {
                0 => format!("{} broken", count(musts as u64, "MUST invariant")),
                shoulds => format!(
                    "{} broken, {shoulds} SHOULD",
                    count(musts as u64, "MUST invariant")
                ),
            }
        }
    };
    format!("verdict: {verdict}")
}

/// The first line: target, cases, sequences, the whole time (sending, then shrinking),
/// rate, seed.
fn headline(report: &FuzzReport) -> String {
    format!(
        "hookcheck fuzz {}{}: {} in {}, {} (sending {} at {:.0} cases/s, shrinking {}), seed {}",
        report.target,
        profile_note(report.profile),
        count(report.cases, "case"),
        count(report.sequences, "sequence"),
        seconds(report.duration_ms + report.shrink_ms),
        seconds(report.duration_ms),
        report.cases_per_second,
        seconds(report.shrink_ms),
        report.seed
    )
}

/// ` (profile standard-webhooks)`, or nothing for the default profile.
fn profile_note(profile: Profile) -> String {
    match profile.is_default() {
        true => String::new(),
        false => format!(" (profile {profile})"),
    }
}

/// An invariant's mark and what follows its name: `FAIL …: 4 sequence(s)`.
fn mark(result: &InvariantResult) -> (&'static str, String) {
    let mark = match (result.outcome, result.level) {
        (InvariantOutcome::Held, _) => "ok  ",
        (InvariantOutcome::Broken, Level::Must) => "FAIL",
        (InvariantOutcome::Broken, Level::Should) => "WARN",
        (InvariantOutcome::Unchecked, _) => "skip",
    };
    let detail = match (result.outcome, &result.reason) {
        (InvariantOutcome::Unchecked, Some(reason)) => format!(" (not checked: {reason})"),
        (InvariantOutcome::Broken, _) => format!(": {}", count(result.sequences, "sequence")),
        _ => String::new(),
    };
    (mark, detail)
}

/// Why the run is not the whole story: it stopped early, or counts could not be read.
fn caveats(report: &FuzzReport) -> Vec<String> {
    let mut caveats = Vec::new();
    if let Some(why) = &report.stopped_early {
        caveats.push(format!("stopped early: {why}"));
    }
    if report.unread_counts > 0 {
        caveats.push(format!(
            "{} could not be read, so they have no verdict; the first: {}",
            count(report.unread_counts, "effect count"),
            report.unread_reason.as_deref().unwrap_or("no reason given")
        ));
    }
    caveats
}

/// How shrinking went, in one line.
fn shrink_line(finding: &Finding) -> String {
    let shrink = &finding.shrink;
    match (&shrink.note, &shrink.stopped) {
        (Some(note), _) => format!("not shrunk: {note}"),
        (None, stopped) => format!(
            "shrunk from {} steps ({} requests) to {} ({}) in {} replays{}",
            shrink.from_steps,
            shrink.from_cases,
            shrink.to_steps,
            shrink.to_cases,
            shrink.replays,
            stopped
                .as_ref()
                .map(|why| format!("; {why}"))
                .unwrap_or_default()
        ),
    }
}

/// A broken invariant's mark: `FAIL` for a MUST, `WARN` for a SHOULD.
pub(super) fn outcome_word(level: Level) -> &'static str {
    if level == Level::Must { "FAIL" } else { "WARN" }
}

/// The terminal summary: every invariant, then each finding with its script, the verdict.
pub fn summary(report: &FuzzReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", headline(report));
    if !report.replicas.is_empty() {
        let _ = writeln!(
            out,
            "replicas: {} (the copies of each {} go round robin over the target and these)",
            report.replicas.join(", "),
            report.profile.unit()
        );
    }
    let _ = writeln!(out, "\nfailures by invariant:");
    for result in &report.invariants {
        let (mark, detail) = mark(result);
        let _ = writeln!(
            out,
            "  {mark} {} [{}]{detail}",
            result.invariant, result.level
        );
    }
    for finding in &report.findings {
        summary_finding(&mut out, finding, report.profile);
    }
    for caveat in caveats(report) {
        let _ = writeln!(out, "\n{caveat}");
    }
    let _ = writeln!(out, "\n{}", verdict_line(report));
    out
}

fn summary_finding(out: &mut String, finding: &Finding, profile: Profile) {
    let _ = writeln!(
        out,
        "\n{} {} [{}]: {} ({})",
        outcome_word(finding.level),
        finding.invariant,
        finding.level,
        finding.requirement,
        finding.clause
    );
    let _ = writeln!(
        out,
        "  first in sequence {}: {}",
        finding.first_sequence, finding.label
    );
    let _ = writeln!(out, "  expected: {}", finding.expected);
    let _ = writeln!(out, "  actual:   {}", finding.actual);
    let _ = writeln!(out, "  {}", shrink_line(finding));
    if let Some(path) = &finding.case_file {
        // One --replica for each replica a copy of the case went to.
        let replicas = " --replica URL".repeat(finding.case.urls.len().saturating_sub(1));
        let signed = match profile {
            Profile::StandardWebhooks => " --profile standard-webhooks",
            Profile::Cr3dentials => "",
        };
        let _ = writeln!(
            out,
            "  case file: {path} (hookcheck fuzz --replay {path} --target URL{replicas}{signed})"
        );
    }
    let export = match profile {
        Profile::StandardWebhooks => {
            "export HOOKCHECK_SECRET first: each delivery is signed when sent"
        }
        Profile::Cr3dentials => "export HOOKCHECK_AUTH first if the target needs auth",
    };
    let _ = writeln!(out, "  repro (POSIX sh; {export}):");
    for line in finding.repro.lines() {
        let _ = writeln!(out, "    {line}");
    }
}

/// JUnit XML: one test case per invariant. A broken SHOULD passes with the finding in its
/// system-out, so the CI view agrees with the exit code.
fn junit(report: &FuzzReport) -> io::Result<String> {
    let mut junit = JunitReport::new("hookcheck fuzz");
    junit.set_time(Duration::from_millis(report.duration_ms + report.shrink_ms));
    let mut suite = TestSuite::new(format!("fuzz{}", profile_note(report.profile)));
    for result in &report.invariants {
        let text = finding_of(report, result).map(|f| {
            format!(
                "expected: {}\nactual: {}\nrepro:\n{}",
                f.expected, f.actual, f.repro
            )
        });
        let status = match (result.outcome, result.level) {
            (InvariantOutcome::Broken, Level::Must) => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(format!("broken in {}", count(result.sequences, "sequence")));
                status.set_description(text.clone().unwrap_or_default());
                status
            }
            (InvariantOutcome::Unchecked, _) => {
                let mut status = TestCaseStatus::skipped();
                status.set_message(result.reason.clone().unwrap_or_default());
                status
            }
            _ => TestCaseStatus::success(),
        };
        let mut case = TestCase::new(result.invariant.as_str(), status);
        case.set_classname("hookcheck.fuzz");
        if result.outcome == InvariantOutcome::Broken && result.level == Level::Should {
            case.set_system_out(format!("warn: {}", text.unwrap_or_default()));
        }
        suite.add_test_case(case);
    }
    junit.add_test_suite(suite);
    junit_xml(&junit)
}

fn finding_of<'a>(report: &'a FuzzReport, result: &InvariantResult) -> Option<&'a Finding> {
    report
        .findings
        .iter()
        .find(|f| f.invariant == result.invariant)
}

/// The columns of the table of invariants.
const COLUMNS: [&str; 4] = ["invariant", "level", "outcome", "clause"];

/// The outcome of an invariant in a word, for the tables.
fn outcome_text(result: &InvariantResult) -> String {
    match (result.outcome, &result.reason) {
        (InvariantOutcome::Held, _) => "held".to_owned(),
        (InvariantOutcome::Broken, _) => {
            format!("broken ({})", count(result.sequences, "sequence"))
        }
        (InvariantOutcome::Unchecked, Some(reason)) => format!("not checked: {reason}"),
        (InvariantOutcome::Unchecked, None) => "not checked".to_owned(),
    }
}

/// The report as Markdown: the verdict, the invariants, each finding with its script.
fn markdown(report: &FuzzReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", cell(&headline(report)));
    let _ = writeln!(out, "**{}**\n", cell(&verdict_line(report)));
    for caveat in caveats(report) {
        let _ = writeln!(out, "- note: {}", cell(&caveat));
    }
    out.push('\n');
    markdown_table::head(&mut out, &COLUMNS, COLUMNS.len());
    for result in &report.invariants {
        markdown_table::row(
            &mut out,
            &[
                format!("`{}`", result.invariant),
                result.level.to_string(),
                cell(&outcome_text(result)),
                cell(&result.clause),
            ],
        );
    }
    if !report.findings.is_empty() {
        out.push_str("\n## Findings\n");
    }
    for f in &report.findings {
        let _ = writeln!(
            out,
            "\n### {} {}: {}\n",
            outcome_word(f.level),
            f.invariant,
            cell(&f.actual)
        );
        let _ = writeln!(
            out,
            "- requirement ({}): {} ({})",
            f.level,
            cell(&f.requirement),
            cell(&f.clause)
        );
        let _ = writeln!(
            out,
            "- first in sequence {}: {}",
            f.first_sequence,
            cell(&f.label)
        );
        let _ = writeln!(out, "- expected: {}", cell(&f.expected));
        let _ = writeln!(out, "- {}", cell(&shrink_line(f)));
        if let Some(path) = &f.case_file {
            let _ = writeln!(out, "- case file: `{path}`");
        }
        let _ = writeln!(out, "\nRepro (POSIX sh):\n\n{}", fenced("sh", &f.repro));
    }
    out
}

/// The report as one self-contained HTML page.
fn html(report: &FuzzReport) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let class = match report.verdict {
        FuzzVerdict::Pass => "ok",
        FuzzVerdict::Warn => "none",
        FuzzVerdict::Fail => "bad",
    };
    page_start(
        &mut out,
        &format!("hookcheck fuzz: {}", esc(&report.target)),
        class,
        "hookcheck fuzz",
        &verdict_line(report),
        Some(&headline(report)),
    );
    for caveat in caveats(report) {
        let _ = writeln!(out, "<p class=\"hint\">{}</p>", esc(&caveat));
    }
    html_table::head(&mut out, None, &COLUMNS, COLUMNS.len());
    for result in &report.invariants {
        html_table::row(
            &mut out,
            &[
                Cell::td(format!("<code>{}</code>", result.invariant)),
                Cell::td(result.level.to_string()),
                Cell::td(esc(&outcome_text(result))),
                Cell::td(esc(&result.clause)),
            ],
        );
    }
    html_table::end(&mut out);
    for f in &report.findings {
        let _ = writeln!(
            out,
            "<section class=\"finding{}\"><h3>{} {}: {}</h3><p>{} ({}) · first in sequence {}: {}</p>\
             <p>expected: {}<br>actual: {}<br>{}</p><pre>{}</pre></section>",
            if f.level == Level::Must { "" } else { " warn" },
            outcome_word(f.level),
            f.invariant,
            esc(&f.actual),
            esc(&f.requirement),
            esc(&f.clause),
            f.first_sequence,
            esc(&f.label),
            esc(&f.expected),
            esc(&f.actual),
            esc(&shrink_line(f)),
            esc(&f.repro)
        );
    }
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests;
