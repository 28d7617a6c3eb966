//! `--config PATH` and `./hookcheck.toml`: the command line of `run`, `fuzz` and `load`
//! completed from the file. The file's arguments ([`ConfigFile::arguments`]) are added for
//! every flag the command has and the user did not give (on the command line or through its
//! environment variable), then the whole line is parsed again: a flag overrides the file.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};

use super::Cli;
use crate::config::{ConfigFile, DEFAULT_FILE};
use crate::exit_codes;

/// The commands a config file applies to.
const READERS: [&str; 3] = ["run", "fuzz", "load"];

/// Parses the command line of the process, completed from its config file; exits as clap
/// does on `--help` or a bad flag, and returns the exit code of a bad config file.
pub fn parse() -> Result<Cli, i32> {
    let argv: Vec<OsString> = std::env::args_os().collect();
    let matches = Cli::command().get_matches_from(&argv);
    let completed = completed(argv, &matches).map_err(|message| {
        super::report_error(&message);
        exit_codes::USAGE
    })?;
    let matches = match completed {
        Some(argv) => Cli::command().get_matches_from(argv),
        None => matches,
    };
    Ok(Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit()))
}

/// The command line with the config file's arguments added, or `None` without a file (or
/// for a command that reads none).
fn completed(
    mut argv: Vec<OsString>,
    matches: &ArgMatches,
) -> Result<Option<Vec<OsString>>, String> {
    let Some((name, sub)) = matches.subcommand() else {
        return Ok(None);
    };
    let given = sub
        .get_one::<PathBuf>("config")
        .or(matches.get_one::<PathBuf>("config"));
    let path = match given {
        Some(path) if !path.is_file() => {
            return Err(format!("--config {}: no such file", path.display()));
        }
        Some(path) => path.clone(),
        None if std::path::Path::new(DEFAULT_FILE).is_file() => PathBuf::from(DEFAULT_FILE),
        None => return Ok(None),
    };
    if !READERS.contains(&name) {
        return Ok(None);
    }
    let config = ConfigFile::load(&path).map_err(|e| e.to_string())?;
    let arguments = config
        .arguments()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let command = Cli::command();
    let defined = command
        .find_subcommand(name)
        .expect("a parsed subcommand exists");
    for (id, words) in arguments {
        let has = defined.get_arguments().any(|arg| arg.get_id() == id);
        if has && !given_by_user(sub, id) {
            argv.extend(words.into_iter().map(OsString::from));
        }
    }
    Ok(Some(argv))
}

/// Whether the user gave the flag `id`: on the command line or through its variable.
fn given_by_user(matches: &ArgMatches, id: &str) -> bool {
    matches!(
        matches.value_source(id),
        Some(ValueSource::CommandLine | ValueSource::EnvVariable)
    )
}
