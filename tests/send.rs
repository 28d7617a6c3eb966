//! End-to-end tests of `hookcheck send`: the built binary against wiremock on 127.0.0.1.

use std::process::Output;
use std::time::Duration;

use hookcheck::sender::Delivery;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::HOOKCHECK;

const SECRET: &str = "e2e-s3cret-value";

/// Runs `hookcheck send` with these arguments, killed if it takes over 30 s.
async fn send(args: &[&str]) -> Output {
    let mut command = tokio::process::Command::from(HOOKCHECK.command());
    command.arg("send").args(args).kill_on_drop(true);
    tokio::time::timeout(Duration::from_secs(30), command.output())
        .await
        .expect("hookcheck send finished within 30 s")
        .expect("hookcheck ran")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_secret_hidden(output: &Output) {
    assert!(
        !stdout(output).contains(SECRET),
        "stdout: {}",
        stdout(output)
    );
    assert!(
        !stderr(output).contains(SECRET),
        "stderr: {}",
        stderr(output)
    );
}

async fn answering(statuses: &[u16]) -> MockServer {
    let server = MockServer::start().await;
    for (index, status) in statuses.iter().enumerate() {
        let mock = Mock::given(method("POST")).respond_with(ResponseTemplate::new(*status));
        let last = index + 1 == statuses.len();
        let mock = if last { mock } else { mock.up_to_n_times(1) };
        mock.with_priority(u8::try_from(index + 1).unwrap())
            .mount(&server)
            .await;
    }
    server
}

#[tokio::test]
async fn a_2xx_exits_0_with_a_readable_log() {
    let server = answering(&[200]).await;
    let auth = format!("X-API-Key: {SECRET}");

    let output = send(&[
        "--target",
        &server.uri(),
        "--status",
        "COMPLETED",
        "--auth",
        &auth,
    ])
    .await;

    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    let text = stdout(&output);
    // The first attempt starts at once: its offset is a few milliseconds at most, more on a
    // loaded machine, so only its form is checked.
    let first = regex::Regex::new(r"attempt 1: \+\d+ms, HTTP 200 OK, took").unwrap();
    assert!(first.is_match(&text), "{text}");
    assert!(text.contains("delivered on attempt 1 of 4"), "{text}");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].headers.get("x-api-key").unwrap(), SECRET);
    assert_eq!(
        requests[0].headers.get("content-type").unwrap(),
        "application/json"
    );
    let payload = hookcheck::spec::parse(&requests[0].body).expect("a valid event was sent");
    assert_eq!(payload.status, hookcheck::spec::Status::Completed);
    assert!(
        text.contains(&format!("sessionId {}", payload.session_id)),
        "{text}"
    );
    assert_secret_hidden(&output);
}

#[tokio::test]
async fn repeated_500s_exit_1_after_retries_plus_one_attempts() {
    let server = answering(&[500]).await;
    let auth = format!("X-API-Key: {SECRET}");

    let output = send(&[
        "--target",
        &server.uri(),
        "--status",
        "error",
        "--auth",
        &auth,
        "--retries",
        "2",
        "--backoff-base",
        "10ms",
    ])
    .await;

    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    let attempts: Vec<_> = text.lines().filter(|l| l.starts_with("attempt ")).collect();
    assert_eq!(attempts.len(), 3, "{text}");
    assert!(
        attempts[0].contains("HTTP 500") && attempts[0].contains("next attempt in"),
        "{text}"
    );
    assert!(!attempts[2].contains("next attempt"), "{text}");
    assert!(text.contains("failed after 3 attempts"), "{text}");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
    assert_secret_hidden(&output);
}

#[tokio::test]
async fn json_output_is_one_document_with_every_attempt() {
    let server = answering(&[503, 204]).await;
    let auth = format!("X-API-Key: {SECRET}");

    let output = send(&[
        "--target",
        &server.uri(),
        "--status",
        "CANCELLED",
        "--auth",
        &auth,
        "--backoff-base",
        "10ms",
        "--json",
    ])
    .await;

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let delivery: Delivery =
        serde_json::from_slice(&output.stdout).expect("stdout is the JSON log");
    assert!(delivery.delivered);
    assert_eq!(delivery.attempts.len(), 2);
    assert_eq!(delivery.attempts[0].status_code, Some(503));
    assert_eq!(delivery.attempts[1].status_code, Some(204));
    assert!(delivery.session_id.is_some());
    assert_secret_hidden(&output);
}

#[tokio::test]
async fn set_and_payload_shape_the_body() {
    let server = answering(&[200]).await;
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        file.path(),
        br#"{"sessionId":"from-file","status":"COMPLETED","custom":1}"#,
    )
    .unwrap();
    let path = file.path().to_str().unwrap();

    let output = send(&[
        "--target",
        &server.uri(),
        "--payload",
        path,
        "--set",
        "proofHash=null",
        "--set",
        r#"sessionId="abc""#,
    ])
    .await;

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let requests = server.received_requests().await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(body["sessionId"], "abc");
    assert_eq!(body["proofHash"], serde_json::Value::Null);
    assert_eq!(body["custom"], 1, "the file's other fields are kept");
    assert!(stdout(&output).contains("sessionId abc"));
}

#[tokio::test]
async fn a_payload_file_that_is_not_json_is_sent_byte_for_byte() {
    let server = answering(&[400]).await;
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), b"not json \xff").unwrap();

    let output = send(&[
        "--target",
        &server.uri(),
        "--payload",
        file.path().to_str().unwrap(),
        "--retries",
        "0",
    ])
    .await;

    assert_eq!(output.status.code(), Some(1));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].body, b"not json \xff");
    assert!(
        stdout(&output).contains("no sessionId in the body"),
        "{}",
        stdout(&output)
    );
}

#[tokio::test]
async fn usage_mistakes_exit_2_with_one_error_line_and_send_nothing() {
    let server = answering(&[200]).await;
    let target = server.uri();
    let not_pem = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(not_pem.path(), "not a certificate").unwrap();
    let good_auth = format!("X-API-Key: {SECRET}");
    let bad_auth = format!("X-API-Key {SECRET}");
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "a bad URL",
            vec!["--target", "ftp://example.com/", "--status", "COMPLETED"],
        ),
        (
            "a relative URL",
            vec!["--target", "/hook", "--status", "COMPLETED"],
        ),
        (
            "a malformed auth",
            vec![
                "--target",
                &target,
                "--status",
                "COMPLETED",
                "--auth",
                &bad_auth,
            ],
        ),
        (
            "an unknown status",
            vec![
                "--target", &target, "--status", "DONE", "--auth", &good_auth,
            ],
        ),
        (
            "a missing payload file",
            vec!["--target", &target, "--payload", "/nonexistent/event.json"],
        ),
        (
            "a missing CA file",
            vec![
                "--target",
                &target,
                "--status",
                "ERROR",
                "--ca-cert",
                "/nonexistent/ca.pem",
            ],
        ),
        (
            "an invalid CA file",
            vec![
                "--target",
                &target,
                "--status",
                "ERROR",
                "--ca-cert",
                not_pem.path().to_str().unwrap(),
            ],
        ),
        (
            "a non-JSON --set",
            vec![
                "--target",
                &target,
                "--status",
                "ERROR",
                "--set",
                "proofHash=nul",
            ],
        ),
        (
            "a jitter above 1",
            vec!["--target", &target, "--status", "ERROR", "--jitter", "1.5"],
        ),
        ("no status and no payload", vec!["--target", &target]),
    ];
    for (what, args) in cases {
        let output = send(&args).await;
        assert_eq!(output.status.code(), Some(2), "{what}: {}", stderr(&output));
        let errors: Vec<_> = stderr(&output)
            .lines()
            .filter(|l| l.starts_with("error:"))
            .map(str::to_owned)
            .collect();
        assert_eq!(errors.len(), 1, "{what}: {}", stderr(&output));
        assert!(!stderr(&output).contains("panicked"), "{what}");
        assert!(stdout(&output).is_empty(), "{what}: {}", stdout(&output));
        assert_secret_hidden(&output);
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}
