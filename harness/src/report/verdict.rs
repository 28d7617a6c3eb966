//! What every reporter says the same way: the verdict line, the hints that belong at the top,
//! per-category counts, and findings grouped by cause. Reporters only lay these out.

use crate::catalogue::Category;
use crate::duration::format_duration;
use crate::results::{CheckResult, Outcome, Report, Summary, Unverified};

/// The one-line verdict every format prints: `verdict: NOT conformant (3 MUST failed)`,
/// with what was not verified and whether the run was interrupted.
pub fn verdict_line(report: &Report) -> String {
    let s = &report.summary;
    let mut line = match (&report.reason, report.verdict.as_str()) {
        (Some(reason), _) => format!("verdict: ungradable: {reason}"),
        (None, "conformant") => "verdict: conformant".to_owned(),
        (None, "not-conformant") => format!("verdict: NOT conformant ({})", reasons(s)),
        (None, other) => format!("verdict: {other}"),
    };
    if report.interrupted {
        line.push_str(&format!(
            "; INTERRUPTED after {} checks, the rest were not graded",
            s.total()
        ));
    }
    let unverified = unverified(report);
    let count: usize = unverified.iter().map(|u| u.count).sum();
    if count > 0 {
        let why: Vec<String> = unverified
            .iter()
            .map(|u| format!("{} ({})", u.reason, u.count))
            .collect();
        let noun = if count == 1 { "check" } else { "checks" };
        line.push_str(&format!(
            "; {count} MUST {noun} not verified: {}",
            why.join("; ")
        ));
    }
    line
}

fn reasons(s: &Summary) -> String {
    let mut reasons = Vec::new();
    if s.fail > 0 {
        reasons.push(format!("{} MUST failed", s.fail));
    }
    if s.error > 0 {
        reasons.push(format!("{} without a verdict", s.error));
    }
    if s.fail == 0 && s.error == 0 && s.warn > 0 {
        reasons.push(format!("{} SHOULD broken, --strict", s.warn));
    }
    reasons.join(", ")
}

/// The MUST checks the run did not verify, grouped by why: the runner's own account when it
/// gave one, else every skipped MUST check grouped by its reason.
pub fn unverified(report: &Report) -> Vec<Unverified> {
    if !report.unverified.is_empty() {
        return report.unverified.clone();
    }
    Unverified::of_skipped_musts(&report.checks)
}

/// What the user must read before anything else, e.g. that `--auth` is probably missing.
pub fn hints(report: &Report) -> Vec<String> {
    let auth_ran = report
        .checks
        .iter()
        .any(|c| c.category == Category::Auth && c.outcome != Outcome::Skip);
    let refused = report
        .checks
        .iter()
        .filter(|c| c.category == Category::Status && c.outcome != Outcome::Pass)
        .filter(|c| matches!(last_status(&c.actual), Some(401 | 403)))
        .count();
    let mut hints = Vec::new();
    if refused > 0 {
        hints.push(if auth_ran {
            format!(
                "{refused} valid deliveries were refused with 401/403 although --auth was \
                 given: check the header's name and value"
            )
        } else {
            format!(
                "{refused} valid deliveries were refused with 401/403: --auth is probably \
                 missing (give the header the target expects: --auth 'Name: value')"
            )
        });
    }
    hints
}

/// The categories of `checks`, in the order they first appear. Checks come in catalogue
/// order, so this is the profile's own order: a Standard Webhooks report opens with its
/// signatures, not with the idempotency that happens to come first in [`Category`].
pub fn categories<'a>(checks: impl IntoIterator<Item = &'a CheckResult>) -> Vec<Category> {
    let mut seen = Vec::new();
    for check in checks {
        if !seen.contains(&check.category) {
            seen.push(check.category);
        }
    }
    seen
}

/// The checks of each category, in report order, for the categories that have checks.
pub fn checks_by_category(report: &Report) -> Vec<(Category, Vec<&CheckResult>)> {
    categories(&report.checks)
        .into_iter()
        .map(|category| {
            let checks = report
                .checks
                .iter()
                .filter(|c| c.category == category)
                .collect::<Vec<_>>();
            (category, checks)
        })
        .collect()
}

/// Per-category counts, in report order, for the categories that have checks.
pub fn category_rows(report: &Report) -> Vec<(Category, Summary)> {
    categories(&report.checks)
        .into_iter()
        .map(|category| {
            let checks = report.checks.iter().filter(|c| c.category == category);
            (category, Summary::of(checks))
        })
        .collect()
}

/// Whether a check is a finding: a fail, a warn or an error.
pub fn is_finding(check: &CheckResult) -> bool {
    matches!(
        check.outcome,
        Outcome::Fail | Outcome::Warn | Outcome::Error
    )
}

/// Findings with one cause: the same outcome and the same last HTTP status in the answer
/// (a redirect on every delivery is one group), or else the same answer with its numbers
/// aside. The first check stands for the group.
#[derive(Debug)]
pub struct FindingGroup<'a> {
    /// The outcome they share.
    pub outcome: Outcome,
    /// Their shared cause: `answered 307`, or the first answer when there is no status.
    pub cause: String,
    /// The checks, in report order; never empty.
    pub checks: Vec<&'a CheckResult>,
}

impl<'a> FindingGroup<'a> {
    /// The check shown for the group.
    pub fn first(&self) -> &'a CheckResult {
        self.checks[0]
    }

    /// How many checks of each category the group holds, in report order.
    pub fn by_category(&self) -> Vec<(Category, usize)> {
        categories(self.checks.iter().copied())
            .into_iter()
            .map(|cat| {
                let n = self.checks.iter().filter(|c| c.category == cat).count();
                (cat, n)
            })
            .collect()
    }
}

/// The run's findings grouped by cause: fails first, then errors, then warns; within an
/// outcome, the biggest group first.
pub fn group_findings(report: &Report) -> Vec<FindingGroup<'_>> {
    let mut groups: Vec<(String, FindingGroup<'_>)> = Vec::new();
    for check in report.checks.iter().filter(|c| is_finding(c)) {
        let key = cause_key(&check.actual);
        match groups
            .iter_mut()
            .find(|(k, g)| g.outcome == check.outcome && *k == key)
        {
            Some((_, group)) => group.checks.push(check),
            None => {
                let cause = match last_status(&without_durations(&check.actual)) {
                    Some(status) => format!("answered {status}"),
                    None => check.actual.clone(),
                };
                let group = FindingGroup {
                    outcome: check.outcome,
                    cause,
                    checks: vec![check],
                };
                groups.push((key, group));
            }
        }
    }
    let mut groups: Vec<FindingGroup<'_>> = groups.into_iter().map(|(_, g)| g).collect();
    groups.sort_by_key(|g| (g.outcome, std::cmp::Reverse(g.checks.len())));
    groups
}

/// What makes two answers one cause: the last HTTP status in it, else the text with every
/// duration and every number but the first replaced (`0 effects after 3 copies` and `0
/// effects after 2 copies` are one cause, `2 effects after 2 copies` another; `closed after
/// 1 ms` and `closed after 4 ms` one).
pub fn cause_key(actual: &str) -> String {
    let actual = without_durations(actual);
    if let Some(status) = last_status(&actual) {
        return format!("status {status}");
    }
    let mut key = String::new();
    let mut numbers = 0;
    let mut previous_digit = false;
    for c in actual.chars() {
        let digit = c.is_ascii_digit();
        if digit && !previous_digit {
            numbers += 1;
        }
        match (digit, numbers) {
            (true, 1) | (false, _) => key.push(c),
            (true, _) if !previous_digit => key.push('#'),
            (true, _) => {}
        }
        previous_digit = digit;
    }
    key
}

/// The text with every duration or age (`4 ms`, `2.5 s`, `208 s ahead`, `3 days back`)
/// written `<duration>`, so that neither splits a cause nor reads as a status code.
fn without_durations(actual: &str) -> std::borrow::Cow<'_, str> {
    static DURATION: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\b\d+(\.\d+)? ?(ms|s|µs|min|minutes?|h|hours?|days?|years?)\b")
            .expect("the pattern is valid")
    });
    DURATION.replace_all(actual, "<duration>")
}

/// The last HTTP status code (a standalone 100–599, not an `os error 111`) an answer
/// mentions.
fn last_status(actual: &str) -> Option<u16> {
    let words: Vec<&str> = actual
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().enumerate().rev().find_map(|(i, w)| {
        let status = w.parse::<u16>().ok().filter(|s| (100..600).contains(s))?;
        let after_error = i > 0 && words[i - 1] == "error";
        (w.len() == 3 && !after_error).then_some(status)
    })
}

/// A duration in prose, to the tenth of a second, as every message writes durations
/// ([`format_duration`]): `4.2s`, `30s`, `300ms`.
pub fn seconds(ms: u64) -> String {
    format_duration(std::time::Duration::from_millis((ms + 50) / 100 * 100))
}

/// The seed as a report's header names it (`seed 7 · `); nothing for a capture, whose
/// report has none.
pub fn seed_part(seed: Option<u64>) -> String {
    seed.map_or(String::new(), |seed| format!("seed {seed} · "))
}

/// A timeout in milliseconds, as every message writes durations: `30s`.
pub fn timeout(ms: u64) -> String {
    format_duration(std::time::Duration::from_millis(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_status_is_one_cause_and_numbers_alone_do_not_split_a_cause() {
        assert_eq!(cause_key("307 in 23 ms"), "status 307");
        assert_eq!(
            cause_key("copy 1: 307 in 1 ms; copy 2: 307 in 2 ms"),
            "status 307"
        );
        assert_eq!(
            cause_key("answered 400 in 10 ms; a valid delivery then got 307 in 0 ms"),
            "status 307"
        );
        assert_eq!(
            cause_key("0 effects after 3 copies"),
            cause_key("0 effects after 2 copies")
        );
        assert_ne!(
            cause_key("0 effects after 3 copies"),
            cause_key("2 effects after 3 copies")
        );
    }

    #[test]
    fn timings_do_not_split_a_cause() {
        assert_eq!(
            cause_key("closed the connection without a response after 1 ms"),
            cause_key("closed the connection without a response after 4 ms")
        );
        assert_eq!(
            cause_key("no answer within 2.5 s"),
            cause_key("no answer within 30 s")
        );
        assert_ne!(
            cause_key("closed the connection after 1 ms"),
            cause_key("no answer within 1 ms")
        );
        // An age in a drawn feature is no status code.
        assert_eq!(
            cause_key("307 in 6 ms (drawn with a `completedAt` 208 s ahead of now)"),
            "status 307"
        );
        assert_eq!(
            cause_key("307 in 6 ms (drawn with a `completedAt` 300 days back)"),
            "status 307"
        );
    }
}
