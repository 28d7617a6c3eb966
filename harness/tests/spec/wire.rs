//! The wire form: what the builder makes survives a round trip through its bytes, and
//! the builder follows the contract's decisions for every status.

use super::*;

/// Any instant the wire form can carry exactly: whole milliseconds, years 1 to 9999.
fn wire_instant() -> impl Strategy<Value = OffsetDateTime> {
    (-62_135_596_800_000i64..253_402_300_799_999).prop_map(|ms| {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .expect("the range is within time's range")
    })
}

proptest! {
    #[test]
    fn a_built_payload_survives_a_round_trip_through_its_wire_form(
        status in prop::sample::select(Status::ALL.to_vec()),
        seed in any::<u64>(),
        at in wire_instant(),
        reference in prop::option::of("\\PC{0,24}"),
        session_id in "\\PC*[^\\s]\\PC*",
    ) {
        let payload = PayloadBuilder::new(status)
            .seed(seed)
            .session_id(session_id)
            .external_reference_id(reference)
            .completed_at(at)
            .build();
        prop_assert_eq!(parse(&payload.to_json_bytes()), Ok(payload));
    }

    #[test]
    fn a_payload_built_with_the_default_clock_survives_a_round_trip(
        status in prop::sample::select(Status::ALL.to_vec()),
        seed in any::<u64>(),
    ) {
        let payload = PayloadBuilder::new(status).seed(seed).build();
        prop_assert_eq!(parse(&payload.to_json_bytes()), Ok(payload));
    }
}

#[test]
fn unknown_fields_survive_a_round_trip_at_every_level() {
    let mut value = valid_value(Status::Completed);
    value["webhookVersion"] = json!(2);
    value["attestation"] = json!({"chain": [1, null, "x"]});
    value["extractedData"]["iban"] = json!("DE89370400440532013000");
    value["metadata"]["geo"] = json!({"country": "NL"});
    let payload = parse_value(&value).expect("SPEC [D-4]: unknown fields are accepted");
    assert_eq!(payload.extra.get("webhookVersion"), Some(&json!(2)));
    assert_eq!(payload.to_value(), value);
    assert_eq!(parse(&payload.to_json_bytes()), Ok(payload));
}

#[test]
fn the_builder_follows_d1_and_d2_for_every_status() {
    for status in Status::ALL {
        for seed in 0..50 {
            let payload = PayloadBuilder::new(status).seed(seed).build();
            assert_eq!(payload.status, status);
            assert!(uuid::Uuid::parse_str(&payload.session_id).is_ok());
            if status.is_success() {
                let hash = payload
                    .proof_hash
                    .as_deref()
                    .expect("a success has a proofHash");
                assert_eq!(hash.len(), 64, "{hash}");
                assert!(
                    hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
                    "{hash}"
                );
                assert!(payload.extracted_data.is_some(), "{status}");
            } else {
                assert_eq!(payload.proof_hash, None, "{status}");
                assert_eq!(payload.extracted_data, None, "{status}");
            }
            assert_eq!(payload.completed_at.offset(), time::UtcOffset::UTC);
            assert_eq!(payload.completed_at.nanosecond() % 1_000_000, 0);
        }
    }
}

#[test]
fn a_seed_makes_the_builder_reproducible() {
    let at = datetime!(2025-03-24 12:05:00.250 UTC);
    for status in Status::ALL {
        let one = PayloadBuilder::new(status)
            .seed(42)
            .completed_at(at)
            .build();
        let two = PayloadBuilder::new(status)
            .seed(42)
            .completed_at(at)
            .build();
        assert_eq!(one, two);
        assert_eq!(one.to_json_bytes(), two.to_json_bytes());
        let other = PayloadBuilder::new(status)
            .seed(43)
            .completed_at(at)
            .build();
        assert_ne!(one.session_id, other.session_id);
    }
    let unseeded = PayloadBuilder::new(Status::Error).build();
    let again = PayloadBuilder::new(Status::Error).build();
    assert_ne!(unseeded.session_id, again.session_id);
}

#[test]
fn timestamps_serialize_in_utc_with_milliseconds_whatever_form_they_came_in() {
    let cases = [
        ("2025-03-24T12:05:00Z", "2025-03-24T12:05:00.000Z"),
        ("2025-03-24T12:05:00.5Z", "2025-03-24T12:05:00.500Z"),
        ("2025-03-24T12:05:00.123456789Z", "2025-03-24T12:05:00.123Z"),
        (
            "2025-03-24T17:35:00.123456+05:30",
            "2025-03-24T12:05:00.123Z",
        ),
        ("2025-03-24T04:05:00-08:00", "2025-03-24T12:05:00.000Z"),
        ("2025-03-24T20:05:00-08:00", "2025-03-25T04:05:00.000Z"),
        ("2025-03-24t12:05:00z", "2025-03-24T12:05:00.000Z"),
        ("2016-12-31T23:59:60Z", "2016-12-31T23:59:59.999Z"),
    ];
    for (received, sent) in cases {
        let payload = parse_value(&edited("completedAt", Some(json!(received))))
            .unwrap_or_else(|e| panic!("{received}: {e}"));
        assert_eq!(payload.to_value()["completedAt"], json!(sent), "{received}");
    }
}

/// The round trip the `parse_payload` fuzz target asserts: these are valid RFC 3339, but their
/// UTC year is -1 or 10000, which RFC 3339 cannot write (and `time` cannot hold: serializing
/// the second one panicked, the first wrote `-0001-…`, which does not parse).
#[test]
fn timestamps_whose_utc_year_leaves_0000_to_9999_survive_a_round_trip() {
    for text in [
        "0000-01-01T00:00:00+00:01",
        "9999-12-31T23:59:59.5-00:01",
        "9999-12-31T23:30:00-23:59",
    ] {
        let mut value = valid_value(Status::Completed);
        value["completedAt"] = json!(text);
        let payload = parse_value(&value).unwrap_or_else(|e| panic!("{text}: {e}"));
        let again = parse(&payload.to_json_bytes()).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(again, payload, "{text}");
    }
}

/// Found by the `parse_payload` fuzz target: without serde_json's `float_roundtrip`, a
/// 78-digit `platformId` parsed one ULP away from the nearest double, so the serialized
/// payload read back as another number.
#[test]
fn a_number_that_only_a_double_can_hold_survives_a_round_trip() {
    let digits = format!("{}12", "2".repeat(76));
    let text = String::from_utf8(body_of(&valid_value(Status::Completed))).unwrap();
    let text = text.replacen(
        "\"platformId\":",
        &format!("\"platformId\":{digits},\"_\":"),
        1,
    );
    let payload = parse(text.as_bytes()).unwrap();
    assert_eq!(payload.platform_id.as_f64(), digits.parse::<f64>().ok());
    assert_eq!(parse(&payload.to_json_bytes()).unwrap(), payload);
}
