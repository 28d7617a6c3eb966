//! The requirements of a Standard Webhooks receiver (STANDARD-WEBHOOKS.md §2): what
//! `hookcheck run --profile standard-webhooks` grades. Same shape as the Cr3dentials
//! [`REQUIREMENTS`](super::REQUIREMENTS); ids never collide with theirs.

use super::{
    BURST, BURST_PROCESSED_ONCE, Category, HTTPS, NO_REDIRECT, Needs, Requirement,
    VALID_CERTIFICATE, WITHIN_TIMEOUT,
};
use crate::standard_webhooks::Forgery;

/// The forgeries whose effect the effects probe can see: all but `missing-id`, which names
/// no message whose count could show one.
pub const NO_EFFECT_FORGERIES: &[&str] = &[
    "wrong-secret",
    "tampered-body",
    "tampered-id",
    "tampered-timestamp",
    "missing-timestamp",
    "missing-signature",
    "unknown-versions-only",
    "timestamp-as-date",
    "timestamp-overflowing",
    "signature-not-base64",
    "signature-empty",
];

/// The directions a timestamp can be outside the tolerance.
pub const SKEW_VARIANTS: &[&str] = &["past", "future"];
/// When a retry of a message arrives: after the first attempt was answered, beside it, or
/// at the schedule's retry moments ([SW-13]) within `--dedupe-window`.
pub const RETRY_VARIANTS: &[&str] = &["sequential", "concurrent", "after-retry-delay"];

/// Every requirement of a Standard Webhooks receiver, in report order. Those of the burst,
/// latency and transport are the Cr3dentials checks themselves, citing this contract's
/// clauses.
pub const STANDARD_WEBHOOKS_REQUIREMENTS: &[Requirement] = &[
    Requirement::must(
        "signature/valid-accepted",
        Category::Signature,
        "A delivery signed with the secret is answered 2xx within the sender's timeout.",
        "STANDARD-WEBHOOKS [SW-6] [SW-12]",
        &[],
        Needs::Nothing,
    ),
    Requirement::must(
        "signature/valid-processed-once",
        Category::Signature,
        "A delivery signed with the secret causes exactly one side effect.",
        "STANDARD-WEBHOOKS [SW-6] [SW-11]",
        &[],
        Needs::Effects,
    ),
    Requirement::must(
        "signature/forgery-refused",
        Category::Signature,
        "A delivery that fails verification (another secret, a changed body, id or timestamp, a missing header, no v1 signature, a timestamp or signature that cannot be read) is answered 4xx.",
        "STANDARD-WEBHOOKS [SW-6] [SD-6] [SD-11]",
        &Forgery::IDS,
        Needs::Nothing,
    ),
    Requirement::must(
        "signature/forgery-no-effect",
        Category::Signature,
        "A delivery that fails verification causes no side effect (under the id it claims).",
        "STANDARD-WEBHOOKS [SW-6] [SD-6] [SD-11]",
        NO_EFFECT_FORGERIES,
        Needs::Effects,
    ),
    Requirement::must(
        "signature/body-as-received",
        Category::Signature,
        "A signed body with spaces, line breaks, unsorted keys and escaped characters is verified as received and answered 2xx.",
        "STANDARD-WEBHOOKS [SW-7]",
        &[],
        Needs::Nothing,
    ),
    Requirement::must(
        "signature/any-v1-matches",
        Category::Signature,
        "A delivery whose first v1 signature is from another secret and whose second is valid (a key being rotated) is answered 2xx.",
        "STANDARD-WEBHOOKS [SW-10] [SW-4]",
        &[],
        Needs::Nothing,
    ),
    Requirement::must(
        "signature/unknown-version-ignored",
        Category::Signature,
        "A valid v1 signature followed by entries of unknown versions is answered 2xx.",
        "STANDARD-WEBHOOKS [SW-10] [SD-4]",
        &[],
        Needs::Nothing,
    ),
    Requirement {
        unchecked: Some(
            "a constant-time comparison cannot be told from another over a network; review the code (STANDARD-WEBHOOKS [SW-9])",
        ),
        ..Requirement::must(
            "signature/constant-time",
            Category::Signature,
            "Signatures are compared in constant time.",
            "STANDARD-WEBHOOKS [SW-9]",
            &[],
            Needs::Nothing,
        )
    },
    Requirement::must(
        "replay/outside-tolerance-refused",
        Category::Replay,
        "A correctly signed delivery whose timestamp is 10 minutes from now, either way, is answered 4xx.",
        "STANDARD-WEBHOOKS [SW-8] [SD-3]",
        SKEW_VARIANTS,
        Needs::Nothing,
    ),
    Requirement::must(
        "replay/outside-tolerance-no-effect",
        Category::Replay,
        "A correctly signed delivery whose timestamp is 10 minutes from now, either way, causes no side effect.",
        "STANDARD-WEBHOOKS [SW-8] [SD-3]",
        SKEW_VARIANTS,
        Needs::Effects,
    ),
    Requirement::must(
        "replay/within-tolerance-accepted",
        Category::Replay,
        "A correctly signed delivery whose timestamp is 30 seconds old is answered 2xx.",
        "STANDARD-WEBHOOKS [SW-8] [SD-3]",
        &[],
        Needs::Nothing,
    ),
    Requirement::must(
        "idempotency/retry-acknowledged",
        Category::Idempotency,
        "A retry (the same webhook-id, a fresh timestamp and signature) is answered 2xx, so the sender stops.",
        "STANDARD-WEBHOOKS [SW-11] [SW-12]",
        &[],
        Needs::Nothing,
    ),
    Requirement::must(
        "idempotency/retry-processed-once",
        Category::Idempotency,
        "A message delivered again with the same webhook-id, re-signed with a fresh timestamp (one after the other, at once, or at the schedule's retry moments within --dedupe-window), causes exactly one side effect.",
        "STANDARD-WEBHOOKS [SW-11] [SD-5] [SW-13] [SD-9]",
        RETRY_VARIANTS,
        Needs::Effects,
    ),
    Requirement::must(
        "idempotency/distinct-ids-processed",
        Category::Idempotency,
        "Two messages with different webhook-ids and byte-identical bodies each cause exactly one side effect.",
        "STANDARD-WEBHOOKS [SW-11] [SD-5]",
        &[],
        Needs::Effects,
    ),
    Requirement::must(
        "idempotency/forgery-claims-nothing",
        Category::Idempotency,
        "A refused forgery claiming a webhook-id does not stop the genuine message of that id from being processed once.",
        "STANDARD-WEBHOOKS [SW-6] [SW-11]",
        &[],
        Needs::Effects,
    ),
    Requirement {
        text: "Every message of a burst of concurrent deliveries causes exactly one side effect.",
        clause: "STANDARD-WEBHOOKS [SW-11] [SD-10]",
        ..BURST_PROCESSED_ONCE
    },
    Requirement {
        clause: "STANDARD-WEBHOOKS [SW-12] [SD-8]",
        ..WITHIN_TIMEOUT
    },
    Requirement {
        clause: "STANDARD-WEBHOOKS [SW-12] [SD-10]",
        ..BURST
    },
    Requirement {
        clause: "STANDARD-WEBHOOKS [SD-7]",
        ..HTTPS
    },
    Requirement {
        clause: "STANDARD-WEBHOOKS [SD-7]",
        ..VALID_CERTIFICATE
    },
    Requirement {
        clause: "STANDARD-WEBHOOKS [SW-12]",
        ..NO_REDIRECT
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_forgery_but_a_missing_id_is_checked_for_effects() {
        let missing: Vec<&str> = Forgery::IDS
            .iter()
            .filter(|id| !NO_EFFECT_FORGERIES.contains(id))
            .copied()
            .collect();
        assert_eq!(missing, ["missing-id"]);
        assert!(
            NO_EFFECT_FORGERIES
                .iter()
                .all(|id| id.parse::<Forgery>().is_ok())
        );
    }
}
