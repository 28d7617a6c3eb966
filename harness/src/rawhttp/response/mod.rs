//! Reading one HTTP/1.1 response off a stream, whatever the peer sends: a typed failure
//! for anything that is not a response, and bounded reads for anything endless.
//!
//! - `head`: the status line and headers, bounded in size and count.
//! - `body`: how the body is framed, and reading it: by length, chunked, or to EOF.

mod body;
mod head;

use std::io;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt};

use body::{BodySink, Framing, framing, read_chunked, read_length, read_until_eof};
use head::read_head;

#[cfg(test)]
use crate::transport::BODY_PREFIX_LIMIT;
use crate::transport::TransportError;

/// The most bytes a response head (status line and headers) may take.
pub(crate) const HEAD_LIMIT: usize = 64 * 1024;
/// The most headers one response head may have.
const MAX_HEADERS: usize = 128;
/// The most bytes one chunk-size line or trailer line may take.
const LINE_LIMIT: usize = 8 * 1024;

/// A response that arrived within the timeout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawResponse {
    /// The status code of the final response (informational 1xx responses are skipped).
    pub status: u16,
    /// The reason phrase, as sent.
    pub reason: String,
    /// The headers, in the order and case the peer sent them.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The first [`BODY_PREFIX_LIMIT`](crate::transport::BODY_PREFIX_LIMIT) bytes of the body, chunked encoding decoded.
    pub body: Bytes,
    /// Whether the body was longer than [`RawResponse::body`], or reading it stopped at
    /// [`BODY_READ_LIMIT`](crate::transport::BODY_READ_LIMIT).
    pub body_truncated: bool,
}

impl RawResponse {
    /// The first value of a header, by name (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(given, _)| given.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_slice())
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// What one [`RawClient::send`](super::RawClient::send) came to.
#[derive(Debug)]
#[must_use]
pub struct RawExchanged {
    /// From the start of connecting until the response was complete or the exchange failed.
    pub duration: Duration,
    /// The response, or why there is none.
    pub outcome: Result<RawResponse, TransportError>,
}

/// Why no response could be read.
#[derive(Debug)]
pub(crate) enum ReadFailure {
    /// The stream failed: reset, TLS error, unexpected EOF from the TLS layer.
    Io(io::Error),
    /// The peer sent something that is not an HTTP/1.1 response.
    Malformed(String),
    /// The peer closed the connection before the response was complete.
    Closed(String),
}

impl From<io::Error> for ReadFailure {
    fn from(error: io::Error) -> Self {
        ReadFailure::Io(error)
    }
}

fn malformed(message: impl Into<String>) -> ReadFailure {
    ReadFailure::Malformed(message.into())
}

fn closed(message: impl Into<String>) -> ReadFailure {
    ReadFailure::Closed(message.into())
}
/// A stream with what has been read from it and not yet used.
struct Reader<S> {
    stream: S,
    buffer: BytesMut,
}

impl<S: AsyncRead + Unpin> Reader<S> {
    /// Reads more into the buffer; `false` at the end of the stream.
    async fn fill(&mut self) -> Result<bool, ReadFailure> {
        self.buffer.reserve(16 * 1024);
        Ok(self.stream.read_buf(&mut self.buffer).await? > 0)
    }

    /// Like [`Reader::fill`], except that a TLS peer closing without `close_notify` is an
    /// end of stream too: for a body that ends at EOF, that is how most servers end it.
    async fn fill_until_eof(&mut self) -> Result<bool, ReadFailure> {
        match self.fill().await {
            Err(ReadFailure::Io(e)) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(false),
            other => other,
        }
    }
}

/// Reads one response: its head (skipping 1xx informational ones) and its body, framed
/// by `Transfer-Encoding: chunked`, `Content-Length` or the end of the stream. `head_request`
/// says the request was HEAD, whose response has no body whatever its headers say.
pub(crate) async fn read_response<S: AsyncRead + Unpin>(
    stream: S,
    head_request: bool,
) -> Result<RawResponse, ReadFailure> {
    let mut reader = Reader {
        stream,
        buffer: BytesMut::new(),
    };
    let head = loop {
        let head = read_head(&mut reader).await?;
        // 101 ends HTTP on this connection; the other 1xx precede the real response.
        if !(100..200).contains(&head.status) || head.status == 101 {
            break head;
        }
    };
    let mut body = BodySink::default();
    let no_body = head_request || matches!(head.status, 101 | 204 | 304);
    if !no_body {
        match framing(&head.headers)? {
            Framing::Chunked => read_chunked(&mut reader, &mut body).await?,
            Framing::Length(length) => read_length(&mut reader, &mut body, length).await?,
            Framing::UntilEof => read_until_eof(&mut reader, &mut body).await?,
        }
    }
    Ok(RawResponse {
        status: head.status,
        reason: head.reason,
        headers: head.headers,
        body: body.kept.freeze(),
        body_truncated: body.truncated,
    })
}

/// Why [`parse_response`] found no response in the bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    /// The bytes are not an HTTP/1.1 response (or exceed a bound on heads and lines).
    #[error("{0}")]
    Malformed(String),
    /// The bytes end before the response does.
    #[error("{0}")]
    Incomplete(String),
}

/// Reads one response from `bytes`, as [`RawClient`](super::RawClient) reads it from a
/// connection that sent exactly these bytes and closed: the same framing, bounds and
/// failures, without a socket. `head_request` says the request was HEAD.
pub fn parse_response(bytes: &[u8], head_request: bool) -> Result<RawResponse, ResponseError> {
    use futures::FutureExt;
    // A byte slice is always ready to read, so the future completes on its first poll.
    let outcome = read_response(bytes, head_request).now_or_never();
    match outcome {
        Some(Ok(response)) => Ok(response),
        Some(Err(ReadFailure::Malformed(message))) => Err(ResponseError::Malformed(message)),
        Some(Err(ReadFailure::Closed(message))) => Err(ResponseError::Incomplete(message)),
        Some(Err(ReadFailure::Io(e))) => Err(ResponseError::Incomplete(e.to_string())),
        None => Err(ResponseError::Incomplete(
            "the read did not complete".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read(bytes: &[u8]) -> Result<RawResponse, ReadFailure> {
        read_response(bytes, false).await
    }

    fn message(failure: ReadFailure) -> String {
        match failure {
            ReadFailure::Malformed(message) | ReadFailure::Closed(message) => message,
            ReadFailure::Io(e) => panic!("expected a malformed response, got {e}"),
        }
    }

    #[tokio::test]
    async fn a_content_length_body_is_read_exactly() {
        let response =
            read(b"HTTP/1.1 202 Accepted\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhelloEXTRA")
                .await
                .unwrap();
        assert_eq!(response.status, 202);
        assert_eq!(response.reason, "Accepted");
        assert_eq!(response.header("x-a"), Some(&b"b"[..]));
        assert_eq!(&response.body[..], b"hello");
        assert!(!response.body_truncated);
    }

    #[tokio::test]
    async fn a_chunked_body_is_decoded_with_extensions_and_trailers() {
        let response = read(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
              5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n",
        )
        .await
        .unwrap();
        assert_eq!(&response.body[..], b"hello world");
    }

    #[tokio::test]
    async fn informational_responses_are_skipped() {
        let response = read(
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n\
              HTTP/1.1 204 No Content\r\n\r\n",
        )
        .await
        .unwrap();
        assert_eq!(response.status, 204);
        assert!(response.body.is_empty());
    }

    #[tokio::test]
    async fn a_response_to_head_has_no_body_whatever_its_length_says() {
        let response = read_response(&b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n"[..], true)
            .await
            .unwrap();
        assert_eq!(response.status, 200);
        assert!(response.body.is_empty());
    }

    #[tokio::test]
    async fn a_status_line_without_a_reason_phrase_is_accepted() {
        let response = read(b"HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok")
            .await
            .unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.reason, "");
        assert_eq!(&response.body[..], b"ok");
    }

    #[tokio::test]
    async fn a_body_without_framing_ends_at_eof() {
        let response = read(b"HTTP/1.0 200 OK\r\n\r\nall of it").await.unwrap();
        assert_eq!(&response.body[..], b"all of it");
    }

    #[tokio::test]
    async fn a_large_body_keeps_only_its_prefix() {
        let mut bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".to_vec();
        bytes.extend(std::iter::repeat_n(b'x', 100_000));
        let response = read(&bytes).await.unwrap();
        assert_eq!(response.body.len(), BODY_PREFIX_LIMIT);
        assert!(response.body_truncated);
    }

    #[tokio::test]
    async fn malformed_or_cut_responses_are_protocol_failures() {
        let cases: [(&[u8], &str); 8] = [
            (b"", "without a response"),
            (b"hello there\r\n\r\n", "malformed response head"),
            (b"HTTP/1.1 200 OK\r\nContent-Le", "incomplete response head"),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
                "5 of 10",
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                "invalid content-length",
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
                "conflicting",
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                "malformed chunk size",
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
                "inside a chunked body",
            ),
        ];
        for (bytes, expected) in cases {
            let failure = message(read(bytes).await.unwrap_err());
            assert!(
                failure.contains(expected),
                "{:?}: {failure}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    /// Found by the `raw_response` fuzz target, where hyper read these bodies otherwise.
    #[tokio::test]
    async fn a_chunk_size_without_digits_and_an_empty_or_non_ascii_transfer_encoding_are_refused() {
        let cases: [(&[u8], &str); 3] = [
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\nContent-Length: 2\r\n\r\nokmore",
                "empty transfer-encoding",
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n  \t \r\n\r\nbody",
                "malformed chunk size",
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: g\xa9zip, chunked\r\n\r\n0\r\n\r\n",
                "invalid transfer-encoding",
            ),
        ];
        for (bytes, expected) in cases {
            let failure = message(read(bytes).await.unwrap_err());
            assert!(failure.contains(expected), "{failure}");
        }
    }

    #[tokio::test]
    async fn an_endless_head_is_refused_past_its_limit() {
        let mut bytes = b"HTTP/1.1 200 OK\r\n".to_vec();
        while bytes.len() <= HEAD_LIMIT + 1024 {
            bytes.extend_from_slice(b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
        }
        let failure = message(read(&bytes).await.unwrap_err());
        // Either limit may trip first; both are typed refusals, not a hang.
        assert!(
            failure.contains("larger than") || failure.contains("too many headers"),
            "{failure}"
        );
    }
}
