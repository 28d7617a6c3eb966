//! Progress while a run goes: a bar with the elapsed time and the current phase on a
//! terminal, plain lines (phases and findings only) in a CI log, or nothing with `--quiet`.

use std::io::{self, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::report::style::Paint;
use crate::results::{CheckResult, Outcome};

/// How progress is shown: a bar on a terminal, plain lines elsewhere, nothing when quiet.
pub struct Progress(Mode, Counts);

/// Checks graded so far, for the plain phase lines.
#[derive(Default)]
struct Counts {
    graded: usize,
    planned: usize,
    problems: usize,
}

enum Mode {
    /// An indicatif bar on stderr (a terminal).
    Bar(ProgressBar, Paint),
    /// One line per phase and per finding, at most 80 columns.
    Plain(Box<dyn Write + Send>),
    /// Nothing (`--quiet`).
    Silent,
}

impl Progress {
    /// The bar on a terminal, plain lines elsewhere, nothing when quiet.
    pub fn for_stderr(quiet: bool, color: bool) -> Progress {
        use std::io::IsTerminal;
        Progress(Mode::Silent, Counts::default()).with(match (quiet, io::stderr().is_terminal()) {
            (true, _) => Mode::Silent,
            (false, true) => Mode::Bar(ProgressBar::hidden(), Paint(color)),
            (false, false) => Mode::Plain(Box::new(io::stderr())),
        })
    }

    /// Plain lines to `out`, whatever it is.
    pub fn plain(out: Box<dyn Write + Send>) -> Progress {
        Progress(Mode::Plain(out), Counts::default())
    }

    /// No progress at all.
    pub fn silent() -> Progress {
        Progress(Mode::Silent, Counts::default())
    }

    fn with(self, mode: Mode) -> Progress {
        Progress(mode, self.1)
    }

    pub(crate) fn started(
        &mut self,
        target: &str,
        planned: usize,
        seed: Option<u64>,
    ) -> io::Result<()> {
        self.1.planned = planned;
        let seed = seed.map_or(String::new(), |seed| format!(", seed {seed}"));
        match &mut self.0 {
            Mode::Bar(bar, _) => {
                let style = ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}",
                )
                .map_err(io::Error::other)?;
                *bar = ProgressBar::with_draw_target(
                    Some(planned as u64),
                    ProgressDrawTarget::stderr(),
                );
                bar.set_style(style);
                bar.enable_steady_tick(Duration::from_millis(120));
                bar.println(format!(
                    "hookcheck: grading {target} ({planned} checks{seed})"
                ));
                Ok(())
            }
            Mode::Plain(out) => {
                writeln!(out, "hookcheck: grading {target} ({planned} checks{seed})")
            }
            Mode::Silent => Ok(()),
        }
    }

    pub(crate) fn phase(&mut self, name: &str) -> io::Result<()> {
        match &mut self.0 {
            Mode::Bar(bar, _) => {
                bar.set_message(format!("phase: {name}"));
                Ok(())
            }
            Mode::Plain(out) => {
                let c = &self.1;
                writeln!(
                    out,
                    "  phase: {name} ({}/{} graded, {} findings so far)",
                    c.graded, c.planned, c.problems
                )
            }
            Mode::Silent => Ok(()),
        }
    }

    pub(crate) fn check(&mut self, check: &CheckResult) -> io::Result<()> {
        let problem = matches!(
            check.outcome,
            Outcome::Fail | Outcome::Error | Outcome::Warn
        );
        self.1.graded += 1;
        self.1.problems += usize::from(problem);
        let line = |paint: Paint| {
            let word = format!("{:<5}", check.outcome.as_str().to_uppercase());
            clip(
                &format!(
                    "  {} {}: {}",
                    paint.outcome(check.outcome, &word),
                    check.id,
                    check.actual
                ),
                80,
            )
        };
        match &mut self.0 {
            Mode::Bar(bar, paint) => {
                bar.inc(1);
                if problem {
                    bar.println(line(*paint));
                }
                Ok(())
            }
            // A CI log gets the findings once, in the summary.
            Mode::Plain(_) | Mode::Silent => Ok(()),
        }
    }

    pub(crate) fn finished(&mut self, ungradable: bool) -> io::Result<()> {
        match &mut self.0 {
            Mode::Bar(bar, _) => {
                bar.finish_and_clear();
                Ok(())
            }
            Mode::Plain(out) if ungradable => {
                writeln!(
                    out,
                    "  stopped: nothing could be delivered, no check was graded"
                )?;
                out.flush()
            }
            Mode::Plain(out) => {
                let c = &self.1;
                writeln!(
                    out,
                    "  done: {}/{} graded, {} findings",
                    c.graded, c.planned, c.problems
                )?;
                out.flush()
            }
            Mode::Silent => Ok(()),
        }
    }
}

/// The line cut to `width` visible characters with `…` (colour codes do not count).
fn clip(line: &str, width: usize) -> String {
    let mut visible = 0;
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            out.push(c);
            for c in chars.by_ref() {
                out.push(c);
                if c == 'm' {
                    break;
                }
            }
            continue;
        }
        if visible + 1 == width && chars.peek().is_some() {
            out.push('…');
            break;
        }
        out.push(c);
        visible += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::clip;

    #[test]
    fn long_lines_are_cut_to_the_width_and_colour_does_not_count() {
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
        assert_eq!(clip("\x1b[1mab\x1b[0mcdef", 4), "\x1b[1mab\x1b[0mc…");
    }
}
