//! The Standard Webhooks messages of a load backlog (`load --profile standard-webhooks`):
//! session `k` is the message whose `webhook-id` follows from the seed and `k`, so every
//! copy of it (and every shard that owns it) names the same id, and whose body is one of a
//! few pre-serialized `{"type", "timestamp", "data"}` templates with that id written in.
//! The body never changes between copies; each attempt is signed when it is sent.

use serde_json::json;

use crate::standard_webhooks::Message;

/// The id the templates are serialized with, overwritten per message: `msg_` and 24
/// letters and digits, the form of [`crate::standard_webhooks::new_id`].
pub(super) const ID_PLACEHOLDER: &str = "msg_000000000000000000000000";

/// Letters and digits an id's tail is written in.
const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The event types the backlog's messages cycle through, with data of their own shape.
const EVENTS: [&str; 3] = ["invoice.paid", "customer.updated", "subscription.renewed"];

/// The message bodies, one per event type, each holding [`ID_PLACEHOLDER`] once, all
/// happening now.
pub(super) fn templates() -> Vec<Vec<u8>> {
    let occurred = crate::spec::format_timestamp(time::OffsetDateTime::now_utc());
    EVENTS
        .iter()
        .enumerate()
        .map(|(n, event)| {
            let data = match n {
                0 => json!({"id": ID_PLACEHOLDER, "amount": 4200, "currency": "eur"}),
                1 => json!({"id": ID_PLACEHOLDER, "email": "load@example.com", "tags": ["load"]}),
                _ => json!({"id": ID_PLACEHOLDER, "plan": "pro", "period": {"months": 1}}),
            };
            let message = Message {
                id: ID_PLACEHOLDER.to_owned(),
                event_type: (*event).to_owned(),
                occurred: occurred.clone(),
                data,
            };
            message.body()
        })
        .collect()
}

/// Writes the id of message `index` of a backlog whose seed hashes to `stem` into `out`
/// ([`ID_PLACEHOLDER`]'s length): `msg_` and the 128 bits of `stem` and `index` in base 62,
/// 24 digits, so that distinct indices have distinct ids.
pub(super) fn write_id(stem: u64, index: u64, out: &mut [u8]) {
    let (prefix, tail) = out.split_at_mut(4);
    prefix.copy_from_slice(b"msg_");
    let mut value = (u128::from(stem) << 64) | u128::from(index);
    for digit in tail.iter_mut().rev() {
        *digit = DIGITS[(value % 62) as usize];
        value /= 62;
    }
}

/// The id of message `index`, as [`write_id`] writes it.
pub(super) fn message_id(stem: u64, index: u64) -> String {
    let mut id = [0u8; ID_PLACEHOLDER.len()];
    write_id(stem, index, &mut id);
    String::from_utf8_lossy(&id).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_distinct_per_index_and_seed_and_in_the_message_id_form() {
        let (a, b) = (message_id(1, 0), message_id(1, 1));
        assert_ne!(a, b);
        assert_ne!(a, message_id(2, 0));
        for id in [&a, &b] {
            assert_eq!(id.len(), ID_PLACEHOLDER.len());
            assert!(id.starts_with("msg_"));
            assert!(id[4..].bytes().all(|c| c.is_ascii_alphanumeric()), "{id}");
        }
    }

    #[test]
    fn every_template_is_a_standard_webhooks_body_holding_the_id_once() {
        for body in templates() {
            let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert!(value["type"].is_string() && value["timestamp"].is_string());
            assert_eq!(value["data"]["id"], ID_PLACEHOLDER);
            let text = String::from_utf8(body).unwrap();
            assert_eq!(text.matches(ID_PLACEHOLDER).count(), 1, "{text}");
        }
    }
}
