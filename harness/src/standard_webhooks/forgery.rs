//! Deliveries a receiver must refuse ([SW-6]): what a forger, a tamperer or a broken proxy
//! sends. Each starts from a genuine attempt and breaks one thing; the last four write a
//! header no parser can read as the scheme means it, which a receiver refuses like any
//! other forgery rather than failing on ([SD-11]).

crate::closed::closed_enum! {
    /// One way a delivery fails verification; its name is the check variant that sends it.
    pub enum Forgery as "forgery" {
        /// Signed with another secret.
        WrongSecret => "wrong-secret",
        /// The body changed after signing (one byte).
        TamperedBody => "tampered-body",
        /// `webhook-id` changed after signing.
        TamperedId => "tampered-id",
        /// `webhook-timestamp` changed after signing (one second later).
        TamperedTimestamp => "tampered-timestamp",
        /// No `webhook-id` header.
        MissingId => "missing-id",
        /// No `webhook-timestamp` header.
        MissingTimestamp => "missing-timestamp",
        /// No `webhook-signature` header.
        MissingSignature => "missing-signature",
        /// A `webhook-signature` holding only entries of versions the receiver does not
        /// verify (`v1a`, `v2`): nothing it can check matches.
        UnknownVersionsOnly => "unknown-versions-only",
        /// `webhook-timestamp` written as a date (`2026-01-01T00:00:00Z`), not Unix seconds.
        TimestampAsDate => "timestamp-as-date",
        /// `webhook-timestamp` of 20 digits: more than a 64-bit integer holds.
        TimestampOverflowing => "timestamp-overflowing",
        /// A `v1` entry whose signature is not base64.
        SignatureNotBase64 => "signature-not-base64",
        /// A `webhook-signature` header that is there but empty.
        SignatureEmpty => "signature-empty",
    }
}
