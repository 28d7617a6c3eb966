//! One request a check sends ([`Probe`]) and what it came to ([`Sent`]).

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};

use crate::repro::AuthRepro;
use crate::results::ExchangeRecord;
use crate::standard_webhooks::Recipe;
use crate::transport::{Exchanged, FailureClass, Response, TransportError, display_url};

/// One request a check sends: headers in order, exactly as they go on the wire. Its
/// `Debug` shows header names only: a value may be the auth secret.
#[derive(Clone)]
pub struct Probe {
    /// The method.
    pub method: Method,
    /// Headers, in order; several with one name are all sent.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body.
    pub body: Bytes,
    /// How a header of the auth header's name appears in the repro line.
    pub auth_repro: Option<AuthRepro>,
    /// Whether this is a valid delivery whose time counts in the latency statistics.
    pub timed: bool,
    /// For a drawn delivery, its features in words (recorded with the exchange).
    pub drawn: Option<String>,
    /// Where it goes when not to the run's target: the replica a copy of a session is
    /// sent to (`--replica`; [`Ctx::copy_url`](super::Ctx::copy_url)).
    pub to: Option<Url>,
    /// For a Standard Webhooks attempt, how it was made: its repro signs it again when run.
    pub signing: Option<Recipe>,
}

impl std::fmt::Debug for Probe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("Probe")
            .field("method", &self.method)
            .field("headers", &names)
            .field("body_bytes", &self.body.len())
            .field("timed", &self.timed)
            .field("to", &self.to.as_ref().map(display_url))
            .finish()
    }
}

impl Probe {
    /// The header list with every header of `name` (any case) removed.
    pub fn without(mut self, name: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }

    /// Adds a header at the end.
    pub fn with(mut self, name: &str, value: impl Into<Vec<u8>>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// Replaces the headers of `name` with one header.
    pub fn replacing(self, name: &str, value: impl Into<Vec<u8>>) -> Self {
        self.without(name).with(name, value)
    }

    /// The `sessionId` string of a JSON object body, if it has one: the session whose effect
    /// count shows whether the probe was processed.
    pub fn session_id(&self) -> Option<String> {
        let body: serde_json::Value = serde_json::from_slice(&self.body).ok()?;
        body.get("sessionId")?.as_str().map(str::to_owned)
    }

    /// The probe sent to `url` rather than the run's target.
    pub fn to(mut self, url: &Url) -> Self {
        self.to = Some(url.clone());
        self
    }

    /// Marks the probe as not a valid delivery: its time stays out of the statistics.
    pub fn untimed(mut self) -> Self {
        self.timed = false;
        self
    }
}

/// Headers as an ordered list of names and values, the form probes edit.
pub fn header_list(map: &HeaderMap) -> Vec<(String, Vec<u8>)> {
    map.iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
        .collect()
}

/// The headers as the HTTP client takes them; a header HTTP cannot carry is left out
/// (the CLI refuses such `--header` values before a run starts).
pub fn header_map(headers: &[(String, Vec<u8>)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value),
        ) {
            map.append(name, value);
        }
    }
    map
}

/// What one probe came to.
#[derive(Debug)]
pub struct Sent {
    /// The exchange.
    pub exchanged: Exchanged,
    /// A command line that sends the same request.
    pub repro: String,
    /// The request and its answer as a report shows them (redacted, truncated).
    pub record: ExchangeRecord,
}

impl Sent {
    /// The response, when one arrived.
    pub fn response(&self) -> Option<&Response> {
        self.exchanged.outcome.as_ref().ok()
    }

    /// The status code, when a response arrived.
    pub fn status(&self) -> Option<u16> {
        self.response().map(|r| r.status.as_u16())
    }

    /// Whether a complete 2xx arrived in time.
    pub fn is_2xx(&self) -> bool {
        self.response().is_some_and(|r| r.status.is_success())
    }

    /// The failure, when no response arrived.
    pub fn failure(&self) -> Option<&TransportError> {
        self.exchanged.outcome.as_ref().err()
    }

    /// The class of the failure, when no response arrived.
    pub fn failure_class(&self) -> Option<FailureClass> {
        self.failure().map(|f| f.class)
    }

    /// Whether the target could not be connected to at all: it is down, and the request
    /// says nothing about how it treats this input.
    pub fn unreachable(&self) -> bool {
        self.failure_class() == Some(FailureClass::Connect)
    }

    /// What happened, in a few words: `201 in 3 ms`, `timeout: no complete response …`,
    /// `closed the connection without a response (…)`.
    pub fn describe(&self) -> String {
        let ms = self.exchanged.duration.as_secs_f64() * 1000.0;
        match &self.exchanged.outcome {
            Ok(response) => format!("{} in {ms:.0} ms", response.status.as_u16()),
            Err(e) if e.class == FailureClass::Closed => format!(
                "closed the connection without a response ({}, after {ms:.0} ms)",
                e.message
            ),
            Err(e) => format!("{e} (after {ms:.0} ms)"),
        }
    }
}
