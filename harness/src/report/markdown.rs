//! The Markdown format, for a CI job summary or a pull-request comment: the verdict, the
//! findings grouped by cause with expected/actual and a repro block, a table per category,
//! latency, and the contract clauses the findings cite (each finding links to its clause).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::markdown_table::{self, cell};
use crate::report::contract::{self, ClauseRef, parse_clause};
use crate::report::verdict::{
    FindingGroup, category_rows, checks_by_category, group_findings, hints, seconds, seed_part,
    timeout, verdict_line,
};
use crate::results::Report;

/// At most this many check ids are listed under one group of findings.
const MAX_LISTED: usize = 20;

/// The report as Markdown.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    header(&mut out, report);
    let groups = group_findings(report);
    if !groups.is_empty() {
        out.push_str("\n## Findings\n");
        for group in &groups {
            finding(&mut out, group);
        }
    }
    categories(&mut out, report);
    latency(&mut out, report);
    cited_clauses(&mut out, report);
    out
}

fn header(out: &mut String, report: &Report) {
    let title = match (report.reason.is_some(), report.verdict.as_str()) {
        (true, _) => "ungradable",
        (false, "conformant") => "conformant",
        (false, _) => "NOT conformant",
    };
    let _ = writeln!(out, "# hookcheck: {title}\n");
    let _ = writeln!(out, "**{}**\n", cell(&verdict_line(report)));
    for hint in hints(report) {
        let _ = writeln!(out, "> **hint:** {}\n", cell(&hint));
    }
    let _ = writeln!(
        out,
        "Target `{}` · {}timeout {} · took {} · {} · started {}\n",
        report.target,
        seed_part(report.seed),
        timeout(report.timeout_ms),
        seconds(report.duration_ms),
        report.tool,
        report.started_at
    );
    for note in &report.notes {
        let _ = writeln!(out, "- note: {}", cell(note));
    }
    let s = &report.summary;
    out.push('\n');
    markdown_table::head(
        out,
        &["category", "pass", "fail", "warn", "skip", "error"],
        1,
    );
    for (category, c) in category_rows(report) {
        let counts = [c.pass, c.fail, c.warn, c.skip, c.error].map(|n| n.to_string());
        markdown_table::row(out, &[[category.to_string()].as_slice(), &counts].concat());
    }
    let all = [s.pass, s.fail, s.warn, s.skip, s.error].map(|n| format!("**{n}**"));
    markdown_table::row(out, &[["**all**".to_owned()].as_slice(), &all].concat());
}

fn finding(out: &mut String, group: &FindingGroup<'_>) {
    let first = group.first();
    let count = group.checks.len();
    let _ = writeln!(
        out,
        "\n### {} {}: {}\n",
        group.outcome.as_str().to_uppercase(),
        if count == 1 {
            first.id.clone()
        } else {
            format!("×{count}")
        },
        cell(if count == 1 {
            &first.actual
        } else {
            &group.cause
        })
    );
    let _ = writeln!(
        out,
        "- requirement ({}): {} ({})",
        first.level,
        cell(&first.requirement),
        clause_links(&first.clause)
    );
    let _ = writeln!(
        out,
        "- how to fix: `hookcheck explain {}`",
        first.requirement_id
    );
    if !first.expected.is_empty() {
        let _ = writeln!(out, "- expected: {}", cell(&first.expected));
    }
    let _ = writeln!(out, "- actual: {}", cell(&first.actual));
    if count > 1 {
        let _ = writeln!(out, "- first: `{}`", first.id);
    }
    if count > 1 {
        let listed: Vec<String> = group
            .checks
            .iter()
            .take(MAX_LISTED)
            .map(|c| format!("`{}`", c.id))
            .collect();
        let more = count.saturating_sub(MAX_LISTED);
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        let _ = writeln!(out, "- checks: {}{tail}", listed.join(", "));
    }
    if let Some(repro) = &first.repro {
        let _ = writeln!(out, "\nRepro (`{}`):\n\n{}", first.id, fenced("sh", repro));
    }
}

fn categories(out: &mut String, report: &Report) {
    out.push_str("\n## Checks by category\n");
    for (category, checks) in checks_by_category(report) {
        let _ = writeln!(out, "\n### {category}\n");
        let columns = ["check", "outcome", "level", "clause", "actual"];
        markdown_table::head(out, &columns, columns.len());
        for check in checks {
            markdown_table::row(
                out,
                &[
                    format!("`{}`", check.id),
                    check.outcome.to_string(),
                    check.level.to_string(),
                    clause_links(&check.clause),
                    cell(&check.actual),
                ],
            );
        }
    }
}

fn latency(out: &mut String, report: &Report) {
    let l = &report.latency;
    out.push_str("\n## Delivery latency\n\n");
    if l.deliveries == 0 {
        out.push_str("No delivery was timed.\n");
        return;
    }
    let _ = writeln!(
        out,
        "{} deliveries timed, {} timed out (timeout {}).\n",
        l.deliveries,
        l.timed_out,
        timeout(report.timeout_ms),
    );
    markdown_table::head(out, &["p50", "p95", "p99", "max"], 0);
    let times = [l.p50_ms, l.p95_ms, l.p99_ms, l.max_ms].map(|ms| format!("{ms:.1} ms"));
    markdown_table::row(out, &times);
}

fn cited_clauses(out: &mut String, report: &Report) {
    let cited: BTreeSet<ClauseRef> = report
        .checks
        .iter()
        .flat_map(|c| parse_clause(&c.clause))
        .collect();
    if cited.is_empty() {
        return;
    }
    let files = contract::documents(&cited).join("`, `");
    let _ = writeln!(
        out,
        "\n## Contract clauses cited\n\nFrom hookcheck's `{files}` ({}).",
        report.tool
    );
    for clause in cited {
        let text = clause.text().map_or_else(
            || format!("**{}** (the whole section)", clause.label()),
            str::to_owned,
        );
        let _ = writeln!(
            out,
            "\n<a id=\"{}\"></a>{}",
            clause.anchor(),
            text.replace('\n', " ")
        );
    }
}

/// A clause string as links to the cited clauses below: `[§3 ¶6](#s3-p6)`.
fn clause_links(clause: &str) -> String {
    contract::clause_links(
        clause,
        |r| format!("[{}](#{})", r.label(), r.anchor()),
        cell,
    )
}

/// A fenced code block whose fence is longer than any backtick run in the text.
pub(super) fn fenced(lang: &str, text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{lang}\n{}\n{fence}\n", text.trim_end_matches('\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repro_with_backticks_keeps_its_fence_closed() {
        let block = fenced("sh", "echo ```x``` `y`");
        assert!(block.starts_with("````sh\n"), "{block}");
        assert!(block.ends_with("\n````\n"), "{block}");
    }

    #[test]
    fn clause_strings_become_links_to_their_anchors() {
        assert_eq!(
            clause_links("SPEC §3 ¶7 [D-12]"),
            "SPEC [§3 ¶7](#s3-p7), [D-12](#d-12)"
        );
    }
}
