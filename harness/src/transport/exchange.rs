//! Exchanges: one request as the caller wants it on the wire ([`Exchange`]), what it came
//! to ([`Exchanged`], [`Response`]), and how much of a response body is read and kept
//! ([`BODY_READ_LIMIT`], [`BODY_PREFIX_LIMIT`]).

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode, Url, Version};

use super::failure::TransportError;

/// How much of a response body an [`Exchanged`] keeps.
pub const BODY_PREFIX_LIMIT: usize = 64 * 1024;
/// How much of a response body is read before the rest is abandoned, so that a huge or
/// endless response can neither exhaust memory nor hold an attempt until its timeout.
pub const BODY_READ_LIMIT: usize = 1024 * 1024;

/// One request, exactly as the caller wants it on the wire: no header is added except
/// those the HTTP client always sends (`host`, `content-length`, `accept`, `user-agent`).
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The method.
    pub method: Method,
    /// The target.
    pub url: Url,
    /// Every header to send; several values for one name are all sent.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
    /// The bound on the whole exchange; `None` uses the client's configured timeout.
    pub timeout: Option<Duration>,
}

impl Exchange {
    /// A POST of `body` to `url` with no headers at all; add them to [`Exchange::headers`].
    pub fn post(url: Url, body: impl Into<Bytes>) -> Self {
        Exchange {
            method: Method::POST,
            url,
            headers: HeaderMap::new(),
            body: body.into(),
            timeout: None,
        }
    }
}

/// A response that arrived complete (or past [`BODY_READ_LIMIT`]) within the timeout.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: StatusCode,
    /// The HTTP version spoken.
    pub version: Version,
    /// The response headers.
    pub headers: HeaderMap,
    /// The first [`BODY_PREFIX_LIMIT`] bytes of the body.
    pub body: Bytes,
    /// Whether the body was longer than what [`Response::body`] holds.
    pub body_truncated: bool,
}

/// What one [`Exchange`] came to.
#[derive(Debug)]
#[must_use]
pub struct Exchanged {
    /// From the start of sending until the response was complete or the exchange failed.
    pub duration: Duration,
    /// The response, or why there is none.
    pub outcome: Result<Response, TransportError>,
}

/// Reads a body, keeping a prefix and abandoning it past [`BODY_READ_LIMIT`].
pub(super) async fn read_capped(
    mut response: reqwest::Response,
) -> Result<(Bytes, bool), reqwest::Error> {
    let mut kept = BytesMut::new();
    let mut read = 0usize;
    let mut truncated = false;
    while let Some(chunk) = response.chunk().await? {
        read = read.saturating_add(chunk.len());
        let room = BODY_PREFIX_LIMIT.saturating_sub(kept.len());
        if chunk.len() > room {
            truncated = true;
        }
        kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if read > BODY_READ_LIMIT {
            truncated = true;
            break;
        }
    }
    Ok((kept.freeze(), truncated))
}
