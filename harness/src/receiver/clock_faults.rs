//! The defects that only deliveries drawn across the valid space catch: a handler that
//! needs a documented `extractedData` key, one with no allowance for clock skew, one that
//! drops old events, one that wants an uppercase `T` and `Z`, one whose schema requires the
//! optional fields (SPEC [D-13], [D-14], [D-16], [D-3]).

use axum::http::StatusCode;
use serde_json::Value;
use time::OffsetDateTime;

use super::Defect;
use super::rejection::Rejection;
use crate::spec::Payload;

/// The fields a schema that marks everything required refuses to see left out.
const OPTIONAL: [&str; 3] = ["externalReferenceId", "extractedData", "proofHash"];

/// Whether the event ended more than a day before now (the `drops-old-events` defect).
pub fn over_a_day_old(payload: &Payload) -> bool {
    payload.completed_at < OffsetDateTime::now_utc() - time::Duration::days(1)
}

/// The answer of the defects that refuse a valid payload for one of its features.
pub fn refuse(defect: Defect, payload: &Payload, body: &[u8]) -> Result<(), Rejection> {
    let refusal = |code: StatusCode, field: &'static str, why: &str| {
        Err(Rejection {
            field: Some(field),
            ..Rejection::new(code, why)
        })
    };
    match defect {
        Defect::RequiresAccountHolder => match &payload.extracted_data {
            // `extractedData.accountHolder.trim()` on a missing key.
            Some(data) if !data.contains_key("accountHolder") => refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "extractedData",
                "internal error: cannot read property 'accountHolder' of the account data",
            ),
            _ => Ok(()),
        },
        Defect::RejectsFutureTimestamp if payload.completed_at > OffsetDateTime::now_utc() => {
            refusal(
                StatusCode::UNPROCESSABLE_ENTITY,
                "completedAt",
                "completedAt is in the future",
            )
        }
        Defect::RejectsLowercaseTimestamp => {
            let object = serde_json::from_slice::<Value>(body).unwrap_or(Value::Null);
            let at = object.get("completedAt").and_then(Value::as_str);
            if at.is_some_and(|at| at.contains(['t', 'z'])) {
                refusal(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "completedAt",
                    "completedAt must be an ISO 8601 date-time with `T` and `Z`",
                )
            } else {
                Ok(())
            }
        }
        Defect::RejectsOmittedFields => {
            let object = serde_json::from_slice::<Value>(body).unwrap_or(Value::Null);
            match OPTIONAL.into_iter().find(|f| object.get(f).is_none()) {
                Some(field) => refusal(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    field,
                    &format!("field `{field}` is required"),
                ),
                None => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{Age, Drawn, DrawnTimeForm, Keys, Pin, Presence};
    use crate::spec::{Status, parse};

    fn refused(defect: Defect, drawn: &Drawn) -> bool {
        let body = drawn.to_bytes();
        refuse(defect, &parse(&body).unwrap(), &body).is_err()
    }

    #[test]
    fn each_defect_refuses_only_its_feature() {
        let canonical = Drawn::draw(1, "c", Status::Completed, &Pin::ANY).canonical();
        for defect in [
            Defect::RequiresAccountHolder,
            Defect::RejectsFutureTimestamp,
            Defect::RejectsLowercaseTimestamp,
            Defect::RejectsOmittedFields,
        ] {
            assert!(!refused(defect, &canonical), "{defect}");
        }
        let mut other_keys = canonical.clone();
        other_keys.features.data_keys = Keys::OtherKeys;
        assert!(refused(Defect::RequiresAccountHolder, &other_keys));
        let mut ahead = canonical.clone();
        ahead.features.age = Age::Ahead;
        ahead.features.offset_ms = 60_000;
        assert!(refused(Defect::RejectsFutureTimestamp, &ahead));
        let mut lower = canonical.clone();
        lower.features.form = DrawnTimeForm::LowercaseT;
        assert!(refused(Defect::RejectsLowercaseTimestamp, &lower));
        let mut omitted = canonical.clone();
        omitted.features.proof = Presence::Omitted;
        assert!(refused(Defect::RejectsOmittedFields, &omitted));
        let mut old = canonical;
        old.features.offset_ms = -2 * 86_400_000;
        assert!(over_a_day_old(&parse(&old.to_bytes()).unwrap()));
    }
}
