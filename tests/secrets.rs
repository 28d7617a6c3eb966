//! End-to-end tests of secret headers besides `--auth`: canary values in
//! `--header 'Authorization: …'`, `--header 'CF-Access-Client-Secret: …'` and a
//! `--secret-header` never appear in any output stream or file of `run`, `fuzz` and `load`,
//! and a repro line that reads one from its environment variable runs as printed.

use std::process::Stdio;
use std::time::Duration;

use hookcheck::receiver::{Defect, ReceiverConfig};
use hookcheck::results::{Outcome, Report};
use hookcheck_testkit::receiver;

use crate::run::{SECRET, run};
use crate::{Ran, hookcheck_async};

/// Every canary holds this word, and nothing else hookcheck writes does.
const CANARY: &str = "canary";
const AUTHORIZATION: &str = "Authorization: Bearer CanaryAuthz7";
const CF_ACCESS: &str = "CF-Access-Client-Secret: CanaryCfAcc8";
const CF_ACCESS_VALUE: &str = "CanaryCfAcc8";
const CF_ACCESS_VARIABLE: &str = "HOOKCHECK_HEADER_CF_ACCESS_CLIENT_SECRET";
/// `--secret-header X-Proxy-Pass` reads its value from this variable.
const PROXY_VARIABLE: &str = "HOOKCHECK_HEADER_X_PROXY_PASS";
const PROXY_VALUE: &str = "CanaryProxy9";

/// The secret-header flags every command of these tests is given.
fn secret_flags() -> Vec<&'static str> {
    vec![
        "--header",
        AUTHORIZATION,
        "--header",
        CF_ACCESS,
        "--secret-header",
        "X-Proxy-Pass",
        "--header",
        "X-Tenant: acme",
    ]
}

/// Report files `--json`, `--junit`, `--markdown`, `--html` in `dir`, as flags.
fn report_flags(dir: &std::path::Path) -> Vec<String> {
    ["json", "junit", "markdown", "html"]
        .iter()
        .flat_map(|kind| {
            let path = dir.join(format!("report.{kind}"));
            [format!("--{kind}"), path.display().to_string()]
        })
        .collect()
}

/// Asserts that no canary shows in the streams or in any file under `dir`, recursively.
fn assert_no_canary(what: &str, ran: &Ran, dir: &std::path::Path) {
    let mut texts = vec![
        (format!("{what} stdout"), ran.stdout.clone()),
        (format!("{what} stderr"), ran.stderr.clone()),
    ];
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                texts.push((
                    path.display().to_string(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                ));
            }
        }
    }
    assert!(texts.len() > 3, "{what} wrote no file: {texts:?}");
    for (name, text) in texts {
        assert!(
            !text.to_lowercase().contains(CANARY),
            "{name} shows a secret header's value:\n{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_headers_never_appear_in_run_output_or_reports() {
    let dir = tempfile::tempdir().unwrap();
    let files = report_flags(dir.path());
    let bodies = dir.path().join("bodies");
    let mut args = vec!["--auth", SECRET, "--defect", "auth-ignored"];
    args.extend(secret_flags());
    args.extend(files.iter().map(String::as_str));
    args.extend(["--bodies", bodies.to_str().unwrap()]);
    let ran = crate::hookcheck_async(
        &[
            &["run", "--timeout", "3s", "--quick", "--seed", "7"][..],
            &args,
        ]
        .concat(),
        &[(PROXY_VARIABLE, PROXY_VALUE)],
    )
    .await;
    assert_eq!(ran.code, 1, "{}\n{}", ran.stdout, ran.stderr);
    assert_no_canary("run", &ran, dir.path());
    let report: Report =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    let repro = report
        .checks
        .iter()
        .find_map(|c| c.repro.as_deref().filter(|_| c.outcome == Outcome::Fail))
        .expect("a failing check has a repro line");
    for expected in [
        "\"authorization: $HOOKCHECK_HEADER_AUTHORIZATION\"",
        "\"cf-access-client-secret: $HOOKCHECK_HEADER_CF_ACCESS_CLIENT_SECRET\"",
        "\"x-proxy-pass: $HOOKCHECK_HEADER_X_PROXY_PASS\"",
        "'x-tenant: acme'",
    ] {
        assert!(repro.contains(expected), "{expected} not in {repro}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_headers_never_appear_in_fuzz_output_reports_or_case_files() {
    let dir = tempfile::tempdir().unwrap();
    let files = report_flags(dir.path());
    let cases = dir.path().join("cases");
    let mut args = vec!["fuzz", "--cases", "150", "--timeout", "3s", "--seed", "3"];
    args.extend(["--settle", "1200ms", "--retry-delay", "300ms"]);
    args.extend(["--auth", SECRET, "--defect", "effect-before-auth"]);
    args.extend(secret_flags());
    args.extend(files.iter().map(String::as_str));
    args.extend(["--save", cases.to_str().unwrap()]);
    let ran = hookcheck_async(&args, &[(PROXY_VARIABLE, PROXY_VALUE)]).await;
    assert_eq!(ran.code, 1, "{}\n{}", ran.stdout, ran.stderr);
    assert_no_canary("fuzz", &ran, dir.path());
    assert!(
        ran.stdout
            .contains("$HOOKCHECK_HEADER_CF_ACCESS_CLIENT_SECRET"),
        "the repro script sends the secret header from its variable:\n{}",
        ran.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_headers_never_appear_in_load_output_or_reports() {
    let target = receiver::start(ReceiverConfig::default()).await;
    let url = target.webhook_url();
    let dir = tempfile::tempdir().unwrap();
    let files = report_flags(dir.path());
    let mut args = vec!["load", "--target", &url, "--deliveries", "50", "--quiet"];
    args.extend(secret_flags());
    args.extend(files.iter().map(String::as_str));
    let ran = hookcheck_async(&args, &[(PROXY_VARIABLE, PROXY_VALUE)]).await;
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert_no_canary("load", &ran, dir.path());
    target.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_header_is_never_taken_from_the_command_line_and_must_be_set() {
    let ran = run(&["--secret-header", "X-Proxy-Pass"]).await;
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains(PROXY_VARIABLE), "{}", ran.stderr);
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_secret_headers_that_one_repro_variable_would_name_are_refused() {
    let ran = run(&[
        "--header",
        "X-Api-Key: canary-7731",
        "--header",
        "X_Api_Key: canary-8842",
    ])
    .await;
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("HOOKCHECK_HEADER_X_API_KEY"),
        "{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains("canary-"), "{}", ran.stderr);
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
}

/// A target behind an access proxy: it refuses every request without the
/// `CF-Access-Client-Secret` header, and is broken behind it (refuses TERMINATED).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repro_line_reads_the_secret_header_from_its_variable_and_runs_as_printed() {
    if !hookcheck_testkit::process::curl_installed() {
        eprintln!("skipped: curl is not installed, so repro lines cannot be run");
        return;
    }
    let config = ReceiverConfig::default()
        .auth(CF_ACCESS.parse().unwrap())
        .defect(Defect::RejectsTerminated);
    let target = receiver::start(config).await;
    let url = target.webhook_url();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let check_id = "status/valid-delivery-2xx/terminated";
    let args = [
        "run",
        "--target",
        &url,
        "--secret-header",
        "CF-Access-Client-Secret",
        "--only",
        check_id,
        "--timeout",
        "3s",
        "--json",
        json.to_str().unwrap(),
    ];
    let ran = hookcheck_async(&args, &[(CF_ACCESS_VARIABLE, CF_ACCESS_VALUE)]).await;
    assert_eq!(ran.code, 1, "{}\n{}", ran.stdout, ran.stderr);
    let report: Report = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let check = report.checks.iter().find(|c| c.id == check_id).unwrap();
    let repro = check.repro.as_deref().expect("a failing check has a repro");
    assert!(!repro.contains(CF_ACCESS_VALUE), "{repro}");
    let status = |output: &str| {
        output
            .lines()
            .find(|l| l.starts_with("HTTP/"))
            .map(str::to_owned)
            .unwrap_or_default()
    };
    let with = status(&sh(repro, Some(CF_ACCESS_VALUE)).await);
    assert!(
        with.starts_with("HTTP/1.1 4") || with.starts_with("HTTP/1.1 5"),
        "{with}"
    );
    assert!(!with.contains("401"), "the secret header was sent: {with}");
    assert!(
        check.actual.contains(&with[9..12]),
        "{with} / {}",
        check.actual
    );
    let without = status(&sh(repro, None).await);
    assert!(without.contains("401"), "without the variable: {without}");
    target.shutdown().await;
}

/// Runs a repro line with dash (POSIX `sh`), the secret header's variable set or not.
async fn sh(line: &str, value: Option<&str>) -> String {
    let mut command = tokio::process::Command::new("dash");
    command.args(["-c", line]).env_remove(CF_ACCESS_VARIABLE);
    if let Some(value) = value {
        command.env(CF_ACCESS_VARIABLE, value);
    }
    let output = tokio::time::timeout(
        Duration::from_secs(20),
        command.stdin(Stdio::null()).kill_on_drop(true).output(),
    )
    .await
    .expect("the repro line ends")
    .expect("dash starts");
    String::from_utf8_lossy(&output.stdout).into_owned()
}
