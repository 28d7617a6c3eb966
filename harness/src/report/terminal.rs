//! The terminal reporter: progress while the run goes (see [`Progress`]), then a summary
//! that fits 80 columns: hints first, counts per category, findings grouped by cause with
//! one repro each, skips by reason, latency, and the verdict last.

use std::io::{self, Write};

use crate::report::progress::Progress;
use crate::report::style::Paint;
use crate::report::verdict::{
    FindingGroup, category_rows, group_findings, hints, seconds, seed_part, timeout, verdict_line,
};
use crate::results::{Event, Outcome, Report, Reporter};

/// The summary's width.
const WIDTH: usize = 80;
/// A group lists this many check ids; the report files list them all.
const LISTED: usize = 3;

/// How the summary is written.
#[derive(Debug, Clone, Default)]
pub struct TerminalOptions {
    /// Colour the summary.
    pub color: bool,
    /// The report files the run writes, the one to read first first; a summary names it
    /// where it leaves details to it.
    pub report_files: Vec<String>,
}

/// Shows progress, then prints the summary.
pub struct TerminalReporter {
    summary_out: Box<dyn Write + Send>,
    progress: Progress,
    options: TerminalOptions,
}

impl TerminalReporter {
    /// A reporter writing progress through `progress` and the summary to `summary_out`.
    pub fn new(
        summary_out: Box<dyn Write + Send>,
        progress: Progress,
        options: TerminalOptions,
    ) -> Self {
        TerminalReporter {
            summary_out,
            progress,
            options,
        }
    }
}

impl Reporter for TerminalReporter {
    fn on_event(&mut self, event: &Event<'_>) -> io::Result<()> {
        match event {
            Event::RunStarted {
                target,
                planned,
                seed,
            } => self.progress.started(target, *planned, *seed),
            Event::PhaseStarted { name } => self.progress.phase(name),
            Event::CheckFinished(check) => self.progress.check(check),
            Event::RunFinished(report) => {
                self.progress.finished(report.reason.is_some())?;
                write_summary(&mut self.summary_out, report, &self.options)?;
                self.summary_out.flush()
            }
        }
    }
}

/// Writes the end-of-run summary.
pub fn write_summary(
    out: &mut dyn Write,
    report: &Report,
    options: &TerminalOptions,
) -> io::Result<()> {
    let paint = Paint(options.color);
    writeln!(out, "\nhookcheck: {}", report.target)?;
    writeln!(
        out,
        "  {}timeout {} · took {}{}",
        seed_part(report.seed),
        timeout(report.timeout_ms),
        seconds(report.duration_ms),
        if report.interrupted {
            " · INTERRUPTED"
        } else {
            ""
        }
    )?;
    if let Some(reason) = &report.reason {
        return ungradable(out, report, reason, paint);
    }
    for hint in hints(report) {
        para(out, &paint.bold("hint: "), &hint, "  ")?;
    }
    counts(out, report, paint)?;
    for group in group_findings(report) {
        finding(out, &group, options, paint)?;
    }
    skips(out, report, paint)?;
    latency(out, report)?;
    for note in &report.notes {
        para(out, "note: ", note, "  ")?;
    }
    let s = &report.summary;
    writeln!(
        out,
        "checks: {} pass, {} fail, {} warn, {} skip, {} error",
        s.pass, s.fail, s.warn, s.skip, s.error
    )?;
    let verdict = verdict_line(report);
    let verdict = match report.verdict.as_str() {
        "conformant" if report.reason.is_none() => paint.outcome(Outcome::Pass, &verdict),
        _ => paint.outcome(Outcome::Fail, &verdict),
    };
    para(out, "", &verdict, "  ")
}

/// The summary of a run that could deliver nothing: that, and why, and nothing else (every
/// check is an error with the same cause).
fn ungradable(out: &mut dyn Write, report: &Report, reason: &str, paint: Paint) -> io::Result<()> {
    writeln!(out)?;
    let head = format!("{} ", paint.outcome(Outcome::Error, "NOTHING DELIVERED:"));
    para(out, &head, reason, "  ")?;
    let graded = format!(
        "none of the {} checks could be graded.",
        report.checks.len()
    );
    para(out, "  ", &graded, "  ")?;
    para(out, "", &verdict_line(report), "  ")
}

fn counts(out: &mut dyn Write, report: &Report, paint: Paint) -> io::Result<()> {
    writeln!(
        out,
        "\n{}",
        paint.dim("category      pass  fail  warn  skip error")
    )?;
    for (category, c) in category_rows(report) {
        writeln!(
            out,
            "{:<12} {:>5} {:>5} {:>5} {:>5} {:>5}",
            category.as_str(),
            c.pass,
            c.fail,
            c.warn,
            c.skip,
            c.error
        )?;
    }
    Ok(())
}

fn finding(
    out: &mut dyn Write,
    group: &FindingGroup<'_>,
    options: &TerminalOptions,
    paint: Paint,
) -> io::Result<()> {
    let first = group.first();
    let count = group.checks.len();
    let word = paint.outcome(group.outcome, &group.outcome.as_str().to_uppercase());
    writeln!(out)?;
    if count == 1 {
        para(
            out,
            &format!("{word} {}: ", first.id),
            &first.actual,
            "      ",
        )?;
    } else {
        writeln!(out, "{word} ×{count}: {}", group.cause)?;
        let listed = listed_checks(group, options);
        para(out, "  checks: ", &listed, "      ")?;
        para(
            out,
            "  first: ",
            &format!("{}: {}", first.id, first.actual),
            "      ",
        )?;
    }
    para(
        out,
        &format!("  {}: ", first.level),
        &format!("{} ({})", first.requirement, first.clause),
        "      ",
    )?;
    if !first.expected.is_empty() {
        para(out, "  expected: ", &first.expected, "      ")?;
    }
    let explain = format!("hookcheck explain {}", first.requirement_id);
    para(out, "  how to fix: ", &explain, "      ")?;
    if let Some(repro) = &first.repro {
        repro_block(out, repro)?;
    }
    Ok(())
}

/// The checks of a group of several: their ids when there are few, else how many of
/// each category and where the whole list is.
fn listed_checks(group: &FindingGroup<'_>, options: &TerminalOptions) -> String {
    let count = group.checks.len();
    let ids: Vec<&str> = group
        .checks
        .iter()
        .take(LISTED)
        .map(|c| c.id.as_str())
        .collect();
    if count <= LISTED {
        ids.join(", ")
    } else {
        let per: Vec<String> = group
            .by_category()
            .iter()
            .map(|(category, n)| format!("{n} {category}"))
            .collect();
        let whole = match options.report_files.first() {
            Some(file) => format!("all listed in {file}"),
            None => "--markdown PATH lists them all".to_owned(),
        };
        format!("{} ({whole})", per.join(", "))
    }
}

/// A repro, shown once per group, whole: folded to 80 columns with backslash-newlines
/// that `sh` removes, and not indented, so that it runs as copied.
fn repro_block(out: &mut dyn Write, repro: &str) -> io::Result<()> {
    writeln!(out, "  repro:")?;
    writeln!(out, "{}", crate::repro::fold(repro, WIDTH))
}

fn skips(out: &mut dyn Write, report: &Report, paint: Paint) -> io::Result<()> {
    let mut reasons: Vec<(&str, usize)> = Vec::new();
    for check in report.checks.iter().filter(|c| c.outcome == Outcome::Skip) {
        match reasons.iter_mut().find(|(r, _)| *r == check.actual) {
            Some((_, n)) => *n += 1,
            None => reasons.push((&check.actual, 1)),
        }
    }
    if !reasons.is_empty() {
        writeln!(out)?;
    }
    for (reason, count) in reasons {
        let noun = if count == 1 { "check" } else { "checks" };
        let head = format!("{} {count} {noun}: ", paint.outcome(Outcome::Skip, "SKIP"));
        para(out, &head, reason, "      ")?;
    }
    Ok(())
}

fn latency(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let l = &report.latency;
    if l.deliveries == 0 {
        return writeln!(out, "\ndelivery latency: no delivery was timed");
    }
    writeln!(
        out,
        "\ndelivery latency: {} timed, {} timed out (timeout {})\n  p50 {:.1} ms · p95 {:.1} ms · p99 {:.1} ms · max {:.1} ms",
        l.deliveries,
        l.timed_out,
        timeout(report.timeout_ms),
        l.p50_ms,
        l.p95_ms,
        l.p99_ms,
        l.max_ms
    )
}

/// Writes `head` then `text` word-wrapped to 80 columns, later lines indented.
pub(crate) fn para(out: &mut dyn Write, head: &str, text: &str, indent: &str) -> io::Result<()> {
    let mut line = head.to_owned();
    let mut width = visible_len(head);
    let mut first_word = true;
    for word in text.split(' ') {
        let len = word.chars().count();
        if !first_word && width + 1 + len > WIDTH {
            writeln!(out, "{line}")?;
            line = format!("{indent}{word}");
            width = indent.len() + len;
        } else {
            if !first_word {
                line.push(' ');
                width += 1;
            }
            line.push_str(word);
            width += len;
        }
        first_word = false;
    }
    writeln!(out, "{line}")
}

/// Characters a terminal shows (ANSI colour codes do not count).
fn visible_len(text: &str) -> usize {
    let mut len = 0;
    let mut in_code = false;
    for c in text.chars() {
        match (in_code, c) {
            (false, '\x1b') => in_code = true,
            (true, 'm') => in_code = false,
            (false, _) => len += 1,
            (true, _) => {}
        }
    }
    len
}
