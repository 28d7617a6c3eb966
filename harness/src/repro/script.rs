//! Repro scripts: a duplicate or burst finding is reproduced only by its sequence, so its
//! repro is a short POSIX `sh` script: copies in order, together (`&` and `wait`), a copy
//! abandoned mid-way, a wait, or other sessions delivered in between.
//!
//! A body that several requests send is written once, as a variable at the top of the
//! script (`body1='…'`), and each request sends `"$body1"`: the script shows the sequence at
//! a glance, and sends the same bytes.

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
        let bodies = repeated_bodies(&self.steps);
        let mut out = String::new();
        for (n, body) in bodies.iter().enumerate() {
            let _ = writeln!(out, "# the body sent more than once, as body{}", n + 1);
            let _ = writeln!(out, "body{}={body}", n + 1);
        }
        for step in &self.steps {
            render_step(&mut out, &hoisted(step, &bodies));
        }
        out.trim_end().to_owned()
    }
}

/// Bodies shorter than this stay in their lines.
const MIN_HOISTED: usize = 64;

/// The body words (shell words, quotes included) that more than one request of `steps`
/// sends, in order of first use.
fn repeated_bodies(steps: &[Step]) -> Vec<String> {
    let mut seen: Vec<(String, usize)> = Vec::new();
    for line in steps.iter().flat_map(request_lines) {
        let Some((_, word)) = body_word(line) else {
            continue;
        };
        match seen.iter_mut().find(|(w, _)| w == word) {
            Some((_, count)) => *count += 1,
            None => seen.push((word.to_owned(), 1)),
        }
    }
    seen.into_iter()
        .filter(|(word, count)| *count > 1 && word.len() >= MIN_HOISTED)
        .map(|(word, _)| word)
        .collect()
}

/// The request lines of a step whose body is sent as it is (not `Others`, whose body
/// changes from copy to copy).
fn request_lines(step: &Step) -> Vec<&String> {
    match step {
        Step::Send(line) | Step::Abandon { line, .. } => vec![line],
        Step::Together(lines) => lines.iter().collect(),
        Step::Comment(_) | Step::Sleep(_) | Step::Others { .. } => Vec::new(),
    }
}

/// Where a repro line carries its body, and the body's word: after `--data-binary`, or
/// as the format of the `printf` it is piped from.
fn body_word(line: &str) -> Option<(usize, &str)> {
    let start = match line.strip_prefix("printf ") {
        Some(_) => "printf ".len(),
        None => line.find(" --data-binary ")? + " --data-binary ".len(),
    };
    let word = shell_word(&line[start..]);
    (word.starts_with('\'') || word.starts_with('"')).then_some((start, word))
}

/// The first shell word of `text`: quoted pieces, escapes and plain characters up to the
/// first unquoted blank.
fn shell_word(text: &str) -> &str {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() && bytes[i] != b' ' {
        i = match bytes[i] {
            b'\'' => text[i + 1..]
                .find('\'')
                .map_or(bytes.len(), |end| i + end + 2),
            b'"' => closing_double_quote(bytes, i + 1),
            b'\\' => (i + 2).min(bytes.len()),
            _ => i + 1,
        };
    }
    &text[..i]
}

/// The index after the `"` that closes a double-quoted piece opened before `from`.
fn closing_double_quote(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// `step` with each hoisted body replaced by its variable.
fn hoisted(step: &Step, bodies: &[String]) -> Step {
    let replace = |line: &String| {
        let Some((start, word)) = body_word(line) else {
            return line.clone();
        };
        match bodies.iter().position(|b| b == word) {
            Some(n) => {
                let rest = &line[start + word.len()..];
                format!("{}\"$body{}\"{rest}", &line[..start], n + 1)
            }
            None => line.clone(),
        }
    };
    match step {
        Step::Send(line) => Step::Send(replace(line)),
        Step::Together(lines) => Step::Together(lines.iter().map(replace).collect()),
        Step::Abandon { line, after } => Step::Abandon {
            line: replace(line),
            after: *after,
        },
        other => other.clone(),
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
                // A script of several lines (a signed delivery) runs in a subshell of its own.
                let _ = match line.contains('\n') {
                    true => writeln!(out, "(\n{line}\n) &"),
                    false => writeln!(out, "{line} &"),
                };
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
            let each = other_ids(line, session);
            // A script of several lines (a signed delivery) runs in a subshell of its own.
            let each = match each.contains('\n') {
                true => format!("(\n{each}\n)"),
                false => each,
            };
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

/// `line` with `session` replaced by an id of its own in each copy, inside the
/// single-quoted word that holds it (close the quote, splice, reopen), written in the
/// session id's alphabet: `other-$$-$i` beside a UUID, `other_$$_$i` beside a Standard
/// Webhooks id, which holds only letters, digits and `_` ([SD-2]).
fn other_ids(line: &str, session: &str) -> String {
    let each = match session.contains('-') {
        true => "other-'\"$$-$i\"'",
        false => "other_'\"$$_$i\"'",
    };
    line.replace(session, each)
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
    fn other_copies_get_ids_in_the_first_ones_alphabet_and_signed_scripts_a_subshell() {
        let others = |line: &str, session: &str| {
            Script::new()
                .then(Step::Others {
                    count: 2,
                    line: line.into(),
                    session: session.into(),
                    together: true,
                })
                .render()
        };
        let signed = others("id='msg_ab1'\ncurl -sS x", "msg_ab1");
        assert_eq!(
            signed,
            "i=0; while [ \"$i\" -lt 2 ]; do i=$((i+1)); (\nid='other_'\"$$_$i\"''\ncurl -sS x\n) >/dev/null & done; wait"
        );
        let uuid = others("curl -d '{\"s\":\"a-1\"}' x", "a-1");
        assert!(
            uuid.contains("do i=$((i+1)); curl -d '{\"s\":\"other-'\"$$-$i\"'\"}' x >/dev/null &"),
            "{uuid}"
        );
    }

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
    fn a_script_of_several_lines_sent_together_runs_in_its_own_subshell() {
        let signed = "id='a'\ncurl x".to_owned();
        let script = Script::new()
            .then(Step::Together(vec![signed.clone(), signed]))
            .render();
        assert_eq!(
            script,
            "(\nid='a'\ncurl x\n) &\n(\nid='a'\ncurl x\n) &\nwait"
        );
    }

    /// Runs `script` in dash with `curl` a function that prints the body it was given
    /// (its `--data-binary` argument, or standard input for `@-`), one per line.
    fn bodies_sent(script: &str) -> Vec<String> {
        let curl = r#"curl() { while [ $# -gt 0 ]; do if [ "$1" = --data-binary ]; then shift; if [ "$1" = @- ]; then cat; echo; else printf '%s\n' "$1"; fi; fi; shift; done; }"#;
        let output = std::process::Command::new("dash")
            .arg("-c")
            .arg(format!("{curl}\n{script}"))
            .output()
            .expect("dash runs");
        assert!(output.status.success(), "{script}\n{output:?}");
        let text = String::from_utf8(output.stdout).unwrap();
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn a_body_sent_by_several_requests_is_written_once_and_sent_unchanged() {
        let long = format!(
            "{{\"sessionId\":\"s-1\",\"note\":\"it's {}\"}}",
            "x".repeat(80)
        );
        let binary = format!("-{long}\u{1}");
        let line = |body: &str| {
            crate::repro::curl(&crate::repro::ReproRequest {
                method: "POST",
                url: "http://127.0.0.1:1/",
                headers: &[],
                body: body.as_bytes(),
                auth: None,
                secrets: &[],
                auth_repro: None,
                body_file: None,
            })
        };
        let script = Script::new()
            .then(Step::Together(vec![line(&long), line(&long), line(&long)]))
            .then(Step::Send(line(&binary)))
            .then(Step::Send(line(&binary)))
            .then(Step::Send(line("{\"short\":1}")))
            .render();
        assert_eq!(script.matches("body1=").count(), 1, "{script}");
        assert_eq!(script.matches("body2=").count(), 1, "{script}");
        assert_eq!(script.matches("\"$body1\"").count(), 3, "{script}");
        assert_eq!(script.matches("printf \"$body2\" |").count(), 2, "{script}");
        assert_eq!(script.matches(&"x".repeat(80)).count(), 2, "{script}");
        let sent = bodies_sent(&script);
        let binary_line = binary.trim_end_matches('\u{1}');
        assert_eq!(sent[..3], [long.clone(), long.clone(), long]);
        assert!(sent[3].starts_with(binary_line) && sent[4].starts_with(binary_line));
        assert_eq!(sent[5], "{\"short\":1}");
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
