//! `hookcheck completions SHELL` and `hookcheck man`: shell completions and a man page,
//! generated from the same clap definitions the command line is parsed with.

use std::io::{self, Write};

use clap::CommandFactory;
use clap_complete::Shell;

use super::Cli;
use crate::exit_codes;

/// Arguments of `hookcheck completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for. Install with, for example,
    /// `hookcheck completions bash > ~/.local/share/bash-completion/completions/hookcheck`.
    #[arg(value_name = "SHELL")]
    pub shell: Shell,
}

/// Runs `hookcheck completions`: the script on stdout.
pub fn completions(args: &CompletionsArgs) -> i32 {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "hookcheck", &mut script);
    finish(io::stdout().lock().write_all(&script), "completions")
}

/// Runs `hookcheck man`: the man page (roff) on stdout, e.g. `hookcheck man > hookcheck.1`.
pub fn man() -> i32 {
    let mut page = Vec::new();
    let written = clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .and_then(|()| io::stdout().lock().write_all(&page));
    finish(written, "man page")
}

fn finish(written: io::Result<()>, what: &str) -> i32 {
    match written {
        Ok(()) => exit_codes::OK,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => exit_codes::OK,
        Err(e) => {
            super::report_error(&format!("failed to write the {what}: {e}"));
            exit_codes::UNAVAILABLE
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum;

    use super::*;

    fn subcommands() -> Vec<String> {
        Cli::command()
            .get_subcommands()
            .map(|c| c.get_name().to_owned())
            .collect()
    }

    #[test]
    fn every_shell_completes_every_subcommand() {
        for shell in Shell::value_variants() {
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "hookcheck", &mut script);
            let script = String::from_utf8(script).unwrap();
            for name in subcommands() {
                assert!(script.contains(&name), "{shell}: `{name}` is not completed");
            }
            assert!(
                script.contains("dedupe-window"),
                "{shell}: run's flags are missing"
            );
        }
    }

    #[test]
    fn the_bash_script_parses() {
        let mut script = Vec::new();
        clap_complete::generate(Shell::Bash, &mut Cli::command(), "hookcheck", &mut script);
        let checked = std::process::Command::new("bash")
            .args(["-n", "-c", &String::from_utf8(script).unwrap()])
            .output()
            .expect("bash runs");
        assert!(checked.status.success(), "{checked:?}");
    }

    #[test]
    fn the_man_page_names_every_subcommand() {
        let mut page = Vec::new();
        clap_mangen::Man::new(Cli::command())
            .render(&mut page)
            .unwrap();
        let page = String::from_utf8(page).unwrap();
        assert!(page.starts_with(".ie"), "{}", &page[..80.min(page.len())]);
        assert!(page.contains(".TH hookcheck 1"), "no title header");
        for name in subcommands() {
            assert!(page.contains(&name), "`{name}` is not in the man page");
        }
    }
}
