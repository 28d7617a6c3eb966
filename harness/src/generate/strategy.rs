//! Proptest strategies from the same generators the fuzz targets use: arbitrary bytes
//! through [`Unstructured`], never a second hand-written generator.

use std::collections::BTreeSet;

use arbitrary::{Arbitrary, Unstructured};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

use super::{
    Escaping, Flavour, InputGrade, InvalidPayload, MutationKind, Nullables, Offset, ValidPayload,
};
use crate::spec::{Grade, Limits, Status, parse_with};

/// Any value of `T`, drawn from 16 to 2048 arbitrary bytes.
fn drawn<T: for<'a> Arbitrary<'a> + std::fmt::Debug>() -> impl Strategy<Value = T> {
    proptest::collection::vec(any::<u8>(), 16..2048)
        .prop_filter_map("the bytes draw a value", |bytes| {
            T::arbitrary(&mut Unstructured::new(&bytes)).ok()
        })
}

/// Any valid payload.
pub fn valid() -> impl Strategy<Value = ValidPayload> {
    drawn()
}

/// Any invalid payload.
pub fn invalid() -> impl Strategy<Value = InvalidPayload> {
    drawn()
}

/// `count` values of a strategy, the same ones on every run.
fn sample<T: std::fmt::Debug>(strategy: impl Strategy<Value = T>, count: usize) -> Vec<T> {
    let mut runner = TestRunner::deterministic();
    (0..count)
        .map(|_| strategy.new_tree(&mut runner).expect("a value").current())
        .collect()
}

fn grade(grade: InputGrade) -> Grade {
    match grade {
        InputGrade::Unprocessable => Grade::Unprocessable,
        InputGrade::OffContract => Grade::OffContract,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_generated_valid_payload_parses_as_the_session_status_and_nulls_it_was_built_with(
        payload in valid()
    ) {
        let parsed = parse_with(&payload.to_bytes(), Limits::default())
            .map_err(|e| TestCaseError::fail(format!("{e}: {payload:?}")))?;
        prop_assert_eq!(parsed.session_id, payload.session_id());
        prop_assert_eq!(parsed.status, payload.status());
        let nulls = payload.nullables();
        prop_assert_eq!(parsed.external_reference_id.is_none(), nulls.external_reference_id);
        prop_assert_eq!(parsed.extracted_data.is_none(), nulls.extracted_data);
        prop_assert_eq!(parsed.proof_hash.is_none(), nulls.proof_hash);
        prop_assert_eq!(parsed.extra.is_empty(), !payload.has_unknown_fields());
    }

    #[test]
    fn every_generated_invalid_payload_is_refused_or_accepted_as_its_d12_grade_says(
        invalid in invalid()
    ) {
        let body = invalid.to_bytes();
        match (parse_with(&body, Limits::default()), invalid.grade()) {
            (Err(error), expected) => prop_assert_eq!(error.grade(), grade(expected), "{}", error),
            // The parser keeps the last copy of a duplicated field: the real one.
            (Ok(parsed), InputGrade::OffContract)
                if invalid.mutation.kind() == MutationKind::DuplicateKeys =>
            {
                prop_assert_eq!(parsed.session_id, invalid.base.session_id());
                prop_assert_eq!(parsed.status, invalid.base.status());
            }
            (Ok(_), expected) => {
                return Err(TestCaseError::fail(format!("{expected:?} input parsed: {invalid:?}")));
            }
        }
    }

    #[test]
    fn the_observed_session_of_an_invalid_payload_is_named_in_its_body(invalid in invalid()) {
        if let Some(session) = invalid.observed_session() {
            prop_assert_eq!(&session, &invalid.base.session_id());
            // Where the body is still JSON, its (last) `sessionId` is that session.
            let body = invalid.to_bytes();
            let value: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
            let named = value.as_ref().and_then(|v| v.get("sessionId")?.as_str());
            prop_assert!(named.is_none() || named == Some(session.as_str()));
        }
    }
}

#[test]
fn valid_payloads_reach_every_status_every_nullable_combination_and_every_timestamp_form() {
    let payloads = sample(valid(), 400);
    let statuses: BTreeSet<Status> = payloads.iter().map(ValidPayload::status).collect();
    assert_eq!(statuses.len(), Status::ALL.len(), "{statuses:?}");
    let nulls: BTreeSet<Nullables> = payloads.iter().map(ValidPayload::nullables).collect();
    assert_eq!(nulls.len(), Nullables::all().len(), "{nulls:?}");
    let digits: BTreeSet<u8> = payloads.iter().map(|p| p.completed_at().digits()).collect();
    assert_eq!(digits.len(), 10, "fraction digits reached: {digits:?}");
    let offset_kind = |o: Offset| match o {
        Offset::Z => 0,
        Offset::LowerZ => 1,
        Offset::NegativeZero => 2,
        Offset::Minutes(m) if m < 0 => 3,
        Offset::Minutes(_) => 4,
    };
    let offsets: BTreeSet<u8> = payloads
        .iter()
        .map(|p| offset_kind(p.completed_at().offset()))
        .collect();
    assert_eq!(offsets.len(), 5, "offset forms reached: {offsets:?}");
    assert!(payloads.iter().any(|p| p.completed_at().lowercase_t()));
    assert!(payloads.iter().any(ValidPayload::has_unknown_fields));
}

#[test]
fn valid_payloads_reach_astral_unicode_every_escaping_big_and_deep_bodies() {
    let payloads = sample(valid(), 400);
    let bodies: Vec<Vec<u8>> = payloads.iter().map(ValidPayload::to_bytes).collect();
    let texts: Vec<String> = bodies
        .iter()
        .map(|b| String::from_utf8(b.clone()).expect("UTF-8"))
        .collect();
    assert!(
        texts.iter().any(|t| t.chars().any(|c| c as u32 > 0xFFFF)),
        "raw astral"
    );
    assert!(
        texts.iter().any(|t| t.contains("\\ud83d\\ude80")),
        "escaped astral"
    );
    assert!(texts.iter().any(|t| t.contains("\\/")), "escaped solidus");
    assert!(
        texts.iter().any(|t| t.contains("\\u0073\\u0065")),
        "escaped names"
    );
    let biggest = bodies.iter().map(Vec::len).max().unwrap_or(0);
    assert!(biggest > 100 * 1024, "biggest body {biggest} bytes");
    let deepest = payloads.iter().map(ValidPayload::depth).max().unwrap_or(0);
    assert!(deepest >= 16, "deepest body nests {deepest} levels");
    let _ = (Escaping::ALL, Flavour::ALL);
}

#[test]
fn invalid_payloads_reach_every_mutation_kind() {
    let invalid = sample(invalid(), 400);
    let kinds: BTreeSet<MutationKind> = invalid.iter().map(|i| i.mutation.kind()).collect();
    assert_eq!(kinds.len(), MutationKind::ALL.len(), "{kinds:?}");
    for grade in [InputGrade::Unprocessable, InputGrade::OffContract] {
        assert!(invalid.iter().any(|i| i.grade() == grade), "{grade:?}");
    }
    assert!(invalid.iter().any(|i| i.observed_session().is_some()));
}
