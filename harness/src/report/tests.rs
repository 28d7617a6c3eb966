//! The report formats, pinned by snapshot: a change to what users and CI read breaks a test.

use super::*;
use crate::catalogue::requirement_of;
use crate::report::verdict;
use crate::results::*;

fn check(id: &str, outcome: Outcome, actual: &str, repro: Option<&str>) -> CheckResult {
    let requirement = requirement_of(id).expect("a catalogue id");
    CheckResult {
        id: id.to_owned(),
        requirement_id: requirement.id.to_owned(),
        category: requirement.category,
        level: requirement.level,
        outcome,
        requirement: requirement.text.to_owned(),
        clause: requirement.clause.to_owned(),
        expected: "2xx within 30s".to_owned(),
        actual: actual.to_owned(),
        repro: repro.map(str::to_owned),
        duration_ms: 3,
        exchanges: Vec::new(),
    }
}

fn sample() -> Report {
    let checks = vec![
        check(
            "status/valid-delivery-2xx/completed",
            Outcome::Pass,
            "200 in 2 ms",
            None,
        ),
        check(
            "status/valid-delivery-2xx/terminated",
            Outcome::Fail,
            "422 in 1 ms",
            Some("curl -sS -i 'http://127.0.0.1:8080/webhook' --data-binary '{}'"),
        ),
        check(
            "payload/large-body",
            Outcome::Warn,
            "413 in 4 ms",
            Some("curl …"),
        ),
        check(
            "auth/rejects-bad-credentials/missing-header",
            Outcome::Skip,
            "no --auth given",
            None,
        ),
        check(
            "auth/rejects-bad-credentials/wrong-value",
            Outcome::Skip,
            "no --auth given",
            None,
        ),
        check(
            "idempotency/exactly-once/concurrent",
            Outcome::Error,
            "effects query failed: answered 404",
            None,
        ),
    ];
    Report {
        schema_version: SCHEMA_VERSION,
        tool: "hookcheck 0.1.0".into(),
        target: "http://127.0.0.1:8080/webhook".into(),
        seed: Some(7),
        started_at: "2026-11-29T00:00:00.000Z".into(),
        duration_ms: 1234,
        timeout_ms: 30_000,
        effects_probe: Some("url".into()),
        verdict: "not-conformant".into(),
        summary: Summary::of(&checks),
        latency: LatencySummary {
            deliveries: 82,
            timed_out: 0,
            p50_ms: 5.5,
            p95_ms: 14.0,
            p99_ms: 15.5,
            max_ms: 15.7,
        },
        notes: vec!["a note for the user".into()],
        reason: None,
        interrupted: false,
        unverified: Vec::new(),
        checks,
    }
}

fn summary_of(report: &Report, files: &[&str]) -> String {
    let mut out = Vec::new();
    let options = TerminalOptions {
        color: false,
        report_files: files.iter().map(|f| (*f).to_owned()).collect(),
    };
    write_summary(&mut out, report, &options).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn terminal_summary_groups_by_category_with_problems_first() {
    insta::assert_snapshot!(summary_of(&sample(), &[]));
}

#[test]
fn every_line_of_the_terminal_summary_fits_80_columns() {
    let mut report = sample();
    report.checks[1].actual = "a very long answer ".repeat(12);
    report.checks[1].repro = Some(format!("curl --data-binary '{}'", "x".repeat(300)));
    for files in [&[][..], &["report.md"][..]] {
        let text = summary_of(&report, files);
        for line in text.lines() {
            assert!(
                line.chars().count() <= 80,
                "{} columns: {line}",
                line.chars().count()
            );
        }
    }
}

#[test]
fn a_strict_verdict_names_the_broken_should() {
    let mut report = sample();
    report
        .checks
        .retain(|c| c.outcome != Outcome::Fail && c.outcome != Outcome::Error);
    report.summary = Summary::of(&report.checks);
    assert!(Report::conformant(&report.summary, false));
    assert!(!Report::conformant(&report.summary, true));
    report.verdict = "not-conformant".into();
    let line = verdict::verdict_line(&report);
    assert!(
        line.starts_with("verdict: NOT conformant (1 SHOULD broken, --strict)"),
        "{line}"
    );
}

#[test]
fn the_verdict_line_says_how_many_musts_were_not_verified_and_an_interruption() {
    let mut report = sample();
    report.interrupted = true;
    report.unverified = vec![Unverified {
        count: 8,
        reason: "need an effects probe: --effects-url".into(),
    }];
    let line = verdict::verdict_line(&report);
    assert!(line.contains("INTERRUPTED after 6 checks"), "{line}");
    assert!(
        line.ends_with("8 MUST checks not verified: need an effects probe: --effects-url (8)"),
        "{line}"
    );
    for format in Format::ALL {
        let text = render(format, &report, false).unwrap();
        assert!(
            text.contains("nterrupted") || text.contains("INTERRUPTED"),
            "{format}"
        );
    }
}

#[test]
fn json_report_keeps_its_documented_keys_and_reads_back() {
    let report = sample();
    let value = serde_json::to_value(&report).unwrap();
    insta::assert_json_snapshot!(value);
    let back: Report = serde_json::from_value(value).unwrap();
    assert_eq!(back, report);
}

#[test]
fn a_file_reporter_writes_the_file_whole_at_the_end_of_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    let report = sample();
    let output = Output {
        format: Format::Json,
        destination: Destination::File(path.clone()),
    };
    FileReporter::new(output, false)
        .on_event(&Event::RunFinished(&report))
        .unwrap();
    let back: Report = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(back, report);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn junit_marks_fails_and_errors_and_skips() {
    insta::assert_snapshot!(render(Format::Junit, &sample(), false).unwrap());
}

#[test]
fn markdown_puts_findings_first_and_links_each_clause() {
    let text = render(Format::Markdown, &sample(), false).unwrap();
    let findings = text.find("## Findings").unwrap();
    assert!(findings < text.find("## Checks by category").unwrap());
    assert!(text.contains("[§3 ¶1](#s3-p1)"));
    assert!(text.contains("<a id=\"s3-p1\"></a>"));
    insta::assert_snapshot!(text);
}

#[test]
fn html_is_one_page_with_no_external_asset() {
    let mut report = sample();
    report.checks[1].exchanges = vec![ExchangeRecord {
        method: "POST".into(),
        request_headers: vec![("x-api-key".into(), "$HOOKCHECK_AUTH".into())],
        request_body: "<b>{}</b>".into(),
        request_bytes: 9,
        status: Some(422),
        response_headers: vec![("content-type".into(), "text/plain".into())],
        response_body: "no".into(),
        duration_ms: 1.5,
        drawn: None,
    }];
    let html = render(Format::Html, &report, false).unwrap();
    for external in ["src=", "href=\"http", "@import", "url("] {
        assert!(!html.contains(external), "{external}");
    }
    assert!(html.contains("&lt;b&gt;{}&lt;/b&gt;"), "bodies are escaped");
    assert!(html.contains("<svg"), "latency picture");
    assert!(html.contains("href=\"#s3-p1\"") && html.contains("id=\"s3-p1\""));
}

#[test]
fn categories_come_in_the_order_of_the_profile_catalogue() {
    let pass = |id| check(id, Outcome::Pass, "200", None);
    let report = Report {
        checks: vec![
            pass("signature/valid-accepted"),
            pass("replay/within-tolerance-accepted"),
            pass("idempotency/exactly-once/sequential"),
            pass("latency/within-timeout"),
            pass("signature/body-as-received"),
        ],
        ..sample()
    };
    let order: Vec<&str> = verdict::category_rows(&report)
        .iter()
        .map(|(category, _)| category.as_str())
        .collect();
    assert_eq!(order, ["signature", "replay", "idempotency", "latency"]);
    let xml = junit::render(&report, false).unwrap();
    assert!(xml.find("\"signature\"").unwrap() < xml.find("\"idempotency\"").unwrap());
    let sample_order: Vec<_> = verdict::checks_by_category(&sample())
        .into_iter()
        .map(|(category, _)| category)
        .collect();
    let mut sorted = sample_order.clone();
    sorted.sort_by_key(|c| crate::catalogue::Category::ALL.iter().position(|x| x == c));
    assert_eq!(sample_order, sorted, "Cr3dentials reports keep their order");
}
