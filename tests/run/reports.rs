//! The report formats on real runs: JSON, JUnit, Markdown and HTML agree; `report --from`,
//! `diff` and `--baseline`; `-` and bad report paths; the `--auth` hint; SIGTERM.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use hookcheck::receiver::ReceiverConfig;
use hookcheck::results::{Report, Summary};
use hookcheck_testkit::receiver;
use serde_json::Value;

use super::{SECRET, hookcheck_async, read_report, run};

/// The counts in a row of a Markdown table: `| **all** | **1** | …`.
fn markdown_counts(markdown: &str, row: &str) -> Vec<usize> {
    let line = markdown
        .lines()
        .find(|l| l.starts_with(&format!("| {row} |")))
        .unwrap_or_else(|| panic!("no `{row}` row in\n{markdown}"));
    line.split('|')
        .skip(2)
        .filter_map(|cell| cell.trim().trim_matches('*').parse().ok())
        .collect()
}

/// The counts of the HTML summary table's `all` row.
fn html_counts(html: &str) -> Vec<usize> {
    let start = html.find("<tr><td>all</td>").expect("an `all` row");
    let row = &html[start..start + html[start..].find("</tr>").unwrap()];
    row.split("<td class=\"n\">")
        .skip(1)
        .map(|cell| cell[..cell.find('<').unwrap()].parse().unwrap())
        .collect()
}

fn counts(s: &Summary) -> Vec<usize> {
    vec![s.pass, s.fail, s.warn, s.skip, s.error]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_run_writes_json_junit_markdown_and_html_and_they_agree() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let (json, junit, markdown, html) =
        (path("r.json"), path("r.xml"), path("r.md"), path("r.html"));
    let ran = run(&[
        "--defect",
        "no-dedupe",
        "--json",
        &json,
        "--junit",
        &junit,
        "--markdown",
        &markdown,
        "--html",
        &html,
    ])
    .await;
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let report = read_report(Path::new(&json));
    assert!(report.summary.fail > 0 && report.summary.pass > 0);
    let expected = counts(&report.summary);

    let markdown = std::fs::read_to_string(&markdown).unwrap();
    assert_eq!(markdown_counts(&markdown, "**all**"), expected);
    let html = std::fs::read_to_string(&html).unwrap();
    assert_eq!(html_counts(&html), expected);
    let junit = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(junit.matches("<testcase ").count(), report.checks.len());
    assert_eq!(junit.matches("<failure").count(), report.summary.fail);
    assert_eq!(junit.matches("<skipped").count(), report.summary.skip);
    for check in &report.checks {
        assert!(
            markdown.contains(&format!("`{}`", check.id)),
            "{} not in Markdown",
            check.id
        );
        assert!(html.contains(&check.id), "{} not in HTML", check.id);
    }
    // The verdict line is the same sentence everywhere.
    let verdict = hookcheck::report::verdict::verdict_line(&report);
    assert!(
        ran.stdout.contains(verdict.split(';').next().unwrap()),
        "{}",
        ran.stdout
    );
    assert!(markdown.contains(&verdict));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_on_every_delivery_is_one_finding_and_the_log_fits_80_columns() {
    let dir = tempfile::tempdir().unwrap();
    let markdown = dir.path().join("r.md");
    let markdown = markdown.to_str().unwrap();
    let ran = run(&[
        "--defect",
        "redirects",
        "--color",
        "never",
        "--markdown",
        markdown,
    ])
    .await;
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    for line in ran.stdout.lines() {
        assert!(line.chars().count() <= 80, "wider than 80 columns: {line}");
    }
    let grouped = ran
        .stdout
        .lines()
        .find(|l| l.starts_with("FAIL ×") && l.ends_with(": answered 307"))
        .unwrap_or_else(|| panic!("no grouped redirect finding in\n{}", ran.stdout));
    let count: usize = grouped["FAIL ×".len()..grouped.find(':').unwrap()]
        .parse()
        .unwrap();
    // Every valid delivery of the status family at least, in one group.
    assert!(count >= 15, "{grouped}");
    // One finding per cause: the log stays short with every repro shown whole.
    let findings = ["FAIL", "WARN", "ERROR"]
        .iter()
        .map(|word| ran.stdout.lines().filter(|l| l.starts_with(word)).count())
        .sum::<usize>();
    assert!(findings <= 4, "{findings} findings:\n{}", ran.stdout);
    assert!(
        ran.stdout.contains(&format!("in {markdown}")),
        "{}",
        ran.stdout
    );
    // Not a terminal: plain progress, a line per phase, no line per check.
    assert!(ran.stderr.contains("  phase: robustness"), "{}", ran.stderr);
    assert!(ran.stderr.lines().count() < 12, "{}", ran.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_and_baseline_see_a_defect_come_and_go_between_real_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let (before, after) = (path("before.json"), path("after.json"));
    let ran = run(&["--json", &before]).await;
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let ran = run(&["--defect", "no-dedupe", "--json", &after]).await;
    assert_eq!(ran.code, 1, "{}", ran.stderr);

    let (diff_json, diff_md) = (path("diff.json"), path("diff.md"));
    let (diff_xml, diff_html) = (path("diff.xml"), path("diff.html"));
    let diff = hookcheck_async(
        &[
            "diff",
            &before,
            &after,
            "--json",
            &diff_json,
            "--markdown",
            &diff_md,
            "--junit",
            &diff_xml,
            "--html",
            &diff_html,
        ],
        &[],
    )
    .await;
    assert_eq!(
        diff.code, 1,
        "a new failure exits 1: {}{}",
        diff.stdout, diff.stderr
    );
    assert!(diff.stdout.contains("new failures ("), "{}", diff.stdout);
    assert!(
        diff.stdout.lines().all(|l| l.chars().count() <= 80),
        "the diff fits 80 columns:\n{}",
        diff.stdout
    );
    assert!(diff.stdout.starts_with("old run  "), "{}", diff.stdout);
    let value: Value = serde_json::from_str(&std::fs::read_to_string(&diff_json).unwrap()).unwrap();
    let new_failures: Vec<&str> = value["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "new-failure")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(!new_failures.is_empty());
    assert!(
        new_failures
            .iter()
            .all(|id| id.starts_with("idempotency/exactly-once/")),
        "{new_failures:?}"
    );
    assert!(
        std::fs::read_to_string(&diff_md)
            .unwrap()
            .contains("## new failures")
    );
    diff_junit_fails_each_new_failure(&diff_xml, &new_failures);
    let html = std::fs::read_to_string(&diff_html).unwrap();
    assert!(html.starts_with("<!doctype html>"), "{html}");
    assert!(html.contains("<header class=\"bad\">"), "{html}");
    assert!(html.contains("baseline: "), "the verdict line: {html}");
    for id in &new_failures {
        assert!(html.contains(id), "{id} not in the HTML diff");
    }

    let back = hookcheck_async(&["diff", &after, &before], &[]).await;
    assert_eq!(back.code, 0, "fixing is not a regression: {}", back.stdout);
    assert!(back.stdout.contains("fixed ("), "{}", back.stdout);

    // Known gaps do not block; new ones do.
    let known = run(&["--defect", "no-dedupe", "--baseline", &after]).await;
    assert_eq!(known.code, 0, "{}{}", known.stdout, known.stderr);
    assert!(
        known.stdout.contains("baseline: no new failures"),
        "{}",
        known.stdout
    );
    let new = run(&["--defect", "no-dedupe", "--baseline", &before]).await;
    assert_eq!(new.code, 1, "{}", new.stdout);
    assert!(new.stdout.contains("new failure"), "{}", new.stdout);
}

/// The JUnit diff parses, and its failing test cases are exactly the new failures.
fn diff_junit_fails_each_new_failure(path: &str, new_failures: &[&str]) {
    let xml = std::fs::read_to_string(path).unwrap();
    let junit = quick_junit::Report::deserialize_from_str(&xml)
        .unwrap_or_else(|e| panic!("the JUnit diff does not parse: {e}\n{xml}"));
    let failed: Vec<&str> = junit
        .test_suites
        .iter()
        .flat_map(|suite| &suite.test_cases)
        .filter(|case| {
            matches!(
                case.status,
                quick_junit::TestCaseStatus::NonSuccess {
                    kind: quick_junit::NonSuccessKind::Failure,
                    ..
                }
            )
        })
        .map(|case| case.name.as_str())
        .collect();
    assert_eq!(failed, new_failures, "{xml}");
    assert_eq!(junit.failures, new_failures.len(), "{xml}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_from_a_saved_run_renders_every_format_and_dash_is_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let json = path("run.json");
    // `--json -`: the report on stdout, the summary moves to stderr.
    let ran = run(&["--defect", "rejects-terminated", "--json", "-", "--quiet"]).await;
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let report: Report =
        serde_json::from_str(&ran.stdout).expect("stdout is the JSON report alone");
    assert!(
        ran.stderr.contains("verdict: NOT conformant"),
        "{}",
        ran.stderr
    );
    assert!(
        !ran.stderr.contains("phase:"),
        "--quiet shows no progress: {}",
        ran.stderr
    );
    std::fs::write(&json, &ran.stdout).unwrap();

    let (md, html, xml) = (path("r.md"), path("r.html"), path("r.xml"));
    let rendered = hookcheck_async(
        &[
            "report",
            "--from",
            &json,
            "--markdown",
            &md,
            "--html",
            &html,
            "--junit",
            &xml,
        ],
        &[],
    )
    .await;
    assert_eq!(rendered.code, 0, "{}", rendered.stderr);
    let markdown = std::fs::read_to_string(&md).unwrap();
    assert_eq!(
        markdown_counts(&markdown, "**all**"),
        counts(&report.summary)
    );
    assert!(
        std::fs::read_to_string(&html)
            .unwrap()
            .starts_with("<!doctype html>")
    );
    assert!(
        std::fs::read_to_string(&xml)
            .unwrap()
            .contains("<testsuites")
    );

    let summary = hookcheck_async(&["report", "--from", &json, "--color", "never"], &[]).await;
    assert_eq!(summary.code, 0);
    assert!(
        summary
            .stdout
            .contains("status/valid-delivery-2xx/terminated"),
        "{}",
        summary.stdout
    );

    let markdown_out = hookcheck_async(&["report", "--from", &json, "--markdown", "-"], &[]).await;
    assert_eq!(markdown_out.stdout, markdown);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_report_paths_and_inputs_are_one_line_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let same = dir.path().join("same");
    let same = same.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["run", "--json", same, "--markdown", same],
            "--json and --markdown both write to",
        ),
        (
            vec!["run", "--html", "/no/such/folder/r.html"],
            "cannot write the HTML report to /no/such/folder/r.html",
        ),
        (
            vec!["run", "--baseline", "/no/such/old.json"],
            "cannot read --baseline /no/such/old.json",
        ),
        (
            vec!["report", "--from", "/etc/hostname"],
            "is not a hookcheck JSON report",
        ),
        (
            vec!["diff", "/no/old.json", "/no/new.json"],
            "cannot read OLD /no/old.json",
        ),
    ];
    for (args, message) in cases {
        let ran = hookcheck_async(&args, &[]).await;
        assert_eq!(ran.code, 2, "{args:?}: {}", ran.stderr);
        assert_eq!(ran.stderr.lines().count(), 1, "{args:?}: {}", ran.stderr);
        assert!(
            ran.stderr.starts_with("error: ") && ran.stderr.contains(message),
            "{args:?}: {}",
            ran.stderr
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_valid_delivery_without_auth_puts_the_auth_hint_at_the_top() {
    let receiver = receiver::start(ReceiverConfig::default().auth(SECRET.parse().unwrap())).await;
    let target = receiver.webhook_url();
    let ran = run(&["--target", &target, "--only", "status", "--color", "never"]).await;
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let hint = ran
        .stdout
        .lines()
        .position(|l| l.starts_with("hint: ") && l.contains("401/403"))
        .unwrap_or_else(|| panic!("no hint in\n{}", ran.stdout));
    assert!(hint < 5, "the hint is at the top:\n{}", ran.stdout);
    assert!(ran.stdout.contains("--auth"));
    receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn colour_is_off_in_a_pipe_and_on_with_color_always() {
    let plain = run(&["--only", "status"]).await;
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    assert!(!plain.stdout.contains('\x1b'), "{}", plain.stdout);
    let always = run(&["--only", "status", "--color", "always"]).await;
    assert!(
        always.stdout.contains("\x1b[32mverdict: conformant"),
        "{}",
        always.stdout
    );
    let no_color = hookcheck_async(
        &["run", "--only", "status", "--seed", "7", "--color", "auto"],
        &[("NO_COLOR", "1")],
    )
    .await;
    assert!(!no_color.stdout.contains('\x1b'));
}

/// Starts a long run (one delivery at a time, 100 ms each), sends it `signal` once it is
/// under way, and returns its exit code, stdout and the JSON report.
async fn stopped_by(signal: &str, dir: &Path) -> (Option<i32>, String, Report) {
    let json = dir.join(format!("{signal}.json"));
    let markdown = dir.join(format!("{signal}.md"));
    let child = tokio::process::Command::new(crate::HOOKCHECK.path())
        .args([
            "run",
            "--defect",
            "serial",
            "--timeout",
            "3s",
            "--concurrency",
            "1",
        ])
        .args(["--seed", "7", "--color", "never"])
        .arg("--json")
        .arg(&json)
        .arg("--markdown")
        .arg(&markdown)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let pid = child.id().unwrap().to_string();
    let sent = std::process::Command::new("kill")
        .args([format!("-{signal}"), pid])
        .status()
        .unwrap();
    assert!(sent.success());
    let output = tokio::time::timeout(Duration::from_secs(20), child.wait_with_output())
        .await
        .expect("the run stops soon after the signal")
        .unwrap();
    let markdown = std::fs::read_to_string(&markdown).unwrap();
    assert!(markdown.contains("INTERRUPTED"), "{signal}: {markdown}");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.code(), stdout, read_report(&json))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_and_ctrl_c_stop_the_run_write_reports_marked_interrupted_and_exit_130() {
    let dir = tempfile::tempdir().unwrap();
    for signal in ["TERM", "INT"] {
        let (code, stdout, report) = stopped_by(signal, dir.path()).await;
        assert_eq!(code, Some(130), "{signal}: {stdout}");
        assert!(
            stdout.contains("verdict: ") && stdout.contains("INTERRUPTED"),
            "{stdout}"
        );
        assert!(report.interrupted);
        assert!(report.checks.len() < hookcheck::catalogue::all_check_ids().len());
        assert_eq!(report.summary.total(), report.checks.len());
    }
}
