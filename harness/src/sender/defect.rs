//! Seeded faults for the reference sender (`hookcheck send --defect NAME`): each breaks
//! one sender requirement of SPEC §2, so that `hookcheck capture` can be shown catching it.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, LOCATION};
use reqwest::{Method, Url};

use super::client::Sender;
use crate::transport::{Exchange, Exchanged};

/// How long an attempt may take under [`SenderDefect::NoTimeout`]: in effect, forever.
const NO_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

crate::closed::closed_enum! {
    /// One seeded sender fault.
    pub enum SenderDefect as "sender defect" {
        /// Never retries: one attempt only (breaks retry/count).
        NoRetry => "no-retry",
        /// Sends once more after a 2xx (breaks retry/stops-at-2xx).
        RetriesAfter2xx => "retries-2xx",
        /// Follows a 3xx's Location (breaks redirect/not-followed).
        FollowsRedirects => "follows-redirects",
        /// Leaves the auth header out of every retry (breaks request/auth-every-attempt).
        DropsAuth => "drops-auth",
        /// Waits the base delay before every retry, not base * 2^(n-1) (breaks retry/backoff).
        FixedBackoff => "fixed-backoff",
        /// Waits for an answer however long it takes (breaks timeout/honoured).
        NoTimeout => "no-timeout",
        /// Rebuilds the body for every retry with a fresh completedAt (breaks request/same-body).
        ChangesBody => "changes-body",
    }
}

/// The most attempts a delivery makes with this defect.
pub(super) fn max_attempts(defect: Option<SenderDefect>, configured: u32) -> u32 {
    match defect {
        Some(SenderDefect::NoRetry) => 1,
        _ => configured,
    }
}

impl Sender {
    /// One attempt of a delivery: the POST, changed as the configured defect says.
    pub(super) async fn attempt(
        &self,
        url: &Url,
        body: &Bytes,
        headers: &HeaderMap,
        number: u32,
    ) -> Exchanged {
        let defect = self.config().defect;
        let mut headers = headers.clone();
        if defect == Some(SenderDefect::DropsAuth)
            && number > 1
            && let Some(auth) = &self.config().client.auth
        {
            headers.remove(auth.name());
        }
        let body = match defect {
            Some(SenderDefect::ChangesBody) if number > 1 => rebuilt(body),
            _ => body.clone(),
        };
        let timeout = (defect == Some(SenderDefect::NoTimeout)).then_some(NO_TIMEOUT);
        let exchange = Exchange {
            method: Method::POST,
            url: url.clone(),
            headers,
            body,
            timeout,
        };
        let exchanged = self.exchange(exchange.clone()).await;
        match (defect, location(url, &exchanged)) {
            (Some(SenderDefect::FollowsRedirects), Some(to)) => {
                self.exchange(Exchange {
                    url: to,
                    ..exchange
                })
                .await
            }
            _ => exchanged,
        }
    }
}

/// Where a 3xx answer points, resolved against the request's URL.
fn location(url: &Url, exchanged: &Exchanged) -> Option<Url> {
    let response = exchanged.outcome.as_ref().ok()?;
    if !response.status.is_redirection() {
        return None;
    }
    let to = response.headers.get(LOCATION)?.to_str().ok()?;
    url.join(to).ok()
}

/// The body with `completedAt` set to now, as a sender that rebuilds its payload per attempt.
fn rebuilt(body: &Bytes) -> Bytes {
    let Ok(serde_json::Value::Object(mut object)) = serde_json::from_slice(body) else {
        let mut changed = body.to_vec();
        changed.push(b' ');
        return changed.into();
    };
    let now = crate::spec::format_timestamp(time::OffsetDateTime::now_utc());
    object.insert("completedAt".into(), now.into());
    serde_json::to_vec(&object).map_or_else(|_| body.clone(), Bytes::from)
}
