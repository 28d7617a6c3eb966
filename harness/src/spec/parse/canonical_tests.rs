//! The fast path for canonical timestamps agrees with the full RFC 3339 parser.

use super::*;

#[test]
fn the_canonical_form_reads_as_the_full_parser_reads_it() {
    for text in [
        "2025-03-24T12:05:00.000Z",
        "2024-02-29T23:59:59.999Z",
        "0001-01-01T00:00:00.000Z",
        "9999-12-31T23:59:59.999Z",
    ] {
        let full = OffsetDateTime::parse(text, &Rfc3339).unwrap();
        assert_eq!(parse_canonical(text.as_bytes()), Some(full), "{text}");
    }
}

#[test]
fn anything_else_is_left_to_the_full_parser() {
    for text in [
        "2025-02-29T12:05:00.000Z",
        "2025-03-24T24:00:00.000Z",
        "2016-12-31T23:59:60.000Z",
        "2025-03-24t12:05:00.000Z",
        "2025-03-24T12:05:00.000z",
        "2025-03-24T12:05:00.000+00:00",
        "2025-03-24T12:05:00Z",
        "2025-03-24T12:05:00.0000Z",
        "2025-03-24T12:05:0x.000Z",
        "+025-03-24T12:05:00.000Z",
    ] {
        assert_eq!(parse_canonical(text.as_bytes()), None, "{text}");
    }
}
