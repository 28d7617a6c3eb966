//! The reference receiver's deliberate defects and legitimate choices, black-box through
//! its public API over real sockets (127.0.0.1, port 0): each defect shows, the same probe
//! finds nothing wrong with the conforming receiver (a probe that fires on both would
//! prove nothing), and each defect stays inside its stated bounds. One module per topic.

/// The topics, in `receiver_defects/`.
mod receiver_defects {
    mod acceptance;
    mod auth;
    mod choices;
    mod dedupe;
    mod latency;
    mod probe;
    mod robustness;
}

use std::time::Duration;

use hookcheck::receiver::{Defect, Receiver, ReceiverConfig, RunningReceiver};
use hookcheck::spec::{Payload, PayloadBuilder, Status};
use reqwest::StatusCode;
use serde_json::Value;

/// The auth header value every probe's receiver requires.
pub const SECRET: &str = "s3cret-Value";

/// A realistic payload of this status and session.
pub fn payload(status: Status, session: &str) -> Payload {
    PayloadBuilder::new(status)
        .seed(7)
        .session_id(session)
        .build()
}

/// A client that follows no redirect and goes through no proxy.
pub fn client() -> reqwest::Client {
    hookcheck::install_crypto_provider();
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub use hookcheck_testkit::client::join_spawned as join_all;

/// How long `slow-cancelled` waits in these tests, and the client timeout that it beats.
const SLOW_DELAY: Duration = Duration::from_millis(1500);
/// How long a probe waits for an answer that a slow defect holds back.
pub const PATIENCE: Duration = Duration::from_millis(500);

/// A receiver (with the auth header [`SECRET`]) and a client to probe it.
pub struct Probe {
    pub client: reqwest::Client,
    pub url: String,
    pub receiver: RunningReceiver,
    pub defect: Option<Defect>,
}

impl Probe {
    pub async fn start(defect: Option<Defect>) -> Probe {
        let mut config = ReceiverConfig::default()
            .auth(format!("X-API-Key: {SECRET}").parse().unwrap())
            .slow_delay(SLOW_DELAY)
            .shutdown_timeout(Duration::from_millis(200));
        config.defect = defect;
        let receiver = Receiver::start(config).await.unwrap();
        Probe {
            client: client(),
            url: receiver.webhook_url(),
            receiver,
            defect,
        }
    }

    /// POSTs `body` with the given auth value (None: no header); the status, or None for
    /// a transport error (refused, reset, timed out).
    pub async fn post(&self, body: Vec<u8>, auth: Option<&str>) -> Option<StatusCode> {
        self.post_within(body, auth, Duration::from_secs(10)).await
    }

    pub async fn post_within(
        &self,
        body: Vec<u8>,
        auth: Option<&str>,
        timeout: Duration,
    ) -> Option<StatusCode> {
        self.post_as(body, auth, timeout, "application/json").await
    }

    /// POSTs with this content type.
    pub async fn post_as(
        &self,
        body: Vec<u8>,
        auth: Option<&str>,
        timeout: Duration,
        content_type: &str,
    ) -> Option<StatusCode> {
        let mut request = self
            .client
            .post(&self.url)
            .timeout(timeout)
            .header("content-type", content_type)
            .body(body);
        if let Some(value) = auth {
            request = request.header("X-API-Key", value);
        }
        request.send().await.ok().map(|r| r.status())
    }

    pub async fn valid(&self, status: Status, session: &str) -> Option<StatusCode> {
        self.post(payload(status, session).to_json_bytes(), Some(SECRET))
            .await
    }

    pub async fn effects(&self, session: &str) -> u64 {
        self.receiver.effect_count(session).await.unwrap()
    }
}

pub fn is_2xx(status: Option<StatusCode>) -> bool {
    status.is_some_and(|s| s.is_success())
}

pub fn bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

/// A valid COMPLETED body with `field` set to `value`.
pub fn with(session: &str, field: &str, value: Value) -> Vec<u8> {
    let mut body = payload(Status::Completed, session).to_value();
    body[field] = value;
    bytes(&body)
}

/// POSTs `body` and reports whether the connection closed without an answer.
pub async fn closes_without_answer(probe: &Probe, body: Vec<u8>) -> bool {
    probe.post(body, Some(SECRET)).await.is_none()
}

/// Starts a receiver with `defect`.
pub async fn broken(defect: Defect) -> Probe {
    Probe::start(Some(defect)).await
}

/// After a crash, the server still answers and records a valid delivery.
pub async fn still_serves(probe: &Probe) {
    assert!(is_2xx(probe.valid(Status::Completed, "after-crash").await));
    assert_eq!(probe.effects("after-crash").await, 1);
    assert!(probe.receiver.is_serving());
}
