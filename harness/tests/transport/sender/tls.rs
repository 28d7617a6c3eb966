//! Delivery over real TLS: a tokio-rustls server with an rcgen self-signed certificate.

use std::io::Write;
use std::net::SocketAddr;

use axum::Router;
use axum::routing::post;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use reqwest::Url;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use hookcheck_testkit::tls::{SelfSigned, self_signed};

use super::{body, fast, sender};
use hookcheck::sender::{Sender, SenderError};
use hookcheck::transport::ClientError;
use hookcheck::transport::tls::CaFileError;
use hookcheck::transport::tls::ClientTls;
use hookcheck::transport::{Exchange, FailureClass};

/// An HTTPS server on 127.0.0.1 answering 200 to every POST; stops when dropped.
struct TlsServer {
    address: SocketAddr,
    certificate_pem: String,
    task: JoinHandle<()>,
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TlsServer {
    async fn start() -> TlsServer {
        hookcheck::install_crypto_provider();
        let SelfSigned {
            pem: certificate_pem,
            acceptor,
        } = self_signed();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let app = Router::new().route("/hook", post(|| async { "ok" }));
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let service = TowerToHyperService::new(app.clone());
                tokio::spawn(async move {
                    // A client that refuses the certificate ends the handshake: not an error here.
                    let Ok(stream) = acceptor.accept(socket).await else {
                        return;
                    };
                    let _ = auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        TlsServer {
            address,
            certificate_pem,
            task,
        }
    }

    fn url(&self) -> Url {
        Url::parse(&format!("https://{}/hook", self.address)).unwrap()
    }
}

fn pem_file(contents: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(contents.as_bytes()).unwrap();
    file
}

fn with_tls(tls: ClientTls) -> Sender {
    sender(fast().retries(0).tls(tls))
}

#[tokio::test]
async fn a_ca_file_that_trusts_the_server_delivers() {
    let server = TlsServer::start().await;
    let ca = pem_file(&server.certificate_pem);

    let delivery = with_tls(ClientTls::CaFile(ca.path().to_owned()))
        .deliver(&server.url(), body())
        .await;

    assert!(delivery.delivered, "{delivery}");
    assert_eq!(delivery.attempts[0].status_code, Some(200));
}

#[tokio::test]
async fn system_roots_refuse_a_self_signed_certificate_as_a_tls_failure() {
    let server = TlsServer::start().await;

    let delivery = with_tls(ClientTls::System)
        .deliver(&server.url(), body())
        .await;

    assert!(!delivery.delivered);
    assert_eq!(
        delivery.attempts[0].failure,
        Some(FailureClass::Tls),
        "{delivery}"
    );
    assert!(
        delivery.attempts[0].message.contains("certificate"),
        "{delivery}"
    );
}

#[tokio::test]
async fn a_ca_file_for_another_certificate_is_a_tls_failure() {
    let server = TlsServer::start().await;
    let other = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let ca = pem_file(&other.cert.pem());

    let delivery = with_tls(ClientTls::CaFile(ca.path().to_owned()))
        .deliver(&server.url(), body())
        .await;

    assert_eq!(
        delivery.attempts[0].failure,
        Some(FailureClass::Tls),
        "{delivery}"
    );
}

#[tokio::test]
async fn insecure_mode_accepts_any_certificate() {
    let server = TlsServer::start().await;

    let delivery = with_tls(ClientTls::Insecure)
        .deliver(&server.url(), body())
        .await;

    assert!(delivery.delivered, "{delivery}");
}

#[tokio::test]
async fn https_to_a_plain_http_server_is_a_tls_failure() {
    let server = wiremock::MockServer::start().await;
    let address = server.address();
    let url = Url::parse(&format!("https://{address}/hook")).unwrap();

    let delivery = with_tls(ClientTls::Insecure).deliver(&url, body()).await;

    assert_eq!(
        delivery.attempts[0].failure,
        Some(FailureClass::Tls),
        "{delivery}"
    );
}

#[test]
fn unusable_ca_files_are_typed_errors() {
    hookcheck::install_crypto_provider();
    let build = |path: &std::path::Path| {
        Sender::new(fast().tls(ClientTls::CaFile(path.to_owned()))).unwrap_err()
    };
    let not_pem = pem_file("this is not a certificate\n");
    assert!(matches!(
        build(not_pem.path()),
        SenderError::Client(ClientError::CaFile(CaFileError::Invalid { .. }))
    ));
    let bad_base64 = pem_file("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
    assert!(matches!(
        build(bad_base64.path()),
        SenderError::Client(ClientError::CaFile(CaFileError::Invalid { .. }))
    ));
    let not_x509 = pem_file("-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n");
    let err = build(not_x509.path());
    assert!(
        matches!(
            err,
            SenderError::Client(ClientError::CaFile(CaFileError::Invalid { .. }))
        ),
        "{err}"
    );
    let missing = build(std::path::Path::new("/nonexistent/hookcheck-ca.pem"));
    assert!(matches!(
        missing,
        SenderError::Client(ClientError::CaFile(CaFileError::Unreadable { .. }))
    ));
    assert!(
        missing
            .to_string()
            .contains("/nonexistent/hookcheck-ca.pem")
    );
}

#[tokio::test]
async fn an_exchange_over_tls_negotiates_http2() {
    let server = TlsServer::start().await;

    let exchanged = with_tls(ClientTls::Insecure)
        .exchange(Exchange::post(server.url(), body()))
        .await;

    let response = exchanged.outcome.expect("the server answered");
    assert_eq!(response.status, 200);
    assert_eq!(response.version, reqwest::Version::HTTP_2);
    assert_eq!(&response.body[..], b"ok");
}
