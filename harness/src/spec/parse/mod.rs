//! The parser: raw bytes to a [`Payload`], bounded and total.
//!
//! It accepts everything SPEC §1 allows (unknown fields, every documented null, any
//! RFC 3339 timestamp) and names the field and the problem for everything else. It checks
//! size and nesting depth before it builds anything, so no input can make it allocate
//! without bound or recurse deeply, and it never panics.

use serde::de::IgnoredAny;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::payload::{Payload, Status};

/// Bounds on what [`parse_with`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest body, in bytes. SPEC [D-11] wants at least 256 KiB accepted.
    pub max_body_bytes: usize,
    /// Deepest nesting of arrays and objects, the top-level object counting as 1.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 1024 * 1024,
            max_depth: 32,
        }
    }
}

/// How bad a rejected input is, per SPEC [D-12].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Grade {
    /// No receiver can act on it: it MUST NOT cause a side effect.
    Unprocessable,
    /// A departure from SPEC §1 that a receiver may accept or refuse.
    OffContract,
}

/// Why a body is not a valid event. Messages read after "rejected payload: ".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The body is larger than [`Limits::max_body_bytes`].
    #[error("body is {size} bytes, over the limit of {limit}")]
    TooLarge { size: usize, limit: usize },
    /// The body is not UTF-8.
    #[error("body is not valid UTF-8 (first bad byte at offset {offset})")]
    InvalidUtf8 { offset: usize },
    /// Arrays and objects nest deeper than [`Limits::max_depth`].
    #[error("JSON nests deeper than {limit} levels")]
    TooDeep { limit: usize },
    /// The body is not JSON.
    #[error("body is not JSON: {0}")]
    InvalidJson(String),
    /// The body is JSON but not an object.
    #[error("body is {found}, not a JSON object")]
    NotAnObject { found: &'static str },
    /// A required field is absent.
    #[error("field `{field}` is missing")]
    MissingField { field: &'static str },
    /// A field has the wrong JSON type.
    #[error("field `{field}` is {found}, expected {expected}")]
    WrongType {
        field: &'static str,
        expected: &'static str,
        found: &'static str,
    },
    /// A field has the right type but a value the contract does not allow.
    #[error("field `{field}` {problem}")]
    InvalidValue {
        field: &'static str,
        problem: String,
    },
    /// `sessionId` is a non-empty string of only whitespace: off-contract (SPEC [D-15]).
    #[error("field `sessionId` is only whitespace")]
    BlankSessionId,
}

impl ParseError {
    /// The field the problem is in, when it is in one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            ParseError::MissingField { field }
            | ParseError::WrongType { field, .. }
            | ParseError::InvalidValue { field, .. } => Some(field),
            ParseError::BlankSessionId => Some("sessionId"),
            _ => None,
        }
    }

    /// Whether a receiver may act on such a body at all (SPEC [D-12]).
    pub fn grade(&self) -> Grade {
        match self {
            ParseError::InvalidUtf8 { .. }
            | ParseError::InvalidJson(_)
            | ParseError::NotAnObject { .. } => Grade::Unprocessable,
            ParseError::MissingField { field }
            | ParseError::WrongType { field, .. }
            | ParseError::InvalidValue { field, .. }
                if matches!(*field, "sessionId" | "status") =>
            {
                Grade::Unprocessable
            }
            _ => Grade::OffContract,
        }
    }
}

/// Parses a body with the default [`Limits`].
pub fn parse(body: &[u8]) -> Result<Payload, ParseError> {
    parse_with(body, Limits::default())
}

/// Parses a body within the given limits.
///
/// Checks run in the order that makes the first error the most useful one: the
/// unprocessable problems of SPEC [D-12] (not UTF-8, not JSON, no usable `sessionId` or
/// `status`) are reported before any off-contract one.
pub fn parse_with(body: &[u8], limits: Limits) -> Result<Payload, ParseError> {
    // UTF-8 validation reads the bytes once and allocates nothing, so it runs even on a
    // body over the limits: an unprocessable body is graded so whatever its size.
    let text = std::str::from_utf8(body).map_err(|e| ParseError::InvalidUtf8 {
        offset: e.valid_up_to(),
    })?;
    check_limits(text, limits)?;
    let value: Value =
        serde_json::from_str(text).map_err(|e| ParseError::InvalidJson(e.to_string()))?;
    let Value::Object(object) = value else {
        return Err(ParseError::NotAnObject {
            found: type_name(&value),
        });
    };
    payload_of(object)
}

/// Reads the fields of a body's top-level object into a [`Payload`], `sessionId` and
/// `status` first (SPEC [D-12]); what is left over is kept as its extra fields.
#[inline]
fn payload_of(mut object: Map<String, Value>) -> Result<Payload, ParseError> {
    let session_id = session_id(object.remove("sessionId"))?;
    let status = status(object.remove("status"))?;

    let platform_id = match take(&mut object, "platformId")? {
        Value::Number(n) => n,
        other => return Err(wrong_type("platformId", "a number", &other)),
    };
    let external_reference_id = nullable_string(&mut object, "externalReferenceId")?;
    // SPEC [D-14]: the three optional fields may be left out, which reads as null.
    let extracted_data = match object.remove("extractedData").unwrap_or(Value::Null) {
        Value::Null => None,
        Value::Object(map) => Some(map),
        other => return Err(wrong_type("extractedData", "an object or null", &other)),
    };
    let proof_hash = nullable_string(&mut object, "proofHash")?;
    let completed_text = required_string(object.remove("completedAt"), "completedAt")?;
    let completed_at =
        parse_rfc3339(&completed_text).map_err(|reason| ParseError::InvalidValue {
            field: "completedAt",
            problem: format!("`{completed_text}` is not an RFC 3339 timestamp ({reason})"),
        })?;
    let metadata = match take(&mut object, "metadata")? {
        Value::Object(map) => map,
        other => return Err(wrong_type("metadata", "an object", &other)),
    };

    Ok(Payload {
        session_id,
        status,
        platform_id,
        external_reference_id,
        extracted_data,
        proof_hash,
        completed_at,
        metadata,
        extra: object,
    })
}

/// The limits of a body already read as UTF-8 `text`: its size, then its nesting depth;
/// over either, the error says whether the body was unprocessable anyway.
#[inline]
fn check_limits(text: &str, limits: Limits) -> Result<(), ParseError> {
    let over_limit = if text.len() > limits.max_body_bytes {
        Some(ParseError::TooLarge {
            size: text.len(),
            limit: limits.max_body_bytes,
        })
    } else {
        check_depth(text.as_bytes(), limits.max_depth).err()
    };
    if let Some(over_limit) = over_limit {
        return Err(grade_over_limit(text, over_limit));
    }
    Ok(())
}

/// The two fields a receiver needs to act at all (SPEC [D-12]), read without building the
/// rest of the body: serde skips everything else iteratively, whatever its depth. A present
/// `null` is `Some(Value::Null)`, an absent field `None`; a field given twice keeps its last
/// copy, as the full parse does.
#[derive(Default)]
struct Head {
    session_id: Option<Value>,
    status: Option<Value>,
}

impl<'de> serde::Deserialize<'de> for Head {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(HeadVisitor)
    }
}

struct HeadVisitor;

impl<'de> serde::de::Visitor<'de> for HeadVisitor {
    type Value = Head;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Head, A::Error> {
        let mut head = Head::default();
        while let Some(key) = map.next_key::<String>()? {
            let slot = if key == "sessionId" {
                &mut head.session_id
            } else if key == "status" {
                &mut head.status
            } else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            *slot = Some(map.next_value::<ShallowValue>()?.0);
        }
        Ok(head)
    }
}

/// A value read by [`Shallow`].
struct ShallowValue(Value);

impl<'de> serde::Deserialize<'de> for ShallowValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Shallow).map(ShallowValue)
    }
}

/// Reads a scalar as itself and an array or object as an empty one, skipping its contents
/// without recursing: enough to name the type of a wrong `sessionId` or `status`.
struct Shallow;

impl<'de> serde::de::Visitor<'de> for Shallow {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Value::Array(Vec::new()))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Value::Object(Map::new()))
    }
}

/// A body over the size or depth limit is still unprocessable when it is not JSON, not an
/// object, or has no usable `sessionId` or `status`; only a body a receiver could act on
/// keeps the (off-contract) limit error. Nothing here builds the body or recurses into it.
fn grade_over_limit(text: &str, over_limit: ParseError) -> ParseError {
    let first = text
        .trim_start_matches([' ', '\t', '\n', '\r'])
        .bytes()
        .next();
    if first != Some(b'{') {
        return match serde_json::from_str::<IgnoredAny>(text) {
            Ok(_) => ParseError::NotAnObject {
                found: match first {
                    Some(b'[') => "an array",
                    Some(b'"') => "a string",
                    Some(b't' | b'f') => "a boolean",
                    Some(b'n') => "null",
                    _ => "a number",
                },
            },
            Err(e) => ParseError::InvalidJson(e.to_string()),
        };
    }
    // Not JSON outranks any field problem, as in the full parse: what the head skipped is
    // checked before `sessionId` and `status` are graded.
    let head = match serde_json::from_str::<Head>(text) {
        Ok(head) => head,
        Err(e) => return ParseError::InvalidJson(e.to_string()),
    };
    if let Err(reason) = super::skipped::check(text) {
        return ParseError::InvalidJson(reason.to_owned());
    }
    match session_id(head.session_id).and(status(head.status)) {
        Ok(_) => over_limit,
        Err(error) => error,
    }
}

fn session_id(value: Option<Value>) -> Result<String, ParseError> {
    let session_id = required_string(value, "sessionId")?;
    if session_id.is_empty() {
        return Err(ParseError::InvalidValue {
            field: "sessionId",
            problem: "is empty".into(),
        });
    }
    if session_id.trim().is_empty() {
        return Err(ParseError::BlankSessionId);
    }
    Ok(session_id)
}

fn status(value: Option<Value>) -> Result<Status, ParseError> {
    let text = required_string(value, "status")?;
    text.parse::<Status>()
        .ok()
        .filter(|status| status.as_str() == text)
        .ok_or_else(|| ParseError::InvalidValue {
            field: "status",
            problem: format!("`{text}` is not a terminal status"),
        })
}

/// Parses an RFC 3339 date-time. `time` accepts any byte between the date and the time
/// (rusqlite writes a space); RFC 3339's grammar (§5.6) allows only `T`, or `t` per its note,
/// and so does JSON Schema's `date-time`, so anything else is refused here.
fn parse_rfc3339(text: &str) -> Result<OffsetDateTime, String> {
    if let Some(at) = parse_canonical(text.as_bytes()) {
        return Ok(at);
    }
    match text.as_bytes().get(10) {
        Some(b'T' | b't') | None => {}
        Some(_) => return Err("the date and the time must be separated by `T`".into()),
    }
    OffsetDateTime::parse(text, &Rfc3339).map_err(|e| e.to_string())
}

/// The form the provider sends, `2025-03-24T12:05:00.000Z`, read directly. `None` for
/// anything else (other precisions, offsets, a leap second, an invalid date), which the full
/// RFC 3339 parser then reads or refuses with its own reason.
fn parse_canonical(text: &[u8]) -> Option<OffsetDateTime> {
    use time::{Date, Month, PrimitiveDateTime, Time};

    let shape: &[u8; 24] = text.try_into().ok()?;
    if shape[4] != b'-' || shape[7] != b'-' || shape[10] != b'T' {
        return None;
    }
    if shape[13] != b':' || shape[16] != b':' || shape[19] != b'.' || shape[23] != b'Z' {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<u32> {
        shape[from..to].iter().try_fold(0u32, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    let year = i32::try_from(number(0, 4)?).ok()?;
    let month = Month::try_from(u8::try_from(number(5, 7)?).ok()?).ok()?;
    let date = Date::from_calendar_date(year, month, u8::try_from(number(8, 10)?).ok()?).ok()?;
    let time = Time::from_hms_milli(
        u8::try_from(number(11, 13)?).ok()?,
        u8::try_from(number(14, 16)?).ok()?,
        u8::try_from(number(17, 19)?).ok()?,
        u16::try_from(number(20, 23)?).ok()?,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// Rejects nesting deeper than `limit` with a single pass over the bytes, before
/// serde_json recurses into it.
fn check_depth(bytes: &[u8], limit: usize) -> Result<(), ParseError> {
    // Nesting cannot go deeper than the number of opening brackets: counting them is one
    // branch-free pass, and a typical event has a handful, so the scan below is skipped.
    let openers = bytes.iter().filter(|&&b| b == b'{' || b == b'[').count();
    if openers <= limit {
        return Ok(());
    }
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Err(ParseError::TooDeep { limit });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn take(object: &mut Map<String, Value>, field: &'static str) -> Result<Value, ParseError> {
    object
        .remove(field)
        .ok_or(ParseError::MissingField { field })
}

fn required_string(value: Option<Value>, field: &'static str) -> Result<String, ParseError> {
    match value.ok_or(ParseError::MissingField { field })? {
        Value::String(s) => Ok(s),
        other => Err(wrong_type(field, "a string", &other)),
    }
}

fn nullable_string(
    object: &mut Map<String, Value>,
    field: &'static str,
) -> Result<Option<String>, ParseError> {
    match object.remove(field).unwrap_or(Value::Null) {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        other => Err(wrong_type(field, "a string or null", &other)),
    }
}

fn wrong_type(field: &'static str, expected: &'static str, found: &Value) -> ParseError {
    ParseError::WrongType {
        field,
        expected,
        found: type_name(found),
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod canonical_tests;
