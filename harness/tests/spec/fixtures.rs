//! The payload fixtures, the JSON Schema and the parser tell one story.
//!
//! `fixtures/payloads/valid/*.json` must parse and validate against
//! `fixtures/schema/payload.schema.json`; `fixtures/payloads/invalid/*.json` must fail
//! both, and the parser must name the field the file is named for (the naming scheme is in
//! `fixtures/payloads/invalid/README.md`). Property tests then check that the parser and the
//! schema agree on payloads the fixtures do not list.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use hookcheck::spec::{self, Grade, ParseError, PayloadBuilder, Status};
use jsonschema::Validator;
use proptest::prelude::*;
use serde_json::{Value, json};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures");

/// The field an invalid fixture is about, from its file-name prefix (longest first, so
/// that `status-` never shadows a longer prefix).
const FIELD_PREFIXES: [(&str, &str); 8] = [
    ("external-reference-id-", "externalReferenceId"),
    ("extracted-data-", "extractedData"),
    ("completed-at-", "completedAt"),
    ("platform-id-", "platformId"),
    ("session-id-", "sessionId"),
    ("proof-hash-", "proofHash"),
    ("metadata-", "metadata"),
    ("status-", "status"),
];

/// Problems with the body as a whole: no field to name.
const BODY_PREFIXES: [&str; 3] = ["not-an-object-", "malformed-json-", "invalid-utf8"];

/// The compiled schema, with format assertion on (2020-12 only annotates formats by default).
static VALIDATOR: LazyLock<Validator> = LazyLock::new(|| {
    let path = Path::new(FIXTURES).join("schema/payload.schema.json");
    let text = fs::read_to_string(&path).expect("the schema file is readable");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
});

fn schema_validator() -> &'static Validator {
    &VALIDATOR
}

/// Whether the schema accepts a body: it must be a JSON document and validate.
fn schema_accepts(validator: &Validator, body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body).is_ok_and(|value| validator.is_valid(&value))
}

fn schema_errors(validator: &Validator, body: &[u8]) -> Vec<String> {
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect(),
        Err(e) => vec![format!("not JSON: {e}")],
    }
}

/// Every `*.json` file of a fixture folder, sorted by name, with its raw bytes.
fn fixtures(kind: &str) -> Vec<(String, Vec<u8>)> {
    let dir: PathBuf = Path::new(FIXTURES).join("payloads").join(kind);
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(&dir)
        .expect("the fixture folder exists")
        .map(|entry| entry.expect("the fixture folder is listable").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("fixture names are UTF-8")
                .to_owned();
            let bytes = fs::read(&path).expect("the fixture is readable");
            (name, bytes)
        })
        .collect();
    files.sort();
    assert!(files.len() >= 10, "expected fixtures in {}", dir.display());
    files
}

/// What the parser must report for an invalid fixture, read from its name.
fn expected_field(name: &str) -> Option<&'static str> {
    FIELD_PREFIXES
        .iter()
        .find(|(prefix, _)| name.starts_with(prefix))
        .map(|&(_, field)| field)
}

#[test]
fn the_schema_is_a_valid_draft_2020_12_schema() {
    let text = fs::read_to_string(Path::new(FIXTURES).join("schema/payload.schema.json"))
        .expect("the schema file is readable");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    let verdict = jsonschema::draft202012::meta::validate(&schema);
    assert!(verdict.is_ok(), "{verdict:?}");
    let required = schema["required"].as_array().map(Vec::len);
    assert_eq!(
        required,
        Some(5),
        "the eight documented fields are required but for the three a sender may leave out (SPEC D-14)"
    );
}

#[test]
fn every_valid_fixture_parses_and_validates_against_the_schema() {
    let validator = schema_validator();
    let mut failures = Vec::new();
    for (name, body) in fixtures("valid") {
        if let Err(e) = spec::parse(&body) {
            failures.push(format!("{name}: parser rejects it: {e}"));
        }
        let errors = schema_errors(validator, &body);
        if !errors.is_empty() {
            failures.push(format!("{name}: schema rejects it: {}", errors.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_invalid_fixture_fails_both_the_parser_and_the_schema() {
    let validator = schema_validator();
    let mut failures = Vec::new();
    for (name, body) in fixtures("invalid") {
        if let Ok(payload) = spec::parse(&body) {
            failures.push(format!("{name}: parser accepts it as {payload:?}"));
        }
        if schema_accepts(validator, &body) {
            failures.push(format!("{name}: schema accepts it"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn parser_and_schema_agree_on_every_fixture() {
    let validator = schema_validator();
    let mut disagreements = Vec::new();
    for kind in ["valid", "invalid"] {
        for (name, body) in fixtures(kind) {
            let parser = spec::parse(&body).map(|_| ()).map_err(|e| e.to_string());
            let schema = schema_accepts(validator, &body);
            if parser.is_ok() != schema {
                disagreements.push(format!("{kind}/{name}: parser {parser:?}, schema {schema}"));
            }
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn parser_names_the_field_each_invalid_fixture_is_named_for() {
    let mut failures = Vec::new();
    for (name, body) in fixtures("invalid") {
        let Err(error) = spec::parse(&body) else {
            failures.push(format!("{name}: parsed"));
            continue;
        };
        let field = expected_field(&name);
        let is_body_problem = BODY_PREFIXES.iter().any(|p| name.starts_with(p));
        if field.is_none() && !is_body_problem {
            failures.push(format!("{name}: the name follows no scheme in the README"));
            continue;
        }
        if error.field() != field {
            failures.push(format!("{name}: expected field {field:?}, got `{error}`"));
        }
        let variant_matches = match &error {
            ParseError::MissingField { .. } => name.ends_with("-missing.json"),
            ParseError::NotAnObject { .. } => name.starts_with("not-an-object-"),
            ParseError::InvalidJson(_) => name.starts_with("malformed-json-"),
            ParseError::InvalidUtf8 { .. } => name.starts_with("invalid-utf8"),
            ParseError::WrongType { .. } | ParseError::InvalidValue { .. } => {
                field.is_some() && !name.ends_with("-missing.json")
            }
            ParseError::BlankSessionId => {
                name.ends_with("-blank.json") || name.ends_with("-space-only.json")
            }
            ParseError::TooLarge { .. } | ParseError::TooDeep { .. } => false,
        };
        if !variant_matches {
            failures.push(format!("{name}: unexpected kind of error `{error}`"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn invalid_fixtures_are_graded_as_spec_d12_says() {
    for (name, body) in fixtures("invalid") {
        let error = spec::parse(&body).expect_err(&name);
        // A `sessionId` of only whitespace is off-contract (SPEC D-15).
        let blank = name.ends_with("-blank.json") || name.ends_with("-space-only.json");
        let expected = match expected_field(&name) {
            Some("sessionId") if blank => Grade::OffContract,
            Some("sessionId" | "status") | None => Grade::Unprocessable,
            Some(_) => Grade::OffContract,
        };
        assert_eq!(error.grade(), expected, "{name}: `{error}`");
    }
}

#[test]
fn valid_fixtures_cover_every_status_in_its_model_form() {
    for status in Status::ALL {
        let name = format!(
            "status-{}.json",
            status.as_str().to_lowercase().replace('_', "-")
        );
        let body = fs::read(Path::new(FIXTURES).join("payloads/valid").join(&name))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let payload = spec::parse(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(payload.status, status, "{name}");
        // SPEC [D-2]: the model sender's null pattern.
        assert_eq!(
            payload.extracted_data.is_some(),
            status.is_success(),
            "{name}"
        );
        assert_eq!(payload.proof_hash.is_some(), status.is_success(), "{name}");
        // The fixture is the model sender's wire form: re-serializing changes nothing.
        let original: Value = serde_json::from_slice(&body).expect("fixture is JSON");
        assert_eq!(payload.to_value(), original, "{name}");
    }
}

#[test]
fn the_big_fixture_is_over_256_kib_and_within_the_default_limit() {
    let body = fs::read(Path::new(FIXTURES).join("payloads/valid/big-extracted-data.json"))
        .expect("the big fixture exists");
    assert!(body.len() > 256 * 1024, "only {} bytes", body.len());
    assert!(body.len() <= spec::Limits::default().max_body_bytes);
    let payload = spec::parse(&body).expect("SPEC [D-11]: 256 KiB and more parse");
    assert!(payload.extracted_data.is_some_and(|d| d.len() > 3));
}

#[test]
fn valid_fixtures_survive_reserialization_and_still_match_the_schema() {
    let validator = schema_validator();
    for (name, body) in fixtures("valid") {
        let first = spec::parse(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
        let bytes = first.to_json_bytes();
        let second = spec::parse(&bytes).unwrap_or_else(|e| panic!("{name} re-serialized: {e}"));
        // The wire form carries milliseconds: anything finer is truncated, nothing else changes.
        let drift = first.completed_at - second.completed_at;
        assert!(
            drift >= time::Duration::ZERO && drift < time::Duration::milliseconds(1),
            "{name}: completedAt moved by {drift}"
        );
        let mut second = second;
        second.completed_at = first.completed_at;
        assert_eq!(first, second, "{name}");
        assert!(schema_accepts(validator, &bytes), "{name} re-serialized");
    }
}

/// The characters Rust's `str::trim` and ECMA-262's `\s` disagree on, and the ones they
/// share: a sessionId of only these is blank exactly when the parser says so.
#[test]
fn parser_and_schema_agree_on_which_session_ids_are_blank() {
    let validator = schema_validator();
    let candidates = [
        "\t",
        "\n",
        "\u{b}",
        "\u{c}",
        "\r",
        " ",
        "\u{85}",
        "\u{a0}",
        "\u{1680}",
        "\u{2000}",
        "\u{200a}",
        "\u{200b}",
        "\u{2028}",
        "\u{2029}",
        "\u{202f}",
        "\u{205f}",
        "\u{3000}",
        "\u{feff}",
        "\u{180e}",
        "x",
        " x ",
        "\u{3000}x",
    ];
    for id in candidates {
        let mut value = PayloadBuilder::new(Status::Completed)
            .seed(1)
            .build()
            .to_value();
        value["sessionId"] = json!(id);
        let body = serde_json::to_vec(&value).expect("serializes");
        let parser = spec::parse(&body);
        assert_eq!(
            parser.is_ok(),
            validator.is_valid(&value),
            "sessionId {id:?}: parser {parser:?}"
        );
        assert_eq!(parser.is_err(), id.trim().is_empty(), "sessionId {id:?}");
    }
}

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
        prop::sample::select(vec![
            "COMPLETED",
            "ERROR",
            "completed",
            "",
            " ",
            "2025-03-24"
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-zA-Z]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Strings that look like RFC 3339 timestamps, right or slightly wrong.
fn timestamp_like() -> impl Strategy<Value = String> {
    (
        "[0-9]{4}",
        "(0[0-9]|1[0-3])",
        "([0-2][0-9]|3[0-2])",
        "[Tt ]",
        "([01][0-9]|2[0-5])",
        "[0-6][0-9]",
        "[0-6][0-9]",
        "(|\\.|\\.[0-9]{1,12})",
        "(Z|z|[+-](0[0-9]|2[0-5]):[0-6][0-9]|[+-][0-9]{4}|)",
    )
        .prop_map(|(y, mo, d, sep, h, mi, s, frac, off)| {
            format!("{y}-{mo}-{d}{sep}{h}:{mi}:{s}{frac}{off}")
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parser_and_schema_agree_when_one_field_is_replaced(
        status in prop::sample::select(Status::ALL.to_vec()),
        seed in any::<u64>(),
        field in prop::sample::select(spec::FIELDS.to_vec()),
        replacement in prop::option::of(any_json()),
    ) {
        let validator = schema_validator();
        let mut value = PayloadBuilder::new(status).seed(seed).build().to_value();
        let object = value.as_object_mut().expect("a payload is an object");
        match replacement {
            Some(replacement) => object.insert(field.to_owned(), replacement),
            None => object.remove(field),
        };
        let body = serde_json::to_vec(&value).expect("serializes");
        let parser = spec::parse(&body);
        prop_assert_eq!(parser.is_ok(), validator.is_valid(&value), "{} -> {:?}", value, parser);
        if let Err(error) = parser {
            prop_assert_eq!(error.field(), Some(field));
        }
    }

    #[test]
    fn parser_and_schema_agree_on_timestamp_like_strings(at in timestamp_like()) {
        let validator = schema_validator();
        let mut value = PayloadBuilder::new(Status::Completed).seed(3).build().to_value();
        value["completedAt"] = json!(at);
        let body = serde_json::to_vec(&value).expect("serializes");
        let parser = spec::parse(&body);
        prop_assert_eq!(parser.is_ok(), validator.is_valid(&value), "{:?} -> {:?}", at, parser);
    }
}
