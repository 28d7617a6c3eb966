//! End-to-end tests of `hookcheck run` and `hookcheck list`: exit codes, the JSON and JUnit
//! reports, selection, secrecy of the auth value, repro lines, and hostile targets.

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::{Duration, Instant};

use futures::future::join_all;
use hookcheck::catalogue::{Category, Level, REQUIREMENTS, all_check_ids};
use hookcheck::checks::overlap::ANSWERED_FIRST;
use hookcheck::receiver::{Defect, ReceiverConfig};
use hookcheck::results::{Outcome, Report, Summary};
use serde_json::Value;

use hookcheck_testkit::receiver;

pub(crate) use crate::hookcheck_async;
use crate::{HOOKCHECK, Ran};

pub(crate) const SECRET_VALUE: &str = "Zq9vXk7pW3mN";
pub(crate) const SECRET: &str = "X-Hook-Token: Zq9vXk7pW3mN";
/// Short timeouts, a short dedupe window (copies of a session up to 500 ms after the first,
/// not the 42 s of the whole retry schedule) and a fixed seed for every run.
const FAST: &[&str] = &[
    "--timeout",
    "3s",
    "--settle",
    "200ms",
    "--dedupe-window",
    "500ms",
    "--seed",
    "7",
];

/// `hookcheck run ARGS`, with the [`FAST`] settings ARGS does not give itself.
pub(crate) async fn run(args: &[&str]) -> Ran {
    let mut all = vec!["run"];
    for pair in FAST.chunks(2) {
        if !args.contains(&pair[0]) {
            all.extend_from_slice(pair);
        }
    }
    all.extend_from_slice(args);
    hookcheck_async(&all, &[]).await
}

pub(crate) fn read_report(path: &std::path::Path) -> Report {
    let text = std::fs::read_to_string(path).expect("the JSON report is written");
    serde_json::from_str(&text).expect("the JSON report reads back as a Report")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_without_a_target_grades_the_builtin_receiver_and_writes_both_reports() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let junit = dir.path().join("report.xml");
    let ran = run(&[
        "--auth",
        SECRET,
        "--json",
        json.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ])
    .await;
    assert_eq!(
        ran.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        ran.stdout, ran.stderr
    );
    assert!(ran.stdout.contains("verdict: conformant"), "{}", ran.stdout);

    // Every documented key, read as plain JSON.
    let value: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    for key in [
        "schemaVersion",
        "tool",
        "target",
        "seed",
        "startedAt",
        "durationMs",
        "timeoutMs",
        "effectsProbe",
        "verdict",
        "summary",
        "latency",
        "checks",
    ] {
        assert!(value.get(key).is_some(), "report lacks `{key}`");
    }
    assert_eq!(value["schemaVersion"], 1);
    assert_eq!(value["seed"], 7);
    assert_eq!(value["timeoutMs"], 3000);
    assert_eq!(value["effectsProbe"], "url");
    for key in ["pass", "fail", "warn", "skip", "error"] {
        assert!(value["summary"][key].is_u64(), "summary lacks `{key}`");
    }
    for key in [
        "deliveries",
        "timedOut",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "max_ms",
    ] {
        assert!(value["latency"][key].is_number(), "latency lacks `{key}`");
    }
    let checks = value["checks"].as_array().expect("checks is an array");
    for check in checks {
        for key in [
            "id",
            "requirementId",
            "category",
            "level",
            "outcome",
            "requirement",
            "clause",
            "expected",
            "actual",
            "repro",
            "durationMs",
        ] {
            assert!(
                check.get(key).is_some(),
                "check {} lacks `{key}`",
                check["id"]
            );
        }
    }

    // Read back through the Report type: every catalogue check, in catalogue order.
    let report = read_report(&json);
    let ids: Vec<String> = report.checks.iter().map(|c| c.id.clone()).collect();
    assert_eq!(ids, all_check_ids());
    assert_eq!(report.summary, Summary::of(&report.checks));
    assert!(
        report.target.starts_with("http://127.0.0.1:"),
        "{}",
        report.target
    );
    assert!(report.latency.deliveries > 0);
    assert!(report.latency.p50_ms <= report.latency.max_ms);
    let not_passed: Vec<(&str, Outcome)> = report
        .checks
        .iter()
        .filter(|c| c.outcome != Outcome::Pass)
        // The abandoned copy's sender waits half the receiver's typical latency, by when
        // the built-in receiver has usually answered: then after-abandoned is a skip that
        // says the situation was not observed.
        .filter(|c| !(c.id.ends_with("/after-abandoned") && c.actual == ANSWERED_FIRST))
        .map(|c| (c.id.as_str(), c.outcome))
        .collect();
    assert_eq!(
        not_passed,
        [
            ("transport/https", Outcome::Skip),
            ("transport/valid-certificate", Outcome::Skip),
        ]
    );

    // The JUnit file: one suite per category of the receiver's catalogue, no failure element (a warn is not a failure
    // without --strict).
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.starts_with("<?xml"), "{}", &xml[..xml.len().min(200)]);
    let graded = Category::ALL
        .into_iter()
        .filter(|c| REQUIREMENTS.iter().any(|r| r.category == *c));
    for category in graded {
        assert!(
            xml.contains(&format!("<testsuite name=\"{category}\"")),
            "no suite for {category}"
        );
    }
    assert_eq!(xml.matches("<testcase ").count(), all_check_ids().len());
    assert_eq!(xml.matches("<failure").count(), 0, "{xml}");
}

/// The JUnit test case element of one check.
fn junit_case<'a>(xml: &'a str, id: &str) -> &'a str {
    let start = xml
        .find(&format!("<testcase name=\"{id}\""))
        .unwrap_or_else(|| panic!("no test case {id}"));
    let rest = &xml[start..];
    let next_case = rest[1..].find("<testcase ").map_or(rest.len(), |e| e + 1);
    let suite_end = rest.find("</testsuite>").unwrap_or(rest.len());
    &rest[..next_case.min(suite_end)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_must_exits_1_and_every_fail_is_a_junit_failure() {
    for strict in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("report.json");
        let junit = dir.path().join("report.xml");
        let mut args = vec![
            "--defect",
            "rejects-terminated",
            "--json",
            json.to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
        ];
        if strict {
            args.push("--strict");
        }
        let ran = run(&args).await;
        assert_eq!(
            ran.code, 1,
            "stdout:\n{}\nstderr:\n{}",
            ran.stdout, ran.stderr
        );
        assert!(
            ran.stdout.contains("verdict: NOT conformant"),
            "{}",
            ran.stdout
        );
        let report = read_report(&json);
        assert!(report.summary.fail > 0);
        let xml = std::fs::read_to_string(&junit).unwrap();
        // A warn is a JUnit failure only under --strict.
        let wanted = report.summary.fail + if strict { report.summary.warn } else { 0 };
        assert_eq!(xml.matches("<failure").count(), wanted, "strict {strict}");
        let case = junit_case(&xml, "status/valid-delivery-2xx/terminated");
        assert!(case.contains("<failure"), "{case}");
        assert!(case.contains("422"), "{case}");
        let passed = junit_case(&xml, "status/valid-delivery-2xx/completed");
        assert!(!passed.contains("<failure"), "{passed}");
    }
}

/// The exit code a run against this defect must give: 1 for a broken MUST, 0 when only a
/// SHOULD breaks (its facts say which).
fn documented_exit(defect: Defect) -> i32 {
    match defect.facts().level {
        Level::Must => 1,
        _ => 0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_defect_gives_its_documented_exit_code_and_the_reference_gives_0() {
    let started = Instant::now();
    // Serial (about 10 s) first, so that it overlaps the rest.
    let mut cases: Vec<(Option<Defect>, bool)> = std::iter::once((None, false))
        // A replica defect conforms in one process (tests/replicas.rs grades it across two).
        .chain(
            Defect::ALL
                .into_iter()
                .filter(|d| !d.facts().replicas)
                .map(|d| (Some(d), false)),
        )
        .chain(
            Defect::ALL
                .into_iter()
                .filter(|d| documented_exit(*d) == 0)
                .map(|d| (Some(d), true)),
        )
        .collect();
    cases.sort_by_key(|(defect, _)| *defect != Some(Defect::Serial));
    // A few at a time: more only slows every run down on two cores.
    let at_once = tokio::sync::Semaphore::new(3);
    let at_once = &at_once;
    let results = join_all(cases.iter().map(|&(defect, strict)| async move {
        let _turn = at_once.acquire().await.expect("the semaphore stays open");
        let with_auth = defect.is_some_and(|d| d.facts().needs_auth);
        let mut config = ReceiverConfig::default().slow_delay(Duration::from_secs(5));
        if let Some(defect) = defect {
            config = config.defect(defect);
        }
        if with_auth {
            config = config.auth(SECRET.parse().unwrap());
        }
        let receiver = receiver::start(config).await;
        let target = receiver.webhook_url();
        let effects = receiver.effects_url_template();
        // As in the library's defect table: below the 5 s slow_delay; short enough that
        // 32 serial deliveries of 100 ms cannot all make it, with few others in flight.
        let (timeout, concurrency) = match defect {
            Some(Defect::SlowCancelled | Defect::SlowCompleted | Defect::HangsOnBadAuth) => {
                ("2s", "8")
            }
            Some(Defect::Serial) => ("2s", "2"),
            _ => ("5s", "8"),
        };
        // A short retry window keeps the runs short; past the 2 s memory of dedupe-expires.
        let window = match defect {
            Some(Defect::DedupeExpires) => "3s",
            _ => "500ms",
        };
        let mut args = vec![
            "run",
            "--seed",
            "7",
            "--settle",
            "200ms",
            "--timeout",
            timeout,
            "--concurrency",
            concurrency,
            "--target",
            &target,
            "--effects-url",
            &effects,
            "--dedupe-window",
            window,
        ];
        if with_auth {
            args.extend(["--auth", SECRET]);
        }
        if strict {
            args.push("--strict");
        }
        let ran = hookcheck_async(&args, &[]).await;
        drop(receiver);
        (defect, strict, ran)
    }))
    .await;
    let mut wrong = Vec::new();
    for (defect, strict, ran) in &results {
        let wanted = match defect {
            None => 0,
            Some(_) if *strict => 1,
            Some(defect) => documented_exit(*defect),
        };
        let name = defect.map_or("none", Defect::as_str);
        eprintln!(
            "defect {name}{}: exit {} in {:.1} s",
            if *strict { " --strict" } else { "" },
            ran.code,
            ran.took.as_secs_f64()
        );
        let verdict = if wanted == 0 {
            "verdict: conformant"
        } else {
            "verdict: NOT conformant"
        };
        if ran.code != wanted || !ran.stdout.contains(verdict) {
            wrong.push(format!(
                "{name} (strict {strict}): exit {} instead of {wanted}\n{}",
                ran.code, ran.stdout
            ));
        }
    }
    eprintln!("exit-code table: {:.1} s", started.elapsed().as_secs_f64());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_auth_skipping_the_duplicated_header_selects_exactly_those_checks() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let ran = run(&[
        "--auth",
        SECRET,
        "--only",
        "auth",
        "--skip",
        "auth/duplicated-header",
        "--json",
        json.to_str().unwrap(),
    ])
    .await;
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    let ran_ids: BTreeSet<String> = read_report(&json)
        .checks
        .into_iter()
        .map(|c| c.id)
        .collect();
    let wanted: BTreeSet<String> = all_check_ids()
        .into_iter()
        .filter(|id| id.starts_with("auth/") && id != "auth/duplicated-header")
        .collect();
    assert_eq!(ran_ids, wanted);
}

#[test]
fn an_only_prefix_that_selects_nothing_exits_2_with_one_line() {
    let output = HOOKCHECK
        .command()
        .args(["run", "--only", "nonsense"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: ") && stderr.contains("`nonsense`"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn list_json_names_every_catalogue_check() {
    let output = HOOKCHECK
        .command()
        .args(["list", "--json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let listed: Vec<Value> = serde_json::from_slice(&output.stdout).expect("list --json is JSON");
    let mut checks = Vec::new();
    for requirement in &listed {
        for key in ["id", "category", "level", "requirement", "clause", "checks"] {
            assert!(
                requirement.get(key).is_some(),
                "{requirement} lacks `{key}`"
            );
        }
        for check in requirement["checks"].as_array().unwrap() {
            checks.push(check.as_str().unwrap().to_owned());
        }
    }
    assert_eq!(checks, all_check_ids());
    // A requirement nobody can observe says why instead of listing checks.
    assert!(listed.iter().any(|r| r["unchecked"].is_string()));
}

#[test]
fn a_finding_names_the_explain_command_that_says_how_to_fix_it() {
    let output = HOOKCHECK
        .command()
        .args(["run", "--defect", "no-dedupe", "--color", "never"])
        .args(["--only", "idempotency/exactly-once/sequential"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = "how to fix: hookcheck explain idempotency/exactly-once\n";
    assert!(stdout.contains(line), "{stdout}");

    let output = HOOKCHECK
        .command()
        .args(["explain", "idempotency/exactly-once"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("How to fix it:\n"), "{text}");
    assert!(text.contains("ON CONFLICT DO"), "{text}");

    let output = HOOKCHECK
        .command()
        .args(["explain", "idempotency/exactly-twice"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("idempotency/exactly-once"), "{stderr}");
    assert!(output.stdout.is_empty());
}

/// Every 6-character piece of the secret, and of its case-flipped form (a probe sends that).
pub(crate) fn secret_pieces() -> Vec<String> {
    let flipped: String = SECRET_VALUE
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    [SECRET_VALUE.to_owned(), flipped]
        .iter()
        .flat_map(|s| {
            (0..=s.len() - 6)
                .map(|i| s[i..i + 6].to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_auth_value_never_appears_in_output_or_reports_even_against_a_failing_receiver() {
    for defect in [None, Some("auth-ignored")] {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("report.json");
        let junit = dir.path().join("report.xml");
        let markdown = dir.path().join("report.md");
        let html = dir.path().join("report.html");
        let mut args = vec![
            "--auth",
            SECRET,
            "--json",
            json.to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
            "--markdown",
            markdown.to_str().unwrap(),
            "--html",
            html.to_str().unwrap(),
        ];
        if let Some(defect) = defect {
            args.extend(["--defect", defect]);
        }
        let ran = run(&args).await;
        assert_eq!(
            ran.code,
            if defect.is_some() { 1 } else { 0 },
            "{}",
            ran.stderr
        );
        let json_text = std::fs::read_to_string(&json).unwrap();
        let junit_text = std::fs::read_to_string(&junit).unwrap();
        let markdown_text = std::fs::read_to_string(&markdown).unwrap();
        let html_text = std::fs::read_to_string(&html).unwrap();
        for (what, text) in [
            ("stdout", &ran.stdout),
            ("stderr", &ran.stderr),
            ("the JSON report", &json_text),
            ("the JUnit report", &junit_text),
            ("the Markdown report", &markdown_text),
            ("the HTML report", &html_text),
        ] {
            for piece in secret_pieces() {
                assert!(
                    !text.contains(&piece),
                    "{what} shows `{piece}` of the secret ({defect:?})"
                );
            }
        }
        let report = read_report(&json);
        let repros: Vec<&str> = report
            .checks
            .iter()
            .filter_map(|c| c.repro.as_deref())
            .collect();
        if defect.is_some() {
            assert!(repros.len() >= 14, "{} repro lines", repros.len());
            // Values derived from the secret are sh expressions of the variable.
            assert!(
                repros.iter().any(|r| r.contains("${HOOKCHECK_AUTH%?}")),
                "{repros:?}"
            );
            assert!(junit_text.contains("HOOKCHECK_AUTH"));
            // Markdown shows one repro per group of findings; HTML shows every check's.
            assert!(markdown_text.contains("```sh\ncurl"));
            assert!(html_text.contains("HOOKCHECK_AUTH"));
        }
    }
}

/// The status code at the start of a check's `actual` (`422 in 3 ms`, `accepted: 200 in …`,
/// `copy 2: 409 in 0 ms`).
fn first_status(actual: &str) -> u16 {
    actual
        .split(|c: char| !c.is_ascii_digit())
        .find(|word| word.len() == 3)
        .and_then(|word| word.parse().ok())
        .unwrap_or_else(|| panic!("no status in `{actual}`"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repro_line_from_a_failing_check_reproduces_its_status() {
    if !hookcheck_testkit::process::curl_installed() {
        eprintln!("skipped: curl is not installed, so repro lines cannot be run");
        return;
    }
    let cases = [
        (
            Defect::RejectsTerminated,
            "status/valid-delivery-2xx/terminated",
        ),
        (
            Defect::ConflictOnDuplicate,
            "idempotency/duplicates-acknowledged/sequential",
        ),
        (
            Defect::AuthPrefixMatch,
            "auth/rejects-bad-credentials/truncated-value",
        ),
    ];
    for (defect, check_id) in cases {
        let mut config = ReceiverConfig::default().defect(defect);
        let auth = defect.facts().needs_auth;
        if auth {
            config = config.auth(SECRET.parse().unwrap());
        }
        let receiver = receiver::start(config).await;
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("report.json");
        let target = receiver.webhook_url();
        let mut args = vec![
            "--target",
            &target,
            "--only",
            check_id,
            "--json",
            json.to_str().unwrap(),
        ];
        if auth {
            args.extend(["--auth", SECRET]);
        }
        let ran = run(&args).await;
        assert_eq!(ran.code, 1, "{defect}: {}\n{}", ran.stdout, ran.stderr);
        let report = read_report(&json);
        let check = report
            .checks
            .iter()
            .find(|c| c.id == check_id)
            .expect("the check ran");
        assert_eq!(check.outcome, Outcome::Fail, "{check:?}");
        let repro = check
            .repro
            .as_deref()
            .expect("a failing check has a repro line");
        let wanted = first_status(&check.actual);

        let replay = replay(repro).await;
        let status_lines: Vec<&str> = replay.lines().filter(|l| l.starts_with("HTTP/")).collect();
        assert!(
            status_lines
                .iter()
                .any(|l| l.starts_with(&format!("HTTP/1.1 {wanted}"))),
            "{defect}: `{repro}` answered {status_lines:?}, the check saw {wanted}"
        );
        receiver.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_selection_that_would_verify_nothing_is_a_usage_error_before_anything_is_sent() {
    // A CI job whose secret is missing must not go green: `--only auth` without --auth.
    let receiver = receiver::start(ReceiverConfig::default()).await;
    let target = receiver.webhook_url();
    for args in [
        vec!["--target", target.as_str(), "--only", "auth"],
        vec![
            "--target",
            target.as_str(),
            "--only",
            "idempotency/exactly-once",
        ],
    ] {
        let ran = run(&args).await;
        assert_eq!(ran.code, 2, "{args:?}\n{}\n{}", ran.stdout, ran.stderr);
        assert!(
            ran.stderr.contains("nothing would be verified"),
            "{}",
            ran.stderr
        );
    }
    receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_finding_is_a_script_that_dash_runs_and_that_adds_the_extra_effects_again() {
    if !hookcheck_testkit::process::curl_installed() {
        eprintln!("skipped: curl is not installed, so repro scripts cannot be run");
        return;
    }
    for (scenario, copies) in [
        ("sequential", 3),
        ("concurrent", 8),
        ("other-body-reversed", 2),
    ] {
        let receiver = receiver::start(ReceiverConfig::default().defect(Defect::NoDedupe)).await;
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("report.json");
        let target = receiver.webhook_url();
        let effects = receiver.effects_url_template();
        let check_id = format!("idempotency/exactly-once/{scenario}");
        let args = [
            "--target",
            &target,
            "--effects-url",
            &effects,
            "--only",
            &check_id,
            "--json",
            json.to_str().unwrap(),
        ];
        let ran = run(&args).await;
        assert_eq!(ran.code, 1, "{}\n{}", ran.stdout, ran.stderr);
        let report = read_report(&json);
        let check = &report.checks[0];
        let script = check.repro.as_deref().expect("a finding has a repro");
        assert!(
            script.lines().count() > 1,
            "a sequence is a script: {script}"
        );
        let session = script
            .split("session ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("the script names its session")
            .to_owned();
        let count = |session: String| {
            let url = effects.replace("{sessionId}", &session);
            async move {
                let body = reqwest::get(url).await.unwrap().text().await.unwrap();
                hookcheck::effects::parse_count(&body).unwrap()
            }
        };
        let before = count(session.clone()).await;
        replay(script).await;
        let after = count(session.clone()).await;
        assert_eq!(
            after - before,
            copies,
            "{scenario}: the script sent {copies} copies\n{script}"
        );
        receiver.shutdown().await;
    }
}

/// Runs a repro line or script with dash (POSIX `sh`, no bash extensions),
/// `HOOKCHECK_AUTH` exported, and returns its stdout.
async fn replay(line: &str) -> String {
    let output = tokio::time::timeout(
        Duration::from_secs(20),
        tokio::process::Command::new("dash")
            .args(["-c", line])
            .env("HOOKCHECK_AUTH", SECRET_VALUE)
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("the repro line ends")
    .expect("dash starts");
    assert!(
        output.status.success(),
        "`{line}` failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

mod bodies;
mod hostile;
mod reports;
