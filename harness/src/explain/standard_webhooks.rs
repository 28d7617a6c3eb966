//! Why each Standard Webhooks requirement matters, how receivers break it, how to fix it.

use super::Explanation;

/// Every Standard Webhooks requirement's explanation, in catalogue order.
pub const STANDARD_WEBHOOKS_EXPLANATIONS: &[Explanation] = &[
    Explanation {
        requirement: "signature/valid-accepted",
        why: "A genuine delivery that is not answered 2xx is retried and, after the last retry, lost; the provider may also disable an endpoint that keeps failing.",
        breaks: "Verifying over a different string than `id.timestamp.body` (a missing full stop, the timestamp in milliseconds), decoding the secret wrongly (keeping the `whsec_` prefix, or using the text instead of the base64-decoded bytes), reading the headers case-sensitively.",
        fix: "Use the official library of your language (`Webhook(secret).verify(body, headers)`), or sign `id.timestamp.body` with HMAC-SHA256 under the base64-decoded key after `whsec_`, and compare with each `v1` entry.",
    },
    Explanation {
        requirement: "signature/valid-processed-once",
        why: "An acknowledged delivery that leaves no effect is an event lost silently: the provider will never send it again.",
        breaks: "Answering 200 before queueing the work and then dropping it; treating the first delivery of an id as a duplicate because the id was recorded elsewhere first.",
        fix: "Record the message (keyed by webhook-id) in the same transaction as its effect, then answer 2xx.",
    },
    Explanation {
        requirement: "signature/forgery-refused",
        why: "Anyone who knows the endpoint's URL can post to it. A delivery that is not verified can create, cancel or approve things in your system on a forger's say-so.",
        breaks: "Verifying only when the signature header is present; catching the verification error and carrying on; checking the signature over the parsed body instead of the bytes; accepting an entry of an unknown version as a match.",
        fix: "Verify every delivery before anything else, refuse it with 400 or 401 when any header is missing or no `v1` signature matches, and never swallow the verification error.",
    },
    Explanation {
        requirement: "signature/forgery-no-effect",
        why: "A refusal that still leaves a trace (a row, a job, a dedupe record) lets a forger change your data even though every forged request is answered 401.",
        breaks: "Writing the event to a table or queue before verifying it; a middleware that logs and enqueues, with verification in the worker.",
        fix: "Verify first, in the request handler, and do nothing else for a delivery that fails: no insert, no enqueue, no dedupe record.",
    },
    Explanation {
        requirement: "signature/body-as-received",
        why: "The signature covers the bytes the sender sent. Any re-encoding (whitespace, key order, escapes, number formats) breaks it, so genuine deliveries are refused whenever the sender's JSON does not look like yours.",
        breaks: "A framework that parses the JSON before your handler sees it, and verification over `json.dumps(parsed)` or `JSON.stringify(req.body)`.",
        fix: "Read the raw request body (a raw body parser on the webhook route), verify those exact bytes, and parse only afterwards.",
    },
    Explanation {
        requirement: "signature/any-v1-matches",
        why: "While a secret is rotated the sender signs with the old and the new one. A receiver that checks only the first signature refuses every delivery of the rotation window.",
        breaks: "Splitting the header and comparing only the first entry; splitting on commas instead of spaces; requiring exactly one entry.",
        fix: "Split `webhook-signature` on spaces and accept the delivery when any `v1` entry matches.",
    },
    Explanation {
        requirement: "signature/unknown-version-ignored",
        why: "A sender may add signatures of other schemes (`v1a`, asymmetric) beside `v1`. A receiver that fails on them stops accepting deliveries the day the sender adds one.",
        breaks: "Treating any entry that is not `v1,<base64>` as an error, or failing to decode an entry and aborting the whole check.",
        fix: "Skip entries of other versions and entries that do not decode; refuse only when no `v1` entry matches.",
    },
    Explanation {
        requirement: "signature/constant-time",
        why: "Comparing signatures with `==` stops at the first differing byte; the time it takes can let an attacker work out a valid signature byte by byte.",
        breaks: "`if signature == expected`, string equality in any language, or comparing the hex or base64 text byte by byte.",
        fix: "Compare with a constant-time function: `hmac.compare_digest` (Python), `crypto.timingSafeEqual` (Node), `subtle.ConstantTimeCompare` (Go), `MessageDigest.isEqual` (Java), or the official library.",
    },
    Explanation {
        requirement: "replay/outside-tolerance-refused",
        why: "A captured delivery can be sent again by anyone who saw it; without a window on the timestamp it is accepted forever. A timestamp far ahead is as suspect as one far behind.",
        breaks: "Not checking `webhook-timestamp` at all; checking only that it is not too old; reading it as milliseconds; comparing against a clock that is far off.",
        fix: "Refuse a delivery whose timestamp is more than a few minutes (5 is usual) from your clock in either direction, and keep your clock synchronised.",
    },
    Explanation {
        requirement: "replay/outside-tolerance-no-effect",
        why: "A stale or future delivery answered 401 but processed anyway is a replay that worked.",
        breaks: "Checking the timestamp after the event was already recorded or queued.",
        fix: "Check the timestamp as part of verification, before anything is recorded.",
    },
    Explanation {
        requirement: "replay/within-tolerance-accepted",
        why: "Deliveries take time to arrive and clocks drift. A window of a few seconds refuses genuine deliveries that were merely slow.",
        breaks: "A tolerance of zero or a few seconds; comparing seconds with milliseconds; rejecting any timestamp in the past.",
        fix: "Allow at least a minute either way (the official libraries allow five).",
    },
    Explanation {
        requirement: "idempotency/retry-acknowledged",
        why: "A retry answered with an error is retried again, and again, until the sender gives up and may disable the endpoint.",
        breaks: "Answering 409 Conflict or 500 when the webhook-id was already processed.",
        fix: "Answer a repeated webhook-id with the same 2xx as the first time, doing nothing more.",
    },
    Explanation {
        requirement: "idempotency/retry-processed-once",
        why: "Retries are normal: a timeout or a lost answer makes the sender try again with the same webhook-id, a new timestamp and so a new signature. Processing each attempt charges, ships or emails twice.",
        breaks: "No dedupe at all; deduping on the signature or the raw headers (they change on every attempt); check-then-insert without a unique key, so concurrent attempts both pass.",
        fix: "Insert the webhook-id into a table with a unique key in the same transaction as the effect (INSERT … ON CONFLICT DO NOTHING), and treat a conflict as already done.",
    },
    Explanation {
        requirement: "idempotency/distinct-ids-processed",
        why: "Two different messages may carry the same body (the same event type and data twice). Deduping on the body drops the second for good.",
        breaks: "Using a hash of the body, or a field inside it, as the idempotency key.",
        fix: "Dedupe on webhook-id and on nothing else.",
    },
    Explanation {
        requirement: "idempotency/forgery-claims-nothing",
        why: "If a refused delivery still records its webhook-id, anyone can send forgeries with guessed or observed ids first and make you drop the genuine messages as duplicates.",
        breaks: "Recording the id as seen (or taking a lock keyed by it) before the signature is verified.",
        fix: "Verify first; record the webhook-id only for a delivery that verified, together with its effect.",
    },
];
