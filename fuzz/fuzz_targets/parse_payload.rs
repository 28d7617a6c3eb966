//! The contract parser (`hookcheck::spec::parse_with`) on any bytes: it never panics; every
//! payload it accepts round-trips (serialize, parse, equal, with `completedAt` at the
//! millisecond precision the model sender writes, SPEC [D-3]); and a body is graded
//! unprocessable under tight limits exactly when it is under the default ones (SPEC [D-12]:
//! "graded so whatever its size").

#![no_main]

use hookcheck::spec::{Grade, Limits, ParseError, Payload, parse_with};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let outcome = parse_with(data, Limits::default());
    check_tight_limits(data, &outcome);
    let Ok(payload) = outcome else { return };
    let bytes = payload.to_json_bytes();
    let roomy = Limits {
        max_body_bytes: usize::MAX,
        ..Limits::default()
    };
    let again = parse_with(&bytes, roomy).unwrap_or_else(|e| {
        panic!(
            "the serialized payload does not parse ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    assert_eq!(again, at_millis(payload), "round trip changed the payload");
    assert_eq!(again.to_json_bytes(), bytes, "serializing twice differs");
});

/// The payload as it reads back: `completedAt` cut to whole milliseconds.
fn at_millis(mut payload: Payload) -> Payload {
    let nanos = payload.completed_at.nanosecond();
    let cut = payload
        .completed_at
        .replace_nanosecond(nanos - nanos % 1_000_000);
    payload.completed_at = cut.expect("a smaller nanosecond is in range");
    payload
}

fn unprocessable(outcome: &Result<Payload, ParseError>) -> bool {
    matches!(outcome, Err(e) if e.grade() == Grade::Unprocessable)
}

fn check_tight_limits(data: &[u8], outcome: &Result<Payload, ParseError>) {
    let tight = Limits {
        max_body_bytes: data.len() / 2,
        max_depth: 3,
    };
    let tight_outcome = parse_with(data, tight);
    assert_eq!(
        unprocessable(&tight_outcome),
        unprocessable(outcome),
        "tight limits grade it {tight_outcome:?}, default limits {outcome:?}"
    );
}
