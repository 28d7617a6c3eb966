//! The README's examples stay true: every `hookcheck` command line in its `sh` blocks is
//! read by the shell exactly as a user's shell would read it, and must parse with the
//! binary's own command-line definition (every subcommand, flag and value it names exists).

use clap::Parser;
use hookcheck::cli::Cli;

use crate::HOOKCHECK;

const README: &str = include_str!("../README.md");

/// The command lines of each ```sh block, continuation lines joined, block by block.
fn blocks() -> Vec<Vec<String>> {
    let mut blocks = Vec::new();
    let mut block: Option<Vec<String>> = None;
    let mut pending = String::new();
    for line in README.lines() {
        match (&mut block, line.trim_start().starts_with("```")) {
            (None, true) if line.trim() == "```sh" => block = Some(Vec::new()),
            (None, _) => {}
            (Some(_), true) => blocks.extend(block.take()),
            (Some(lines), false) => {
                pending.push_str(line.trim_end().trim_end_matches('\\'));
                if !line.trim_end().ends_with('\\') {
                    lines.push(std::mem::take(&mut pending));
                }
            }
        }
    }
    blocks
}

/// The `hookcheck` command lines of every ```sh block.
fn examples() -> Vec<String> {
    blocks()
        .into_iter()
        .flatten()
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
        "", "run", "fuzz", "load", "send", "capture", "serve", "report", "diff", "corpus", "list",
        "explain",
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

/// Why a README line is not run as printed by [`every_self_contained_readme_example_runs`],
/// or None when it is: it needs no service the test does not have (a user's endpoint, a
/// receiver started in another shell, PostgreSQL), starts nothing that runs until stopped,
/// and writes nowhere outside its folder.
fn not_self_contained(line: &str) -> Option<&'static str> {
    let command = line.split(" #").next().unwrap_or(line).trim();
    if !(command.starts_with("hookcheck ") || command.starts_with("mkdir -p ")) {
        return Some("not a hookcheck command");
    }
    let words = words(command);
    let targets = words
        .iter()
        .any(|w| w == "--target" || w.starts_with("--target="));
    if targets || command.contains("postgres://") {
        return Some("needs a receiver of its own");
    }
    if command.starts_with("hookcheck serve") || command.ends_with('&') {
        return Some("runs until stopped");
    }
    if command.contains('~') {
        return Some("writes outside its folder");
    }
    let piped = command.split(" | ").skip(1);
    let missing = piped
        .filter_map(|c| c.split_whitespace().next())
        .any(|tool| {
            !std::process::Command::new("sh")
                .args(["-c", &format!("command -v {tool}")])
                .output()
                .is_ok_and(|o| o.status.success())
        });
    missing.then_some("pipes into a tool that is not installed")
}

/// The exit code a line's comment promises (`# exit 1: …`), if it promises one.
fn promised_exit(line: &str) -> Option<i32> {
    let comment = line.split(" # ").nth(1)?;
    let code = comment.trim().strip_prefix("exit ")?;
    code.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// Runs one block's self-contained lines in order, in a folder of its own (later lines read
/// what earlier ones wrote, and `fixtures` is the repository's), with the built `hookcheck`
/// first on PATH; returns what went wrong.
fn run_block(lines: &[String], dir: &std::path::Path) -> Vec<String> {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_hookcheck"));
    let path = format!(
        "{}:{}",
        bin.parent().expect("the binary is in a folder").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // Examples run from the repository's root, where they read its fixtures.
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures");
    std::os::unix::fs::symlink(fixtures, dir.join("fixtures")).expect("a link to the fixtures");
    let mut problems = Vec::new();
    for line in lines.iter().filter(|l| not_self_contained(l).is_none()) {
        let out = std::process::Command::new("timeout")
            .args(["300", "sh", "-c", line])
            .current_dir(dir)
            .env("PATH", &path)
            .env("HOME", dir)
            .env("NO_COLOR", "1")
            .output()
            .expect("timeout and sh run");
        let code = out.status.code();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let fine = match promised_exit(line) {
            Some(promised) => code == Some(promised),
            None => matches!(code, Some(0 | 1)),
        };
        if !fine || stderr.contains("panicked") {
            problems.push(format!("`{line}` exited {code:?}:\n{stderr}"));
        }
    }
    problems
}

/// Every README example that needs nothing outside this test runs as printed, each block in
/// order in a fresh folder: no usage error (exit 2), no runtime error (exit 3), no panic, and
/// the exit code its comment promises. Blocks run at once: most of their time is the retry
/// span a `run` waits out.
#[test]
fn every_self_contained_readme_example_runs() {
    let blocks: Vec<Vec<String>> = blocks()
        .into_iter()
        .filter(|b| {
            b.iter()
                .any(|l| l.starts_with("hookcheck ") && not_self_contained(l).is_none())
        })
        .collect();
    assert!(blocks.len() >= 8, "only {} runnable blocks", blocks.len());
    let problems: Vec<String> = std::thread::scope(|scope| {
        let runs: Vec<_> = blocks
            .iter()
            .map(|block| {
                scope.spawn(move || {
                    let dir = tempfile::tempdir().expect("a temporary folder");
                    run_block(block, dir.path())
                })
            })
            .collect();
        runs.into_iter()
            .flat_map(|r| r.join().expect("a block ran"))
            .collect()
    });
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn the_runner_skips_what_needs_an_outside_service_and_reads_promised_exits() {
    let skipped = [
        "hookcheck run --target https://staging.example.com/hook",
        "hookcheck serve --memory --listen 127.0.0.1:8080",
        "hookcheck completions bash > ~/.local/share/hookcheck",
        "createdb hooks",
        "hookcheck run | no-such-tool-here .verdict",
        "hookcheck run --target=http://127.0.0.1:9/hook",
    ];
    for line in skipped {
        assert!(not_self_contained(line).is_some(), "{line}");
    }
    assert_eq!(
        not_self_contained("hookcheck list --json   # for tools"),
        None
    );
    // A --target inside a quoted trigger is the trigger's, aimed at the capture itself.
    let capture = "hookcheck capture --trigger 'hookcheck send --target \"$URL\"'";
    assert_eq!(not_self_contained(capture), None);
    assert_eq!(
        promised_exit("hookcheck diff a.json b.json    # exit 1: new failures"),
        Some(1)
    );
    assert_eq!(
        promised_exit("hookcheck run --baseline old.json # exit 0: none"),
        Some(0)
    );
    assert_eq!(promised_exit("hookcheck list   # for tools"), None);
}
