//! `hookcheck run` against targets that misbehave below the contract (hang, reset, garbage,
//! redirect loop, closed port): the run ends within its bound; a target that takes
//! deliveries is graded, exit 1 with the failed deliveries in the report; one that nothing
//! can be delivered to exits 3 with one line that says why, and the reports are written all
//! the same, with the verdict `ungradable` and every check an error that says it.

use std::time::Duration;

use hookcheck::results::{Outcome, Report};
use hookcheck_testkit::hostile::{Hostile, closed_port, hostile};

use super::{read_report, run};

/// Runs against a target nothing can be delivered to, with a 2 s timeout: exit 3 within 5 s,
/// one `error:` line that says why, and the JSON and JUnit reports written all the same,
/// with the reason.
async fn assert_ungradable(url: &str, says: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let junit = dir.path().join("report.xml");
    let ran = run(&[
        "--target",
        url,
        "--timeout",
        "2s",
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
    assert!(ran.took < Duration::from_secs(5), "took {:?}", ran.took);
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
    let reason = assert_ungradable_report(&read_report(&json), url);
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

/// The report of a run that could deliver nothing: the verdict `ungradable`, the target,
/// a one-line reason, and every check an error that says it. Returns the reason.
fn assert_ungradable_report(report: &Report, url: &str) -> String {
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
    reason
}

/// Runs against a target that takes deliveries but answers none properly: exit 1 with
/// every delivery failed, never "cannot grade". Returns the report and how long it took.
async fn assert_graded_failed(url: &str, timeout: &str, says: &str) -> (Report, Duration) {
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
    assert_eq!(report.verdict, "not-conformant");
    let completed = check(&report, "status/valid-delivery-2xx/completed");
    assert_eq!(completed.outcome, Outcome::Fail, "{}", completed.actual);
    assert!(completed.actual.contains(says), "{}", completed.actual);
    (report, ran.took)
}

fn check<'a>(report: &'a Report, id: &str) -> &'a hookcheck::results::CheckResult {
    report
        .checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("{id} is in the report"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_never_answers_exits_1_with_its_deliveries_failed_by_timeout() {
    let server = hostile(Hostile::Silent).await;
    let (report, took) = assert_graded_failed(&server.url(), "1s", "timeout").await;
    assert_eq!(
        check(&report, "latency/within-timeout").outcome,
        Outcome::Fail
    );
    // The first bad input hangs and so does the liveness probe after it: the rest of the
    // robustness checks say the target stopped answering, rather than pile up failures.
    let later = check(&report, "robustness/keeps-serving/empty-body");
    assert_eq!(later.outcome, Outcome::Error, "{}", later.actual);
    assert!(
        later.actual.contains("stopped answering"),
        "{}",
        later.actual
    );
    assert!(took < Duration::from_secs(40), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_resets_every_connection_exits_1_saying_it_closed_the_connection() {
    let server = hostile(Hostile::Resets).await;
    let (report, took) = assert_graded_failed(
        &server.url(),
        "2s",
        "closed the connection without a response",
    )
    .await;
    let completed = check(&report, "status/valid-delivery-2xx/completed");
    assert!(
        !completed.actual.starts_with("connect"),
        "{}",
        completed.actual
    );
    assert!(took < Duration::from_secs(20), "took {took:?}");
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
    let ran = run(&[
        "--target",
        &server.url(),
        "--timeout",
        "2s",
        "--json",
        json.to_str().unwrap(),
    ])
    .await;
    assert_eq!(ran.code, 1, "{}\n{}", ran.stdout, ran.stderr);
    let report = read_report(&json);
    assert_eq!(report.verdict, "not-conformant");
    let redirect = check(&report, "transport/no-redirect");
    assert_eq!(redirect.outcome, Outcome::Fail);
    assert!(
        redirect.actual.contains("redirect, e.g. 307"),
        "{}",
        redirect.actual
    );
    assert_eq!(
        check(&report, "status/valid-delivery-2xx/completed").outcome,
        Outcome::Fail
    );
    // The redirect is never followed: every delivery ends at the first answer.
    assert!(ran.took < Duration::from_secs(10), "took {:?}", ran.took);
    assert_eq!(report.latency.timed_out, 0);
}
