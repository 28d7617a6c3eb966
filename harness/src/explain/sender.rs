//! Why each sender requirement (what `hookcheck capture` grades) matters, how senders
//! (relays, outboxes, gateways, test doubles of the provider) break it, how to fix it.

use super::Explanation;

/// Every sender requirement's explanation, in catalogue order.
pub const SENDER_EXPLANATIONS: &[Explanation] = &[
    Explanation {
        requirement: "request/post-json",
        why: "Receivers route and parse on the method and the content type: a delivery sent as a form, with no Content-Type or with another method is refused, or parsed as something else, and the event is lost.",
        breaks: "An HTTP client whose default body encoding is a form; a JSON body built as a string and sent without setting Content-Type; a relay that copies the incoming headers except the ones it thinks it rewrites.",
        fix: "Send every attempt as POST with the body bytes and `Content-Type: application/json`, set explicitly on the request rather than left to the client's defaults.",
    },
    Explanation {
        requirement: "request/auth-every-attempt",
        why: "A retry without the auth header is refused 401 by a correct receiver, so every retry fails and the delivery is lost exactly when the first attempt already failed.",
        breaks: "Headers built once and consumed by the first request (a stream or a one-shot builder); a retry path that rebuilds the request from the body only; an auth header added by a middleware that the retry loop bypasses.",
        fix: "Build the full request (headers included) for every attempt from one function, and test a retry, not only a first attempt, against a receiver that checks the header.",
    },
    Explanation {
        requirement: "request/same-body",
        why: "Receivers dedupe and verify signatures over the body: a retry whose bytes differ (re-serialized, re-ordered keys, a new timestamp inside) can be processed as a different event, or fail its signature.",
        breaks: "Serializing the event again for each attempt (key order and whitespace change across languages and library versions); stamping a `sentAt` or attempt number into the body; a relay that parses and re-encodes what it forwards.",
        fix: "Serialize the event once, keep the bytes, and send those same bytes on every attempt; put per-attempt information in headers if anywhere.",
    },
    Explanation {
        requirement: "request/one-event-per-session",
        why: "Receivers key exactly-once on sessionId: a second event with the same sessionId and another status is dropped as a duplicate by a correct receiver, so the later state never arrives.",
        breaks: "An outbox keyed on the session rather than the event that reuses the row for a status change; a test double that sends a fixed sessionId for every scenario.",
        fix: "Send one terminal event per sessionId; a session that ends has one status, and every delivery of it carries that same status.",
    },
    Explanation {
        requirement: "retry/count",
        why: "Without retries, one deploy, one restart or one dropped connection on the receiver's side loses every event sent meanwhile; with too many, a receiver that is down gets hammered and a delivery never ends.",
        breaks: "A fire-and-forget request whose error is logged and dropped; a retry loop that only retries on exceptions (not on a 5xx status); an off-by-one that counts the first attempt as a retry.",
        fix: "Retry every failed attempt (non-2xx, 3xx, timeout, connection error) up to the configured number of retries, counting the first attempt separately, and stop there.",
    },
    Explanation {
        requirement: "retry/backoff",
        why: "Backoff is what lets a delivery outlive an outage: a fixed short delay spends every retry in the first seconds of a restart and gives up before the receiver is back, and without jitter every sender retries at once.",
        breaks: "A constant sleep between attempts; backoff counted from the first attempt instead of the last failure; jitter applied as an addition that grows unbounded; the delay computed in the wrong unit.",
        fix: "Wait `base * 2^(n-1)` (±20 % jitter) before retry n, measured from the end of the failed attempt, as CONTRACT.md [D-8] says.",
    },
    Explanation {
        requirement: "retry/stops-at-2xx",
        why: "A retry after a 2xx is a duplicate the sender created itself: receivers must tolerate it, but it doubles the load and, against a receiver with a dedupe bug, doubles the effect.",
        breaks: "Success tested as `status == 200` (a 202 or 204 is retried); the retry loop's exit condition checked before the response is read; a timeout that fires after the answer arrived.",
        fix: "Treat every 2xx answered within the timeout as delivered and stop; test with 200, 202 and 204.",
    },
    Explanation {
        requirement: "retry/after-4xx",
        why: "A 4xx is often transient in practice (a receiver deployed with a bug, a rotated key not yet rolled out): a sender that gives up on the first 4xx loses the event for good, while the contract retries it.",
        breaks: "The common client-library rule that 4xx errors are permanent; a retry policy copied from an API client rather than a webhook sender.",
        fix: "Retry a 4xx like any other non-2xx answer (CONTRACT.md [D-8]); keep permanent failures for a dead-letter list after the last retry.",
    },
    Explanation {
        requirement: "redirect/not-followed",
        why: "A sender that follows a redirect posts the event (and its auth header) to wherever the Location points: an attacker's host, or an endpoint that is not the receiver, which answers 2xx and loses the event.",
        breaks: "An HTTP client that follows redirects by default (and may turn the POST into a GET); a relay built on a browser-like fetch.",
        fix: "Turn redirect following off in the client and count a 3xx as a failed attempt, to be retried.",
    },
    Explanation {
        requirement: "timeout/honoured",
        why: "Without a per-attempt timeout, one receiver that accepts the connection and never answers holds a worker forever: the delivery never retries, and a pool of stuck workers stops all deliveries.",
        breaks: "A client with no timeout, or a connect timeout only; a read timeout that resets on every byte (a slow trickle never times out); a timeout that fires but is not counted as a failure to retry.",
        fix: "Bound each attempt as a whole (request sent to response received) by the configured timeout, hang up when it passes, and retry the attempt as failed.",
    },
];
