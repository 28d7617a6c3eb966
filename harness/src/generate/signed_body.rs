//! A Standard Webhooks payload drawn from bytes (STANDARD-WEBHOOKS.md [SW-1]): `type`,
//! `timestamp` and drawn `data`, written with drawn whitespace and escapes, so that a
//! verifier meets bodies `serde_json` never writes. The generated cases of the signed
//! corpus are drawn from it.

use arbitrary::{Arbitrary, Unstructured};

use super::json::{JsonText, JsonValue, Spacing, Writer, arbitrary_members};

/// The event types a drawn payload has, full-stop delimited as [SW-1] asks.
const EVENT_TYPES: [&str; 4] = [
    "invoice.paid",
    "customer.updated",
    "subscription.renewed",
    "user.session.ended",
];

/// How deep the drawn `data` nests (the object itself counts as 1).
const DATA_DEPTH: usize = 4;

/// The most bytes a drawn body is written with before its repeated arrays are cut to one
/// item.
const MAX_BYTES: usize = 256 * 1024;

/// The span `timestamp` is drawn from: 2020 to 2030, in Unix seconds.
const OCCURRED: std::ops::RangeInclusive<i64> = 1_577_836_800..=1_893_456_000;

/// A drawn Standard Webhooks payload.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedBody {
    event_type: &'static str,
    occurred: i64,
    data: JsonValue,
    spacing: Spacing,
}

impl<'a> Arbitrary<'a> for SignedBody {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let mut body = SignedBody {
            event_type: u.choose(&EVENT_TYPES)?,
            occurred: u.int_in_range(OCCURRED)?,
            data: JsonValue::Object(arbitrary_members(u, DATA_DEPTH - 1)?),
            spacing: u.arbitrary()?,
        };
        if body.to_bytes().len() > MAX_BYTES {
            body.data.shrink();
        }
        Ok(body)
    }
}

impl SignedBody {
    /// The body as sent: `{"type", "timestamp", "data"}` with the drawn spacing.
    pub fn to_bytes(&self) -> Vec<u8> {
        let occurred = time::OffsetDateTime::from_unix_timestamp(self.occurred)
            .expect("the drawn span is a valid time");
        let members = [
            ("type", JsonValue::Text(JsonText::plain(self.event_type))),
            (
                "timestamp",
                JsonValue::Text(JsonText::plain(crate::spec::format_timestamp(occurred))),
            ),
            ("data", self.data.clone()),
        ]
        .map(|(key, value)| (JsonText::plain(key), value));
        let mut writer = Writer::new(self.spacing);
        writer.object(members.iter().map(|(key, value)| (key, value)));
        writer.finish()
    }

    /// What it is, in a few words: `a drawn invoice.paid event, pretty, data 3 deep`.
    pub fn describe(&self) -> String {
        format!(
            "a drawn {} event, {} spacing, data {} deep",
            self.event_type,
            self.spacing,
            self.data.depth()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngCore, SeedableRng};

    #[test]
    fn drawn_bodies_are_json_objects_with_type_timestamp_and_data() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let mut bytes = vec![0u8; 4096];
        let mut spacings = std::collections::BTreeSet::new();
        for _ in 0..64 {
            rng.fill_bytes(&mut bytes);
            let drawn = SignedBody::arbitrary(&mut Unstructured::new(&bytes)).unwrap();
            let body = drawn.to_bytes();
            let value: serde_json::Value = serde_json::from_slice(&body)
                .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&body)));
            assert!(EVENT_TYPES.contains(&value["type"].as_str().unwrap()));
            assert!(value["timestamp"].as_str().unwrap().starts_with("20"));
            assert!(value["data"].is_object());
            spacings.insert(drawn.spacing);
        }
        assert_eq!(spacings.len(), Spacing::ALL.len(), "every spacing is drawn");
    }
}
