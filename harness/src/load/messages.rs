//! The Standard Webhooks messages of a load backlog (`load --profile standard-webhooks`):
//! session `k` is the message whose `webhook-id` follows from the seed and `k`, so every
//! copy of it (and every shard that owns it) names the same id, and whose body is one of a
//! few pre-serialized `{"type", "timestamp", "data"}` templates with that id written in.
//! The body never changes between copies; each attempt is signed when it is sent.

use serde_json::json;

use super::hash::mix;
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
/// ([`ID_PLACEHOLDER`]'s length): `msg_` and 24 letters and digits that look drawn at random,
/// so that neither their order nor a shared prefix tells messages apart ([SD-2]). They are
/// [`scramble`]d from `stem` and `index`, so distinct indices have distinct ids.
pub(super) fn write_id(stem: u64, index: u64, out: &mut [u8]) {
    let (prefix, tail) = out.split_at_mut(4);
    prefix.copy_from_slice(b"msg_");
    let bits = scramble(stem, index);
    // 24 base-62 digits hold 30,588 times more than 128 bits: a hash picks which multiple, so
    // that the leading digits vary too.
    let spread = mix(bits as u64 ^ (bits >> 64) as u64) % 30_588;
    let mut limbs = [spread, (bits >> 64) as u64, bits as u64];
    for digit in tail.iter_mut().rev() {
        *digit = DIGITS[divide(&mut limbs, 62) as usize];
    }
}

/// A bijection of (`stem`, `index`) to 128 bits that look random: four Feistel rounds.
fn scramble(stem: u64, index: u64) -> u128 {
    let (mut left, mut right) = (stem, index);
    for round in 0..4u64 {
        (left, right) = (right, left ^ mix(right ^ round));
    }
    (u128::from(left) << 64) | u128::from(right)
}

/// Divides the big-endian number `limbs` by `divisor` in place; the remainder.
fn divide(limbs: &mut [u64], divisor: u64) -> u64 {
    let mut remainder = 0u128;
    for limb in limbs.iter_mut() {
        let current = (remainder << 64) | u128::from(*limb);
        *limb = (current / u128::from(divisor)) as u64;
        remainder = current % u128::from(divisor);
    }
    remainder as u64
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
    fn consecutive_ids_share_no_prefix_or_order_and_every_position_varies() {
        let ids: Vec<String> = (0..2000).map(|i| message_id(7, i)).collect();
        let distinct: std::collections::HashSet<&String> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len());
        let ascending = ids.windows(2).filter(|w| w[0] < w[1]).count();
        assert!(
            (800..1200).contains(&ascending),
            "{ascending} of 1999 ascend"
        );
        for position in 4..ID_PLACEHOLDER.len() {
            let seen: std::collections::HashSet<u8> =
                ids.iter().map(|id| id.as_bytes()[position]).collect();
            assert!(
                seen.len() > 50,
                "position {position}: {} digits",
                seen.len()
            );
        }
        let shared = ids.windows(2).filter(|w| w[0][..6] == w[1][..6]).count();
        assert!(
            shared < 20,
            "{shared} neighbours share their first two digits"
        );
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
