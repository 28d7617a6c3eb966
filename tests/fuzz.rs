//! End-to-end tests of `hookcheck fuzz`: exit codes, the JSON and JUnit reports, case files
//! and `--replay`, repro scripts run by dash, secrecy of the auth value, and usage errors.

use std::process::Stdio;
use std::time::{Duration, Instant};

use hookcheck::fuzz::{CaseFile, FuzzReport, FuzzVerdict, Invariant};
use hookcheck::receiver::{Defect, Receiver, ReceiverConfig, RunningReceiver};

const SECRET_VALUE: &str = "Zq9vXk7pW3mN";
const SECRET: &str = "X-Hook-Token: Zq9vXk7pW3mN";
/// Bound on one `hookcheck` process, whatever regresses.
const PROCESS_BOUND: Duration = Duration::from_secs(90);
/// A small budget, short waits and a fixed seed for every campaign.
const FAST: &[&str] = &[
    "--cases",
    "150",
    "--timeout",
    "3s",
    "--settle",
    "1200ms",
    "--retry-delay",
    "300ms",
    "--seed",
    "3",
];

/// What one `hookcheck` process did.
struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `hookcheck fuzz ARGS` (with [`FAST`] unless `fast` is false) without blocking the
/// runtime, killed if it outlives [`PROCESS_BOUND`].
async fn fuzz(args: &[&str], fast: bool, env: &[(&str, &str)]) -> Ran {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_hookcheck"));
    command.arg("fuzz");
    if fast {
        command.args(FAST);
    }
    command
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let started = Instant::now();
    let output = tokio::time::timeout(PROCESS_BOUND, command.output())
        .await
        .unwrap_or_else(|_| panic!("hookcheck fuzz {args:?} did not end within {PROCESS_BOUND:?}"))
        .expect("hookcheck starts");
    assert!(started.elapsed() < PROCESS_BOUND);
    Ran {
        code: output.status.code().expect("an exit code, not a signal"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

async fn receiver(config: ReceiverConfig) -> RunningReceiver {
    hookcheck::install_crypto_provider();
    Receiver::start(config.shutdown_timeout(Duration::from_secs(1)))
        .await
        .expect("the reference receiver starts")
}

fn auth() -> hookcheck::auth::AuthHeader {
    SECRET.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuzzing_the_builtin_receiver_breaks_nothing_and_exits_0() {
    let ran = fuzz(&["--auth", SECRET], true, &[]).await;
    assert_eq!(
        ran.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        ran.stdout, ran.stderr
    );
    assert!(
        ran.stdout.contains("verdict: no invariant broken"),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("seed 3"), "{}", ran.stdout);
    assert!(
        !ran.stdout.contains("skip"),
        "every invariant is checked: {}",
        ran.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_defect_fails_the_run_and_its_case_file_replays_until_it_is_fixed() {
    let broken = receiver(
        ReceiverConfig::default()
            .auth(auth())
            .defect(Defect::EffectBeforeAuth),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (json, junit, cases) = (
        dir.path().join("r.json"),
        dir.path().join("r.xml"),
        dir.path().join("cases"),
    );
    let effects = broken.effects_url_template();
    let target = broken.webhook_url();
    let common = ["--auth", SECRET, "--effects-url", &effects];
    let mut args = vec!["--target", &target, "--save", cases.to_str().unwrap()];
    args.extend([
        "--json",
        json.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]);
    args.extend(common);
    let ran = fuzz(&args, true, &[]).await;
    assert_eq!(
        ran.code, 1,
        "stdout:\n{}\nstderr:\n{}",
        ran.stdout, ran.stderr
    );

    let report: FuzzReport =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report.verdict, FuzzVerdict::Fail);
    let finding = report
        .findings
        .iter()
        .find(|f| f.invariant == Invariant::NoEffectWhenUnauthenticated)
        .expect("the effect of a refused delivery is found");
    assert!(finding.shrink.reproduced_alone);
    assert_eq!(finding.shrink.to_cases, 1, "one bad-auth delivery shows it");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("no-effect-when-unauthenticated") && xml.contains("<failure"),
        "{xml}"
    );

    // The secret is nowhere: not in the output, the reports, the case file.
    let case_path = finding.case_file.clone().expect("a case file is saved");
    for text in [
        &ran.stdout,
        &ran.stderr,
        &std::fs::read_to_string(&json).unwrap(),
        &xml,
        &std::fs::read_to_string(&case_path).unwrap(),
    ] {
        assert!(!text.contains(SECRET_VALUE), "the secret leaked:\n{text}");
    }
    assert_eq!(CaseFile::load(case_path.as_ref()).unwrap(), finding.case);

    // Replayed against the broken receiver it fails again; against a fixed one it holds.
    let replayed = fuzz(
        &[
            &[
                "--replay", &case_path, "--target", &target, "--settle", "1200ms",
            ][..],
            &common,
        ]
        .concat(),
        false,
        &[],
    )
    .await;
    assert_eq!(replayed.code, 1, "{}{}", replayed.stdout, replayed.stderr);
    assert!(
        replayed
            .stdout
            .contains("no-effect-when-unauthenticated broke again"),
        "{}",
        replayed.stdout
    );
    let fixed = receiver(ReceiverConfig::default().auth(auth())).await;
    let (fixed_target, fixed_effects) = (fixed.webhook_url(), fixed.effects_url_template());
    let args = [
        "--replay",
        &case_path,
        "--target",
        &fixed_target,
        "--auth",
        SECRET,
        "--effects-url",
        &fixed_effects,
    ];
    let held = fuzz(&args, false, &[]).await;
    assert_eq!(held.code, 0, "{}{}", held.stdout, held.stderr);
    assert!(
        held.stdout.contains("no-effect-when-unauthenticated held"),
        "{}",
        held.stdout
    );
    broken.shutdown().await;
    fixed.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_repro_script_runs_in_dash_and_shows_the_extra_effect() {
    let broken = receiver(ReceiverConfig::default().defect(Defect::NoDedupe)).await;
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let (target, effects) = (broken.webhook_url(), broken.effects_url_template());
    let args = [
        "--target",
        &target,
        "--effects-url",
        &effects,
        "--json",
        json.to_str().unwrap(),
    ];
    let ran = fuzz(&args, true, &[]).await;
    assert_eq!(ran.code, 1, "{}{}", ran.stdout, ran.stderr);
    let report: FuzzReport =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let finding = report
        .findings
        .iter()
        .find(|f| f.invariant == Invariant::ExactlyOnce)
        .expect("found");
    let output = tokio::process::Command::new("dash")
        .arg("-c")
        .arg(&finding.repro)
        .output()
        .await
        .expect("dash runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}\n{}",
        finding.repro,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        text.contains("(expected 1 if acknowledged): {\"count\":2}"),
        "{}\n{text}",
        finding.repro
    );
    broken.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mistakes_are_one_line_with_their_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.json");
    let ran = fuzz(&["--replay", missing.to_str().unwrap()], false, &[]).await;
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(
        ran.stderr.starts_with("error: read case file"),
        "{}",
        ran.stderr
    );
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);

    let not_a_case = dir.path().join("x.json");
    std::fs::write(&not_a_case, "{}").unwrap();
    let ran = fuzz(&["--replay", not_a_case.to_str().unwrap()], false, &[]).await;
    assert_eq!(ran.code, 2, "{}", ran.stderr);

    let ran = fuzz(&["--cases", "10", "--time", "1s"], false, &[]).await;
    assert_eq!(ran.code, 2, "{}", ran.stderr);

    for empty in [&["--cases", "0"][..], &["--time", "0s"]] {
        let ran = fuzz(empty, false, &[]).await;
        assert_eq!(ran.code, 2, "an empty budget is refused: {}", ran.stderr);
    }

    let nowhere = dir.path().join("no-such-folder").join("r.json");
    let ran = fuzz(&["--json", nowhere.to_str().unwrap()], false, &[]).await;
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("does not exist"), "{}", ran.stderr);

    let ran = fuzz(&["--auth", "no colon"], false, &[]).await;
    assert_eq!(ran.code, 2, "{}", ran.stderr);

    // A port nothing listens on: the first connection is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let target = format!("http://127.0.0.1:{port}/hook");
    let ran = fuzz(&["--target", &target], true, &[]).await;
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(
        ran.stderr
            .lines()
            .last()
            .unwrap_or_default()
            .starts_with("error: cannot reach the target"),
        "{}",
        ran.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_effects_probe_the_effect_invariants_are_not_checked_never_held() {
    let target = receiver(ReceiverConfig::default().defect(Defect::NoDedupe)).await;
    let url = target.webhook_url();
    let ran = fuzz(&["--target", &url], true, &[]).await;
    // The duplicates' extra effects cannot be seen, so nothing fails; and nothing claims
    // they were checked.
    assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
    for invariant in [
        "exactly-once",
        "no-effect-for-unprocessable",
        "no-effect-when-unauthenticated",
    ] {
        assert!(
            ran.stdout
                .contains(&format!("skip {invariant} [MUST] (not checked: no")),
            "{invariant}: {}",
            ran.stdout
        );
    }
    target.shutdown().await;
}

/// A local socket that accepts connections and, for each, runs `serve` on it.
async fn hostile<F, Fut>(serve: F) -> (String, tokio::task::JoinHandle<()>)
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream));
        }
    });
    (format!("http://{addr}/hook"), task)
}

/// Reads a request's head, so that the answer comes after it.
async fn read_head(stream: &mut tokio::net::TcpStream) {
    use tokio::io::AsyncReadExt;
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(&buffer[..n]),
        }
    }
}

/// How long a `--time 6s --timeout 2s` run may take: the budget, start-up, and slack for
/// a busy machine (a bound on a hang, not a speed measurement).
const TIME_BOUND: Duration = Duration::from_secs(15);

async fn bounded(target: &str) -> (Ran, Duration) {
    let started = Instant::now();
    let args = [
        "--target",
        target,
        "--time",
        "6s",
        "--timeout",
        "2s",
        "--seed",
        "3",
    ];
    let ran = fuzz(&args, false, &[]).await;
    (ran, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_bounds_the_whole_command_against_a_target_that_never_answers() {
    let (target, server) = hostile(|mut stream| async move {
        read_head(&mut stream).await;
        tokio::time::sleep(Duration::from_secs(600)).await;
        drop(stream);
    })
    .await;
    let (ran, took) = bounded(&target).await;
    server.abort();
    assert!(
        took < TIME_BOUND,
        "took {took:?}\n{}{}",
        ran.stdout,
        ran.stderr
    );
    assert_eq!(ran.code, 1, "{}{}", ran.stdout, ran.stderr);
    assert!(
        ran.stdout.contains("FAIL valid-acknowledged"),
        "{}",
        ran.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_bounds_the_whole_command_against_a_target_that_drips_its_answer() {
    let (target, server) = hostile(|mut stream| async move {
        use tokio::io::AsyncWriteExt;
        read_head(&mut stream).await;
        for byte in b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok" {
            if stream.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    })
    .await;
    let (ran, took) = bounded(&target).await;
    server.abort();
    assert!(
        took < TIME_BOUND,
        "took {took:?}\n{}{}",
        ran.stdout,
        ran.stderr
    );
    assert_eq!(ran.code, 1, "{}{}", ran.stdout, ran.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_bounds_the_whole_command_against_plain_http_behind_an_https_url() {
    let plain = receiver(ReceiverConfig::default()).await;
    let target = plain.webhook_url().replacen("http://", "https://", 1);
    let (ran, took) = bounded(&target).await;
    plain.shutdown().await;
    assert!(
        took < TIME_BOUND,
        "took {took:?}\n{}{}",
        ran.stdout,
        ran.stderr
    );
    // Nothing can be delivered: no TLS handshake is possible.
    assert_eq!(ran.code, 3, "{}{}", ran.stdout, ran.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_bound_the_command_too_against_a_target_that_never_answers() {
    let (target, server) = hostile(|mut stream| async move {
        read_head(&mut stream).await;
        tokio::time::sleep(Duration::from_secs(600)).await;
        drop(stream);
    })
    .await;
    let started = Instant::now();
    let args = [
        "--target",
        &target,
        "--cases",
        "600",
        "--timeout",
        "2s",
        "--seed",
        "3",
    ];
    let ran = fuzz(&args, false, &[]).await;
    let took = started.elapsed();
    server.abort();
    // It stops once the target has answered nothing in a row, long before 600 × 2 s / 8.
    assert!(
        took < Duration::from_secs(30),
        "took {took:?}\n{}{}",
        ran.stdout,
        ran.stderr
    );
    assert_eq!(ran.code, 1, "{}{}", ran.stdout, ran.stderr);
    assert!(ran.stdout.contains("stopped early"), "{}", ran.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_without_an_effects_probe_cannot_say_the_case_holds_and_exits_3() {
    let fixed = receiver(ReceiverConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let delivery = serde_json::json!({
        "session": 0, "label": "valid/completed/as-sent", "expect": "valid", "method": "POST",
        "contentType": "application/json", "credential": "configured", "observed": true,
        "body": {"text": "{\"sessionId\":\"@SESSION@\",\"status\":\"COMPLETED\",\"platformId\":1,\"externalReferenceId\":null,\"extractedData\":null,\"proofHash\":null,\"completedAt\":\"2025-03-24T12:05:00.000Z\",\"metadata\":{}}"}
    });
    let case = serde_json::json!({
        "format": "hookcheck-fuzz-case/1", "invariant": "exactly-once", "level": "MUST",
        "requirement": "every acknowledged session has exactly one side effect", "seed": 1,
        "sequenceIndex": 0, "shrunk": true, "expected": "exactly 1 effect for the session",
        "actual": "2 effect(s)",
        "sequence": {"steps": [{"send": delivery}, {"send": delivery}]}
    });
    let path = dir.path().join("exactly-once-seed1.json");
    std::fs::write(&path, case.to_string()).unwrap();
    let target = fixed.webhook_url();
    let args = ["--replay", path.to_str().unwrap(), "--target", &target];
    let ran = fuzz(&args, false, &[]).await;
    assert_eq!(ran.code, 3, "{}{}", ran.stdout, ran.stderr);
    assert!(
        ran.stdout
            .contains("replay: exactly-once no verdict: exactly-once needs effect counts"),
        "{}",
        ran.stdout
    );
    // With the probe it holds.
    let effects = fixed.effects_url_template();
    let args = [
        "--replay",
        path.to_str().unwrap(),
        "--target",
        &target,
        "--effects-url",
        &effects,
    ];
    let ran = fuzz(&args, false, &[]).await;
    assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
    assert!(
        ran.stdout.contains("replay: exactly-once held"),
        "{}",
        ran.stdout
    );
    fixed.shutdown().await;
}
