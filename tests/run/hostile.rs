//! `hookcheck run` against targets that misbehave below the contract: exit 3 with one line
//! that says why, or (a redirect loop) exit 1, never a hang.

use std::time::Duration;

use hookcheck::results::Outcome;

use super::{Ran, read_report, run};
use crate::util::{Hostile, closed_port, hostile};

/// Asserts a run that cannot grade its target: exit 3, one `error:` line that says why.
fn assert_ungradable(ran: &Ran, says: &[&str]) {
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_never_answers_exits_3_saying_it_hangs() {
    let server = hostile(Hostile::Silent).await;
    let ran = run(&["--target", &server.url(), "--timeout", "1s"]).await;
    assert_ungradable(&ran, &["hangs"]);
    assert!(ran.took < Duration::from_secs(10), "took {:?}", ran.took);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_resets_every_connection_exits_3() {
    let server = hostile(Hostile::Resets).await;
    let ran = run(&["--target", &server.url()]).await;
    assert_ungradable(&ran, &["connection failed", "reset"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_answers_garbage_exits_3_saying_not_http() {
    let server = hostile(Hostile::Garbage).await;
    let ran = run(&["--target", &server.url()]).await;
    assert_ungradable(&ran, &["not HTTP"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_port_exits_3() {
    let url = format!("http://{}/webhook", closed_port());
    let ran = run(&["--target", &url]).await;
    assert_ungradable(&ran, &["connection failed", "refused"]);
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
