//! The head of a response: its status line and headers, read within [`HEAD_LIMIT`].

use std::io;

use bytes::Buf;
use tokio::io::AsyncRead;

use super::{HEAD_LIMIT, MAX_HEADERS, ReadFailure, Reader, closed, malformed};

/// The parts of a head that decide how the body is framed.
pub(super) struct Head {
    pub(super) status: u16,
    pub(super) reason: String,
    pub(super) headers: Vec<(String, Vec<u8>)>,
}

pub(super) async fn read_head<S: AsyncRead + Unpin>(
    reader: &mut Reader<S>,
) -> Result<Head, ReadFailure> {
    loop {
        let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut parsed = httparse::Response::new(&mut slots);
        match parsed.parse(&reader.buffer) {
            Ok(httparse::Status::Complete(used)) => {
                let head = Head {
                    status: parsed.code.unwrap_or_default(),
                    reason: parsed.reason.unwrap_or_default().to_owned(),
                    headers: parsed
                        .headers
                        .iter()
                        .map(|h| (h.name.to_owned(), h.value.to_vec()))
                        .collect(),
                };
                reader.buffer.advance(used);
                return Ok(head);
            }
            Ok(httparse::Status::Partial) => {}
            Err(e) => return Err(malformed(format!("malformed response head: {e}"))),
        }
        if reader.buffer.len() > HEAD_LIMIT {
            return Err(malformed(format!(
                "response head larger than {} KiB",
                HEAD_LIMIT / 1024
            )));
        }
        let more = match reader.fill().await {
            Err(ReadFailure::Io(e)) if e.kind() == io::ErrorKind::UnexpectedEof => false,
            other => other?,
        };
        if !more {
            return Err(closed(if reader.buffer.is_empty() {
                "the connection was closed without a response".to_owned()
            } else {
                format!(
                    "connection closed after {} bytes of an incomplete response head",
                    reader.buffer.len()
                )
            }));
        }
    }
}
