//! Tests of [`super`]: kept apart so that `outcome.rs` stays readable.

use super::*;
use crate::fuzz::case_file::CASE_FORMAT;
use crate::fuzz::model::Sequence;

fn finding(invariant: Invariant, note: Option<&str>) -> Finding {
    let case = CaseFile {
        format: CASE_FORMAT.into(),
        invariant,
        level: invariant.level(),
        requirement: invariant.requirement().into(),
        seed: 7,
        sequence_index: 3,
        shrunk: note.is_none(),
        expected: "exactly 1 effect for the session".into(),
        actual: "2 effect(s)".into(),
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
        target: "http://127.0.0.1:8080/webhook".into(),
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
    insta::assert_snapshot!(sample().render());
}

#[test]
fn the_json_report_reads_back_and_a_should_alone_is_only_a_warning() {
    let report = sample();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fuzz.json");
    report.write_json(&path).unwrap();
    let back: FuzzReport = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
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
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fuzz.xml");
    sample().write_junit(&path).unwrap();
    insta::assert_snapshot!(std::fs::read_to_string(&path).unwrap());
}
