//! The defects that inspect a body: the ones that panic on it, and the ones that refuse a
//! valid payload; and the loose reading of a body that failed the contract.

use axum::http::StatusCode;
use serde_json::Value;

use super::Defect;
use super::rejection::Rejection;
use crate::spec::{Payload, Status};

/// Where the `redirects` defect sends a valid delivery.
const REDIRECT_TARGET: &str = "/webhook/v2";

/// The defects that crash the handler on some bodies, as an `unwrap` in a real receiver
/// would. The unwinding ends this connection only (tokio catches it at the connection
/// task); the server keeps serving.
pub fn crash_on(defect: Option<Defect>, body: &[u8]) {
    let Some(
        defect @ (Defect::CrashesOnMissingSessionId
        | Defect::PanicsOnUnknownStatus
        | Defect::CrashesOnUnicode),
    ) = defect
    else {
        return;
    };
    let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let why = match defect {
        Defect::CrashesOnMissingSessionId => object
            .get("sessionId")
            .and_then(Value::as_str)
            .is_none()
            .then_some("sessionId is not a string"),
        Defect::PanicsOnUnknownStatus => object
            .get("status")
            .and_then(Value::as_str)
            .filter(|status| !Status::ALL.iter().any(|s| s.as_str() == *status))
            .map(|_| "unknown status"),
        _ => (!object.values().all(all_ascii)).then_some("a string is not ASCII"),
    };
    if let Some(why) = why {
        crash(defect, why);
    }
}

/// Unwinds like a panic, with one short stderr line instead of the panic hook's message
/// (and backtrace, when `RUST_BACKTRACE` is set): a storm of those would bury the log.
fn crash(defect: Defect, why: &str) -> ! {
    let message = format!("defect {defect}: the handler panicked: {why}");
    eprintln!("{message}");
    std::panic::resume_unwind(Box::new(message))
}

fn all_ascii(value: &Value) -> bool {
    match value {
        Value::String(text) => text.is_ascii(),
        Value::Array(items) => items.iter().all(all_ascii),
        Value::Object(object) => object.iter().all(|(k, v)| k.is_ascii() && all_ascii(v)),
        Value::Null | Value::Bool(_) | Value::Number(_) => true,
    }
}

/// The defects that refuse a valid payload.
pub fn refuse_valid(
    defect: Option<Defect>,
    payload: &Payload,
    body: &[u8],
) -> Result<(), Rejection> {
    match defect {
        Some(Defect::RejectsUnknownFields) => {
            if let Some(name) = payload.extra.keys().next() {
                return Err(Rejection::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("unknown field `{name}`"),
                ));
            }
        }
        Some(Defect::ErrorOnNullFields) => {
            if let Some(field) = null_field(payload) {
                return Err(Rejection::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("field `{field}` is null"),
                ));
            }
        }
        Some(Defect::RejectsTerminated) if payload.status == Status::Terminated => {
            return Err(Rejection::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "status TERMINATED is not supported",
            ));
        }
        Some(Defect::Redirects) => {
            return Err(Rejection {
                location: Some(REDIRECT_TARGET),
                ..Rejection::new(StatusCode::TEMPORARY_REDIRECT, "moved")
            });
        }
        Some(
            defect @ (Defect::RequiresAccountHolder
            | Defect::RejectsFutureTimestamp
            | Defect::RejectsLowercaseTimestamp
            | Defect::RejectsOmittedFields),
        ) => return super::clock_faults::refuse(defect, payload, body),
        Some(Defect::StrictTimestamp) => {
            let at = loose_field(body, "completedAt").unwrap_or_default();
            if !is_millis_utc(&at) {
                return Err(Rejection {
                    field: Some("completedAt"),
                    ..Rejection::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "completedAt must be YYYY-MM-DDTHH:MM:SS.sssZ",
                    )
                });
            }
        }
        _ => {}
    }
    Ok(())
}

fn null_field(payload: &Payload) -> Option<&'static str> {
    [
        (
            "externalReferenceId",
            payload.external_reference_id.is_none(),
        ),
        ("extractedData", payload.extracted_data.is_none()),
        ("proofHash", payload.proof_hash.is_none()),
    ]
    .into_iter()
    .find_map(|(field, is_null)| is_null.then_some(field))
}

/// Exactly `YYYY-MM-DDTHH:MM:SS.sssZ`, digits where the pattern has letters.
fn is_millis_utc(text: &str) -> bool {
    const PATTERN: &[u8] = b"dddd-dd-ddTdd:dd:dd.dddZ";
    text.len() == PATTERN.len()
        && text.bytes().zip(PATTERN).all(|(c, &p)| match p {
            b'd' => c.is_ascii_digit(),
            _ => c == p,
        })
}

/// The `sessionId` of a body that failed the contract, when it is a non-empty string.
pub fn loose_session_id(body: &[u8]) -> Option<String> {
    loose_field(body, "sessionId").filter(|id| !id.trim().is_empty())
}

/// A top-level string field of a body that may not meet the contract.
pub fn loose_field(body: &[u8], field: &str) -> Option<String> {
    // serde_json bounds its own recursion, so this is safe on any input.
    let value: Value = serde_json::from_slice(body).ok()?;
    value.get(field)?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::is_millis_utc;

    #[test]
    fn only_the_millisecond_utc_form_passes_the_strict_timestamp_check() {
        assert!(is_millis_utc("2026-01-02T03:04:05.678Z"));
        assert!(!is_millis_utc("2026-01-02T03:04:05Z"));
        assert!(!is_millis_utc("2026-01-02T03:04:05.678+00:00"));
        assert!(!is_millis_utc("2026-01-02T03:04:05.678901Z"));
        assert!(!is_millis_utc("2026-01-02t03:04:05.678z"));
    }
}
