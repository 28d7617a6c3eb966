//! Requests that are not a valid delivery (SPEC §3 ¶7, [D-12]): each must leave the receiver
//! serving; none may be answered 5xx; the unprocessable ones must cause no side effect.

use serde_json::{Value, json};

use super::label::{Departure, InputGrade};
use super::to_bytes;
use crate::spec::Payload;

/// The size of the oversized body: far past any sensible limit.
pub const OVERSIZED_BODY_BYTES: usize = 8 * 1024 * 1024;
/// How deep the deeply nested body nests.
pub const NESTING_DEPTH: usize = 10_000;

crate::closed::closed_enum! {
    /// One bad request. Each is sent alone, followed by a valid delivery that shows whether
    /// the receiver still serves.
    #[derive(arbitrary::Arbitrary)]
    pub enum BadInput as "bad input" {
        /// A body cut off mid-object; its `sessionId` is still readable.
        MalformedJson => "malformed-json",
        /// No body at all.
        EmptyBody => "empty-body",
        /// A JSON array instead of an object.
        NotAnObject => "not-an-object",
        /// `platformId`, `metadata` and `externalReferenceId` of the wrong JSON types.
        WrongTypes => "wrong-types",
        /// `platformId`, `completedAt` and `metadata` left out.
        MissingFields => "missing-fields",
        /// A status that is not one of the five.
        UnknownStatus => "unknown-status",
        /// 10,000 nested arrays inside `metadata`.
        DeepNesting => "deep-nesting",
        /// A valid event padded to 8 MiB.
        OversizedBody => "oversized-body",
        /// Bytes that are not UTF-8 inside a string.
        InvalidUtf8 => "invalid-utf8",
        /// A valid body sent as `text/plain`.
        WrongContentType => "wrong-content-type",
        /// A GET instead of a POST.
        WrongMethod => "wrong-method",
        /// No `status`.
        StatusMissing => "status-missing",
        /// `status` in lower case (`completed`).
        StatusLowercase => "status-lowercase",
        /// `status` as a number.
        StatusNumber => "status-number",
        /// No `sessionId`.
        SessionIdMissing => "session-id-missing",
        /// `sessionId` the empty string.
        SessionIdEmpty => "session-id-empty",
        /// `sessionId` null.
        SessionIdNull => "session-id-null",
        /// `sessionId` a number.
        SessionIdNumber => "session-id-number",
        /// The body `null`.
        BodyNull => "body-null",
    }
}

/// A bad input as it goes on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRequest {
    /// `POST`, or `GET` for [`BadInput::WrongMethod`].
    pub method: &'static str,
    /// The content type, or none (the header is left out).
    pub content_type: Option<&'static str>,
    /// The body.
    pub body: Vec<u8>,
    /// The session whose effect count shows whether the input was processed, for an
    /// unprocessable input that names one the effects probe can ask about.
    pub observed_session: Option<String>,
}

impl BadInput {
    /// The ids of the inputs whose side effect can be observed
    /// ([`BadInput::observes_session`]), for the catalogue.
    pub const NO_EFFECT_IDS: &'static [&'static str] = &observable_ids();

    /// How SPEC [D-12] grades it.
    pub const fn grade(self) -> InputGrade {
        match self {
            BadInput::MalformedJson
            | BadInput::EmptyBody
            | BadInput::NotAnObject
            | BadInput::UnknownStatus
            | BadInput::InvalidUtf8
            | BadInput::WrongMethod
            | BadInput::StatusMissing
            | BadInput::StatusLowercase
            | BadInput::StatusNumber
            | BadInput::SessionIdMissing
            | BadInput::SessionIdEmpty
            | BadInput::SessionIdNull
            | BadInput::SessionIdNumber
            | BadInput::BodyNull => InputGrade::Unprocessable,
            BadInput::WrongTypes
            | BadInput::MissingFields
            | BadInput::DeepNesting
            | BadInput::OversizedBody
            | BadInput::WrongContentType => InputGrade::OffContract,
        }
    }

    /// The item of SPEC [D-12]'s lists it is.
    pub const fn departure(self) -> Departure {
        match self {
            BadInput::MalformedJson | BadInput::EmptyBody => Departure::NotJson,
            BadInput::NotAnObject | BadInput::BodyNull => Departure::NotAnObject,
            BadInput::WrongTypes => Departure::FieldMistyped,
            BadInput::MissingFields => Departure::RequiredFieldMissing,
            BadInput::UnknownStatus | BadInput::StatusLowercase => Departure::StatusUnknown,
            BadInput::DeepNesting => Departure::TooDeep,
            BadInput::OversizedBody => Departure::OverSize,
            BadInput::InvalidUtf8 => Departure::InvalidUtf8,
            BadInput::WrongContentType => Departure::ContentType,
            BadInput::WrongMethod => Departure::NotPost,
            BadInput::StatusMissing => Departure::StatusMissing,
            BadInput::StatusNumber => Departure::StatusNotString,
            BadInput::SessionIdMissing => Departure::SessionIdMissing,
            BadInput::SessionIdEmpty => Departure::SessionIdEmpty,
            BadInput::SessionIdNull | BadInput::SessionIdNumber => Departure::SessionIdNotString,
        }
    }

    /// Whether it names a session the effects probe can ask about, so that "no side effect"
    /// can be observed. An input with no `sessionId` (or an empty or null one) cannot be
    /// counted per session (SPEC §4).
    pub const fn observes_session(self) -> bool {
        matches!(
            self,
            BadInput::MalformedJson
                | BadInput::UnknownStatus
                | BadInput::InvalidUtf8
                | BadInput::StatusMissing
                | BadInput::StatusLowercase
                | BadInput::StatusNumber
                | BadInput::SessionIdNumber
        )
    }

    /// Whether refusing it by closing the connection is an answer: only a body far past
    /// any limit may be cut off unread.
    pub const fn may_close(self) -> bool {
        matches!(self, BadInput::OversizedBody)
    }

    /// The request, built from a valid payload.
    pub fn request(self, payload: &Payload) -> BadRequest {
        let mut value = payload.to_value();
        let body = self.body(payload, &mut value);
        let observed_session = self.observes_session().then(|| match self {
            BadInput::SessionIdNumber => numeric_session(payload).to_string(),
            _ => payload.session_id.clone(),
        });
        BadRequest {
            method: if self == BadInput::WrongMethod {
                "GET"
            } else {
                "POST"
            },
            content_type: match self {
                BadInput::WrongMethod => None,
                BadInput::WrongContentType => Some("text/plain"),
                _ => Some("application/json"),
            },
            body,
            observed_session,
        }
    }

    fn body(self, payload: &Payload, value: &mut Value) -> Vec<u8> {
        let object = |value: &mut Value, f: &dyn Fn(&mut serde_json::Map<String, Value>)| {
            if let Some(object) = value.as_object_mut() {
                f(object);
            }
        };
        match self {
            BadInput::MalformedJson => format!(
                r#"{{"sessionId":"{}","status":"COMPLETED","platformId":7,"#,
                payload.session_id
            )
            .into_bytes(),
            BadInput::EmptyBody | BadInput::WrongMethod => Vec::new(),
            BadInput::NotAnObject => to_bytes(&json!([payload.session_id, "COMPLETED"])),
            BadInput::BodyNull => b"null".to_vec(),
            BadInput::WrongTypes => {
                value["platformId"] = json!("seven");
                value["metadata"] = json!([1, 2, 3]);
                value["externalReferenceId"] = json!(42);
                to_bytes(value)
            }
            BadInput::MissingFields => {
                object(value, &|o| {
                    for field in ["platformId", "completedAt", "metadata"] {
                        o.remove(field);
                    }
                });
                to_bytes(value)
            }
            BadInput::UnknownStatus => with(value, "status", json!("VERIFIED")),
            BadInput::StatusLowercase => {
                let lower = payload.status.as_str().to_ascii_lowercase();
                with(value, "status", json!(lower))
            }
            BadInput::StatusNumber => with(value, "status", json!(1)),
            BadInput::StatusMissing => {
                object(value, &|o| {
                    o.remove("status");
                });
                to_bytes(value)
            }
            BadInput::SessionIdMissing => {
                object(value, &|o| {
                    o.remove("sessionId");
                });
                to_bytes(value)
            }
            BadInput::SessionIdEmpty => with(value, "sessionId", json!("")),
            BadInput::SessionIdNull => with(value, "sessionId", Value::Null),
            BadInput::SessionIdNumber => with(value, "sessionId", json!(numeric_session(payload))),
            BadInput::DeepNesting => deep_nesting(value),
            BadInput::OversizedBody => {
                value["metadata"]["padding"] = json!("x".repeat(OVERSIZED_BODY_BYTES));
                to_bytes(value)
            }
            BadInput::InvalidUtf8 => invalid_utf8(value),
            BadInput::WrongContentType => to_bytes(value),
        }
    }
}

/// The payload with one field replaced.
fn with(value: &mut Value, field: &str, replacement: Value) -> Vec<u8> {
    value[field] = replacement;
    to_bytes(value)
}

/// A number standing for the session: its first 48 bits, exact in any JSON parser.
fn numeric_session(payload: &Payload) -> u64 {
    let hex: String = payload
        .session_id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(12)
        .collect();
    u64::from_str_radix(&hex, 16).unwrap_or(4711)
}

fn deep_nesting(value: &Value) -> Vec<u8> {
    let text = String::from_utf8(to_bytes(value)).expect("serde_json writes UTF-8");
    let nested = format!("{}{}", "[".repeat(NESTING_DEPTH), "]".repeat(NESTING_DEPTH));
    text.replacen(
        "\"metadata\":{",
        &format!("\"metadata\":{{\"nested\":{nested},"),
        1,
    )
    .into_bytes()
}

fn invalid_utf8(value: &mut Value) -> Vec<u8> {
    const MARKER: &[u8] = b"INVALID_UTF8_HERE";
    value["externalReferenceId"] = json!("INVALID_UTF8_HERE");
    let text = to_bytes(value);
    let at = text
        .windows(MARKER.len())
        .position(|w| w == MARKER)
        .expect("the marker was just written");
    let mut body = text[..at].to_vec();
    body.extend_from_slice(b"caf\xe9 \xff\xfe");
    body.extend_from_slice(&text[at + MARKER.len()..]);
    body
}

const fn observable_count() -> usize {
    let mut count = 0;
    let mut i = 0;
    while i < BadInput::ALL.len() {
        if BadInput::ALL[i].observes_session() {
            count += 1;
        }
        i += 1;
    }
    count
}

const fn observable_ids() -> [&'static str; observable_count()] {
    let mut ids = [""; observable_count()];
    let (mut i, mut j) = (0, 0);
    while i < BadInput::ALL.len() {
        if BadInput::ALL[i].observes_session() {
            ids[j] = BadInput::ALL[i].as_str();
            j += 1;
        }
        i += 1;
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Grade, PayloadBuilder, Status, parse};

    fn payload() -> Payload {
        PayloadBuilder::new(Status::Completed).seed(3).build()
    }

    #[test]
    fn every_body_input_is_graded_by_the_parser_as_the_enum_says() {
        for input in BadInput::ALL.iter().copied() {
            let request = input.request(&payload());
            if matches!(input, BadInput::WrongMethod | BadInput::WrongContentType) {
                continue; // the body is fine; the method or content type is not
            }
            let limits = crate::spec::Limits::default();
            let error = crate::spec::parse_with(&request.body, limits)
                .expect_err(&format!("{input} must not parse"));
            let expected = match input.grade() {
                InputGrade::Unprocessable => Grade::Unprocessable,
                InputGrade::OffContract => Grade::OffContract,
            };
            assert_eq!(error.grade(), expected, "{input}: {error}");
        }
        assert!(parse(&BadInput::WrongContentType.request(&payload()).body).is_ok());
    }

    #[test]
    fn observed_sessions_are_the_ones_the_body_names() {
        for input in BadInput::ALL.iter().copied() {
            let request = input.request(&payload());
            assert_eq!(request.observed_session.is_some(), input.observes_session());
            if let Some(session) = &request.observed_session {
                let text = String::from_utf8_lossy(&request.body);
                assert!(text.contains(session.as_str()), "{input}: {session}");
            }
        }
        assert_eq!(BadInput::NO_EFFECT_IDS.len(), 7);
        assert!(BadInput::NO_EFFECT_IDS.contains(&"session-id-number"));
    }

    #[test]
    fn only_the_oversized_body_is_big() {
        for input in BadInput::ALL.iter().copied() {
            let size = input.request(&payload()).body.len();
            assert_eq!(
                size > OVERSIZED_BODY_BYTES,
                input == BadInput::OversizedBody,
                "{input}"
            );
        }
    }
}
