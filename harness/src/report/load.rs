//! The renderers of a load run's [`LoadReport`]: JSON (the model itself, documented in
//! [`crate::load::summary`]), JUnit (a test case for the answers, one for exactly-once),
//! Markdown and one HTML page. The terminal summary is the report's `Display`.

use std::fmt::Write as _;
use std::io;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};

use super::html::page_start;
use super::html_table::{self, Cell, esc};
use super::markdown_table::{self, cell};
use super::outage::outage_svg;
use super::render::{Render, junit_xml, pretty_json};
use crate::load::summary::counts;
use crate::load::{Cited, LoadReport};

impl Render for LoadReport {
    fn json(&self) -> io::Result<String> {
        pretty_json(self)
    }

    fn junit(&self) -> io::Result<String> {
        junit(self)
    }

    fn markdown(&self) -> String {
        markdown(self)
    }

    fn html(&self) -> String {
        html(self)
    }
}

/// `verdict: holds` or `verdict: fails: …` with every problem.
pub fn verdict_line(report: &LoadReport) -> String {
    format!("verdict: {}", report.verdict)
}

/// JUnit XML: `answered-2xx` (every delivery answered 2xx) and `exactly-once` (every
/// distinct session processed once; skipped without an effects probe).
fn junit(report: &LoadReport) -> io::Result<String> {
    let mut junit = JunitReport::new("hookcheck load");
    junit.set_time(Duration::from_secs_f64(report.elapsed_s.max(0.0)));
    let mut suite = TestSuite::new("load");
    if let Some(profile) = profile_row(report) {
        suite.add_property(("profile", profile.as_str()));
    }
    let not_2xx: u64 = report
        .statuses
        .iter()
        .filter(|(status, _)| !status.starts_with('2'))
        .map(|(_, n)| n)
        .sum();
    let unanswered: u64 = report.errors.values().sum();
    let answered = if not_2xx + unanswered == 0 {
        TestCaseStatus::success()
    } else {
        let clause = Cited::of(report.profile).answered;
        failure(format!(
            "{not_2xx} deliveries answered outside 2xx, {unanswered} got no response ({clause})"
        ))
    };
    suite.add_test_case(case("answered-2xx", answered));
    let once = match &report.exactly_once {
        None => {
            let mut status = TestCaseStatus::skipped();
            status.set_message("no effects probe (--effects-url or --effects-cmd)");
            status
        }
        Some(check) if check.holds() => TestCaseStatus::success(),
        Some(check) => failure(check.to_string()),
    };
    suite.add_test_case(case("exactly-once", once));
    junit.add_test_suite(suite);
    junit_xml(&junit)
}

fn failure(message: String) -> TestCaseStatus {
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
    status.set_message(message);
    status
}

fn case(name: &str, status: TestCaseStatus) -> TestCase {
    let mut case = TestCase::new(name, status);
    case.set_classname("hookcheck.load");
    case
}

/// What the run measured, one row per figure, as the terminal summary lists them.
fn rows(report: &LoadReport) -> Vec<(&'static str, String)> {
    let pace = match report.rate_per_s {
        Some(rate) => format!("open loop at {rate} deliveries/s"),
        None => "closed loop".to_owned(),
    };
    let l = &report.latency;
    let mut rows = vec![("target", report.target.clone())];
    rows.extend(profile_row(report).map(|profile| ("profile", profile)));
    rows.extend([
        ("load", format!("{} in flight, {pace}", report.concurrency)),
        (
            "deliveries",
            format!(
                "{} in {:.2} s ({} distinct, {} duplicates): {:.0} deliveries/s",
                report.deliveries,
                report.elapsed_s,
                report.distinct_sessions,
                report.duplicates,
                report.throughput_per_s
            ),
        ),
        ("statuses", counts(&report.statuses)),
        ("errors", counts(&report.errors)),
        (
            "latency",
            format!(
                "p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms, max {:.2} ms ({} timed out)",
                l.p50_ms, l.p90_ms, l.p99_ms, l.p99_9_ms, l.max_ms, l.timed_out
            ),
        ),
    ]);
    if let Some(check) = &report.exactly_once {
        rows.push(("effects", check.to_string()));
    }
    if let Some(outage) = &report.outage {
        rows.extend(outage.rows());
    }
    rows
}

/// The contract the deliveries followed, as the terminal summary names it: only when it is
/// not the default, so a Cr3dentials report reads as it always has.
fn profile_row(report: &LoadReport) -> Option<String> {
    let profile = report.profile;
    (!profile.is_default()).then(|| format!("{profile} ({})", profile.contract_file()))
}

fn title(report: &LoadReport) -> &'static str {
    if report.verdict.holds {
        "holds"
    } else {
        "fails"
    }
}

/// The report as Markdown: the verdict, its problems, and a table of the figures.
fn markdown(report: &LoadReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# hookcheck load: {}\n", title(report));
    let _ = writeln!(out, "**{}**\n", cell(&verdict_line(report)));
    for problem in &report.verdict.problems {
        let _ = writeln!(out, "- {}", cell(problem));
    }
    out.push('\n');
    markdown_table::head(&mut out, &["figure", "value"], 2);
    for (name, value) in rows(report) {
        markdown_table::row(&mut out, &[name.to_owned(), cell(&value)]);
    }
    out
}

/// The report as one self-contained HTML page.
fn html(report: &LoadReport) -> String {
    let mut out = String::with_capacity(4 * 1024);
    let class = if report.verdict.holds { "ok" } else { "bad" };
    page_start(
        &mut out,
        &format!("hookcheck load: {}: {}", title(report), esc(&report.target)),
        class,
        &format!("hookcheck load: {}", title(report)),
        &verdict_line(report),
        None,
    );
    if !report.verdict.problems.is_empty() {
        out.push_str("<ul>");
        for problem in &report.verdict.problems {
            let _ = write!(out, "<li>{}</li>", esc(problem));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("<table>");
    for (name, value) in rows(report) {
        html_table::row(&mut out, &[Cell::th(name), Cell::td(esc(&value))]);
    }
    html_table::end(&mut out);
    if let Some(outage) = &report.outage {
        out.push_str("<h2>Outage replay</h2>\n");
        out.push_str(&outage_svg(outage));
    }
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::load::{ExactlyOnce, LoadLatency, LoadVerdict};
    use crate::report::Format;

    fn sample(holds: bool) -> LoadReport {
        LoadReport {
            target: "http://127.0.0.1:8080/webhook".into(),
            profile: crate::profile::Profile::Cr3dentials,
            replicas: Vec::new(),
            concurrency: 8,
            rate_per_s: None,
            elapsed_s: 1.5,
            deliveries: 100,
            distinct_sessions: 90,
            duplicates: 10,
            throughput_per_s: 66.7,
            statuses: [("200".to_owned(), if holds { 100 } else { 98 })]
                .into_iter()
                .chain((!holds).then(|| ("500".to_owned(), 2)))
                .collect(),
            errors: BTreeMap::new(),
            latency: LoadLatency::default(),
            exactly_once: Some(ExactlyOnce {
                checked: 90,
                once: 90,
                ..ExactlyOnce::default()
            }),
            verdict: LoadVerdict {
                holds,
                problems: if holds {
                    vec![]
                } else {
                    vec!["2 deliveries answered outside 2xx (SPEC §3 ¶1, ¶2 [D-9])".into()]
                },
            },
            shard: None,
            merged_shards: None,
            outage: None,
        }
    }

    #[test]
    fn every_format_says_the_verdict_and_junit_fails_only_the_broken_case() {
        let (good, bad) = (sample(true), sample(false));
        let xml = junit(&bad).unwrap();
        assert!(xml.contains("failures=\"1\""), "{xml}");
        assert!(xml.contains("2 deliveries answered outside 2xx"), "{xml}");
        assert!(junit(&good).unwrap().contains("failures=\"0\""));
        let markdown = markdown(&bad);
        assert!(
            markdown.starts_with("# hookcheck load: fails\n"),
            "{markdown}"
        );
        assert!(
            markdown.contains("| statuses | 200: 98, 500: 2 |"),
            "{markdown}"
        );
        assert!(html(&good).contains("<h1>hookcheck load: holds</h1>"));
        let back: LoadReport = serde_json::from_str(&bad.json().unwrap()).unwrap();
        assert_eq!(back.statuses, bad.statuses);
        for format in Format::ALL {
            let text = good.render(format).unwrap();
            assert!(text.contains("hookcheck load") || text.contains("127.0.0.1:8080"));
        }
    }

    #[test]
    fn a_standard_webhooks_report_names_its_profile_in_every_format_and_cr3dentials_does_not() {
        let mut signed = sample(true);
        signed.profile = crate::profile::Profile::StandardWebhooks;
        let named = "standard-webhooks (STANDARD-WEBHOOKS.md)";
        assert!(markdown(&signed).contains(&format!("| profile | {named} |")));
        assert!(html(&signed).contains(named));
        let xml = junit(&signed).unwrap();
        assert!(
            xml.contains(
                r#"<property name="profile" value="standard-webhooks (STANDARD-WEBHOOKS.md)"/>"#
            ),
            "{xml}"
        );
        let plain = sample(true);
        for text in [markdown(&plain), html(&plain), junit(&plain).unwrap()] {
            assert!(!text.contains("profile"), "{text}");
        }
        // A failure cites the profile's own clause.
        let mut broken = sample(false);
        broken.profile = crate::profile::Profile::StandardWebhooks;
        let xml = junit(&broken).unwrap();
        assert!(xml.contains("(STANDARD-WEBHOOKS [SW-12])"), "{xml}");
        assert!(!xml.contains("SPEC §3"), "{xml}");
    }

    #[test]
    fn an_outage_replay_adds_its_figures_and_a_timeline_of_every_attempt() {
        use crate::outage::{OutageReport, RetrySchedule, TimelineAttempt};
        use crate::sender::SenderConfig;
        let schedule = RetrySchedule::of(&SenderConfig::default());
        let attempt = |delivery, number, secs, reached| TimelineAttempt {
            delivery,
            number,
            at: Duration::from_secs(secs),
            reached,
        };
        let mut report = sample(false);
        report.outage = Some(OutageReport {
            windows: "30s@10s:503"
                .parse::<crate::outage::OutageSpec>()
                .unwrap()
                .windows,
            time_scale: 60.0,
            schedule,
            longest_survived: schedule.longest_survived(),
            longest_survived_wall: schedule.scaled(60.0).longest_survived(),
            deliveries: 2,
            reached: 1,
            gave_up: 1,
            gave_up_in_outage: 1,
            attempts: [("1".to_owned(), 1), ("4".to_owned(), 1)]
                .into_iter()
                .collect(),
            forwarded_connections: 1,
            blocked_connections: 4,
            upstream_failures: 0,
            timeline: vec![
                attempt(0, 1, 0, true),
                attempt(1, 1, 11, false),
                attempt(1, 2, 16, false),
                attempt(1, 3, 26, false),
                attempt(1, 4, 37, false),
            ],
        });
        let page = html(&report);
        assert!(page.contains("<h2>Outage replay</h2>"), "{page}");
        assert_eq!(
            page.matches("stroke=\"#d93025\"").count(),
            4,
            "failed attempts"
        );
        assert_eq!(
            page.matches("stroke=\"#1e8e3e\"").count(),
            1,
            "the delivering one"
        );
        assert!(page.contains(">503</text>"), "the window is labelled");
        let markdown = markdown(&report);
        assert!(
            markdown.contains("| reached | 1 of 2 deliveries; the schedule gave up on 1 |"),
            "{markdown}"
        );
        assert!(
            markdown.contains("outages up to 28s (466ms at this time scale)"),
            "{markdown}"
        );
        let back: LoadReport = serde_json::from_str(&report.json().unwrap()).unwrap();
        assert_eq!(
            back.json().unwrap(),
            report.json().unwrap(),
            "JSON in whole ms"
        );
        assert!(sample(true).json().unwrap().find("outage").is_none());
    }
}
