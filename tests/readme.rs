//! The README's examples stay true: every `hookcheck` command line in its `sh` blocks is
//! read by the shell exactly as a user's shell would read it, and must parse with the
//! binary's own command-line definition (every subcommand, flag and value it names exists).

use clap::Parser;
use hookcheck::cli::Cli;

use crate::HOOKCHECK;

const README: &str = include_str!("../README.md");

/// The `hookcheck` command lines of every ```sh block, continuation lines joined.
fn examples() -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_sh = false;
    let mut pending = String::new();
    for line in README.lines() {
        match (in_sh, line.trim_start().starts_with("```")) {
            (false, true) => in_sh = line.trim() == "```sh",
            (true, true) => in_sh = false,
            (true, false) => {
                pending.push_str(line.trim_end().trim_end_matches('\\'));
                if !line.trim_end().ends_with('\\') {
                    lines.push(std::mem::take(&mut pending));
                }
            }
            (false, false) => {}
        }
    }
    lines
        .into_iter()
        .filter(|l| l.trim_start().starts_with("hookcheck "))
        .collect()
}

/// The words `sh` makes of a command line (up to its first pipe, redirection, `&&` or `&`,
/// and without its comment), read by `sh` itself.
fn words(line: &str) -> Vec<String> {
    let line = line.trim_end();
    let command = ["|", ">", "&&", "&"]
        .iter()
        .filter_map(|op| line.find(&format!(" {op} ")))
        .min()
        .map_or(line, |end| &line[..end]);
    let command = command.strip_suffix(" &").unwrap_or(command);
    let output = std::process::Command::new("sh")
        .args([
            "-c",
            "eval \"set -- $1\"; printf '%s\\0' \"$@\"",
            "sh",
            command,
        ])
        .output()
        .expect("sh runs");
    assert!(output.status.success(), "sh cannot read `{line}`");
    output
        .stdout
        .split(|&b| b == 0)
        .filter(|w| !w.is_empty())
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect()
}

#[test]
fn every_readme_example_names_only_flags_and_values_the_binary_accepts() {
    let examples = examples();
    assert!(
        examples.len() > 30,
        "only {} examples found",
        examples.len()
    );
    for line in &examples {
        let words = words(line);
        if let Err(e) = Cli::try_parse_from(&words) {
            panic!("README example `{line}` does not parse:\n{e}");
        }
    }
}

#[test]
fn the_example_reader_sees_quotes_comments_and_pipes_as_sh_does() {
    let read = words(
        "hookcheck run --effects-cmd 'psql -c \"select '\\''$X'\\''\"' --seed 1   # a comment",
    );
    assert_eq!(
        read,
        [
            "hookcheck",
            "run",
            "--effects-cmd",
            "psql -c \"select '$X'\"",
            "--seed",
            "1"
        ]
    );
    assert_eq!(
        words("hookcheck report --from run.json --markdown - | head -5"),
        [
            "hookcheck",
            "report",
            "--from",
            "run.json",
            "--markdown",
            "-"
        ]
    );
    assert_eq!(
        words("hookcheck serve --memory &"),
        ["hookcheck", "serve", "--memory"]
    );
}

/// Every command's `--help` fits an 80-column terminal, even when clap cannot see one (CI logs,
/// pipes): the lines are wrapped by clap, not pre-wrapped at another width.
#[test]
fn every_help_fits_80_columns() {
    let commands = [
        "", "run", "fuzz", "load", "send", "serve", "report", "diff", "corpus", "list", "explain",
    ];
    for command in commands {
        let mut cmd = HOOKCHECK.command();
        if !command.is_empty() {
            cmd.arg(command);
        }
        let out = cmd.arg("--help").output().expect("hookcheck runs");
        assert!(out.status.success(), "{command} --help failed");
        let text = String::from_utf8(out.stdout).expect("help is UTF-8");
        assert!(
            text.lines().count() > 3,
            "{command} --help printed almost nothing"
        );
        for line in text.lines() {
            assert!(
                line.chars().count() <= 80,
                "`hookcheck {command} --help` has a line of {} columns:\n{line}",
                line.chars().count()
            );
        }
    }
}
