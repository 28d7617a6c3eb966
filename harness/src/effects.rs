//! Observing side effects (SPEC §4): how many times the target processed a session. The
//! runner, and anything else that sends deliveries, asks an [`EffectsProbe`].

use std::process::Stdio;
use std::time::Duration;

use reqwest::{Method, Url};
use tokio::process::Command;

use crate::sender::{Exchange, Sender};

/// The placeholder an effects URL template must contain.
pub const SESSION_PLACEHOLDER: &str = "{sessionId}";

/// How long one effects query may take.
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the effect count of a session comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EffectsProbe {
    /// GET this URL with `{sessionId}` replaced; the answer is a bare integer or
    /// `{"count": N}`.
    Url(String),
    /// Run this with `sh -c`, `HOOKCHECK_SESSION_ID` in its environment; it prints an integer.
    Command(String),
}

/// Why an effects query gave no count.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EffectsError {
    /// The URL template has no `{sessionId}` or is not a URL.
    #[error("effects URL template `{0}` must be an http(s) URL containing {{sessionId}}")]
    BadTemplate(String),
    /// The effects endpoint did not answer 200.
    #[error("effects query {url} failed: {reason}")]
    Query {
        /// The URL asked.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The effects command failed.
    #[error("effects command failed: {0}")]
    Command(String),
    /// The answer is not a count.
    #[error("effects answer `{0}` is not an integer or {{\"count\": N}}")]
    NotACount(String),
}

impl EffectsProbe {
    /// A URL probe, checked for the placeholder and scheme.
    pub fn url(template: &str) -> Result<EffectsProbe, EffectsError> {
        let probe = EffectsProbe::Url(template.to_owned());
        let sample = template.replace(SESSION_PLACEHOLDER, "00000000-0000-4000-8000-000000000000");
        match Url::parse(&sample) {
            Ok(url)
                if template.contains(SESSION_PLACEHOLDER)
                    && matches!(url.scheme(), "http" | "https") =>
            {
                Ok(probe)
            }
            _ => Err(EffectsError::BadTemplate(template.to_owned())),
        }
    }

    /// `url` or `command`, for the report.
    pub fn kind(&self) -> &'static str {
        match self {
            EffectsProbe::Url(_) => "url",
            EffectsProbe::Command(_) => "command",
        }
    }

    /// How many times the target processed `session_id`.
    pub async fn count(&self, sender: &Sender, session_id: &str) -> Result<u64, EffectsError> {
        match self {
            EffectsProbe::Url(template) => {
                let text = template.replace(SESSION_PLACEHOLDER, session_id);
                let url =
                    Url::parse(&text).map_err(|_| EffectsError::BadTemplate(template.clone()))?;
                let mut exchange = Exchange::post(url, bytes::Bytes::new());
                exchange.method = Method::GET;
                exchange.timeout = Some(QUERY_TIMEOUT);
                let exchanged = sender.exchange(exchange).await;
                let query_error = |reason: String| EffectsError::Query {
                    url: text.clone(),
                    reason,
                };
                let response = exchanged.outcome.map_err(|e| query_error(e.to_string()))?;
                if !response.status.is_success() {
                    return Err(query_error(format!("answered {}", response.status)));
                }
                parse_count(&String::from_utf8_lossy(&response.body))
            }
            EffectsProbe::Command(command) => {
                let mut child = Command::new("sh");
                child
                    .arg("-c")
                    .arg(command)
                    .env("HOOKCHECK_SESSION_ID", session_id)
                    .stdin(Stdio::null())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .kill_on_drop(true);
                let output = tokio::time::timeout(QUERY_TIMEOUT, child.output())
                    .await
                    .map_err(|_| {
                        EffectsError::Command(format!(
                            "no answer within {} s",
                            QUERY_TIMEOUT.as_secs()
                        ))
                    })?
                    .map_err(|e| EffectsError::Command(format!("could not start sh: {e}")))?;
                if !output.status.success() {
                    let stderr = String::from_utf8_lossy(&output.stderr);
                    let first = stderr.lines().next().unwrap_or("").trim();
                    return Err(EffectsError::Command(format!(
                        "{} ({first})",
                        output.status
                    )));
                }
                parse_count(&String::from_utf8_lossy(&output.stdout))
            }
        }
    }
}

/// Reads a bare integer or `{"count": N}`.
pub fn parse_count(text: &str) -> Result<u64, EffectsError> {
    let trimmed = text.trim();
    if let Ok(count) = trimmed.parse::<u64>() {
        return Ok(count);
    }
    serde_json::from_str::<serde_json::Value>(trimmed)
        .ok()
        .and_then(|value| value.get("count").and_then(serde_json::Value::as_u64))
        .ok_or_else(|| EffectsError::NotACount(trimmed.chars().take(80).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_integers_or_json() {
        assert_eq!(parse_count("3\n"), Ok(3));
        assert_eq!(parse_count(r#"{"count": 1}"#), Ok(1));
        assert!(parse_count("one").is_err());
        assert!(parse_count(r#"{"n": 1}"#).is_err());
    }

    #[test]
    fn templates_need_the_placeholder() {
        assert!(EffectsProbe::url("http://127.0.0.1:1/effects/{sessionId}").is_ok());
        assert!(EffectsProbe::url("http://127.0.0.1:1/effects").is_err());
        assert!(EffectsProbe::url("ftp://x/{sessionId}").is_err());
    }

    #[tokio::test]
    async fn a_command_gets_the_session_in_its_environment() {
        crate::install_crypto_provider();
        let sender = Sender::new(crate::sender::SenderConfig::default()).unwrap();
        let probe = EffectsProbe::Command(r#"test "$HOOKCHECK_SESSION_ID" = abc && echo 2"#.into());
        assert_eq!(probe.count(&sender, "abc").await, Ok(2));
        assert!(probe.count(&sender, "other").await.is_err());
    }
}
