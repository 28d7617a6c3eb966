//! The robustness defects: a handler that panics on some bodies closes that connection
//! only, and the server lives on; one that records an effect for a refused body.

use std::time::Duration;

use hookcheck::receiver::Defect;
use hookcheck::spec::Status;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    Probe, SECRET, broken, bytes, closes_without_answer, is_2xx, payload, still_serves, with,
};

pub(crate) async fn closes_on_missing_session_id(probe: &Probe) -> bool {
    let mut body = payload(Status::Completed, "unused").to_value();
    body.as_object_mut().unwrap().remove("sessionId");
    closes_without_answer(probe, bytes(&body)).await
}

pub(crate) async fn closes_on_lowercase_status(probe: &Probe) -> bool {
    closes_without_answer(probe, with("lower", "status", json!("completed"))).await
}

pub(crate) async fn closes_on_unicode(probe: &Probe) -> bool {
    closes_without_answer(
        probe,
        with("unicode", "externalReferenceId", json!("Zoë-42")),
    )
    .await
}

pub(crate) async fn records_a_refused_body_later(probe: &Probe) -> bool {
    let body = with("refused", "status", json!("EXPIRED"));
    assert!(!is_2xx(probe.post(body, Some(SECRET)).await));
    assert_eq!(probe.effects("refused").await, 0, "nothing at first");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    probe.effects("refused").await > 0
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
