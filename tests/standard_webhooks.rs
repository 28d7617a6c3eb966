//! The Standard Webhooks profile end to end: the signing sender (`hookcheck send --profile
//! standard-webhooks`) against the verifying receiver (`hookcheck serve --profile
//! standard-webhooks`) and against a receiver built on the official `standardwebhooks`
//! Python package (`fixtures/standard-webhooks/receiver.py`).

use std::process::Stdio;
use std::time::Duration;

use hookcheck::sender::{Delivery, Sender, SenderConfig, Url};
use hookcheck::standard_webhooks::{Message, Secret, Signed, signature_header, unix_now};
use hookcheck_testkit::client::{client, effect_count};
use hookcheck_testkit::process::python_module_installed;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::{HOOKCHECK, hookcheck_async};

/// The receiver built on the official Python package.
const PYTHON_RECEIVER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/standard-webhooks/receiver.py"
);

async fn count(effects_url: &str) -> u64 {
    effect_count(&client(), effects_url).await
}

/// `hookcheck send --profile standard-webhooks --json` to `url`, the secret from the
/// environment; its exit code and attempt log.
async fn send_signed(url: &str, secret: &Secret) -> (i32, Delivery) {
    let text = secret.expose_text();
    let args = [
        "send",
        "--profile",
        "standard-webhooks",
        "--target",
        url,
        "--status",
        "COMPLETED",
        "--retries",
        "1",
        "--backoff-base",
        "50ms",
        "--json",
    ];
    let ran = hookcheck_async(&args, &[("HOOKCHECK_SECRET", text.as_str())]).await;
    assert!(!ran.stdout.contains(&text) && !ran.stderr.contains(&text));
    let delivery = serde_json::from_str(&ran.stdout).unwrap_or_else(|e| panic!("{e}: {ran:?}"));
    (ran.code, delivery)
}

/// Runs a repro script in `sh` with the secret `text` in $HOOKCHECK_SECRET, as a user would.
async fn run_repro(repro: &str, text: &str) -> std::process::Output {
    tokio::process::Command::new("sh")
        .args(["-c", repro])
        .env("HOOKCHECK_SECRET", text)
        .output()
        .await
        .unwrap()
}

/// `hookcheck serve --profile standard-webhooks` with the secret `text`, in memory, on a
/// free port, with `extra` arguments (the other signed tests start theirs with it too).
pub(crate) fn serve_signed(text: &str, extra: &[&str]) -> hookcheck_testkit::process::Served {
    let mut args = vec![
        "--profile",
        "standard-webhooks",
        "--secret",
        text,
        "--memory",
    ];
    args.extend(["--listen", "127.0.0.1:0"]);
    args.extend(extra);
    HOOKCHECK.serve(&args)
}

#[tokio::test]
async fn a_signed_delivery_counts_once_and_a_wrong_secret_is_refused() {
    let secret = Secret::generate();
    let text = secret.expose_text();
    let served = serve_signed(&text, &[]);
    assert!(
        served
            .announced
            .iter()
            .any(|l| l.starts_with("verifying Standard Webhooks signatures")),
        "{:?}",
        served.announced
    );

    let (code, delivery) = send_signed(&served.webhook_url, &secret).await;
    assert_eq!(code, hookcheck::exit_codes::OK, "{delivery:?}");
    let id = delivery
        .webhook_id
        .expect("a signed delivery names its webhook-id");
    assert_eq!(count(&served.effects_url(&id)).await, 1);

    let (code, delivery) = send_signed(&served.webhook_url, &Secret::generate()).await;
    assert_eq!(code, hookcheck::exit_codes::FAILED);
    assert!(
        delivery.attempts.iter().all(|a| a.status_code == Some(401)),
        "{delivery:?}"
    );
    assert_eq!(
        count(&served.effects_url(&delivery.webhook_id.unwrap())).await,
        0
    );
    assert!(!served.stderr().contains(&text) && !served.announced.join("\n").contains(&text));
}

#[tokio::test]
async fn serve_under_standard_webhooks_needs_a_secret_and_refuses_auth() {
    let ran = hookcheck_async(
        &["serve", "--profile", "standard-webhooks", "--memory"],
        &[],
    )
    .await;
    assert_eq!(ran.code, hookcheck::exit_codes::USAGE);
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
    assert!(ran.stderr.contains("--secret"), "{}", ran.stderr);
    let text = Secret::generate().expose_text();
    let args = [
        "serve",
        "--profile",
        "standard-webhooks",
        "--secret",
        &text,
        "--auth",
        "X-Key: v",
    ];
    let ran = hookcheck_async(&args, &[]).await;
    assert_eq!(ran.code, hookcheck::exit_codes::USAGE);
    assert!(
        ran.stderr
            .starts_with("error: --auth applies to --profile cr3dentials only")
    );
    assert!(!ran.stderr.contains(&text));
}

/// The Python receiver, killed when dropped, and its webhook URL.
struct PythonReceiver {
    _child: tokio::process::Child,
    url: String,
}

impl PythonReceiver {
    async fn start(secret: &Secret) -> PythonReceiver {
        PythonReceiver::with(secret, &[]).await
    }

    /// The receiver started with `args`: `--fault slow`, say.
    async fn with(secret: &Secret, args: &[&str]) -> PythonReceiver {
        let mut child = tokio::process::Command::new("python3")
            .arg(PYTHON_RECEIVER)
            .args(args)
            .env("HOOKCHECK_SECRET", secret.expose_text())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 runs");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        let read = stdout.read_line(&mut first);
        tokio::time::timeout(Duration::from_secs(20), read)
            .await
            .expect("the Python receiver prints its URL")
            .unwrap();
        PythonReceiver {
            _child: child,
            url: first.trim().to_owned(),
        }
    }

    fn effects_url(&self, id: &str) -> String {
        self.url
            .replace("/webhook", &format!("/_test/effects/{id}"))
    }
}

#[tokio::test]
async fn the_official_python_library_accepts_our_signed_deliveries_once() {
    if !python_module_installed("standardwebhooks") {
        return;
    }
    let secret = Secret::generate();
    let python = PythonReceiver::start(&secret).await;

    let (code, delivery) = send_signed(&python.url, &secret).await;
    assert_eq!(code, hookcheck::exit_codes::OK, "{delivery:?}");
    assert_eq!(
        count(&python.effects_url(&delivery.webhook_id.unwrap())).await,
        1
    );

    // The same message delivered twice, each attempt signed afresh: one effect.
    let config = SenderConfig::default().retries(0).signing(secret.clone());
    let sender = Sender::new(config).unwrap();
    let url = Url::parse(&python.url).unwrap();
    let message = Message::new("invoice.paid", json!({"amount": 3}));
    for _ in 0..2 {
        let delivery = sender.deliver_message(&url, &message, |_| {}).await;
        assert!(delivery.delivered, "{delivery}");
    }
    assert_eq!(count(&python.effects_url(&message.id)).await, 1);
}

#[tokio::test]
async fn the_official_python_library_refuses_a_tampered_body() {
    if !python_module_installed("standardwebhooks") {
        return;
    }
    let secret = Secret::generate();
    let python = PythonReceiver::start(&secret).await;
    let message = Message::new("invoice.paid", json!({"amount": 3}));
    let (body, now) = (message.body(), unix_now());
    let signed = Signed {
        id: &message.id,
        timestamp: now,
        body: &body,
    };
    let signature = signature_header(std::slice::from_ref(&secret), &signed);
    let tampered = String::from_utf8(body).unwrap().replace("3", "4");
    let response = client()
        .post(&python.url)
        .header("webhook-id", &message.id)
        .header("webhook-timestamp", now.to_string())
        .header("webhook-signature", signature)
        .body(tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(count(&python.effects_url(&message.id)).await, 0);
}

/// `hookcheck run --profile standard-webhooks` against `target` (the built-in receiver when
/// `None`), the secret from the environment, a JSON report in `dir`: the exit code, the
/// report, and what the terminal showed.
async fn grade(
    target: Option<&str>,
    secret: &Secret,
    extra: &[&str],
    dir: &std::path::Path,
) -> (i32, Value, String) {
    let report = dir.join("run.json");
    let report_arg = report.display().to_string();
    let effects = target.map(|t| t.replace("/webhook", "/_test/effects/{sessionId}"));
    let mut args = vec!["run", "--profile", "standard-webhooks", "--seed", "7"];
    args.extend(["--json", report_arg.as_str()]);
    if let (Some(target), Some(effects)) = (target, effects.as_deref()) {
        args.extend(["--target", target, "--effects-url", effects]);
    }
    args.extend(extra);
    let text = secret.expose_text();
    let ran = hookcheck_async(&args, &[("HOOKCHECK_SECRET", text.as_str())]).await;
    let written = std::fs::read_to_string(&report).unwrap_or_default();
    for shown in [&ran.stdout, &ran.stderr, &written] {
        assert!(!shown.contains(&text), "the secret leaked");
    }
    let json = serde_json::from_str(&written).unwrap_or_else(|e| panic!("{e}: {ran:?}"));
    (ran.code, json, format!("{}{}", ran.stdout, ran.stderr))
}

/// The ids of the checks of `report` that neither passed nor were skipped (HTTPS and its
/// certificate are, over plain http).
fn not_passed(report: &Value) -> Vec<String> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] != "pass" && c["outcome"] != "skip")
        .map(|c| {
            format!(
                "{} {}",
                c["id"].as_str().unwrap(),
                c["outcome"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test]
async fn the_official_python_library_receiver_grades_clean() {
    if !python_module_installed("standardwebhooks") {
        return;
    }
    let secret = Secret::generate();
    let python = PythonReceiver::start(&secret).await;
    let dir = tempfile::tempdir().unwrap();
    let (code, report, _) = grade(Some(&python.url), &secret, &[], dir.path()).await;
    assert_eq!(not_passed(&report), Vec::<String>::new());
    assert_eq!((code, report["verdict"].as_str()), (0, Some("conformant")));
    // Latency, the burst and no-redirect pass, and the retry 5 s later is processed once;
    // HTTPS and its certificate are skipped over plain http.
    assert_eq!(report["summary"]["pass"], 43, "{}", report["summary"]);
    assert_eq!(report["summary"]["skip"], 2, "{}", report["summary"]);
}

/// The checks every profile shares grade a Standard Webhooks receiver too, against its own
/// contract: a handler that works before answering, and one that redirects.
#[tokio::test]
async fn a_slow_or_redirecting_standard_webhooks_receiver_fails_latency_or_transport() {
    if !python_module_installed("standardwebhooks") {
        return;
    }
    let secret = Secret::generate();
    let dir = tempfile::tempdir().unwrap();
    let faults = [
        (
            ["--fault", "slow", "--slow-for", "1.5"],
            "latency/within-timeout",
        ),
        (
            ["--fault", "redirects", "--slow-for", "0"],
            "transport/no-redirect",
        ),
    ];
    for (fault, check) in faults {
        let python = PythonReceiver::with(&secret, &fault).await;
        let only = [
            "--timeout",
            "1s",
            "--only",
            "signature/valid-accepted",
            "--only",
            check,
        ];
        let (code, report, _) = grade(Some(&python.url), &secret, &only, dir.path()).await;
        assert!(
            not_passed(&report).contains(&format!("{check} fail")),
            "{report}"
        );
        assert_eq!(code, 1, "{fault:?}");
        let failed = report["checks"].as_array().unwrap().iter();
        let clause = failed.filter(|c| c["id"] == check).map(|c| &c["clause"]);
        assert!(
            clause
                .clone()
                .all(|c| c.as_str().unwrap().contains("[SW-12]"))
        );
    }
    let python = PythonReceiver::start(&secret).await;
    let only = [
        "--timeout",
        "1s",
        "--only",
        "latency",
        "--only",
        "transport",
    ];
    let (code, report, _) = grade(Some(&python.url), &secret, &only, dir.path()).await;
    assert_eq!(not_passed(&report), Vec::<String>::new());
    let summary = &report["summary"];
    assert_eq!(
        (summary["pass"].as_u64(), summary["skip"].as_u64()),
        (Some(3), Some(2))
    );
    assert_eq!(code, 0);
}

/// The burst grades a Standard Webhooks receiver too ([SD-10]): one that works before it
/// answers fails it, and the repro sends as many messages at once, each with an id of its
/// own and signed again, which the receiver verifies and processes once each.
#[tokio::test]
async fn a_burst_finding_repro_sends_that_many_freshly_signed_messages() {
    if !python_module_installed("standardwebhooks") || !["openssl", "od"].iter().all(|t| on_path(t))
    {
        assert!(std::env::var_os("HOOKCHECK_REQUIRE_TOOLS").is_none());
        return;
    }
    let secret = Secret::generate();
    let python = PythonReceiver::with(&secret, &["--fault", "slow", "--slow-for", "1.2"]).await;
    let dir = tempfile::tempdir().unwrap();
    let only = ["--timeout", "1s", "--burst", "3", "--only", "latency/burst"];
    let (code, report, _) = grade(Some(&python.url), &secret, &only, dir.path()).await;
    let burst = &report["checks"][0];
    assert_eq!(
        (code, burst["outcome"].as_str()),
        (1, Some("fail")),
        "{report}"
    );
    assert!(burst["clause"].as_str().unwrap().contains("[SD-10]"));
    let repro = burst["repro"].as_str().unwrap();
    let text = secret.expose_text();
    assert!(
        !repro.contains(&text) && repro.contains("-lt 3 ]"),
        "{repro}"
    );
    let child = tokio::process::Command::new("dash")
        .args(["-c", repro])
        .env("HOOKCHECK_SECRET", &text)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    let ran = child.wait_with_output().await.unwrap();
    assert!(ran.status.success(), "{repro}");
    for i in 1..=3 {
        let id = format!("other_{pid}_{i}");
        assert_eq!(count(&python.effects_url(&id)).await, 1, "{id}\n{repro}");
    }
}

#[tokio::test]
async fn the_built_in_receiver_grades_clean_and_a_defect_fails_its_own_check() {
    let secret = Secret::generate();
    let dir = tempfile::tempdir().unwrap();
    let (code, report, _) = grade(None, &secret, &[], dir.path()).await;
    assert_eq!(not_passed(&report), Vec::<String>::new());
    assert_eq!(code, 0);
    let defect = ["--defect", "first-signature-only"];
    let (code, report, shown) = grade(None, &secret, &defect, dir.path()).await;
    assert_eq!(not_passed(&report), ["signature/any-v1-matches fail"]);
    assert_eq!(code, 1);
    let failed = &report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["outcome"] == "fail");
    assert_eq!(
        failed.unwrap()["clause"],
        "STANDARD-WEBHOOKS [SW-10] [SW-4]"
    );
    assert!(
        shown.contains("[SW-10]") && shown.contains("openssl dgst"),
        "{shown}"
    );
    let wrong = ["--defect", "racy-dedupe"];
    let ran = hookcheck_async(
        &["run", "--profile", "standard-webhooks", wrong[0], wrong[1]],
        &[],
    )
    .await;
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("standard-webhooks defect"),
        "{}",
        ran.stderr
    );
}

/// A repro of a signed delivery signs it again when run: the stale delivery a receiver
/// wrongly accepted is accepted again, minutes after the run, by the same script.
#[tokio::test]
async fn a_signed_repro_signs_again_with_the_secret_from_the_environment() {
    if !["openssl", "base64", "od"].iter().all(|tool| on_path(tool)) {
        assert!(
            std::env::var_os("HOOKCHECK_REQUIRE_TOOLS").is_none(),
            "openssl, base64 and od are required"
        );
        return;
    }
    let secret = Secret::generate();
    let text = secret.expose_text();
    let served = serve_signed(&text, &["--defect", "ignores-timestamp"]);
    let dir = tempfile::tempdir().unwrap();
    let only = ["--only", "replay/outside-tolerance-refused/past"];
    let (code, report, _) = grade(Some(&served.webhook_url), &secret, &only, dir.path()).await;
    assert_eq!(code, 1);
    let repro = report["checks"][0]["repro"].as_str().unwrap().to_owned();
    assert!(
        !repro.contains(&text) && repro.contains("${HOOKCHECK_SECRET#whsec_}"),
        "{repro}"
    );
    let ran = run_repro(&repro, &text).await;
    let answer = String::from_utf8_lossy(&ran.stdout);
    let errors = String::from_utf8_lossy(&ran.stderr);
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "{answer}{errors}\n{repro}"
    );
    let wrong = Secret::generate().expose_text();
    let ran = run_repro(&repro, &wrong).await;
    let answer = String::from_utf8_lossy(&ran.stdout);
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
}

/// A forgery with a header no parser reads as the scheme means it ([SD-11]) is graded, and
/// its repro sends that header as it was sent: the defective receiver fails again on it.
#[tokio::test]
async fn a_malformed_header_repro_sends_the_header_as_the_run_did() {
    if !["openssl", "base64", "od"].iter().all(|tool| on_path(tool)) {
        assert!(std::env::var_os("HOOKCHECK_REQUIRE_TOOLS").is_none());
        return;
    }
    let secret = Secret::generate();
    let text = secret.expose_text();
    let cases = [
        (
            "throws-on-bad-timestamp",
            "timestamp-overflowing",
            "HTTP/1.1 500",
        ),
        ("optional-signature", "signature-empty", "HTTP/1.1 200"),
    ];
    for (defect, forgery, answer) in cases {
        let served = serve_signed(&text, &["--defect", defect]);
        let dir = tempfile::tempdir().unwrap();
        let check = format!("signature/forgery-refused/{forgery}");
        let only = ["--only", check.as_str()];
        let (code, report, _) = grade(Some(&served.webhook_url), &secret, &only, dir.path()).await;
        assert_eq!(code, 1, "{report}");
        let finding = &report["checks"][0];
        assert_eq!(finding["clause"], "STANDARD-WEBHOOKS [SW-6] [SD-6] [SD-11]");
        let repro = finding["repro"].as_str().unwrap();
        let ran = run_repro(repro, &text).await;
        let got = String::from_utf8_lossy(&ran.stdout);
        assert!(got.starts_with(answer), "{defect}: {got}\n{repro}");
    }
}

fn on_path(tool: &str) -> bool {
    std::process::Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Each defect of the built-in Standard Webhooks receiver, and the checks it must fail: all
/// of them, and nothing else. `compares-with-eq` cannot be seen over a network, so its run
/// is clean and `signature/constant-time` says it is not checked.
const DEFECT_TABLE: &[(&str, &[&str])] = &[
    ("compares-with-eq", &[]),
    ("verifies-reserialised", &["signature/body-as-received"]),
    (
        "ignores-timestamp",
        &[
            "replay/outside-tolerance-refused/past",
            "replay/outside-tolerance-refused/future",
            "replay/outside-tolerance-no-effect/past",
            "replay/outside-tolerance-no-effect/future",
        ],
    ),
    (
        "accepts-future-timestamps",
        &[
            "replay/outside-tolerance-refused/future",
            "replay/outside-tolerance-no-effect/future",
        ],
    ),
    (
        "dedupes-on-body-hash",
        &["idempotency/distinct-ids-processed"],
    ),
    (
        "dedupes-on-signature",
        &[
            "idempotency/retry-processed-once/sequential",
            "idempotency/retry-processed-once/concurrent",
            "idempotency/retry-processed-once/after-retry-delay",
        ],
    ),
    ("first-signature-only", &["signature/any-v1-matches"]),
    (
        "unknown-version-fatal",
        &["signature/unknown-version-ignored"],
    ),
    (
        "optional-signature",
        &[
            "signature/forgery-refused/missing-signature",
            "signature/forgery-refused/signature-empty",
            "signature/forgery-no-effect/missing-signature",
            "signature/forgery-no-effect/signature-empty",
        ],
    ),
    (
        "records-before-verifying",
        &["idempotency/forgery-claims-nothing"],
    ),
    ("conflict-on-duplicate", &["idempotency/retry-acknowledged"]),
    // Correct alone: it takes two replicas to show (tests/replicas.rs).
    ("per-process-dedupe", &[]),
    (
        "dedupe-expires",
        &["idempotency/retry-processed-once/after-retry-delay"],
    ),
    (
        "throws-on-bad-timestamp",
        &[
            "signature/forgery-refused/timestamp-as-date",
            "signature/forgery-refused/timestamp-overflowing",
        ],
    ),
];

#[tokio::test]
async fn every_standard_webhooks_defect_fails_exactly_its_own_checks() {
    let listed: Vec<&str> = DEFECT_TABLE.iter().map(|(defect, _)| *defect).collect();
    assert_eq!(listed, hookcheck::receiver::SignedDefect::IDS);
    let secret = Secret::generate();
    let dir = tempfile::tempdir().unwrap();
    for (defect, fails) in DEFECT_TABLE {
        // A retry 3 s later: past the 2 s that `dedupe-expires` remembers an id.
        let args = ["--defect", defect, "--dedupe-window", "3s"];
        let (code, report, _) = grade(None, &secret, &args, dir.path()).await;
        let expected: Vec<String> = fails.iter().map(|id| format!("{id} fail")).collect();
        assert_eq!(not_passed(&report), expected, "{defect}");
        assert_eq!(code, i32::from(!fails.is_empty()), "{defect}");
    }
}

/// A duplicate finding's repro sends the same message twice, each attempt signed again when
/// run: against a receiver that dedupes on the signature it makes more effects again.
#[tokio::test]
async fn a_retry_finding_repro_redelivers_the_message_with_fresh_signatures() {
    if !["openssl", "base64", "od"].iter().all(|tool| on_path(tool)) {
        assert!(std::env::var_os("HOOKCHECK_REQUIRE_TOOLS").is_none());
        return;
    }
    let secret = Secret::generate();
    let text = secret.expose_text();
    let served = serve_signed(&text, &["--defect", "dedupes-on-signature"]);
    let dir = tempfile::tempdir().unwrap();
    for variant in ["sequential", "concurrent"] {
        let check = format!("idempotency/retry-processed-once/{variant}");
        let only = ["--only", check.as_str()];
        let (code, report, _) = grade(Some(&served.webhook_url), &secret, &only, dir.path()).await;
        assert_eq!(code, 1, "{report}");
        let repro = report["checks"][0]["repro"].as_str().unwrap().to_owned();
        let id = repro
            .split("id='")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap_or_else(|| panic!("{repro}"))
            .to_owned();
        let before = count(&served.effects_url(&id)).await;
        let ran = run_repro(&repro, &text).await;
        let answers = String::from_utf8_lossy(&ran.stdout);
        assert_eq!(
            answers.matches("HTTP/1.1 200").count(),
            2,
            "{answers}\n{repro}"
        );
        // A receiver that dedupes on the id adds nothing; this one adds an effect at least
        // (two, unless an attempt is signed in the same second as the run's was).
        assert!(count(&served.effects_url(&id)).await > before, "{repro}");
    }
}
