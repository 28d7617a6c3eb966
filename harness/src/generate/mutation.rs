//! [`InvalidPayload`]: a [`ValidPayload`] with one typed [`Mutation`], graded as SPEC
//! [D-12] grades it.

use arbitrary::Arbitrary;

use super::json::{JsonText, JsonValue, MAX_VALID_DEPTH};
use super::label::{Departure, InputGrade};
use super::valid::{Field, ValidPayload, write_members};
use crate::spec::Status;

/// The parser's default body limit (1 MiB); an oversize mutation writes past it.
pub const OVERSIZE_FLOOR: usize = 1024 * 1024;
/// The deepest a depth bomb nests.
pub const MAX_BOMB_DEPTH: u16 = 20_000;

crate::closed::closed_enum! {
    /// The kinds of [`Mutation`], for coverage and reports.
    #[derive(arbitrary::Arbitrary)]
    pub enum MutationKind as "mutation kind" {
        /// A field of the wrong JSON type.
        WrongType => "wrong-type",
        /// A field left out.
        MissingField => "missing-field",
        /// A status that is not one of the five.
        UnknownStatus => "unknown-status",
        /// A status in lower case.
        LowercaseStatus => "lowercase-status",
        /// A blank `sessionId`.
        BlankSessionId => "blank-session-id",
        /// A body that is JSON but not an object.
        NotAnObject => "not-an-object",
        /// A body cut short: not JSON.
        BrokenJson => "broken-json",
        /// Bytes that are not UTF-8.
        BadUtf8 => "bad-utf8",
        /// Nesting deeper than any limit.
        DepthBomb => "depth-bomb",
        /// A body past the size limit.
        Oversize => "oversize",
        /// A field written twice, the first copy different.
        DuplicateKeys => "duplicate-keys",
    }
}

crate::closed::closed_enum! {
    /// A JSON type.
    #[derive(arbitrary::Arbitrary)]
    pub enum JsonKind as "json kind" {
        /// `null`.
        Null => "null",
        /// A boolean.
        Bool => "boolean",
        /// A number.
        Number => "number",
        /// A string.
        String => "string",
        /// An array.
        Array => "array",
        /// An object.
        Object => "object",
    }
}

impl JsonKind {
    /// Whether SPEC §1 allows this type for the field.
    pub const fn allowed_for(self, field: Field) -> bool {
        match field {
            Field::SessionId | Field::Status | Field::CompletedAt => {
                matches!(self, JsonKind::String)
            }
            Field::PlatformId => matches!(self, JsonKind::Number),
            Field::ExternalReferenceId | Field::ProofHash => {
                matches!(self, JsonKind::String | JsonKind::Null)
            }
            Field::ExtractedData => matches!(self, JsonKind::Object | JsonKind::Null),
            Field::Metadata => matches!(self, JsonKind::Object),
        }
    }

    /// This kind if SPEC §1 does not allow it for the field, else the next one that it
    /// does not allow.
    pub fn wrong_for(self, field: Field) -> JsonKind {
        let start = JsonKind::ALL.iter().position(|&k| k == self).unwrap_or(0);
        (0..JsonKind::ALL.len())
            .map(|i| JsonKind::ALL[(start + i) % JsonKind::ALL.len()])
            .find(|kind| !kind.allowed_for(field))
            .unwrap_or(JsonKind::Array)
    }

    /// A sample value of this type.
    pub fn sample(self) -> JsonValue {
        match self {
            JsonKind::Null => JsonValue::Null,
            JsonKind::Bool => JsonValue::Bool(true),
            JsonKind::Number => JsonValue::Int(7),
            JsonKind::String => JsonValue::Text(JsonText::plain("seven")),
            JsonKind::Array => JsonValue::Array(vec![JsonValue::Int(1)]),
            JsonKind::Object => JsonValue::Object(vec![(JsonText::plain("a"), JsonValue::Null)]),
        }
    }
}

/// Bytes that are not UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Arbitrary)]
pub enum BadUtf8 {
    /// A continuation byte with no lead byte.
    LoneContinuation,
    /// An overlong encoding of `/`.
    Overlong,
    /// An encoded UTF-16 surrogate.
    Surrogate,
    /// A lead byte above U+10FFFF.
    TooHigh,
    /// A three-byte sequence cut after two.
    Truncated,
    /// Latin-1 text (`café`).
    Latin1,
}

impl BadUtf8 {
    const fn bytes(self) -> &'static [u8] {
        match self {
            BadUtf8::LoneContinuation => b"\x80",
            BadUtf8::Overlong => b"\xc0\xaf",
            BadUtf8::Surrogate => b"\xed\xa0\x80",
            BadUtf8::TooHigh => b"\xf5\x80\x80\x80",
            BadUtf8::Truncated => b"\xe2\x82",
            BadUtf8::Latin1 => b"caf\xe9",
        }
    }
}

/// One typed departure from SPEC §1.
#[derive(Debug, Clone, PartialEq, Arbitrary)]
pub enum Mutation {
    /// The field holds a value of another type (the kind, or the next one not allowed).
    WrongType { field: Field, kind: JsonKind },
    /// The field is left out; for a field that may be left out (SPEC [D-14]), a required
    /// one instead ([`Field::required_instead`]).
    MissingField { field: Field },
    /// `status` is this text, or this text with `?` if it is one of the five.
    UnknownStatus { text: String },
    /// `status` in lower case.
    LowercaseStatus,
    /// `sessionId` is empty or only whitespace (`blanks` picks which, from
    /// `""`, `" "`, `"\t\n"` and the ideographic space): empty is unprocessable, only
    /// whitespace off-contract (SPEC [D-12], [D-15]).
    BlankSessionId { blanks: u8 },
    /// The body is a value of this type instead of an object (an object becomes an array).
    NotAnObject { kind: JsonKind },
    /// The body is cut after `cut` bytes (modulo its length).
    BrokenJson { cut: u32 },
    /// Bytes that are not UTF-8 are inserted at `at` (modulo the length).
    BadUtf8 { at: u32, bytes: BadUtf8 },
    /// `metadata` gets a value nested `depth` arrays deep (at least past the limit).
    DepthBomb { depth: u16 },
    /// `metadata` gets a string that takes the body past 1 MiB, by `extra` bytes.
    Oversize { extra: u16 },
    /// The field is written twice; the first copy is another value, the last the real one.
    DuplicateKeys { field: Field },
}

impl Mutation {
    /// Its kind.
    pub const fn kind(&self) -> MutationKind {
        match self {
            Mutation::WrongType { .. } => MutationKind::WrongType,
            Mutation::MissingField { .. } => MutationKind::MissingField,
            Mutation::UnknownStatus { .. } => MutationKind::UnknownStatus,
            Mutation::LowercaseStatus => MutationKind::LowercaseStatus,
            Mutation::BlankSessionId { .. } => MutationKind::BlankSessionId,
            Mutation::NotAnObject { .. } => MutationKind::NotAnObject,
            Mutation::BrokenJson { .. } => MutationKind::BrokenJson,
            Mutation::BadUtf8 { .. } => MutationKind::BadUtf8,
            Mutation::DepthBomb { .. } => MutationKind::DepthBomb,
            Mutation::Oversize { .. } => MutationKind::Oversize,
            Mutation::DuplicateKeys { .. } => MutationKind::DuplicateKeys,
        }
    }

    /// How SPEC [D-12] grades the result: unprocessable when the body is not UTF-8, not
    /// JSON, not an object, or has no usable `sessionId` or `status`; off-contract for any
    /// other departure.
    pub const fn grade(&self) -> InputGrade {
        match self {
            Mutation::WrongType { field, .. } | Mutation::MissingField { field }
                if field.is_identity() =>
            {
                InputGrade::Unprocessable
            }
            Mutation::BlankSessionId { blanks } if *blanks % 4 != 0 => InputGrade::OffContract,
            Mutation::UnknownStatus { .. }
            | Mutation::LowercaseStatus
            | Mutation::BlankSessionId { .. }
            | Mutation::NotAnObject { .. }
            | Mutation::BrokenJson { .. }
            | Mutation::BadUtf8 { .. } => InputGrade::Unprocessable,
            Mutation::WrongType { .. }
            | Mutation::MissingField { .. }
            | Mutation::DepthBomb { .. }
            | Mutation::Oversize { .. }
            | Mutation::DuplicateKeys { .. } => InputGrade::OffContract,
        }
    }

    /// The item of SPEC [D-12]'s lists it is.
    pub const fn departure(&self) -> Departure {
        match self {
            Mutation::WrongType {
                field: Field::SessionId,
                ..
            } => Departure::SessionIdNotString,
            Mutation::WrongType {
                field: Field::Status,
                ..
            } => Departure::StatusNotString,
            Mutation::WrongType { .. } => Departure::FieldMistyped,
            Mutation::MissingField {
                field: Field::SessionId,
            } => Departure::SessionIdMissing,
            Mutation::MissingField {
                field: Field::Status,
            } => Departure::StatusMissing,
            Mutation::MissingField { .. } => Departure::RequiredFieldMissing,
            Mutation::UnknownStatus { .. } | Mutation::LowercaseStatus => Departure::StatusUnknown,
            Mutation::BlankSessionId { blanks } if *blanks % 4 == 0 => Departure::SessionIdEmpty,
            Mutation::BlankSessionId { .. } => Departure::SessionIdBlank,
            Mutation::NotAnObject { .. } => Departure::NotAnObject,
            Mutation::BrokenJson { .. } => Departure::NotJson,
            Mutation::BadUtf8 { .. } => Departure::InvalidUtf8,
            Mutation::DepthBomb { .. } => Departure::TooDeep,
            Mutation::Oversize { .. } => Departure::OverSize,
            Mutation::DuplicateKeys { .. } => Departure::DuplicateField,
        }
    }
}

/// A valid payload with one mutation: never a valid delivery.
#[derive(Debug, Clone, PartialEq, Arbitrary)]
pub struct InvalidPayload {
    /// The payload before the mutation.
    pub base: ValidPayload,
    /// The departure.
    pub mutation: Mutation,
}

impl InvalidPayload {
    /// How SPEC [D-12] grades it.
    pub const fn grade(&self) -> InputGrade {
        self.mutation.grade()
    }

    /// The body.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.build().0
    }

    /// The session whose effect count shows whether it was processed: the base payload's,
    /// when the body still names it intact (as the last `sessionId`, if there are two).
    pub fn observed_session(&self) -> Option<String> {
        self.build().1.then(|| self.base.session_id())
    }

    /// The body, and whether it still names the base session intact.
    fn build(&self) -> (Vec<u8>, bool) {
        let base = &self.base;
        match &self.mutation {
            Mutation::NotAnObject { kind } => return not_an_object(base, *kind),
            Mutation::BrokenJson { cut } => return broken(base, *cut),
            Mutation::BadUtf8 { at, bytes } => return bad_utf8(base, *at, *bytes),
            _ => {}
        }
        let mut members = base.members();
        self.edit(&mut members);
        let session = base.session_id();
        let intact = members.iter().any(|(key, value)| {
            key.text() == Field::SessionId.wire_name()
                && matches!(value, JsonValue::Text(text) if text.text() == session)
        });
        (write_members(&members, base.spacing()).0, intact)
    }

    /// Applies a mutation that edits the top-level members.
    fn edit(&self, members: &mut Vec<(JsonText, JsonValue)>) {
        let base = &self.base;
        let text = |t: String| JsonValue::Text(JsonText::plain(t));
        match &self.mutation {
            Mutation::WrongType { field, kind } => {
                replace(members, *field, kind.wrong_for(*field).sample());
            }
            Mutation::MissingField { field } => {
                let field = field.required_instead();
                members.retain(|(k, _)| k.text() != field.wire_name());
            }
            Mutation::UnknownStatus { text: status } => {
                let known = Status::ALL.iter().any(|s| s.as_str() == status);
                let status = if known {
                    format!("{status}?")
                } else {
                    status.clone()
                };
                replace(members, Field::Status, text(status));
            }
            Mutation::LowercaseStatus => {
                let lower = base.status().as_str().to_ascii_lowercase();
                replace(members, Field::Status, text(lower));
            }
            Mutation::BlankSessionId { blanks } => {
                let blank = ["", " ", "\t\n", "\u{3000}"][usize::from(*blanks % 4)];
                replace(members, Field::SessionId, text(blank.to_owned()));
            }
            Mutation::DepthBomb { depth } => {
                let depth = usize::from(*depth).clamp(MAX_VALID_DEPTH, MAX_BOMB_DEPTH.into());
                let raw = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
                add_to_metadata(members, "nested", JsonValue::Raw(raw.into_bytes()));
            }
            Mutation::Oversize { extra } => {
                let size = base.to_bytes().len();
                let pad = (OVERSIZE_FLOOR + usize::from(*extra) + 32).saturating_sub(size);
                add_to_metadata(members, "padding", text("x".repeat(pad)));
            }
            Mutation::DuplicateKeys { field } => {
                let first = (base.name(*field), duplicate_value(base, *field));
                let at = members
                    .iter()
                    .position(|(k, _)| k.text() == field.wire_name());
                members.insert(at.unwrap_or(0), first);
            }
            // Built whole by `build`.
            Mutation::NotAnObject { .. }
            | Mutation::BrokenJson { .. }
            | Mutation::BadUtf8 { .. } => {}
        }
    }
}

fn replace(members: &mut [(JsonText, JsonValue)], field: Field, value: JsonValue) {
    for (key, old) in members.iter_mut() {
        if key.text() == field.wire_name() {
            *old = value.clone();
        }
    }
}

fn add_to_metadata(members: &mut [(JsonText, JsonValue)], key: &str, value: JsonValue) {
    for (name, old) in members.iter_mut() {
        if name.text() == Field::Metadata.wire_name()
            && let JsonValue::Object(entries) = old
        {
            entries.retain(|(k, _)| k.text() != key);
            entries.push((JsonText::plain(key), value.clone()));
        }
    }
}

/// A first copy of the field that differs from the real (last) one.
fn duplicate_value(base: &ValidPayload, field: Field) -> JsonValue {
    match field {
        Field::SessionId => {
            JsonValue::Text(JsonText::plain(format!("{}-first", base.session_id())))
        }
        Field::Status => {
            let other = Status::ALL
                .into_iter()
                .find(|s| *s != base.status())
                .unwrap_or(Status::Completed);
            JsonValue::Text(JsonText::plain(other.as_str()))
        }
        _ => JsonValue::Null,
    }
}

fn not_an_object(base: &ValidPayload, kind: JsonKind) -> (Vec<u8>, bool) {
    let (object, _) = write_members(&base.members(), base.spacing());
    let body = match kind {
        JsonKind::Object | JsonKind::Array => {
            let mut body = b"[".to_vec();
            body.extend_from_slice(&object);
            body.push(b']');
            body
        }
        JsonKind::String => {
            let text = String::from_utf8_lossy(&object).into_owned();
            serde_json::to_vec(&text).unwrap_or_default()
        }
        other => {
            let mut writer = super::json::Writer::new(base.spacing());
            writer.value(&other.sample());
            writer.finish()
        }
    };
    (body, false)
}

fn broken(base: &ValidPayload, cut: u32) -> (Vec<u8>, bool) {
    let (body, session) = write_members(&base.members(), base.spacing());
    let cut = usize::try_from(cut).unwrap_or(0) % body.len().max(1);
    let intact = session.is_some_and(|range| range.end <= cut);
    (body[..cut].to_vec(), intact)
}

fn bad_utf8(base: &ValidPayload, at: u32, bytes: BadUtf8) -> (Vec<u8>, bool) {
    let (mut body, session) = write_members(&base.members(), base.spacing());
    let at = usize::try_from(at).unwrap_or(0) % (body.len() + 1);
    let intact = session.is_some_and(|range| at <= range.start || at >= range.end);
    body.splice(at..at, bytes.bytes().iter().copied());
    (body, intact)
}
