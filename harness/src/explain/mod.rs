//! `hookcheck explain`: for every requirement of every catalogue (the receiver profiles' and
//! the sender's), why it matters in production, how it is usually broken, and how to fix
//! it, as data.
//!
//! [`explain`] takes a requirement id (`idempotency/exactly-once`) or a check id
//! (`idempotency/exactly-once/concurrent`) and returns the requirement, its clauses in
//! `CONTRACT.md` and its [`Explanation`]. Every requirement has exactly one entry in
//! [`EXPLANATIONS`]; a test holds the two lists together.

mod sender;
mod standard_webhooks;

use crate::catalogue::{Requirement, every_requirement, requirement_of};
use crate::report::contract::{ClauseRef, parse_clause};
pub use sender::SENDER_EXPLANATIONS;
pub use standard_webhooks::STANDARD_WEBHOOKS_EXPLANATIONS;

/// What a person fixing a finding needs beyond the requirement itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Explanation {
    /// The requirement id it explains.
    pub requirement: &'static str,
    /// What goes wrong in production when the requirement is broken.
    pub why: &'static str,
    /// How receivers (or, for a sender requirement, senders) usually come to break it.
    pub breaks: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

/// One id, explained.
#[derive(Debug, Clone)]
pub struct Explained {
    /// The id asked about, when it names one check rather than a whole requirement.
    pub check: Option<String>,
    /// The requirement it belongs to.
    pub requirement: &'static Requirement,
    /// What each contract that has the requirement cites for it: one entry for most, one
    /// per profile for a check profiles share (`transport/https`).
    pub contracts: Vec<Cited>,
    /// Why, how it breaks, how to fix.
    pub explanation: &'static Explanation,
}

/// The clauses one contract cites for a requirement, with their text in that contract.
#[derive(Debug, Clone)]
pub struct Cited {
    /// The clause string as the catalogue writes it: `SPEC §3 ¶9`.
    pub clause: &'static str,
    /// Each clause with its text.
    pub clauses: Vec<(ClauseRef, &'static str)>,
}

/// An id that names no requirement or check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no requirement or check is called `{id}`{}", hint(.suggestions))]
pub struct UnknownId {
    /// The id asked about.
    pub id: String,
    /// Requirement ids that share its first segment, or every category when none does.
    pub suggestions: Vec<&'static str>,
}

fn hint(suggestions: &[&str]) -> String {
    match suggestions {
        [] => String::new(),
        _ => format!(" (try one of: {})", suggestions.join(", ")),
    }
}

/// Explains a requirement or check id. An id two profiles share is explained once, with
/// the clauses each profile's contract gives it.
pub fn explain(id: &str) -> Result<Explained, UnknownId> {
    let id = id.trim().trim_end_matches('/');
    let requirement = requirement_of(id)
        .filter(|r| id == r.id || r.check_ids().iter().any(|c| c == id))
        .ok_or_else(|| unknown(id))?;
    let explanation = explanation(requirement.id)
        .unwrap_or_else(|| panic!("`{}` has no explanation", requirement.id));
    let contracts = every_requirement()
        .filter(|version| version.id == requirement.id)
        .map(|version| Cited {
            clause: version.clause,
            clauses: parse_clause(version.clause)
                .into_iter()
                .filter_map(|clause| clause.text().map(|text| (clause, text)))
                .collect(),
        })
        .collect();
    Ok(Explained {
        check: (id != requirement.id).then(|| id.to_owned()),
        requirement,
        contracts,
        explanation,
    })
}

/// The explanation of one requirement id.
pub fn explanation(requirement_id: &str) -> Option<&'static Explanation> {
    EXPLANATIONS
        .iter()
        .chain(STANDARD_WEBHOOKS_EXPLANATIONS)
        .chain(SENDER_EXPLANATIONS)
        .find(|e| e.requirement == requirement_id)
}

fn unknown(id: &str) -> UnknownId {
    let category = id.split('/').next().unwrap_or_default();
    let mut suggestions: Vec<&'static str> = Vec::new();
    for requirement in every_requirement().filter(|r| r.category.as_str() == category) {
        if !suggestions.contains(&requirement.id) {
            suggestions.push(requirement.id);
        }
    }
    if suggestions.is_empty() {
        suggestions = crate::catalogue::Category::ALL
            .iter()
            .map(|c| c.as_str())
            .collect();
    }
    UnknownId {
        id: id.to_owned(),
        suggestions,
    }
}

/// Every requirement's explanation, in catalogue order.
pub const EXPLANATIONS: &[Explanation] = &[
    Explanation {
        requirement: "status/valid-delivery-2xx",
        why: "Any answer but 2xx is a failed delivery: the provider retries it a few times and then gives up, so the event is lost for good, while your logs show only refused requests.",
        breaks: "A handler that switches over the statuses it knew about when it was written (often only COMPLETED) and answers 4xx to the rest; a validation layer stricter than the contract; an error raised by business logic (an unknown account, a closed order) turned into a 4xx or 5xx answer.",
        fix: "Answer 2xx to every valid delivery of every terminal status, before or regardless of what your business logic makes of it. Record the event, acknowledge it, and handle business errors on your side (a queue, a dead-letter table), not by refusing the delivery.",
    },
    Explanation {
        requirement: "status/nullable-fields-null",
        why: "The provider sends null for the fields a session did not produce (no data after an ERROR, no reference when none was given). A receiver that fails on null loses exactly the events that say something went wrong.",
        breaks: "A schema or model class that declares externalReferenceId, extractedData or proofHash as required strings or objects; code that dereferences extractedData without a null check.",
        fix: "Declare externalReferenceId, extractedData and proofHash as nullable (and optional) in your model, and branch on null where you read them.",
    },
    Explanation {
        requirement: "status/data-for-every-status",
        why: "extractedData and proofHash may come with any status, PARTIAL_COMPLETE and ERROR included. Refusing them loses the event.",
        breaks: "Validation that requires data to be null unless the status is COMPLETED, or that rejects a proofHash on a failed session.",
        fix: "Accept data for every status; decide what to do with it after acknowledging the delivery.",
    },
    Explanation {
        requirement: "status/processed-once",
        why: "An acknowledged delivery is never sent again: if it was not processed, the event is silently lost; if it was processed twice, the side effect (a credit, an email, a state change) happens twice.",
        breaks: "Acknowledging first and processing in a task that can fail or be dropped (a fire-and-forget goroutine, an in-memory queue lost on restart); processing only some statuses while acknowledging all of them.",
        fix: "Commit the event (or the effect) durably before answering 2xx, keyed on sessionId. If you process asynchronously, enqueue into a durable queue in the same transaction as the dedupe record, and make the worker idempotent.",
    },
    Explanation {
        requirement: "payload/unicode",
        why: "Names, addresses and metadata come in every script. A receiver that fails on non-ASCII text loses the events of exactly the users whose data is not ASCII.",
        breaks: "A body read as Latin-1 or ASCII, a database column or connection not set to UTF-8 (MySQL utf8 without mb4 rejects astral characters), string handling that counts bytes as characters.",
        fix: "Decode the body as UTF-8, store text in UTF-8 columns that hold any code point (utf8mb4 in MySQL), and test with astral characters and escapes.",
    },
    Explanation {
        requirement: "payload/unknown-fields",
        why: "Providers add fields. A receiver that refuses unknown fields breaks the day the provider adds one, for every delivery at once.",
        breaks: "A strict deserializer (deny_unknown_fields in serde, additionalProperties: false in a JSON Schema, forbid-extra in pydantic) applied to the whole body or to extractedData and metadata.",
        fix: "Ignore unknown fields at every level of the event; validate only the fields you use.",
    },
    Explanation {
        requirement: "payload/large-body",
        why: "extractedData can be large. A body limit below 256 KiB refuses real events, which are then retried and lost.",
        breaks: "A framework's default body limit (100 KiB in body-parser, 1 MiB in some proxies but 64 KiB in others), a proxy or API gateway in front of the receiver with a lower limit than the app.",
        fix: "Allow bodies of at least 256 KiB everywhere on the path (proxy, gateway, framework). Answer 413 only above your limit.",
    },
    Explanation {
        requirement: "payload/timestamp-forms",
        why: "completedAt is ISO 8601; a sender may write it with or without a fraction and with any offset. A parser that takes one exact form refuses the others.",
        breaks: "Parsing with a fixed format string (`%Y-%m-%dT%H:%M:%S.%fZ`), or with a library that takes only `Z` and not `+00:00` or a lowercase `t`.",
        fix: "Parse with a full RFC 3339 parser, or keep completedAt as text if you do not need it as a time.",
    },
    Explanation {
        requirement: "payload/completed-at-any-age",
        why: "Deliveries arrive late: retries come minutes after the event, a backlog is drained hours after an outage, an event is replayed days later. And the sender's clock is not yours. A receiver that refuses or drops an event for its age or for a small skew loses it for good.",
        breaks: "Replay protection copied from signed-webhook schemes (refuse anything older than five minutes) applied to a payload timestamp that is not a delivery time; a check that completedAt is not in the future, with no allowance for clock skew; a cleanup that ignores events older than a day.",
        fix: "Treat completedAt as data about the session, not as a delivery time: accept any age, and allow for the sender's clock running a few minutes ahead. Deduplicate on sessionId to stay safe against replays.",
    },
    Explanation {
        requirement: "payload/optional-fields-omitted",
        why: "externalReferenceId is there only if you gave one, and extractedData and proofHash only when verification produced them. A receiver that requires them refuses exactly the events without them.",
        breaks: "A schema or model class that lists these fields as required (`required` in a JSON Schema, a non-optional field in a typed model), or code that indexes them without checking they are present.",
        fix: "Make externalReferenceId, extractedData and proofHash optional as well as nullable, and treat an absent field as null.",
    },
    Explanation {
        requirement: "payload/free-form-keys",
        why: "extractedData holds whatever the verified account yields: other keys, fewer keys, nested values, none at all. A receiver that expects the documented example's keys fails on real events.",
        breaks: "Reading `extractedData.accountHolder` (or another example key) unconditionally; a schema for extractedData with required keys or no room for nested values.",
        fix: "Treat extractedData as a free-form object: read the keys you need if they are there, and handle their absence.",
    },
    Explanation {
        requirement: "payload/charset-parameter",
        why: "`Content-Type: application/json; charset=utf-8` is the same media type as `application/json`. Refusing it refuses valid deliveries from any sender or proxy that adds the parameter.",
        breaks: "Comparing the Content-Type header with `==` instead of parsing the media type.",
        fix: "Parse the media type and ignore its parameters, or do not check the content type at all and parse the body as JSON.",
    },
    Explanation {
        requirement: "payload/processed-once",
        why: "A payload form that is acknowledged but not processed is a silently lost event: no retry will come.",
        breaks: "A later processing step (a worker, a trigger, a second parser) that is stricter than the handler that answered 2xx, and drops what it cannot read.",
        fix: "Use one parser for the handler and for processing, and process (or durably enqueue) before answering 2xx.",
    },
    Explanation {
        requirement: "auth/rejects-bad-credentials",
        why: "The auth header is the only proof a delivery comes from the provider. A receiver that accepts a wrong value lets anyone who knows the URL forge verification results.",
        breaks: "Checking only that the header is present; comparing a prefix, a case-folded or trimmed value; a check that is skipped for some routes or methods; a configured secret that is empty so every value matches.",
        fix: "Compare the whole header value byte for byte with the configured secret (in constant time), refuse with 401 or 403 when it is missing, empty or different, and refuse to start when no secret is configured.",
    },
    Explanation {
        requirement: "auth/no-effect-when-rejected",
        why: "A refused delivery that still causes a side effect is a forged event that worked, even though the answer said no.",
        breaks: "Processing (or enqueuing) the body before checking the header, or in middleware that runs before the auth check.",
        fix: "Check the auth header first, before parsing the body or touching any state.",
    },
    Explanation {
        requirement: "auth/accepted-processed-once",
        why: "A correctly authenticated delivery that is acknowledged must be processed exactly once, whatever the spelling of the header's name or a stray second copy of the header: otherwise the event is lost or doubled.",
        breaks: "An auth middleware that lets a request through but marks it so that the handler skips the work; a path for unusual headers that processes twice.",
        fix: "Decide on the auth header once, before any work, and then process an accepted delivery exactly as any other.",
    },
    Explanation {
        requirement: "auth/rejection-status",
        why: "401 or 403 tells the sender's operators at once that the secret is wrong; a 400 or 404 sends them looking elsewhere.",
        breaks: "Returning the same error as for a bad body, or hiding the endpoint behind a 404 on bad credentials.",
        fix: "Answer 401 when the header is missing and 401 or 403 when its value is wrong.",
    },
    Explanation {
        requirement: "auth/header-name-any-case",
        why: "HTTP header names are case-insensitive, and proxies and HTTP/2 lowercase them. A receiver that matches one spelling rejects every delivery after an infrastructure change.",
        breaks: "Reading the header from a raw map with an exact key (`headers[\"X-API-Key\"]` on a plain dictionary).",
        fix: "Read headers through your framework's case-insensitive accessor.",
    },
    Explanation {
        requirement: "auth/duplicated-header",
        why: "Two copies of the header, one wrong, are a corner that HTTP stacks resolve differently (first, last, joined with a comma). Either answer conforms; hookcheck reports which one you give.",
        breaks: "Nothing to fix here: this is information.",
        fix: "If you want to be strict, refuse a request with more than one copy of the auth header.",
    },
    Explanation {
        requirement: "auth/constant-time-compare",
        why: "A comparison that stops at the first differing byte leaks, through its timing, how much of a guess is right, so the secret can be found byte by byte.",
        breaks: "Comparing the header with `==`, `strcmp` or `equals`.",
        fix: "Compare with a constant-time function: `hmac.compare_digest` (Python), `crypto.timingSafeEqual` (Node.js), `subtle.ConstantTimeCompare` (Go), `MessageDigest.isEqual` (Java), the `subtle` crate (Rust).",
    },
    Explanation {
        requirement: "idempotency/duplicates-acknowledged",
        why: "A duplicate answered with an error is retried: the provider sees a failing webhook, retries until it gives up, and may disable the endpoint, though the event was processed.",
        breaks: "Answering 409 Conflict or 400 to a sessionId seen before; a unique-key violation surfacing as a 500.",
        fix: "Answer a duplicate exactly as the first delivery: 2xx, with no new effect.",
    },
    Explanation {
        requirement: "idempotency/exactly-once",
        why: "Duplicates happen: a retry of a delivery whose answer was lost or late arrives again, seconds or minutes later, on any replica, at the same time as the first copy. Processing each copy doubles the side effect.",
        breaks: "No dedupe at all; a check-then-insert in two steps, which two concurrent copies both pass; a dedupe record kept in process memory, per replica, or with a time to live shorter than the retry schedule; a key other than sessionId (a body hash, externalReferenceId, sessionId and status together).",
        fix: "Give sessionId a unique key and insert it in the same transaction as the effect, with an insert that ignores conflicts (`INSERT … ON CONFLICT DO NOTHING`, `INSERT IGNORE`); do the effect only when the insert added a row. Keep the record at least as long as the sender retries (days, not seconds), in storage every replica shares.",
    },
    Explanation {
        requirement: "idempotency/distinct-sessions-acknowledged",
        why: "Distinct sessions may share an externalReferenceId (or have none) and a proofHash. Refusing the second one loses a real event.",
        breaks: "A unique constraint on externalReferenceId or proofHash that turns the second session into an error.",
        fix: "Key on sessionId only; let other fields repeat.",
    },
    Explanation {
        requirement: "idempotency/distinct-sessions-processed",
        why: "A dedupe on the wrong key treats a new session as a duplicate and drops it: the event is acknowledged and lost.",
        breaks: "Deduplicating on externalReferenceId (all sessions without one share null), on proofHash, or on a hash of some fields.",
        fix: "The idempotency key is sessionId, alone.",
    },
    Explanation {
        requirement: "idempotency/burst-processed-once",
        why: "After an outage the sender drains its backlog at once. A receiver that drops or doubles work under concurrency loses events exactly when it is recovering.",
        breaks: "A bounded in-memory queue that drops when full while the handler still answers 2xx; a connection pool that times out and is swallowed; races between workers on one session.",
        fix: "Make the durable write part of the request, apply backpressure (answer 503 or slow down) instead of dropping, and rely on the database's unique key rather than in-process locks.",
    },
    Explanation {
        requirement: "latency/within-timeout",
        why: "An answer after the sender's timeout (30 s by default) counts as a failure even if it is a 2xx: the delivery is retried, and a receiver that did the work counts it twice unless it deduplicates.",
        breaks: "Doing slow work (calls to other services, PDF generation, emails) before answering; a lock or a pool exhausted under load.",
        fix: "Record the event and answer at once; do the slow work afterwards from a durable queue.",
    },
    Explanation {
        requirement: "latency/burst",
        why: "A backlog arrives as a burst. A receiver that serialises requests answers the last ones after the timeout, and every one of those is retried.",
        breaks: "A single worker, a global lock around the handler, a connection pool of one, synchronous processing on a small thread pool.",
        fix: "Serve requests concurrently, keep the work done before the answer small, and size pools for a backlog.",
    },
    Explanation {
        requirement: "robustness/keeps-serving",
        why: "Anyone can POST to a public URL. Input that crashes or hangs the receiver takes down delivery of every real event behind it.",
        breaks: "An unhandled exception or panic on malformed JSON, a missing field or an unexpected type; a parser without limits on size or nesting; a handler that waits for a body that never ends.",
        fix: "Validate before use and turn every parse or validation error into a 4xx answer; bound body size, nesting and read time; let one bad request never take the process down.",
    },
    Explanation {
        requirement: "robustness/liveness-processed-once",
        why: "After bad input, valid deliveries must still be processed exactly once: a receiver that answers 2xx but has lost its worker, its database connection or its queue to a bad request drops every event that follows.",
        breaks: "A bad request that kills a background worker or poisons a queue while the HTTP layer keeps answering; a transaction left open or a connection left broken by a failed parse.",
        fix: "Contain every failure to its own request: validate before touching shared state, roll back on error, and restart workers that die.",
    },
    Explanation {
        requirement: "robustness/no-5xx-for-bad-input",
        why: "A 5xx says the receiver failed, so senders retry it and alerts fire; bad input is the client's fault and deserves a 4xx.",
        breaks: "Validation errors thrown as generic exceptions that the framework turns into 500.",
        fix: "Map parse and validation errors to 400 or 422 (413 for a body over the limit, 415 for a content type you refuse).",
    },
    Explanation {
        requirement: "robustness/no-effect-for-unprocessable",
        why: "A body with no valid sessionId or status cannot be deduplicated or acted on; processing it anyway creates records no retry or lookup will ever match.",
        breaks: "Inserting the raw event before validating it, or a background job that picks up refused bodies from a log or table.",
        fix: "Validate sessionId and status before any write; keep refused bodies, if at all, in a separate place that nothing processes.",
    },
    Explanation {
        requirement: "transport/https",
        why: "The provider delivers only to HTTPS URLs, and the events carry personal data and proof of verification.",
        breaks: "Testing against a plain-http URL and deploying it that way.",
        fix: "Serve the endpoint over HTTPS (TLS terminated at your proxy or load balancer is fine).",
    },
    Explanation {
        requirement: "transport/valid-certificate",
        why: "A certificate problem is a failed delivery: every event is retried and lost until it is fixed.",
        breaks: "An expired certificate, a certificate for another name, a missing intermediate certificate in the chain, a self-signed or private-CA certificate.",
        fix: "Use a certificate from a public CA for the exact host name, serve the full chain, and renew automatically.",
    },
    Explanation {
        requirement: "transport/no-redirect",
        why: "The sender does not follow redirects: a 3xx is a failed delivery, so an endpoint that redirects loses every event.",
        breaks: "A trailing-slash redirect, an http-to-https redirect, a login redirect from an auth middleware, a moved route.",
        fix: "Give the provider the final URL, and exempt the webhook route from redirecting middleware.",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_requirement_has_one_explanation_and_every_explanation_a_requirement() {
        let all = every_requirement;
        let explanations = || {
            EXPLANATIONS
                .iter()
                .chain(STANDARD_WEBHOOKS_EXPLANATIONS)
                .chain(SENDER_EXPLANATIONS)
        };
        for requirement in all() {
            let found = explanations()
                .filter(|e| e.requirement == requirement.id)
                .count();
            assert_eq!(found, 1, "`{}` has {found} explanations", requirement.id);
        }
        for explanation in explanations() {
            assert!(
                all().any(|r| r.id == explanation.requirement),
                "`{}` is explained but not in the catalogue",
                explanation.requirement
            );
        }
    }

    #[test]
    fn every_check_id_is_explained_with_the_text_of_its_clauses() {
        let ids: Vec<String> = every_requirement()
            .flat_map(Requirement::check_ids)
            .collect();
        for id in ids {
            let explained = explain(&id).unwrap_or_else(|e| panic!("{e}"));
            assert!(id.starts_with(explained.requirement.id));
            for cited in &explained.contracts {
                assert!(!cited.clauses.is_empty(), "`{id}` cites no clause text");
            }
        }
    }

    #[test]
    fn a_requirement_id_is_explained_without_a_check() {
        let explained = explain("idempotency/exactly-once").unwrap();
        assert_eq!(explained.check, None);
        assert!(explained.explanation.fix.contains("ON CONFLICT DO NOTHING"));
        let concurrent = explain("idempotency/exactly-once/concurrent").unwrap();
        assert_eq!(
            concurrent.check.as_deref(),
            Some("idempotency/exactly-once/concurrent")
        );
    }

    #[test]
    fn an_unknown_id_names_the_requirements_of_its_category() {
        let error = explain("auth/nope").unwrap_err();
        assert!(error.suggestions.contains(&"auth/rejects-bad-credentials"));
        assert!(error.to_string().contains("`auth/nope`"));
        let error = explain("idempotency/exactly-once/no-such-scenario").unwrap_err();
        assert!(error.suggestions.contains(&"idempotency/exactly-once"));
        let error = explain("bogus").unwrap_err();
        assert!(error.suggestions.contains(&"transport"));
    }
}
