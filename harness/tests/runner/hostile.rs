//! Targets that misbehave below the contract (hang, reset, garbage, redirect loop, closed
//! port): the run ends within its bound and says why it cannot grade them.

use std::time::{Duration, Instant};

use hookcheck::results::Outcome;
use hookcheck::runner::RunError;

use super::{config, grade, outcomes, try_grade};
use crate::util::{Hostile, closed_port, hostile};

async fn ungradable(url: &str, timeout: Duration) -> (String, Duration) {
    let mut config = config(url);
    config.timeout = timeout;
    let started = Instant::now();
    let outcome = try_grade(config).await;
    let took = started.elapsed();
    match outcome {
        Err(RunError::Ungradable { target, reason }) => {
            assert_eq!(target, url);
            let message = RunError::Ungradable { target, reason }.to_string();
            assert!(!message.contains('\n'), "one line: {message}");
            eprintln!("{message} (after {took:?})");
            (message, took)
        }
        other => panic!("expected an ungradable target, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_never_answers_is_ungradable_within_its_timeout_and_said_to_hang() {
    let server = hostile(Hostile::Silent).await;
    let (message, took) = ungradable(&server.url(), Duration::from_secs(1)).await;
    assert!(message.contains("hangs"), "{message}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_resets_every_connection_is_ungradable() {
    let server = hostile(Hostile::Resets).await;
    let (message, took) = ungradable(&server.url(), Duration::from_secs(2)).await;
    assert!(
        message.contains("connection failed") && message.contains("reset"),
        "{message}"
    );
    assert!(took < Duration::from_secs(5), "took {took:?}");
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
    config.timeout = Duration::from_secs(2);
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
    assert!(redirect.actual.starts_with("307"), "{}", redirect.actual);
    assert_eq!(
        outcomes["status/valid-delivery-2xx/completed"],
        Outcome::Fail
    );
    assert_eq!(report.verdict, "not-conformant");
    // The redirect is never followed: every delivery ends at the first answer.
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert_eq!(report.latency.timed_out, 0);
}
