//! `hookcheck.toml`: the options a CI job sets, in a file (found in the working directory or
//! given with `--config PATH`). [`ConfigFile::parse`] validates it, naming the line and the
//! key of a mistake; [`ConfigFile::arguments`] turns it into the command-line arguments it
//! stands for, so that every value goes through the same parsers as a flag, and a flag the
//! user gives overrides the file's value (the command line drops the file's).

mod starter;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Deserializer};

pub use starter::{STARTER_CONFIG, STARTER_WORKFLOW};

/// The file `run`, `fuzz` and `load` read from the working directory without `--config`.
pub const DEFAULT_FILE: &str = "hookcheck.toml";

/// Where `hookcheck init` writes the GitHub Actions job.
pub const WORKFLOW_FILE: &str = ".github/workflows/hookcheck.yml";

/// The keys of `hookcheck.toml`. Every key is optional; each stands for the flag of the
/// same name (`_` for `-`), except `auth_header` with `auth_env`, which make `--auth`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// `--target`.
    pub target: Option<String>,
    /// `--replica`, each the URL of another replica of the `target` receiver.
    #[serde(default)]
    pub replicas: Vec<String>,
    /// The name of the auth header (`--auth`), with `auth_env`.
    pub auth_header: Option<String>,
    /// The environment variable that holds the auth header's value.
    pub auth_env: Option<String>,
    /// `--profile`: `cr3dentials` or `standard-webhooks`.
    pub profile: Option<String>,
    /// The environment variable that holds the Standard Webhooks signing secret (`--secret`).
    pub secret_env: Option<String>,
    /// `--header`, each `Name: value`.
    #[serde(default)]
    pub headers: Vec<String>,
    /// `--secret-header`, each a name (the value from `$HOOKCHECK_HEADER_<NAME>`).
    #[serde(default)]
    pub secret_headers: Vec<String>,
    /// `--effects-url`.
    pub effects_url: Option<String>,
    /// `--effects-cmd`.
    pub effects_cmd: Option<String>,
    /// `--effects-timeout`.
    #[serde(default, deserialize_with = "duration")]
    pub effects_timeout: Option<Duration>,
    /// `--timeout`.
    #[serde(default, deserialize_with = "duration")]
    pub timeout: Option<Duration>,
    /// `--settle`.
    #[serde(default, deserialize_with = "duration")]
    pub settle: Option<Duration>,
    /// `--dedupe-window`.
    #[serde(default, deserialize_with = "duration")]
    pub dedupe_window: Option<Duration>,
    /// `--only`, each an id prefix.
    #[serde(default)]
    pub only: Vec<String>,
    /// `--skip`, each an id prefix.
    #[serde(default)]
    pub skip: Vec<String>,
    /// `--json`.
    pub json: Option<PathBuf>,
    /// `--junit`.
    pub junit: Option<PathBuf>,
    /// `--markdown`.
    pub markdown: Option<PathBuf>,
    /// `--html`.
    pub html: Option<PathBuf>,
    /// `--baseline`.
    pub baseline: Option<PathBuf>,
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--quick`.
    pub quick: Option<bool>,
    /// `--strict`.
    pub strict: Option<bool>,
}

/// A mistake in a config file, as one line: `hookcheck.toml:7: unknown key `targte``.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ConfigError {
    /// The file, as the user named it.
    pub file: String,
    /// The line of the mistake, when it has one.
    pub line: Option<usize>,
    /// What is wrong, naming the key.
    pub message: String,
}

/// Reads a duration key as the command line reads a duration flag.
fn duration<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Duration>, D::Error> {
    let text = String::deserialize(deserializer)?;
    humantime::parse_duration(text.trim())
        .map(Some)
        .map_err(|e| {
            serde::de::Error::custom(format!(
                "`{text}` is not a duration like 500ms, 2s or 1m ({e})"
            ))
        })
}

impl ConfigFile {
    /// Reads and validates the file at `path`.
    pub fn load(path: &Path) -> Result<ConfigFile, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: file.clone(),
            line: None,
            message: format!("cannot read it: {e}"),
        })?;
        ConfigFile::parse(&text, &file)
    }

    /// Validates `text`, the contents of `file`.
    pub fn parse(text: &str, file: &str) -> Result<ConfigFile, ConfigError> {
        toml::from_str(text).map_err(|e| {
            let span = e.span();
            let line = span.as_ref().map(|s| line_of(text, s.start));
            let key = span.and_then(|s| key_at(text, s.start));
            ConfigError {
                file: file.to_owned(),
                line,
                message: message(e.message(), key.as_deref()),
            }
        })
    }

    /// The command-line arguments the file stands for, each with the id of the flag it
    /// sets (the id clap gives it), so that the caller can drop those the user gives.
    pub fn arguments(&self) -> Result<Vec<(&'static str, Vec<String>)>, String> {
        let mut out = Vec::new();
        let mut one = |id: &'static str, flag: &str, value: Option<String>| {
            if let Some(value) = value {
                out.push((id, vec![format!("--{flag}"), value]));
            }
        };
        one("target", "target", self.target.clone());
        one("auth", "auth", self.auth()?);
        one("profile", "profile", self.profile.clone());
        one("secret", "secret", self.secret()?);
        one("effects_url", "effects-url", self.effects_url.clone());
        one("effects_cmd", "effects-cmd", self.effects_cmd.clone());
        // Milliseconds, which every duration flag reads back exactly.
        let duration = |d: Option<Duration>| d.map(|d| format!("{}ms", d.as_millis()));
        one(
            "effects_timeout",
            "effects-timeout",
            duration(self.effects_timeout),
        );
        one("timeout", "timeout", duration(self.timeout));
        one("settle", "settle", duration(self.settle));
        one(
            "dedupe_window",
            "dedupe-window",
            duration(self.dedupe_window),
        );
        let path = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string());
        for (id, value) in [
            ("json", &self.json),
            ("junit", &self.junit),
            ("markdown", &self.markdown),
            ("html", &self.html),
            ("baseline", &self.baseline),
        ] {
            one(id, id, path(value));
        }
        one("seed", "seed", self.seed.map(|s| s.to_string()));
        for (id, flag, values) in [
            ("replicas", "replica", &self.replicas),
            ("headers", "header", &self.headers),
            ("secret_headers", "secret-header", &self.secret_headers),
            ("only", "only", &self.only),
            ("skip", "skip", &self.skip),
        ] {
            if !values.is_empty() {
                let words = values.iter().flat_map(|v| [format!("--{flag}"), v.clone()]);
                out.push((id, words.collect()));
            }
        }
        for (id, on) in [("quick", self.quick), ("strict", self.strict)] {
            if on == Some(true) {
                out.push((id, vec![format!("--{id}")]));
            }
        }
        Ok(out)
    }

    /// `--secret` from the variable `secret_env` names.
    fn secret(&self) -> Result<Option<String>, String> {
        let Some(variable) = &self.secret_env else {
            return Ok(None);
        };
        match std::env::var(variable) {
            Ok(value) if !value.trim().is_empty() => Ok(Some(value)),
            _ => Err(format!(
                "`secret_env`: the environment variable {variable} that holds the signing secret is not set"
            )),
        }
    }

    /// `--auth` from `auth_header` and the value of `auth_env`.
    fn auth(&self) -> Result<Option<String>, String> {
        match (&self.auth_header, &self.auth_env) {
            (None, None) => Ok(None),
            (Some(_), None) | (None, Some(_)) => {
                Err("`auth_header` and `auth_env` go together: give both or neither".into())
            }
            (Some(name), Some(variable)) => match std::env::var(variable) {
                Ok(value) if !value.trim().is_empty() => Ok(Some(format!("{name}: {value}"))),
                _ => Err(format!(
                    "`auth_env`: the environment variable {variable} that holds the {name} value is not set"
                )),
            },
        }
    }
}

/// The 1-based line of byte `offset`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The key on the line of byte `offset`, if the line is `key = value`.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?;
    let (key, _) = line.split_once('=')?;
    Some(key.trim().trim_matches('"').to_owned())
}

/// toml's message in the words of this file: `unknown key`, with the known key it is
/// closest to; a wrong value named by its key.
fn message(toml: &str, key: Option<&str>) -> String {
    let toml = toml.trim().replace('\n', " ");
    if let Some(rest) = toml.strip_prefix("unknown field ") {
        let (unknown, expected) = rest.split_once(", expected").unwrap_or((rest, ""));
        let known = expected.split('`').skip(1).step_by(2);
        let typed = unknown.trim_matches('`');
        let closest = known
            .min_by_key(|k| edit_distance(k, typed))
            .filter(|k| edit_distance(k, typed) <= 2);
        return match closest {
            Some(known) => format!("unknown key {unknown} (did you mean `{known}`?)"),
            None => {
                format!("unknown key {unknown} (`hookcheck init` writes a file with every key)")
            }
        };
    }
    match key {
        Some(key) => format!("`{key}`: {toml}"),
        None => toml,
    }
}

/// The Levenshtein distance between two keys.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests;
