//! Each defect shows, over real sockets, and the same probe finds nothing wrong with the
//! conforming receiver: a probe that fires on both would prove nothing.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use super::defect_tests_drawn as drawn;
use super::defect_tests_more as more;
use super::test_support::{SECRET, client, futures_join_all, payload};
use super::*;
use crate::spec::Status;

/// How long `slow-cancelled` waits in these tests, and the client timeout that it beats.
pub(super) const SLOW_DELAY: Duration = Duration::from_millis(1500);
pub(super) const PATIENCE: Duration = Duration::from_millis(500);

pub(super) struct Probe {
    pub(super) client: reqwest::Client,
    pub(super) url: String,
    pub(super) receiver: RunningReceiver,
}

impl Probe {
    pub(super) async fn start(defect: Option<Defect>) -> Probe {
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
        }
    }

    /// POSTs `body` with the given auth value (None: no header); the status, or None for
    /// a transport error (refused, reset, timed out).
    pub(super) async fn post(&self, body: Vec<u8>, auth: Option<&str>) -> Option<StatusCode> {
        self.post_within(body, auth, Duration::from_secs(10)).await
    }

    pub(super) async fn post_within(
        &self,
        body: Vec<u8>,
        auth: Option<&str>,
        timeout: Duration,
    ) -> Option<StatusCode> {
        self.post_as(body, auth, timeout, "application/json").await
    }

    /// POSTs with this content type.
    pub(super) async fn post_as(
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

    pub(super) async fn valid(&self, status: Status, session: &str) -> Option<StatusCode> {
        self.post(payload(status, session).to_json_bytes(), Some(SECRET))
            .await
    }

    pub(super) async fn effects(&self, session: &str) -> u64 {
        self.receiver.effect_count(session).await.unwrap()
    }
}

pub(super) fn is_2xx(status: Option<StatusCode>) -> bool {
    status.is_some_and(|s| s.is_success())
}

/// Whether the receiver behind `probe` shows `defect`; every defect has one probe.
async fn shows(defect: Defect, probe: &Probe) -> bool {
    match defect {
        Defect::NoDedupe => {
            probe.valid(Status::Completed, "twice").await;
            probe.valid(Status::Completed, "twice").await;
            probe.effects("twice").await > 1
        }
        Defect::RacyDedupe => {
            let body = payload(Status::Completed, "racy").to_json_bytes();
            let client = probe.client.clone();
            let url = probe.url.clone();
            futures_join_all((0..8).map(|_| {
                client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("X-API-Key", SECRET)
                    .body(body.clone())
                    .send()
            }))
            .await;
            probe.effects("racy").await > 1
        }
        Defect::ConflictOnDuplicate => {
            probe.valid(Status::Completed, "dup").await;
            !is_2xx(probe.valid(Status::Completed, "dup").await)
        }
        Defect::AuthIgnored => {
            let body = payload(Status::Completed, "no-auth").to_json_bytes();
            is_2xx(probe.post(body, None).await)
        }
        Defect::AuthPrefixMatch => {
            let body = payload(Status::Completed, "prefix").to_json_bytes();
            is_2xx(probe.post(body, Some(&SECRET[..4])).await)
        }
        Defect::EffectBeforeAuth => {
            let body = payload(Status::Completed, "before-auth").to_json_bytes();
            let status = probe.post(body, Some("wrong")).await;
            assert!(!is_2xx(status), "a wrong secret is still refused");
            probe.effects("before-auth").await > 0
        }
        Defect::RejectsUnknownFields => {
            let mut body = payload(Status::Completed, "unknown-field").to_value();
            body["riskScore"] = json!(0.1);
            !is_2xx(
                probe
                    .post(serde_json::to_vec(&body).unwrap(), Some(SECRET))
                    .await,
            )
        }
        Defect::ErrorOnNullFields => {
            probe.valid(Status::Cancelled, "nulls").await == Some(StatusCode::INTERNAL_SERVER_ERROR)
        }
        Defect::RejectsTerminated => !is_2xx(probe.valid(Status::Terminated, "terminated").await),
        Defect::SlowCancelled => {
            let body = payload(Status::Cancelled, "slow").to_json_bytes();
            let status = probe.post_within(body, Some(SECRET), PATIENCE).await;
            !is_2xx(status)
        }
        Defect::Redirects => probe
            .valid(Status::Completed, "redirected")
            .await
            .is_some_and(|s| s.is_redirection()),
        Defect::DiesOnMalformedJson => {
            probe.post(b"{oops".to_vec(), Some(SECRET)).await;
            // The listener closes asynchronously; give it a moment.
            let deadline = Instant::now() + Duration::from_secs(2);
            while Instant::now() < deadline {
                let refused = probe.valid(Status::Completed, "after-oops").await.is_none();
                if refused && !probe.receiver.is_serving() {
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            false
        }
        Defect::ErrorOnMalformedJson => {
            probe.post(b"{oops".to_vec(), Some(SECRET)).await
                == Some(StatusCode::INTERNAL_SERVER_ERROR)
        }
        Defect::EffectForInvalid => {
            let mut body = payload(Status::Completed, "invalid").to_value();
            body["status"] = json!("EXPIRED");
            let status = probe
                .post(serde_json::to_vec(&body).unwrap(), Some(SECRET))
                .await;
            assert!(!is_2xx(status), "the invalid payload is still refused");
            probe.effects("invalid").await > 0
        }
        Defect::TinyBodyLimit => {
            let mut body = payload(Status::Completed, "large").to_value();
            body["metadata"]["notes"] = json!("x".repeat(256 * 1024));
            probe
                .post(serde_json::to_vec(&body).unwrap(), Some(SECRET))
                .await
                == Some(StatusCode::PAYLOAD_TOO_LARGE)
        }
        Defect::Serial => {
            let started = Instant::now();
            let client = probe.client.clone();
            let url = probe.url.clone();
            futures_join_all((0..16).map(|i| {
                client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("X-API-Key", SECRET)
                    .body(payload(Status::Completed, &format!("serial-{i}")).to_json_bytes())
                    .send()
            }))
            .await;
            started.elapsed() > Duration::from_millis(1200)
        }
        Defect::DedupeForgets => more::forgets_an_old_session(probe).await,
        Defect::DedupeExpires => more::forgets_after_two_seconds(probe).await,
        Defect::CrashesOnMissingSessionId => more::closes_on_missing_session_id(probe).await,
        Defect::PanicsOnUnknownStatus => more::closes_on_lowercase_status(probe).await,
        Defect::DropsNonCompleted => more::loses_a_cancelled_delivery(probe).await,
        Defect::LosesUnderLoad => more::loses_some_of_a_burst(probe).await,
        Defect::SlowCompleted => more::answers_completed_late(probe).await,
        Defect::CrashesOnUnicode => more::closes_on_unicode(probe).await,
        Defect::AsyncEffectForInvalid => more::records_a_refused_body_later(probe).await,
        Defect::HangsOnBadAuth => more::never_answers_a_wrong_secret(probe).await,
        Defect::AuthCaseInsensitiveValue => more::accepts_the_secret_in_capitals(probe).await,
        Defect::KeyedOnExternalReference => more::drops_a_session_sharing_a_reference(probe).await,
        Defect::DedupesCompletedOnly => more::records_a_cancelled_copy(probe).await,
        Defect::StrictContentType => more::refuses_a_charset(probe).await,
        Defect::StrictTimestamp => more::refuses_a_timestamp_without_millis(probe).await,
        Defect::ReprocessesOtherStatus => more::records_another_status_again(probe).await,
        Defect::RequiresAccountHolder => drawn::fails_without_account_holder(probe).await,
        Defect::RejectsFutureTimestamp => drawn::refuses_a_minute_ahead(probe).await,
        Defect::DropsOldEvents => drawn::drops_a_week_old_event(probe).await,
        Defect::RejectsLowercaseTimestamp => drawn::refuses_a_lowercase_t(probe).await,
        Defect::RejectsOmittedFields => drawn::refuses_an_omitted_proof_hash(probe).await,
        Defect::AsyncDuplicate => more::records_a_duplicate_later(probe).await,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_defect_shows_and_the_conforming_receiver_does_not() {
    for defect in Defect::ALL {
        let conforming = Probe::start(None).await;
        assert!(
            !shows(defect, &conforming).await,
            "the probe for {defect} fires on the conforming receiver"
        );
        conforming.receiver.shutdown().await;

        let broken = Probe::start(Some(defect)).await;
        assert!(
            shows(defect, &broken).await,
            "defect {defect} does not show"
        );
        broken.receiver.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_defective_receiver_behaves_correctly_elsewhere() {
    // The racy receiver still deduplicates sequential duplicates; the slow one answers
    // other statuses at once; the tiny-limit one accepts a normal payload.
    let racy = Probe::start(Some(Defect::RacyDedupe)).await;
    racy.valid(Status::Completed, "seq").await;
    assert!(is_2xx(racy.valid(Status::Completed, "seq").await));
    assert_eq!(racy.effects("seq").await, 1);

    let slow = Probe::start(Some(Defect::SlowCancelled)).await;
    let body = payload(Status::Completed, "fast").to_json_bytes();
    assert!(is_2xx(slow.post_within(body, Some(SECRET), PATIENCE).await));
    // The CANCELLED delivery its sender gave up on was still processed, once.
    let body = payload(Status::Cancelled, "abandoned").to_json_bytes();
    assert!(
        slow.post_within(body, Some(SECRET), PATIENCE)
            .await
            .is_none()
    );
    assert_eq!(slow.effects("abandoned").await, 1);

    let tiny = Probe::start(Some(Defect::TinyBodyLimit)).await;
    assert!(is_2xx(tiny.valid(Status::Completed, "normal").await));

    let dies = Probe::start(Some(Defect::DiesOnMalformedJson)).await;
    let mut missing = payload(Status::Completed, "missing").to_value();
    missing.as_object_mut().unwrap().remove("status");
    let status = dies
        .post(serde_json::to_vec(&missing).unwrap(), Some(SECRET))
        .await;
    assert_eq!(status, Some(StatusCode::UNPROCESSABLE_ENTITY));
    assert!(is_2xx(dies.valid(Status::Completed, "still-alive").await));
}
