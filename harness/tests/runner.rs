//! The conformance runner, driven in-process (`hookcheck::runner::run`) against the
//! reference receiver, every deliberate defect, and hostile raw-TCP targets.
//!
//! Every test binds 127.0.0.1 port 0, talks to nothing else, and is bounded by a timeout.

#[path = "../../tests/util.rs"]
mod util;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::join_all;
use hookcheck::auth::AuthHeader;
use hookcheck::catalogue::{Level, Selection, all_check_ids, requirement_of};
use hookcheck::receiver::{Defect, DeliveryOutcome, Receiver, ReceiverConfig, RunningReceiver};
use hookcheck::report::{Event, Outcome, Report, Reporter};
use hookcheck::runner::{EffectsProbe, RunConfig, RunError, run};
use hookcheck::sender::{ClientTls, parse_target};
use hookcheck::tls::TlsSource;

use util::{Hostile, closed_port, hostile};

const SEED: u64 = 20250324;
const SECRET: &str = "X-API-Key: s3cret-Key-9f2c";
/// No single run may take longer than this, whatever regresses.
const RUN_BOUND: Duration = Duration::from_secs(60);

fn auth() -> AuthHeader {
    SECRET.parse().expect("a valid auth header")
}

/// A run configuration with short timeouts and a fixed seed.
fn config(url: &str) -> RunConfig {
    hookcheck::install_crypto_provider();
    let mut config = RunConfig::new(parse_target(url).expect("a valid target"));
    config.timeout = Duration::from_secs(3);
    config.settle = Duration::from_millis(200);
    config.seed = SEED;
    config
}

/// What a collecting reporter saw, in order.
#[derive(Debug, Clone, PartialEq)]
enum Seen {
    Started(usize),
    Phase(String),
    Check(String, Outcome),
    Finished(usize),
}

struct Collect(Arc<Mutex<Vec<Seen>>>);

impl Reporter for Collect {
    fn on_event(&mut self, event: &Event<'_>) -> std::io::Result<()> {
        let seen = match event {
            Event::RunStarted { planned, .. } => Seen::Started(*planned),
            Event::PhaseStarted { name } => Seen::Phase((*name).to_owned()),
            Event::CheckFinished(check) => Seen::Check(check.id.clone(), check.outcome),
            Event::RunFinished(report) => Seen::Finished(report.checks.len()),
        };
        self.0.lock().unwrap().push(seen);
        Ok(())
    }
}

/// Runs the checks with a collecting reporter, bounded, and checks that the reporter saw
/// the run the report describes: start, one event per check, finish.
async fn try_grade(config: RunConfig) -> Result<Report, RunError> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut reporters: Vec<Box<dyn Reporter>> = vec![Box::new(Collect(seen.clone()))];
    let report = tokio::time::timeout(RUN_BOUND, run(config, &mut reporters))
        .await
        .expect("a run ends within its bound")?;
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.first(), Some(&Seen::Started(report.checks.len())));
    assert_eq!(seen.last(), Some(&Seen::Finished(report.checks.len())));
    let reported: Vec<(String, Outcome)> = seen
        .iter()
        .filter_map(|s| match s {
            Seen::Check(id, outcome) => Some((id.clone(), *outcome)),
            _ => None,
        })
        .collect();
    let mut in_report: Vec<(String, Outcome)> = report
        .checks
        .iter()
        .map(|c| (c.id.clone(), c.outcome))
        .collect();
    let mut reported_sorted = reported.clone();
    reported_sorted.sort();
    in_report.sort();
    assert_eq!(
        reported_sorted, in_report,
        "every check reaches the reporter once"
    );
    Ok(report)
}

async fn grade(config: RunConfig) -> Report {
    match try_grade(config).await {
        Ok(report) => report,
        Err(e) => panic!("the run failed: {e}"),
    }
}

fn outcomes(report: &Report) -> BTreeMap<String, Outcome> {
    let map: BTreeMap<String, Outcome> = report
        .checks
        .iter()
        .map(|c| (c.id.clone(), c.outcome))
        .collect();
    assert_eq!(map.len(), report.checks.len(), "no check reported twice");
    map
}

/// A check that needs the effects probe.
fn needs_effects(id: &str) -> bool {
    id.starts_with("idempotency/exactly-once/")
        || id.starts_with("auth/no-effect-when-rejected/")
        || id.starts_with("robustness/no-effect-for-unprocessable/")
}

/// What the reference receiver must get for every check of the catalogue.
fn reference_expectation(https: bool, with_auth: bool, effects: bool) -> BTreeMap<String, Outcome> {
    all_check_ids()
        .into_iter()
        .map(|id| {
            let outcome = match id.as_str() {
                "transport/https" if !https => Outcome::Warn,
                "transport/valid-certificate" if !https => Outcome::Skip,
                _ if id.starts_with("auth/") && !with_auth => Outcome::Skip,
                _ if needs_effects(&id) && !effects => Outcome::Skip,
                _ => Outcome::Pass,
            };
            (id, outcome)
        })
        .collect()
}

/// Asserts the reference receiver's run: exactly the expected outcome per check, and every
/// skip with its stated reason.
fn assert_reference(report: &Report, https: bool, with_auth: bool, effects: bool) {
    let expected = reference_expectation(https, with_auth, effects);
    let actual = outcomes(report);
    let differ: Vec<String> = expected
        .iter()
        .filter(|(id, outcome)| actual.get(*id) != Some(outcome))
        .map(|(id, outcome)| {
            let check = report.checks.iter().find(|c| &c.id == id);
            format!(
                "{id}: expected {outcome}, got {:?} ({})",
                actual.get(id),
                check.map(|c| c.actual.as_str()).unwrap_or("not reported")
            )
        })
        .collect();
    assert!(
        differ.is_empty(),
        "reference receiver:\n{}",
        differ.join("\n")
    );
    assert_eq!(
        actual.len(),
        expected.len(),
        "only catalogue checks are reported"
    );
    for check in &report.checks {
        if check.outcome != Outcome::Skip {
            continue;
        }
        let reason = &check.actual;
        let stated = if check.id == "transport/valid-certificate" {
            reason.contains("plain-http")
        } else if check.id.starts_with("auth/") && !with_auth {
            reason.contains("no --auth")
        } else {
            reason.contains("no effects probe")
        };
        assert!(stated, "{} skipped without its reason: {reason}", check.id);
    }
    assert_eq!(report.verdict, "conformant");
    assert_eq!(report.summary.fail + report.summary.error, 0);
    assert!(report.latency.deliveries > 0 && report.latency.timed_out == 0);
}

async fn receiver(config: ReceiverConfig) -> RunningReceiver {
    Receiver::start(config.shutdown_timeout(Duration::from_secs(1)))
        .await
        .expect("the reference receiver starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_receiver_passes_every_check_over_http_with_auth_and_an_effects_url() {
    let receiver = receiver(ReceiverConfig::default().auth(auth())).await;
    let mut config = config(&receiver.webhook_url());
    config.auth = Some(auth());
    config.effects = Some(EffectsProbe::url(&receiver.effects_url_template()).unwrap());
    let report = grade(config).await;
    assert_reference(&report, false, true, true);
    assert_eq!(report.effects_probe.as_deref(), Some("url"));
    assert_eq!(report.seed, SEED);
    receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_receiver_passes_every_check_over_https_trusting_its_certificate_file() {
    hookcheck::install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let receiver = receiver(
        ReceiverConfig::default()
            .auth(auth())
            .tls(TlsSource::SelfSigned {
                dir: dir.path().to_owned(),
            }),
    )
    .await;
    let url = receiver.webhook_url();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let mut config = config(&url);
    config.auth = Some(auth());
    config.tls = ClientTls::CaFile(receiver.cert_path().expect("a certificate").to_owned());
    config.effects = Some(EffectsProbe::url(&receiver.effects_url_template()).unwrap());
    let report = grade(config).await;
    assert_reference(&report, true, true, true);
    receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_receiver_passes_without_auth_counting_effects_with_a_command() {
    // The receiver's delivery hook appends a line per new effect to a file named after the
    // session; the effects command counts the lines, with no HTTP involved.
    let dir = tempfile::tempdir().unwrap();
    let effects_dir = dir.path().to_owned();
    let hook_dir = effects_dir.clone();
    let receiver = receiver(ReceiverConfig::default().on_delivery(move |log| {
        use std::io::Write;
        let Some(session) = &log.session_id else {
            return;
        };
        let safe = !session.is_empty()
            && session
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        if log.outcome == DeliveryOutcome::New && safe {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(hook_dir.join(session))
                .expect("effects file opens");
            writeln!(file, "effect").expect("effects file is written");
        }
    }))
    .await;
    let mut config = config(&receiver.webhook_url());
    config.effects = Some(EffectsProbe::Command(format!(
        r#"f='{}'/"$HOOKCHECK_SESSION_ID"; if [ -f "$f" ]; then wc -l < "$f"; else echo 0; fi"#,
        effects_dir.display()
    )));
    let report = grade(config).await;
    assert_reference(&report, false, false, true);
    assert_eq!(report.effects_probe.as_deref(), Some("command"));
    // The probe counted real effects: the files exist, one line each.
    let files = std::fs::read_dir(&effects_dir).unwrap().count();
    assert!(files > 20, "only {files} sessions recorded by the hook");
    receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_effects_probe_effect_checks_are_skipped_never_passed() {
    let receiver = receiver(ReceiverConfig::default()).await;
    let report = grade(config(&receiver.webhook_url())).await;
    assert_reference(&report, false, false, false);
    assert_eq!(report.effects_probe, None);
    receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_self_signed_certificate_fails_against_system_roots_and_the_rest_is_still_graded() {
    hookcheck::install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let receiver = receiver(ReceiverConfig::default().tls(TlsSource::SelfSigned {
        dir: dir.path().to_owned(),
    }))
    .await;
    let mut config = config(&receiver.webhook_url());
    config.tls = ClientTls::System;
    config.selection = Selection {
        only: vec!["transport".into(), "status".into()],
        skip: Vec::new(),
    };
    let report = grade(config).await;
    let outcomes = outcomes(&report);
    assert_eq!(outcomes["transport/valid-certificate"], Outcome::Fail);
    assert_eq!(outcomes["transport/https"], Outcome::Pass);
    assert_eq!(outcomes["transport/no-redirect"], Outcome::Pass);
    for (id, outcome) in &outcomes {
        if id.starts_with("status/") {
            assert_eq!(*outcome, Outcome::Pass, "{id}");
        }
    }
    assert_eq!(report.verdict, "not-conformant");
    receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_and_skip_select_exactly_the_named_checks() {
    let receiver = receiver(ReceiverConfig::default().auth(auth())).await;
    let mut config = config(&receiver.webhook_url());
    config.auth = Some(auth());
    config.effects = Some(EffectsProbe::url(&receiver.effects_url_template()).unwrap());
    config.selection = Selection {
        only: vec!["auth".into(), "idempotency/exactly-once/concurrent".into()],
        skip: vec!["auth/duplicated-header".into()],
    };
    let report = grade(config).await;
    let ran: BTreeSet<String> = outcomes(&report).into_keys().collect();
    let wanted: BTreeSet<String> = all_check_ids()
        .into_iter()
        .filter(|id| {
            (id.starts_with("auth/") && id != "auth/duplicated-header")
                || id == "idempotency/exactly-once/concurrent"
        })
        .collect();
    assert_eq!(ran, wanted);
    assert!(report.checks.iter().all(|c| c.outcome == Outcome::Pass));
    receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_effects_probe_that_cannot_answer_is_a_configuration_error_before_any_delivery() {
    let receiver = receiver(ReceiverConfig::default()).await;
    let mut config = config(&receiver.webhook_url());
    config.effects = Some(EffectsProbe::Command("exit 3".into()));
    match try_grade(config).await {
        Err(RunError::Config(message)) => assert!(message.contains("effects"), "{message}"),
        other => panic!("expected a configuration error, got {other:?}"),
    }
    receiver.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Defects

/// What a run against one defect must show.
struct Expect {
    defect: Defect,
    /// Id prefixes that must each match at least one check, and every check they match
    /// must be `fail`.
    fail: &'static [&'static str],
    /// Likewise for `warn`.
    warn: &'static [&'static str],
    /// Likewise for `error` (no verdict possible).
    error: &'static [&'static str],
    /// Id prefixes whose checks may also be non-pass, as a consequence of the same defect.
    /// Any other check must be exactly what the reference receiver gets.
    also: &'static [&'static str],
}

const DEFECTS: &[Expect] = &[
    Expect {
        defect: Defect::NoDedupe,
        fail: &[
            "idempotency/exactly-once/sequential",
            "idempotency/exactly-once/concurrent",
            "idempotency/exactly-once/other-body",
        ],
        warn: &[],
        error: &[],
        also: &["idempotency/exactly-once/after-abandoned"],
    },
    Expect {
        defect: Defect::RacyDedupe,
        fail: &["idempotency/exactly-once/concurrent"],
        warn: &[],
        error: &[],
        // The abandoned copy is still being processed when the retry arrives: a race too.
        also: &["idempotency/exactly-once/after-abandoned"],
    },
    Expect {
        defect: Defect::ConflictOnDuplicate,
        fail: &["idempotency/duplicates-acknowledged/"],
        warn: &[],
        error: &[],
        also: &[],
    },
    Expect {
        defect: Defect::AuthIgnored,
        fail: &[
            "auth/rejects-bad-credentials/",
            "auth/no-effect-when-rejected/",
        ],
        warn: &[],
        error: &[],
        also: &[],
    },
    Expect {
        defect: Defect::AuthPrefixMatch,
        fail: &[
            "auth/rejects-bad-credentials/truncated-value",
            "auth/rejects-bad-credentials/extended-value",
            "auth/no-effect-when-rejected/truncated-value",
            "auth/no-effect-when-rejected/extended-value",
        ],
        warn: &[],
        error: &[],
        also: &[],
    },
    Expect {
        defect: Defect::EffectBeforeAuth,
        fail: &["auth/no-effect-when-rejected/"],
        warn: &[],
        error: &[],
        also: &[],
    },
    Expect {
        defect: Defect::RejectsUnknownFields,
        fail: &[],
        warn: &["payload/unknown-fields/top-level"],
        error: &[],
        also: &["payload/unknown-fields/"],
    },
    Expect {
        defect: Defect::ErrorOnNullFields,
        fail: &["status/nullable-fields-null/"],
        warn: &[],
        error: &[],
        // ERROR, CANCELLED and TERMINATED carry null fields in a plain valid delivery.
        also: &[
            "status/valid-delivery-2xx/",
            "idempotency/duplicates-acknowledged/other-body",
            "latency/burst",
        ],
    },
    Expect {
        defect: Defect::RejectsTerminated,
        fail: &["status/valid-delivery-2xx/terminated"],
        warn: &[],
        error: &[],
        also: &[
            "status/nullable-fields-null/terminated",
            "status/data-for-every-status/terminated",
            "latency/burst",
        ],
    },
    Expect {
        defect: Defect::SlowCancelled,
        fail: &["status/valid-delivery-2xx/cancelled"],
        warn: &[],
        error: &[],
        also: &[
            "status/nullable-fields-null/cancelled",
            "status/data-for-every-status/cancelled",
            "latency/",
        ],
    },
    Expect {
        defect: Defect::Redirects,
        fail: &["transport/no-redirect"],
        warn: &[],
        error: &[],
        // Every valid delivery is redirected, so everything that needs one breaks.
        also: &[
            "status/",
            "payload/",
            "idempotency/",
            "latency/",
            "robustness/keeps-serving/",
        ],
    },
    Expect {
        defect: Defect::DiesOnMalformedJson,
        fail: &["robustness/keeps-serving/malformed-json"],
        warn: &[],
        error: &[
            "robustness/keeps-serving/empty-body",
            "robustness/keeps-serving/wrong-method",
            "robustness/no-5xx-for-bad-input/wrong-method",
            "robustness/no-effect-for-unprocessable/status-missing",
        ],
        also: &["robustness/"],
    },
    Expect {
        defect: Defect::ErrorOnMalformedJson,
        fail: &[],
        warn: &["robustness/no-5xx-for-bad-input/malformed-json"],
        error: &[],
        // An empty body and invalid UTF-8 are "not JSON" too.
        also: &["robustness/no-5xx-for-bad-input/"],
    },
    Expect {
        defect: Defect::EffectForInvalid,
        fail: &[
            "robustness/no-effect-for-unprocessable/unknown-status",
            "robustness/no-effect-for-unprocessable/status-missing",
        ],
        warn: &[],
        error: &[],
        also: &["robustness/no-effect-for-unprocessable/"],
    },
    Expect {
        defect: Defect::TinyBodyLimit,
        fail: &[],
        warn: &["payload/large-body"],
        error: &[],
        also: &[],
    },
    Expect {
        defect: Defect::Serial,
        fail: &["latency/burst"],
        warn: &[],
        error: &[],
        also: &["latency/"],
    },
];

fn needs_auth(defect: Defect) -> bool {
    matches!(
        defect,
        Defect::AuthIgnored | Defect::AuthPrefixMatch | Defect::EffectBeforeAuth
    )
}

fn matches_prefix(id: &str, prefix: &str) -> bool {
    if let Some(stem) = prefix.strip_suffix('/') {
        id.starts_with(prefix) || id == stem
    } else {
        id == prefix || id.starts_with(&format!("{prefix}/"))
    }
}

/// Runs the whole catalogue against one defect; returns what was wrong, if anything.
async fn grade_defect(expect: &Expect) -> (Defect, Duration, Vec<String>) {
    let defect = expect.defect;
    let started = Instant::now();
    let with_auth = needs_auth(defect);
    let mut receiver_config = ReceiverConfig::default()
        .defect(defect)
        .slow_delay(Duration::from_secs(3));
    if with_auth {
        receiver_config = receiver_config.auth(auth());
    }
    let receiver = receiver(receiver_config).await;
    let mut config = config(&receiver.webhook_url());
    config.effects = Some(EffectsProbe::url(&receiver.effects_url_template()).unwrap());
    config.timeout = match defect {
        // Well below the receiver's 3 s slow_delay.
        Defect::SlowCancelled => Duration::from_secs(1),
        // Short enough that 32 deliveries at 100 ms each cannot all make it.
        Defect::Serial => Duration::from_secs(2),
        // Sixteen runs share two cores: leave room so that load is not graded as slowness.
        _ => Duration::from_secs(5),
    };
    if defect == Defect::Serial {
        // Few enough requests in flight that only the burst outlasts the timeout.
        config.concurrency = 4;
    }
    if with_auth {
        config.auth = Some(auth());
    }
    let report = grade(config).await;
    let outcomes = outcomes(&report);
    let reference = reference_expectation(false, with_auth, true);
    let mut problems = Vec::new();

    for (prefixes, wanted) in [
        (expect.fail, Outcome::Fail),
        (expect.warn, Outcome::Warn),
        (expect.error, Outcome::Error),
    ] {
        for prefix in prefixes {
            let matched: Vec<(&String, &Outcome)> = outcomes
                .iter()
                .filter(|(id, _)| matches_prefix(id, prefix))
                .collect();
            if matched.is_empty() {
                problems.push(format!("`{prefix}` matches no check"));
            }
            for (id, outcome) in matched {
                if *outcome != wanted {
                    let actual = report
                        .checks
                        .iter()
                        .find(|c| &c.id == id)
                        .map(|c| c.actual.clone())
                        .unwrap_or_default();
                    problems.push(format!("{id}: expected {wanted}, got {outcome} ({actual})"));
                }
            }
        }
    }
    let listed = |id: &str| {
        expect
            .fail
            .iter()
            .chain(expect.warn)
            .chain(expect.error)
            .chain(expect.also)
            .any(|prefix| matches_prefix(id, prefix))
    };
    for check in &report.checks {
        if !listed(&check.id) && Some(&check.outcome) != reference.get(&check.id) {
            problems.push(format!(
                "{}: {} outside the defect's reach ({})",
                check.id, check.outcome, check.actual
            ));
        }
        // A broken MUST is a fail, a broken SHOULD a warn, never the other way round.
        let level = requirement_of(&check.id).map(|r| r.level);
        if check.outcome == Outcome::Fail && level != Some(Level::Must) {
            problems.push(format!("{}: fail for a {level:?}", check.id));
        }
        if check.outcome == Outcome::Warn
            && level != Some(Level::Should)
            && check.id != "transport/https"
        {
            problems.push(format!("{}: warn for a {level:?}", check.id));
        }
        if matches!(check.outcome, Outcome::Fail | Outcome::Warn) && check.repro.is_none() {
            // Every finding on a request says how to send it again, except the aggregate
            // latency grade, which stands for many, and the transport grades, which
            // `a_redirect_finding_carries_a_repro_line` covers on its own.
            if check.id != "latency/within-timeout" && !check.id.starts_with("transport/") {
                problems.push(format!(
                    "{}: {} without a repro line",
                    check.id, check.outcome
                ));
            }
        }
    }
    let must_broken = !expect.fail.is_empty() || !expect.error.is_empty();
    let conformant = Report::conformant(&report.summary, false);
    if conformant == must_broken {
        problems.push(format!(
            "verdict {} with summary {:?}",
            report.verdict, report.summary
        ));
    }
    if !expect.warn.is_empty() && Report::conformant(&report.summary, true) {
        problems.push("a broken SHOULD is conformant under --strict".into());
    }
    drop(receiver);
    (defect, started.elapsed(), problems)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_defect_is_caught_in_its_category_and_a_broken_must_fails_the_run() {
    // The table covers every defect, once each.
    let listed: BTreeSet<Defect> = DEFECTS.iter().map(|e| e.defect).collect();
    assert_eq!(listed, Defect::ALL.into_iter().collect::<BTreeSet<_>>());
    assert_eq!(listed.len(), DEFECTS.len());

    let started = Instant::now();
    // Each defect on its own receiver, all at once: the slowest (serial) sets the pace.
    let results = join_all(DEFECTS.iter().map(grade_defect)).await;
    let total = started.elapsed();
    let mut failures = Vec::new();
    for (defect, took, problems) in &results {
        eprintln!("defect {defect}: graded in {:.1} s", took.as_secs_f64());
        for problem in problems {
            failures.push(format!("{defect}: {problem}"));
        }
    }
    eprintln!("defect table: {:.1} s in all", total.as_secs_f64());
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    assert!(total < Duration::from_secs(60), "took {total:?}");
}

// ---------------------------------------------------------------------------------------
// Hostile targets

async fn ungradable(url: &str, timeout: Duration) -> (String, Duration) {
    let mut config = config(url);
    config.timeout = timeout;
    let started = Instant::now();
    let outcome = try_grade(config).await;
    let took = started.elapsed();
    match outcome {
        Err(RunError::Ungradable { target, reason }) => {
            assert_eq!(target, url);
            let message = RunError::Ungradable { target, reason }.to_string();
            assert!(!message.contains('\n'), "one line: {message}");
            eprintln!("{message} (after {took:?})");
            (message, took)
        }
        other => panic!("expected an ungradable target, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_never_answers_is_ungradable_within_its_timeout_and_said_to_hang() {
    let server = hostile(Hostile::Silent).await;
    let (message, took) = ungradable(&server.url(), Duration::from_secs(1)).await;
    assert!(message.contains("hangs"), "{message}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_resets_every_connection_is_ungradable() {
    let server = hostile(Hostile::Resets).await;
    let (message, took) = ungradable(&server.url(), Duration::from_secs(2)).await;
    assert!(
        message.contains("connection failed") && message.contains("reset"),
        "{message}"
    );
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_answers_garbage_is_ungradable_as_not_http() {
    let server = hostile(Hostile::Garbage).await;
    let (message, took) = ungradable(&server.url(), Duration::from_secs(2)).await;
    assert!(message.contains("not HTTP"), "{message}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_port_is_ungradable() {
    let url = format!("http://{}/webhook", closed_port());
    let (message, took) = ungradable(&url, Duration::from_secs(2)).await;
    assert!(message.contains("connection failed"), "{message}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_redirects_forever_fails_no_redirect_and_ends_quickly() {
    let server = hostile(Hostile::RedirectsForever).await;
    let mut config = config(&server.url());
    config.timeout = Duration::from_secs(2);
    let started = Instant::now();
    let report = grade(config).await;
    let took = started.elapsed();
    let outcomes = outcomes(&report);
    assert_eq!(outcomes["transport/no-redirect"], Outcome::Fail);
    let redirect = report
        .checks
        .iter()
        .find(|c| c.id == "transport/no-redirect")
        .unwrap();
    assert!(redirect.actual.starts_with("307"), "{}", redirect.actual);
    assert_eq!(
        outcomes["status/valid-delivery-2xx/completed"],
        Outcome::Fail
    );
    assert_eq!(report.verdict, "not-conformant");
    // The redirect is never followed: every delivery ends at the first answer.
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert_eq!(report.latency.timed_out, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_finding_carries_a_repro_line() {
    // A user told "307 to /webhook/v2" wants the request that shows it, as every other
    // failing check gives one.
    let receiver = receiver(ReceiverConfig::default().defect(Defect::Redirects)).await;
    let mut config = config(&receiver.webhook_url());
    config.selection = Selection {
        only: vec!["transport/no-redirect".into()],
        skip: Vec::new(),
    };
    let report = grade(config).await;
    let check = &report.checks[0];
    assert_eq!(
        (check.id.as_str(), check.outcome),
        ("transport/no-redirect", Outcome::Fail)
    );
    let repro = check.repro.as_deref().unwrap_or("");
    assert!(
        repro.starts_with("curl ") && repro.contains(&receiver.webhook_url()),
        "transport/no-redirect fails without a repro line: {:?}",
        check.repro
    );
    receiver.shutdown().await;
}
