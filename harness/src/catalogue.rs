//! The requirement catalogue: every requirement of SPEC §3 as data, and in [`sender`]
//! those of SPEC §2 that `hookcheck capture` grades a sender against.
//!
//! Each [`Requirement`] has a stable id (`idempotency/exactly-once`), a [`Category`], a
//! [`Level`], the requirement in one sentence, the SPEC clause it comes from, and the ids of
//! the checks that test it. Ids are names, never positions: reports, `--only` and `--skip`
//! refer to them, so an id, once published, does not change.
//!
//! A check id is its requirement's id followed by `/` and the variant it probes
//! (`status/valid-delivery-2xx/cancelled`), so `--only status/valid-delivery-2xx` selects
//! all of a requirement's checks and `--only status` a whole category.

use serde::{Deserialize, Serialize};

pub use standard_webhooks::STANDARD_WEBHOOKS_REQUIREMENTS;

use crate::generate::{
    Age, AuthMutation, BadInput, DuplicateScenario, FreeFormKeys, NameCase, Omittable,
    PAYLOAD_SHAPE_IDS, STATUS_IDS, SharedValue, TimestampForm, UnknownFields,
};
use crate::profile::Profile;

crate::closed::closed_enum! {
    /// The part of the contract a requirement belongs to, in the order reports list them;
    /// its name is the lowercase one ids and reports use.
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum Category as "category" {
        /// Valid deliveries of every status are acknowledged.
        Status => "status",
        /// Every payload form the sender may produce is accepted.
        Payload => "payload",
        /// The custom auth header is enforced.
        Auth => "auth",
        /// Each session is processed exactly once.
        Idempotency => "idempotency",
        /// Answers arrive within the sender's timeout.
        Latency => "latency",
        /// Bad input neither crashes, hangs nor causes side effects.
        Robustness => "robustness",
        /// HTTPS, certificates and redirects.
        Transport => "transport",
        /// A sender's requests: method, body, headers, the same body on every attempt
        /// (`hookcheck capture`, SPEC §2).
        Request => "request",
        /// A sender's retries: how many, how far apart, when they stop.
        Retry => "retry",
        /// A sender never follows a redirect.
        Redirect => "redirect",
        /// A sender gives up an attempt at its timeout.
        Timeout => "timeout",
        /// Signatures are verified before anything is acted on (Standard Webhooks).
        Signature => "signature",
        /// Timestamps outside the tolerance are refused (Standard Webhooks).
        Replay => "replay",
    }
}

crate::closed::closed_enum! {
    /// How binding a requirement is. A broken MUST fails a run; a broken SHOULD warns.
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "UPPERCASE")]
    pub enum Level as "level" {
        /// From the provider's documentation: breaking it loses or duplicates events.
        Must => "MUST",
        /// This project's reading of what keeps a receiver safe.
        Should => "SHOULD",
        /// Reported for information; either behaviour conforms.
        Info => "INFO",
    }
}

/// One requirement of SPEC §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Requirement {
    /// Stable id, `category/name`.
    pub id: &'static str,
    /// The part of the contract it belongs to.
    pub category: Category,
    /// MUST, SHOULD or INFO.
    pub level: Level,
    /// The requirement in one sentence.
    pub text: &'static str,
    /// Where CONTRACT.md says it.
    pub clause: &'static str,
    /// The variants its checks probe; each check id is `{id}/{variant}`. Empty when the
    /// requirement is one check whose id is the requirement's own.
    pub variants: &'static [&'static str],
    /// Why no check tests it, for a requirement that cannot be observed from outside.
    pub unchecked: Option<&'static str>,
    /// What a run must be given for its checks to observe anything.
    pub needs: Needs,
}

/// What a run must be given for a requirement's checks to observe anything; without it
/// they are skipped, and the verdict line says how many MUSTs went unverified and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Needs {
    /// Nothing: every run can grade it.
    Nothing,
    /// The target's auth header (`--auth`).
    Auth,
    /// An effects probe (`--effects-url` or `--effects-cmd`).
    Effects,
    /// Both.
    AuthAndEffects,
}

impl Needs {
    /// Why a check with this need is skipped in a run that has auth (or not) and an effects
    /// probe (or not); `None` when it can run.
    pub fn unmet(self, has_auth: bool, has_effects: bool) -> Option<&'static str> {
        let auth = matches!(self, Needs::Auth | Needs::AuthAndEffects);
        let effects = matches!(self, Needs::Effects | Needs::AuthAndEffects);
        if auth && !has_auth {
            Some(NO_AUTH)
        } else if effects && !has_effects {
            Some(NO_EFFECTS_PROBE)
        } else {
            None
        }
    }
}

/// The reason auth checks are skipped without `--auth`.
pub const NO_AUTH: &str = "no --auth given: the target is graded as having no auth header";
/// The reason effect checks are skipped without an effects probe.
pub const NO_EFFECTS_PROBE: &str =
    "no effects probe: give --effects-url or --effects-cmd (SPEC §4) to observe side effects";

impl Requirement {
    /// A MUST requirement that every run can observe unless `needs` says otherwise.
    pub(crate) const fn must(
        id: &'static str,
        category: Category,
        text: &'static str,
        clause: &'static str,
        variants: &'static [&'static str],
        needs: Needs,
    ) -> Requirement {
        Requirement {
            id,
            category,
            level: Level::Must,
            text,
            clause,
            variants,
            unchecked: None,
            needs,
        }
    }

    /// Whether `check_id` is this requirement's id or one of its checks'.
    pub fn owns(&self, check_id: &str) -> bool {
        check_id == self.id
            || check_id
                .strip_prefix(self.id)
                .is_some_and(|rest| rest.starts_with('/'))
    }

    /// The ids of the checks that test this requirement.
    pub fn check_ids(&self) -> Vec<String> {
        if self.unchecked.is_some() {
            Vec::new()
        } else if self.variants.is_empty() {
            vec![self.id.to_owned()]
        } else {
            self.variants
                .iter()
                .map(|variant| format!("{}/{variant}", self.id))
                .collect()
        }
    }
}

/// The two spellings of the auth header's name the case check sends.
pub const NAME_CASE_VARIANTS: &[&str] = &NameCase::IDS;

/// Every requirement, in report order.
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "status/valid-delivery-2xx",
        category: Category::Status,
        level: Level::Must,
        text: "A valid delivery of every terminal status is answered 2xx.",
        clause: "SPEC §3 ¶1",
        variants: STATUS_IDS,
        unchecked: None,
        needs: Needs::Nothing,
    },
    Requirement {
        id: "status/nullable-fields-null",
        category: Category::Status,
        level: Level::Must,
        text: "A delivery with every documented nullable field null (proofHash only for ERROR, CANCELLED and TERMINATED) is answered 2xx.",
        clause: "SPEC §3 ¶4, §1 [D-2]",
        variants: STATUS_IDS,
        unchecked: None,
        needs: Needs::Nothing,
    },
    Requirement {
        id: "status/data-for-every-status",
        category: Category::Status,
        level: Level::Must,
        text: "A delivery with extractedData and proofHash present is answered 2xx, for every status.",
        clause: "SPEC §3 ¶4, §1 [D-2]",
        variants: STATUS_IDS,
        unchecked: None,
        needs: Needs::Nothing,
    },
    Requirement {
        id: "status/processed-once",
        category: Category::Status,
        level: Level::Must,
        text: "Every acknowledged delivery of every terminal status causes exactly one side effect.",
        clause: "SPEC §3 ¶3",
        variants: STATUS_IDS,
        unchecked: None,
        needs: Needs::Effects,
    },
    Requirement {
        id: "payload/unicode",
        category: Category::Payload,
        level: Level::Must,
        text: "A valid delivery with non-ASCII text in every string field is answered 2xx.",
        clause: "SPEC §3 ¶4",
        variants: &[],
        unchecked: None,
        needs: Needs::Nothing,
    },
    Requirement {
        id: "payload/unknown-fields",
        category: Category::Payload,
        level: Level::Should,
        text: "Unknown fields, at the top level and inside extractedData and metadata, are accepted.",
        clause: "SPEC §3 ¶8, §1 [D-4]",
        variants: &UnknownFields::IDS,
        unchecked: None,
        needs: Needs::Nothing,
    },
    Requirement {
        id: "payload/large-body",
        category: Category::Payload,
        level: Level::Should,
        text: "A valid payload of exactly 256 KiB is accepted.",
        clause: "SPEC §3 ¶8 [D-11]",
        variants: &[],
        unchecked: None,
        needs: Needs::Nothing,
    },
    Requirement {
        id: "payload/timestamp-forms",
        category: Category::Payload,
        level: Level::Should,
        text: "completedAt in any RFC 3339 form is accepted.",
        clause: "SPEC §3 ¶8, §1 [D-3]",
        variants: &TimestampForm::IDS,
        unchecked: None,
        needs: Needs::Nothing,
    },
    Requirement {
        id: "payload/charset-parameter",
        category: Category::Payload,
        level: Level::Should,
        text: "Content-Type `application/json; charset=utf-8` is accepted.",
        clause: "SPEC §3 ¶8",
        variants: &[],
        unchecked: None,
        needs: Needs::Nothing,
    },
    Requirement {
        id: "payload/completed-at-any-age",
        category: Category::Payload,
        level: Level::Must,
        text: "A valid delivery whose completedAt is years back, days back, now, or up to 4 minutes ahead of the receiver's clock is answered 2xx.",
        clause: "SPEC §3 ¶4 [D-13]",
        variants: &Age::IDS,
        unchecked: None,
        needs: Needs::Nothing,
    },
    Requirement {
        id: "payload/optional-fields-omitted",
        category: Category::Payload,
        level: Level::Must,
        text: "A valid delivery that leaves out externalReferenceId, extractedData or proofHash is answered 2xx.",
        clause: "SPEC §3 ¶4 [D-14]",
        variants: &Omittable::IDS,
        unchecked: None,
        needs: Needs::Nothing,
    },
    Requirement {
        id: "payload/free-form-keys",
        category: Category::Payload,
        level: Level::Must,
        text: "A valid delivery whose extractedData is keyed otherwise than the documented example (more keys, other keys, nested values, no keys) is answered 2xx.",
        clause: "SPEC §3 ¶4 [D-16]",
        variants: &FreeFormKeys::IDS,
        unchecked: None,
        needs: Needs::Nothing,
    },
    Requirement {
        id: "payload/processed-once",
        category: Category::Payload,
        level: Level::Must,
        text: "Every payload form that is acknowledged causes exactly one side effect, whatever the age of its completedAt and whichever optional field it leaves out.",
        clause: "SPEC §3 ¶3, ¶4 [D-13] [D-14]",
        variants: PAYLOAD_SHAPE_IDS,
        unchecked: None,
        needs: Needs::Effects,
    },
    Requirement {
        id: "auth/rejects-bad-credentials",
        category: Category::Auth,
        level: Level::Must,
        text: "A delivery whose auth header is missing, empty or differs in any way is answered non-2xx within the timeout.",
        clause: "SPEC §3 ¶6",
        variants: &AuthMutation::IDS,
        unchecked: None,
        needs: Needs::Auth,
    },
    Requirement {
        id: "auth/no-effect-when-rejected",
        category: Category::Auth,
        level: Level::Must,
        text: "A delivery rejected for its auth header causes no side effect.",
        clause: "SPEC §3 ¶6",
        variants: &AuthMutation::IDS,
        unchecked: None,
        needs: Needs::AuthAndEffects,
    },
    Requirement {
        id: "auth/rejection-status",
        category: Category::Auth,
        level: Level::Should,
        text: "A delivery rejected for its auth header is answered 401 or 403.",
        clause: "SPEC §3 ¶6",
        variants: &[],
        unchecked: None,
        needs: Needs::Auth,
    },
    Requirement {
        id: "auth/header-name-any-case",
        category: Category::Auth,
        level: Level::Must,
        text: "The auth header's name is matched case-insensitively.",
        clause: "SPEC §3 ¶6",
        variants: NAME_CASE_VARIANTS,
        unchecked: None,
        needs: Needs::Auth,
    },
    Requirement {
        id: "auth/duplicated-header",
        category: Category::Auth,
        level: Level::Info,
        text: "Two copies of the auth header, one of them wrong, may be accepted or refused.",
        clause: "SPEC §3 ¶6",
        variants: &[],
        unchecked: None,
        needs: Needs::Auth,
    },
    Requirement {
        id: "auth/accepted-processed-once",
        category: Category::Auth,
        level: Level::Must,
        text: "Every correctly authenticated delivery that is acknowledged (the header's name in another case, or beside a wrong copy of the header) causes exactly one side effect.",
        clause: "SPEC §3 ¶3, ¶6 [D-19]",
        variants: &[],
        unchecked: None,
        needs: Needs::AuthAndEffects,
    },
    Requirement {
        id: "auth/constant-time-compare",
        category: Category::Auth,
        level: Level::Should,
        text: "The auth value is compared in constant time.",
        clause: "SPEC §3 ¶6",
        variants: &[],
        unchecked: Some(
            "timing differences of a comparison cannot be measured reliably over a network",
        ),
        needs: Needs::Auth,
    },
    Requirement {
        id: "idempotency/duplicates-acknowledged",
        category: Category::Idempotency,
        level: Level::Must,
        text: "Every copy of a repeated delivery is answered 2xx.",
        clause: "SPEC §3 ¶3 [D-19] [D-20]",
        variants: &DuplicateScenario::IDS,
        unchecked: None,
        needs: Needs::Nothing,
    },
    Requirement {
        id: "idempotency/exactly-once",
        category: Category::Idempotency,
        level: Level::Must,
        text: "Repeated deliveries of one sessionId, whatever their body, order or spacing in time, cause exactly one side effect.",
        clause: "SPEC §3 ¶3 [D-10] [D-19] [D-20]",
        variants: &DuplicateScenario::IDS,
        unchecked: None,
        needs: Needs::Effects,
    },
    Requirement {
        id: "idempotency/distinct-sessions-acknowledged",
        category: Category::Idempotency,
        level: Level::Must,
        text: "Distinct sessions that share a field value are each answered 2xx.",
        clause: "SPEC §3 ¶3",
        variants: &SharedValue::IDS,
        unchecked: None,
        needs: Needs::Nothing,
    },
    Requirement {
        id: "idempotency/distinct-sessions-processed",
        category: Category::Idempotency,
        level: Level::Must,
        text: "Distinct sessions that share a field value each cause exactly one side effect: the key is sessionId.",
        clause: "SPEC §3 ¶3",
        variants: &SharedValue::IDS,
        unchecked: None,
        needs: Needs::Effects,
    },
    BURST_PROCESSED_ONCE,
    WITHIN_TIMEOUT,
    BURST,
    Requirement {
        id: "robustness/keeps-serving",
        category: Category::Robustness,
        level: Level::Must,
        text: "Any input at all is answered within the timeout (closing the connection instead is a crash, except for an oversized body), and valid deliveries are still answered 2xx afterwards.",
        clause: "SPEC §3 ¶7",
        variants: &BadInput::IDS,
        unchecked: None,
        needs: Needs::Nothing,
    },
    Requirement {
        id: "robustness/no-5xx-for-bad-input",
        category: Category::Robustness,
        level: Level::Should,
        text: "Bad input is answered 4xx (or 2xx where SPEC [D-12] allows), not 5xx.",
        clause: "SPEC §3 ¶7 [D-12] [D-17]",
        variants: &BadInput::IDS,
        unchecked: None,
        needs: Needs::Nothing,
    },
    Requirement {
        id: "robustness/no-effect-for-unprocessable",
        category: Category::Robustness,
        level: Level::Must,
        text: "Unprocessable input causes no side effect (checked for every such input that names a session the effects probe can ask about).",
        clause: "SPEC §3 ¶7 [D-12]",
        variants: BadInput::NO_EFFECT_IDS,
        unchecked: None,
        needs: Needs::Effects,
    },
    Requirement {
        id: "robustness/liveness-processed-once",
        category: Category::Robustness,
        level: Level::Must,
        text: "Every valid delivery sent between the bad inputs (to see that the receiver keeps serving) that is acknowledged causes exactly one side effect.",
        clause: "SPEC §3 ¶3, ¶7 [D-19]",
        variants: &[],
        unchecked: None,
        needs: Needs::Effects,
    },
    HTTPS,
    VALID_CERTIFICATE,
    NO_REDIRECT,
];

// The requirements every receiver profile shares: one check, each profile citing its own
// clause (`Requirement { clause: …, ..HTTPS }`), and saying it in its own units where the
// words name them (a session, a message).

/// `latency/within-timeout`, as CONTRACT.md cites it.
pub(crate) const WITHIN_TIMEOUT: Requirement = Requirement {
    id: "latency/within-timeout",
    category: Category::Latency,
    level: Level::Must,
    text: "Every valid delivery is answered completely within the sender's timeout.",
    clause: "SPEC §3 ¶2, §2 [D-6]",
    variants: &[],
    unchecked: None,
    needs: Needs::Nothing,
};

/// `idempotency/burst-processed-once`, as CONTRACT.md cites it.
pub(crate) const BURST_PROCESSED_ONCE: Requirement = Requirement {
    id: "idempotency/burst-processed-once",
    category: Category::Idempotency,
    level: Level::Must,
    text: "Every session of a burst of concurrent deliveries causes exactly one side effect.",
    clause: "SPEC §3 ¶2, ¶3 [D-9]",
    variants: &[],
    unchecked: None,
    needs: Needs::Effects,
};

/// `latency/burst`, as CONTRACT.md cites it.
pub(crate) const BURST: Requirement = Requirement {
    id: "latency/burst",
    category: Category::Latency,
    level: Level::Must,
    text: "A burst of concurrent distinct deliveries is answered 2xx, each within the timeout.",
    clause: "SPEC §3 ¶2 [D-9]",
    variants: &[],
    unchecked: None,
    needs: Needs::Nothing,
};

/// `transport/https`, as CONTRACT.md cites it.
pub(crate) const HTTPS: Requirement = Requirement {
    id: "transport/https",
    category: Category::Transport,
    level: Level::Must,
    text: "The endpoint is served over HTTPS (a plain-http target is reported as skipped, so that local runs stay possible).",
    clause: "SPEC §3 ¶9",
    variants: &[],
    unchecked: None,
    needs: Needs::Nothing,
};

/// `transport/valid-certificate`, as CONTRACT.md cites it.
pub(crate) const VALID_CERTIFICATE: Requirement = Requirement {
    id: "transport/valid-certificate",
    category: Category::Transport,
    level: Level::Must,
    text: "The certificate validates for the host: chain, name and expiry.",
    clause: "SPEC §3 ¶9, §2 [D-18]",
    variants: &[],
    unchecked: None,
    needs: Needs::Nothing,
};

/// `transport/no-redirect`, as CONTRACT.md cites it.
pub(crate) const NO_REDIRECT: Requirement = Requirement {
    id: "transport/no-redirect",
    category: Category::Transport,
    level: Level::Must,
    text: "No valid delivery is answered with a redirect (3xx).",
    clause: "SPEC §3 ¶5 [D-7]",
    variants: &[],
    unchecked: None,
    needs: Needs::Nothing,
};

/// The requirements a receiver is graded against under `profile`, in report order.
pub const fn requirements(profile: Profile) -> &'static [Requirement] {
    match profile {
        Profile::Cr3dentials => REQUIREMENTS,
        Profile::StandardWebhooks => STANDARD_WEBHOOKS_REQUIREMENTS,
    }
}

/// Every requirement hookcheck grades against: each receiver profile's, then the
/// sender's (`hookcheck capture`). An id is unique within a catalogue; one that two
/// profiles share is one check, graded against each profile's own clause.
pub fn every_requirement() -> impl Iterator<Item = &'static Requirement> {
    Profile::ALL
        .iter()
        .flat_map(|profile| requirements(*profile))
        .chain(sender::SENDER_REQUIREMENTS)
}

/// The requirement a check id belongs to, in the first catalogue that has it. A run knows
/// its profile and asks [`requirement_in`].
pub fn requirement_of(check_id: &str) -> Option<&'static Requirement> {
    every_requirement().find(|requirement| requirement.owns(check_id))
}

/// The requirement a check id belongs to under `profile`, with that profile's clause.
pub fn requirement_in(profile: Profile, check_id: &str) -> Option<&'static Requirement> {
    requirements(profile)
        .iter()
        .find(|requirement| requirement.owns(check_id))
}

/// Every check id of the Cr3dentials catalogue, in report order.
pub fn all_check_ids() -> Vec<String> {
    check_ids_of(Profile::Cr3dentials)
}

/// Every check id a receiver is graded on under `profile`, in report order.
pub fn check_ids_of(profile: Profile) -> Vec<String> {
    requirements(profile)
        .iter()
        .flat_map(Requirement::check_ids)
        .collect()
}

/// Which checks a run includes: `--only` and `--skip` id prefixes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// When non-empty, a check runs only if its id starts with one of these.
    pub only: Vec<String>,
    /// A check whose id starts with one of these does not run.
    pub skip: Vec<String>,
}

impl Selection {
    /// Whether the check with this id is selected. A prefix matches whole id segments:
    /// `auth` selects `auth/…`, not `authz/…`.
    pub fn includes(&self, check_id: &str) -> bool {
        let matches = |prefix: &String| {
            let prefix = prefix.trim_end_matches('/');
            check_id == prefix
                || check_id
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with('/'))
        };
        (self.only.is_empty() || self.only.iter().any(matches)) && !self.skip.iter().any(matches)
    }

    /// The prefixes that select no check of `profile` at all: almost always a typo, so the
    /// CLI refuses them.
    pub fn unknown_prefixes(&self, profile: Profile) -> Vec<String> {
        let ids = check_ids_of(profile);
        self.only
            .iter()
            .chain(&self.skip)
            .filter(|prefix| {
                let single = Selection {
                    only: vec![(*prefix).clone()],
                    skip: Vec::new(),
                };
                !ids.iter().any(|id| single.includes(id))
            })
            .cloned()
            .collect()
    }
}

pub mod sender;
pub mod standard_webhooks;
#[cfg(test)]
mod tests;
