//! Tests of [`super`]: kept apart so that `invariant.rs` stays readable.

use super::*;
use crate::profile::Profile;

fn answer(expect: Expect, outcome: Result<u16, FailureClass>) -> Answer {
    Answer {
        step: 0,
        session: Some(0),
        expect,
        label: "x".into(),
        outcome: outcome.map_err(|class| TransportError {
            class,
            message: "m".into(),
        }),
        duration: Duration::from_millis(3),
        cut: false,
    }
}

fn broken(answers: &[Answer]) -> Vec<Invariant> {
    grade_answers(answers, Duration::from_secs(1))
        .into_iter()
        .map(|v| v.invariant)
        .collect()
}

#[test]
fn any_2xx_acknowledges_and_anything_else_breaks_the_right_invariant() {
    assert!(
        broken(&[
            answer(Expect::Valid, Ok(204)),
            answer(Expect::Valid, Ok(202))
        ])
        .is_empty()
    );
    assert_eq!(
        broken(&[answer(Expect::Valid, Ok(409))]),
        [Invariant::ValidAcknowledged]
    );
    assert_eq!(
        broken(&[answer(Expect::ShouldAccept, Ok(413))]),
        [Invariant::ShouldAccepted]
    );
    assert_eq!(
        broken(&[answer(Expect::Unprocessable, Err(FailureClass::Closed))]),
        [Invariant::Answered]
    );
    assert_eq!(
        broken(&[answer(Expect::Valid, Err(FailureClass::Connect))]),
        [Invariant::TargetAlive]
    );
    assert_eq!(
        broken(&[answer(Expect::OffContract, Ok(500))]),
        [Invariant::No5xxForBadInput]
    );
    assert!(
        broken(&[
            answer(Expect::OffContract, Ok(200)),
            answer(Expect::Unprocessable, Ok(422))
        ])
        .is_empty()
    );
    assert_eq!(
        broken(&[answer(Expect::BadAuth, Ok(200))]),
        [Invariant::BadAuthRefused]
    );
    assert!(broken(&[answer(Expect::BadAuth, Ok(401))]).is_empty());
}

fn sequence(expects: &[(u16, Expect, bool)]) -> Sequence {
    use crate::fuzz::model::{Body, Credential, Delivery, Method, Step};
    let steps = expects
        .iter()
        .map(|&(session, expect, observed)| {
            Step::Send(Delivery {
                session,
                label: format!("{expect:?}"),
                expect,
                method: Method::Post,
                content_type: None,
                credential: Credential::Configured,
                observed,
                body: Body::Text(String::new()),
                replica: 0,
            })
        })
        .collect();
    Sequence { steps }
}

#[test]
fn effects_are_graded_only_where_the_contract_fixes_the_count() {
    let deliveries = [
        (0, Expect::Valid, true),
        (0, Expect::Valid, true),
        (1, Expect::BadAuth, true),
        (2, Expect::Unprocessable, true),
        (3, Expect::Unprocessable, false),
        (4, Expect::OffContract, true),
        (5, Expect::Valid, true),
    ];
    let answers: Vec<Answer> = deliveries
        .iter()
        .enumerate()
        .map(|(step, &(session, expect, _))| Answer {
            step,
            session: Some(session),
            // Session 5's only delivery was refused: its count is not graded.
            ..answer(expect, if session == 5 { Ok(500) } else { Ok(200) })
        })
        .collect();
    let sequence = sequence(&deliveries);
    let graded: Vec<(u16, u64, Invariant)> = effect_expectations(&sequence, &answers)
        .into_iter()
        .map(|e| (e.session, e.count, e.invariant))
        .collect();
    assert_eq!(
        graded,
        [
            (0, 1, Invariant::ExactlyOnce),
            (1, 0, Invariant::NoEffectWhenUnauthenticated),
            (2, 0, Invariant::NoEffectForUnprocessable),
        ]
    );
    let expectations = effect_expectations(&sequence, &answers);
    let counts = [(0, Ok(2)), (1, Ok(0)), (2, Err("probe down".to_owned()))]
        .into_iter()
        .collect();
    let (broken, unread) = grade_effects(&sequence, &expectations, &counts, Profile::Cr3dentials);
    assert_eq!(broken.len(), 1);
    assert_eq!(broken[0].invariant, Invariant::ExactlyOnce);
    assert_eq!(broken[0].actual, "2 effects");
    assert_eq!(
        unread,
        [(Invariant::NoEffectForUnprocessable, "probe down".to_owned())]
    );
}

#[test]
fn every_invariant_has_a_distinct_id() {
    let ids: std::collections::BTreeSet<&str> = Invariant::ALL.iter().map(|i| i.as_str()).collect();
    assert_eq!(ids.len(), Invariant::ALL.len());
    for invariant in Invariant::ALL {
        let cited = crate::report::contract::parse_clause(invariant.clause());
        assert!(!cited.is_empty(), "{invariant} cites no clause");
        for clause in cited {
            assert!(
                clause.text().is_some(),
                "{invariant}: {clause:?} is not in CONTRACT.md"
            );
        }
    }
    for invariant in Invariant::ALL {
        let text = serde_json::to_string(&invariant).unwrap();
        assert_eq!(text, format!("\"{}\"", invariant.as_str()));
    }
}
