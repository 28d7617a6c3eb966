//! The raw HTTP/1.1 response reader (`hookcheck::rawhttp::parse_response`), which reads
//! whatever a hostile target sends: it never panics, keeps at most its body prefix, and
//! agrees with hyper's HTTP/1 client, fed the same bytes over an in-memory stream, on the
//! status and body of every response both accept.

#![no_main]

use std::sync::OnceLock;

use bytes::Bytes;
use hookcheck::rawhttp::parse_response;
use hookcheck::sender::BODY_PREFIX_LIMIT;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use libfuzzer_sys::fuzz_target;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
    })
}

/// What hyper's client makes of the bytes as the answer to a GET: status and whole body.
async fn hyper_reads(data: &[u8]) -> Option<(u16, Bytes)> {
    let io = TokioIo::new(tokio::io::join(data, tokio::io::sink()));
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
        assert_eq!(ours.status, status, "status differs from hyper's");
        if !ours.body_truncated {
            assert_eq!(ours.body, body, "body differs from hyper's");
        }
    }
});
