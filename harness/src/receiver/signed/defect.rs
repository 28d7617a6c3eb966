//! Deliberate defects of the reference receiver in Standard Webhooks mode: each one a real
//! break of STANDARD-WEBHOOKS.md §2 (all but `compares-with-eq` observable over the
//! network), so that a grader can be proven to catch it. Without one the receiver conforms.

crate::closed::closed_enum! {
    /// One way to break the Standard Webhooks receiver on purpose
    /// (`hookcheck serve --profile standard-webhooks --defect NAME`).
    pub enum SignedDefect as "standard-webhooks defect" {
        /// Compares signatures with `==`, not in constant time ([SW-9]); not observable
        /// over a network.
        ComparesWithEq => "compares-with-eq",
        /// Verifies the signature over the body parsed and serialised again, not as
        /// received: a valid delivery with spaces, newlines or unsorted keys is refused
        /// ([SW-7]).
        VerifiesReserialised => "verifies-reserialised",
        /// Never checks `webhook-timestamp`: stale and future attempts are accepted ([SW-8]).
        IgnoresTimestamp => "ignores-timestamp",
        /// Refuses only timestamps too old: one 10 minutes ahead is accepted ([SW-8]).
        AcceptsFutureTimestamps => "accepts-future-timestamps",
        /// Deduplicates on the SHA-256 of the body, not `webhook-id`: a distinct message
        /// with an equal body is answered as a duplicate and dropped ([SD-5]).
        DedupesOnBodyHash => "dedupes-on-body-hash",
        /// Deduplicates on `webhook-signature`: a retry, freshly signed, is processed
        /// again ([SD-5]).
        DedupesOnSignature => "dedupes-on-signature",
        /// Checks only the first entry of `webhook-signature`: `v1,<wrong> v1,<valid>`
        /// is refused ([SW-10]).
        FirstSignatureOnly => "first-signature-only",
        /// Refuses a delivery with any entry that is not `v1,<base64>`, even when a `v1`
        /// entry matches ([SD-4]).
        UnknownVersionFatal => "unknown-version-fatal",
        /// Accepts and processes a delivery with no `webhook-signature` header at all
        /// ([SW-6]).
        OptionalSignature => "optional-signature",
        /// Marks the `webhook-id` as seen before verifying: after a forged delivery
        /// (refused 401) the genuine one with its id is answered as a duplicate, with no
        /// effect ([SW-6]).
        RecordsBeforeVerifying => "records-before-verifying",
        /// Answers 409 to a repeated `webhook-id` instead of 2xx ([SW-12]).
        ConflictOnDuplicate => "conflict-on-duplicate",
        /// Remembers the `webhook-id`s it processed in its own process only, while the
        /// effects land in the shared database: correct alone, but a retry that reaches
        /// another replica is processed again ([SW-11]; `run --replica`).
        PerProcessDedupe => "per-process-dedupe",
        /// Remembers each `webhook-id` for 2 s only, as a cache with a short TTL: a retry
        /// that comes on the schedule, 5 s later, is processed again ([SW-11], [SW-13]).
        DedupeExpires => "dedupe-expires",
        /// Parses `webhook-timestamp` as a handler whose parse error escapes does: one that
        /// is not whole seconds, or overflows, is answered 500, not refused ([SD-11]).
        ThrowsOnBadTimestamp => "throws-on-bad-timestamp",
    }
}

impl SignedDefect {
    /// One line saying what breaks.
    pub fn description(self) -> &'static str {
        match self {
            SignedDefect::ComparesWithEq => {
                "compares signatures with ==, not in constant time (not observable over a network)"
            }
            SignedDefect::VerifiesReserialised => {
                "verifies the signature over the body parsed and serialised again, not as received"
            }
            SignedDefect::IgnoresTimestamp => {
                "never checks webhook-timestamp (stale and future attempts accepted)"
            }
            SignedDefect::AcceptsFutureTimestamps => {
                "refuses only timestamps too old; future ones are accepted"
            }
            SignedDefect::DedupesOnBodyHash => {
                "deduplicates on the SHA-256 of the body instead of webhook-id"
            }
            SignedDefect::DedupesOnSignature => {
                "deduplicates on webhook-signature, so a freshly signed retry is processed again"
            }
            SignedDefect::FirstSignatureOnly => "checks only the first entry of webhook-signature",
            SignedDefect::UnknownVersionFatal => {
                "refuses a delivery with any entry that is not v1,<base64>"
            }
            SignedDefect::OptionalSignature => {
                "accepts a delivery with no webhook-signature header"
            }
            SignedDefect::RecordsBeforeVerifying => {
                "marks webhook-id as seen before verifying: a forged copy blocks the genuine one"
            }
            SignedDefect::ConflictOnDuplicate => {
                "answers 409 to a repeated webhook-id instead of 2xx"
            }
            SignedDefect::DedupeExpires => {
                "remembers each webhook-id for 2s only: a retry 5s later is processed again"
            }
            SignedDefect::ThrowsOnBadTimestamp => {
                "answers 500 to a webhook-timestamp that is not whole seconds or overflows"
            }
            SignedDefect::PerProcessDedupe => {
                "remembers processed webhook-ids per process: a retry on another replica is processed again"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_back_and_an_unknown_one_lists_them() {
        for defect in SignedDefect::ALL {
            assert_eq!(defect.as_str().parse::<SignedDefect>(), Ok(defect));
            assert!(!defect.description().is_empty());
        }
        let err = "no-dedupe".parse::<SignedDefect>().unwrap_err().to_string();
        assert!(err.contains("dedupes-on-body-hash"), "{err}");
    }
}
