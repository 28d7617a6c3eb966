//! How the generators label what they generate, in the contract's own words: every
//! departure from SPEC §1 names the item of the [D-12] list it is, and every corpus label
//! names the clause it follows. A test reads `CONTRACT.md` and holds the two to each other,
//! so a generator cannot call an input unprocessable that the contract calls off-contract.

/// How SPEC [D-12] grades a bad input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputGrade {
    /// Not an event at all: it must cause no side effect (4xx, or 2xx to acknowledge and
    /// ignore an unknown status).
    Unprocessable,
    /// Another departure from SPEC §1: accepting it and refusing it both conform.
    OffContract,
}

crate::closed::closed_enum! {
    /// One departure from SPEC §1, as SPEC [D-12] lists it.
    #[derive(arbitrary::Arbitrary)]
    pub enum Departure as "departure" {
        /// The body is not JSON.
        NotJson => "not-json",
        /// JSON, but not an object.
        NotAnObject => "not-an-object",
        /// Bytes that are not UTF-8.
        InvalidUtf8 => "invalid-utf8",
        /// Another method than POST.
        NotPost => "not-post",
        /// No `sessionId`.
        SessionIdMissing => "session-id-missing",
        /// `sessionId` is `""`.
        SessionIdEmpty => "session-id-empty",
        /// `sessionId` is not a string (null included).
        SessionIdNotString => "session-id-not-string",
        /// No `status`.
        StatusMissing => "status-missing",
        /// `status` is not a string.
        StatusNotString => "status-not-string",
        /// `status` is a string but not one of the five (lower case included).
        StatusUnknown => "status-unknown",
        /// `platformId`, `completedAt` or `metadata` left out.
        RequiredFieldMissing => "required-field-missing",
        /// A field other than the two identity fields of the wrong JSON type.
        FieldMistyped => "field-mistyped",
        /// `sessionId` only whitespace (SPEC [D-15]).
        SessionIdBlank => "session-id-blank",
        /// A field written twice.
        DuplicateField => "duplicate-field",
        /// Nesting past the depth limit.
        TooDeep => "too-deep",
        /// A body past 256 KiB.
        OverSize => "over-size",
        /// A valid body with another content type.
        ContentType => "content-type",
    }
}

impl Departure {
    /// The item of SPEC [D-12]'s list that names it, word for word.
    pub const fn words(self) -> &'static str {
        match self {
            Departure::NotJson => "not JSON",
            Departure::NotAnObject => "not a JSON object",
            Departure::InvalidUtf8 => "invalid UTF-8",
            Departure::NotPost => "not a POST",
            Departure::SessionIdMissing => "`sessionId` missing",
            Departure::SessionIdEmpty => "`sessionId` empty",
            Departure::SessionIdNotString => "`sessionId` not a string",
            Departure::StatusMissing => "`status` missing",
            Departure::StatusNotString => "`status` not a string",
            Departure::StatusUnknown => "`status` not one of the five",
            Departure::RequiredFieldMissing => "`platformId`, `completedAt` or `metadata` missing",
            Departure::FieldMistyped => {
                "a field other than `sessionId` and `status` of the wrong type"
            }
            Departure::SessionIdBlank => "a `sessionId` of only whitespace",
            Departure::DuplicateField => "a field written twice",
            Departure::TooDeep => "nesting deeper than 32 levels",
            Departure::OverSize => "a body over 256 KiB",
            Departure::ContentType => "a valid body with another content type",
        }
    }
}

crate::closed::closed_enum! {
    /// The label `hookcheck corpus` gives a case: what a conforming receiver owes it.
    #[derive(arbitrary::Arbitrary)]
    pub enum CaseLabel as "case label" {
        /// A valid delivery of at most 256 KiB: answered 2xx (SPEC §3 ¶1).
        Valid => "valid",
        /// A valid delivery over 256 KiB: accepted, or refused with 413 (SPEC [D-11]).
        ValidMayRefuse413 => "valid-may-refuse-413",
        /// Unprocessable: no side effect (SPEC [D-12]).
        Unprocessable => "unprocessable",
        /// Off-contract: accepted or refused, never 5xx (SPEC [D-12]).
        OffContract => "off-contract",
    }
}

impl CaseLabel {
    /// The anchor of the clause in `CONTRACT.md` that says what the label promises.
    pub const fn clause_anchor(self) -> &'static str {
        match self {
            CaseLabel::Valid => "s3-p1",
            CaseLabel::ValidMayRefuse413 => "d-11",
            CaseLabel::Unprocessable | CaseLabel::OffContract => "d-12",
        }
    }

    /// The clause as the index cites it.
    pub const fn clause(self) -> &'static str {
        match self {
            CaseLabel::Valid => "SPEC §3 ¶1, §1",
            CaseLabel::ValidMayRefuse413 => "SPEC §3 ¶8 [D-11]",
            CaseLabel::Unprocessable | CaseLabel::OffContract => "SPEC §3 ¶7 [D-12]",
        }
    }

    /// The label of an invalid input of this grade.
    pub const fn of_grade(grade: InputGrade) -> CaseLabel {
        match grade {
            InputGrade::Unprocessable => CaseLabel::Unprocessable,
            InputGrade::OffContract => CaseLabel::OffContract,
        }
    }

    /// Whether a conforming receiver must answer it 2xx.
    pub const fn must_accept(self) -> bool {
        matches!(self, CaseLabel::Valid)
    }
}

/// The largest valid body a receiver must accept (SPEC [D-11]).
pub const MUST_ACCEPT_BYTES: usize = 256 * 1024;

#[cfg(test)]
mod tests;
