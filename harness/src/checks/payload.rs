//! Payload family (SPEC §3 ¶4, ¶9): every payload form the sender may produce is accepted:
//! non-ASCII text, unknown fields [D-4], 256 KiB bodies [D-11], any RFC 3339 timestamp
//! [D-3], and a `charset` parameter on the content type.

use std::time::Instant;

use futures::future::join_all;
use serde_json::{Value, json};

use super::kit::Ctx;
use super::kit::expect_accepted;
use crate::spec::Status;

/// The size of the large valid payload: SPEC [D-11] asks receivers to accept at least 256 KiB.
pub const LARGE_BODY_BYTES: usize = 256 * 1024;

/// Runs the payload checks.
pub async fn run(ctx: &Ctx) {
    let mut probes = Vec::new();
    for (id, shape) in [
        ("payload/unicode", unicode as fn(Value) -> Vec<u8>),
        ("payload/unknown-fields/top-level", unknown_top_level),
        ("payload/unknown-fields/nested", unknown_nested),
        ("payload/large-body", large_body),
    ] {
        let base = ctx.payload(Status::Completed, id).build().to_value();
        probes.push(expect_accepted(ctx, id.to_owned(), shape(base)));
    }
    for (variant, timestamp) in [
        ("no-fraction", "2025-03-24T12:05:00Z"),
        ("microseconds", "2025-03-24T12:05:00.123456Z"),
        ("positive-offset", "2025-03-24T17:35:00.000+05:30"),
        ("negative-offset", "2025-03-24T04:05:00-08:00"),
    ] {
        let id = format!("payload/timestamp-forms/{variant}");
        let mut value = ctx.payload(Status::Completed, &id).build().to_value();
        value["completedAt"] = json!(timestamp);
        probes.push(expect_accepted(ctx, id, to_bytes(&value)));
    }
    join_all(probes).await;
    charset_parameter(ctx).await;
}

async fn charset_parameter(ctx: &Ctx) {
    let id = "payload/charset-parameter";
    if !ctx.selected(id) {
        return;
    }
    let started = Instant::now();
    let body = ctx.payload(Status::Completed, id).build().to_json_bytes();
    let probe = ctx
        .delivery(body)
        .replacing("content-type", "application/json; charset=utf-8");
    let sent = ctx.send(&probe).await;
    ctx.report(id, started, ctx.expect_2xx(&sent));
}

fn unicode(mut value: Value) -> Vec<u8> {
    value["externalReferenceId"] = json!("заказ-№42-注文-🚀");
    value["extractedData"] = json!({
        "accountHolder": "Zoë Ærøskøbing-山田 太郎 مرحبا",
        "accountType": "épargne",
        "bankName": "Bančna družba \u{200d}👩‍💻",
        "note": "line\nbreak\ttab \"quoted\" \\ back\u{0007}slash",
    });
    value["metadata"] =
        json!({"source": "hookcheck", "städte": ["Zürich", "Kraków", "東京"], "emoji": "✅🔐"});
    to_bytes(&value)
}

fn unknown_top_level(mut value: Value) -> Vec<u8> {
    value["webhookVersion"] = json!(2);
    value["riskAssessment"] = json!({"score": 0.12, "signals": ["new-device"]});
    value["deliveredAt"] = json!("2025-03-24T12:05:01.000Z");
    to_bytes(&value)
}

fn unknown_nested(mut value: Value) -> Vec<u8> {
    value["extractedData"]["accountOpenedAt"] = json!("2019-07-01");
    value["extractedData"]["owners"] = json!([{"name": "Ada", "share": 0.5}]);
    value["metadata"]["sdkVersion"] = json!("4.2.0");
    value["metadata"]["flags"] = json!({"beta": true});
    to_bytes(&value)
}

/// A valid COMPLETED payload of at least [`LARGE_BODY_BYTES`], made large the way a real
/// one would be: many transactions in `extractedData`.
fn large_body(mut value: Value) -> Vec<u8> {
    let transaction = |i: usize| {
        json!({
            "id": format!("txn-{i:06}"),
            "amount": format!("{}.{:02}", i % 5000, i % 100),
            "currency": "USD",
            "description": "Card payment at a merchant with a fairly long descriptive name",
        })
    };
    let mut transactions = Vec::new();
    let mut size = to_bytes(&value).len();
    let mut i = 0;
    while size < LARGE_BODY_BYTES {
        let t = transaction(i);
        size += to_bytes(&t).len() + 1;
        transactions.push(t);
        i += 1;
    }
    value["extractedData"]["transactions"] = Value::Array(transactions);
    to_bytes(&value)
}

fn to_bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("a JSON value always serializes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Limits, PayloadBuilder, parse_with};

    fn base() -> Value {
        PayloadBuilder::new(Status::Completed)
            .seed(1)
            .build()
            .to_value()
    }

    #[test]
    fn every_reshaped_payload_is_still_valid() {
        let limits = Limits {
            max_body_bytes: 1024 * 1024,
            ..Limits::default()
        };
        for shape in [unicode, unknown_top_level, unknown_nested, large_body] {
            let body = shape(base());
            parse_with(&body, limits).expect("a payload check sends a valid payload");
        }
    }

    #[test]
    fn large_payload_is_just_over_256_kib() {
        let body = large_body(base());
        assert!(body.len() >= LARGE_BODY_BYTES, "{}", body.len());
        assert!(body.len() < LARGE_BODY_BYTES + 4096, "{}", body.len());
    }

    #[test]
    fn unicode_payload_holds_non_ascii_text() {
        let body = unicode(base());
        assert!(std::str::from_utf8(&body).unwrap().contains("山田"));
    }
}
