//! Colour for the terminal: `--color auto|always|never`, with `NO_COLOR` honoured in auto.

use crate::results::Outcome;

/// When to colour terminal output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set to something.
    #[default]
    Auto,
    /// Always, even into a pipe or a file.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether to colour a stream that is (or is not) a terminal, given this process's
    /// `NO_COLOR`.
    pub fn enabled(self, is_terminal: bool) -> bool {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        self.decide(is_terminal, no_color)
    }

    fn decide(self, is_terminal: bool, no_color: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_terminal && !no_color,
        }
    }
}

/// Paints text with ANSI colours, or leaves it alone.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Paint(pub bool);

impl Paint {
    fn wrap(self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// Text in the colour of an outcome.
    pub fn outcome(self, outcome: Outcome, text: &str) -> String {
        let code = match outcome {
            Outcome::Fail | Outcome::Error => "1;31",
            Outcome::Warn => "1;33",
            Outcome::Pass => "32",
            Outcome::Skip => "2",
        };
        self.wrap(code, text)
    }

    /// Bold text.
    pub fn bold(self, text: &str) -> String {
        self.wrap("1", text)
    }

    /// Dim text.
    pub fn dim(self, text: &str) -> String {
        self.wrap("2", text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_turns_auto_off_on_a_terminal_but_not_always() {
        assert!(!ColorChoice::Auto.decide(true, true));
        assert!(ColorChoice::Always.decide(true, true));
    }

    #[test]
    fn never_and_always_ignore_the_terminal() {
        assert!(!ColorChoice::Never.decide(true, false));
        assert!(ColorChoice::Always.decide(false, true));
        assert!(!ColorChoice::Auto.decide(false, false));
        assert!(ColorChoice::Auto.decide(true, false));
        assert_eq!(Paint(false).bold("x"), "x");
        assert_eq!(Paint(true).bold("x"), "\x1b[1mx\x1b[0m");
    }
}
