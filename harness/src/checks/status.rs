//! Status family (SPEC §3 ¶1, ¶4, §1 [D-2]): a valid delivery of every terminal status is
//! answered 2xx, with every nullable field null, and with data present.

use futures::future::join_all;
use serde_json::json;

use super::kit::Ctx;
use super::kit::expect_accepted;
use crate::catalogue::STATUS_VARIANTS;
use crate::spec::Status;

/// Runs the status checks.
pub async fn run(ctx: &Ctx) {
    let mut probes = Vec::new();
    for (status, variant) in Status::ALL.into_iter().zip(STATUS_VARIANTS) {
        // "A valid delivery": exactly what the model sender sends for the status.
        let id = format!("status/valid-delivery-2xx/{variant}");
        let body = ctx.payload(status, &id).build().to_json_bytes();
        probes.push(expect_accepted(ctx, id, body));

        // "Every documented nullable field null" [D-2].
        let id = format!("status/nullable-fields-null/{variant}");
        let mut value = ctx.payload(status, &id).build().to_value();
        for field in ["externalReferenceId", "extractedData", "proofHash"] {
            value[field] = serde_json::Value::Null;
        }
        probes.push(expect_accepted(
            ctx,
            id,
            serde_json::to_vec(&value).unwrap_or_default(),
        ));

        // "Object data for every status" [D-2]: failures carry data too.
        let id = format!("status/data-for-every-status/{variant}");
        let mut value = ctx.payload(status, &id).build().to_value();
        value["extractedData"] =
            json!({"accountHolder": "Ada Lovelace", "accountType": "checking"});
        value["proofHash"] =
            json!("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
        probes.push(expect_accepted(
            ctx,
            id,
            serde_json::to_vec(&value).unwrap_or_default(),
        ));
    }
    join_all(probes).await;
}
