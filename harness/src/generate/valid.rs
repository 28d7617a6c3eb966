//! [`ValidPayload`]: a valid event anywhere in the space SPEC §1 allows, built from
//! arbitrary bytes (`arbitrary::Unstructured`), so that fuzzers and property tests draw
//! from one generator.
//!
//! It spans every status, every combination of the nullable fields, any session id,
//! number forms of `platformId`, every RFC 3339 form of `completedAt` (fraction digits 0 to
//! 9, `Z`, `z`, offsets, `-00:00`, a lowercase `t`), unicode with astral characters and
//! every escaping, big and nested `extractedData` and `metadata`, unknown fields at the
//! top level, any field order and any whitespace. Whatever it draws parses with the
//! default [`Limits`](crate::spec::Limits): at most [`MAX_VALID_BYTES`], nesting at most
//! [`MAX_VALID_DEPTH`].

use std::ops::Range;

use arbitrary::{Arbitrary, Result, Unstructured};

use super::json::{
    Escaping, JsonText, JsonValue, MAX_VALID_DEPTH, Spacing, Writer, arbitrary_members,
};
use super::timestamp::Timestamp;
use crate::spec::Status;

/// The largest body a [`ValidPayload`] writes: well under the parser's 1 MiB default, so
/// that whitespace and escapes never push it over.
pub const MAX_VALID_BYTES: usize = 768 * 1024;

crate::closed::closed_enum! {
    /// The eight fields of SPEC §1.
    #[derive(arbitrary::Arbitrary)]
    pub enum Field as "field" {
        /// `sessionId`.
        SessionId => "session-id",
        /// `status`.
        Status => "status",
        /// `platformId`.
        PlatformId => "platform-id",
        /// `externalReferenceId`.
        ExternalReferenceId => "external-reference-id",
        /// `extractedData`.
        ExtractedData => "extracted-data",
        /// `proofHash`.
        ProofHash => "proof-hash",
        /// `completedAt`.
        CompletedAt => "completed-at",
        /// `metadata`.
        Metadata => "metadata",
    }
}

impl Field {
    /// The name on the wire.
    pub const fn wire_name(self) -> &'static str {
        match self {
            Field::SessionId => "sessionId",
            Field::Status => "status",
            Field::PlatformId => "platformId",
            Field::ExternalReferenceId => "externalReferenceId",
            Field::ExtractedData => "extractedData",
            Field::ProofHash => "proofHash",
            Field::CompletedAt => "completedAt",
            Field::Metadata => "metadata",
        }
    }

    /// Whether a receiver needs it to act at all: a problem in it makes a body
    /// unprocessable (SPEC [D-12]).
    pub const fn is_identity(self) -> bool {
        matches!(self, Field::SessionId | Field::Status)
    }

    /// Whether a sender may leave it out (SPEC [D-14]): it then reads as null.
    pub const fn is_optional(self) -> bool {
        matches!(
            self,
            Field::ExternalReferenceId | Field::ExtractedData | Field::ProofHash
        )
    }

    /// The field a "missing field" departure leaves out: itself, or, for a field that may
    /// be left out (SPEC [D-14]), a required one, so that the body really departs.
    pub const fn required_instead(self) -> Field {
        match self {
            Field::ExternalReferenceId => Field::PlatformId,
            Field::ExtractedData => Field::Metadata,
            Field::ProofHash => Field::CompletedAt,
            other => other,
        }
    }
}

/// A session id.
#[derive(Debug, Clone, PartialEq, Arbitrary)]
pub enum SessionId {
    /// A UUID, as in every example of the documentation.
    Uuid(u128),
    /// Any other non-blank string.
    Opaque(JsonText),
}

impl SessionId {
    fn text(&self) -> String {
        match self {
            SessionId::Uuid(bits) => uuid::Uuid::from_u128(*bits).to_string(),
            SessionId::Opaque(text) => {
                let text = text.text();
                if text.trim().is_empty() {
                    format!("session{text}")
                } else {
                    text
                }
            }
        }
    }

    fn escaping(&self) -> Escaping {
        match self {
            SessionId::Uuid(_) => Escaping::Minimal,
            SessionId::Opaque(text) => text.escaping(),
        }
    }
}

/// A `platformId`: any JSON number, in several written forms.
#[derive(Debug, Clone, PartialEq, Arbitrary)]
pub enum PlatformId {
    /// A small integer, as in the documentation.
    Small(u16),
    /// Any signed integer.
    Int(i64),
    /// Any unsigned integer.
    Unsigned(u64),
    /// A number with a fraction.
    Float(f64),
    /// Mantissa and exponent, `12e-3`.
    Exponent { mantissa: i32, exponent: i8 },
}

impl PlatformId {
    fn value(&self) -> JsonValue {
        match *self {
            PlatformId::Small(n) => JsonValue::Int(i64::from(n)),
            PlatformId::Int(n) => JsonValue::Int(n),
            PlatformId::Unsigned(n) => JsonValue::Raw(n.to_string().into_bytes()),
            PlatformId::Float(x) if x.is_finite() => JsonValue::Float(x),
            PlatformId::Float(_) => JsonValue::Float(0.25),
            PlatformId::Exponent { mantissa, exponent } => {
                let exponent = exponent.clamp(-30, 30);
                JsonValue::Raw(format!("{mantissa}e{exponent}").into_bytes())
            }
        }
    }
}

/// A `proofHash`.
#[derive(Debug, Clone, PartialEq, Arbitrary)]
pub enum ProofHash {
    /// `null` (SPEC [D-2]: allowed for every status).
    Null,
    /// 64 lowercase hex digits, as the model sender writes ([D-1]).
    Hex([u8; 32]),
    /// Any string: the documentation calls it opaque.
    Opaque(JsonText),
}

impl ProofHash {
    fn value(&self) -> JsonValue {
        match self {
            ProofHash::Null => JsonValue::Null,
            ProofHash::Hex(bytes) => {
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                JsonValue::Text(JsonText::plain(hex))
            }
            ProofHash::Opaque(text) => JsonValue::Text(text.clone()),
        }
    }
}

/// Which of the three nullable fields are null (SPEC §1, [D-2]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nullables {
    /// `externalReferenceId` is null.
    pub external_reference_id: bool,
    /// `extractedData` is null.
    pub extracted_data: bool,
    /// `proofHash` is null.
    pub proof_hash: bool,
}

impl Nullables {
    /// All eight combinations.
    pub fn all() -> Vec<Nullables> {
        (0..8u8)
            .map(|bits| Nullables {
                external_reference_id: bits & 1 != 0,
                extracted_data: bits & 2 != 0,
                proof_hash: bits & 4 != 0,
            })
            .collect()
    }
}

/// A valid event, anywhere in the space SPEC §1 allows.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidPayload {
    session: SessionId,
    status: Status,
    platform_id: PlatformId,
    external_reference_id: Option<JsonText>,
    extracted_data: Option<Vec<(JsonText, JsonValue)>>,
    proof_hash: ProofHash,
    completed_at: Timestamp,
    metadata: Vec<(JsonText, JsonValue)>,
    unknown: Vec<(JsonText, JsonValue)>,
    names: Escaping,
    rotation: u8,
    spacing: Spacing,
}

impl<'a> Arbitrary<'a> for ValidPayload {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        // The top-level object is level 1, `extractedData` and `metadata` level 2.
        let inner = MAX_VALID_DEPTH - 2;
        let mut payload = ValidPayload {
            session: u.arbitrary()?,
            status: *u.choose(&Status::ALL)?,
            platform_id: u.arbitrary()?,
            external_reference_id: u.arbitrary()?,
            extracted_data: if u.arbitrary()? {
                Some(arbitrary_members(u, inner)?)
            } else {
                None
            },
            proof_hash: u.arbitrary()?,
            completed_at: u.arbitrary()?,
            metadata: arbitrary_members(u, inner)?,
            unknown: unknown_members(u, MAX_VALID_DEPTH - 1)?,
            names: u.arbitrary()?,
            rotation: u.arbitrary()?,
            spacing: u.arbitrary()?,
        };
        payload.fit();
        Ok(payload)
    }
}

/// Top-level members whose names are none of the eight.
fn unknown_members(u: &mut Unstructured<'_>, depth: usize) -> Result<Vec<(JsonText, JsonValue)>> {
    let mut members = arbitrary_members(u, depth)?;
    members.retain(|(key, _)| !Field::ALL.iter().any(|f| f.wire_name() == key.text()));
    Ok(members)
}

impl ValidPayload {
    /// The session id a parser reads.
    pub fn session_id(&self) -> String {
        self.session.text()
    }

    /// The status.
    pub fn status(&self) -> Status {
        self.status
    }

    /// Which nullable fields are null.
    pub fn nullables(&self) -> Nullables {
        Nullables {
            external_reference_id: self.external_reference_id.is_none(),
            extracted_data: self.extracted_data.is_none(),
            proof_hash: self.proof_hash == ProofHash::Null,
        }
    }

    /// The timestamp `completedAt` carries.
    pub fn completed_at(&self) -> &Timestamp {
        &self.completed_at
    }

    /// Whether a top-level field the contract does not name is present (SPEC [D-4]).
    pub fn has_unknown_fields(&self) -> bool {
        !self.unknown.is_empty()
    }

    /// How deep the body nests (the top-level object is 1).
    pub fn depth(&self) -> usize {
        let members = |m: &[(JsonText, JsonValue)]| m.iter().map(|(_, v)| v.depth()).max();
        let data = self.extracted_data.as_deref().and_then(members);
        let nested = data.max(members(&self.metadata)).map_or(0, |d| d + 1);
        1 + nested.max(members(&self.unknown).unwrap_or(0))
    }

    /// The body.
    pub fn to_bytes(&self) -> Vec<u8> {
        write_members(&self.members(), self.spacing).0
    }

    /// The members of the top-level object in the order they are written: the eight
    /// fields (rotated) with the unknown ones after them.
    pub fn members(&self) -> Vec<(JsonText, JsonValue)> {
        let mut fields: Vec<(JsonText, JsonValue)> = Field::ALL
            .iter()
            .map(|&field| (self.name(field), self.value(field)))
            .collect();
        let rotation = usize::from(self.rotation) % fields.len();
        fields.rotate_left(rotation);
        fields.extend(self.unknown.iter().cloned());
        fields
    }

    /// How field names are written.
    pub fn name(&self, field: Field) -> JsonText {
        JsonText::plain(field.wire_name()).escaped(self.names)
    }

    /// The value of one field.
    pub fn value(&self, field: Field) -> JsonValue {
        let text = |t: &JsonText| JsonValue::Text(t.clone());
        match field {
            Field::SessionId => {
                JsonValue::Text(JsonText::plain(self.session_id()).escaped(self.session.escaping()))
            }
            Field::Status => {
                JsonValue::Text(JsonText::plain(self.status.as_str()).escaped(self.names))
            }
            Field::PlatformId => self.platform_id.value(),
            Field::ExternalReferenceId => self
                .external_reference_id
                .as_ref()
                .map_or(JsonValue::Null, text),
            Field::ExtractedData => self
                .extracted_data
                .clone()
                .map_or(JsonValue::Null, JsonValue::Object),
            Field::ProofHash => self.proof_hash.value(),
            Field::CompletedAt => JsonValue::Text(JsonText::plain(self.completed_at.text())),
            Field::Metadata => JsonValue::Object(self.metadata.clone()),
        }
    }

    /// The spacing the body is written with.
    pub fn spacing(&self) -> Spacing {
        self.spacing
    }

    /// Keeps the body within [`MAX_VALID_BYTES`]: repeated values are cut to one item,
    /// then, if that is not enough, the free-form objects are emptied.
    fn fit(&mut self) {
        if self.to_bytes().len() <= MAX_VALID_BYTES {
            return;
        }
        let free_form = self
            .extracted_data
            .iter_mut()
            .flatten()
            .chain(&mut self.metadata)
            .chain(&mut self.unknown);
        free_form.for_each(|(_, v)| v.shrink());
        if self.to_bytes().len() > MAX_VALID_BYTES {
            self.extracted_data = self.extracted_data.as_ref().map(|_| Vec::new());
            self.metadata.clear();
            self.unknown.clear();
            self.external_reference_id = None;
            self.proof_hash = ProofHash::Null;
            self.session = SessionId::Uuid(0);
        }
    }
}

/// Writes a top-level object and says where the `sessionId` value's bytes are (the
/// first copy, quotes included), for callers that must know whether it survived a cut.
pub fn write_members(
    members: &[(JsonText, JsonValue)],
    spacing: Spacing,
) -> (Vec<u8>, Option<Range<usize>>) {
    let mut writer = Writer::new(spacing);
    let mut session = None;
    writer.object_with(members.iter().map(|(k, v)| (k, v)), |key, range| {
        if session.is_none() && key.text() == Field::SessionId.wire_name() {
            session = Some(range);
        }
    });
    (writer.finish(), session)
}
