//! The sender's checks ([`SENDER_REQUIREMENTS`]) over what the capture recorded: each a
//! pass, a fail, or a skip when the situation it needs did not arise (never a pass).

use std::time::Duration;

use crate::catalogue::sender::sender_requirement;
use crate::duration::format_duration;
use crate::results::{CheckResult, Outcome};

use super::Expectations;
use super::answer::AnswerKind;
use super::delivery::{Delivery, attempts, deliveries};
use super::server::Arrival;

/// A check's verdict before it becomes a [`CheckResult`].
enum Verdict {
    Pass(String),
    Fail(String),
    Skip(String),
}

/// What every grader reads.
struct Input<'a> {
    deliveries: Vec<Delivery<'a>>,
    arrivals: &'a [Arrival],
    expect: &'a Expectations,
}

/// One check: its id, its grader, and what a conforming sender does.
struct Check {
    id: &'static str,
    grade: fn(&Input<'_>) -> Verdict,
    expected: fn(&Expectations) -> String,
}

/// Every check, in catalogue order (a test holds it to [`SENDER_REQUIREMENTS`]).
const CHECKS: &[Check] = &[
    Check {
        id: "request/post-json",
        grade: |i| post_json(&i.deliveries),
        expected: |_| "POST, Content-Type: application/json, a JSON body".into(),
    },
    Check {
        id: "request/auth-every-attempt",
        grade: |i| auth_every_attempt(&i.deliveries, i.expect),
        expected: |e| match &e.auth_name {
            Some(name) => format!("a {name} header on every attempt"),
            None => "the auth header on every attempt".into(),
        },
    },
    Check {
        id: "request/same-body",
        grade: |i| same_body(&i.deliveries),
        expected: |_| "the same body bytes on every attempt of a delivery".into(),
    },
    Check {
        id: "request/one-event-per-session",
        grade: |i| one_event(&i.deliveries),
        expected: |_| "one status per sessionId".into(),
    },
    Check {
        id: "retry/count",
        grade: |i| count(&i.deliveries, i.expect),
        expected: |e| {
            format!(
                "every failed attempt retried, at most {} attempts per delivery",
                e.retries.saturating_add(1)
            )
        },
    },
    Check {
        id: "retry/backoff",
        grade: |i| backoff(&i.deliveries, i.expect),
        expected: |e| {
            format!(
                "retry n after {} * 2^(n-1) ±{:.0}% (±{} slack)",
                format_duration(e.backoff_base),
                e.jitter * 100.0,
                format_duration(e.slack)
            )
        },
    },
    Check {
        id: "retry/stops-at-2xx",
        grade: |i| stops_at_2xx(&i.deliveries),
        expected: |_| "no attempt after a 2xx".into(),
    },
    Check {
        id: "retry/after-4xx",
        grade: |i| after_4xx(&i.deliveries, i.expect),
        expected: |_| "a 4xx retried while retries remain".into(),
    },
    Check {
        id: "redirect/not-followed",
        grade: |i| not_followed(i.arrivals),
        expected: |_| "no request for a redirect's Location".into(),
    },
    Check {
        id: "timeout/honoured",
        grade: |i| timeout(&i.deliveries, i.expect),
        expected: |e| {
            format!(
                "the slow attempt hung up at {} (±{} slack) and retried",
                format_duration(e.timeout),
                format_duration(e.slack)
            )
        },
    },
];

/// Grades every sender requirement over these arrivals, in catalogue order.
pub fn grade(arrivals: &[Arrival], expect: &Expectations) -> Vec<CheckResult> {
    let input = Input {
        deliveries: deliveries(arrivals),
        arrivals,
        expect,
    };
    CHECKS
        .iter()
        .map(|check| result(check, (check.grade)(&input), expect))
        .collect()
}

/// Every check skipped for one reason (nothing arrived).
pub fn all_skipped(reason: &str, expect: &Expectations) -> Vec<CheckResult> {
    CHECKS
        .iter()
        .map(|check| result(check, Verdict::Skip(reason.to_owned()), expect))
        .collect()
}

fn result(check: &Check, verdict: Verdict, expect: &Expectations) -> CheckResult {
    let requirement = sender_requirement(check.id).expect("a sender requirement");
    let (outcome, actual) = match verdict {
        Verdict::Pass(actual) => (Outcome::Pass, actual),
        Verdict::Fail(actual) => (Outcome::broken(requirement.level), actual),
        Verdict::Skip(reason) => (Outcome::Skip, reason),
    };
    CheckResult {
        id: check.id.to_owned(),
        requirement_id: check.id.to_owned(),
        category: requirement.category,
        level: requirement.level,
        outcome,
        requirement: requirement.text.to_owned(),
        clause: requirement.clause.to_owned(),
        expected: (check.expected)(expect),
        actual,
        repro: None,
        duration_ms: 0,
        exchanges: Vec::new(),
    }
}

/// The verdict over a list of problems: a fail naming the first few, else a pass.
fn verdict(problems: Vec<String>, pass: String) -> Verdict {
    const SHOWN: usize = 3;
    if problems.is_empty() {
        return Verdict::Pass(pass);
    }
    let mut text = problems[..problems.len().min(SHOWN)].join("; ");
    if problems.len() > SHOWN {
        text.push_str(&format!(" (and {} more)", problems.len() - SHOWN));
    }
    Verdict::Fail(text)
}

fn post_json(deliveries: &[Delivery<'_>]) -> Verdict {
    let mut problems = Vec::new();
    let mut seen = 0;
    for (delivery, attempt) in attempts(deliveries) {
        seen += 1;
        let at = format!("attempt {} of {}", attempt.number, delivery.label);
        if attempt.method != "POST" {
            problems.push(format!("{at} is a {}", attempt.method));
        }
        let media = attempt.content_type.as_deref().map(|t| {
            t.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
        match media.as_deref() {
            Some("application/json") => {}
            Some(other) => problems.push(format!("{at} has Content-Type {other}")),
            None => problems.push(format!("{at} has no Content-Type")),
        }
        if serde_json::from_slice::<serde_json::Value>(&attempt.body).is_err() {
            problems.push(format!("{at} has a body that is not JSON"));
        }
    }
    if seen == 0 {
        return Verdict::Skip("no attempt arrived".into());
    }
    verdict(problems, format!("{seen} attempts, each a POST of JSON"))
}

fn auth_every_attempt(deliveries: &[Delivery<'_>], expect: &Expectations) -> Verdict {
    let Some(name) = &expect.auth_name else {
        return Verdict::Skip("no --auth NAME given: the auth header is not checked".into());
    };
    let all: Vec<_> = attempts(deliveries).collect();
    if all.is_empty() {
        return Verdict::Skip("no attempt arrived".into());
    }
    let problems = all
        .iter()
        .filter(|(_, a)| !a.has_auth)
        .map(|(d, a)| format!("attempt {} of {} has no {name} header", a.number, d.label))
        .collect();
    verdict(
        problems,
        format!("{} attempts, each with {name}", all.len()),
    )
}

fn same_body(deliveries: &[Delivery<'_>]) -> Verdict {
    let retried: Vec<_> = deliveries.iter().filter(|d| d.attempts.len() > 1).collect();
    if retried.is_empty() {
        return Verdict::Skip("no delivery was retried: nothing to compare".into());
    }
    let mut problems = Vec::new();
    for delivery in &retried {
        let first = &delivery.attempts[0].body;
        for attempt in &delivery.attempts[1..] {
            if attempt.body != *first {
                let at = first
                    .iter()
                    .zip(attempt.body.iter())
                    .position(|(a, b)| a != b)
                    .unwrap_or(first.len().min(attempt.body.len()));
                problems.push(format!(
                    "attempt {} of {} differs from attempt 1 from byte {at} ({} bytes, then {})",
                    attempt.number,
                    delivery.label,
                    first.len(),
                    attempt.body.len()
                ));
            }
        }
    }
    let pass = format!(
        "{} retried deliveries, each retry byte-identical",
        retried.len()
    );
    verdict(problems, pass)
}

fn one_event(deliveries: &[Delivery<'_>]) -> Verdict {
    let mut problems = Vec::new();
    let mut sessions = 0;
    for delivery in deliveries {
        if delivery.attempts[0].session.is_none() {
            continue;
        }
        sessions += 1;
        let mut statuses: Vec<&str> = delivery
            .attempts
            .iter()
            .map(|a| a.status.as_deref().unwrap_or("no status"))
            .collect();
        statuses.dedup();
        if statuses.len() > 1 {
            problems.push(format!(
                "{} was sent as {}",
                delivery.label,
                statuses.join(", then ")
            ));
        }
    }
    if sessions == 0 {
        return Verdict::Skip("no attempt carried a string sessionId".into());
    }
    verdict(
        problems,
        format!("{sessions} sessions, each with one status"),
    )
}

/// Whether an attempt was answered with a 2xx in time.
fn succeeded(attempt: &Arrival) -> bool {
    attempt.answer.is_some_and(|a| !a.fails())
}

fn count(deliveries: &[Delivery<'_>], expect: &Expectations) -> Verdict {
    let most = expect.retries.saturating_add(1);
    let mut failed = 0;
    let mut problems = Vec::new();
    for delivery in deliveries {
        let failures = delivery
            .attempts
            .iter()
            .take_while(|a| !succeeded(a))
            .count();
        failed += failures;
        let made = delivery.attempts.len();
        let last = delivery.attempts[made - 1];
        if made > most as usize {
            problems.push(format!(
                "{} made {made} attempts, more than {most}",
                delivery.label
            ));
        } else if failures == made && made < most as usize {
            let answer = last.answer.map(|a| a.to_string()).unwrap_or_default();
            problems.push(format!(
                "attempt {} of {} failed ({answer}) and no retry came ({} of {} retries made)",
                last.number,
                delivery.label,
                made - 1,
                expect.retries
            ));
        }
    }
    if failed == 0 {
        return Verdict::Skip(
            "no attempt failed: the script held no failure the sender reached".into(),
        );
    }
    let pass = format!("{failed} failed attempts, each retried while retries remained");
    verdict(problems, pass)
}

/// The delays before each retry: (retry n, measured delay) per delivery.
fn delays<'a>(delivery: &'a Delivery<'a>) -> impl Iterator<Item = (u32, Duration, &'a Arrival)> {
    delivery.attempts.windows(2).filter_map(|pair| {
        let (before, after) = (pair[0], pair[1]);
        (before.number + 1 == after.number && !succeeded(before))
            .then(|| (before.number, after.at.saturating_sub(before.ended), after))
    })
}

fn backoff(deliveries: &[Delivery<'_>], expect: &Expectations) -> Verdict {
    let mut measured = 0;
    let mut problems = Vec::new();
    for delivery in deliveries {
        for (retry, delay, _) in delays(delivery) {
            measured += 1;
            let nominal = crate::sender::nominal_backoff(expect.backoff_base, retry);
            let low = nominal
                .mul_f64((1.0 - expect.jitter).max(0.0))
                .saturating_sub(expect.slack);
            let high = nominal.mul_f64(1.0 + expect.jitter) + expect.slack;
            if delay < low || delay > high {
                problems.push(format!(
                    "retry {retry} of {} came after {}, outside {}..{}",
                    delivery.label,
                    format_duration(delay),
                    format_duration(low),
                    format_duration(high)
                ));
            }
        }
    }
    if measured == 0 {
        return Verdict::Skip("no retry came: no delay to measure".into());
    }
    verdict(
        problems,
        format!("{measured} delays, each within the jitter"),
    )
}

fn stops_at_2xx(deliveries: &[Delivery<'_>]) -> Verdict {
    let mut successes = 0;
    let mut problems = Vec::new();
    for delivery in deliveries {
        if let Some(index) = delivery.attempts.iter().position(|a| succeeded(a)) {
            successes += 1;
            let after = delivery.attempts.len() - index - 1;
            if after > 0 {
                problems.push(format!(
                    "{} was sent {after} more times after attempt {} was answered {}",
                    delivery.label,
                    delivery.attempts[index].number,
                    delivery.attempts[index]
                        .answer
                        .map(|a| a.to_string())
                        .unwrap_or_default()
                ));
            }
        }
    }
    if successes == 0 {
        return Verdict::Skip("no attempt was answered 2xx in time".into());
    }
    verdict(
        problems,
        format!("{successes} deliveries answered 2xx, none sent again"),
    )
}

fn after_4xx(deliveries: &[Delivery<'_>], expect: &Expectations) -> Verdict {
    let mut seen = 0;
    let mut problems = Vec::new();
    for delivery in deliveries {
        for (index, attempt) in delivery.attempts.iter().enumerate() {
            let is_4xx = attempt
                .answer
                .is_some_and(|a| a.kind == AnswerKind::ClientError);
            if !is_4xx || attempt.number > expect.retries {
                continue;
            }
            seen += 1;
            if index + 1 == delivery.attempts.len() {
                problems.push(format!(
                    "attempt {} of {} was answered {} and not retried",
                    attempt.number,
                    delivery.label,
                    attempt.answer.map(|a| a.to_string()).unwrap_or_default()
                ));
            }
        }
    }
    if seen == 0 {
        return Verdict::Skip(
            "no attempt was answered 4xx with a retry left (put 4xx in --answer)".into(),
        );
    }
    verdict(
        problems,
        format!("{seen} attempts answered 4xx, each retried"),
    )
}

fn not_followed(arrivals: &[Arrival]) -> Verdict {
    let redirects = arrivals
        .iter()
        .filter(|a| a.answer.is_some_and(|a| a.kind == AnswerKind::Redirect))
        .count();
    if redirects == 0 {
        return Verdict::Skip("no attempt was answered 3xx (put 3xx in --answer)".into());
    }
    let problems = arrivals
        .iter()
        .filter(|a| a.followed_redirect())
        .map(|a| format!("the sender followed a redirect: {} {}", a.method, a.path))
        .collect();
    verdict(problems, format!("{redirects} redirects, none followed"))
}

fn timeout(deliveries: &[Delivery<'_>], expect: &Expectations) -> Verdict {
    let low = expect
        .timeout
        .saturating_sub(expect.timeout / 10 + expect.slack);
    let high = expect.timeout + expect.slack;
    let mut slow = 0;
    let mut problems = Vec::new();
    for delivery in deliveries {
        for (index, attempt) in delivery.attempts.iter().enumerate() {
            if attempt.answer.is_none_or(|a| a.kind != AnswerKind::Slow) {
                continue;
            }
            slow += 1;
            let at = format!("attempt {} of {}", attempt.number, delivery.label);
            match attempt.hung_up.map(|t| t.saturating_sub(attempt.at)) {
                None => problems.push(format!(
                    "{at} was not given up: the sender waited {} for the late answer",
                    format_duration(attempt.ended.saturating_sub(attempt.at))
                )),
                Some(after) if after < low || after > high => problems.push(format!(
                    "{at} was given up after {}, not at the {} timeout",
                    format_duration(after),
                    format_duration(expect.timeout)
                )),
                Some(_) => {}
            }
            let last = index + 1 == delivery.attempts.len();
            if last && attempt.number <= expect.retries {
                problems.push(format!("{at} timed out and was not retried"));
            }
        }
    }
    if slow == 0 {
        return Verdict::Skip("no attempt was answered slowly (put slow in --answer)".into());
    }
    verdict(
        problems,
        format!("{slow} slow attempts, each given up at the timeout and retried"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::sender::SENDER_REQUIREMENTS;

    #[test]
    fn every_sender_requirement_has_its_check_in_order() {
        let ids: Vec<&str> = CHECKS.iter().map(|c| c.id).collect();
        let catalogue: Vec<&str> = SENDER_REQUIREMENTS.iter().map(|r| r.id).collect();
        assert_eq!(ids, catalogue);
    }
}
