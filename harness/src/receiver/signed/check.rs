//! Verification as the configured defect does it. Without a defect it is
//! [`Verifier::verify`] itself; each verification defect changes one step of it.

use axum::http::HeaderMap;

use super::SignedDefect;
use crate::standard_webhooks::{
    Header, Signed, Verifier, VerifyError, header, matches, signatures_in, unix_seconds,
    v1_signature,
};

/// Checks one delivery at `now` (Unix seconds); its `webhook-id` when it is accepted.
pub fn verify(
    verifier: &Verifier,
    defect: Option<SignedDefect>,
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
) -> Result<String, VerifyError> {
    match defect {
        None => verifier
            .verify(headers, body, now)
            .map(|verified| verified.id.to_owned()),
        Some(defect) => verify_defective(verifier, defect, headers, body, now),
    }
}

fn verify_defective(
    verifier: &Verifier,
    defect: SignedDefect,
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
) -> Result<String, VerifyError> {
    let id = header(headers, Header::Id)?;
    let timestamp = unix_seconds(header(headers, Header::Timestamp)?)?;
    let signatures = match header(headers, Header::Signature) {
        Err(VerifyError::Missing(_)) if defect == SignedDefect::OptionalSignature => None,
        other => Some(other?),
    };
    match (defect, verifier.check_window(timestamp, now)) {
        (SignedDefect::IgnoresTimestamp, _)
        | (SignedDefect::AcceptsFutureTimestamps, Err(VerifyError::TooNew { .. })) => {}
        (_, window) => window?,
    }
    let Some(signatures) = signatures else {
        return Ok(id.to_owned());
    };
    let signed_body = match defect {
        SignedDefect::VerifiesReserialised => reserialised(body).ok_or(VerifyError::NoMatch)?,
        _ => body.to_vec(),
    };
    let expected = verifier.expected(&Signed {
        id,
        timestamp,
        body: &signed_body,
    });
    let matched = match defect {
        SignedDefect::ComparesWithEq => signatures_in(signatures).any(|c| c == expected),
        SignedDefect::FirstSignatureOnly => signatures
            .split(' ')
            .next()
            .and_then(v1_signature)
            .is_some_and(|c| matches(&c, &expected)),
        SignedDefect::UnknownVersionFatal => {
            signatures
                .split(' ')
                .all(|entry| v1_signature(entry).is_some())
                && signatures_in(signatures).any(|c| matches(&c, &expected))
        }
        _ => signatures_in(signatures).any(|c| matches(&c, &expected)),
    };
    match matched {
        true => Ok(id.to_owned()),
        false => Err(VerifyError::NoMatch),
    }
}

/// The body parsed and serialised again, as a handler that verifies its parsed event does.
fn reserialised(body: &[u8]) -> Option<Vec<u8>> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    serde_json::to_vec(&value).ok()
}
