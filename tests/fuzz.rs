//! End-to-end tests of `hookcheck fuzz`: exit codes, the JSON and JUnit reports, case files
//! and `--replay` (with its reports), repro scripts run by dash, secrecy of the auth value,
//! and usage errors.

use std::time::{Duration, Instant};

use hookcheck::fuzz::{CaseFile, FuzzReport, FuzzVerdict, Invariant, ReplayReport};
use hookcheck::receiver::{Defect, ReceiverConfig};
use hookcheck_testkit::receiver;

use crate::{Ran, hookcheck_async};

mod hostile;

const SECRET_VALUE: &str = "Zq9vXk7pW3mN";
const SECRET: &str = "X-Hook-Token: Zq9vXk7pW3mN";
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

/// Runs `hookcheck fuzz ARGS` (with [`FAST`] unless `fast` is false).
async fn fuzz(args: &[&str], fast: bool, env: &[(&str, &str)]) -> Ran {
    let mut all = vec!["fuzz"];
    if fast {
        all.extend_from_slice(FAST);
    }
    all.extend_from_slice(args);
    hookcheck_async(&all, env).await
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
async fn a_report_path_of_dash_is_stdout_and_the_summary_moves_to_stderr() {
    for (flag, starts) in [
        ("--json", "{"),
        ("--junit", "<?xml"),
        ("--markdown", "# hookcheck fuzz"),
    ] {
        let ran = fuzz(&["--quiet", flag, "-"], true, &[]).await;
        assert_eq!(ran.code, 0, "{flag}: {}", ran.stderr);
        assert!(ran.stdout.starts_with(starts), "{flag}: {}", ran.stdout);
        assert!(
            ran.stderr.contains("verdict: no invariant broken"),
            "{flag}: the summary is on stderr: {}",
            ran.stderr
        );
        assert!(
            !ran.stderr.contains("no --target given"),
            "--quiet: {}",
            ran.stderr
        );
        if flag == "--json" {
            let report: FuzzReport =
                serde_json::from_str(&ran.stdout).expect("stdout is the JSON report");
            assert_eq!(report.verdict, FuzzVerdict::Pass);
        }
    }
    let ran = fuzz(&["--json", "-", "--html", "-"], false, &[]).await;
    assert_eq!(ran.code, 2, "two reports on stdout: {}", ran.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_defect_fails_the_run_and_its_case_file_replays_until_it_is_fixed() {
    let broken = receiver::start(
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
    let (markdown, html) = (dir.path().join("r.md"), dir.path().join("r.html"));
    let effects = broken.effects_url_template();
    let target = broken.webhook_url();
    let common = ["--auth", SECRET, "--effects-url", &effects];
    let mut args = vec!["--target", &target, "--save", cases.to_str().unwrap()];
    args.extend([
        "--json",
        json.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
        "--markdown",
        markdown.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
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

    // Markdown and HTML carry the verdict and the finding with its script.
    let (markdown, html) = (
        std::fs::read_to_string(&markdown).unwrap(),
        std::fs::read_to_string(&html).unwrap(),
    );
    for text in [&markdown, &html] {
        assert!(text.contains("MUST invariant broken"), "{text}");
        assert!(text.contains("no-effect-when-unauthenticated"), "{text}");
        assert!(text.contains("curl"), "the repro script is in it: {text}");
    }
    assert!(markdown.contains("```sh"), "{markdown}");
    assert!(html.starts_with("<!doctype html>"), "{html}");

    // The secret is nowhere: not in the output, the reports, the case file.
    let case_path = finding.case_file.clone().expect("a case file is saved");
    for text in [
        &ran.stdout,
        &ran.stderr,
        &std::fs::read_to_string(&json).unwrap(),
        &xml,
        &markdown,
        &html,
        &std::fs::read_to_string(&case_path).unwrap(),
    ] {
        assert!(!text.contains(SECRET_VALUE), "the secret leaked:\n{text}");
    }
    assert_eq!(CaseFile::load(case_path.as_ref()).unwrap(), finding.case);

    // Replayed against the broken receiver it fails again, and its reports say so; against
    // a fixed one it holds.
    let replay_files = ReplayFiles::in_dir(dir.path());
    let replayed = fuzz(
        &[
            &[
                "--replay", &case_path, "--target", &target, "--settle", "1200ms",
            ][..],
            &common,
            &replay_files.args(),
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
    replay_files.say_it_broke_again(Invariant::NoEffectWhenUnauthenticated);
    let fixed = receiver::start(ReceiverConfig::default().auth(auth())).await;
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

/// The report files of a replay.
struct ReplayFiles {
    json: String,
    junit: String,
    markdown: String,
    html: String,
}

impl ReplayFiles {
    fn in_dir(dir: &std::path::Path) -> Self {
        let path = |name: &str| dir.join(name).to_str().unwrap().to_owned();
        ReplayFiles {
            json: path("replay.json"),
            junit: path("replay.xml"),
            markdown: path("replay.md"),
            html: path("replay.html"),
        }
    }

    fn args(&self) -> [&str; 8] {
        [
            "--json",
            &self.json,
            "--junit",
            &self.junit,
            "--markdown",
            &self.markdown,
            "--html",
            &self.html,
        ]
    }

    /// Every file says the case's invariant broke again, and the JUnit file fails it.
    fn say_it_broke_again(&self, invariant: Invariant) {
        let read = |path: &str| std::fs::read_to_string(path).unwrap();
        let report: ReplayReport = serde_json::from_str(&read(&self.json)).unwrap();
        assert!(
            report.reproduced && report.invariant == invariant,
            "{report:?}"
        );
        let xml = read(&self.junit);
        let junit = quick_junit::Report::deserialize_from_str(&xml)
            .unwrap_or_else(|e| panic!("the replay's JUnit does not parse: {e}\n{xml}"));
        let case = junit.test_suites[0]
            .test_cases
            .iter()
            .find(|case| case.name.as_str() == invariant.as_str())
            .unwrap_or_else(|| panic!("no test case for {invariant}: {xml}"));
        assert!(
            matches!(
                case.status,
                quick_junit::TestCaseStatus::NonSuccess {
                    kind: quick_junit::NonSuccessKind::Failure,
                    ..
                }
            ),
            "{xml}"
        );
        let result = format!("replay: {invariant} broke again");
        assert!(read(&self.markdown).contains(&result));
        let html = read(&self.html);
        assert!(
            html.starts_with("<!doctype html>") && html.contains(&result),
            "{html}"
        );
        for text in [read(&self.json), xml, read(&self.markdown), html] {
            assert!(!text.contains(SECRET_VALUE), "the secret leaked:\n{text}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_repro_script_runs_in_dash_and_shows_the_extra_effect() {
    let broken = receiver::start(ReceiverConfig::default().defect(Defect::NoDedupe)).await;
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
    let target = receiver::start(ReceiverConfig::default().defect(Defect::NoDedupe)).await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_that_refuses_the_first_connection_exits_3_and_one_without_target_2() {
    let target = receiver::start(ReceiverConfig::default()).await;
    let url = target.webhook_url();
    let closed = hookcheck_testkit::hostile::closed_port().port();
    let replica = format!("http://127.0.0.1:{closed}/hook");
    let ran = fuzz(&["--target", &url, "--replica", &replica], true, &[]).await;
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    let last = ran.stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(&format!("error: cannot reach the replica {replica}")),
        "{}",
        ran.stderr
    );
    let ran = fuzz(&["--replica", &replica], true, &[]).await;
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    target.shutdown().await;
}
