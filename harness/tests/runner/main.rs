//! The conformance runner, driven in-process (`hookcheck::runner::run`) against the
//! reference receiver and every deliberate defect. Hostile raw-TCP targets are graded
//! end to end, through the binary, in `tests/run/hostile.rs`.
//!
//! Every test binds 127.0.0.1 port 0, talks to nothing else, and is bounded by a timeout.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hookcheck::auth::AuthHeader;
use hookcheck::catalogue::{Level, NO_AUTH, NO_EFFECTS_PROBE};
use hookcheck::catalogue::{Selection, all_check_ids, requirement_of};
use hookcheck::checks::overlap::ANSWERED_FIRST;
use hookcheck::checks::transport::OWN_CA;
use hookcheck::receiver::{DeliveryOutcome, ReceiverConfig};
use hookcheck::results::{Event, Outcome, Report, Reporter};
use hookcheck::runner::{EffectsProbe, RunConfig, RunError, run};
use hookcheck::transport::parse_target;
use hookcheck::transport::tls::ClientTls;
use hookcheck::transport::tls::TlsSource;
use hookcheck_testkit::receiver;

const SEED: u64 = 20250324;
/// The seeds the legitimate-choice receivers are graded under.
const DRAWN_SEEDS: [u64; 3] = [SEED, 1, 0x5eed_cafe];
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
    config.client.timeout = Duration::from_secs(3);
    config.settle = Duration::from_millis(200);
    config.dedupe_window = Duration::from_millis(300);
    // The abandoned copy's sender waits 50 ms: a fast receiver has answered by then, so its
    // after-abandoned checks skip (not observed), and a slow one is hung up on mid-way
    // (tests/runner/late.rs grades both sides).
    config.abandon_patience = Some(Duration::from_millis(50));
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

/// Whether a check got the outcome the reference receiver gets: as `expected` says, or, for
/// a check whose situation a fast receiver may not produce (an abandoned copy answered
/// before its sender hung up), a pass or a skip that says so.
fn as_reference(check: &hookcheck::results::CheckResult, expected: Option<&Outcome>) -> bool {
    let not_observed = check.id.ends_with("/after-abandoned")
        && (check.outcome == Outcome::Pass
            || (check.outcome == Outcome::Skip && check.actual == ANSWERED_FIRST));
    Some(&check.outcome) == expected || (expected.is_some() && not_observed)
}

/// Why a check is skipped in a run with (or without) auth and an effects probe, if it is.
fn unmet(id: &str, with_auth: bool, effects: bool) -> Option<&'static str> {
    requirement_of(id).and_then(|r| r.needs.unmet(with_auth, effects))
}

/// What the reference receiver must get for every check of the catalogue.
fn reference_expectation(https: bool, with_auth: bool, effects: bool) -> BTreeMap<String, Outcome> {
    all_check_ids()
        .into_iter()
        .map(|id| {
            let outcome = match id.as_str() {
                "transport/https" | "transport/valid-certificate" if !https => Outcome::Skip,
                _ if unmet(&id, with_auth, effects).is_some() => Outcome::Skip,
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
    assert_reference_as(report, expected, with_auth, effects);
}

/// [`assert_reference`] with the expected outcomes given.
fn assert_reference_as(
    report: &Report,
    expected: BTreeMap<String, Outcome>,
    with_auth: bool,
    effects: bool,
) {
    let actual = outcomes(report);
    let differ: Vec<String> = expected
        .iter()
        .filter(|(id, outcome)| {
            report
                .checks
                .iter()
                .find(|c| &c.id == *id)
                .is_none_or(|c| !as_reference(c, Some(outcome)))
        })
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
        let stated = match unmet(&check.id, with_auth, effects) {
            Some(why) => reason == why,
            None => {
                (check.id.starts_with("transport/")
                    && (reason.contains("plain-http") || reason == OWN_CA))
                    || (check.id.ends_with("/after-abandoned") && reason == ANSWERED_FIRST)
            }
        };
        assert!(stated, "{} skipped without its reason: {reason}", check.id);
    }
    assert_eq!(report.verdict, "conformant");
    assert_eq!(report.summary.fail + report.summary.error, 0);
    assert!(report.latency.deliveries > 0 && report.latency.timed_out == 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_receiver_passes_every_check_over_http_with_auth_and_an_effects_url() {
    let receiver = receiver::start(ReceiverConfig::default().auth(auth())).await;
    let mut config = config(&receiver.webhook_url());
    config.client.auth = Some(auth());
    config.effects = Some(EffectsProbe::url(&receiver.effects_url_template()).unwrap());
    let report = grade(config).await;
    assert_reference(&report, false, true, true);
    assert_eq!(report.effects_probe.as_deref(), Some("url"));
    assert_eq!(report.seed, Some(SEED));
    receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_receiver_passes_every_check_over_https_trusting_its_certificate_file() {
    hookcheck::install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let receiver = receiver::start(ReceiverConfig::default().auth(auth()).tls(
        TlsSource::SelfSigned {
            dir: dir.path().to_owned(),
        },
    ))
    .await;
    let url = receiver.webhook_url();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let mut config = config(&url);
    config.client.auth = Some(auth());
    config.client.tls = ClientTls::CaFile(receiver.cert_path().expect("a certificate").to_owned());
    config.effects = Some(EffectsProbe::url(&receiver.effects_url_template()).unwrap());
    let report = grade(config).await;
    // Verified against the user's own CA, not the public roots the provider uses: the
    // certificate check is skipped, and counted among the MUSTs not verified.
    let mut expected = reference_expectation(true, true, true);
    expected.insert("transport/valid-certificate".into(), Outcome::Skip);
    assert_reference_as(&report, expected, true, true);
    assert!(
        report
            .unverified
            .iter()
            .any(|u| u.reason == OWN_CA && u.count == 1),
        "{:?}",
        report.unverified
    );
    receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_that_fails_against_the_given_ca_gets_no_verdict_and_the_rest_is_graded() {
    hookcheck::install_crypto_provider();
    let (served, other) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let receiver = receiver::start(ReceiverConfig::default().tls(TlsSource::SelfSigned {
        dir: served.path().to_owned(),
    }))
    .await;
    // Another self-signed certificate, not the one served: the CA file does not vouch for it.
    let unrelated = receiver_cert(other.path()).await;
    let mut config = config(&receiver.webhook_url());
    config.client.tls = ClientTls::CaFile(unrelated);
    config.selection = Selection {
        only: vec!["transport".into(), "status/valid-delivery-2xx".into()],
        skip: Vec::new(),
    };
    let report = grade(config).await;
    let outcomes = outcomes(&report);
    let certificate = report
        .checks
        .iter()
        .find(|c| c.id == "transport/valid-certificate")
        .unwrap();
    assert_eq!(
        certificate.outcome,
        Outcome::Error,
        "{}",
        certificate.actual
    );
    assert!(
        certificate.actual.contains("--ca-cert") && certificate.actual.contains("public roots"),
        "{}",
        certificate.actual
    );
    assert_eq!(outcomes["transport/https"], Outcome::Pass);
    assert_eq!(
        outcomes["status/valid-delivery-2xx/completed"],
        Outcome::Pass
    );
    receiver.shutdown().await;
}

/// Starts and stops a TLS receiver in `dir`, leaving its self-signed certificate there.
async fn receiver_cert(dir: &std::path::Path) -> std::path::PathBuf {
    let other = receiver::start(ReceiverConfig::default().tls(TlsSource::SelfSigned {
        dir: dir.to_owned(),
    }))
    .await;
    let path = other.cert_path().expect("a certificate").to_owned();
    other.shutdown().await;
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_receiver_passes_without_auth_counting_effects_with_a_command() {
    // The receiver's delivery hook appends a line per new effect to a file named after the
    // session; the effects command counts the lines, with no HTTP involved.
    let dir = tempfile::tempdir().unwrap();
    let effects_dir = dir.path().to_owned();
    let hook_dir = effects_dir.clone();
    let receiver = receiver::start(ReceiverConfig::default().on_delivery(move |log| {
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
    config.effects = Some(EffectsProbe::command(format!(
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
    let receiver = receiver::start(ReceiverConfig::default()).await;
    let report = grade(config(&receiver.webhook_url())).await;
    assert_reference(&report, false, false, false);
    assert_eq!(report.effects_probe, None);
    // The report says how many MUSTs went unverified, and why, instead of claiming them.
    let unverified: BTreeMap<&str, usize> = report
        .unverified
        .iter()
        .map(|u| (u.reason.as_str(), u.count))
        .collect();
    let must_skips = |reason: &str| {
        report
            .checks
            .iter()
            .filter(|c| c.outcome == Outcome::Skip && c.actual == reason)
            .filter(|c| requirement_of(&c.id).is_some_and(|r| r.level == Level::Must))
            .count()
    };
    assert!(unverified[NO_EFFECTS_PROBE] > 20, "{unverified:?}");
    assert_eq!(unverified[NO_EFFECTS_PROBE], must_skips(NO_EFFECTS_PROBE));
    assert_eq!(unverified[NO_AUTH], must_skips(NO_AUTH));
    receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_self_signed_certificate_fails_against_system_roots_and_the_rest_is_still_graded() {
    hookcheck::install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let receiver = receiver::start(ReceiverConfig::default().tls(TlsSource::SelfSigned {
        dir: dir.path().to_owned(),
    }))
    .await;
    let mut config = config(&receiver.webhook_url());
    config.client.tls = ClientTls::System;
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
        if id.starts_with("status/") && unmet(id, false, false).is_none() {
            assert_eq!(*outcome, Outcome::Pass, "{id}");
        }
    }
    assert_eq!(report.verdict, "not-conformant");
    receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_and_skip_select_exactly_the_named_checks() {
    let receiver = receiver::start(ReceiverConfig::default().auth(auth())).await;
    let mut config = config(&receiver.webhook_url());
    config.client.auth = Some(auth());
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
    let not_passed: Vec<String> = report
        .checks
        .iter()
        .filter(|c| c.outcome != Outcome::Pass)
        .map(|c| format!("{}: {} ({})", c.id, c.outcome, c.actual))
        .collect();
    assert!(not_passed.is_empty(), "{not_passed:#?}");
    receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_effects_probe_that_fails_its_self_test_leaves_effect_checks_without_a_verdict() {
    let receiver = receiver::start(ReceiverConfig::default()).await;
    for (command, said) in [("exit 3", "exit"), ("echo 1", "counted 1 effect")] {
        let mut config = config(&receiver.webhook_url());
        config.effects = Some(EffectsProbe::command(command));
        let report = grade(config).await;
        for check in &report.checks {
            let needs_effects = unmet(&check.id, false, false) == Some(NO_EFFECTS_PROBE);
            if needs_effects {
                assert_eq!(
                    check.outcome,
                    Outcome::Error,
                    "{}: {}",
                    check.id,
                    check.actual
                );
                assert!(check.actual.contains("self-test"), "{}", check.actual);
            } else if !check.id.starts_with("transport/") && unmet(&check.id, false, true).is_none()
            {
                assert!(
                    as_reference(check, Some(&Outcome::Pass)),
                    "{}: {} ({})",
                    check.id,
                    check.outcome,
                    check.actual
                );
            }
        }
        assert!(
            report.notes.iter().any(|n| n.contains(said)),
            "{command}: {:?}",
            report.notes
        );
        assert_eq!(report.verdict, "not-conformant");
    }
    receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_effects_probe_that_breaks_mid_run_turns_only_the_checks_it_could_not_count_into_errors()
{
    let receiver = receiver::start(ReceiverConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let calls = dir.path().join("calls");
    // Counts through the receiver's effects endpoint for its first 20 calls, then fails.
    let command = format!(
        r#"echo . >> '{calls}'; n=$(wc -l < '{calls}'); [ "$n" -le 20 ] || exit 7; curl -sf "{url}" | sed 's/[^0-9]//g'"#,
        calls = calls.display(),
        url = receiver
            .effects_url_template()
            .replace("{sessionId}", "$HOOKCHECK_SESSION_ID"),
    );
    let mut config = config(&receiver.webhook_url());
    config.effects = Some(EffectsProbe::command(command));
    let report = grade(config).await;
    let errors: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Error)
        .map(|c| c.id.as_str())
        .collect();
    assert!(
        !errors.is_empty(),
        "the probe broke, yet every count was graded"
    );
    for check in report.checks.iter().filter(|c| c.outcome == Outcome::Error) {
        assert_eq!(
            unmet(&check.id, false, false),
            Some(NO_EFFECTS_PROBE),
            "{}",
            check.id
        );
        assert!(
            check.actual.contains("effects"),
            "{}: {}",
            check.id,
            check.actual
        );
    }
    assert_eq!(report.summary.fail, 0, "{:?}", report.summary);
    assert!(report.summary.pass > 60, "{:?}", report.summary);
    receiver.shutdown().await;
}

mod defects;
mod late;

/// A response that completes after the timeout is a timeout (SPEC [D-6]), also when the
/// deadline passed while the client's runtime was too busy to notice: under load (many
/// runs on two cores) the response and the deadline become ready in the same poll.
#[test]
fn a_response_that_completes_after_the_timeout_is_graded_a_timeout_even_on_a_busy_runtime() {
    use std::io::{Read, Write};

    hookcheck::install_crypto_provider();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    // Answers after 200 ms, from its own thread, whatever the client's runtime is doing.
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
            head.push(byte[0]);
        }
        std::thread::sleep(Duration::from_millis(200));
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
        std::thread::sleep(Duration::from_millis(500));
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let exchanged = runtime.block_on(async {
        let sender = hookcheck::sender::Sender::new(
            hookcheck::sender::SenderConfig::default().timeout(Duration::from_millis(500)),
        )
        .unwrap();
        // Other work on the runtime hogs both its threads from 100 ms to 1.6 s.
        for _ in 0..2 {
            tokio::spawn(async {
                tokio::time::sleep(Duration::from_millis(100)).await;
                std::thread::sleep(Duration::from_millis(1500));
            });
        }
        let url = parse_target(&format!("http://{addr}/webhook")).unwrap();
        sender
            .exchange(hookcheck::transport::Exchange::post(
                url,
                bytes::Bytes::from_static(b"{}"),
            ))
            .await
    });
    server.join().unwrap();
    assert!(
        exchanged.duration > Duration::from_millis(1000),
        "{exchanged:?}"
    );
    assert!(
        exchanged.outcome.is_err(),
        "a 200 received after {:?} passed a 500 ms timeout",
        exchanged.duration
    );
}

/// Receivers that conform while making other choices than the reference: another 2xx,
/// off-contract input accepted, an unknown status acknowledged and ignored, a body limit of
/// exactly 256 KiB, a slow but timely answer, processing from a queue after a 202.
#[test]
fn receivers_that_make_other_legitimate_choices_are_graded_clean() {
    use hookcheck::receiver::{AckStatus, Choices};
    let cases: Vec<(&str, Choices, usize)> = vec![
        (
            "202",
            Choices::default().ack(AckStatus::Accepted),
            1024 * 1024,
        ),
        (
            "204",
            Choices::default().ack(AckStatus::NoContent),
            1024 * 1024,
        ),
        (
            "accepts off-contract input",
            Choices::default().accept_off_contract(true),
            1024 * 1024,
        ),
        (
            "ignores an unknown status",
            Choices::default().ignore_unknown_status(true),
            1024 * 1024,
        ),
        ("413 past 256 KiB", Choices::default(), 256 * 1024),
        (
            "400 ms per answer",
            Choices::default().delay(Duration::from_millis(400)),
            1024 * 1024,
        ),
        (
            "processes from a queue",
            Choices::default().async_processing(true),
            1024 * 1024,
        ),
    ];
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut wrong = Vec::new();
    // Every valid delivery is drawn from the seed: a legitimate choice must be clean
    // whatever the draw, so several seeds each.
    let runs = cases
        .iter()
        .flat_map(|case| DRAWN_SEEDS.iter().map(move |&seed| (*case, seed)));
    for ((name, choices, limit), seed) in runs {
        let report = runtime.block_on(async {
            let receiver = receiver::start(
                ReceiverConfig::default()
                    .auth(auth())
                    .choices(choices)
                    .body_limit(limit),
            )
            .await;
            let mut config = config(&receiver.webhook_url());
            config.seed = seed;
            config.client.auth = Some(auth());
            config.effects = Some(EffectsProbe::url(&receiver.effects_url_template()).unwrap());
            let report = grade(config).await;
            receiver.shutdown().await;
            report
        });
        for check in &report.checks {
            let expected = reference_expectation(false, true, true)[&check.id];
            if !as_reference(check, Some(&expected)) {
                wrong.push(format!(
                    "{name} (seed {seed}): {} {} ({})",
                    check.id, check.outcome, check.actual
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}
