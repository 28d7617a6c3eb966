//! Deliberate defects: each one a real, observable break of SPEC §3, so that the
//! conformance runner can be proven to catch it. Without a defect the receiver conforms.
//! What each one breaks, and what finds it, is data too: [`Defect::facts`].

crate::closed::closed_enum! {
    /// One way to break the reference receiver on purpose (`hookcheck serve --defect NAME`);
    /// its name is the kebab-case one `--defect` takes.
    pub enum Defect as "defect" {
        /// Every delivery records an effect, duplicates too.
        NoDedupe => "no-dedupe",
        /// Checks for a duplicate, awaits, then inserts: concurrent duplicates both record.
        RacyDedupe => "racy-dedupe",
        /// Answers 409 to a duplicate instead of 2xx.
        ConflictOnDuplicate => "conflict-on-duplicate",
        /// Accepts deliveries whatever their auth header says.
        AuthIgnored => "auth-ignored",
        /// Accepts a value the secret starts with, or one that starts with the secret.
        AuthPrefixMatch => "auth-prefix-match",
        /// Records the effect of a valid body before it checks the auth header.
        EffectBeforeAuth => "effect-before-auth",
        /// Refuses (422) a payload with any unknown top-level field.
        RejectsUnknownFields => "rejects-unknown-fields",
        /// Fails (500) when a nullable field is null.
        ErrorOnNullFields => "error-on-null-fields",
        /// Refuses (422) status TERMINATED.
        RejectsTerminated => "rejects-terminated",
        /// Records a CANCELLED delivery, then waits longer than the sender's timeout to answer.
        SlowCancelled => "slow-cancelled",
        /// Answers valid deliveries with a 307 redirect to another path.
        Redirects => "redirects",
        /// Stops serving entirely (closes the listener and every connection) after a body
        /// that is not JSON.
        DiesOnMalformedJson => "dies-on-malformed-json",
        /// Answers 500 instead of 400 to a body that is not JSON.
        ErrorOnMalformedJson => "error-on-malformed-json",
        /// Records an effect for an invalid payload that still has a `sessionId` string.
        EffectForInvalid => "effect-for-invalid",
        /// Refuses bodies over 16 KiB (413), below the 256 KiB of SPEC [D-11].
        TinyBodyLimit => "tiny-body-limit",
        /// Serves one delivery at a time, each taking about 100 ms.
        Serial => "serial",
        /// Remembers only the 16 most recently processed sessions (an LRU): an older session
        /// delivered again is processed again.
        DedupeForgets => "dedupe-forgets",
        /// Remembers a session for 2 s (`--dedupe-expiry`): a copy arriving later is processed
        /// again.
        DedupeExpires => "dedupe-expires",
        /// Panics (connection closed, no answer) when `sessionId` is missing, null or not a
        /// string.
        CrashesOnMissingSessionId => "crashes-on-missing-session-id",
        /// Panics (connection closed, no answer) on a string `status` that is not one of the
        /// five, lowercase included.
        PanicsOnUnknownStatus => "panics-on-unknown-status",
        /// Answers 2xx to every valid delivery but records only COMPLETED ones.
        DropsNonCompleted => "drops-non-completed",
        /// Works on each delivery about 50 ms; with more than 8 deliveries in flight at once,
        /// answers 200 without recording.
        LosesUnderLoad => "loses-under-load",
        /// Records a COMPLETED delivery, then waits longer than the sender's timeout to answer.
        SlowCompleted => "slow-completed",
        /// Panics (connection closed, no answer) when any string in the body is not ASCII.
        CrashesOnUnicode => "crashes-on-unicode",
        /// Refuses an unprocessable body as usual, but when it has a `sessionId` string a
        /// background worker records an effect for it about 1 s later.
        AsyncEffectForInvalid => "async-effect-for-invalid",
        /// Never answers a delivery whose auth header is present but wrong.
        HangsOnBadAuth => "hangs-on-bad-auth",
        /// Compares the auth header value ignoring ASCII case.
        AuthCaseInsensitiveValue => "auth-case-insensitive-value",
        /// Deduplicates on `externalReferenceId` (null is one key) instead of `sessionId`.
        KeyedOnExternalReference => "keyed-on-external-reference",
        /// Deduplicates only COMPLETED deliveries; copies of other statuses each record.
        DedupesCompletedOnly => "dedupes-completed-only",
        /// Refuses (415) any content type but exactly `application/json`.
        StrictContentType => "strict-content-type",
        /// Refuses (422) a `completedAt` not written exactly as `YYYY-MM-DDTHH:MM:SS.sssZ`.
        StrictTimestamp => "strict-timestamp",
        /// Deduplicates on (sessionId, status): the same session with another status is
        /// processed again.
        ReprocessesOtherStatus => "reprocesses-other-status",
        /// Fails (500) when `extractedData` is an object without `accountHolder`, as a handler
        /// that reads `extractedData.accountHolder` does.
        RequiresAccountHolder => "requires-account-holder",
        /// Refuses (422) a `completedAt` later than its own clock: no allowance for skew.
        RejectsFutureTimestamp => "rejects-future-timestamp",
        /// Answers 2xx but records nothing for a `completedAt` more than a day old.
        DropsOldEvents => "drops-old-events",
        /// Refuses (422) a `completedAt` with a lowercase `t` or `z`.
        RejectsLowercaseTimestamp => "rejects-lowercase-timestamp",
        /// Refuses (422) an event that leaves out `externalReferenceId`, `extractedData` or
        /// `proofHash`, as a schema that marks them required does.
        RejectsOmittedFields => "rejects-omitted-fields",
        /// Answers a duplicate 2xx at once, as a duplicate, and a background job records a
        /// second effect for it about 1 s later.
        AsyncDuplicate => "async-duplicate",
        /// Deduplicates in its own process memory while the effects land in the shared
        /// database: each replica is exactly-once alone, but a copy that reaches another
        /// replica (or a restarted one) is processed again.
        PerProcessDedupe => "per-process-dedupe",
        /// Checks for the session and records the effect in one transaction, then records
        /// the session in a second one about 250 ms later: a copy arriving in between
        /// (concurrent, or on another replica) is processed again.
        SplitTransactionDedupe => "split-transaction-dedupe",
    }
}

impl Defect {
    /// One line saying what breaks.
    pub fn description(self) -> &'static str {
        self.facts().description
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_defect_name_reads_back() {
        for defect in Defect::ALL {
            assert_eq!(defect.as_str().parse::<Defect>(), Ok(defect));
            assert!(!defect.description().is_empty());
        }
    }

    #[test]
    fn unknown_defect_lists_the_valid_names() {
        let err = "no-such".parse::<Defect>().unwrap_err().to_string();
        assert!(
            err.contains("unknown defect `no-such`") && err.contains("racy-dedupe"),
            "{err}"
        );
    }
}
