//! The report formats, pinned by snapshot: a change to what users and CI read breaks a test.

use super::*;
use crate::catalogue::requirement_of;
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
        seed: 7,
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

#[test]
fn terminal_summary_groups_by_category_with_problems_first() {
    let mut out = Vec::new();
    terminal::write_summary(&mut out, &sample(), false).unwrap();
    insta::assert_snapshot!(String::from_utf8(out).unwrap());
}

#[test]
fn strict_turns_a_warn_into_a_reason_for_the_verdict() {
    let mut report = sample();
    report
        .checks
        .retain(|c| c.outcome != Outcome::Fail && c.outcome != Outcome::Error);
    report.summary = Summary::of(&report.checks);
    assert!(Report::conformant(&report.summary, false));
    assert!(!Report::conformant(&report.summary, true));
    let mut out = Vec::new();
    terminal::write_summary(&mut out, &report, true).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.ends_with("verdict: NOT conformant (1 SHOULD broken, --strict)\n"),
        "{text}"
    );
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
fn json_reporter_writes_the_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    let report = sample();
    JsonReporter::new(&path)
        .on_event(&Event::RunFinished(&report))
        .unwrap();
    let back: Report = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(back, report);
    assert!(!dir.path().join("report.json.tmp").exists());
}

#[test]
fn junit_marks_fails_and_errors_and_skips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xml");
    JunitReporter::new(&path, false)
        .on_event(&Event::RunFinished(&sample()))
        .unwrap();
    let xml = std::fs::read_to_string(&path).unwrap();
    insta::assert_snapshot!(xml);
}
