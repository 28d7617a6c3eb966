//! The probes of the later defects (called from `defect_tests::shows`, which runs each on
//! the conforming receiver too), and one test per defect for what else it must get right:
//! a panic closes one connection and the server lives on, a defect stays inside its
//! stated bounds.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::defect_tests::{PATIENCE, Probe, is_2xx};
use super::test_support::{SECRET, futures_join_all, payload};
use super::*;
use crate::spec::Status;

fn bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

/// A valid COMPLETED body with `field` set to `value`.
fn with(session: &str, field: &str, value: Value) -> Vec<u8> {
    let mut body = payload(Status::Completed, session).to_value();
    body[field] = value;
    bytes(&body)
}

/// POSTs `body` and reports whether the connection closed without an answer.
async fn closes_without_answer(probe: &Probe, body: Vec<u8>) -> bool {
    probe.post(body, Some(SECRET)).await.is_none()
}

pub(super) async fn forgets_an_old_session(probe: &Probe) -> bool {
    probe.valid(Status::Completed, "old").await;
    for i in 0..16 {
        probe.valid(Status::Completed, &format!("newer-{i}")).await;
    }
    assert!(is_2xx(probe.valid(Status::Completed, "old").await));
    probe.effects("old").await > 1
}

pub(super) async fn forgets_after_two_seconds(probe: &Probe) -> bool {
    probe.valid(Status::Completed, "expiring").await;
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert!(is_2xx(probe.valid(Status::Completed, "expiring").await));
    probe.effects("expiring").await > 1
}

pub(super) async fn closes_on_missing_session_id(probe: &Probe) -> bool {
    let mut body = payload(Status::Completed, "unused").to_value();
    body.as_object_mut().unwrap().remove("sessionId");
    closes_without_answer(probe, bytes(&body)).await
}

pub(super) async fn closes_on_lowercase_status(probe: &Probe) -> bool {
    closes_without_answer(probe, with("lower", "status", json!("completed"))).await
}

pub(super) async fn loses_a_cancelled_delivery(probe: &Probe) -> bool {
    let answered = probe.valid(Status::Cancelled, "cancelled").await;
    is_2xx(answered) && probe.effects("cancelled").await == 0
}

/// 16 distinct sessions at once: all answered 2xx, some not recorded.
pub(super) async fn loses_some_of_a_burst(probe: &Probe) -> bool {
    let client = probe.client.clone();
    let url = probe.url.clone();
    let answers = futures_join_all((0..16).map(|i| {
        client
            .post(&url)
            .header("content-type", "application/json")
            .header("X-API-Key", SECRET)
            .body(payload(Status::Completed, &format!("burst-{i}")).to_json_bytes())
            .send()
    }))
    .await;
    assert!(
        answers
            .iter()
            .all(|a| a.as_ref().unwrap().status().is_success())
    );
    let mut recorded = 0;
    for i in 0..16 {
        recorded += probe.effects(&format!("burst-{i}")).await;
    }
    recorded < 16
}

pub(super) async fn answers_completed_late(probe: &Probe) -> bool {
    let body = payload(Status::Completed, "slow").to_json_bytes();
    !is_2xx(probe.post_within(body, Some(SECRET), PATIENCE).await)
}

pub(super) async fn closes_on_unicode(probe: &Probe) -> bool {
    closes_without_answer(
        probe,
        with("unicode", "externalReferenceId", json!("Zoë-42")),
    )
    .await
}

pub(super) async fn records_a_refused_body_later(probe: &Probe) -> bool {
    let body = with("refused", "status", json!("EXPIRED"));
    assert!(!is_2xx(probe.post(body, Some(SECRET)).await));
    assert_eq!(probe.effects("refused").await, 0, "nothing at first");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    probe.effects("refused").await > 0
}

/// A duplicate is answered 2xx at once with one effect counted, and a second lands later.
pub(super) async fn records_a_duplicate_later(probe: &Probe) -> bool {
    assert!(is_2xx(probe.valid(Status::Completed, "twice").await));
    assert!(is_2xx(probe.valid(Status::Completed, "twice").await));
    assert_eq!(probe.effects("twice").await, 1, "one effect at first");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    probe.effects("twice").await > 1
}

pub(super) async fn never_answers_a_wrong_secret(probe: &Probe) -> bool {
    let body = payload(Status::Completed, "wrong-secret").to_json_bytes();
    let answered = probe.post_within(body, Some("wrong"), PATIENCE).await;
    answered.is_none()
}

pub(super) async fn accepts_the_secret_in_capitals(probe: &Probe) -> bool {
    let body = payload(Status::Completed, "capitals").to_json_bytes();
    let capitals = SECRET.to_ascii_uppercase();
    assert_ne!(capitals, SECRET, "the test secret has lowercase letters");
    is_2xx(probe.post(body, Some(&capitals)).await)
}

pub(super) async fn drops_a_session_sharing_a_reference(probe: &Probe) -> bool {
    let reference = json!("order-1");
    probe
        .post(
            with("first", "externalReferenceId", reference.clone()),
            Some(SECRET),
        )
        .await;
    let second = probe
        .post(
            with("second", "externalReferenceId", reference),
            Some(SECRET),
        )
        .await;
    is_2xx(second) && probe.effects("second").await == 0
}

pub(super) async fn records_a_cancelled_copy(probe: &Probe) -> bool {
    probe.valid(Status::Cancelled, "cancelled-twice").await;
    probe.valid(Status::Cancelled, "cancelled-twice").await;
    probe.effects("cancelled-twice").await > 1
}

pub(super) async fn refuses_a_charset(probe: &Probe) -> bool {
    let body = payload(Status::Completed, "charset").to_json_bytes();
    let content_type = "application/json; charset=utf-8";
    let answered = probe
        .post_as(body, Some(SECRET), Duration::from_secs(10), content_type)
        .await;
    answered == Some(StatusCode::UNSUPPORTED_MEDIA_TYPE)
}

pub(super) async fn refuses_a_timestamp_without_millis(probe: &Probe) -> bool {
    let body = with("seconds", "completedAt", json!("2026-01-02T03:04:05Z"));
    !is_2xx(probe.post(body, Some(SECRET)).await)
}

pub(super) async fn records_another_status_again(probe: &Probe) -> bool {
    probe.valid(Status::Completed, "restatus").await;
    assert!(is_2xx(probe.valid(Status::Cancelled, "restatus").await));
    probe.effects("restatus").await > 1
}

/// Starts a receiver with `defect`.
async fn broken(defect: Defect) -> Probe {
    Probe::start(Some(defect)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dedupe_forgets_still_deduplicates_the_sixteen_latest_sessions() {
    let probe = broken(Defect::DedupeForgets).await;
    assert!(forgets_an_old_session(&probe).await);
    // The 16 sessions delivered since "old" came back are all still remembered.
    for i in 1..16 {
        probe.valid(Status::Completed, &format!("newer-{i}")).await;
        assert_eq!(probe.effects(&format!("newer-{i}")).await, 1, "newer-{i}");
    }
    probe.receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dedupe_expires_still_deduplicates_a_prompt_copy() {
    let probe = broken(Defect::DedupeExpires).await;
    probe.valid(Status::Completed, "prompt").await;
    probe.valid(Status::Completed, "prompt").await;
    assert_eq!(probe.effects("prompt").await, 1);
    assert!(forgets_after_two_seconds(&probe).await);
    probe.receiver.shutdown().await;
}

/// After a crash, the server still answers and records a valid delivery.
async fn still_serves(probe: &Probe) {
    assert!(is_2xx(probe.valid(Status::Completed, "after-crash").await));
    assert_eq!(probe.effects("after-crash").await, 1);
    assert!(probe.receiver.is_serving());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_or_null_session_id_closes_the_connection_and_the_server_lives_on() {
    let probe = broken(Defect::CrashesOnMissingSessionId).await;
    assert!(closes_on_missing_session_id(&probe).await);
    assert!(closes_without_answer(&probe, with("x", "sessionId", Value::Null)).await);
    assert!(closes_without_answer(&probe, with("x", "sessionId", json!(42))).await);
    // Not JSON is still answered 400: the crash is in reading the field.
    assert_eq!(
        probe.post(b"{oops".to_vec(), Some(SECRET)).await,
        Some(StatusCode::BAD_REQUEST)
    );
    still_serves(&probe).await;
    probe.receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_status_closes_the_connection_and_the_server_lives_on() {
    let probe = broken(Defect::PanicsOnUnknownStatus).await;
    assert!(closes_on_lowercase_status(&probe).await);
    assert!(closes_without_answer(&probe, with("x", "status", json!("EXPIRED"))).await);
    assert!(is_2xx(probe.valid(Status::Terminated, "known").await));
    still_serves(&probe).await;
    probe.receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drops_non_completed_records_completed_and_answers_every_status_2xx() {
    let probe = broken(Defect::DropsNonCompleted).await;
    assert!(loses_a_cancelled_delivery(&probe).await);
    assert!(is_2xx(probe.valid(Status::Error, "failed").await));
    assert_eq!(probe.effects("failed").await, 0);
    assert!(is_2xx(probe.valid(Status::Completed, "kept").await));
    assert_eq!(probe.effects("kept").await, 1);
    probe.receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loses_under_load_records_deliveries_sent_one_at_a_time() {
    let probe = broken(Defect::LosesUnderLoad).await;
    for i in 0..4 {
        let session = format!("calm-{i}");
        assert!(is_2xx(probe.valid(Status::Completed, &session).await));
        assert_eq!(probe.effects(&session).await, 1);
    }
    assert!(loses_some_of_a_burst(&probe).await);
    probe.receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_completed_records_the_abandoned_delivery_and_answers_others_at_once() {
    let probe = broken(Defect::SlowCompleted).await;
    assert!(answers_completed_late(&probe).await);
    assert_eq!(probe.effects("slow").await, 1);
    let body = payload(Status::Error, "fast").to_json_bytes();
    assert!(is_2xx(
        probe.post_within(body, Some(SECRET), PATIENCE).await
    ));
    probe.receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_ascii_text_anywhere_closes_the_connection_and_the_server_lives_on() {
    let probe = broken(Defect::CrashesOnUnicode).await;
    assert!(closes_on_unicode(&probe).await);
    let mut nested = payload(Status::Completed, "nested").to_value();
    nested["metadata"]["note"] = json!("日本語");
    assert!(closes_without_answer(&probe, bytes(&nested)).await);
    still_serves(&probe).await;
    probe.receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_effect_for_invalid_answers_4xx_then_records_about_a_second_later() {
    let probe = broken(Defect::AsyncEffectForInvalid).await;
    assert!(records_a_refused_body_later(&probe).await);
    assert_eq!(probe.effects("refused").await, 1, "one late effect");
    probe.receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hangs_on_bad_auth_still_answers_401_to_a_missing_header() {
    let probe = broken(Defect::HangsOnBadAuth).await;
    assert!(never_answers_a_wrong_secret(&probe).await);
    let body = payload(Status::Completed, "no-header").to_json_bytes();
    assert_eq!(
        probe.post_within(body, None, PATIENCE).await,
        Some(StatusCode::UNAUTHORIZED)
    );
    assert_eq!(probe.effects("wrong-secret").await, 0);
    still_serves(&probe).await;
    probe.receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_case_insensitive_value_still_refuses_another_secret() {
    let probe = broken(Defect::AuthCaseInsensitiveValue).await;
    assert!(accepts_the_secret_in_capitals(&probe).await);
    let body = payload(Status::Completed, "other").to_json_bytes();
    assert_eq!(
        probe.post(body, Some("S3CRET-VALUX")).await,
        Some(StatusCode::FORBIDDEN)
    );
    probe.receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyed_on_external_reference_treats_every_null_reference_as_one_key() {
    let probe = broken(Defect::KeyedOnExternalReference).await;
    assert!(drops_a_session_sharing_a_reference(&probe).await);
    probe
        .post(
            with("null-a", "externalReferenceId", Value::Null),
            Some(SECRET),
        )
        .await;
    let answered = probe
        .post(
            with("null-b", "externalReferenceId", Value::Null),
            Some(SECRET),
        )
        .await;
    assert!(is_2xx(answered));
    assert_eq!(probe.effects("null-a").await, 1);
    assert_eq!(probe.effects("null-b").await, 0);
    probe.receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dedupes_completed_only_still_deduplicates_completed() {
    let probe = broken(Defect::DedupesCompletedOnly).await;
    assert!(records_a_cancelled_copy(&probe).await);
    probe.valid(Status::Completed, "completed-twice").await;
    probe.valid(Status::Completed, "completed-twice").await;
    assert_eq!(probe.effects("completed-twice").await, 1);
    probe.receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_content_type_accepts_exactly_application_json() {
    let probe = broken(Defect::StrictContentType).await;
    assert!(refuses_a_charset(&probe).await);
    assert!(is_2xx(probe.valid(Status::Completed, "exact").await));
    probe.receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_timestamp_accepts_the_millisecond_utc_form() {
    let probe = broken(Defect::StrictTimestamp).await;
    assert!(refuses_a_timestamp_without_millis(&probe).await);
    let body = with("millis", "completedAt", json!("2026-01-02T03:04:05.678Z"));
    assert!(is_2xx(probe.post(body, Some(SECRET)).await));
    assert_eq!(probe.effects("seconds").await, 0);
    probe.receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reprocesses_other_status_still_deduplicates_the_same_status() {
    let probe = broken(Defect::ReprocessesOtherStatus).await;
    probe.valid(Status::Completed, "same").await;
    probe.valid(Status::Completed, "same").await;
    assert_eq!(probe.effects("same").await, 1);
    assert!(records_another_status_again(&probe).await);
    probe.receiver.shutdown().await;
}
