//! Folding a repro to a width without changing what `sh` runs: a long command line goes on
//! over several lines joined by backslash-newline, which `sh` removes everywhere but inside
//! single quotes (there the quote is closed first and opened again: `'ab'\` + `'cd'` is
//! the word `abcd`). Lines break at a blank between words where one is near the width,
//! else inside the word, with nothing added to it; comment lines are split as comments.

/// `script` with every line at most `width` characters (`width` at least 8).
pub fn fold(script: &str, width: usize) -> String {
    let width = width.max(8);
    let mut out = Vec::new();
    for line in script.lines() {
        match line.trim_start().strip_prefix('#') {
            Some(_) => fold_comment(line, width, &mut out),
            None => fold_command(line, width, &mut out),
        }
    }
    out.join("\n")
}

fn fold_comment(line: &str, width: usize, out: &mut Vec<String>) {
    let mut rest = line.to_owned();
    while rest.chars().count() > width {
        let chars: Vec<char> = rest.chars().collect();
        let cut = chars[..width]
            .iter()
            .rposition(|&c| c == ' ')
            .filter(|&at| at > 2)
            .unwrap_or(width);
        out.push(chars[..cut].iter().collect());
        let tail: String = chars[cut..].iter().collect();
        // The next piece is a comment of its own.
        rest = format!("# {}", tail.trim_start());
    }
    out.push(rest);
}

/// Where a character of a command line stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quote {
    /// Outside any quotes.
    None,
    /// Inside `'…'`.
    Single,
    /// Inside `"…"`.
    Double,
}

/// The quoting state before each character of `chars`, and whether the character is
/// escaped by the backslash before it (a break must not come between the two).
fn states(chars: &[char]) -> Vec<(Quote, bool)> {
    let mut states = Vec::with_capacity(chars.len());
    let (mut quote, mut escaped) = (Quote::None, false);
    for &c in chars {
        states.push((quote, escaped));
        if escaped {
            escaped = false;
            continue;
        }
        match (quote, c) {
            (Quote::None, '\'') => quote = Quote::Single,
            (Quote::Single, '\'') | (Quote::Double, '"') => quote = Quote::None,
            (Quote::None, '"') => quote = Quote::Double,
            (Quote::None | Quote::Double, '\\') => escaped = true,
            _ => {}
        }
    }
    states
}

fn fold_command(line: &str, width: usize, out: &mut Vec<String>) {
    let chars: Vec<char> = line.chars().collect();
    let states = states(&chars);
    let (mut start, mut prefix) = (0, String::new());
    loop {
        let room = width - prefix.chars().count();
        let rest: String = chars[start..].iter().collect();
        let Some((end, next)) = (chars.len() - start > room)
            .then(|| break_at(&chars, &states, start, room))
            .flatten()
        else {
            return out.push(prefix + &rest);
        };
        let piece: String = chars[start..end].iter().collect();
        if states[end].0 == Quote::Single {
            out.push(format!("{prefix}{piece}'\\"));
            prefix = "'".to_owned();
        } else {
            out.push(format!("{prefix}{piece} \\"));
            prefix = "  ".to_owned();
        }
        start = next;
    }
}

/// Where the piece that starts at `start` ends and the next one starts: at the last
/// unquoted blank that leaves room for ` \` (not too early in the piece); else inside
/// single quotes, where nothing is expanded (the next piece reopens them); else at any
/// unquoted blank, the first one past the width if need be. `None` when the rest cannot
/// be broken.
fn break_at(
    chars: &[char],
    states: &[(Quote, bool)],
    start: usize,
    room: usize,
) -> Option<(usize, usize)> {
    let limit = (start + room).saturating_sub(2).min(chars.len() - 1);
    let is_blank = |i: usize| chars[i] == ' ' && states[i] == (Quote::None, false);
    let after_blank = |at: usize| (at..chars.len()).find(|&i| chars[i] != ' ');
    let blank = (start + 1..=limit).rev().find(|&i| is_blank(i));
    if let Some(at) = blank.filter(|&at| at > start + room / 3) {
        return Some((at, after_blank(at)?));
    }
    let quoted = (start + 1..=limit)
        .rev()
        .find(|&i| states[i].0 == Quote::Single && chars[i] != '\'');
    if let Some(at) = quoted {
        return Some((at, at));
    }
    let at = blank.or_else(|| (limit..chars.len()).find(|&i| is_blank(i)))?;
    Some((at, after_blank(at)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What dash makes of `script`: every word of every command, one per line, with
    /// `curl` a function that prints its arguments.
    fn words(script: &str) -> String {
        let output = std::process::Command::new("dash")
            .arg("-c")
            .arg(format!("curl() {{ printf '[%s]\\n' \"$@\"; }}\n{script}"))
            .output()
            .expect("dash runs");
        assert!(output.status.success(), "{script}\n{output:?}");
        String::from_utf8(output.stdout).unwrap()
    }

    #[test]
    fn a_folded_repro_runs_the_same_words_in_dash_and_fits_the_width() {
        let body = format!(
            "{{\"sessionId\":\"a b\",\"note\":\"it's {}\"}}",
            "x".repeat(150)
        );
        let line = format!(
            "curl -sS -i 'http://127.0.0.1:8080/webhooks/cr3dentials' -H 'Content-Type: application/json' -H \"X-API-Key: ${{HOOKCHECK_AUTH%?}}\" --data-binary {}",
            super::super::single_quote(&body)
        );
        let script = format!(
            "# {}\n{line} &\n{line} &\nwait\ni=0; while [ \"$i\" -lt 2 ]; do i=$((i+1)); {line} ; done",
            "a comment that goes on ".repeat(6)
        );
        for width in [40, 50, 80] {
            let folded = fold(&script, width);
            for piece in folded.lines() {
                assert!(piece.chars().count() <= width, "{width}: {piece:?}");
            }
            let env = "HOOKCHECK_AUTH=secret; ";
            assert_eq!(
                words(&format!("{env}{folded}")),
                words(&format!("{env}{script}"))
            );
            assert!(folded.lines().count() > script.lines().count());
        }
    }

    #[test]
    fn a_line_that_fits_is_left_alone_and_an_unbreakable_word_stays_whole() {
        assert_eq!(fold("curl -sS 'http://x/'", 80), "curl -sS 'http://x/'");
        let word = "y".repeat(100);
        assert_eq!(
            fold(&format!("curl {word}"), 40),
            format!("curl \\\n  {word}")
        );
        assert_eq!(fold(&word, 40), word);
    }
}
