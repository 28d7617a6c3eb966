//! The receiver over real sockets: concurrent duplicates, a burst, a port in use, bad and
//! self-signed certificates, shutdown with a stuck connection.

use std::time::{Duration, Instant};

use hookcheck::receiver::{Receiver, ReceiverConfig, ReceiverError};
use hookcheck::spec::Status;
use hookcheck_testkit::client::{client, join_spawned};
use hookcheck_testkit::receiver::payload;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_duplicates_cause_one_effect() {
    let dir = tempfile::tempdir().unwrap();
    let receiver = Receiver::start(ReceiverConfig::default().database(dir.path().join("r.db")))
        .await
        .unwrap();
    let body = payload(Status::Completed, "concurrent").to_json_bytes();
    let client = client();
    let answers = join_spawned((0..32).map(|_| {
        client
            .post(receiver.webhook_url())
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
    }))
    .await;
    let mut new = 0;
    for response in answers {
        let response = response.unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::OK);
        let answer: Value = response.json().await.unwrap();
        new += usize::from(answer["duplicate"] == json!(false));
    }
    assert_eq!(new, 1, "exactly one delivery was new");
    assert_eq!(receiver.effect_count("concurrent").await.unwrap(), 1);
    receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_distinct_deliveries_is_answered_fast() {
    let dir = tempfile::tempdir().unwrap();
    let receiver = Receiver::start(ReceiverConfig::default().database(dir.path().join("r.db")))
        .await
        .unwrap();
    let client = client();
    let started = Instant::now();
    let answers = join_spawned((0..64).map(|i| {
        client
            .post(receiver.webhook_url())
            .header("content-type", "application/json")
            .body(payload(Status::Completed, &format!("burst-{i}")).to_json_bytes())
            .send()
    }))
    .await;
    let elapsed = started.elapsed();
    eprintln!("64 concurrent distinct deliveries answered in {elapsed:?}");
    for response in answers {
        assert_eq!(response.unwrap().status(), reqwest::StatusCode::OK);
    }
    assert!(
        elapsed < Duration::from_secs(5),
        "64 deliveries took {elapsed:?}"
    );
    for i in 0..64 {
        let id = format!("burst-{i}");
        assert_eq!(receiver.effect_count(&id).await.unwrap(), 1);
    }
    receiver.shutdown().await;
}

#[tokio::test]
async fn port_in_use_is_a_typed_error() {
    let first = Receiver::start(ReceiverConfig::default()).await.unwrap();
    let err = Receiver::start(ReceiverConfig::default().listen(first.local_addr()))
        .await
        .unwrap_err();
    assert!(matches!(err, ReceiverError::Bind { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "failed to bind {}: address already in use",
            first.local_addr()
        )
    );
    first.shutdown().await;
}

#[tokio::test]
async fn bad_certificate_is_a_typed_error_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let config = ReceiverConfig::default().tls(hookcheck::transport::tls::TlsSource::Files {
        cert: dir.path().join("cert.pem"),
        key: dir.path().join("key.pem"),
    });
    let err = Receiver::start(config).await.unwrap_err();
    assert!(matches!(err, ReceiverError::Tls(_)), "{err}");
    assert!(
        err.to_string().starts_with("failed to read certificate "),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_the_self_signed_certificate_works_for_a_trusting_client_only() {
    let dir = tempfile::tempdir().unwrap();
    hookcheck::install_crypto_provider();
    let receiver = Receiver::start(ReceiverConfig::default().tls(
        hookcheck::transport::tls::TlsSource::SelfSigned {
            dir: dir.path().join("tls"),
        },
    ))
    .await
    .unwrap();
    assert!(receiver.webhook_url().starts_with("https://127.0.0.1:"));
    let pem = std::fs::read(receiver.cert_path().unwrap()).unwrap();
    let trusting = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()])
        .build()
        .unwrap();
    let other_dir = tempfile::tempdir().unwrap();
    let (other_cert, _) = hookcheck::transport::tls::write_self_signed(other_dir.path()).unwrap();
    let untrusting = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .tls_certs_only([
            reqwest::Certificate::from_pem(&std::fs::read(other_cert).unwrap()).unwrap(),
        ])
        .build()
        .unwrap();
    let body = payload(Status::Completed, "tls").to_json_bytes();
    let post = |client: &reqwest::Client, url: String| {
        client
            .post(url)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
    };

    let refused = post(&untrusting, receiver.webhook_url()).await;
    assert!(
        refused.is_err(),
        "an untrusting client must fail the handshake"
    );
    // The failed handshake did not take the server down; localhost validates too.
    let localhost = receiver.webhook_url().replace("127.0.0.1", "localhost");
    for url in [receiver.webhook_url(), localhost] {
        let response = post(&trusting, url).await.unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::OK);
        assert_eq!(
            response.version(),
            reqwest::Version::HTTP_2,
            "ALPN picks h2"
        );
    }
    assert_eq!(receiver.effect_count("tls").await.unwrap(), 1);
    receiver.shutdown().await;
}

#[tokio::test]
async fn shutdown_does_not_wait_forever_for_a_stuck_connection() {
    use tokio::io::AsyncWriteExt;
    let receiver =
        Receiver::start(ReceiverConfig::default().shutdown_timeout(Duration::from_millis(300)))
            .await
            .unwrap();
    // Headers promise a body that never comes.
    let mut stuck = tokio::net::TcpStream::connect(receiver.local_addr())
        .await
        .unwrap();
    stuck
        .write_all(b"POST /webhook HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(5), receiver.shutdown())
        .await
        .expect("shutdown finished");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}
