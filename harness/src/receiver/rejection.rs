//! Why a delivery was not accepted, and the short JSON error body it becomes.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::log::{DeliveryLog, DeliveryOutcome};

/// Why a delivery was not accepted; becomes a short JSON error body.
pub struct Rejection {
    /// The answer's status code.
    pub code: StatusCode,
    /// One line for the `error` field and the delivery log.
    pub reason: String,
    /// The field at fault, if any.
    pub field: Option<&'static str>,
    /// A `Location` header, if any.
    pub location: Option<&'static str>,
}

impl Rejection {
    /// A rejection with no field and no location.
    pub fn new(code: StatusCode, reason: impl Into<String>) -> Self {
        Rejection {
            code,
            reason: reason.into(),
            field: None,
            location: None,
        }
    }
}

impl Rejection {
    /// The answer, with the refusal written into the delivery's `log`.
    pub fn logged(self, log: &mut DeliveryLog) -> Response {
        log.code = self.code.as_u16();
        log.outcome = DeliveryOutcome::Rejected {
            reason: self.reason.clone(),
        };
        self.into_response()
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let mut response = error_response(self.code, &self.reason, self.field);
        if let Some(location) = self.location {
            response
                .headers_mut()
                .insert(header::LOCATION, HeaderValue::from_static(location));
        }
        response
    }
}

/// `{"error": reason}`, with `"field"` when there is one.
pub fn error_response(code: StatusCode, reason: &str, field: Option<&str>) -> Response {
    let body = match field {
        Some(field) => json!({ "error": reason, "field": field }),
        None => json!({ "error": reason }),
    };
    (code, Json(body)).into_response()
}
