//! The sender's requirements (SPEC §2, [D-21]): what `hookcheck capture` grades a sender
//! against. Same shape as the receiver's [`REQUIREMENTS`](super::REQUIREMENTS); each is one
//! check whose id is the requirement's own.

use super::{Category, Needs, Requirement};

const fn one(
    id: &'static str,
    category: Category,
    text: &'static str,
    clause: &'static str,
    needs: Needs,
) -> Requirement {
    Requirement::must(id, category, text, clause, &[], needs)
}

/// Every requirement of a sender, in report order.
pub const SENDER_REQUIREMENTS: &[Requirement] = &[
    one(
        "request/post-json",
        Category::Request,
        "Every attempt is a POST with a JSON body and Content-Type: application/json.",
        "SPEC §2 ¶1 [D-5]",
        Needs::Nothing,
    ),
    one(
        "request/auth-every-attempt",
        Category::Request,
        "Every attempt carries the auth header.",
        "SPEC §2 ¶2",
        Needs::Auth,
    ),
    one(
        "request/same-body",
        Category::Request,
        "Every retry carries the first attempt's body, byte for byte.",
        "SPEC §2 ¶5 [D-21]",
        Needs::Nothing,
    ),
    one(
        "request/one-event-per-session",
        Category::Request,
        "Every delivery of one sessionId carries the same terminal status.",
        "SPEC §1 ¶1 [D-21]",
        Needs::Nothing,
    ),
    one(
        "retry/count",
        Category::Retry,
        "A failed attempt is retried while retries remain, and a delivery makes at most retries + 1 attempts.",
        "SPEC §2 ¶4, ¶5 [D-8]",
        Needs::Nothing,
    ),
    one(
        "retry/backoff",
        Category::Retry,
        "The delay before retry n is base * 2^(n-1), within the jitter.",
        "SPEC §2 ¶5 [D-8] [D-21]",
        Needs::Nothing,
    ),
    one(
        "retry/stops-at-2xx",
        Category::Retry,
        "No attempt follows a 2xx answered in time.",
        "SPEC §2 ¶5 [D-8]",
        Needs::Nothing,
    ),
    one(
        "retry/after-4xx",
        Category::Retry,
        "A 4xx is retried like any other non-2xx.",
        "SPEC §2 ¶5 [D-8]",
        Needs::Nothing,
    ),
    one(
        "redirect/not-followed",
        Category::Redirect,
        "A 3xx is a failed attempt: the sender never requests its Location.",
        "SPEC §2 ¶4 [D-7]",
        Needs::Nothing,
    ),
    one(
        "timeout/honoured",
        Category::Timeout,
        "An attempt whose answer has not arrived by the timeout is given up at the timeout and retried.",
        "SPEC §2 ¶3 [D-6] [D-21]",
        Needs::Nothing,
    ),
];

/// The sender requirement with this id.
pub fn sender_requirement(id: &str) -> Option<&'static Requirement> {
    SENDER_REQUIREMENTS.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_named_by_their_category() {
        for (index, requirement) in SENDER_REQUIREMENTS.iter().enumerate() {
            let prefix = format!("{}/", requirement.category);
            assert!(requirement.id.starts_with(&prefix), "{}", requirement.id);
            assert!(
                !SENDER_REQUIREMENTS[..index]
                    .iter()
                    .any(|r| r.id == requirement.id)
            );
            assert!(
                !super::super::REQUIREMENTS
                    .iter()
                    .any(|r| r.category == requirement.category),
                "sender categories are the sender's own"
            );
        }
    }
}
