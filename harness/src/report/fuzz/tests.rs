//! Tests of [`super`]: kept apart so that `fuzz.rs` stays readable.

use super::*;
use crate::fuzz::case_file::CASE_FORMAT;
use crate::fuzz::model::Sequence;
use crate::fuzz::outcome::{REPORT_FORMAT, ShrinkSummary};
use crate::fuzz::{CaseFile, Invariant};
use crate::report::Format;

fn finding(invariant: Invariant, note: Option<&str>) -> Finding {
    let case = CaseFile {
        format: CASE_FORMAT.into(),
        profile: crate::profile::Profile::Cr3dentials,
        invariant,
        level: invariant.level(),
        requirement: invariant.requirement().into(),
        seed: 7,
        sequence_index: 3,
        shrunk: note.is_none(),
        expected: "exactly 1 effect for the session".into(),
        actual: "2 effect(s)".into(),
        urls: Vec::new(),
        sequence: Sequence::default(),
    };
    Finding {
        invariant,
        level: invariant.level(),
        requirement: invariant.requirement().into(),
        clause: invariant.clause().into(),
        sequences: 4,
        first_sequence: 3,
        label: "valid/error/as-sent ×2".into(),
        expected: case.expected.clone(),
        actual: case.actual.clone(),
        shrink: ShrinkSummary {
            from_steps: 6,
            to_steps: 2,
            from_cases: 9,
            to_cases: 2,
            replays: 11,
            reproduced_alone: note.is_none(),
            note: note.map(str::to_owned),
            stopped: None,
        },
        case_file: Some("fuzz-cases/exactly-once-seed7.json".into()),
        repro: "s0=\"fuzz-$$-0\"\ncurl -sS -i 'http://127.0.0.1:8080/webhook'".into(),
        case,
    }
}

fn sample() -> FuzzReport {
    let findings = vec![
        finding(Invariant::ExactlyOnce, None),
        finding(
            Invariant::ShouldAccepted,
            Some("the failure did not come back when the sequence was replayed alone"),
        ),
    ];
    let invariants = Invariant::ALL
        .iter()
        .map(|&invariant| {
            let broken = findings.iter().any(|f| f.invariant == invariant);
            let unchecked = invariant.needs_auth();
            InvariantResult {
                invariant,
                level: invariant.level(),
                requirement: invariant.requirement().into(),
                clause: invariant.clause().into(),
                outcome: match (broken, unchecked) {
                    (true, _) => InvariantOutcome::Broken,
                    (false, true) => InvariantOutcome::Unchecked,
                    (false, false) => InvariantOutcome::Held,
                },
                reason: unchecked.then(|| "no auth header (--auth)".to_owned()),
                sequences: if broken { 4 } else { 0 },
            }
        })
        .collect();
    FuzzReport {
        format: REPORT_FORMAT.into(),
        profile: crate::profile::Profile::Cr3dentials,
        target: "http://127.0.0.1:8080/webhook".into(),
        replicas: Vec::new(),
        seed: 7,
        cases: 612,
        sequences: 98,
        duration_ms: 1500,
        cases_per_second: 408.0,
        shrink_ms: 900,
        effects_probe: Some("url".into()),
        auth: false,
        invariants,
        verdict: FuzzReport::verdict_of(&findings),
        findings,
        unread_counts: 0,
        unread_reason: None,
        stopped_early: None,
    }
}

#[test]
fn the_terminal_summary_lists_every_invariant_then_each_finding_with_its_script() {
    insta::assert_snapshot!(summary(&sample()));
}

#[test]
fn with_replicas_the_summary_names_them_and_the_replay_line_asks_for_each() {
    let mut report = sample();
    report.replicas = vec!["http://127.0.0.1:8081/webhook".into()];
    report.findings[0].case.urls = vec![report.target.clone(), report.replicas[0].clone()];
    let text = summary(&report);
    assert!(
        text.contains("\nreplicas: http://127.0.0.1:8081/webhook (the copies of each session"),
        "{text}"
    );
    assert!(
        text.contains("--replay fuzz-cases/exactly-once-seed7.json --target URL --replica URL)"),
        "{text}"
    );
    let back: FuzzReport = serde_json::from_str(&report.json().unwrap()).unwrap();
    assert_eq!(back, report);
}

#[test]
fn the_json_report_reads_back_and_a_should_alone_is_only_a_warning() {
    let report = sample();
    let back: FuzzReport = serde_json::from_str(&report.json().unwrap()).unwrap();
    assert_eq!(back, report);
    assert_eq!(back.verdict, FuzzVerdict::Fail);
    assert_eq!(
        FuzzReport::verdict_of(&report.findings[1..]),
        FuzzVerdict::Warn
    );
    assert_eq!(FuzzReport::verdict_of(&[]), FuzzVerdict::Pass);
}

#[test]
fn junit_fails_a_broken_must_passes_a_broken_should_and_skips_the_unchecked() {
    insta::assert_snapshot!(junit(&sample()).unwrap());
}

#[test]
fn markdown_and_html_lead_with_the_verdict_and_carry_each_finding_and_its_script() {
    let report = sample();
    let verdict = verdict_line(&report);
    assert_eq!(verdict, "verdict: 1 MUST invariant broken, 1 SHOULD");
    let markdown = markdown(&report);
    assert!(markdown.contains(&format!("**{verdict}**")), "{markdown}");
    assert!(
        markdown.contains("### FAIL exactly-once: 2 effect(s)"),
        "{markdown}"
    );
    assert!(markdown.contains("```sh\ns0=\"fuzz-$$-0\""), "{markdown}");
    assert!(
        markdown.contains("| `bad-auth-refused` | MUST | not checked: no auth header (--auth) |")
    );
    let html = html(&report);
    assert!(html.contains(&esc(&verdict)), "{html}");
    assert!(html.contains("s0=&quot;fuzz-$$-0&quot;"), "{html}");
    assert!(!html.contains("<script"), "no script in the page");
    for format in Format::ALL {
        assert!(report.render(format).unwrap().contains("exactly-once"));
    }
}
