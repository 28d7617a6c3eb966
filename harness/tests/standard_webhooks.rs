//! The Standard Webhooks signature scheme against the specification's published test vector
//! (the one every official library tests: `libraries/*/tests` of
//! github.com/standard-webhooks/standard-webhooks) and against each way a delivery can be
//! wrong (STANDARD-WEBHOOKS.md §1, §2), and against the official Python package.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue};
use hookcheck::standard_webhooks::{
    DEFAULT_TOLERANCE, Header, Secret, SecretError, Signed, Verified, Verifier, VerifyError, sign,
    signature_header,
};

const VECTOR_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const VECTOR_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const VECTOR_TIMESTAMP: i64 = 1_614_265_330;
const VECTOR_BODY: &[u8] = br#"{"test": 2432232314}"#;
const VECTOR_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
/// A well-formed `v1` signature that matches nothing here (from the same libraries' tests).
const OTHER_SIGNATURE: &str = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";

fn vector() -> Signed<'static> {
    Signed {
        id: VECTOR_ID,
        timestamp: VECTOR_TIMESTAMP,
        body: VECTOR_BODY,
    }
}

fn secret() -> Secret {
    Secret::parse(VECTOR_SECRET).unwrap()
}

fn headers(id: &str, timestamp: &str, signature: &str) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (header, value) in [
        (Header::Id, id),
        (Header::Timestamp, timestamp),
        (Header::Signature, signature),
    ] {
        map.insert(header.as_str(), HeaderValue::from_str(value).unwrap());
    }
    map
}

fn vector_headers(signature: &str) -> HeaderMap {
    headers(VECTOR_ID, &VECTOR_TIMESTAMP.to_string(), signature)
}

fn verify<'a>(map: &'a HeaderMap, body: &[u8], now: i64) -> Result<Verified<'a>, VerifyError> {
    Verifier::new(secret(), DEFAULT_TOLERANCE).verify(map, body, now)
}

#[test]
fn the_published_vector_signs_and_verifies() {
    assert_eq!(sign(&secret(), &vector()), VECTOR_SIGNATURE);
    let map = vector_headers(VECTOR_SIGNATURE);
    let verified = verify(&map, VECTOR_BODY, VECTOR_TIMESTAMP).unwrap();
    assert_eq!(verified.id, VECTOR_ID);
    assert_eq!(verified.timestamp, VECTOR_TIMESTAMP);
}

#[test]
fn a_secret_reads_with_or_without_its_prefix_and_padding_and_never_prints() {
    let bare = Secret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    assert_eq!(bare, secret());
    let generated = Secret::generate();
    let text = generated.expose_text();
    assert!(text.starts_with("whsec_"), "{text}");
    assert_eq!(
        Secret::parse(text.trim_end_matches('=')).unwrap(),
        generated
    );
    assert_eq!(format!("{generated:?}"), "Secret(***)");
    assert_eq!(Secret::parse("whsec_"), Err(SecretError::Empty));
    assert_eq!(
        Secret::parse("whsec_not base64!"),
        Err(SecretError::NotBase64)
    );
}

#[test]
fn any_change_to_body_id_or_timestamp_breaks_the_signature() {
    let now = VECTOR_TIMESTAMP;
    let map = vector_headers(VECTOR_SIGNATURE);
    assert_eq!(
        verify(&map, br#"{"test":2432232314}"#, now),
        Err(VerifyError::NoMatch)
    );
    let map = headers("msg_other", &now.to_string(), VECTOR_SIGNATURE);
    assert_eq!(verify(&map, VECTOR_BODY, now), Err(VerifyError::NoMatch));
    let map = headers(VECTOR_ID, &(now + 1).to_string(), VECTOR_SIGNATURE);
    assert_eq!(verify(&map, VECTOR_BODY, now), Err(VerifyError::NoMatch));
    let wrong = Secret::generate();
    let map = vector_headers(&sign(&wrong, &vector()));
    assert_eq!(verify(&map, VECTOR_BODY, now), Err(VerifyError::NoMatch));
}

#[test]
fn each_missing_or_empty_header_is_named() {
    for missing in Header::ALL {
        let mut map = vector_headers(VECTOR_SIGNATURE);
        map.remove(missing.as_str());
        assert_eq!(
            verify(&map, VECTOR_BODY, VECTOR_TIMESTAMP),
            Err(VerifyError::Missing(missing))
        );
        map.insert(missing.as_str(), HeaderValue::from_static(""));
        assert_eq!(
            verify(&map, VECTOR_BODY, VECTOR_TIMESTAMP),
            Err(VerifyError::Missing(missing))
        );
    }
}

#[test]
fn a_timestamp_outside_the_tolerance_either_way_is_refused() {
    let map = vector_headers(VECTOR_SIGNATURE);
    let edge = i64::try_from(DEFAULT_TOLERANCE.as_secs()).unwrap();
    assert!(verify(&map, VECTOR_BODY, VECTOR_TIMESTAMP + edge).is_ok());
    assert!(verify(&map, VECTOR_BODY, VECTOR_TIMESTAMP - edge).is_ok());
    assert_eq!(
        verify(&map, VECTOR_BODY, VECTOR_TIMESTAMP + edge + 1),
        Err(VerifyError::TooOld {
            age: 301,
            tolerance: 300
        })
    );
    assert_eq!(
        verify(&map, VECTOR_BODY, VECTOR_TIMESTAMP - edge - 1),
        Err(VerifyError::TooNew {
            ahead: 301,
            tolerance: 300
        })
    );
    let tight = Verifier::new(secret(), Duration::from_secs(10));
    assert!(
        tight
            .verify(&map, VECTOR_BODY, VECTOR_TIMESTAMP + 11)
            .is_err()
    );
}

#[test]
fn a_timestamp_that_is_not_whole_seconds_is_refused() {
    for bad in [
        "1614265330.0",
        "-1614265330",
        "1e9",
        "hello",
        "99999999999999999999",
    ] {
        let map = headers(VECTOR_ID, bad, VECTOR_SIGNATURE);
        assert_eq!(
            verify(&map, VECTOR_BODY, VECTOR_TIMESTAMP),
            Err(VerifyError::BadTimestamp),
            "{bad}"
        );
    }
}

#[test]
fn one_valid_signature_among_rotated_and_unknown_ones_is_enough() {
    let listed = [
        OTHER_SIGNATURE,
        "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
        "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw==",
        "garbage",
        "v1,not-base64!",
        VECTOR_SIGNATURE,
    ];
    let map = vector_headers(&listed.join(" "));
    assert!(verify(&map, VECTOR_BODY, VECTOR_TIMESTAMP).is_ok());
    let without = vector_headers(&listed[..5].join(" "));
    assert_eq!(
        verify(&without, VECTOR_BODY, VECTOR_TIMESTAMP),
        Err(VerifyError::NoMatch)
    );
}

#[test]
fn a_sender_rotating_keys_signs_with_each() {
    let old = Secret::generate();
    let value = signature_header(&[secret(), old.clone()], &vector());
    let entries: Vec<&str> = value.split(' ').collect();
    assert_eq!(entries, [VECTOR_SIGNATURE, sign(&old, &vector()).as_str()]);
    let map = vector_headers(&value);
    let with_old = Verifier::new(old, DEFAULT_TOLERANCE);
    assert!(with_old.verify(&map, VECTOR_BODY, VECTOR_TIMESTAMP).is_ok());
}

#[test]
fn verification_errors_never_quote_a_signature() {
    let map = vector_headers(OTHER_SIGNATURE);
    let message = verify(&map, VECTOR_BODY, VECTOR_TIMESTAMP)
        .unwrap_err()
        .to_string();
    assert!(!message.contains("Ceo5"), "{message}");
    assert!(!message.contains("g0hM"), "{message}");
}

/// The official Python package (`standardwebhooks` on PyPI), run with the delivery in
/// environment variables: `verify` prints `ok` or the package's refusal; `sign` prints the
/// package's signature.
fn python(action: &str, secret: &Secret, signed: &Signed, signature: &str) -> String {
    const SCRIPT: &str = r#"
import os, sys
from datetime import datetime, timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
e = os.environ
wh = Webhook(e["SW_SECRET"])
if sys.argv[1] == "sign":
    at = datetime.fromtimestamp(int(e["SW_TIMESTAMP"]), tz=timezone.utc)
    print(wh.sign(e["SW_ID"], at, e["SW_BODY"]))
else:
    headers = {"webhook-id": e["SW_ID"], "webhook-timestamp": e["SW_TIMESTAMP"],
               "webhook-signature": e["SW_SIGNATURE"]}
    try:
        wh.verify(e["SW_BODY"], headers)
        print("ok")
    except WebhookVerificationError as error:
        print("refused:", error)
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", SCRIPT, action])
        .env("SW_SECRET", secret.expose_text())
        .env("SW_ID", signed.id)
        .env("SW_TIMESTAMP", signed.timestamp.to_string())
        .env("SW_BODY", std::str::from_utf8(signed.body).unwrap())
        .env("SW_SIGNATURE", signature)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[test]
fn the_official_python_package_verifies_our_signatures_and_we_verify_its() {
    if !hookcheck_testkit::process::python_module_installed("standardwebhooks") {
        return;
    }
    let secret = Secret::generate();
    let body = "{\"type\":\"session.completed\",\n  \"data\": {\"name\": \"Zoë\"}}";
    let signed = Signed {
        id: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
        timestamp: now(),
        body: body.as_bytes(),
    };
    let ours = signature_header(&[Secret::generate(), secret.clone()], &signed);
    assert_eq!(python("verify", &secret, &signed, &ours), "ok");
    let tampered = Signed {
        body: br#"{"type":"session.completed"}"#,
        ..signed
    };
    assert!(python("verify", &secret, &tampered, &ours).starts_with("refused"));

    let theirs = python("sign", &secret, &signed, "");
    assert_eq!(theirs, sign(&secret, &signed));
    let map = headers(signed.id, &signed.timestamp.to_string(), &theirs);
    let verifier = Verifier::new(secret, DEFAULT_TOLERANCE);
    assert!(verifier.verify(&map, signed.body, now()).is_ok());
}
