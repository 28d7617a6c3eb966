//! The compliance report snapshots in `reports/`: the reference receiver and each of its
//! defects, graded with a fixed seed, in JSON and Markdown, with what changes from run to run
//! redacted (durations, ports, timestamps, session ids, latency figures). A report that
//! changes by accident fails this test; `cargo insta review` shows the change and accepts it.

use std::time::Duration;

use futures::future::join_all;
use hookcheck::catalogue::Category;
use hookcheck::receiver::{Defect, Receiver, ReceiverConfig};
use hookcheck::report::{Format, render};
use hookcheck::results::{LatencySummary, Report};
use hookcheck::runner::{EffectsProbe, RunConfig, run};
use regex::Regex;

const AUTH: &str = "X-API-Key: local-secret";
/// Checks whose findings name deliveries picked by chance or timing (`loses-under-load`
/// drops some of a burst; under `serial` some time out, so need not have an effect): their
/// outcome is pinned, not which deliveries.
const RANDOM_DEFECT_CHECKS: &[&str] = &["idempotency/burst-processed-once"];
/// How many runs share the two cores at once.
const AT_ONCE: usize = 4;

/// Grades the reference receiver, with `defect` if given, as `hookcheck run --seed 1 --auth`.
async fn graded(defect: Option<Defect>) -> Report {
    let mut config = ReceiverConfig::default()
        .auth(AUTH.parse().unwrap())
        .slow_delay(Duration::from_secs(5))
        .shutdown_timeout(Duration::from_secs(1));
    if let Some(defect) = defect {
        config = config.defect(defect);
    }
    let receiver = Receiver::start(config).await.expect("the receiver starts");
    let mut run_config = RunConfig::new(receiver.webhook_url().parse().unwrap());
    run_config.client.auth = Some(AUTH.parse().unwrap());
    run_config.effects = Some(EffectsProbe::url(&receiver.effects_url_template()).unwrap());
    run_config.seed = 1;
    run_config.settle = Duration::from_millis(200);
    // The abandoned copy's sender waits 20 ms: a receiver answers within it (about 2 ms
    // here) unless a defect makes it slow, and `loses-under-load` (50 ms a delivery)
    // never does, so that after-abandoned is the same on every run (half the typical
    // latency, or 50 ms, may or may not be).
    run_config.abandon_patience = Some(Duration::from_millis(20));
    // As in the defect table: below the receiver's 5 s slow answer, and short enough that a
    // serial receiver cannot answer the whole burst.
    (run_config.client.timeout, run_config.concurrency) = match defect {
        Some(Defect::SlowCancelled | Defect::SlowCompleted | Defect::HangsOnBadAuth) => {
            (Duration::from_secs(2), 8)
        }
        Some(Defect::Serial) => (Duration::from_secs(2), 2),
        _ => (Duration::from_secs(5), 8),
    };
    // A short retry window keeps the runs short; past the 2 s memory of dedupe-expires.
    run_config.dedupe_window = match defect {
        Some(Defect::DedupeExpires) => Duration::from_secs(3),
        _ => Duration::from_millis(500),
    };
    let report = run(run_config, &mut [])
        .await
        .expect("the run grades the receiver");
    receiver.shutdown().await;
    report
}

/// The report with everything that differs between two identical runs replaced: besides
/// ports, ids, times and figures, three things that depend on timing, whatever the seed:
/// which of the concurrent copies came first, whether the receiver's 413 to an oversized
/// body arrives before it closes the connection on the rest of the body, and which
/// delivery was the slowest (the repro of a latency finding), and how many of a slow
/// receiver's deliveries missed the timeout. The exchanges are left out:
/// concurrent copies put them in a different order on each run.
fn redacted(mut report: Report) -> Report {
    let rules = rules();
    let scrub = |text: &mut String| {
        for (pattern, with) in &rules {
            *text = pattern.replace_all(text, *with).into_owned();
        }
    };
    scrub(&mut report.target);
    report.seed = Some(0);
    report.started_at = "[started]".into();
    report.duration_ms = 0;
    report.latency = LatencySummary {
        deliveries: report.latency.deliveries,
        ..LatencySummary::default()
    };
    report.notes.iter_mut().for_each(scrub);
    for check in &mut report.checks {
        check.duration_ms = 0;
        // Which of several concurrent copies was answered first orders the exchanges.
        check.exchanges.clear();
        if RANDOM_DEFECT_CHECKS.contains(&check.id.as_str()) {
            check.expected = "[which deliveries: varies from run to run]".into();
            check.actual = "[which deliveries: varies from run to run]".into();
            check.repro = check
                .repro
                .as_ref()
                .map(|_| "[varies from run to run]".into());
        }
        for text in [&mut check.expected, &mut check.actual] {
            scrub(text);
        }
        if let Some(repro) = &mut check.repro {
            scrub(repro);
            if check.category == Category::Latency {
                *repro = "[the slowest delivery: depends on timing]".into();
            }
        }
    }
    report
}

/// What [`redacted`] replaces, and with what.
fn rules() -> Vec<(Regex, &'static str)> {
    [
        (
            r"^(answered 413 in \d+ ms|connection closed without a status \(connect: Broken pipe \(os error 32\) \(after \d+ ms\)\))",
            "[413, or the connection closed while sending]",
        ),
        (
            r"^(413 in \d+ ms|no 5xx: connect: Broken pipe \(os error 32\) \(after \d+ ms\))$",
            "[413, or the connection closed while sending]",
        ),
        (r"copy \d+:", "copy [n]:"),
        (r"\b\d+ of (\d+) deliveries", "[n] of $1 deliveries"),
        (r"\b\d+/(\d+) not answered", "[n]/$1 not answered"),
        (r"curl -m \d+(\.\d+)? ", "curl -m [s] "),
        (
            r"Connection refused \(os error 111\)|Connection reset by peer \(os error 104\)",
            "[connection refused or reset]",
        ),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
        // The numeric session of `session-id-number` is drawn from a fresh session id.
        (r"session \d+ \(the session-id-number", "session [number] (the session-id-number"),
        (r#""sessionId":\d+"#, r#""sessionId":[number]"#),
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[uuid]",
        ),
        (
            r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)",
            "[timestamp]",
        ),
        (
            r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT",
            "[http-date]",
        ),
        (r"\d+(\.\d+)? ?ms\b", "[ms]"),
    ]
    .into_iter()
    .map(|(pattern, with)| (Regex::new(pattern).unwrap(), with))
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_snapshots_in_reports_match_the_reference_receiver_and_each_defect() {
    hookcheck::install_crypto_provider();
    // Defects whose findings vary from run to run (`Defect::facts`: how concurrent
    // deliveries interleave, how loaded the machine is) have no snapshot; the defect table
    // in `harness/tests/runner/defects.rs` asserts that each is caught.
    let cases: Vec<Option<Defect>> = std::iter::once(None)
        .chain(
            Defect::ALL
                .into_iter()
                // A replica defect conforms in one process: its report is the reference's.
                .filter(|d| !d.facts().varies && !d.facts().replicas)
                .map(Some),
        )
        .collect();
    let turns = tokio::sync::Semaphore::new(AT_ONCE);
    let turns = &turns;
    let reports = join_all(cases.iter().map(|&defect| async move {
        let _turn = turns.acquire().await.unwrap();
        (defect, graded(defect).await)
    }))
    .await;

    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../reports");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (defect, report) in reports {
            let name = defect.map_or_else(
                || "reference-receiver".to_owned(),
                |d| format!("defect-{}", d.as_str()),
            );
            let report = redacted(report);
            let json = render(Format::Json, &report, false).unwrap();
            insta::assert_snapshot!(format!("{name}.json"), json);
            let markdown = render(Format::Markdown, &report, false).unwrap();
            insta::assert_snapshot!(format!("{name}.md"), markdown);
        }
    });
}
