//! End-to-end tests of `hookcheck capture`: the built binary grades a sender over real
//! sockets on 127.0.0.1, the reference sender (`hookcheck send`) clean and with each
//! seeded defect (`--defect`), with the retry schedule compressed.

use std::time::Duration;

use hookcheck::results::{Outcome, Report};
use hookcheck::sender::SenderDefect;
use hookcheck_testkit::process::python_module_installed;
use hookcheck_testkit::table::run_table;

use crate::{HOOKCHECK, hookcheck_async};

const SECRET: &str = "capture-e2e-s3cret";
/// Every kind of answer the capture gives, so that every check observes something.
const SCRIPT: &str = "5xx,3xx,slow,4xx,2xx";
/// The compressed schedule the sender runs and the capture grades against.
const SCHEDULE: [&str; 6] = [
    "--retries",
    "4",
    "--backoff-base",
    "100ms",
    "--timeout",
    "1s",
];

/// `hookcheck send` as a trigger command, against the capture's URL.
fn send_trigger(extra: &str) -> String {
    format!(
        "'{}' send --target \"$HOOKCHECK_CAPTURE_URL\" --status COMPLETED {} \
         --auth 'X-API-Key: {SECRET}' {extra}",
        HOOKCHECK.path().display(),
        SCHEDULE.join(" ")
    )
}

/// Runs a capture of `trigger` with `script`, its JSON report on stdout.
async fn capture(script: &str, trigger: &str) -> (i32, Report, String) {
    let mut args = vec!["capture", "--answer", script, "--auth", "X-API-Key"];
    args.extend(SCHEDULE);
    args.extend([
        "--wait",
        "60s",
        "--json",
        "-",
        "--quiet",
        "--trigger",
        trigger,
    ]);
    let ran = hookcheck_async(&args, &[]).await;
    let report: Report = serde_json::from_str(&ran.stdout)
        .unwrap_or_else(|e| panic!("a JSON report ({e}): {}\n{}", ran.stdout, ran.stderr));
    (ran.code, report, ran.stderr)
}

fn outcome(report: &Report, id: &str) -> Outcome {
    report
        .checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no check {id}"))
        .outcome
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_sender_passes_every_check_and_its_secret_never_prints() {
    let (code, report, stderr) = capture(SCRIPT, &send_trigger("")).await;
    assert_eq!(code, 0, "{report:#?}\n{stderr}");
    assert_eq!(report.verdict, "conformant");
    assert_eq!(report.summary.pass, report.checks.len(), "{report:#?}");
    assert!(
        stderr.contains("capture: listening on http://127.0.0.1:"),
        "{stderr}"
    );
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains(SECRET) && !stderr.contains(SECRET));
    // The attempt log is in the notes: five attempts of one session.
    assert_eq!(
        report
            .notes
            .iter()
            .filter(|n| n.contains("attempt"))
            .count(),
        5
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_whose_situation_did_not_arise_is_skipped_not_passed() {
    // A 2xx at once: no retry, so nothing about retries is verified.
    let (code, report, _) = capture("2xx", &send_trigger("")).await;
    assert_eq!(code, 0);
    assert_eq!(outcome(&report, "retry/stops-at-2xx"), Outcome::Pass);
    for id in [
        "retry/backoff",
        "request/same-body",
        "timeout/honoured",
        "redirect/not-followed",
    ] {
        assert_eq!(outcome(&report, id), Outcome::Skip, "{id}");
    }
    assert!(!report.unverified.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_arriving_exits_3_and_a_bad_script_exits_2() {
    let ran = hookcheck_async(&["capture", "--wait", "200ms", "--quiet"], &[]).await;
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(ran.stderr.contains("no request arrived"), "{}", ran.stderr);
    let ran = hookcheck_async(&["capture", "--answer", "5xx,later"], &[]).await;
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr.contains("unknown answer `later`"),
        "{}",
        ran.stderr
    );
    let ran = hookcheck_async(&["capture", "--auth", "X-API-Key: s3cret"], &[]).await;
    assert_eq!(ran.code, 2);
    assert!(!ran.stderr.contains("s3cret"), "{}", ran.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trigger_past_its_wait_is_ended_with_what_it_left_in_the_background() {
    let started = std::time::Instant::now();
    let trigger = "sleep 120 & wait";
    let args = ["capture", "--wait", "1s", "--quiet", "--trigger", trigger];
    let ran = hookcheck_async(&args, &[]).await;
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    // The background `sleep` held the capture's stderr: had it lived on, so would this run.
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}

/// Which check catches each defect, and the script that shows it.
fn caught_by(defect: SenderDefect) -> (&'static str, &'static str) {
    match defect {
        SenderDefect::NoRetry => ("retry/count", SCRIPT),
        SenderDefect::RetriesAfter2xx => ("retry/stops-at-2xx", "5xx,2xx"),
        SenderDefect::FollowsRedirects => ("redirect/not-followed", SCRIPT),
        SenderDefect::DropsAuth => ("request/auth-every-attempt", SCRIPT),
        SenderDefect::FixedBackoff => ("retry/backoff", SCRIPT),
        SenderDefect::NoTimeout => ("timeout/honoured", SCRIPT),
        SenderDefect::ChangesBody => ("request/same-body", SCRIPT),
    }
}

#[test]
fn every_seeded_sender_defect_is_caught_in_its_category() {
    run_table(
        SenderDefect::ALL.to_vec(),
        2,
        Duration::from_secs(120),
        "captured",
        |defect| async move {
            let (check, script) = caught_by(defect);
            let trigger = send_trigger(&format!("--defect {defect}"));
            let (code, report, stderr) = capture(script, &trigger).await;
            let mut problems = Vec::new();
            if code != 1 {
                problems.push(format!("exit {code}, not 1: {stderr}"));
            }
            let found = outcome(&report, check);
            if found != Outcome::Fail {
                problems.push(format!("{check} is {found}: {report:#?}"));
            }
            (defect.to_string(), problems)
        },
    );
}

/// A relay hookcheck did not write (`fixtures/relay/relay.py`: Python's standard library,
/// its own retry loop), with one of its seeded faults or none, started and sent one
/// delivery by `fixtures/relay/trigger.sh`.
fn relay_trigger(fault: Option<&str>) -> String {
    let trigger = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/relay/trigger.sh");
    let fault = fault.map_or(String::new(), |fault| format!("--fault {fault}"));
    format!(
        "RELAY_AUTH='{RELAY_SECRET}' HOOKCHECK='{}' sh '{trigger}' {fault}",
        HOOKCHECK.path().display()
    )
}

const RELAY_SECRET: &str = "relay-e2e-s3cret";

/// The relay's faults, the check that catches each, and the script that shows it.
const RELAY_FAULTS: [(&str, &str, &str); 3] = [
    ("fixed-backoff", "retry/backoff", SCRIPT),
    ("drops-auth-on-retry", "request/auth-every-attempt", SCRIPT),
    ("gives-up-on-4xx", "retry/after-4xx", "4xx,2xx"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_in_another_language_is_graded_clean_and_with_each_seeded_fault() {
    if !python_module_installed("http.client") {
        return;
    }
    let (code, report, stderr) = capture(SCRIPT, &relay_trigger(None)).await;
    assert_eq!(code, 0, "{report:#?}\n{stderr}");
    assert_eq!(report.summary.pass, report.checks.len(), "{report:#?}");
    assert!(
        !serde_json::to_string(&report)
            .unwrap()
            .contains(RELAY_SECRET)
    );
    for (fault, check, script) in RELAY_FAULTS {
        let (code, report, stderr) = capture(script, &relay_trigger(Some(fault))).await;
        assert_eq!(code, 1, "{fault}: {report:#?}\n{stderr}");
        assert_eq!(
            outcome(&report, check),
            Outcome::Fail,
            "{fault}: {report:#?}"
        );
    }
}
