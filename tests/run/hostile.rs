//! `hookcheck run` against targets that misbehave below the contract: exit 3 with one line
//! that says why (and the reports written) when nothing can be delivered, else exit 1 with
//! the failed deliveries graded; never a hang.

use std::time::Duration;

use hookcheck::results::Outcome;

use super::{read_report, run};
use crate::util::{Hostile, closed_port, hostile};

/// Runs against a target nothing can be delivered to: exit 3, one `error:` line that says
/// why, and the JSON and JUnit reports written all the same, with the reason.
async fn assert_ungradable(url: &str, says: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let junit = dir.path().join("report.xml");
    let ran = run(&[
        "--target",
        url,
        "--json",
        json.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ])
    .await;
    assert_eq!(
        ran.code, 3,
        "stdout:\n{}\nstderr:\n{}",
        ran.stdout, ran.stderr
    );
    let errors: Vec<&str> = ran
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{}", ran.stderr);
    assert!(errors[0].contains("cannot grade"), "{}", errors[0]);
    for word in says {
        assert!(
            errors[0].contains(word),
            "`{}` does not say `{word}`",
            errors[0]
        );
    }
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
    let report = read_report(&json);
    assert_eq!(report.verdict, "ungradable");
    let reason = report.reason.expect("the report says why");
    assert!(errors[0].contains(&reason), "{} / {reason}", errors[0]);
    // The summary says that nothing could be delivered and why, and nothing else.
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words(&ran.stdout).contains(&format!("NOTHING DELIVERED: {}", words(&reason))),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.lines().count() <= 10, "{}", ran.stdout);
    assert!(!ran.stdout.contains("ERROR"), "{}", ran.stdout);
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains(&reason), "the JUnit report says why: {xml}");
}

/// Runs against a target that takes deliveries but answers none properly: exit 1 with
/// every delivery failed, never "cannot grade".
async fn assert_graded_failed(url: &str, timeout: &str, says: &str) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let ran = run(&[
        "--target",
        url,
        "--timeout",
        timeout,
        "--json",
        json.to_str().unwrap(),
    ])
    .await;
    assert_eq!(
        ran.code, 1,
        "stdout:\n{}\nstderr:\n{}",
        ran.stdout, ran.stderr
    );
    let report = read_report(&json);
    let completed = report
        .checks
        .iter()
        .find(|c| c.id == "status/valid-delivery-2xx/completed")
        .unwrap();
    assert_eq!(completed.outcome, Outcome::Fail, "{}", completed.actual);
    assert!(completed.actual.contains(says), "{}", completed.actual);
    ran.took
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_never_answers_exits_1_with_its_deliveries_failed_by_timeout() {
    let server = hostile(Hostile::Silent).await;
    let took = assert_graded_failed(&server.url(), "1s", "timeout").await;
    assert!(took < Duration::from_secs(45), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_resets_every_connection_exits_1_saying_it_closed_the_connection() {
    let server = hostile(Hostile::Resets).await;
    assert_graded_failed(
        &server.url(),
        "3s",
        "closed the connection without a response",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_answers_garbage_exits_3_saying_not_http() {
    let server = hostile(Hostile::Garbage).await;
    assert_ungradable(&server.url(), &["not HTTP"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_port_exits_3() {
    let url = format!("http://{}/webhook", closed_port());
    assert_ungradable(&url, &["connection failed", "refused"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_redirects_forever_exits_1_with_no_redirect_failed_and_quickly() {
    let server = hostile(Hostile::RedirectsForever).await;
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let ran = run(&["--target", &server.url(), "--json", json.to_str().unwrap()]).await;
    assert_eq!(ran.code, 1, "{}\n{}", ran.stdout, ran.stderr);
    let report = read_report(&json);
    let redirect = report
        .checks
        .iter()
        .find(|c| c.id == "transport/no-redirect")
        .unwrap();
    assert_eq!(redirect.outcome, Outcome::Fail);
    assert!(ran.took < Duration::from_secs(15), "took {:?}", ran.took);
}
