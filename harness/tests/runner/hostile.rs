//! Targets that misbehave below the contract (hang, reset, garbage, redirect loop, closed
//! port): the run ends within its bound; a target that takes deliveries is graded, one
//! that nothing can be delivered to gets an `ungradable` report that says why.

use std::time::{Duration, Instant};

use hookcheck::results::Outcome;

use super::{config, grade, outcomes};
use crate::util::{Hostile, closed_port, hostile};

/// Grades a target nothing can be delivered to: the run still ends in a report, with the
/// verdict `ungradable`, the reason, and every check an error that says it.
async fn ungradable(url: &str, timeout: Duration) -> (String, Duration) {
    let mut config = config(url);
    config.client.timeout = timeout;
    let started = Instant::now();
    let report = grade(config).await;
    let took = started.elapsed();
    assert_eq!(report.verdict, "ungradable");
    assert_eq!(report.target, url);
    let reason = report
        .reason
        .clone()
        .expect("an ungradable report says why");
    assert!(!reason.contains('\n'), "one line: {reason}");
    assert!(!report.checks.is_empty());
    for check in &report.checks {
        assert_eq!(check.outcome, Outcome::Error, "{}", check.id);
        assert!(
            check.actual.contains(&reason),
            "{}: {}",
            check.id,
            check.actual
        );
    }
    (reason, took)
}

/// Grades a target that takes deliveries but never answers properly: a failed delivery,
/// graded like any other, never "cannot grade".
async fn graded(url: &str, timeout: Duration) -> (hookcheck::results::Report, Duration) {
    let mut config = config(url);
    config.client.timeout = timeout;
    let started = Instant::now();
    let report = grade(config).await;
    (report, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_never_answers_is_graded_with_every_delivery_failed_by_timeout() {
    let server = hostile(Hostile::Silent).await;
    let (report, took) = graded(&server.url(), Duration::from_secs(1)).await;
    assert_eq!(report.verdict, "not-conformant");
    let outcomes = outcomes(&report);
    let completed = report
        .checks
        .iter()
        .find(|c| c.id == "status/valid-delivery-2xx/completed")
        .unwrap();
    assert_eq!(completed.outcome, Outcome::Fail);
    assert!(completed.actual.contains("timeout"), "{}", completed.actual);
    assert_eq!(outcomes["latency/within-timeout"], Outcome::Fail);
    // The first bad input hangs and so does the liveness probe after it: the rest of the
    // robustness checks say the target stopped answering, rather than pile up failures.
    let later = report
        .checks
        .iter()
        .find(|c| c.id == "robustness/keeps-serving/empty-body")
        .unwrap();
    assert_eq!(later.outcome, Outcome::Error, "{}", later.actual);
    assert!(
        later.actual.contains("stopped answering"),
        "{}",
        later.actual
    );
    assert!(took < Duration::from_secs(40), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_resets_every_connection_fails_deliveries_as_closed_without_a_response() {
    let server = hostile(Hostile::Resets).await;
    let (report, took) = graded(&server.url(), Duration::from_secs(2)).await;
    assert_eq!(report.verdict, "not-conformant");
    let completed = report
        .checks
        .iter()
        .find(|c| c.id == "status/valid-delivery-2xx/completed")
        .unwrap();
    assert_eq!(completed.outcome, Outcome::Fail, "{}", completed.actual);
    assert!(
        completed
            .actual
            .contains("closed the connection without a response"),
        "{}",
        completed.actual
    );
    assert!(
        !completed.actual.starts_with("connect"),
        "{}",
        completed.actual
    );
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_answers_garbage_is_ungradable_as_not_http() {
    let server = hostile(Hostile::Garbage).await;
    let (message, took) = ungradable(&server.url(), Duration::from_secs(2)).await;
    assert!(message.contains("not HTTP"), "{message}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_port_is_ungradable() {
    let url = format!("http://{}/webhook", closed_port());
    let (message, took) = ungradable(&url, Duration::from_secs(2)).await;
    assert!(message.contains("connection failed"), "{message}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_redirects_forever_fails_no_redirect_and_ends_quickly() {
    let server = hostile(Hostile::RedirectsForever).await;
    let mut config = config(&server.url());
    config.client.timeout = Duration::from_secs(2);
    let started = Instant::now();
    let report = grade(config).await;
    let took = started.elapsed();
    let outcomes = outcomes(&report);
    assert_eq!(outcomes["transport/no-redirect"], Outcome::Fail);
    let redirect = report
        .checks
        .iter()
        .find(|c| c.id == "transport/no-redirect")
        .unwrap();
    assert!(
        redirect.actual.contains("redirect, e.g. 307"),
        "{}",
        redirect.actual
    );
    assert_eq!(
        outcomes["status/valid-delivery-2xx/completed"],
        Outcome::Fail
    );
    assert_eq!(report.verdict, "not-conformant");
    // The redirect is never followed: every delivery ends at the first answer.
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert_eq!(report.latency.timed_out, 0);
}
