//! A delivery: the first attempt and its retries with exponential backoff (SPEC [D-8]),
//! and the attempt log the provider's portal shows.
//!
//! # JSON format
//!
//! A [`Delivery`] serializes as one object, durations in whole milliseconds:
//!
//! ```json
//! {
//!   "target": "https://example.com/hook",
//!   "sessionId": "0b6f6f0e-5d1c-4c36-9d0c-0d7f2c1e4a11",
//!   "delivered": true,
//!   "maxAttempts": 4,
//!   "totalDurationMs": 5123,
//!   "attempts": [
//!     { "number": 1, "startOffsetMs": 0, "durationMs": 12, "statusCode": 500,
//!       "failure": "status", "message": "HTTP 500 Internal Server Error", "nextDelayMs": 5090 },
//!     { "number": 2, "startOffsetMs": 5103, "durationMs": 20, "statusCode": 200,
//!       "failure": null, "message": "HTTP 200 OK", "nextDelayMs": null }
//!   ]
//! }
//! ```
//!
//! `failure` is one of `status`, `redirect`, `timeout`, `connect`, `tls`, `protocol`, or
//! null for the delivering attempt; `statusCode` is null when no response arrived;
//! `sessionId` is null when the body has no string `sessionId`. The target URL never holds
//! a password and no message holds the auth value.

use std::fmt;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rand::Rng;
use reqwest::Url;
use reqwest::header::LOCATION;
use serde::{Deserialize, Serialize};

use super::client::Sender;
use super::defect::{self, SenderDefect};
use crate::duration::format_duration;
use crate::standard_webhooks::{Message, new_id};
use crate::transport::{Exchanged, FailureClass, Response, display_url};

/// No backoff delay is longer than this, whatever the retry count.
pub const MAX_BACKOFF: Duration = Duration::from_secs(24 * 60 * 60);

/// How much of a failing response's body an attempt's message quotes.
const BODY_SNIPPET_CHARS: usize = 120;

/// One attempt of a delivery, as the portal's Logs page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    /// 1 for the first attempt, 2 for the first retry, …
    pub number: u32,
    /// When the attempt started, from the start of the delivery.
    #[serde(rename = "startOffsetMs", with = "millis")]
    pub start_offset: Duration,
    /// How long the attempt took.
    #[serde(rename = "durationMs", with = "millis")]
    pub duration: Duration,
    /// The response status, when a complete response arrived.
    pub status_code: Option<u16>,
    /// Why the attempt failed; `None` when it delivered.
    pub failure: Option<FailureClass>,
    /// A short human description: the status line, or the cause of the failure.
    pub message: String,
    /// The wait before the next attempt; `None` after the last one.
    #[serde(rename = "nextDelayMs", with = "opt_millis")]
    pub next_delay: Option<Duration>,
}

impl Attempt {
    /// Whether this attempt delivered the event (a 2xx in time).
    pub fn delivered(&self) -> bool {
        self.failure.is_none()
    }
}

/// A whole delivery: every attempt and the outcome. `Display` prints the attempt log,
/// one line per attempt and a final line; `Serialize` gives the JSON of the module docs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[must_use]
pub struct Delivery {
    /// The target, without any password the URL held.
    pub target: String,
    /// The body's `sessionId`, when it has one.
    pub session_id: Option<String>,
    /// The `webhook-id` of a signed (Standard Webhooks) delivery: the same on every attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_id: Option<String>,
    /// Whether an attempt got a 2xx in time.
    pub delivered: bool,
    /// The most attempts the configuration allowed.
    pub max_attempts: u32,
    /// From the first attempt's start to the last one's end.
    #[serde(rename = "totalDurationMs", with = "millis")]
    pub total_duration: Duration,
    /// Every attempt, in order.
    pub attempts: Vec<Attempt>,
}

impl Sender {
    /// Delivers one event: POSTs `body` to `url` with the delivery headers, retrying with
    /// backoff until a 2xx or until the retries run out.
    pub async fn deliver(&self, url: &Url, body: Bytes) -> Delivery {
        self.deliver_observed(url, body, |_| {}).await
    }

    /// Like [`Sender::deliver`], calling `observe` with each attempt as soon as it ends
    /// (before the backoff wait), so a caller can print progress.
    /// With [`SenderConfig::signing`](super::SenderConfig::signing) set, every attempt is
    /// signed under one fresh `webhook-id`.
    pub async fn deliver_observed(
        &self,
        url: &Url,
        body: Bytes,
        observe: impl FnMut(&Attempt),
    ) -> Delivery {
        let webhook_id = self
            .config()
            .signing
            .as_ref()
            .map(|_| new_id(&mut rand::rng()));
        self.deliver_as(url, body, webhook_id, observe).await
    }

    /// Delivers a Standard Webhooks `message`: its body, every attempt signed under its id
    /// with a fresh timestamp (unsigned when the configuration has no secret).
    pub async fn deliver_message(
        &self,
        url: &Url,
        message: &Message,
        observe: impl FnMut(&Attempt),
    ) -> Delivery {
        let webhook_id = self.config().signing.as_ref().map(|_| message.id.clone());
        self.deliver_as(url, message.body().into(), webhook_id, observe)
            .await
    }

    /// Delivers `body` as attempts of the Standard Webhooks message `webhook_id`: each
    /// attempt signed under that id with a fresh timestamp (unsigned when `webhook_id` is
    /// `None` or the configuration has no secret). A load backlog's messages have ids of
    /// their own, the same on every copy.
    pub async fn deliver_signed(
        &self,
        url: &Url,
        body: Bytes,
        webhook_id: Option<String>,
    ) -> Delivery {
        self.deliver_as(url, body, webhook_id, |_| {}).await
    }

    async fn deliver_as(
        &self,
        url: &Url,
        body: Bytes,
        webhook_id: Option<String>,
        mut observe: impl FnMut(&Attempt),
    ) -> Delivery {
        let started = Instant::now();
        let config = self.config();
        let max_attempts = defect::max_attempts(config.defect, config.max_attempts());
        let headers = self.delivery_headers();
        let mut attempts = Vec::new();
        let mut delivered = false;
        // Under `retries-2xx`, whether the one retry after a 2xx is still to come.
        let mut retry_after_2xx = config.defect == Some(SenderDefect::RetriesAfter2xx);
        for number in 1..=max_attempts {
            let start_offset = started.elapsed();
            let headers = self.signed(&headers, webhook_id.as_deref(), &body);
            let exchanged = self.attempt(url, &body, &headers, number).await;
            let (status_code, failure, message) = self.judge(&exchanged);
            delivered = failure.is_none();
            let again = !delivered || std::mem::take(&mut retry_after_2xx);
            let next_delay = (again && number < max_attempts)
                .then(|| retry_delay(config.defect, config.backoff_base, number, config.jitter));
            let attempt = Attempt {
                number,
                start_offset,
                duration: exchanged.duration,
                status_code,
                failure,
                message,
                next_delay,
            };
            observe(&attempt);
            attempts.push(attempt);
            match next_delay {
                Some(delay) => tokio::time::sleep(delay).await,
                None => break,
            }
        }
        Delivery {
            target: display_url(url),
            session_id: session_id_of(&body),
            webhook_id,
            delivered,
            max_attempts,
            total_duration: started.elapsed(),
            attempts,
        }
    }

    /// The verdict on one attempt: 2xx delivers, 3xx is a redirect, anything else fails.
    fn judge(&self, exchanged: &Exchanged) -> (Option<u16>, Option<FailureClass>, String) {
        match &exchanged.outcome {
            Ok(response) => {
                let code = response.status.as_u16();
                let line = status_line(response);
                let (failure, message) = if response.status.is_success() {
                    (None, line)
                } else if response.status.is_redirection() {
                    let to = response
                        .headers
                        .get(LOCATION)
                        .map(|l| format!(" to {}", String::from_utf8_lossy(l.as_bytes())))
                        .unwrap_or_default();
                    (
                        Some(FailureClass::Redirect),
                        format!("{line}{to} (not followed)"),
                    )
                } else {
                    let snippet = body_snippet(&response.body);
                    let message = if snippet.is_empty() {
                        line
                    } else {
                        format!("{line}: {snippet}")
                    };
                    (Some(FailureClass::Status), message)
                };
                (Some(code), failure, self.redact(&message))
            }
            Err(error) => (None, Some(error.class), self.redact(&error.message)),
        }
    }
}

/// The delay before retry `retry` (1-based) without jitter: `base * 2^(retry-1)`,
/// at most [`MAX_BACKOFF`].
pub fn nominal_backoff(base: Duration, retry: u32) -> Duration {
    let factor = 2u32
        .checked_pow(retry.saturating_sub(1))
        .unwrap_or(u32::MAX);
    base.checked_mul(factor)
        .unwrap_or(MAX_BACKOFF)
        .min(MAX_BACKOFF)
}

/// The delay before retry `retry` (1-based), as a seeded defect may change it.
fn retry_delay(defect: Option<SenderDefect>, base: Duration, retry: u32, jitter: f64) -> Duration {
    let nominal = match defect {
        Some(SenderDefect::FixedBackoff) => base,
        _ => nominal_backoff(base, retry),
    };
    jittered(nominal, jitter)
}

/// `delay` varied uniformly by up to `jitter` (a fraction) either way.
pub fn jittered(delay: Duration, jitter: f64) -> Duration {
    if jitter <= 0.0 || !jitter.is_finite() {
        return delay;
    }
    let factor = 1.0 + rand::rng().random_range(-jitter..=jitter);
    Duration::try_from_secs_f64(delay.as_secs_f64() * factor.max(0.0))
        .unwrap_or(MAX_BACKOFF)
        .min(MAX_BACKOFF)
}

fn status_line(response: &Response) -> String {
    match response.status.canonical_reason() {
        Some(reason) => format!("HTTP {} {reason}", response.status.as_u16()),
        None => format!("HTTP {}", response.status.as_u16()),
    }
}

/// The start of a body on one line, for a failed attempt's message.
fn body_snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut snippet: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .take(BODY_SNIPPET_CHARS + 1)
        .collect();
    if snippet.chars().count() > BODY_SNIPPET_CHARS {
        snippet = snippet.chars().take(BODY_SNIPPET_CHARS).collect();
        snippet.push('…');
    }
    snippet
}

/// The body's top-level string `sessionId`, if it is a JSON object that has one.
fn session_id_of(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct WithSession {
        #[serde(rename = "sessionId")]
        session_id: Option<serde_json::Value>,
    }
    let parsed: WithSession = serde_json::from_slice(body).ok()?;
    match parsed.session_id? {
        serde_json::Value::String(id) => Some(id),
        _ => None,
    }
}

impl fmt::Display for Attempt {
    /// `attempt 1: +0ms, HTTP 500 Internal Server Error, took 12ms, next attempt in 4.9s`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "attempt {}: +{}, ",
            self.number,
            format_duration(self.start_offset)
        )?;
        match self.failure {
            None | Some(FailureClass::Status) => f.write_str(&self.message)?,
            Some(class) => write!(f, "{class}: {}", self.message)?,
        }
        write!(f, ", took {}", format_duration(self.duration))?;
        if let Some(delay) = self.next_delay {
            write!(f, ", next attempt in {}", format_duration(delay))?;
        }
        Ok(())
    }
}

impl Delivery {
    /// The final line of the attempt log: delivered or failed, after how many attempts,
    /// and the session.
    pub fn summary(&self) -> String {
        let count = self.attempts.len();
        let plural = if count == 1 { "attempt" } else { "attempts" };
        let session = match (&self.webhook_id, &self.session_id) {
            (Some(id), _) => format!("webhook-id {id}"),
            (None, Some(id)) => format!("sessionId {id}"),
            (None, None) => "no sessionId in the body".to_owned(),
        };
        let verdict = if self.delivered {
            "delivered"
        } else {
            "failed"
        };
        let on = if self.delivered { "on" } else { "after" };
        let on_what = if self.delivered {
            format!("attempt {count} of {}", self.max_attempts)
        } else {
            format!("{count} {plural}")
        };
        format!(
            "{verdict} {on} {on_what} in {} ({session})",
            format_duration(self.total_duration)
        )
    }
}

impl fmt::Display for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for attempt in &self.attempts {
            writeln!(f, "{attempt}")?;
        }
        write!(f, "{}", self.summary())
    }
}

/// Durations as whole milliseconds in JSON.
pub(crate) mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(duration: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

/// Optional durations as whole milliseconds or null in JSON.
mod opt_millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(duration: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match duration {
            Some(duration) => super::millis::serialize(duration, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Option::<u64>::deserialize(d).map(|ms| ms.map(Duration::from_millis))
    }
}
