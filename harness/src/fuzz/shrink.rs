//! Shrinking a failing sequence: fewer steps, fewer copies, fewer other sessions, shorter
//! pauses, then smaller payloads (unknown fields and the free-form keys of `extractedData`
//! and `metadata` dropped), each kept only while the same invariant still breaks.
//!
//! The search is greedy: the first smaller candidate that still fails becomes the current
//! sequence, and candidates are drawn again from it, largest cuts first. Each try is a real
//! replay against the target, so the search is bounded by a number of replays and a time.

use std::future::Future;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use super::model::{Body, Delivery, SESSION_MARK, Sequence, Step};
use crate::spec::FIELDS;

/// How much searching a shrink may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShrinkLimits {
    /// The most replays.
    pub replays: usize,
    /// The most time.
    pub time: Duration,
}

/// What shrinking came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shrunk {
    /// The smallest sequence found that still fails (the original when it did not fail
    /// again on its own).
    pub sequence: Sequence,
    /// Replays made, the first (the original, alone) included.
    pub replays: usize,
    /// Whether the original failed again when replayed alone.
    pub reproduced: bool,
    /// Whether the search ran out of replays or time before it was done: the sequence is
    /// the smallest found so far, not a minimal one.
    pub stopped: bool,
}

/// Shrinks `original` while `fails` says a candidate still fails; payloads too when
/// `payloads` (not under `standard-webhooks`, whose bodies are signed as written and kept
/// byte for byte).
pub async fn shrink<F, Fut>(
    original: Sequence,
    limits: ShrinkLimits,
    payloads: bool,
    mut fails: F,
) -> Shrunk
where
    F: FnMut(Sequence) -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    if !fails(original.clone()).await {
        return Shrunk {
            sequence: original,
            replays: 1,
            reproduced: false,
            stopped: false,
        };
    }
    let mut current = original;
    let mut replays = 1;
    let mut stopped = false;
    'search: loop {
        for candidate in candidates(&current, payloads) {
            if replays >= limits.replays || started.elapsed() >= limits.time {
                stopped = true;
                break 'search;
            }
            replays += 1;
            if fails(candidate.clone()).await {
                current = candidate;
                continue 'search;
            }
        }
        break;
    }
    Shrunk {
        sequence: compact(current),
        replays,
        reproduced: true,
        stopped,
    }
}

/// The sequence with its slots renumbered 0, 1, 2 … in order of first use, so that a
/// shrunk sequence names no session it no longer sends. Ids are fresh in every execution,
/// so renumbering changes nothing the target sees.
pub fn compact(sequence: Sequence) -> Sequence {
    let mut order: Vec<u16> = Vec::new();
    for (_, delivery) in sequence.deliveries() {
        if !order.contains(&delivery.session) {
            order.push(delivery.session);
        }
    }
    let renumber = |d: &Delivery| {
        let mut d = d.clone();
        let slot = order.iter().position(|s| *s == d.session).unwrap_or(0);
        d.session = u16::try_from(slot).unwrap_or(u16::MAX);
        d
    };
    let steps = sequence
        .steps
        .iter()
        .map(|step| match step {
            Step::Send(d) => Step::Send(renumber(d)),
            Step::Abandon(d) => Step::Abandon(renumber(d)),
            Step::Together(ds) => Step::Together(ds.iter().map(renumber).collect()),
            other => other.clone(),
        })
        .collect();
    Sequence { steps }
}

/// Smaller variants of a sequence, largest cuts first; smaller payloads last, when
/// `payloads`.
pub fn candidates(sequence: &Sequence, payloads: bool) -> Vec<Sequence> {
    let mut out = Vec::new();
    let steps = &sequence.steps;
    let mut chunk = steps.len() / 2;
    while chunk >= 1 {
        for start in (0..steps.len()).step_by(chunk) {
            let mut kept = steps.clone();
            kept.drain(start..(start + chunk).min(steps.len()));
            if kept.iter().any(|s| !s.deliveries().is_empty()) {
                out.push(Sequence { steps: kept });
            }
        }
        chunk /= 2;
    }
    for (index, step) in steps.iter().enumerate() {
        for smaller in smaller_steps(step) {
            let mut changed = steps.clone();
            changed[index] = smaller;
            out.push(Sequence { steps: changed });
        }
    }
    if payloads {
        out.extend(smaller_payloads(sequence));
    }
    out
}

fn smaller_steps(step: &Step) -> Vec<Step> {
    match step {
        Step::Together(copies) if copies.len() > 1 => {
            let mut fewer = vec![Step::Together(copies[..copies.len() / 2].to_vec())];
            fewer.push(Step::Together(copies[..copies.len() - 1].to_vec()));
            fewer.dedup();
            fewer
        }
        Step::Abandon(d) => vec![Step::Send(d.clone())],
        Step::Together(_) | Step::Send(_) => Vec::new(),
        Step::Others { count } if *count > 1 => {
            let mut fewer = vec![
                Step::Others { count: count / 2 },
                Step::Others {
                    count: count * 3 / 4,
                },
            ];
            fewer.dedup();
            fewer
        }
        Step::Pause { ms } if *ms > 100 => vec![Step::Pause { ms: ms / 2 }],
        Step::Others { .. } | Step::Pause { .. } => Vec::new(),
    }
}

/// The sequence with one payload edit applied to every delivery that has the same body
/// (copies stay copies).
fn smaller_payloads(sequence: &Sequence) -> Vec<Sequence> {
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for (_, delivery) in sequence.deliveries() {
        if seen.contains(&delivery.body) {
            continue;
        }
        seen.push(delivery.body.clone());
        let Some(object) = json_object(delivery) else {
            continue;
        };
        for edited in edits(&object) {
            let body = Body::from_bytes(serde_json::to_vec(&edited).expect("JSON serializes"));
            out.push(with_body(sequence, &delivery.body, &body));
        }
    }
    out
}

fn json_object(delivery: &Delivery) -> Option<Map<String, Value>> {
    match serde_json::from_slice(&delivery.body.bytes(SESSION_MARK)) {
        Ok(Value::Object(object)) => Some(object),
        _ => None,
    }
}

/// Every unknown field dropped at once, then each alone; every key of `extractedData` and
/// `metadata` dropped at once, then each alone.
fn edits(object: &Map<String, Value>) -> Vec<Map<String, Value>> {
    let mut out = Vec::new();
    let unknown: Vec<&String> = object
        .keys()
        .filter(|k| !FIELDS.contains(&k.as_str()))
        .collect();
    if !unknown.is_empty() {
        let mut all = object.clone();
        all.retain(|k, _| FIELDS.contains(&k.as_str()));
        out.push(all);
        if unknown.len() > 1 {
            for key in &unknown {
                let mut one = object.clone();
                one.remove(key.as_str());
                out.push(one);
            }
        }
    }
    for field in ["extractedData", "metadata"] {
        let Some(Value::Object(inner)) = object.get(field) else {
            continue;
        };
        if inner.is_empty() {
            continue;
        }
        let mut emptied = object.clone();
        emptied.insert(field.to_owned(), Value::Object(Map::new()));
        out.push(emptied);
        if inner.len() > 1 {
            for key in inner.keys() {
                let mut fewer = inner.clone();
                fewer.remove(key);
                let mut one = object.clone();
                one.insert(field.to_owned(), Value::Object(fewer));
                out.push(one);
            }
        }
    }
    out
}

fn with_body(sequence: &Sequence, from: &Body, to: &Body) -> Sequence {
    let swap = |d: &Delivery| {
        let mut d = d.clone();
        if &d.body == from {
            d.body = to.clone();
        }
        d
    };
    let steps = sequence
        .steps
        .iter()
        .map(|step| match step {
            Step::Send(d) => Step::Send(swap(d)),
            Step::Abandon(d) => Step::Abandon(swap(d)),
            Step::Together(ds) => Step::Together(ds.iter().map(swap).collect()),
            other => other.clone(),
        })
        .collect();
    Sequence { steps }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzz::model::{Credential, Expect, Method};

    fn delivery(session: u16, body: &str) -> Delivery {
        Delivery {
            session,
            label: format!("d{session}"),
            expect: Expect::Valid,
            method: Method::Post,
            content_type: Some("application/json".into()),
            credential: Credential::Configured,
            observed: true,
            body: Body::Text(body.into()),
            replica: 0,
        }
    }

    fn limits() -> ShrinkLimits {
        ShrinkLimits {
            replays: 200,
            time: Duration::from_secs(10),
        }
    }

    #[tokio::test]
    async fn a_failure_that_needs_two_copies_shrinks_to_the_two_copies() {
        let copy = delivery(1, r#"{"sessionId":"@SESSION@","status":"ERROR"}"#);
        let sequence = Sequence {
            steps: vec![
                Step::Send(delivery(0, r#"{"sessionId":"@SESSION@"}"#)),
                Step::Send(copy.clone()),
                Step::Pause { ms: 50 },
                Step::Others { count: 24 },
                Step::Send(delivery(2, r#"{"sessionId":"@SESSION@"}"#)),
                Step::Send(copy.clone()),
            ],
        };
        // The failure: session 1 delivered twice.
        let shrunk = shrink(sequence, limits(), true, |s: Sequence| async move {
            s.deliveries().filter(|(_, d)| d.session == 1).count() >= 2
        })
        .await;
        assert!(shrunk.reproduced);
        // Session 1 is the only one left: it is session 0 now.
        let copy = Delivery { session: 0, ..copy };
        assert_eq!(
            shrunk.sequence.steps,
            vec![Step::Send(copy.clone()), Step::Send(copy)]
        );
    }

    #[tokio::test]
    async fn payloads_lose_every_field_the_failure_does_not_need() {
        let body = r#"{"sessionId":"@SESSION@","status":"COMPLETED","webhookVersion":2,"riskAssessment":{},"metadata":{"source":"x","flags":{}}}"#;
        let sequence = Sequence {
            steps: vec![Step::Send(delivery(0, body))],
        };
        // The failure: the receiver refuses the field webhookVersion.
        let shrunk = shrink(sequence, limits(), true, |s: Sequence| async move {
            let (_, d) = s.deliveries().next().unwrap();
            String::from_utf8(d.body.bytes("x"))
                .unwrap()
                .contains("webhookVersion")
        })
        .await;
        let (_, d) = shrunk.sequence.deliveries().next().unwrap();
        let text = String::from_utf8(d.body.bytes(SESSION_MARK)).unwrap();
        assert_eq!(
            text,
            r#"{"metadata":{},"sessionId":"@SESSION@","status":"COMPLETED","webhookVersion":2}"#
        );
    }

    #[tokio::test]
    async fn concurrent_copies_and_other_sessions_shrink_to_what_the_failure_needs() {
        let copy = delivery(0, r#"{"sessionId":"@SESSION@"}"#);
        let sequence = Sequence {
            steps: vec![
                Step::Together(vec![copy.clone(); 8]),
                Step::Others { count: 24 },
            ],
        };
        let shrunk = shrink(sequence, limits(), true, |s: Sequence| async move {
            let copies = s.steps.iter().map(|s| s.deliveries().len()).sum::<usize>();
            let others: u16 = s
                .steps
                .iter()
                .map(|s| match s {
                    Step::Others { count } => *count,
                    _ => 0,
                })
                .sum();
            copies >= 2 && others >= 17
        })
        .await;
        assert_eq!(
            shrunk.sequence.steps[0],
            Step::Together(vec![copy.clone(); 2])
        );
        assert!(
            matches!(shrunk.sequence.steps[1], Step::Others { count } if (17..24).contains(&count))
        );
    }

    #[tokio::test]
    async fn a_failure_that_does_not_come_back_alone_is_kept_as_it_was() {
        let sequence = Sequence {
            steps: vec![Step::Send(delivery(0, "{}")), Step::Send(delivery(1, "{}"))],
        };
        let shrunk = shrink(sequence.clone(), limits(), true, |_| async { false }).await;
        assert!(!shrunk.reproduced);
        assert_eq!(shrunk.sequence, sequence);
        assert_eq!(shrunk.replays, 1);
    }

    #[tokio::test]
    async fn a_search_out_of_replays_keeps_the_smallest_found_and_says_so() {
        let copy = delivery(0, r#"{"sessionId":"@SESSION@"}"#);
        let sequence = Sequence {
            steps: vec![
                Step::Together(vec![copy.clone(); 8]),
                Step::Others { count: 24 },
            ],
        };
        let few = ShrinkLimits {
            replays: 3,
            time: Duration::from_secs(10),
        };
        let shrunk = shrink(sequence.clone(), few, true, |_| async { true }).await;
        assert!(shrunk.reproduced && shrunk.stopped);
        assert_eq!(shrunk.replays, 3);
        assert!(shrunk.sequence.cases() < sequence.cases());
        let done = shrink(sequence, limits(), true, |_| async { true }).await;
        assert!(!done.stopped, "a search that ran to its end is complete");
    }
}
