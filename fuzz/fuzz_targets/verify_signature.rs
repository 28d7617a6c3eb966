//! The Standard Webhooks verifier (`standard_webhooks::Verifier::verify`, STANDARD-WEBHOOKS.md
//! [SW-6], [SW-8], [SW-10]). The input is a delivery as text lines: `webhook-id`,
//! `webhook-timestamp`, `webhook-signature`, then the body (the rest, any bytes), so a seed is
//! a readable delivery; the secret is the specification's public test-vector secret.
//!
//! - Any headers and body, verified at any clock: no panic; an accepted delivery carries the
//!   id and timestamp it was verified with.
//! - The signer's headers (`signed_headers`) for the input's id, timestamp and body verify at
//!   that time and up to the tolerance either side, also after a rotated-out key's signature
//!   and unknown versions; flipping any body byte, or a clock one second past the tolerance
//!   either way, fails.

#![no_main]

use axum::http::{HeaderMap, HeaderValue};
use hookcheck::standard_webhooks::{
    DEFAULT_TOLERANCE, Header, Secret, UNKNOWN_ENTRIES, Verifier, VerifyError, signed_headers,
};
use libfuzzer_sys::fuzz_target;

/// The specification's test-vector secret, public.
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// The timestamp the properties sign at when the input's is not whole seconds.
const FALLBACK_TIMESTAMP: i64 = 1_614_265_330;

/// The most body positions one input flips.
const FLIPS: usize = 16;

/// The input split into its three header lines and the body.
struct Delivery<'a> {
    id: &'a [u8],
    timestamp: &'a [u8],
    signature: &'a [u8],
    body: &'a [u8],
}

impl<'a> Delivery<'a> {
    fn split(data: &'a [u8]) -> Delivery<'a> {
        let mut parts = data.splitn(4, |&b| b == b'\n');
        let mut next = || parts.next().unwrap_or_default();
        Delivery {
            id: next(),
            timestamp: next(),
            signature: next(),
            body: next(),
        }
    }

    /// The headers as sent: each one that is a header value at all.
    fn headers(&self) -> HeaderMap {
        let mut map = HeaderMap::new();
        let lines = [
            (Header::Id, self.id),
            (Header::Timestamp, self.timestamp),
            (Header::Signature, self.signature),
        ];
        for (name, bytes) in lines {
            if let Ok(value) = HeaderValue::from_bytes(bytes) {
                map.insert(name.as_str(), value);
            }
        }
        map
    }
}

fn header_map(headers: [(Header, String); 3]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.insert(
            name.as_str(),
            HeaderValue::from_str(&value).expect("signed headers are header values"),
        );
    }
    map
}

/// Any input at any clock: never a panic; an accepted one names what it was verified with.
fn verify_as_sent(verifier: &Verifier, delivery: &Delivery, timestamp: Option<i64>) {
    let headers = delivery.headers();
    let clocks = [timestamp.unwrap_or(0), 0, i64::MIN, i64::MAX, -1];
    for now in clocks {
        if let Ok(verified) = verifier.verify(&headers, delivery.body, now) {
            assert_eq!(
                Some(verified.timestamp),
                timestamp,
                "verified another timestamp"
            );
            assert_eq!(verified.id.as_bytes(), delivery.id.trim_ascii());
        }
    }
}

/// The signer's headers verify within the tolerance and fail one second past it.
fn signed_round_trip(verifier: &Verifier, secret: &Secret, id: &str, at: i64, body: &[u8]) {
    let headers = header_map(signed_headers(std::slice::from_ref(secret), id, at, body));
    let tolerance = i64::try_from(DEFAULT_TOLERANCE.as_secs()).expect("minutes fit");
    for now in [at, at - tolerance, at + tolerance] {
        let verified = verifier
            .verify(&headers, body, now)
            .expect("the signer's headers verify");
        assert_eq!((verified.id, verified.timestamp), (id, at));
    }
    let stale = verifier.verify(&headers, body, at + tolerance + 1);
    assert!(
        matches!(stale, Err(VerifyError::TooOld { .. })),
        "{stale:?}"
    );
    let early = verifier.verify(&headers, body, at - tolerance - 1);
    assert!(
        matches!(early, Err(VerifyError::TooNew { .. })),
        "{early:?}"
    );
    rotated(verifier, &headers, id, body, at);
    flipped(verifier, &headers, body, at);
}

/// A rotated-out key's signature before, and unknown versions after, change nothing.
fn rotated(verifier: &Verifier, headers: &HeaderMap, id: &str, body: &[u8], at: i64) {
    let mut rotated = headers.clone();
    let signature = headers[Header::Signature.as_str()].to_str().expect("ASCII");
    let other = Secret::from_key(b"a key being rotated out".to_vec()).expect("not empty");
    let [_, _, (_, old)] = signed_headers(&[other], id, at, body);
    let value = format!("{old} {signature} {}", UNKNOWN_ENTRIES.join(" "));
    rotated.insert(
        Header::Signature.as_str(),
        HeaderValue::from_str(&value).expect("ASCII"),
    );
    assert!(
        verifier.verify(&rotated, body, at).is_ok(),
        "a rotation broke verification"
    );
}

/// Any one body byte changed fails: up to [`FLIPS`] positions spread over the body.
fn flipped(verifier: &Verifier, headers: &HeaderMap, body: &[u8], at: i64) {
    let step = body.len().div_ceil(FLIPS).max(1);
    let mut changed = body.to_vec();
    for at_byte in (0..body.len()).step_by(step) {
        let mask = 1u8 << (at_byte % 8);
        changed[at_byte] ^= mask;
        let verified = verifier.verify(headers, &changed, at);
        assert_eq!(
            verified,
            Err(VerifyError::NoMatch),
            "byte {at_byte} flipped still verifies"
        );
        changed[at_byte] ^= mask;
    }
}

fuzz_target!(|data: &[u8]| {
    let secret: Secret = SECRET.parse().expect("the test-vector secret parses");
    let verifier = Verifier::new(secret.clone(), DEFAULT_TOLERANCE);
    let delivery = Delivery::split(data);
    let timestamp = std::str::from_utf8(delivery.timestamp.trim_ascii())
        .ok()
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|t| t.parse::<i64>().ok());
    verify_as_sent(&verifier, &delivery, timestamp);
    // The id as a header carries it: visible ASCII, nothing to trim.
    let id = std::str::from_utf8(delivery.id)
        .ok()
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_graphic()));
    if let Some(id) = id {
        // Far enough from the ends of `i64` that the clocks around it exist.
        let at = timestamp.map_or(FALLBACK_TIMESTAMP, |t| t.min(i64::MAX / 2));
        signed_round_trip(&verifier, &secret, id, at, delivery.body);
    }
});
