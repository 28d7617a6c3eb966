//! The auth header check (`AuthHeader::matches`): it accepts exactly the configured value,
//! refuses every `AuthMutation` of it, and its printed forms never show the value.

#![no_main]

use arbitrary::Arbitrary;
use hookcheck::auth::AuthHeader;
use hookcheck::generate::{AuthMutation, MutatedHeader};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    name: String,
    value: String,
    candidate: Vec<u8>,
    mutation: AuthMutation,
}

fuzz_target!(|input: Input| {
    let _ = format!("{}:{}", input.name, input.value).parse::<AuthHeader>();
    let Ok(auth) = AuthHeader::new(&input.name, &input.value) else {
        return;
    };
    let secret = auth.expose_value().as_bytes().to_vec();
    assert_eq!(
        secret,
        input.value.trim().as_bytes(),
        "the value is kept trimmed"
    );
    assert!(auth.matches(&secret), "the configured value is refused");
    assert_eq!(auth.matches(&input.candidate), input.candidate == secret);
    if let Ok(MutatedHeader::Value { value, .. }) = input.mutation.apply(&secret) {
        assert!(!auth.matches(&value), "{} is accepted", input.mutation);
    }
    let redacted = format!("{}: <redacted>", auth.name());
    assert_eq!(auth.to_string(), redacted);
    assert_eq!(format!("{auth:?}"), format!("AuthHeader({redacted})"));
});
