//! `--time` and `--cases` bound the whole command against hostile targets (local sockets on
//! 127.0.0.1:0): one that accepts and never answers, one that drips its answer a byte at a
//! time, plain HTTP behind an `https://` URL; and `--replay` without an effects probe
//! cannot say a case holds.

use hookcheck_testkit::hostile::{Hostile, accept_each, hostile};
use hookcheck_testkit::wire::read_head;

use super::*;

/// How long a `--time 6s --timeout 2s` run may take: the budget, start-up, and slack for
/// a busy machine (a bound on a hang, not a speed measurement).
const TIME_BOUND: Duration = Duration::from_secs(15);

async fn bounded(target: &str) -> (Ran, Duration) {
    let started = Instant::now();
    let args = [
        "--target",
        target,
        "--time",
        "6s",
        "--timeout",
        "2s",
        "--seed",
        "3",
    ];
    let ran = fuzz(&args, false, &[]).await;
    (ran, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_bounds_the_whole_command_against_a_target_that_never_answers() {
    let server = hostile(Hostile::Silent).await;
    let target = server.url();
    let (ran, took) = bounded(&target).await;
    drop(server);
    assert!(
        took < TIME_BOUND,
        "took {took:?}\n{}{}",
        ran.stdout,
        ran.stderr
    );
    assert_eq!(ran.code, 1, "{}{}", ran.stdout, ran.stderr);
    assert!(
        ran.stdout.contains("FAIL valid-acknowledged"),
        "{}",
        ran.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_bounds_the_whole_command_against_a_target_that_drips_its_answer() {
    let server = accept_each(|mut stream| async move {
        use tokio::io::AsyncWriteExt;
        let _ = read_head(&mut stream, &mut Vec::new()).await;
        for byte in b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok" {
            if stream.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    })
    .await;
    let (ran, took) = bounded(&server.url()).await;
    drop(server);
    assert!(
        took < TIME_BOUND,
        "took {took:?}\n{}{}",
        ran.stdout,
        ran.stderr
    );
    assert_eq!(ran.code, 1, "{}{}", ran.stdout, ran.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_bounds_the_whole_command_against_plain_http_behind_an_https_url() {
    let plain = receiver::start(ReceiverConfig::default()).await;
    let target = plain.webhook_url().replacen("http://", "https://", 1);
    let (ran, took) = bounded(&target).await;
    plain.shutdown().await;
    assert!(
        took < TIME_BOUND,
        "took {took:?}\n{}{}",
        ran.stdout,
        ran.stderr
    );
    // Nothing can be delivered: no TLS handshake is possible.
    assert_eq!(ran.code, 3, "{}{}", ran.stdout, ran.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_bound_the_command_too_against_a_target_that_never_answers() {
    let server = hostile(Hostile::Silent).await;
    let target = server.url();
    let started = Instant::now();
    let args = [
        "--target",
        &target,
        "--cases",
        "600",
        "--timeout",
        "2s",
        "--seed",
        "3",
    ];
    let ran = fuzz(&args, false, &[]).await;
    let took = started.elapsed();
    drop(server);
    // It stops once the target has answered nothing in a row, long before 600 × 2 s / 8.
    assert!(
        took < Duration::from_secs(30),
        "took {took:?}\n{}{}",
        ran.stdout,
        ran.stderr
    );
    assert_eq!(ran.code, 1, "{}{}", ran.stdout, ran.stderr);
    assert!(ran.stdout.contains("stopped early"), "{}", ran.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_without_an_effects_probe_cannot_say_the_case_holds_and_exits_3() {
    let fixed = receiver::start(ReceiverConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let delivery = serde_json::json!({
        "session": 0, "label": "valid/completed/as-sent", "expect": "valid", "method": "POST",
        "contentType": "application/json", "credential": "configured", "observed": true,
        "body": {"text": "{\"sessionId\":\"@SESSION@\",\"status\":\"COMPLETED\",\"platformId\":1,\"externalReferenceId\":null,\"extractedData\":null,\"proofHash\":null,\"completedAt\":\"2025-03-24T12:05:00.000Z\",\"metadata\":{}}"}
    });
    let case = serde_json::json!({
        "format": "hookcheck-fuzz-case/1", "invariant": "exactly-once", "level": "MUST",
        "requirement": "every acknowledged session has exactly one side effect", "seed": 1,
        "sequenceIndex": 0, "shrunk": true, "expected": "exactly 1 effect for the session",
        "actual": "2 effects",
        "sequence": {"steps": [{"send": delivery}, {"send": delivery}]}
    });
    let path = dir.path().join("exactly-once-seed1.json");
    std::fs::write(&path, case.to_string()).unwrap();
    let target = fixed.webhook_url();
    let args = ["--replay", path.to_str().unwrap(), "--target", &target];
    let ran = fuzz(&args, false, &[]).await;
    assert_eq!(ran.code, 3, "{}{}", ran.stdout, ran.stderr);
    assert!(
        ran.stdout
            .contains("replay: exactly-once no verdict: exactly-once needs effect counts"),
        "{}",
        ran.stdout
    );
    // With the probe it holds.
    let effects = fixed.effects_url_template();
    let args = [
        "--replay",
        path.to_str().unwrap(),
        "--target",
        &target,
        "--effects-url",
        &effects,
    ];
    let ran = fuzz(&args, false, &[]).await;
    assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
    assert!(
        ran.stdout.contains("replay: exactly-once held"),
        "{}",
        ran.stdout
    );
    fixed.shutdown().await;
}
