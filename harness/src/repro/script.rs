//! Repro scripts: a duplicate or burst finding is reproduced only by its sequence, so its
//! repro is a short POSIX `sh` script: copies in order, together (`&` and `wait`), a copy
//! abandoned mid-way, a wait, or other sessions delivered in between.

use std::fmt::Write as _;
use std::time::Duration;

/// One step of a repro script. Each `line` is a repro line from [`super::curl`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A comment saying what comes next.
    Comment(String),
    /// One request, waited for.
    Send(String),
    /// Requests sent at once, then waited for.
    Together(Vec<String>),
    /// A request whose sender hangs up after `after`, without reading the answer.
    Abandon {
        /// The request.
        line: String,
        /// How long the sender waits before it gives up.
        after: Duration,
    },
    /// A pause.
    Sleep(Duration),
    /// `count` deliveries of other sessions: `line` with the text `session` replaced by a
    /// fresh id each time; all at once with `together`.
    Others {
        /// How many.
        count: usize,
        /// A valid delivery whose body is written inline.
        line: String,
        /// Its session id, replaced in each copy.
        session: String,
        /// Sent at once rather than one after another.
        together: bool,
    },
}

/// A repro script: steps run in order by `sh`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct Script {
    steps: Vec<Step>,
}

impl Script {
    /// An empty script.
    pub fn new() -> Self {
        Script::default()
    }

    /// Adds a step.
    pub fn then(mut self, step: Step) -> Self {
        self.steps.push(step);
        self
    }

    /// This script followed by `other`'s steps.
    pub fn append(mut self, other: &Script) -> Self {
        self.steps.extend(other.steps.iter().cloned());
        self
    }

    /// The script's text: one command a line, for `sh`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for step in &self.steps {
            render_step(&mut out, step);
        }
        out.trim_end().to_owned()
    }
}

fn render_step(out: &mut String, step: &Step) {
    match step {
        Step::Comment(text) => {
            for line in text.lines() {
                let _ = writeln!(out, "# {line}");
            }
        }
        Step::Send(line) => {
            let _ = writeln!(out, "{line}");
        }
        Step::Together(lines) => {
            for line in lines {
                let _ = writeln!(out, "{line} &");
            }
            let _ = writeln!(out, "wait");
        }
        Step::Abandon { line, after } => {
            let limited = line.replacen("curl ", &format!("curl -m {} ", seconds(*after)), 1);
            let _ = writeln!(out, "{limited}  # the sender gives up here");
        }
        Step::Sleep(duration) => {
            let _ = writeln!(out, "sleep {}", seconds(*duration));
        }
        Step::Others {
            count,
            line,
            session,
            together,
        } => {
            // Inside the single-quoted body: close the quote, splice the id, reopen.
            let each = line.replace(session.as_str(), "other-'\"$$-$i\"'");
            // `&` ends a command as `;` does: `cmd & done` is the background form.
            let (end, after) = if *together {
                ("&", "; wait")
            } else {
                (";", "")
            };
            let _ = writeln!(
                out,
                "i=0; while [ \"$i\" -lt {count} ]; do i=$((i+1)); {each} >/dev/null {end} done{after}"
            );
        }
    }
}

/// Seconds as `sleep` and `curl -m` take them: `5`, `0.25`.
fn seconds(duration: Duration) -> String {
    let text = format!("{:.3}", duration.as_secs_f64());
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_render_as_sh() {
        let script = Script::new()
            .then(Step::Comment("two copies".into()))
            .then(Step::Send("curl -sS -i 'http://x/'".into()))
            .then(Step::Together(vec!["curl a".into(), "curl b".into()]))
            .then(Step::Abandon {
                line: "curl -sS 'http://x/'".into(),
                after: Duration::from_millis(250),
            })
            .then(Step::Sleep(Duration::from_secs(5)))
            .render();
        assert_eq!(
            script,
            "# two copies\ncurl -sS -i 'http://x/'\ncurl a &\ncurl b &\nwait\n\
             curl -m 0.25 -sS 'http://x/'  # the sender gives up here\nsleep 5"
        );
    }

    #[test]
    fn other_sessions_get_fresh_ids_in_posix_sh() {
        for together in [false, true] {
            other_sessions(together);
        }
    }

    fn other_sessions(together: bool) {
        let line = "printf '%s\\n' '{\"sessionId\":\"abc-1\"}'".to_owned();
        let script = Script::new()
            .then(Step::Others {
                count: 3,
                line,
                session: "abc-1".into(),
                together,
            })
            .render()
            .replace(" >/dev/null", "");
        let output = std::process::Command::new("dash")
            .arg("-c")
            .arg(&script)
            .output()
            .expect("sh runs");
        let text = String::from_utf8_lossy(&output.stdout);
        let ids: Vec<&str> = text.lines().collect();
        assert_eq!(ids.len(), 3, "{script}\n{text}");
        assert!(
            ids.iter().all(|l| l.contains("\"sessionId\":\"other-")),
            "{text}"
        );
        assert!(ids[0] != ids[1] && ids[1] != ids[2], "{text}");
    }
}
