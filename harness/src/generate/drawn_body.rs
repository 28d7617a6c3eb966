//! The bytes of a [`Drawn`] delivery, and its features in words.

use super::drawn::{Age, Dimension, Drawn, Extra, Keys, Order, Presence, TimeForm};
use super::json::{JsonText, JsonValue, Spacing};
use super::shapes::LARGE_BODY_BYTES;
use super::timestamp::{Offset, Timestamp};
use super::valid::{Field, write_members};
use crate::spec::Status;

type Members = Vec<(JsonText, JsonValue)>;

fn text(s: impl Into<String>) -> JsonValue {
    JsonValue::Text(JsonText::plain(s))
}

fn object(members: &[(&str, JsonValue)]) -> JsonValue {
    JsonValue::Object(
        members
            .iter()
            .map(|(k, v)| (JsonText::plain(*k), v.clone()))
            .collect(),
    )
}

impl Drawn {
    /// The body, as it goes on the wire.
    pub fn to_bytes(&self) -> Vec<u8> {
        if self.features.extra == Extra::Large {
            return self.padded();
        }
        write_members(&self.members(), self.features.spacing).0
    }

    /// The text `completedAt` carries.
    pub fn completed_at_text(&self) -> String {
        let f = &self.features;
        let (digits, offset, lowercase_t) = match f.form {
            TimeForm::Millis => (3, Offset::Z, false),
            TimeForm::NoFraction => (0, Offset::Z, false),
            TimeForm::Microseconds => (6, Offset::Z, false),
            TimeForm::Nanoseconds => (9, Offset::Z, false),
            TimeForm::PositiveOffset => (3, Offset::Minutes(f.offset_minutes), false),
            TimeForm::NegativeOffset => (3, Offset::Minutes(-f.offset_minutes), false),
            TimeForm::PlusZero => (3, Offset::Minutes(0), false),
            TimeForm::NegativeZero => (3, Offset::NegativeZero, false),
            TimeForm::LowercaseT => (3, Offset::Z, true),
            TimeForm::LowercaseZ => (3, Offset::LowerZ, false),
        };
        Timestamp::at(self.completed_at(), digits, offset, lowercase_t).text()
    }

    fn members(&self) -> Members {
        let f = &self.features;
        let unicode = f.extra == Extra::Unicode;
        let reference = if unicode {
            text("заказ-№42-注文-🚀")
        } else {
            text(f.reference_text.clone())
        };
        let optional = |presence: Presence, value: JsonValue| match presence {
            Presence::Present => Some(value),
            Presence::Null => Some(JsonValue::Null),
            Presence::Omitted => None,
        };
        let fields: Vec<(Field, Option<JsonValue>)> = vec![
            (Field::SessionId, Some(text(self.session_id.clone()))),
            (Field::Status, Some(text(self.status.as_str()))),
            (
                Field::PlatformId,
                Some(JsonValue::Int(f.platform_id.into())),
            ),
            (Field::ExternalReferenceId, optional(f.reference, reference)),
            (Field::ExtractedData, optional(f.data, self.data())),
            (
                Field::ProofHash,
                optional(f.proof, text(f.proof_hex.clone())),
            ),
            (Field::CompletedAt, Some(text(self.completed_at_text()))),
            (Field::Metadata, Some(self.metadata())),
        ];
        let mut members: Members = fields
            .into_iter()
            .filter_map(|(field, value)| Some((JsonText::plain(field.wire_name()), value?)))
            .collect();
        match f.order {
            Order::Documented => {}
            Order::Reversed => members.reverse(),
            Order::Rotated => {
                let by = usize::from(f.rotation) % members.len().max(1);
                members.rotate_left(by);
            }
        }
        if f.extra == Extra::UnknownTopLevel {
            members.push((JsonText::plain("webhookVersion"), JsonValue::Int(2)));
            members.push((
                JsonText::plain("riskAssessment"),
                object(&[
                    ("score", JsonValue::Float(0.12)),
                    ("signals", JsonValue::Array(vec![text("new-device")])),
                ]),
            ));
            members.push((
                JsonText::plain("deliveredAt"),
                text(self.completed_at_text()),
            ));
        }
        members
    }

    fn data(&self) -> JsonValue {
        const HOLDERS: [&str; 4] = [
            "Ada Lovelace",
            "Grace Hopper",
            "Alan Turing",
            "Edsger Dijkstra",
        ];
        let f = &self.features;
        let holder = HOLDERS[f.platform_id as usize % HOLDERS.len()];
        let last4 = text(format!("{:04}", f.platform_id % 10_000));
        let mut example = vec![
            ("accountHolder", text(holder)),
            ("accountType", text("checking")),
            ("accountNumberLast4", last4),
        ];
        if self.status == Status::Completed {
            let balance = object(&[("amount", text("1520.75")), ("currency", text("USD"))]);
            example.push(("balance", balance));
        }
        let value = match f.data_keys {
            Keys::Example => object(&example),
            Keys::MoreKeys => {
                example.push(("iban", text("NL91ABNA0417164300")));
                example.push(("verifiedVia", text("open-banking")));
                object(&example)
            }
            Keys::OtherKeys => object(&[
                ("accountName", text(holder)),
                ("iban", text("NL91ABNA0417164300")),
                ("routingNumber", text("021000021")),
            ]),
            Keys::Nested => object(&[
                (
                    "owners",
                    JsonValue::Array(vec![object(&[
                        ("name", text(holder)),
                        ("share", JsonValue::Float(0.5)),
                    ])]),
                ),
                (
                    "address",
                    object(&[("city", text("Delft")), ("country", text("NL"))]),
                ),
            ]),
            Keys::NoKeys => object(&[]),
        };
        self.with_extra(value, "accountOpenedAt")
    }

    fn metadata(&self) -> JsonValue {
        let attempts = JsonValue::Int(i64::from(self.features.rotation % 3 + 1));
        let example = [("source", text("hookcheck")), ("attempts", attempts)];
        let value = match self.features.metadata_keys {
            Keys::Example => object(&example),
            Keys::MoreKeys => {
                let mut more = example.to_vec();
                more.push(("region", text("eu-west-1")));
                object(&more)
            }
            Keys::OtherKeys => object(&[("sdk", text("4.2.0")), ("channel", text("web"))]),
            Keys::Nested => object(&[
                (
                    "client",
                    object(&[("sdk", object(&[("version", text("4.2.0"))]))]),
                ),
                ("tags", JsonValue::Array(vec![text("a"), text("b")])),
            ]),
            Keys::NoKeys => object(&[]),
        };
        self.with_extra(value, "sdkVersion")
    }

    /// A free-form object with what the check's extra adds to it.
    fn with_extra(&self, value: JsonValue, unknown_key: &str) -> JsonValue {
        let JsonValue::Object(mut members) = value else {
            return value;
        };
        let mut add = |k: &str, v: JsonValue| members.push((JsonText::plain(k), v));
        match self.features.extra {
            Extra::Unicode => {
                add(
                    "note",
                    text("Zoë Ærøskøbing-山田 太郎 مرحبا \u{200d}👩‍💻 ✅🔐"),
                );
                add(
                    "line",
                    text("line\nbreak\ttab \"quoted\" \\ back\u{0007}slash"),
                );
            }
            Extra::UnknownNested => {
                add(unknown_key, text("2019-07-01"));
                add("flags", object(&[("beta", JsonValue::Bool(true))]));
            }
            Extra::Nothing | Extra::UnknownTopLevel | Extra::Large => {}
        }
        JsonValue::Object(members)
    }

    /// The body padded to exactly [`LARGE_BODY_BYTES`] by a long `metadata.note`, so that
    /// every keying of `extractedData` (or none) stays as drawn.
    fn padded(&self) -> Vec<u8> {
        let mut members = self.members();
        let note = |members: &mut Members, pad: String| {
            for (key, value) in members.iter_mut() {
                if key.text() == Field::Metadata.wire_name()
                    && let JsonValue::Object(entries) = value
                {
                    entries.retain(|(k, _)| k.text() != "note");
                    entries.push((JsonText::plain("note"), text(pad.clone())));
                }
            }
        };
        note(&mut members, String::new());
        let spacing = self.features.spacing;
        let size = write_members(&members, spacing).0.len();
        note(
            &mut members,
            "x".repeat(LARGE_BODY_BYTES.saturating_sub(size)),
        );
        write_members(&members, spacing).0
    }

    /// Its features in words, the ones that differ from the canonical delivery.
    pub fn describe(&self) -> String {
        let off = self.off_canonical();
        let mut parts: Vec<String> = off.iter().map(|&d| self.feature(d)).collect();
        if parts.is_empty() {
            parts.push("the canonical delivery".into());
        }
        format!("{} with {}", self.status, parts.join(", "))
    }

    /// One feature in words, e.g. "a `completedAt` 90 s ahead of now".
    pub fn feature(&self, dimension: Dimension) -> String {
        let f = &self.features;
        let presence = |name: &str, p: Presence| match p {
            Presence::Present => format!("`{name}` present"),
            Presence::Null => format!("`{name}` null"),
            Presence::Omitted => format!("`{name}` left out"),
        };
        match dimension {
            Dimension::PlatformId => format!("`platformId` {}", f.platform_id),
            Dimension::ExternalReferenceId => presence("externalReferenceId", f.reference),
            Dimension::ExtractedData => presence("extractedData", f.data),
            Dimension::ExtractedDataKeys => keys("extractedData", f.data_keys, "accountHolder"),
            Dimension::ProofHash => presence("proofHash", f.proof),
            Dimension::CompletedAtAge => age(f.age, f.offset_ms),
            Dimension::CompletedAtForm => {
                format!(
                    "`completedAt` written `{}` ({})",
                    self.completed_at_text(),
                    f.form
                )
            }
            Dimension::MetadataKeys => keys("metadata", f.metadata_keys, "source"),
            Dimension::FieldOrder => match f.order {
                Order::Documented => "fields in the documented order".into(),
                Order::Reversed => "fields in reverse order".into(),
                Order::Rotated => format!("fields rotated by {}", f.rotation),
            },
            Dimension::Spacing => match f.spacing {
                Spacing::Compact => "no whitespace".into(),
                Spacing::Spaced => "a space after `:` and `,`".into(),
                Spacing::Pretty => "newlines and indentation".into(),
            },
        }
    }
}

fn keys(name: &str, keys: Keys, example_key: &str) -> String {
    match keys {
        Keys::Example => format!("`{name}` with the documented example's keys"),
        Keys::MoreKeys => format!("`{name}` with keys beyond the documented example's"),
        Keys::OtherKeys => {
            format!(
                "`{name}` with other keys, none of the documented example's (no `{example_key}`)"
            )
        }
        Keys::Nested => {
            format!(
                "`{name}` with nested values, none of the documented example's keys (no `{example_key}`)"
            )
        }
        Keys::NoKeys => format!("`{name}` with no keys at all (`{{}}`, no `{example_key}`)"),
    }
}

fn age(age: Age, offset_ms: i64) -> String {
    let secs = offset_ms.abs() / 1000;
    let (days, hours) = (secs / 86_400, secs % 86_400 / 3600);
    match age {
        Age::YearsBack => format!(
            "a `completedAt` {days} days (about {} years) back",
            days / 365
        ),
        Age::DaysBack => format!("a `completedAt` {days} d {hours} h back"),
        Age::Now => format!("a `completedAt` {} ms back (now)", offset_ms.abs()),
        Age::Ahead => format!("a `completedAt` {secs} s ahead of now"),
    }
}
