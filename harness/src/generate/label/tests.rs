//! The generators' labels against `CONTRACT.md` itself: each departure is an item of the
//! [D-12] list its grade names (and of no other), each corpus label cites a clause the
//! contract has, and the corpus keeps what it labels "valid" within what [D-11] makes a
//! receiver accept.

use std::collections::BTreeSet;

use arbitrary::{Arbitrary, Unstructured};

use super::*;
use crate::generate::{BadInput, Field, InputGrade, InvalidPayload, JsonKind, Mutation, corpus};

const CONTRACT: &str = include_str!("../../../../CONTRACT.md");

/// The text of the clause with this anchor, whitespace collapsed; panics if it is missing.
fn clause(anchor: &str) -> String {
    let marker = format!("<a id=\"{anchor}\"></a>");
    let start = CONTRACT
        .find(&marker)
        .unwrap_or_else(|| panic!("CONTRACT.md has no clause #{anchor}"))
        + marker.len();
    let rest = &CONTRACT[start..];
    let end = rest.find("\n\n").unwrap_or(rest.len());
    rest[..end].split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The items of the parenthesised list after `opening` in `text`, split on `;`, with a
/// trailing decision reference (` [D-15]`) and a lead-in (`any other departure from §1:`)
/// dropped.
fn list_after(text: &str, opening: &str) -> BTreeSet<String> {
    let start = text
        .find(opening)
        .unwrap_or_else(|| panic!("no `{opening}` in {text}"))
        + opening.len();
    let mut depth = 1;
    let mut end = start;
    for (i, c) in text[start..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            end = start + i;
            break;
        }
    }
    text[start..end]
        .split(';')
        .map(|item| {
            let item = item.rsplit(": ").next().unwrap_or(item).trim();
            match item.rfind(" [D-") {
                Some(at) if item.ends_with(']') => item[..at].to_owned(),
                _ => item.to_owned(),
            }
        })
        .collect()
}

fn lists() -> (BTreeSet<String>, BTreeSet<String>) {
    let d12 = clause("d-12");
    (
        list_after(&d12, "*Unprocessable* input ("),
        list_after(&d12, "*Off-contract* input ("),
    )
}

/// Asserts that `departure` is an item of exactly the list its generator's grade names.
fn agrees(what: &str, departure: Departure, grade: InputGrade, problems: &mut Vec<String>) {
    let (unprocessable, off_contract) = lists();
    let (own, other) = match grade {
        InputGrade::Unprocessable => (&unprocessable, &off_contract),
        InputGrade::OffContract => (&off_contract, &unprocessable),
    };
    let words = departure.words();
    if !own.contains(words) {
        problems.push(format!(
            "{what} is labelled {grade:?} as `{words}`, which SPEC [D-12] does not list so: {own:?}"
        ));
    }
    if other.contains(words) {
        problems.push(format!("{what}: `{words}` is in both lists of SPEC [D-12]"));
    }
}

/// One of every mutation shape, every field and every blank spelling included.
fn every_mutation() -> Vec<Mutation> {
    let mut all = vec![
        Mutation::UnknownStatus {
            text: "VERIFIED".into(),
        },
        Mutation::LowercaseStatus,
        Mutation::BrokenJson { cut: 9 },
        Mutation::DepthBomb { depth: 40 },
        Mutation::Oversize { extra: 1 },
    ];
    for field in Field::ALL.iter().copied() {
        all.push(Mutation::MissingField { field });
        all.push(Mutation::DuplicateKeys { field });
        for kind in JsonKind::ALL.iter().copied() {
            all.push(Mutation::WrongType { field, kind });
            all.push(Mutation::NotAnObject { kind });
        }
    }
    all.extend((0..4).map(|blanks| Mutation::BlankSessionId { blanks }));
    all
}

#[test]
fn every_departure_is_an_item_of_the_list_its_grade_names() {
    let (unprocessable, off_contract) = lists();
    assert!(
        unprocessable.len() >= 8 && off_contract.len() >= 6,
        "{unprocessable:?}"
    );
    let mut problems = Vec::new();
    for input in BadInput::ALL.iter().copied() {
        agrees(
            &format!("bad input {input}"),
            input.departure(),
            input.grade(),
            &mut problems,
        );
    }
    for mutation in every_mutation() {
        agrees(
            &format!("{mutation:?}"),
            mutation.departure(),
            mutation.grade(),
            &mut problems,
        );
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn a_mutation_really_departs_and_reads_as_its_grade() {
    // An omitted optional field is valid (SPEC [D-14]): a "missing field" mutation of one
    // must leave out something else, or the corpus would call a valid body invalid.
    let base = ValidPayloadSample::get();
    for mutation in every_mutation() {
        let invalid = InvalidPayload {
            base: base.clone(),
            mutation: mutation.clone(),
        };
        let parsed = crate::spec::parse(&invalid.to_bytes());
        if matches!(mutation, Mutation::DuplicateKeys { .. }) {
            continue; // the last copy is the real value: it may well parse
        }
        let error = parsed.expect_err(&format!("{mutation:?} must not parse"));
        let grade = match error.grade() {
            crate::spec::Grade::Unprocessable => InputGrade::Unprocessable,
            crate::spec::Grade::OffContract => InputGrade::OffContract,
        };
        assert_eq!(grade, mutation.grade(), "{mutation:?}: {error}");
    }
}

struct ValidPayloadSample;

impl ValidPayloadSample {
    fn get() -> crate::generate::ValidPayload {
        let bytes = [7u8; 512];
        crate::generate::ValidPayload::arbitrary(&mut Unstructured::new(&bytes)).unwrap()
    }
}

#[test]
fn every_corpus_label_cites_a_clause_that_says_what_it_promises() {
    for label in CaseLabel::ALL.iter().copied() {
        let text = clause(label.clause_anchor());
        match label {
            CaseLabel::Valid => assert!(text.contains("MUST answer 2xx"), "{text}"),
            CaseLabel::ValidMayRefuse413 => {
                assert!(text.contains(&format!("`{}`", label.as_str())), "{text}");
                assert!(text.contains("256 KiB") && text.contains("413"), "{text}");
            }
            CaseLabel::Unprocessable => assert!(text.contains("*Unprocessable*"), "{text}"),
            CaseLabel::OffContract => assert!(text.contains("*Off-contract*"), "{text}"),
        }
        let cited = crate::generate::label::CaseLabel::clause(label);
        assert!(cited.starts_with("SPEC §"), "{cited}");
    }
    assert!(clause("d-11").contains("valid payload of 256 KiB"));
    assert_eq!(MUST_ACCEPT_BYTES, 256 * 1024);
}

#[test]
fn a_receiver_that_refuses_only_what_the_contract_allows_agrees_with_every_label() {
    // The strictest conforming receiver: 413 past 256 KiB, and every off-contract body
    // refused. It must accept every case labelled `valid`.
    let strict = crate::spec::Limits {
        max_body_bytes: MUST_ACCEPT_BYTES,
        ..crate::spec::Limits::default()
    };
    let mut problems = Vec::new();
    for seed in [1, 7, 42] {
        for entry in corpus(seed, 60) {
            let case = &entry.case;
            let parsed = crate::spec::parse_with(&entry.body, strict);
            let label = CaseLabel::ALL
                .iter()
                .copied()
                .find(|l| l.as_str() == case.label)
                .unwrap_or_else(|| panic!("{}: unknown label {}", case.id, case.label));
            let plain = case.method == "POST"
                && matches!(case.content_type, Some(t) if t.starts_with("application/json"));
            match label {
                CaseLabel::Valid if plain && parsed.is_err() => problems.push(format!(
                    "seed {seed} {} is labelled valid but a conforming receiver may refuse it: {:?}",
                    case.id,
                    parsed.err()
                )),
                CaseLabel::ValidMayRefuse413 if entry.body.len() <= MUST_ACCEPT_BYTES => {
                    problems.push(format!("{}: may-413 within 256 KiB", case.id))
                }
                _ => {}
            }
            assert_eq!(label.must_accept(), case.label == "valid");
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
