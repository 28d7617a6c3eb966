//! The body of a response: how it is framed (RFC 9112 §6.3) and reading it, chunked
//! encoding decoded, keeping a bounded prefix.

use bytes::{Buf, BytesMut};
use tokio::io::AsyncRead;

use super::{LINE_LIMIT, ReadFailure, Reader, closed, malformed};
use crate::transport::{BODY_PREFIX_LIMIT, BODY_READ_LIMIT};

pub(super) enum Framing {
    Chunked,
    Length(u64),
    UntilEof,
}

/// How the body is delimited (RFC 9112 §6.3): chunked when it is the last transfer
/// coding, else read to EOF when there is any transfer coding, else `Content-Length`
/// (every copy must agree), else EOF.
pub(super) fn framing(headers: &[(String, Vec<u8>)]) -> Result<Framing, ReadFailure> {
    if let Some(framing) = transfer_framing(headers)? {
        return Ok(framing);
    }
    Ok(content_length(headers)?.map_or(Framing::UntilEof, Framing::Length))
}

/// The values of every header called `name` (ASCII case-insensitive), as text.
fn named<'a>(
    headers: &'a [(String, Vec<u8>)],
    name: &'static str,
) -> impl Iterator<Item = String> + 'a {
    headers
        .iter()
        .filter(move |(given, _)| given.eq_ignore_ascii_case(name))
        .map(|(_, value)| String::from_utf8_lossy(value).into_owned())
}

/// The framing `Transfer-Encoding` decides, if the header is there: chunked when it is
/// the last coding, else to EOF; refused when a value is unreadable or names no coding.
fn transfer_framing(headers: &[(String, Vec<u8>)]) -> Result<Option<Framing>, ReadFailure> {
    // Coding names are tokens: a value with other bytes has no reading that hyper and this
    // reader would agree on (found by the `raw_response` fuzz target), so it is refused.
    let readable = |value: &[u8]| {
        value
            .iter()
            .all(|&b| b == b'\t' || (0x20..0x7f).contains(&b))
    };
    if headers
        .iter()
        .any(|(name, value)| name.eq_ignore_ascii_case("transfer-encoding") && !readable(value))
    {
        return Err(malformed("invalid transfer-encoding"));
    }
    let codings: Vec<String> = named(headers, "transfer-encoding")
        .flat_map(|v| {
            v.split(',')
                .map(|c| c.trim().to_ascii_lowercase())
                .collect::<Vec<_>>()
        })
        .filter(|c| !c.is_empty())
        .collect();
    let has_encoding = headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("transfer-encoding"));
    if has_encoding && codings.is_empty() {
        // hyper then reads to EOF, this reader used Content-Length: neither is sure.
        return Err(malformed("empty transfer-encoding"));
    }
    Ok(codings.last().map(|last| {
        if last == "chunked" {
            Framing::Chunked
        } else {
            Framing::UntilEof
        }
    }))
}

/// The body length every `Content-Length` value (lists included) agrees on, if there is
/// one; refused when a value is not all digits or two values differ.
fn content_length(headers: &[(String, Vec<u8>)]) -> Result<Option<u64>, ReadFailure> {
    let mut length = None;
    for value in named(headers, "content-length").flat_map(|v| {
        v.split(',')
            .map(|part| part.trim().to_owned())
            .collect::<Vec<_>>()
    }) {
        let parsed: u64 = value
            .parse()
            .ok()
            .filter(|_| value.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| malformed(format!("invalid content-length `{value}`")))?;
        match length {
            Some(seen) if seen != parsed => {
                return Err(malformed(format!(
                    "conflicting content-length values {seen} and {parsed}"
                )));
            }
            _ => length = Some(parsed),
        }
    }
    Ok(length)
}

/// Keeps a prefix of the body and counts what was read, to stop at the read limit.
#[derive(Default)]
pub(super) struct BodySink {
    pub(super) kept: BytesMut,
    read: usize,
    pub(super) truncated: bool,
}

impl BodySink {
    /// Takes body bytes; `true` once the read limit is passed and reading must stop.
    fn push(&mut self, bytes: &[u8]) -> bool {
        self.read = self.read.saturating_add(bytes.len());
        let room = BODY_PREFIX_LIMIT.saturating_sub(self.kept.len());
        if bytes.len() > room {
            self.truncated = true;
        }
        self.kept.extend_from_slice(&bytes[..bytes.len().min(room)]);
        if self.read > BODY_READ_LIMIT {
            self.truncated = true;
        }
        self.truncated && self.read > BODY_READ_LIMIT
    }
}

pub(super) async fn read_length<S: AsyncRead + Unpin>(
    reader: &mut Reader<S>,
    body: &mut BodySink,
    length: u64,
) -> Result<(), ReadFailure> {
    let mut remaining = length;
    loop {
        let take = usize::try_from(remaining)
            .unwrap_or(usize::MAX)
            .min(reader.buffer.len());
        let chunk = reader.buffer.split_to(take);
        remaining -= take as u64;
        if body.push(&chunk) || remaining == 0 {
            return Ok(());
        }
        if !reader.fill().await? {
            return Err(closed(format!(
                "connection closed after {} of {length} body bytes",
                length - remaining
            )));
        }
    }
}

pub(super) async fn read_until_eof<S: AsyncRead + Unpin>(
    reader: &mut Reader<S>,
    body: &mut BodySink,
) -> Result<(), ReadFailure> {
    loop {
        let chunk = reader.buffer.split();
        if body.push(&chunk) || !reader.fill_until_eof().await? {
            return Ok(());
        }
    }
}

pub(super) async fn read_chunked<S: AsyncRead + Unpin>(
    reader: &mut Reader<S>,
    body: &mut BodySink,
) -> Result<(), ReadFailure> {
    let closed = || closed("connection closed inside a chunked body");
    loop {
        let size = loop {
            match httparse::parse_chunk_size(&reader.buffer) {
                // httparse reads a line of only whitespace as size 0; RFC 9112 wants a hex
                // digit first (found by the `raw_response` fuzz target).
                Ok(httparse::Status::Complete(_)) if !reader.buffer[0].is_ascii_hexdigit() => {
                    return Err(malformed("malformed chunk size"));
                }
                Ok(httparse::Status::Complete((used, size))) => {
                    reader.buffer.advance(used);
                    break size;
                }
                Ok(httparse::Status::Partial) if reader.buffer.len() > LINE_LIMIT => {
                    return Err(malformed("chunk size line too long"));
                }
                Ok(httparse::Status::Partial) => {
                    if !reader.fill().await? {
                        return Err(closed());
                    }
                }
                Err(_) => return Err(malformed("malformed chunk size")),
            }
        };
        if size == 0 {
            return skip_trailers(reader).await;
        }
        let mut remaining = size;
        while remaining > 0 {
            if reader.buffer.is_empty() && !reader.fill().await? {
                return Err(closed());
            }
            let take = usize::try_from(remaining)
                .unwrap_or(usize::MAX)
                .min(reader.buffer.len());
            let chunk = reader.buffer.split_to(take);
            remaining -= take as u64;
            if body.push(&chunk) {
                return Ok(());
            }
        }
        while reader.buffer.len() < 2 {
            if !reader.fill().await? {
                return Err(closed());
            }
        }
        if &reader.buffer[..2] != b"\r\n" {
            return Err(malformed("chunk data not followed by CRLF"));
        }
        reader.buffer.advance(2);
    }
}

/// Skips the trailer section after the last chunk, up to its blank line. A peer that
/// closes instead of sending the blank line has still sent the whole body.
async fn skip_trailers<S: AsyncRead + Unpin>(reader: &mut Reader<S>) -> Result<(), ReadFailure> {
    loop {
        match reader.buffer.windows(2).position(|w| w == b"\r\n") {
            Some(0) => {
                reader.buffer.advance(2);
                return Ok(());
            }
            Some(end) => reader.buffer.advance(end + 2),
            None if reader.buffer.len() > LINE_LIMIT => {
                return Err(malformed("trailer line too long"));
            }
            None => {
                if !reader.fill_until_eof().await? {
                    return Ok(());
                }
            }
        }
    }
}
