//! The payload family's valid deliveries: what each one fixes of the drawn space (its
//! [`Pin`]), the check that grades it, and the content type it goes with.

use super::drawn::{Age, Dimension, Drawn, Extra, Keys, Pin, Presence, TimeForm, fnv1a};
use crate::spec::Payload;

crate::closed::closed_enum! {
    /// Where unknown fields go (SPEC [D-4]).
    #[derive(arbitrary::Arbitrary)]
    pub enum UnknownFields as "unknown fields" {
        /// New top-level fields.
        TopLevel => "top-level",
        /// New keys inside `extractedData` and `metadata`.
        Nested => "nested",
    }
}

crate::closed::closed_enum! {
    /// RFC 3339 forms of `completedAt` other than the sender's own (SPEC [D-3]).
    #[derive(arbitrary::Arbitrary)]
    pub enum TimestampForm as "timestamp form" {
        /// Whole seconds.
        NoFraction => "no-fraction",
        /// Six fraction digits.
        Microseconds => "microseconds",
        /// Nine fraction digits.
        Nanoseconds => "nanoseconds",
        /// A positive UTC offset.
        PositiveOffset => "positive-offset",
        /// A negative UTC offset.
        NegativeOffset => "negative-offset",
        /// `+00:00`.
        PlusZero => "plus-zero",
        /// `-00:00`.
        NegativeZero => "negative-zero",
        /// A lowercase `t` separator.
        LowercaseT => "lowercase-t",
        /// A lowercase `z`.
        LowercaseZ => "lowercase-z",
    }
}

impl TimestampForm {
    /// The drawn form it pins.
    pub const fn form(self) -> TimeForm {
        match self {
            TimestampForm::NoFraction => TimeForm::NoFraction,
            TimestampForm::Microseconds => TimeForm::Microseconds,
            TimestampForm::Nanoseconds => TimeForm::Nanoseconds,
            TimestampForm::PositiveOffset => TimeForm::PositiveOffset,
            TimestampForm::NegativeOffset => TimeForm::NegativeOffset,
            TimestampForm::PlusZero => TimeForm::PlusZero,
            TimestampForm::NegativeZero => TimeForm::NegativeZero,
            TimestampForm::LowercaseT => TimeForm::LowercaseT,
            TimestampForm::LowercaseZ => TimeForm::LowercaseZ,
        }
    }
}

crate::closed::closed_enum! {
    /// The fields a sender may leave out (SPEC [D-14]).
    #[derive(arbitrary::Arbitrary)]
    pub enum Omittable as "omittable" {
        /// `externalReferenceId`.
        ExternalReferenceId => "external-reference-id",
        /// `extractedData`.
        ExtractedData => "extracted-data",
        /// `proofHash`.
        ProofHash => "proof-hash",
    }
}

crate::closed::closed_enum! {
    /// Keyings of `extractedData` other than the documented example's (SPEC [D-16]).
    #[derive(arbitrary::Arbitrary)]
    pub enum FreeFormKeys as "free form keys" {
        /// The example's keys and more.
        MoreKeys => "more-keys",
        /// Other keys, none of the example's.
        OtherKeys => "other-keys",
        /// Nested values, none of the example's keys.
        Nested => "nested",
        /// `{}`.
        NoKeys => "no-keys",
    }
}

impl FreeFormKeys {
    const fn keys(self) -> Keys {
        match self {
            FreeFormKeys::MoreKeys => Keys::MoreKeys,
            FreeFormKeys::OtherKeys => Keys::OtherKeys,
            FreeFormKeys::Nested => Keys::Nested,
            FreeFormKeys::NoKeys => Keys::NoKeys,
        }
    }
}

/// One payload-family delivery: its subject, each a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PayloadShape {
    /// Non-ASCII text in every string field.
    Unicode,
    /// Unknown fields (SPEC [D-4]).
    Unknown(UnknownFields),
    /// Exactly 256 KiB (SPEC [D-11]).
    LargeBody,
    /// `completedAt` in another RFC 3339 form (SPEC [D-3]).
    Timestamp(TimestampForm),
    /// `Content-Type: application/json; charset=utf-8`.
    CharsetParameter,
    /// `completedAt` of one age (SPEC [D-13]).
    CompletedAt(Age),
    /// An optional field left out (SPEC [D-14]).
    Omits(Omittable),
    /// `extractedData` keyed otherwise than the example (SPEC [D-16]).
    Keys(FreeFormKeys),
}

crate::closed::closed_list! {
    PayloadShape as "payload shape" {
        PayloadShape::Unicode => "unicode",
        PayloadShape::Unknown(UnknownFields::TopLevel) => "unknown-top-level",
        PayloadShape::Unknown(UnknownFields::Nested) => "unknown-nested",
        PayloadShape::LargeBody => "large-body",
        PayloadShape::Timestamp(TimestampForm::NoFraction) => "timestamp-no-fraction",
        PayloadShape::Timestamp(TimestampForm::Microseconds) => "timestamp-microseconds",
        PayloadShape::Timestamp(TimestampForm::Nanoseconds) => "timestamp-nanoseconds",
        PayloadShape::Timestamp(TimestampForm::PositiveOffset) => "timestamp-positive-offset",
        PayloadShape::Timestamp(TimestampForm::NegativeOffset) => "timestamp-negative-offset",
        PayloadShape::Timestamp(TimestampForm::PlusZero) => "timestamp-plus-zero",
        PayloadShape::Timestamp(TimestampForm::NegativeZero) => "timestamp-negative-zero",
        PayloadShape::Timestamp(TimestampForm::LowercaseT) => "timestamp-lowercase-t",
        PayloadShape::Timestamp(TimestampForm::LowercaseZ) => "timestamp-lowercase-z",
        PayloadShape::CharsetParameter => "charset-parameter",
        PayloadShape::CompletedAt(Age::YearsBack) => "completed-at-years-back",
        PayloadShape::CompletedAt(Age::DaysBack) => "completed-at-days-back",
        PayloadShape::CompletedAt(Age::Now) => "completed-at-now",
        PayloadShape::CompletedAt(Age::Ahead) => "completed-at-ahead-within-skew",
        PayloadShape::Omits(Omittable::ExternalReferenceId) => "omits-external-reference-id",
        PayloadShape::Omits(Omittable::ExtractedData) => "omits-extracted-data",
        PayloadShape::Omits(Omittable::ProofHash) => "omits-proof-hash",
        PayloadShape::Keys(FreeFormKeys::MoreKeys) => "extracted-data-more-keys",
        PayloadShape::Keys(FreeFormKeys::OtherKeys) => "extracted-data-other-keys",
        PayloadShape::Keys(FreeFormKeys::Nested) => "extracted-data-nested",
        PayloadShape::Keys(FreeFormKeys::NoKeys) => "extracted-data-no-keys",
    }
}

impl PayloadShape {
    /// The body of this shape for a payload the sender built: its session and status, the
    /// rest drawn from the session.
    pub fn body(self, payload: &Payload) -> Vec<u8> {
        drawn_for(payload, &self.pin()).to_bytes()
    }

    /// The id of the check that grades whether it is accepted.
    pub fn acceptance_check(self) -> String {
        match self {
            PayloadShape::Unicode => "payload/unicode".into(),
            PayloadShape::Unknown(u) => format!("payload/unknown-fields/{u}"),
            PayloadShape::LargeBody => "payload/large-body".into(),
            PayloadShape::Timestamp(t) => format!("payload/timestamp-forms/{t}"),
            PayloadShape::CharsetParameter => "payload/charset-parameter".into(),
            PayloadShape::CompletedAt(a) => format!("payload/completed-at-any-age/{a}"),
            PayloadShape::Omits(o) => format!("payload/optional-fields-omitted/{o}"),
            PayloadShape::Keys(k) => format!("payload/free-form-keys/{k}"),
        }
    }

    /// The drawn dimensions that are its subject: a refusal the walk pins on another one is
    /// another check's finding. The shapes whose subject is what they add (unicode, unknown
    /// fields, size, content type) have none: their addition stays in the canonical delivery.
    pub const fn subject(self) -> &'static [Dimension] {
        match self {
            PayloadShape::Timestamp(_) => &[Dimension::CompletedAtForm],
            PayloadShape::CompletedAt(_) => &[Dimension::CompletedAtAge],
            PayloadShape::Omits(Omittable::ExternalReferenceId) => {
                &[Dimension::ExternalReferenceId]
            }
            PayloadShape::Omits(Omittable::ExtractedData) => &[Dimension::ExtractedData],
            PayloadShape::Omits(Omittable::ProofHash) => &[Dimension::ProofHash],
            PayloadShape::Keys(_) => &[Dimension::ExtractedData, Dimension::ExtractedDataKeys],
            PayloadShape::Unicode
            | PayloadShape::Unknown(_)
            | PayloadShape::LargeBody
            | PayloadShape::CharsetParameter => &[],
        }
    }

    /// The content type it is sent with.
    pub const fn content_type(self) -> &'static str {
        if matches!(self, PayloadShape::CharsetParameter) {
            "application/json; charset=utf-8"
        } else {
            "application/json"
        }
    }

    /// What it fixes of the drawn space; the rest is drawn.
    pub fn pin(self) -> Pin {
        let present = Some(Presence::Present);
        match self {
            PayloadShape::Unicode => Pin {
                extra: Some(Extra::Unicode),
                reference: present,
                data: present,
                ..Pin::ANY
            },
            PayloadShape::Unknown(UnknownFields::TopLevel) => Pin {
                extra: Some(Extra::UnknownTopLevel),
                ..Pin::ANY
            },
            PayloadShape::Unknown(UnknownFields::Nested) => Pin {
                extra: Some(Extra::UnknownNested),
                data: present,
                ..Pin::ANY
            },
            PayloadShape::LargeBody => Pin {
                extra: Some(Extra::Large),
                ..Pin::ANY
            },
            PayloadShape::Timestamp(t) => Pin {
                form: Some(t.form()),
                ..Pin::ANY
            },
            PayloadShape::CharsetParameter => Pin::ANY,
            PayloadShape::CompletedAt(age) => Pin {
                age: Some(age),
                ..Pin::ANY
            },
            PayloadShape::Omits(o) => {
                let omitted = Some(Presence::Omitted);
                match o {
                    Omittable::ExternalReferenceId => Pin {
                        reference: omitted,
                        ..Pin::ANY
                    },
                    Omittable::ExtractedData => Pin {
                        data: omitted,
                        ..Pin::ANY
                    },
                    Omittable::ProofHash => Pin {
                        proof: omitted,
                        ..Pin::ANY
                    },
                }
            }
            PayloadShape::Keys(k) => Pin {
                data: present,
                data_keys: Some(k.keys()),
                ..Pin::ANY
            },
        }
    }
}

/// A drawn delivery of `payload`'s session and status, its features drawn from the session.
pub(super) fn drawn_for(payload: &Payload, pin: &Pin) -> Drawn {
    let seed = fnv1a(payload.session_id.as_bytes());
    let mut drawn = Drawn::draw(seed, "shape", payload.status, pin);
    drawn.session_id = payload.session_id.clone();
    drawn
}
