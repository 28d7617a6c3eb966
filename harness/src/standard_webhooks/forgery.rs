//! Deliveries a receiver must refuse ([SW-6]): what a forger, a tamperer or a broken proxy
//! sends. Each starts from a genuine attempt and breaks one thing.

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
    }
}
