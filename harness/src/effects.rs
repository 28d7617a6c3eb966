//! Observing side effects (SPEC §4): how many times the target processed a session. The
//! runner, and anything else that sends deliveries, asks an [`EffectsProbe`].
//!
//! A probe is a URL template (`…/effects/{sessionId}`, answering `N` or `{"count": N}`),
//! optionally with a header for an endpoint behind auth, or a shell command that prints
//! `N` with `HOOKCHECK_SESSION_ID` in its environment. Every query is bounded by the
//! probe's timeout; a command that overruns it is ended with its whole process group.

use std::future::Future;
use std::pin::Pin;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, Url};
use tokio::process::Command;

use crate::auth::AuthHeader;
use crate::duration::format_duration;
use crate::process_group::end_group;
use crate::sender::Sender;
use crate::transport::Exchange;

/// The placeholder an effects URL template must contain.
pub const SESSION_PLACEHOLDER: &str = "{sessionId}";

/// How long one effects query may take by default.
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the effect count of a session comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EffectsSource {
    /// GET this URL with `{sessionId}` replaced.
    Url(String),
    /// Run this with `sh -c`, `HOOKCHECK_SESSION_ID` in its environment; it prints an integer.
    Command(String),
    /// Call this, in-process (the Rust test API, [`crate::testing`]).
    Function(CountFn),
}

impl EffectsSource {
    /// A source that calls `count(session_id)`.
    pub fn function<F, Fut>(count: F) -> EffectsSource
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = u64> + Send + 'static,
    {
        EffectsSource::Function(CountFn(Arc::new(move |session| Box::pin(count(session)))))
    }
}

type CountFuture = Pin<Box<dyn Future<Output = u64> + Send>>;

/// A counting closure; two are equal only when they are the same closure.
#[derive(Clone)]
pub struct CountFn(Arc<dyn Fn(String) -> CountFuture + Send + Sync>);

impl std::fmt::Debug for CountFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CountFn(<closure>)")
    }
}

impl PartialEq for CountFn {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for CountFn {}

/// An effects probe: where counts come from, an optional header, and a timeout.
#[derive(Debug, Clone)]
pub struct EffectsProbe {
    /// The URL template or the command.
    pub source: EffectsSource,
    /// A header every URL query carries (`--effects-header`); a secret, never printed.
    pub header: Option<AuthHeader>,
    /// How long one query may take.
    pub timeout: Duration,
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
    /// The counting function did not return in time.
    #[error("the effects function did not return within {0}")]
    Function(String),
    /// The answer is not a count.
    #[error("effects answer `{0}` is not an integer or {{\"count\": N}}")]
    NotACount(String),
}

impl EffectsProbe {
    /// A URL probe, checked for the placeholder and scheme.
    pub fn url(template: &str) -> Result<EffectsProbe, EffectsError> {
        let sample = template.replace(SESSION_PLACEHOLDER, "00000000-0000-4000-8000-000000000000");
        match Url::parse(&sample) {
            Ok(url)
                if template.contains(SESSION_PLACEHOLDER)
                    && matches!(url.scheme(), "http" | "https") =>
            {
                Ok(EffectsProbe::from(EffectsSource::Url(template.to_owned())))
            }
            _ => Err(EffectsError::BadTemplate(template.to_owned())),
        }
    }

    /// A command probe.
    pub fn command(command: impl Into<String>) -> EffectsProbe {
        EffectsProbe::from(EffectsSource::Command(command.into()))
    }

    /// With a header on every URL query.
    pub fn header(mut self, header: AuthHeader) -> Self {
        self.header = Some(header);
        self
    }

    /// With another query timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// `url` or `command`, for the report.
    pub fn kind(&self) -> &'static str {
        match self.source {
            EffectsSource::Url(_) => "url",
            EffectsSource::Command(_) => "command",
            EffectsSource::Function(_) => "function",
        }
    }

    /// How many times the target processed `session_id`.
    pub async fn count(&self, sender: &Sender, session_id: &str) -> Result<u64, EffectsError> {
        match &self.source {
            EffectsSource::Url(template) => self.query(sender, template, session_id).await,
            EffectsSource::Command(command) => self.run(command, session_id).await,
            EffectsSource::Function(count) => {
                let counting = (count.0)(session_id.to_owned());
                tokio::time::timeout(self.timeout, counting)
                    .await
                    .map_err(|_| EffectsError::Function(format_duration(self.timeout)))
            }
        }
    }

    async fn query(
        &self,
        sender: &Sender,
        template: &str,
        session_id: &str,
    ) -> Result<u64, EffectsError> {
        let text = template.replace(SESSION_PLACEHOLDER, session_id);
        let url = Url::parse(&text).map_err(|_| EffectsError::BadTemplate(template.to_owned()))?;
        let mut exchange = Exchange::post(url, bytes::Bytes::new());
        exchange.method = Method::GET;
        exchange.timeout = Some(self.timeout);
        if let Some(header) = &self.header {
            exchange
                .headers
                .insert(header.name().clone(), header.expose_value().clone());
        }
        let redact = |text: String| match &self.header {
            Some(header) => text.replace(
                &*String::from_utf8_lossy(header.expose_value().as_bytes()),
                "<redacted>",
            ),
            None => text,
        };
        let query_error = |reason: String| EffectsError::Query {
            url: text.clone(),
            reason: redact(reason),
        };
        let response = sender
            .exchange(exchange)
            .await
            .outcome
            .map_err(|e| query_error(e.to_string()))?;
        if !response.status.is_success() {
            return Err(query_error(format!("answered {}", response.status)));
        }
        parse_count(&redact(
            String::from_utf8_lossy(&response.body).into_owned(),
        ))
    }

    async fn run(&self, command: &str, session_id: &str) -> Result<u64, EffectsError> {
        let mut child = Command::new("sh");
        child
            .arg("-c")
            .arg(command)
            .env("HOOKCHECK_SESSION_ID", session_id)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        let child = child
            .spawn()
            .map_err(|e| EffectsError::Command(format!("could not start sh: {e}")))?;
        let group = child.id();
        let output = match tokio::time::timeout(self.timeout, child.wait_with_output()).await {
            Ok(output) => output
                .map_err(|e| EffectsError::Command(format!("could not read its output: {e}")))?,
            Err(_) => {
                end_group(group);
                return Err(EffectsError::Command(format!(
                    "no answer within {}",
                    format_duration(self.timeout)
                )));
            }
        };
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

impl From<EffectsSource> for EffectsProbe {
    fn from(source: EffectsSource) -> Self {
        EffectsProbe {
            source,
            header: None,
            timeout: QUERY_TIMEOUT,
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

    fn sender() -> Sender {
        crate::install_crypto_provider();
        Sender::new(crate::sender::SenderConfig::default()).unwrap()
    }

    #[tokio::test]
    async fn a_command_gets_the_session_in_its_environment() {
        let probe = EffectsProbe::command(r#"test "$HOOKCHECK_SESSION_ID" = abc && echo 2"#);
        assert_eq!(probe.count(&sender(), "abc").await, Ok(2));
        assert!(probe.count(&sender(), "other").await.is_err());
    }

    #[tokio::test]
    async fn an_effects_url_behind_auth_gets_its_header_and_never_shows_the_value() {
        use wiremock::matchers::{header, method};
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(header("x-effects-key", "effects-s3cret"))
            .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"count": 2}"#))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(401).set_body_string("effects-s3cret is wrong"))
            .mount(&server)
            .await;
        let template = format!("{}/effects/{{sessionId}}", server.uri());
        let bare = EffectsProbe::url(&template).unwrap();
        let with_header = bare
            .clone()
            .header("X-Effects-Key: effects-s3cret".parse().unwrap());
        assert_eq!(with_header.count(&sender(), "abc").await, Ok(2));
        let refused = bare.count(&sender(), "abc").await.unwrap_err().to_string();
        assert!(refused.contains("401"), "{refused}");
        assert!(!format!("{with_header:?}").contains("effects-s3cret"));
    }

    #[tokio::test]
    async fn a_command_that_overruns_is_ended_with_everything_it_started() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("child.pid");
        let command = format!("sleep 30 & echo $! > '{}'; wait", pidfile.display());
        let probe = EffectsProbe::command(command).timeout(Duration::from_millis(300));
        let error = probe.count(&sender(), "abc").await.unwrap_err();
        assert!(error.to_string().contains("no answer within"), "{error}");
        let pid: i32 = std::fs::read_to_string(&pidfile)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        // The grandchild was killed with its group: give the kernel a moment to reap it.
        let mut alive = true;
        for _ in 0..50 {
            // SAFETY: signal 0 only asks whether the process exists.
            alive = unsafe { libc::kill(pid, 0) } == 0
                && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
                    .is_ok_and(|stat| stat.contains(") Z "));
            if !alive {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            !alive,
            "the command's background child {pid} outlived the timeout"
        );
    }
}
