//! End-to-end tests of `hookcheck load`: the built binary against the reference receiver
//! (`hookcheck serve`) and against small targets on 127.0.0.1.

use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::Value;

use hookcheck_testkit::hostile::closed_port;

use crate::HOOKCHECK;

const SECRET: &str = "load-s3cret-value";

/// Runs `hookcheck load ARGS`, killed if it takes over 60 s.
pub(crate) async fn load(args: &[&str]) -> Output {
    let mut command = tokio::process::Command::from(HOOKCHECK.command());
    command.arg("load").args(args).kill_on_drop(true);
    tokio::time::timeout(Duration::from_secs(60), command.output())
        .await
        .expect("hookcheck load finished within 60 s")
        .expect("hookcheck ran")
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs a load with `--json` and returns its output and the report.
async fn load_with_report(args: &[&str]) -> (Output, Value) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("load.json");
    let mut all = args.to_vec();
    all.extend(["--json", path.to_str().unwrap()]);
    let output = load(&all).await;
    let report = std::fs::read(&path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_else(|| panic!("no JSON report; stderr: {}", text(&output.stderr)));
    (output, report)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backlog_with_duplicates_is_processed_exactly_once_by_the_reference_receiver() {
    let auth = format!("X-Api-Key: {SECRET}");
    let served = HOOKCHECK.serve(&["--memory", "--listen", "127.0.0.1:0", "--auth", &auth]);
    let (output, report) = load_with_report(&[
        "--target",
        &served.webhook_url,
        "--auth",
        &auth,
        "--deliveries",
        "600",
        "--duplicates",
        "0.2",
        "--concurrency",
        "8",
        "--effects-url",
        &served.effects_template,
    ])
    .await;
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(report["deliveries"], 600);
    assert_eq!(report["statuses"]["200"], 600, "{report}");
    let (distinct, duplicates) = (
        report["distinct_sessions"].as_u64().unwrap(),
        report["duplicates"].as_u64().unwrap(),
    );
    assert_eq!(distinct + duplicates, 600);
    assert!((60..=180).contains(&duplicates), "about 20 %: {duplicates}");
    let check = &report["exactly_once"];
    assert_eq!(check["once"].as_u64(), Some(distinct), "{check}");
    assert_eq!(
        (check["lost"].as_u64(), check["doubled"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(report["verdict"]["holds"], true);
    let latency = &report["latency"];
    let (p50, p99, max) = (
        latency["p50_ms"].as_f64().unwrap(),
        latency["p99_ms"].as_f64().unwrap(),
        latency["max_ms"].as_f64().unwrap(),
    );
    assert!(0.0 < p50 && p50 <= p99 && p99 <= max, "{latency}");
    assert!(stdout.contains("verdict     holds"), "{stdout}");
    let typed: hookcheck::load::LoadReport =
        serde_json::from_value(report.clone()).expect("the report reads back as a LoadReport");
    assert_eq!(typed.deliveries, 600);
    assert!(!stdout.contains(SECRET) && !stderr.contains(SECRET));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_does_not_deduplicate_fails_the_load_verdict_with_doubled_sessions() {
    let served = HOOKCHECK.serve(&[
        "--memory",
        "--listen",
        "127.0.0.1:0",
        "--defect",
        "no-dedupe",
    ]);
    let (output, report) = load_with_report(&[
        "--target",
        &served.webhook_url,
        "--deliveries",
        "300",
        "--duplicates",
        "0.3",
        "--concurrency",
        "4",
        "--effects-url",
        &served.effects_template,
    ])
    .await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stdout));
    let doubled = report["exactly_once"]["doubled"].as_u64().unwrap();
    assert!(doubled > 0, "{report}");
    assert_eq!(report["verdict"]["holds"], false);
    let stdout = text(&output.stdout);
    assert!(stdout.contains("processed twice or more"), "{stdout}");
    assert!(
        stdout.contains("times"),
        "an example session is named: {stdout}"
    );
}

/// A target that answers 200 at once, except that its first request stalls for a second.
async fn stalls_once() -> (String, tokio::task::JoinHandle<()>) {
    let stalled = Arc::new(AtomicBool::new(false));
    let app = axum::Router::new().route(
        "/webhook",
        axum::routing::post(move || {
            let stalled = Arc::clone(&stalled);
            async move {
                if !stalled.swap(true, Ordering::SeqCst) {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhook", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_loop_latency_counts_from_the_intended_send_time_when_the_target_stalls() {
    // 400 deliveries due every 5 ms through one connection; the first stalls for 1 s.
    let (url, server) = stalls_once().await;
    let (output, open) = load_with_report(&[
        "--target",
        &url,
        "--rate",
        "200",
        "--duration",
        "2s",
        "--concurrency",
        "1",
    ])
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    server.abort();
    // The ~200 deliveries due during the stall waited for it: from their due times they
    // took 0 to 1000 ms, so a quarter of all deliveries took over 500 ms.
    let latency = &open["latency"];
    assert!(open["deliveries"].as_u64().unwrap() >= 390, "{open}");
    assert!(latency["p90_ms"].as_f64().unwrap() >= 500.0, "{latency}");
    assert!(latency["max_ms"].as_f64().unwrap() >= 950.0, "{latency}");

    // A closed loop waits for the target and so sees one slow delivery only.
    let (url, server) = stalls_once().await;
    let (_, closed) = load_with_report(&[
        "--target",
        &url,
        "--deliveries",
        "400",
        "--concurrency",
        "1",
    ])
    .await;
    server.abort();
    let latency = &closed["latency"];
    assert!(latency["p90_ms"].as_f64().unwrap() < 100.0, "{latency}");
    assert!(latency["max_ms"].as_f64().unwrap() >= 950.0, "{latency}");
}

#[tokio::test]
async fn an_unreachable_target_exits_3_with_one_error_line() {
    let url = format!("http://{}/webhook", closed_port());
    let output = load(&["--target", &url, "--deliveries", "5"]).await;
    assert_eq!(output.status.code(), Some(3));
    let stderr = text(&output.stderr);
    let errors: Vec<_> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(errors[0].contains("never answered"), "{stderr}");
}

#[tokio::test]
async fn bad_arguments_exit_2_without_echoing_the_secret() {
    let url = format!("http://{}/webhook", closed_port());
    let bad_ratio = load(&["--target", &url, "--duplicates", "1.5"]).await;
    assert_eq!(bad_ratio.status.code(), Some(2));
    assert!(text(&bad_ratio.stderr).starts_with("error: --duplicates"));
    let bad_auth = load(&["--target", &url, "--auth", SECRET]).await;
    assert_eq!(bad_auth.status.code(), Some(2));
    let stderr = text(&bad_auth.stderr);
    assert!(stderr.starts_with("error: invalid --auth"), "{stderr}");
    assert!(!stderr.contains(SECRET), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_effect_recorded_after_the_answer_is_counted_before_the_verdict() {
    // A short load, counted at once: the duplicates' second effects land about 1 s after
    // their answers, after the first read, so only a read again that agrees with the one
    // before it sees them.
    let served = HOOKCHECK.serve(&[
        "--memory",
        "--listen",
        "127.0.0.1:0",
        "--defect",
        "async-duplicate",
    ]);
    let (output, report) = load_with_report(&[
        "--target",
        &served.webhook_url,
        "--deliveries",
        "40",
        "--duplicates",
        "0.5",
        "--concurrency",
        "4",
        "--settle",
        "0ms",
        "--effects-url",
        &served.effects_template,
    ])
    .await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stdout));
    assert!(
        report["exactly_once"]["doubled"].as_u64().unwrap() > 0,
        "{report}"
    );
    assert_eq!(report["verdict"]["holds"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_report_format_is_written_and_a_path_of_dash_is_stdout() {
    let served = HOOKCHECK.serve(&["--memory", "--listen", "127.0.0.1:0"]);
    let dir = tempfile::tempdir().unwrap();
    let (junit, markdown, html) = (
        dir.path().join("load.xml"),
        dir.path().join("load.md"),
        dir.path().join("load.html"),
    );
    let output = load(&[
        "--target",
        &served.webhook_url,
        "--deliveries",
        "60",
        "--concurrency",
        "4",
        "--effects-url",
        &served.effects_template,
        "--effects-header",
        "X-Effects-Token: effects-s3cret",
        "--effects-timeout",
        "5s",
        "--quiet",
        "--json",
        "-",
        "--junit",
        junit.to_str().unwrap(),
        "--markdown",
        markdown.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ])
    .await;
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    let report: hookcheck::load::LoadReport =
        serde_json::from_str(&stdout).expect("stdout is the JSON report alone");
    assert_eq!(report.deliveries, 60);
    assert!(
        stderr.contains("verdict     holds"),
        "the summary is on stderr: {stderr}"
    );
    assert!(!stderr.contains("load: "), "--quiet: no progress: {stderr}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("answered-2xx")
            && xml.contains("exactly-once")
            && xml.contains("failures=\"0\""),
        "{xml}"
    );
    let markdown = std::fs::read_to_string(&markdown).unwrap();
    assert!(
        markdown.starts_with("# hookcheck load: holds"),
        "{markdown}"
    );
    let html = std::fs::read_to_string(&html).unwrap();
    assert!(html.contains("verdict: holds"), "{html}");
    for text in [&stdout, &stderr, &xml, &markdown, &html] {
        assert!(
            !text.contains("effects-s3cret"),
            "the effects secret leaked: {text}"
        );
    }
}
