//! The raw client against real sockets on 127.0.0.1: tiny servers that record the exact
//! bytes they receive, an axum server, TLS servers with a self-signed certificate.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use reqwest::Url;
use tokio::io::{AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use hookcheck::rawhttp::{RawClient, RawRequest};
use hookcheck::transport::ClientError;
use hookcheck::transport::FailureClass;
use hookcheck::transport::tls::CaFileError;
use hookcheck::transport::tls::ClientTls;
use hookcheck_testkit::hostile::closed_port;
use hookcheck_testkit::tls::{SelfSigned, self_signed};
use hookcheck_testkit::wire::read_request;

/// Every wait in these tests ends within this.
const BOUND: Duration = Duration::from_secs(5);

fn plain() -> RawClient {
    RawClient::new(&ClientTls::Insecure).unwrap()
}

fn url(scheme: &str, host: &str, addr: SocketAddr, path: &str) -> Url {
    Url::parse(&format!("{scheme}://{host}:{}{path}", addr.port())).unwrap()
}

async fn listener() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

/// A server for one connection: records the request, writes `answer`, closes.
async fn one_shot(answer: &'static [u8]) -> (SocketAddr, JoinHandle<Vec<u8>>) {
    let (listener, addr) = listener().await;
    let task = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let received = read_request(&mut stream).await.unwrap();
        stream.write_all(answer).await.unwrap();
        let _ = stream.shutdown().await;
        received
    });
    (addr, task)
}

async fn joined<T>(task: JoinHandle<T>) -> T {
    tokio::time::timeout(BOUND, task).await.unwrap().unwrap()
}

#[tokio::test]
async fn header_names_keep_their_case_and_order_and_the_body_arrives_whole() {
    let (addr, server) = one_shot(b"HTTP/1.1 204 No Content\r\n\r\n").await;
    let body = vec![b'{'; 100_000];
    let request = RawRequest::post(
        url("http", "127.0.0.1", addr, "/hook?probe=1"),
        body.clone(),
    )
    .header("X-API-KEY", "upper")
    .header("content-type", "application/json")
    .header("x-api-key", "lower");
    let exchanged = plain().send(&request, BOUND).await;
    assert_eq!(exchanged.outcome.unwrap().status, 204);

    let received = joined(server).await;
    let expected_head = format!(
        "POST /hook?probe=1 HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nX-API-KEY: upper\r\n\
         content-type: application/json\r\nx-api-key: lower\r\nContent-Length: 100000\r\n\
         Connection: close\r\n\r\n",
        addr.port()
    );
    let (head, rest) = received.split_at(expected_head.len());
    assert_eq!(String::from_utf8_lossy(head), expected_head);
    assert_eq!(rest, &body[..], "the body must arrive whole and unchanged");
}

#[tokio::test]
async fn an_axum_server_answers_and_the_client_reads_status_headers_and_body() {
    use axum::routing::post;
    let app = axum::Router::new().route(
        "/hook",
        post(|body: axum::body::Bytes| async move {
            ([("x-echo-len", body.len().to_string())], "accepted")
        }),
    );
    let (listener, addr) = listener().await;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let request = RawRequest::post(url("http", "127.0.0.1", addr, "/hook"), "{\"a\":1}")
        .header("Content-Type", "application/json");
    let exchanged = plain().send(&request, BOUND).await;
    server.abort();
    let response = exchanged.outcome.unwrap();
    assert_eq!(response.status, 200);
    assert!(response.is_success());
    assert_eq!(response.header("X-Echo-Len"), Some(&b"7"[..]));
    assert_eq!(&response.body[..], b"accepted");
    assert!(exchanged.duration < BOUND);
}

#[tokio::test]
async fn a_chunked_response_is_decoded() {
    let (listener, addr) = listener().await;
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        read_request(&mut stream).await.unwrap();
        // Written in pieces that split the framing, as a slow server would.
        let pieces: [&[u8]; 5] = [
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r",
            b"\nwiki\r\n5;name=v\r\npe",
            b"dia\r\nE\r\n in\r\n\r\nchunks.\r\n",
            b"0\r\nExpires: never\r\n",
            b"\r\n",
        ];
        for piece in pieces {
            stream.write_all(piece).await.unwrap();
            stream.flush().await.unwrap();
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Kept open: the body must end at the last chunk, not at EOF.
        tokio::time::sleep(BOUND).await;
    });
    let request = RawRequest::new("GET", url("http", "127.0.0.1", addr, "/"));
    let exchanged = plain().send(&request, BOUND).await;
    server.abort();
    let response = exchanged.outcome.unwrap();
    assert_eq!(&response.body[..], b"wikipedia in\r\n\r\nchunks.");
    assert!(exchanged.duration < Duration::from_secs(2));
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_within_the_bound() {
    let (listener, addr) = listener().await;
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        read_request(&mut stream).await.unwrap();
        tokio::time::sleep(BOUND).await;
        drop(stream);
    });
    let request = RawRequest::post(url("http", "127.0.0.1", addr, "/"), "{}");
    let exchanged = plain().send(&request, Duration::from_millis(300)).await;
    server.abort();
    let failure = exchanged.outcome.unwrap_err();
    assert_eq!(failure.class, FailureClass::Timeout, "{failure}");
    assert!(failure.message.contains("300ms"), "{failure}");
    assert!(exchanged.duration >= Duration::from_millis(300));
    assert!(
        exchanged.duration < Duration::from_secs(2),
        "{:?}",
        exchanged.duration
    );
}

#[tokio::test]
async fn a_refused_port_is_a_connect_failure() {
    let addr = closed_port();
    let request = RawRequest::post(url("http", "127.0.0.1", addr, "/"), "{}");
    let failure = plain().send(&request, BOUND).await.outcome.unwrap_err();
    assert_eq!(failure.class, FailureClass::Connect, "{failure}");
    assert!(
        failure.message.contains(&addr.port().to_string()),
        "{failure}"
    );
}

#[tokio::test]
async fn a_garbage_response_is_a_protocol_failure() {
    let (addr, server) = one_shot(b"\x00\xffthis is not http\r\n\r\n").await;
    let request = RawRequest::post(url("http", "127.0.0.1", addr, "/"), "{}");
    let failure = plain().send(&request, BOUND).await.outcome.unwrap_err();
    joined(server).await;
    assert_eq!(failure.class, FailureClass::Protocol, "{failure}");
}

#[tokio::test]
async fn a_server_that_resets_the_connection_after_the_request_is_a_closed_connection() {
    let (listener, addr) = listener().await;
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        read_request(&mut stream).await.unwrap();
        stream.set_zero_linger().unwrap();
        drop(stream);
    });
    let request = RawRequest::post(url("http", "127.0.0.1", addr, "/"), "{}");
    let failure = plain().send(&request, BOUND).await.outcome.unwrap_err();
    joined(server).await;
    assert_eq!(failure.class, FailureClass::Closed, "{failure}");
}

#[tokio::test]
async fn an_endless_body_is_cut_at_the_read_limit_well_before_the_timeout() {
    let (listener, addr) = listener().await;
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        read_request(&mut stream).await.unwrap();
        stream.write_all(b"HTTP/1.1 200 OK\r\n\r\n").await.unwrap();
        let block = vec![b'z'; 64 * 1024];
        // Ends when the client hangs up, or after 64 MiB at most.
        for _ in 0..1024 {
            if stream.write_all(&block).await.is_err() {
                break;
            }
        }
    });
    let request = RawRequest::new("GET", url("http", "127.0.0.1", addr, "/"));
    let exchanged = plain().send(&request, BOUND).await;
    let response = exchanged.outcome.unwrap();
    joined(server).await;
    assert!(response.body_truncated);
    assert_eq!(response.body.len(), hookcheck::transport::BODY_PREFIX_LIMIT);
    assert!(exchanged.duration < Duration::from_secs(3));
}

#[tokio::test]
async fn an_abandoned_request_reaches_the_server_whole_and_then_the_connection_ends() {
    let (listener, addr) = listener().await;
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let received = read_request(&mut stream).await.unwrap();
        let mut after = [0u8; 16];
        // The client sent everything and went away: the next read is the end of stream.
        let n = stream.read(&mut after).await.unwrap();
        (received, n)
    });
    let request = RawRequest::post(
        url("http", "127.0.0.1", addr, "/hook"),
        "{\"sessionId\":\"s\"}",
    )
    .header("Content-Type", "application/json");
    let took = plain()
        .send_and_abandon(&request, BOUND, Duration::ZERO)
        .await
        .unwrap();
    let (received, after) = joined(server).await;
    assert!(took < BOUND);
    assert!(received.ends_with(b"\r\n\r\n{\"sessionId\":\"s\"}"));
    assert_eq!(after, 0, "the connection must end after the request");
}

#[tokio::test]
async fn abandoning_a_request_to_a_refused_port_is_a_connect_failure() {
    let addr = closed_port();
    let request = RawRequest::post(url("http", "127.0.0.1", addr, "/"), "{}");
    let failure = plain()
        .send_and_abandon(&request, BOUND, Duration::ZERO)
        .await
        .unwrap_err();
    assert_eq!(failure.class, FailureClass::Connect, "{failure}");
}

#[test]
fn a_missing_or_invalid_ca_file_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = RawClient::new(&ClientTls::CaFile(dir.path().join("nope.pem"))).unwrap_err();
    assert!(
        matches!(missing, ClientError::CaFile(CaFileError::Unreadable { .. })),
        "{missing}"
    );
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate").unwrap();
    let invalid = RawClient::new(&ClientTls::CaFile(junk)).unwrap_err();
    assert!(
        matches!(invalid, ClientError::CaFile(CaFileError::Invalid { .. })),
        "{invalid}"
    );
}

/// What a TLS server saw on one connection: the ALPN protocol chosen and the request
/// bytes, or `None` when the handshake failed.
type Seen = Option<(Option<Vec<u8>>, Vec<u8>)>;

/// A running TLS server ([`tls_server`]) and the certificate a client should trust.
struct TlsServer {
    addr: SocketAddr,
    cert: PathBuf,
    task: JoinHandle<Vec<Seen>>,
    _dir: tempfile::TempDir,
}

/// Serves `connections` connections with a self-signed certificate, answering 200
/// `secure` to each request.
async fn tls_server(connections: usize) -> TlsServer {
    hookcheck::install_crypto_provider();
    let SelfSigned { pem, acceptor } = self_signed();
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("cert.pem");
    std::fs::write(&cert, pem).unwrap();
    let (listener, addr) = listener().await;
    let task = tokio::spawn(async move {
        let mut seen = Vec::new();
        for _ in 0..connections {
            let (tcp, _) = listener.accept().await.unwrap();
            let Ok(mut stream) = acceptor.accept(tcp).await else {
                seen.push(None);
                continue;
            };
            let alpn = stream.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
            let received = read_request(&mut stream).await.unwrap();
            respond(
                &mut stream,
                b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecure",
            )
            .await;
            seen.push(Some((alpn, received)));
        }
        seen
    });
    TlsServer {
        addr,
        cert,
        task,
        _dir: dir,
    }
}

async fn respond<S: AsyncWrite + Unpin>(stream: &mut S, answer: &[u8]) {
    stream.write_all(answer).await.unwrap();
    let _ = stream.shutdown().await;
}

#[tokio::test]
async fn a_ca_file_that_trusts_the_certificate_makes_https_work_by_name_and_by_ip() {
    let server = tls_server(2).await;
    let client = RawClient::new(&ClientTls::CaFile(server.cert.clone())).unwrap();
    for host in ["localhost", "127.0.0.1"] {
        let request = RawRequest::post(url("https", host, server.addr, "/tls"), "{}")
            .header("X-Api-Key", "k");
        let response = client.send(&request, BOUND).await.outcome.unwrap();
        assert_eq!(response.status, 200, "{host}");
        assert_eq!(&response.body[..], b"secure");
    }
    let seen = joined(server.task).await;
    for connection in seen {
        let (alpn, received) = connection.expect("handshake");
        assert_eq!(
            alpn.as_deref(),
            Some(&b"http/1.1"[..]),
            "ALPN must be http/1.1 only"
        );
        assert!(received.starts_with(b"POST /tls HTTP/1.1\r\nHost: "));
        assert!(received.windows(14).any(|w| w == b"\r\nX-Api-Key: k"));
    }
}

#[tokio::test]
async fn the_system_trust_store_refuses_a_self_signed_certificate_as_tls() {
    let server = tls_server(1).await;
    let client = RawClient::new(&ClientTls::System).unwrap();
    let request = RawRequest::post(url("https", "localhost", server.addr, "/"), "{}");
    let failure = client.send(&request, BOUND).await.outcome.unwrap_err();
    assert_eq!(failure.class, FailureClass::Tls, "{failure}");
    assert_eq!(joined(server.task).await, vec![None]);
    // Abandoning goes through the same handshake and fails the same way.
    let server = tls_server(1).await;
    let request = RawRequest::post(url("https", "localhost", server.addr, "/"), "{}");
    let failure = client
        .send_and_abandon(&request, BOUND, Duration::ZERO)
        .await
        .unwrap_err();
    assert_eq!(failure.class, FailureClass::Tls, "{failure}");
    joined(server.task).await;
}

#[tokio::test]
async fn insecure_accepts_a_self_signed_certificate() {
    let server = tls_server(1).await;
    let request = RawRequest::post(url("https", "127.0.0.1", server.addr, "/"), "{}");
    let response = plain().send(&request, BOUND).await.outcome.unwrap();
    assert_eq!(response.status, 200);
    assert!(joined(server.task).await[0].is_some());
}

#[tokio::test]
async fn a_plain_http_server_behind_an_https_url_is_a_tls_failure() {
    hookcheck::install_crypto_provider();
    let (listener, addr) = listener().await;
    // A server that answers the TLS ClientHello with plain HTTP.
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut hello = [0u8; 512];
        let _ = stream.read(&mut hello).await;
        respond(
            &mut stream,
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
        )
        .await;
    });
    let request = RawRequest::post(url("https", "127.0.0.1", addr, "/"), "{}");
    let failure = plain().send(&request, BOUND).await.outcome.unwrap_err();
    joined(server).await;
    assert_eq!(failure.class, FailureClass::Tls, "{failure}");
}

#[tokio::test]
async fn an_abandoned_tls_request_reaches_the_server_whole_and_then_the_connection_ends() {
    hookcheck::install_crypto_provider();
    let acceptor = self_signed().acceptor;
    let (listener, addr) = listener().await;
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut stream = acceptor.accept(tcp).await.unwrap();
        let received = read_request(&mut stream).await.unwrap();
        let mut after = [0u8; 16];
        // The client hangs up without close_notify: rustls reports a bare EOF as such, or
        // the kernel resets the connection because the session tickets the server sent
        // after the handshake were never read, as with any abandoned connection.
        let end = stream.read(&mut after).await;
        (received, end.map_err(|e| e.kind()))
    });
    let request = RawRequest::post(url("https", "127.0.0.1", addr, "/"), "{\"x\":1}");
    plain()
        .send_and_abandon(&request, BOUND, Duration::ZERO)
        .await
        .unwrap();
    let (received, end) = joined(server).await;
    assert!(received.ends_with(b"\r\n\r\n{\"x\":1}"));
    assert!(
        matches!(
            end,
            Ok(0) | Err(std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset)
        ),
        "{end:?}"
    );
}
