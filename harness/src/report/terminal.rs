//! The terminal reporter: a progress line per check on one stream, then a summary grouped
//! by category, failures first, on another.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::catalogue::Category;
use crate::results::{CheckResult, Event, Outcome, Report, Reporter, Summary};

/// Prints progress and the final summary as plain text that reads well in a CI log.
pub struct TerminalReporter {
    summary_out: Box<dyn Write + Send>,
    progress_out: Box<dyn Write + Send>,
    strict: bool,
    finished: usize,
    planned: usize,
}

impl TerminalReporter {
    /// A reporter writing progress to `progress_out` and the summary to `summary_out`.
    pub fn new(
        summary_out: Box<dyn Write + Send>,
        progress_out: Box<dyn Write + Send>,
        strict: bool,
    ) -> Self {
        TerminalReporter {
            summary_out,
            progress_out,
            strict,
            finished: 0,
            planned: 0,
        }
    }

    /// The usual streams: summary on stdout, progress on stderr.
    pub fn stdio(strict: bool) -> Self {
        TerminalReporter::new(Box::new(io::stdout()), Box::new(io::stderr()), strict)
    }
}

impl Reporter for TerminalReporter {
    fn on_event(&mut self, event: &Event<'_>) -> io::Result<()> {
        match event {
            Event::RunStarted {
                target,
                planned,
                seed,
            } => {
                self.planned = *planned;
                writeln!(
                    self.progress_out,
                    "hookcheck: grading {target} with {planned} checks (seed {seed})"
                )
            }
            Event::PhaseStarted { name } => writeln!(self.progress_out, "  phase: {name}"),
            Event::CheckFinished(check) => {
                self.finished += 1;
                writeln!(
                    self.progress_out,
                    "  [{:>3}/{}] {:<5} {:>7} {}",
                    self.finished,
                    self.planned,
                    check.outcome.as_str().to_uppercase(),
                    format!("{}ms", check.duration_ms),
                    check.id
                )
            }
            Event::RunFinished(report) => {
                self.progress_out.flush()?;
                write_summary(&mut self.summary_out, report, self.strict)?;
                self.summary_out.flush()
            }
        }
    }
}

/// Writes the end-of-run summary.
pub(crate) fn write_summary(out: &mut dyn Write, report: &Report, strict: bool) -> io::Result<()> {
    writeln!(
        out,
        "\nhookcheck run against {} (seed {}, timeout {} ms, took {:.1} s)",
        report.target,
        report.seed,
        report.timeout_ms,
        report.duration_ms as f64 / 1000.0
    )?;

    for category in Category::ALL {
        let checks: Vec<&CheckResult> = report
            .checks
            .iter()
            .filter(|c| c.category == category)
            .collect();
        if checks.is_empty() {
            continue;
        }
        let summary = Summary::of(checks.iter().copied());
        writeln!(
            out,
            "\n{category}: {} pass, {} fail, {} warn, {} skip, {} error",
            summary.pass, summary.fail, summary.warn, summary.skip, summary.error
        )?;
        let mut problems: Vec<&CheckResult> = checks
            .iter()
            .copied()
            .filter(|c| matches!(c.outcome, Outcome::Fail | Outcome::Warn | Outcome::Error))
            .collect();
        problems.sort_by_key(|c| c.outcome);
        for check in problems {
            write_problem(out, check)?;
        }
        // Skips usually share a reason (no --auth, no effects probe): one line per reason.
        let mut skips: BTreeMap<&str, usize> = BTreeMap::new();
        for check in checks.iter().filter(|c| c.outcome == Outcome::Skip) {
            *skips.entry(check.actual.as_str()).or_default() += 1;
        }
        for (reason, count) in skips {
            let noun = if count == 1 { "check" } else { "checks" };
            writeln!(out, "  SKIP  {count} {noun}: {reason}")?;
        }
    }

    let latency = &report.latency;
    if latency.deliveries == 0 {
        writeln!(out, "\ndelivery latency: no delivery was timed")?;
    } else {
        writeln!(
            out,
            "\ndelivery latency: {} timed, p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {} timed out",
            latency.deliveries,
            latency.p50_ms,
            latency.p95_ms,
            latency.p99_ms,
            latency.max_ms,
            latency.timed_out
        )?;
    }
    for note in &report.notes {
        writeln!(out, "note: {note}")?;
    }
    let s = &report.summary;
    writeln!(
        out,
        "checks: {} pass, {} fail, {} warn, {} skip, {} error",
        s.pass, s.fail, s.warn, s.skip, s.error
    )?;
    let verdict = if Report::conformant(s, strict) {
        "conformant".to_owned()
    } else {
        let mut reasons = Vec::new();
        if s.fail > 0 {
            reasons.push(format!("{} MUST failed", s.fail));
        }
        if s.error > 0 {
            reasons.push(format!("{} without a verdict", s.error));
        }
        if strict && s.warn > 0 {
            reasons.push(format!("{} SHOULD broken, --strict", s.warn));
        }
        format!("NOT conformant ({})", reasons.join(", "))
    };
    writeln!(out, "verdict: {verdict}")
}

fn write_problem(out: &mut dyn Write, check: &CheckResult) -> io::Result<()> {
    writeln!(
        out,
        "  {:<5} {} [{}]",
        check.outcome.as_str().to_uppercase(),
        check.id,
        check.level
    )?;
    writeln!(
        out,
        "        requirement: {} ({})",
        check.requirement, check.clause
    )?;
    writeln!(out, "        expected:    {}", check.expected)?;
    writeln!(out, "        actual:      {}", check.actual)?;
    if let Some(repro) = &check.repro {
        writeln!(out, "        repro:       {repro}")?;
    }
    Ok(())
}
