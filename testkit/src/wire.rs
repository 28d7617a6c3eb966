//! Reading one HTTP/1.1 request off a socket, as a hand-written test server must before it
//! answers (HTTP/1.1 clients may not read an answer that comes before their request ends).

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt};

/// The longest head a test server reads.
const HEAD_LIMIT: usize = 64 * 1024;

/// Reads one request, the head and then `Content-Length` bytes of body, and returns every
/// byte received, exactly. The peer closing before the end is an `UnexpectedEof` error.
pub async fn read_request<S: AsyncRead + Unpin>(stream: &mut S) -> io::Result<Vec<u8>> {
    let mut buffered = Vec::new();
    let mut received = read_head(stream, &mut buffered).await?;
    // `read_head` keeps the bytes after the head in `buffered`.
    let length = content_length(&received);
    while buffered.len() < length {
        fill(stream, &mut buffered).await?;
    }
    received.append(&mut buffered);
    Ok(received)
}

/// Reads up to the blank line that ends a request's head and returns the head's bytes; the
/// bytes read past it stay in `buffered`, which may already hold the start of the head.
pub async fn read_head<S: AsyncRead + Unpin>(
    stream: &mut S,
    buffered: &mut Vec<u8>,
) -> io::Result<Vec<u8>> {
    let end = loop {
        if let Some(at) = buffered.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if buffered.len() > HEAD_LIMIT {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "head too long"));
        }
        fill(stream, buffered).await?;
    };
    Ok(buffered.drain(..end).collect())
}

/// The `Content-Length` a head declares, 0 when it declares none.
pub fn content_length(head: &[u8]) -> usize {
    String::from_utf8_lossy(head)
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0)
}

/// Reads and discards the body `head` declares, however large; what follows it stays in
/// `buffered`.
pub async fn skip_body<S: AsyncRead + Unpin>(
    stream: &mut S,
    head: &[u8],
    buffered: &mut Vec<u8>,
) -> io::Result<()> {
    let mut remaining = content_length(head);
    loop {
        let used = remaining.min(buffered.len());
        buffered.drain(..used);
        remaining -= used;
        if remaining == 0 {
            return Ok(());
        }
        fill(stream, buffered).await?;
    }
}

/// Appends what the next read brings; the peer closing is an `UnexpectedEof` error.
async fn fill<S: AsyncRead + Unpin>(stream: &mut S, buffered: &mut Vec<u8>) -> io::Result<()> {
    let mut chunk = [0u8; 16 * 1024];
    let n = stream.read(&mut chunk).await?;
    if n == 0 {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    buffered.extend_from_slice(&chunk[..n]);
    Ok(())
}
