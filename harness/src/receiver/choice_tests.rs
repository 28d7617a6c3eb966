//! Each legitimate choice shows through the real app, and stays within SPEC §3: valid
//! deliveries are still processed exactly once, unprocessable ones never.

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;

use super::test_support::{SECRET, client, payload};
use super::*;
use crate::spec::Status;

/// The in-process app for these choices, and its state to read effect counts from.
fn app_with(choices: Choices) -> (Router, AppState) {
    let config = ReceiverConfig::default().choices(choices);
    let state = AppState::new(&config).unwrap();
    (app(state.clone()), state)
}

/// POSTs `body` with this content type; the status and the raw body.
async fn post(app: &Router, body: Vec<u8>, content_type: &str) -> (StatusCode, Vec<u8>) {
    let request = Request::post(WEBHOOK_PATH)
        .header("content-type", content_type)
        .body(Body::from(body))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, body.to_vec())
}

async fn post_json(app: &Router, body: Vec<u8>) -> (StatusCode, Vec<u8>) {
    post(app, body, "application/json").await
}

fn valid(status: Status, session: &str) -> Vec<u8> {
    payload(status, session).to_json_bytes()
}

/// A valid COMPLETED body without `field`, or with `field` set to `value`.
fn with(session: &str, field: &str, value: Option<Value>) -> Vec<u8> {
    let mut body = payload(Status::Completed, session).to_value();
    match value {
        Some(value) => body[field] = value,
        None => {
            body.as_object_mut().unwrap().remove(field);
        }
    }
    serde_json::to_vec(&body).unwrap()
}

#[tokio::test]
async fn ack_status_204_answers_with_no_body_and_still_deduplicates() {
    let (app, state) = app_with(Choices::default().ack(AckStatus::NoContent));
    let first = post_json(&app, valid(Status::Completed, "ack")).await;
    assert_eq!(first, (StatusCode::NO_CONTENT, Vec::new()));
    let again = post_json(&app, valid(Status::Completed, "ack")).await;
    assert_eq!(again.0, StatusCode::NO_CONTENT);
    assert_eq!(state.effect_count("ack").await.unwrap(), 1);
    // A refusal is not affected by the choice.
    assert_eq!(
        post_json(&app, b"{oops".to_vec()).await.0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn ack_status_202_answers_with_the_duplicate_flag() {
    let (app, state) = app_with(Choices::default().ack(AckStatus::Accepted));
    let (code, body) = post_json(&app, valid(Status::Error, "accepted")).await;
    assert_eq!(code, StatusCode::ACCEPTED);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body, json!({ "duplicate": false }));
    assert_eq!(state.effect_count("accepted").await.unwrap(), 1);
}

#[tokio::test]
async fn accept_off_contract_processes_off_contract_input_once() {
    let (strict, _) = app_with(Choices::default());
    let no_platform = with("off", "platformId", None);
    let refused = post_json(&strict, no_platform.clone()).await.0;
    assert_eq!(refused, StatusCode::UNPROCESSABLE_ENTITY);

    let (app, state) = app_with(Choices::default().accept_off_contract(true));
    assert_eq!(post_json(&app, no_platform.clone()).await.0, StatusCode::OK);
    assert_eq!(post_json(&app, no_platform).await.0, StatusCode::OK);
    assert_eq!(state.effect_count("off").await.unwrap(), 1);

    let wrong_type = with("typed", "completedAt", Some(json!(17)));
    assert_eq!(post_json(&app, wrong_type).await.0, StatusCode::OK);
    assert_eq!(state.effect_count("typed").await.unwrap(), 1);

    let plain = post(&app, valid(Status::Completed, "plain"), "text/plain").await;
    assert_eq!(plain.0, StatusCode::OK);
    assert_eq!(state.effect_count("plain").await.unwrap(), 1);
}

#[tokio::test]
async fn accept_off_contract_still_refuses_unprocessable_input_and_records_nothing() {
    let (app, state) = app_with(Choices::default().accept_off_contract(true));
    let unknown = with("unknown", "status", Some(json!("EXPIRED")));
    assert_eq!(
        post_json(&app, unknown).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(state.effect_count("unknown").await.unwrap(), 0);
    let lowercase = with("lower", "status", Some(json!("completed")));
    assert_eq!(
        post_json(&app, lowercase).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(state.effect_count("lower").await.unwrap(), 0);
    let no_id = with("unused", "sessionId", None);
    assert_eq!(
        post_json(&app, no_id).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let not_json = post(&app, b"{oops".to_vec(), "text/plain").await.0;
    assert_eq!(not_json, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn ignore_unknown_status_acknowledges_without_recording() {
    let (strict, _) = app_with(Choices::default());
    let unknown = with("future", "status", Some(json!("EXPIRED")));
    let refused = post_json(&strict, unknown.clone()).await.0;
    assert_eq!(refused, StatusCode::UNPROCESSABLE_ENTITY);

    let (app, state) = app_with(Choices::default().ignore_unknown_status(true));
    assert_eq!(post_json(&app, unknown).await.0, StatusCode::OK);
    assert_eq!(state.effect_count("future").await.unwrap(), 0);
    // Only an unknown status in an otherwise valid body is acknowledged.
    let mut broken = payload(Status::Completed, "broken").to_value();
    broken["status"] = json!("EXPIRED");
    broken.as_object_mut().unwrap().remove("platformId");
    let broken = serde_json::to_vec(&broken).unwrap();
    assert_eq!(
        post_json(&app, broken).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let missing = with("missing", "status", None);
    assert_eq!(
        post_json(&app, missing).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(state.effect_count("missing").await.unwrap(), 0);
}

/// A valid body of exactly `size` bytes.
fn body_of(size: usize, session: &str) -> Vec<u8> {
    let mut value = payload(Status::Completed, session).to_value();
    value["metadata"]["padding"] = json!("");
    let base = serde_json::to_vec(&value).unwrap().len();
    value["metadata"]["padding"] = json!("x".repeat(size - base));
    let body = serde_json::to_vec(&value).unwrap();
    assert_eq!(body.len(), size);
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_256_kib_body_limit_accepts_262144_bytes_and_refuses_one_more() {
    let config = ReceiverConfig::default().body_limit(256 * 1024);
    let receiver = Receiver::start(config).await.unwrap();
    let client = client();
    let send = |body: Vec<u8>| {
        client
            .post(receiver.webhook_url())
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let at_limit = send(body_of(262_144, "at-limit")).await.unwrap();
    assert_eq!(at_limit.status(), StatusCode::OK);
    assert_eq!(receiver.effect_count("at-limit").await.unwrap(), 1);
    let over = send(body_of(262_145, "over")).await.unwrap();
    assert_eq!(over.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(receiver.effect_count("over").await.unwrap(), 0);
    receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delay_holds_back_every_answer_but_processes_as_usual() {
    let delay = Duration::from_millis(400);
    let config = ReceiverConfig::default().choices(Choices::default().delay(delay));
    let receiver = Receiver::start(config).await.unwrap();
    let client = client();
    for (body, wanted) in [
        (valid(Status::Completed, "late"), StatusCode::OK),
        (b"{oops".to_vec(), StatusCode::BAD_REQUEST),
    ] {
        let sent = Instant::now();
        let answer = client
            .post(receiver.webhook_url())
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), wanted);
        assert!(
            sent.elapsed() >= delay,
            "answered after {:?}",
            sent.elapsed()
        );
    }
    assert_eq!(receiver.effect_count("late").await.unwrap(), 1);
    receiver.shutdown().await;
}

/// Polls the effects endpoint until it shows `wanted` or 5 s pass; the last count.
async fn effects_reach(client: &reqwest::Client, url: &str, wanted: u64) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let answer: Value = client.get(url).send().await.unwrap().json().await.unwrap();
        let count = answer["count"].as_u64().unwrap();
        if count == wanted || Instant::now() > deadline {
            return count;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_processing_answers_202_and_the_effect_lands_once_later() {
    let choices = Choices::default().async_processing(true);
    let config = ReceiverConfig::default()
        .auth(format!("X-API-Key: {SECRET}").parse().unwrap())
        .choices(choices);
    let receiver = Receiver::start(config).await.unwrap();
    let client = client();
    let send = || {
        client
            .post(receiver.webhook_url())
            .header("content-type", "application/json")
            .header("X-API-Key", SECRET)
            .body(valid(Status::Completed, "queued"))
            .send()
    };
    let sent = Instant::now();
    assert_eq!(send().await.unwrap().status(), StatusCode::ACCEPTED);
    let early = receiver.effect_count("queued").await.unwrap();
    if sent.elapsed() < ASYNC_PROCESSING_DELAY / 2 {
        assert_eq!(early, 0, "recorded before the background task ran");
    }
    let url = receiver
        .effects_url_template()
        .replace("{sessionId}", "queued");
    assert_eq!(effects_reach(&client, &url, 1).await, 1);
    assert_eq!(send().await.unwrap().status(), StatusCode::ACCEPTED);
    tokio::time::sleep(ASYNC_PROCESSING_DELAY * 2).await;
    assert_eq!(
        effects_reach(&client, &url, 1).await,
        1,
        "a copy adds nothing"
    );
    // Refusals are not queued.
    let refused = client
        .post(receiver.webhook_url())
        .header("content-type", "application/json")
        .body(valid(Status::Completed, "no-auth"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    receiver.shutdown().await;
}
