//! The requirement catalogue: every requirement of SPEC §3 as data.
//!
//! Each [`Requirement`] has a stable id (`idempotency/exactly-once`), a [`Category`], a
//! [`Level`], the requirement in one sentence, the SPEC clause it comes from, and the ids of
//! the checks that test it. Ids are names, never positions: reports, `--only` and `--skip`
//! refer to them, so an id, once published, does not change.
//!
//! A check id is its requirement's id followed by `/` and the variant it probes
//! (`status/valid-delivery-2xx/cancelled`), so `--only status/valid-delivery-2xx` selects
//! all of a requirement's checks and `--only status` a whole category.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The part of the contract a requirement belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Valid deliveries of every status are acknowledged.
    Status,
    /// Every payload form the sender may produce is accepted.
    Payload,
    /// The custom auth header is enforced.
    Auth,
    /// Each session is processed exactly once.
    Idempotency,
    /// Answers arrive within the sender's timeout.
    Latency,
    /// Bad input neither crashes, hangs nor causes side effects.
    Robustness,
    /// HTTPS, certificates and redirects.
    Transport,
}

impl Category {
    /// Every category, in the order reports list them.
    pub const ALL: [Category; 7] = [
        Category::Status,
        Category::Payload,
        Category::Auth,
        Category::Idempotency,
        Category::Latency,
        Category::Robustness,
        Category::Transport,
    ];

    /// The lowercase name used in ids and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Status => "status",
            Category::Payload => "payload",
            Category::Auth => "auth",
            Category::Idempotency => "idempotency",
            Category::Latency => "latency",
            Category::Robustness => "robustness",
            Category::Transport => "transport",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How binding a requirement is. A broken MUST fails a run; a broken SHOULD warns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    /// From the provider's documentation: breaking it loses or duplicates events.
    Must,
    /// This project's reading of what keeps a receiver safe.
    Should,
    /// Reported for information; either behaviour conforms.
    Info,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::Info => "INFO",
        })
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
    /// Where SPEC.md says it.
    pub clause: &'static str,
    /// The variants its checks probe; each check id is `{id}/{variant}`. Empty when the
    /// requirement is one check whose id is the requirement's own.
    pub variants: &'static [&'static str],
    /// Why no check tests it, for a requirement that cannot be observed from outside.
    pub unchecked: Option<&'static str>,
}

impl Requirement {
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

/// The check variants for the five terminal statuses, in the documentation's order.
pub const STATUS_VARIANTS: &[&str] = &[
    "completed",
    "partial-complete",
    "error",
    "cancelled",
    "terminated",
];

/// The auth mutations a rejected delivery is sent with.
pub const BAD_AUTH_VARIANTS: &[&str] = &[
    "missing-header",
    "empty-value",
    "wrong-value",
    "truncated-value",
    "extended-value",
    "other-case",
    "inner-whitespace",
];

/// The scenarios of the idempotency family.
pub const DUPLICATE_VARIANTS: &[&str] =
    &["sequential", "concurrent", "after-abandoned", "other-body"];

/// The bad inputs of the robustness family.
pub const BAD_INPUT_VARIANTS: &[&str] = &[
    "malformed-json",
    "empty-body",
    "not-an-object",
    "wrong-types",
    "missing-fields",
    "unknown-status",
    "deep-nesting",
    "oversized-body",
    "invalid-utf8",
    "wrong-content-type",
    "wrong-method",
];

/// The bad inputs that are *unprocessable* (SPEC D-12) and carry a `sessionId` the effects
/// probe can ask about.
pub const UNPROCESSABLE_WITH_SESSION_VARIANTS: &[&str] = &[
    "malformed-json",
    "unknown-status",
    "invalid-utf8",
    "status-missing",
];

/// Every requirement, in report order.
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "status/valid-delivery-2xx",
        category: Category::Status,
        level: Level::Must,
        text: "A valid delivery of every terminal status is answered 2xx.",
        clause: "SPEC §3 ¶1",
        variants: STATUS_VARIANTS,
        unchecked: None,
    },
    Requirement {
        id: "status/nullable-fields-null",
        category: Category::Status,
        level: Level::Must,
        text: "A delivery with every documented nullable field null is answered 2xx, for every status.",
        clause: "SPEC §3 ¶4, §1 [D-2]",
        variants: STATUS_VARIANTS,
        unchecked: None,
    },
    Requirement {
        id: "status/data-for-every-status",
        category: Category::Status,
        level: Level::Must,
        text: "A delivery with extractedData and proofHash present is answered 2xx, for every status.",
        clause: "SPEC §3 ¶4, §1 [D-2]",
        variants: STATUS_VARIANTS,
        unchecked: None,
    },
    Requirement {
        id: "payload/unicode",
        category: Category::Payload,
        level: Level::Must,
        text: "A valid delivery with non-ASCII text in every string field is answered 2xx.",
        clause: "SPEC §3 ¶4",
        variants: &[],
        unchecked: None,
    },
    Requirement {
        id: "payload/unknown-fields",
        category: Category::Payload,
        level: Level::Should,
        text: "Unknown fields, at the top level and inside extractedData and metadata, are accepted.",
        clause: "SPEC §3 ¶9, §1 [D-4]",
        variants: &["top-level", "nested"],
        unchecked: None,
    },
    Requirement {
        id: "payload/large-body",
        category: Category::Payload,
        level: Level::Should,
        text: "A valid payload of 256 KiB is accepted.",
        clause: "SPEC §3 ¶9 [D-11]",
        variants: &[],
        unchecked: None,
    },
    Requirement {
        id: "payload/timestamp-forms",
        category: Category::Payload,
        level: Level::Should,
        text: "completedAt in any RFC 3339 form is accepted.",
        clause: "SPEC §3 ¶9, §1 [D-3]",
        variants: &[
            "no-fraction",
            "microseconds",
            "positive-offset",
            "negative-offset",
        ],
        unchecked: None,
    },
    Requirement {
        id: "payload/charset-parameter",
        category: Category::Payload,
        level: Level::Should,
        text: "Content-Type `application/json; charset=utf-8` is accepted.",
        clause: "SPEC §3 ¶9",
        variants: &[],
        unchecked: None,
    },
    Requirement {
        id: "auth/rejects-bad-credentials",
        category: Category::Auth,
        level: Level::Must,
        text: "A delivery whose auth header is missing, empty or differs in any way is answered non-2xx.",
        clause: "SPEC §3 ¶7",
        variants: BAD_AUTH_VARIANTS,
        unchecked: None,
    },
    Requirement {
        id: "auth/no-effect-when-rejected",
        category: Category::Auth,
        level: Level::Must,
        text: "A delivery rejected for its auth header causes no side effect.",
        clause: "SPEC §3 ¶7",
        variants: BAD_AUTH_VARIANTS,
        unchecked: None,
    },
    Requirement {
        id: "auth/rejection-status",
        category: Category::Auth,
        level: Level::Should,
        text: "A delivery rejected for its auth header is answered 401 or 403.",
        clause: "SPEC §3 ¶7",
        variants: &[],
        unchecked: None,
    },
    Requirement {
        id: "auth/header-name-any-case",
        category: Category::Auth,
        level: Level::Must,
        text: "The auth header's name is matched case-insensitively.",
        clause: "SPEC §3 ¶7",
        variants: &["lowercase", "uppercase"],
        unchecked: None,
    },
    Requirement {
        id: "auth/duplicated-header",
        category: Category::Auth,
        level: Level::Info,
        text: "Two copies of the auth header, one of them wrong, may be accepted or refused.",
        clause: "SPEC §3 ¶7",
        variants: &[],
        unchecked: None,
    },
    Requirement {
        id: "auth/constant-time-compare",
        category: Category::Auth,
        level: Level::Should,
        text: "The auth value is compared in constant time.",
        clause: "SPEC §3 ¶7",
        variants: &[],
        unchecked: Some(
            "timing differences of a comparison cannot be measured reliably over a network",
        ),
    },
    Requirement {
        id: "idempotency/duplicates-acknowledged",
        category: Category::Idempotency,
        level: Level::Must,
        text: "Every copy of a repeated delivery is answered 2xx.",
        clause: "SPEC §3 ¶3",
        variants: DUPLICATE_VARIANTS,
        unchecked: None,
    },
    Requirement {
        id: "idempotency/exactly-once",
        category: Category::Idempotency,
        level: Level::Must,
        text: "Repeated deliveries of one sessionId cause exactly one side effect.",
        clause: "SPEC §3 ¶3 [D-10]",
        variants: DUPLICATE_VARIANTS,
        unchecked: None,
    },
    Requirement {
        id: "latency/within-timeout",
        category: Category::Latency,
        level: Level::Must,
        text: "Every valid delivery is answered completely within the sender's timeout.",
        clause: "SPEC §3 ¶2, §2 [D-6]",
        variants: &[],
        unchecked: None,
    },
    Requirement {
        id: "latency/burst",
        category: Category::Latency,
        level: Level::Must,
        text: "A burst of concurrent distinct deliveries is answered 2xx, each within the timeout.",
        clause: "SPEC §3 ¶2 [D-9]",
        variants: &[],
        unchecked: None,
    },
    Requirement {
        id: "robustness/keeps-serving",
        category: Category::Robustness,
        level: Level::Must,
        text: "After any input at all the receiver answers it within the timeout and still answers valid deliveries 2xx.",
        clause: "SPEC §3 ¶8",
        variants: BAD_INPUT_VARIANTS,
        unchecked: None,
    },
    Requirement {
        id: "robustness/no-5xx-for-bad-input",
        category: Category::Robustness,
        level: Level::Should,
        text: "Bad input is answered 4xx (or 2xx where SPEC [D-12] allows), not 5xx.",
        clause: "SPEC §3 ¶8 [D-12]",
        variants: BAD_INPUT_VARIANTS,
        unchecked: None,
    },
    Requirement {
        id: "robustness/no-effect-for-unprocessable",
        category: Category::Robustness,
        level: Level::Must,
        text: "Unprocessable input causes no side effect.",
        clause: "SPEC §3 ¶8 [D-12]",
        variants: UNPROCESSABLE_WITH_SESSION_VARIANTS,
        unchecked: None,
    },
    Requirement {
        id: "transport/https",
        category: Category::Transport,
        level: Level::Must,
        text: "The endpoint is served over HTTPS (a plain-http target is reported as a warning).",
        clause: "SPEC §3 ¶10",
        variants: &[],
        unchecked: None,
    },
    Requirement {
        id: "transport/valid-certificate",
        category: Category::Transport,
        level: Level::Must,
        text: "The certificate validates for the host: chain, name and expiry.",
        clause: "SPEC §3 ¶10, §2",
        variants: &[],
        unchecked: None,
    },
    Requirement {
        id: "transport/no-redirect",
        category: Category::Transport,
        level: Level::Must,
        text: "A valid delivery is not answered with a redirect (3xx).",
        clause: "SPEC §3 ¶6 [D-7]",
        variants: &[],
        unchecked: None,
    },
];

/// The requirement a check id belongs to.
pub fn requirement_of(check_id: &str) -> Option<&'static Requirement> {
    REQUIREMENTS.iter().find(|requirement| {
        check_id == requirement.id
            || check_id
                .strip_prefix(requirement.id)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// Every check id in the catalogue, in report order.
pub fn all_check_ids() -> Vec<String> {
    REQUIREMENTS
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

    /// The prefixes that select no check at all: almost always a typo, so the CLI refuses them.
    pub fn unknown_prefixes(&self) -> Vec<String> {
        let ids = all_check_ids();
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

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn ids_are_unique_and_start_with_their_category() {
        let mut seen = HashSet::new();
        for requirement in REQUIREMENTS {
            assert!(
                seen.insert(requirement.id),
                "duplicate id {}",
                requirement.id
            );
            let category = requirement.id.split('/').next().unwrap();
            assert_eq!(
                category,
                requirement.category.as_str(),
                "{}",
                requirement.id
            );
        }
        let checks = all_check_ids();
        let unique: HashSet<_> = checks.iter().collect();
        assert_eq!(unique.len(), checks.len());
    }

    #[test]
    fn every_check_maps_back_to_its_requirement() {
        for requirement in REQUIREMENTS {
            for check in requirement.check_ids() {
                assert_eq!(requirement_of(&check).map(|r| r.id), Some(requirement.id));
            }
        }
        assert!(requirement_of("status/valid-delivery-2xx-extra").is_none());
    }

    #[test]
    fn every_requirement_is_checked_or_says_why_not() {
        for requirement in REQUIREMENTS {
            assert!(
                !requirement.check_ids().is_empty() || requirement.unchecked.is_some(),
                "{} has no check and no reason",
                requirement.id
            );
            assert!(requirement.text.ends_with('.'), "{}", requirement.id);
            assert!(
                requirement.clause.starts_with("SPEC §"),
                "{}",
                requirement.id
            );
        }
    }

    #[test]
    fn selection_matches_whole_segments() {
        let only_auth = Selection {
            only: vec!["auth".into()],
            skip: vec!["auth/duplicated-header".into()],
        };
        assert!(only_auth.includes("auth/rejects-bad-credentials/missing-header"));
        assert!(!only_auth.includes("auth/duplicated-header"));
        assert!(!only_auth.includes("status/valid-delivery-2xx/completed"));
        let typo = Selection {
            only: vec!["stat".into()],
            skip: Vec::new(),
        };
        assert_eq!(typo.unknown_prefixes(), vec!["stat".to_owned()]);
        assert!(Selection::default().includes("latency/burst"));
    }
}
