//! Deliberate defects: each one a real, observable break of SPEC §3, so that the
//! conformance runner can be proven to catch it. Without a defect the receiver conforms.

use std::fmt;
use std::str::FromStr;

/// One way to break the reference receiver on purpose (`hookcheck serve --defect NAME`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Defect {
    /// Every delivery records an effect, duplicates too.
    NoDedupe,
    /// Checks for a duplicate, awaits, then inserts: concurrent duplicates both record.
    RacyDedupe,
    /// Answers 409 to a duplicate instead of 2xx.
    ConflictOnDuplicate,
    /// Accepts deliveries whatever their auth header says.
    AuthIgnored,
    /// Accepts a value the secret starts with, or one that starts with the secret.
    AuthPrefixMatch,
    /// Records the effect of a valid body before it checks the auth header.
    EffectBeforeAuth,
    /// Refuses (422) a payload with any unknown top-level field.
    RejectsUnknownFields,
    /// Fails (500) when a nullable field is null.
    ErrorOnNullFields,
    /// Refuses (422) status TERMINATED.
    RejectsTerminated,
    /// Records a CANCELLED delivery, then waits longer than the sender's timeout to answer.
    SlowCancelled,
    /// Answers valid deliveries with a 307 redirect to another path.
    Redirects,
    /// Stops serving entirely (closes the listener and every connection) after a body
    /// that is not JSON.
    DiesOnMalformedJson,
    /// Answers 500 instead of 400 to a body that is not JSON.
    ErrorOnMalformedJson,
    /// Records an effect for an invalid payload that still has a `sessionId` string.
    EffectForInvalid,
    /// Refuses bodies over 16 KiB (413), below the 256 KiB of SPEC [D-11].
    TinyBodyLimit,
    /// Serves one delivery at a time, each taking about 100 ms.
    Serial,
    /// Remembers only the 16 most recently processed sessions (an LRU): an older session
    /// delivered again is processed again.
    DedupeForgets,
    /// Remembers a session for 2 s (`--dedupe-expiry`): a copy arriving later is processed
    /// again.
    DedupeExpires,
    /// Panics (connection closed, no answer) when `sessionId` is missing, null or not a
    /// string.
    CrashesOnMissingSessionId,
    /// Panics (connection closed, no answer) on a string `status` that is not one of the
    /// five, lowercase included.
    PanicsOnUnknownStatus,
    /// Answers 2xx to every valid delivery but records only COMPLETED ones.
    DropsNonCompleted,
    /// Works on each delivery about 50 ms; with more than 8 deliveries in flight at once,
    /// answers 200 without recording.
    LosesUnderLoad,
    /// Records a COMPLETED delivery, then waits longer than the sender's timeout to answer.
    SlowCompleted,
    /// Panics (connection closed, no answer) when any string in the body is not ASCII.
    CrashesOnUnicode,
    /// Refuses an unprocessable body as usual, but when it has a `sessionId` string a
    /// background worker records an effect for it about 1 s later.
    AsyncEffectForInvalid,
    /// Never answers a delivery whose auth header is present but wrong.
    HangsOnBadAuth,
    /// Compares the auth header value ignoring ASCII case.
    AuthCaseInsensitiveValue,
    /// Deduplicates on `externalReferenceId` (null is one key) instead of `sessionId`.
    KeyedOnExternalReference,
    /// Deduplicates only COMPLETED deliveries; copies of other statuses each record.
    DedupesCompletedOnly,
    /// Refuses (415) any content type but exactly `application/json`.
    StrictContentType,
    /// Refuses (422) a `completedAt` not written exactly as `YYYY-MM-DDTHH:MM:SS.sssZ`.
    StrictTimestamp,
    /// Deduplicates on (sessionId, status): the same session with another status is
    /// processed again.
    ReprocessesOtherStatus,
    /// Fails (500) when `extractedData` is an object without `accountHolder`, as a handler
    /// that reads `extractedData.accountHolder` does.
    RequiresAccountHolder,
    /// Refuses (422) a `completedAt` later than its own clock: no allowance for skew.
    RejectsFutureTimestamp,
    /// Answers 2xx but records nothing for a `completedAt` more than a day old.
    DropsOldEvents,
    /// Refuses (422) a `completedAt` with a lowercase `t` or `z`.
    RejectsLowercaseTimestamp,
    /// Refuses (422) an event that leaves out `externalReferenceId`, `extractedData` or
    /// `proofHash`, as a schema that marks them required does.
    RejectsOmittedFields,
    /// Answers a duplicate 2xx at once, as a duplicate, and a background job records a
    /// second effect for it about 1 s later.
    AsyncDuplicate,
}

impl Defect {
    /// Every defect, in a stable order.
    pub const ALL: [Defect; 38] = [
        Defect::NoDedupe,
        Defect::RacyDedupe,
        Defect::ConflictOnDuplicate,
        Defect::AuthIgnored,
        Defect::AuthPrefixMatch,
        Defect::EffectBeforeAuth,
        Defect::RejectsUnknownFields,
        Defect::ErrorOnNullFields,
        Defect::RejectsTerminated,
        Defect::SlowCancelled,
        Defect::Redirects,
        Defect::DiesOnMalformedJson,
        Defect::ErrorOnMalformedJson,
        Defect::EffectForInvalid,
        Defect::TinyBodyLimit,
        Defect::Serial,
        Defect::DedupeForgets,
        Defect::DedupeExpires,
        Defect::CrashesOnMissingSessionId,
        Defect::PanicsOnUnknownStatus,
        Defect::DropsNonCompleted,
        Defect::LosesUnderLoad,
        Defect::SlowCompleted,
        Defect::CrashesOnUnicode,
        Defect::AsyncEffectForInvalid,
        Defect::HangsOnBadAuth,
        Defect::AuthCaseInsensitiveValue,
        Defect::KeyedOnExternalReference,
        Defect::DedupesCompletedOnly,
        Defect::StrictContentType,
        Defect::StrictTimestamp,
        Defect::ReprocessesOtherStatus,
        Defect::RequiresAccountHolder,
        Defect::RejectsFutureTimestamp,
        Defect::DropsOldEvents,
        Defect::RejectsLowercaseTimestamp,
        Defect::RejectsOmittedFields,
        Defect::AsyncDuplicate,
    ];

    /// The kebab-case name `--defect` takes.
    pub fn name(self) -> &'static str {
        match self {
            Defect::NoDedupe => "no-dedupe",
            Defect::RacyDedupe => "racy-dedupe",
            Defect::ConflictOnDuplicate => "conflict-on-duplicate",
            Defect::AuthIgnored => "auth-ignored",
            Defect::AuthPrefixMatch => "auth-prefix-match",
            Defect::EffectBeforeAuth => "effect-before-auth",
            Defect::RejectsUnknownFields => "rejects-unknown-fields",
            Defect::ErrorOnNullFields => "error-on-null-fields",
            Defect::RejectsTerminated => "rejects-terminated",
            Defect::SlowCancelled => "slow-cancelled",
            Defect::Redirects => "redirects",
            Defect::DiesOnMalformedJson => "dies-on-malformed-json",
            Defect::ErrorOnMalformedJson => "error-on-malformed-json",
            Defect::EffectForInvalid => "effect-for-invalid",
            Defect::TinyBodyLimit => "tiny-body-limit",
            Defect::Serial => "serial",
            Defect::DedupeForgets => "dedupe-forgets",
            Defect::DedupeExpires => "dedupe-expires",
            Defect::CrashesOnMissingSessionId => "crashes-on-missing-session-id",
            Defect::PanicsOnUnknownStatus => "panics-on-unknown-status",
            Defect::DropsNonCompleted => "drops-non-completed",
            Defect::LosesUnderLoad => "loses-under-load",
            Defect::SlowCompleted => "slow-completed",
            Defect::CrashesOnUnicode => "crashes-on-unicode",
            Defect::AsyncEffectForInvalid => "async-effect-for-invalid",
            Defect::HangsOnBadAuth => "hangs-on-bad-auth",
            Defect::AuthCaseInsensitiveValue => "auth-case-insensitive-value",
            Defect::KeyedOnExternalReference => "keyed-on-external-reference",
            Defect::DedupesCompletedOnly => "dedupes-completed-only",
            Defect::StrictContentType => "strict-content-type",
            Defect::StrictTimestamp => "strict-timestamp",
            Defect::ReprocessesOtherStatus => "reprocesses-other-status",
            Defect::RequiresAccountHolder => "requires-account-holder",
            Defect::RejectsFutureTimestamp => "rejects-future-timestamp",
            Defect::DropsOldEvents => "drops-old-events",
            Defect::RejectsLowercaseTimestamp => "rejects-lowercase-timestamp",
            Defect::RejectsOmittedFields => "rejects-omitted-fields",
            Defect::AsyncDuplicate => "async-duplicate",
        }
    }

    /// One line saying what breaks.
    pub fn description(self) -> &'static str {
        match self {
            Defect::NoDedupe => "every delivery records an effect, duplicates too",
            Defect::RacyDedupe => {
                "check-then-insert with an await between: concurrent duplicates both record"
            }
            Defect::ConflictOnDuplicate => "answers 409 to a duplicate delivery",
            Defect::AuthIgnored => "accepts any auth header value, or none",
            Defect::AuthPrefixMatch => {
                "accepts a prefix of the secret, or a value that starts with it"
            }
            Defect::EffectBeforeAuth => "records the effect, then checks the auth header",
            Defect::RejectsUnknownFields => "answers 422 to any unknown top-level field",
            Defect::ErrorOnNullFields => "answers 500 when a nullable field is null",
            Defect::RejectsTerminated => "answers 422 to status TERMINATED",
            Defect::SlowCancelled => "answers CANCELLED only after the sender's timeout",
            Defect::Redirects => "answers valid deliveries with a 307 redirect",
            Defect::DiesOnMalformedJson => "stops serving after a body that is not JSON",
            Defect::ErrorOnMalformedJson => "answers 500 instead of 400 to a body that is not JSON",
            Defect::EffectForInvalid => "records an effect for an invalid payload with a sessionId",
            Defect::TinyBodyLimit => "refuses bodies over 16 KiB with 413",
            Defect::Serial => "serves one delivery at a time, 100 ms each",
            Defect::DedupeForgets => {
                "remembers only the 16 latest sessions: older copies record again"
            }
            Defect::DedupeExpires => {
                "remembers a session for 2 s (--dedupe-expiry): later copies record again"
            }
            Defect::CrashesOnMissingSessionId => {
                "panics, closing the connection, when sessionId is missing, null or not a string"
            }
            Defect::PanicsOnUnknownStatus => {
                "panics, closing the connection, on a status string not one of the five"
            }
            Defect::DropsNonCompleted => {
                "answers 2xx to every valid delivery, records only COMPLETED"
            }
            Defect::LosesUnderLoad => "answers 200 without recording when over 8 are in flight",
            Defect::SlowCompleted => "answers COMPLETED only after the sender's timeout",
            Defect::CrashesOnUnicode => "panics, closing the connection, on a non-ASCII string",
            Defect::AsyncEffectForInvalid => {
                "refuses an unprocessable body with a sessionId, records an effect 1 s later"
            }
            Defect::HangsOnBadAuth => "never answers a wrong auth header value (missing: 401)",
            Defect::AuthCaseInsensitiveValue => "compares the auth header value ignoring case",
            Defect::KeyedOnExternalReference => {
                "deduplicates on externalReferenceId (null is one key), not sessionId"
            }
            Defect::DedupesCompletedOnly => {
                "deduplicates COMPLETED only: other copies record again"
            }
            Defect::StrictContentType => {
                "answers 415 to any content type but exactly application/json"
            }
            Defect::StrictTimestamp => {
                "answers 422 to a completedAt not exactly YYYY-MM-DDTHH:MM:SS.sssZ"
            }
            Defect::ReprocessesOtherStatus => {
                "deduplicates on (sessionId, status): another status records again"
            }
            Defect::RequiresAccountHolder => {
                "answers 500 when extractedData is an object without accountHolder"
            }
            Defect::RejectsFutureTimestamp => {
                "answers 422 to a completedAt ahead of its clock, however slightly"
            }
            Defect::DropsOldEvents => {
                "answers 2xx but records nothing for a completedAt over a day old"
            }
            Defect::RejectsLowercaseTimestamp => {
                "answers 422 to a completedAt with a lowercase t or z"
            }
            Defect::RejectsOmittedFields => {
                "answers 422 when externalReferenceId, extractedData or proofHash is left out"
            }
            Defect::AsyncDuplicate => {
                "answers a duplicate at once, records a second effect for it 1 s later"
            }
        }
    }
}

impl fmt::Display for Defect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A defect name that is not one of [`Defect::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown defect `{name}` (expected one of {})", Defect::ALL.map(Defect::name).join(", "))]
pub struct UnknownDefect {
    /// The name given.
    pub name: String,
}

impl FromStr for Defect {
    type Err = UnknownDefect;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Defect::ALL
            .into_iter()
            .find(|defect| defect.name() == s.trim())
            .ok_or_else(|| UnknownDefect { name: s.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_defect_name_reads_back() {
        for defect in Defect::ALL {
            assert_eq!(defect.name().parse::<Defect>(), Ok(defect));
            assert!(!defect.description().is_empty());
        }
    }

    #[test]
    fn unknown_defect_lists_the_valid_names() {
        let err = "no-such".parse::<Defect>().unwrap_err().to_string();
        assert!(
            err.contains("no-such") && err.contains("racy-dedupe"),
            "{err}"
        );
    }
}
