//! One probe per defect, run on the defective receiver and on the conforming one: it must
//! fire on the first and not on the second. The table is an exhaustive match, so it covers
//! every defect of [`Defect::ALL`].

use std::time::{Duration, Instant};

use hookcheck::receiver::Defect;
use hookcheck::spec::Status;
use reqwest::StatusCode;
use serde_json::json;

use super::{acceptance, auth, dedupe, latency, robustness};
use crate::{PATIENCE, Probe, SECRET, is_2xx, join_all, payload};

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
            join_all((0..8).map(|_| {
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
            join_all((0..16).map(|i| {
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
        Defect::DedupeForgets => dedupe::forgets_an_old_session(probe).await,
        Defect::DedupeExpires => dedupe::forgets_after_two_seconds(probe).await,
        Defect::CrashesOnMissingSessionId => robustness::closes_on_missing_session_id(probe).await,
        Defect::PanicsOnUnknownStatus => robustness::closes_on_lowercase_status(probe).await,
        Defect::DropsNonCompleted => acceptance::loses_a_cancelled_delivery(probe).await,
        Defect::LosesUnderLoad => latency::loses_some_of_a_burst(probe).await,
        Defect::SlowCompleted => latency::answers_completed_late(probe).await,
        Defect::CrashesOnUnicode => robustness::closes_on_unicode(probe).await,
        Defect::AsyncEffectForInvalid => robustness::records_a_refused_body_later(probe).await,
        Defect::HangsOnBadAuth => auth::never_answers_a_wrong_secret(probe).await,
        Defect::AuthCaseInsensitiveValue => auth::accepts_the_secret_in_capitals(probe).await,
        Defect::KeyedOnExternalReference => {
            dedupe::drops_a_session_sharing_a_reference(probe).await
        }
        Defect::DedupesCompletedOnly => dedupe::records_a_cancelled_copy(probe).await,
        Defect::StrictContentType => acceptance::refuses_a_charset(probe).await,
        Defect::StrictTimestamp => acceptance::refuses_a_timestamp_without_millis(probe).await,
        Defect::ReprocessesOtherStatus => dedupe::records_another_status_again(probe).await,
        Defect::RequiresAccountHolder => acceptance::fails_without_account_holder(probe).await,
        Defect::RejectsFutureTimestamp => acceptance::refuses_a_minute_ahead(probe).await,
        Defect::DropsOldEvents => acceptance::drops_a_week_old_event(probe).await,
        Defect::RejectsLowercaseTimestamp => acceptance::refuses_a_lowercase_t(probe).await,
        Defect::RejectsOmittedFields => acceptance::refuses_an_omitted_proof_hash(probe).await,
        Defect::AsyncDuplicate => dedupe::records_a_duplicate_later(probe).await,
        Defect::PerProcessDedupe => dedupe::a_second_replica_processes_again(probe.defect).await,
        Defect::SplitTransactionDedupe => {
            let body = payload(Status::Completed, "split").to_json_bytes();
            let client = probe.client.clone();
            let url = probe.url.clone();
            join_all((0..8).map(|_| {
                client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("X-API-Key", SECRET)
                    .body(body.clone())
                    .send()
            }))
            .await;
            probe.effects("split").await > 1
        }
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
