//! The receiver's axum app in-process, through `oneshot`: auth, refused input, methods,
//! duplicates, accepted payloads, the effects endpoint and the delivery log.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use hookcheck::receiver::{AppState, ReceiverConfig, WEBHOOK_PATH, app};
use hookcheck::spec::Status;
use hookcheck_testkit::receiver::payload;
use serde_json::{Value, json};
use tower::ServiceExt;

const SECRET: &str = "s3cret-Value";

/// The app for a configuration, and its state to read effect counts from.
fn app_with(config: ReceiverConfig) -> (Router, AppState) {
    let state = AppState::new(&config).unwrap();
    (app(state.clone()), state)
}

fn delivery(body: impl Into<Body>, headers: &[(&str, &str)]) -> Request<Body> {
    let mut request = Request::post(WEBHOOK_PATH);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(body.into()).unwrap()
}

/// A header name and value.
type Header = (&'static str, &'static str);

const JSON: Header = ("content-type", "application/json");

async fn answer(app: &Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn authed() -> ReceiverConfig {
    ReceiverConfig::default().auth(format!("X-API-Key: {SECRET}").parse().unwrap())
}

#[tokio::test]
async fn auth_header_is_enforced_and_rejections_cause_no_effect() {
    let (app, state) = app_with(authed());
    let cases: [(&str, Option<Header>, StatusCode); 8] = [
        ("missing", None, StatusCode::UNAUTHORIZED),
        ("empty", Some(("X-API-Key", "")), StatusCode::UNAUTHORIZED),
        ("wrong", Some(("X-API-Key", "nope")), StatusCode::FORBIDDEN),
        (
            "prefix",
            Some(("X-API-Key", "s3cret")),
            StatusCode::FORBIDDEN,
        ),
        (
            "suffix",
            Some(("X-API-Key", "s3cret-Value-and-more")),
            StatusCode::FORBIDDEN,
        ),
        (
            "case",
            Some(("X-API-Key", "S3CRET-VALUE")),
            StatusCode::FORBIDDEN,
        ),
        (
            "inner-space",
            Some(("X-API-Key", "s3cret -Value")),
            StatusCode::FORBIDDEN,
        ),
        (
            "other-header",
            Some(("X-API-Token", SECRET)),
            StatusCode::UNAUTHORIZED,
        ),
    ];
    for (session, header, expected) in cases {
        let body = payload(Status::Completed, session).to_json_bytes();
        let headers: Vec<_> = [Some(JSON), header].into_iter().flatten().collect();
        let (status, _) = answer(&app, delivery(body, &headers)).await;
        assert_eq!(status, expected, "case {session}");
        assert_eq!(
            state.effect_count(session).await.unwrap(),
            0,
            "case {session}"
        );
    }
}

#[tokio::test]
async fn auth_header_name_is_case_insensitive() {
    let (app, state) = app_with(authed());
    for (i, name) in ["X-API-Key", "x-api-key", "X-API-KEY", "x-Api-kEY"]
        .iter()
        .enumerate()
    {
        let session = format!("name-{i}");
        let body = payload(Status::Completed, &session).to_json_bytes();
        let (status, _) = answer(&app, delivery(body, &[JSON, (name, SECRET)])).await;
        assert_eq!(status, StatusCode::OK, "header name {name}");
        assert_eq!(state.effect_count(&session).await.unwrap(), 1);
    }
}

#[tokio::test]
async fn invalid_input_is_refused_with_4xx_and_no_effect() {
    let (app, state) = app_with(ReceiverConfig::default());
    let mut unknown_status = payload(Status::Completed, "bad-status").to_value();
    unknown_status["status"] = json!("EXPIRED");
    let mut wrong_type = payload(Status::Completed, "bad-platform").to_value();
    wrong_type["platformId"] = json!("seven");
    let deep = format!(
        "{{\"sessionId\":\"deep\",\"status\":\"COMPLETED\",\"metadata\":{}{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let cases: Vec<(&str, Vec<u8>, Header, StatusCode)> = vec![
        (
            "not json",
            b"{not json".to_vec(),
            JSON,
            StatusCode::BAD_REQUEST,
        ),
        (
            "utf8",
            b"{\"sessionId\":\"\xff\xfe\"}".to_vec(),
            JSON,
            StatusCode::BAD_REQUEST,
        ),
        ("array", b"[1,2]".to_vec(), JSON, StatusCode::BAD_REQUEST),
        ("empty", Vec::new(), JSON, StatusCode::BAD_REQUEST),
        ("deep", deep.into_bytes(), JSON, StatusCode::BAD_REQUEST),
        (
            "no session",
            br#"{"status":"COMPLETED"}"#.to_vec(),
            JSON,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "bad-status",
            serde_json::to_vec(&unknown_status).unwrap(),
            JSON,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "bad-platform",
            serde_json::to_vec(&wrong_type).unwrap(),
            JSON,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "form",
            payload(Status::Completed, "form").to_json_bytes(),
            ("content-type", "application/x-www-form-urlencoded"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "huge",
            vec![b' '; 2 << 20],
            JSON,
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (name, body, content_type, expected) in cases {
        let (status, error) = answer(&app, delivery(body, &[content_type])).await;
        assert_eq!(status, expected, "case {name}: {error}");
        assert!(
            error["error"].is_string(),
            "case {name} has an error body: {error}"
        );
    }
    assert_eq!(
        answer(
            &app,
            delivery(serde_json::to_vec(&unknown_status).unwrap(), &[JSON])
        )
        .await
        .1["field"],
        "status"
    );
    for session in ["bad-status", "bad-platform", "form", "deep"] {
        assert_eq!(state.effect_count(session).await.unwrap(), 0, "{session}");
    }
    // And it still serves.
    let body = payload(Status::Completed, "after").to_json_bytes();
    assert_eq!(
        answer(&app, delivery(body, &[JSON])).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn other_methods_are_answered_405() {
    let (app, _) = app_with(ReceiverConfig::default());
    for method in ["GET", "PUT", "DELETE", "PATCH"] {
        let request = Request::builder()
            .method(method)
            .uri(WEBHOOK_PATH)
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            answer(&app, request).await.0,
            StatusCode::METHOD_NOT_ALLOWED
        );
    }
}

#[tokio::test]
async fn sequential_duplicates_cause_one_effect() {
    let (app, state) = app_with(ReceiverConfig::default());
    let body = payload(Status::Completed, "seq").to_json_bytes();
    let mut flags = Vec::new();
    for _ in 0..3 {
        let (status, answer) = answer(&app, delivery(body.clone(), &[JSON])).await;
        assert_eq!(status, StatusCode::OK);
        flags.push(answer["duplicate"].as_bool());
    }
    assert_eq!(flags, [Some(false), Some(true), Some(true)]);
    assert_eq!(state.effect_count("seq").await.unwrap(), 1);
}

#[tokio::test]
async fn same_session_with_another_body_is_still_a_duplicate() {
    let (app, state) = app_with(ReceiverConfig::default());
    for status in [Status::Completed, Status::Error] {
        let body = payload(status, "one-session").to_json_bytes();
        assert_eq!(
            answer(&app, delivery(body, &[JSON])).await.0,
            StatusCode::OK
        );
    }
    assert_eq!(state.effect_count("one-session").await.unwrap(), 1);
}

#[tokio::test]
async fn every_status_every_null_and_forward_compatible_payloads_are_accepted() {
    let (app, state) = app_with(ReceiverConfig::default());
    let mut bodies = Vec::new();
    for status in Status::ALL {
        let mut all_null = payload(status, &format!("null-{status}")).to_value();
        for field in ["externalReferenceId", "extractedData", "proofHash"] {
            all_null[field] = Value::Null;
        }
        let mut with_data = payload(status, &format!("data-{status}")).to_value();
        with_data["extractedData"] = json!({ "accountHolder": "Ada", "newKey": [1, 2] });
        with_data["futureField"] = json!({ "nested": true });
        with_data["completedAt"] = json!("2025-03-24T14:05:00+02:00");
        bodies.push(all_null);
        bodies.push(with_data);
    }
    for body in bodies {
        let request = delivery(
            serde_json::to_vec(&body).unwrap(),
            &[("content-type", "application/json; charset=utf-8")],
        );
        assert_eq!(answer(&app, request).await.0, StatusCode::OK, "{body}");
        let session = body["sessionId"].as_str().unwrap();
        assert_eq!(state.effect_count(session).await.unwrap(), 1);
    }
}

#[tokio::test]
async fn a_256_kib_payload_is_accepted() {
    let (app, state) = app_with(ReceiverConfig::default());
    let mut body = payload(Status::Completed, "big").to_value();
    body["metadata"]["notes"] = json!("x".repeat(256 * 1024));
    let bytes = serde_json::to_vec(&body).unwrap();
    assert!(bytes.len() > 256 * 1024);
    assert_eq!(
        answer(&app, delivery(bytes, &[JSON])).await.0,
        StatusCode::OK
    );
    assert_eq!(state.effect_count("big").await.unwrap(), 1);
}

#[tokio::test]
async fn effects_endpoint_answers_the_count() {
    let (app, _) = app_with(ReceiverConfig::default());
    let body = payload(Status::Completed, "counted").to_json_bytes();
    answer(&app, delivery(body, &[JSON])).await;
    let get = |id: &str| {
        Request::get(format!("/_test/effects/{id}"))
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(
        answer(&app, get("counted")).await,
        (StatusCode::OK, json!({ "count": 1 }))
    );
    assert_eq!(
        answer(&app, get("never-seen")).await,
        (StatusCode::OK, json!({ "count": 0 }))
    );
}

#[tokio::test]
async fn delivery_log_never_holds_the_auth_value() {
    let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = lines.clone();
    let config = authed().on_delivery(move |log| sink.lock().unwrap().push(log.to_string()));
    let (app, _) = app_with(config);
    let body = payload(Status::Completed, "logged").to_json_bytes();
    answer(
        &app,
        delivery(body.clone(), &[JSON, ("X-API-Key", "s3cret")]),
    )
    .await;
    answer(&app, delivery(body, &[JSON, ("X-API-Key", SECRET)])).await;
    let lines = lines.lock().unwrap().clone();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].contains("code=403 rejected"), "{}", lines[0]);
    assert!(
        lines[1].contains("session=logged status=COMPLETED code=200 new"),
        "{}",
        lines[1]
    );
    assert!(lines.iter().all(|l| !l.contains("s3cret")), "{lines:?}");
}
