//! The raw HTTP/1.1 response reader (`hookcheck::rawhttp::parse_response`), which reads
//! whatever a hostile target sends: it never panics, keeps at most its body prefix, and
//! agrees with hyper's HTTP/1 client, fed the same bytes over an in-memory stream, on the
//! status and body of every response both accept (but one framing rule where they differ by
//! design, see [`has_empty_coding`]).

#![no_main]

use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use hookcheck::rawhttp::parse_response;
use hookcheck::transport::BODY_PREFIX_LIMIT;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use libfuzzer_sys::fuzz_target;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
    })
}

/// An in-memory connection that answers with `data` once the request has been written, as
/// a server does (hyper refuses a response that arrives before its request).
struct Answering<'a> {
    data: &'a [u8],
    asked: bool,
    reader: Option<Waker>,
}

impl AsyncRead for Answering<'_> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if !self.asked {
            self.reader = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let n = self.data.len().min(buf.remaining());
        buf.put_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Answering<'_> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.asked = true;
        if let Some(reader) = self.reader.take() {
            reader.wake();
        }
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// What hyper's client makes of the bytes as the answer to a GET: status and whole body.
async fn hyper_reads(data: &[u8]) -> Option<(u16, Bytes)> {
    let io = TokioIo::new(Answering {
        data,
        asked: false,
        reader: None,
    });
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io).await.ok()?;
    let request = hyper::Request::get("/")
        .header("host", "fuzz")
        .body(Empty::<Bytes>::new())
        .ok()?;
    let exchange = async {
        let response = sender.send_request(request).await.ok()?;
        let status = response.status().as_u16();
        let body = response.into_body().collect().await.ok()?.to_bytes();
        Some((status, body))
    };
    let (answer, _) = tokio::join!(exchange, connection);
    answer
}

/// Whether a Transfer-Encoding list has an empty element (`chunked,`): RFC 9110 §5.6.1 says
/// to ignore it, as this reader does; hyper then does not see `chunked` as the last coding and
/// reads to EOF. The one framing rule on which the two differ by design.
fn has_empty_coding(headers: &[(String, Vec<u8>)]) -> bool {
    headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("transfer-encoding"))
        .any(|(_, value)| {
            value
                .split(|&b| b == b',')
                .any(|c| c.trim_ascii().is_empty())
        })
}

fuzz_target!(|data: &[u8]| {
    let ours = parse_response(data, false);
    if let Ok(response) = &ours {
        assert!(
            response.body.len() <= BODY_PREFIX_LIMIT,
            "body prefix over its limit"
        );
        assert!(
            response.body.len() <= data.len(),
            "body longer than the input"
        );
    }
    let timeout = std::time::Duration::from_secs(5);
    let theirs =
        runtime().block_on(async { tokio::time::timeout(timeout, hyper_reads(data)).await });
    let theirs = theirs.expect("hyper never hangs on bytes that end");
    if let (Ok(ours), Some((status, body))) = (ours, theirs) {
        if has_empty_coding(&ours.headers) {
            return;
        }
        assert_eq!(ours.status, status, "status differs from hyper's");
        if !ours.body_truncated {
            assert_eq!(ours.body, body, "body differs from hyper's");
        }
    }
});
