//! The parser's refusals and their grades: unprocessable or off-contract, as the contract
//! says, under any limits, naming the field.

use super::*;

proptest! {
    #[test]
    fn parse_never_panics_on_arbitrary_bytes_and_grades_every_error(
        bytes in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        if let Err(error) = parse(&bytes) {
            prop_assert_eq!(error.grade(), expected_grade(&error), "{}", error);
        }
    }

    #[test]
    fn parse_never_panics_on_a_damaged_payload_and_grades_every_error(
        status in prop::sample::select(Status::ALL.to_vec()),
        cut in any::<prop::sample::Index>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
    ) {
        let mut bytes = body_of(&valid_value(status));
        for (at, byte) in flips {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        bytes.truncate(cut.index(bytes.len() + 1));
        if let Err(error) = parse(&bytes) {
            prop_assert_eq!(error.grade(), expected_grade(&error), "{}", error);
        }
    }

    /// Tight limits may turn an accepted body into an off-contract refusal, but never hide
    /// that a body is unprocessable (SPEC [D-12]): a receiver relies on that grade.
    #[test]
    fn limits_never_hide_that_a_body_is_unprocessable(
        status in prop::sample::select(Status::ALL.to_vec()),
        field in prop::sample::select(vec!["sessionId", "status", "platformId", "metadata"]),
        replacement in prop::option::of(prop_oneof![
            Just(json!(null)),
            Just(json!("")),
            Just(json!("completed")),
            Just(json!([[[[1]]]])),
            Just(json!({"a": {"b": {"c": {}}}})),
        ]),
        tight_depth in 1usize..4,
        tight_size in 16usize..400,
    ) {
        let mut value = valid_value(status);
        match replacement {
            Some(replacement) => value[field] = replacement,
            None => {
                if let Some(object) = value.as_object_mut() {
                    object.remove(field);
                }
            }
        }
        let bytes = body_of(&value);
        let generous = Limits { max_body_bytes: 1 << 20, max_depth: 100 };
        let tight = Limits { max_body_bytes: tight_size, max_depth: tight_depth };
        if let Err(error) = parse_with(&bytes, generous)
            && error.grade() == Grade::Unprocessable
        {
            let under_tight = parse_with(&bytes, tight).expect_err("still invalid");
            prop_assert_eq!(under_tight.grade(), Grade::Unprocessable, "{}", under_tight);
        }
    }
}

/// SPEC [D-12], restated independently of [`ParseError::grade`].
fn expected_grade(error: &ParseError) -> Grade {
    match error {
        ParseError::InvalidUtf8 { .. }
        | ParseError::InvalidJson(_)
        | ParseError::NotAnObject { .. } => Grade::Unprocessable,
        ParseError::TooLarge { .. } | ParseError::TooDeep { .. } => Grade::OffContract,
        ParseError::BlankSessionId => Grade::OffContract,
        ParseError::MissingField { field }
        | ParseError::WrongType { field, .. }
        | ParseError::InvalidValue { field, .. } => match *field {
            "sessionId" | "status" => Grade::Unprocessable,
            _ => Grade::OffContract,
        },
    }
}

#[test]
fn bodies_graded_unprocessable_are_those_spec_d12_lists() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("not JSON", b"sessionId=1&status=COMPLETED".to_vec()),
        ("empty body", Vec::new()),
        ("not an object", b"[{\"sessionId\": \"a\"}]".to_vec()),
        ("a JSON string", b"\"COMPLETED\"".to_vec()),
        ("invalid UTF-8", b"{\"sessionId\": \"\xff\"}".to_vec()),
    ];
    for (what, body) in cases {
        let error = parse(&body).expect_err(what);
        assert_eq!(error.grade(), Grade::Unprocessable, "{what}: {error}");
        assert_eq!(error.field(), None, "{what}: {error}");
    }
    let edits: [(&str, Option<Value>); 8] = [
        ("sessionId", None),
        ("sessionId", Some(json!(""))),
        ("sessionId", Some(json!(42))),
        ("sessionId", Some(json!(null))),
        ("status", None),
        ("status", Some(json!("EXPIRED"))),
        ("status", Some(json!("completed"))),
        ("status", Some(json!(null))),
    ];
    for (field, replacement) in edits {
        let error = parse_value(&edited(field, replacement.clone())).expect_err(field);
        assert_eq!(
            error.field(),
            Some(field),
            "{field} = {replacement:?}: {error}"
        );
        assert_eq!(
            error.grade(),
            Grade::Unprocessable,
            "{field} = {replacement:?}"
        );
    }
}

#[test]
fn every_other_departure_is_graded_off_contract() {
    let edits: [(&str, Option<Value>); 9] = [
        ("platformId", None),
        ("platformId", Some(json!("12"))),
        ("externalReferenceId", Some(json!(7))),
        ("extractedData", Some(json!([]))),
        ("sessionId", Some(json!("   "))),
        ("completedAt", Some(json!("yesterday"))),
        ("completedAt", Some(json!(1742817900))),
        ("metadata", Some(json!(null))),
        ("metadata", None),
    ];
    for (field, replacement) in edits {
        let error = parse_value(&edited(field, replacement.clone())).expect_err(field);
        assert_eq!(
            error.field(),
            Some(field),
            "{field} = {replacement:?}: {error}"
        );
        assert_eq!(
            error.grade(),
            Grade::OffContract,
            "{field} = {replacement:?}"
        );
    }
}

#[test]
fn an_omitted_optional_field_reads_as_null() {
    // SPEC [D-14].
    for field in ["externalReferenceId", "extractedData", "proofHash"] {
        let payload = parse_value(&edited(field, None)).expect(field);
        let value = payload.to_value();
        assert!(value[field].is_null(), "{field}");
    }
}

#[test]
fn every_documented_null_is_accepted_for_every_status() {
    for status in Status::ALL {
        let mut value = valid_value(status);
        for field in ["externalReferenceId", "extractedData", "proofHash"] {
            value[field] = Value::Null;
        }
        let payload = parse_value(&value).unwrap_or_else(|e| panic!("{status}: {e}"));
        assert_eq!(payload.status, status);
        assert_eq!(payload.extracted_data, None);

        let mut value = valid_value(status);
        value["extractedData"] = json!({"accountHolder": "Ada Lovelace"});
        value["proofHash"] =
            json!("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert!(parse_value(&value).is_ok(), "{status} with data");
    }
}

/// `depth` levels of `{"a": …}` around an empty object.
fn nested_objects(depth: usize) -> Value {
    (0..depth).fold(json!({}), |inner, _| json!({ "a": inner }))
}

#[test]
fn metadata_nested_40_deep_is_refused_as_too_deep_and_off_contract() {
    let mut value = valid_value(Status::Completed);
    value["metadata"] = nested_objects(40);
    let error = parse_value(&value).expect_err("deeper than the default 32 levels");
    assert_eq!(error, ParseError::TooDeep { limit: 32 });
    assert_eq!(error.grade(), Grade::OffContract);

    let generous = Limits {
        max_depth: 64,
        ..Limits::default()
    };
    assert!(parse_with(&body_of(&value), generous).is_ok());
}

#[test]
fn a_deep_body_without_a_session_id_is_still_unprocessable() {
    let mut value = valid_value(Status::Completed);
    value["metadata"] = nested_objects(40);
    if let Some(object) = value.as_object_mut() {
        object.remove("sessionId");
    }
    let error = parse_value(&value).expect_err("no sessionId");
    assert_eq!(error, ParseError::MissingField { field: "sessionId" });
    assert_eq!(error.grade(), Grade::Unprocessable);
}

#[test]
fn brackets_inside_strings_do_not_count_as_nesting() {
    let mut value = valid_value(Status::Completed);
    value["metadata"]["note"] = json!("[[[[{{{{\\\"[[[[".repeat(20));
    assert!(parse_value(&value).is_ok());
}

#[test]
fn a_hundred_thousand_open_brackets_are_refused_without_overflowing_the_stack() {
    let body = vec![b'['; 100_000];
    let error = parse(&body).expect_err("not JSON");
    assert_eq!(error.grade(), Grade::Unprocessable, "{error}");

    let mut objects = b"{\"sessionId\":\"s\",\"status\":\"ERROR\",\"x\":".to_vec();
    objects.extend(b"{\"a\":".repeat(100_000));
    let error = parse(&objects).expect_err("unterminated");
    assert!(matches!(error, ParseError::InvalidJson(_)), "{error}");
    objects.extend(b"{}");
    objects.extend(b"}".repeat(100_001));
    let error = parse(&objects).expect_err("too deep");
    assert!(matches!(error, ParseError::TooDeep { .. }), "{error}");

    let unlimited = Limits {
        max_depth: usize::MAX,
        ..Limits::default()
    };
    let error = parse_with(&body, unlimited).expect_err("serde's own limit holds");
    assert_eq!(error.grade(), Grade::Unprocessable, "{error}");
}

#[test]
fn a_body_over_the_size_limit_is_refused_and_graded_by_what_it_is() {
    let mut value = valid_value(Status::Completed);
    value["extractedData"]["padding"] = json!("x".repeat(300 * 1024));
    let body = body_of(&value);
    let small = Limits {
        max_body_bytes: 256 * 1024,
        ..Limits::default()
    };
    let error = parse_with(&body, small).expect_err("over the limit");
    assert_eq!(
        error,
        ParseError::TooLarge {
            size: body.len(),
            limit: 256 * 1024
        }
    );
    assert_eq!(error.grade(), Grade::OffContract);
    assert!(
        parse(&body).is_ok(),
        "SPEC [D-11]: the default limit is above 256 KiB"
    );

    let array = body_of(&json!([value]));
    let error = parse_with(&array, small).expect_err("not an object");
    assert_eq!(error, ParseError::NotAnObject { found: "an array" });

    let mut not_utf8 = body.clone();
    not_utf8.push(0xff);
    let error = parse_with(&not_utf8, small).expect_err("not UTF-8");
    assert_eq!(error.grade(), Grade::Unprocessable, "{error}");
}

#[test]
fn the_wire_status_is_case_sensitive_but_the_command_line_one_is_not() {
    for status in Status::ALL {
        assert_eq!(status.as_str().parse::<Status>(), Ok(status));
        let lower = status.as_str().to_lowercase();
        assert_eq!(
            lower.parse::<Status>(),
            Ok(status),
            "{lower} on a command line"
        );
        let error = parse_value(&edited("status", Some(json!(lower)))).expect_err(&lower);
        assert_eq!(error.field(), Some("status"), "{lower} on the wire");
    }
    assert!("EXPIRED".parse::<Status>().is_err());
}

#[test]
fn a_date_time_separator_other_than_t_is_refused() {
    for at in [
        "2025-03-24 12:05:00Z",
        "2025-03-24_12:05:00Z",
        "2025-03-24X12:05:00Z",
    ] {
        let error = parse_value(&edited("completedAt", Some(json!(at)))).expect_err(at);
        assert_eq!(error.field(), Some("completedAt"), "{at}");
    }
}

#[test]
fn error_messages_are_lowercase_and_name_the_field() {
    let errors = [
        parse(b"nope").expect_err("not JSON"),
        parse(b"[]").expect_err("not an object"),
        parse(b"\xff").expect_err("not UTF-8"),
        parse_value(&edited("platformId", Some(json!("12")))).expect_err("wrong type"),
        parse_value(&edited("metadata", None)).expect_err("missing"),
        parse_value(&edited("status", Some(json!("EXPIRED")))).expect_err("bad value"),
    ];
    for error in errors {
        let message = error.to_string();
        assert!(message.starts_with(|c: char| c.is_lowercase()), "{message}");
        if let Some(field) = error.field() {
            assert!(message.contains(&format!("`{field}`")), "{message}");
        }
    }
}

#[test]
fn the_default_limits_accept_what_spec_d11_requires() {
    let limits = Limits::default();
    assert!(limits.max_body_bytes >= 256 * 1024);
    let mut value = valid_value(Status::PartialComplete);
    value["metadata"] = nested_objects(limits.max_depth - 2);
    assert!(
        parse_value(&value).is_ok(),
        "the deepest allowed body parses"
    );
}

#[test]
fn a_deep_body_whose_session_id_is_a_deep_array_names_session_id() {
    let mut value = valid_value(Status::Completed);
    value["metadata"] = nested_objects(40);
    let mut body = body_of(&value);
    let deep_id = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    let id_at = String::from_utf8_lossy(&body)
        .find("\"sessionId\":\"")
        .expect("the body has a sessionId");
    let id_end = body[id_at + 13..]
        .iter()
        .position(|&b| b == b'"')
        .expect("the sessionId ends")
        + id_at
        + 14;
    body.splice(id_at + 12..id_end, deep_id.bytes());
    let error = parse(&body).expect_err("sessionId is an array");
    assert_eq!(
        error,
        ParseError::WrongType {
            field: "sessionId",
            expected: "a string",
            found: "an array"
        }
    );
    assert_eq!(error.grade(), Grade::Unprocessable);
}

/// The grading the `parse_payload` fuzz target asserts under tight limits: over a limit, a
/// duplicated `sessionId` or `status` was graded off-contract, while within the limits the
/// last copy decides.
#[test]
fn a_body_over_the_limits_is_graded_by_the_last_copy_of_a_duplicated_field() {
    let tight = Limits {
        max_body_bytes: 1024 * 1024,
        max_depth: 1,
    };
    let cases: [(&str, Grade); 3] = [
        (
            r#"{"sessionId":"a","sessionId":1,"status":"ERROR","x":[]}"#,
            Grade::Unprocessable,
        ),
        (
            r#"{"sessionId":"a","status":"ERROR","status":"error","x":[]}"#,
            Grade::Unprocessable,
        ),
        (
            r#"{"sessionId":1,"sessionId":"a","status":"ERROR","x":[]}"#,
            Grade::OffContract,
        ),
    ];
    for (body, grade) in cases {
        let default = parse(body.as_bytes()).expect_err(body);
        let over = parse_with(body.as_bytes(), tight).expect_err(body);
        assert_eq!(default.grade(), grade, "{body}: {default}");
        assert_eq!(over.grade(), grade, "{body}: {over}");
    }
}

/// Found by the `parse_payload` fuzz target (an unpaired surrogate escape, grown from the
/// fixture of that name; a number beyond f64 is the same gap): over a limit, such a body was
/// graded off-contract, while within the limits it is not JSON, so unprocessable.
#[test]
fn a_body_over_the_limits_that_serde_json_cannot_build_is_still_unprocessable() {
    let tight = Limits {
        max_body_bytes: 64,
        max_depth: 32,
    };
    for bad in [r#""Ada \ud800 Lovelace""#, "1e400"] {
        let mut text = String::from_utf8(body_of(&valid_value(Status::Completed))).unwrap();
        text.insert_str(1, &format!(r#""note":{bad},"#));
        let default = parse(text.as_bytes()).expect_err(&text);
        let over = parse_with(text.as_bytes(), tight).expect_err(&text);
        assert_eq!(default.grade(), Grade::Unprocessable, "{text}: {default}");
        assert_eq!(over.grade(), Grade::Unprocessable, "{text}: {over}");
    }
}

/// Found by the `parse_payload` fuzz target in CI: a blank `sessionId` (off-contract) beside
/// an unpaired surrogate elsewhere. The full parse says not JSON; over a limit the blank
/// `sessionId` was graded first, so the body read as off-contract.
#[test]
fn not_json_outranks_a_blank_session_id_over_the_limits() {
    let tight = Limits {
        max_body_bytes: 64,
        max_depth: 32,
    };
    let mut value = valid_value(Status::Completed);
    value["sessionId"] = Value::from("\u{3000}");
    let text = String::from_utf8(body_of(&value)).unwrap();
    let text = text.replacen('{', r#"{"note":"hook\ud800eck","#, 1);
    let default = parse(text.as_bytes()).expect_err(&text);
    let over = parse_with(text.as_bytes(), tight).expect_err(&text);
    assert!(
        matches!(default, ParseError::InvalidJson(_)),
        "{text}: {default}"
    );
    assert!(matches!(over, ParseError::InvalidJson(_)), "{text}: {over}");
}
