//! `hookcheck run --bodies DIR`: a finding whose request body is too long for a repro line
//! still gets a line that runs as printed, reading the body from DIR; without `--bodies`,
//! from `<stem>.bodies/` beside the first report file.

use hookcheck::receiver::{Defect, ReceiverConfig};
use hookcheck::results::Outcome;
use hookcheck_testkit::receiver;

use super::{read_report, replay, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_body_repro_line_reads_the_body_from_the_bodies_folder_and_reproduces() {
    if !hookcheck_testkit::process::curl_installed() {
        eprintln!("skipped: curl is not installed, so repro lines cannot be run");
        return;
    }
    let receiver = receiver::start(ReceiverConfig::default().defect(Defect::TinyBodyLimit)).await;
    let dir = tempfile::tempdir().unwrap();
    let bodies = dir.path().join("bodies");
    let json = dir.path().join("report.json");
    let target = receiver.webhook_url();
    let ran = run(&[
        "--target",
        &target,
        "--only",
        "payload/large-body",
        "--bodies",
        bodies.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ])
    .await;
    // A broken SHOULD warns; the exit code stays 0.
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    let report = read_report(&json);
    let check = &report.checks[0];
    assert_eq!(check.outcome, Outcome::Warn, "{check:?}");
    let repro = check.repro.as_deref().expect("a warn has a repro line");
    assert!(repro.contains(bodies.to_str().unwrap()), "{repro}");
    assert!(
        !dir.path().join("report.bodies").exists(),
        "--bodies DIR replaces the default folder"
    );

    // The drawn delivery and the canonical one its finding was walked back to are each a
    // long body with its own file; the repro names one of them.
    let written: Vec<std::path::PathBuf> = std::fs::read_dir(&bodies)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert!((1..=2).contains(&written.len()), "{written:?}");
    let named = written
        .iter()
        .find(|path| repro.contains(path.to_str().unwrap()))
        .expect("the repro names a file of the folder");
    let size = std::fs::metadata(named).unwrap().len();
    assert!(
        size >= 256 * 1024,
        "the whole 256 KiB payload is in the file: {size}"
    );

    let answer = replay(repro).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    receiver.shutdown().await;
}

/// `hookcheck run --only payload/large-body --json PATH` against `target`.
async fn large_body_run(target: &str, json: &std::path::Path) -> hookcheck_testkit::Ran {
    run(&[
        "--target",
        target,
        "--only",
        "payload/large-body",
        "--json",
        json.to_str().unwrap(),
    ])
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_bodies_a_long_body_is_written_beside_the_report_and_its_repro_runs() {
    if !hookcheck_testkit::process::curl_installed() {
        eprintln!("skipped: curl is not installed, so repro lines cannot be run");
        return;
    }
    let tiny = receiver::start(ReceiverConfig::default().defect(Defect::TinyBodyLimit)).await;
    let correct = receiver::start(ReceiverConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let ran = large_body_run(&tiny.webhook_url(), &json).await;
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    let check = &read_report(&json).checks[0];
    assert_eq!(check.outcome, Outcome::Warn, "{check:?}");
    let repro = check.repro.as_deref().expect("a warn has a repro line");
    let folder = dir.path().join("report.bodies");
    let named = std::fs::read_dir(&folder)
        .expect("the bodies folder is beside the report")
        .map(|entry| entry.unwrap().path())
        .find(|path| repro.contains(&format!("@'{}'", path.display())))
        .unwrap_or_else(|| panic!("the repro names a file of {}: {repro}", folder.display()));
    // The file holds the exact bytes of a delivery the check sent: its length, and the
    // start the report keeps.
    let bytes = std::fs::read(&named).unwrap();
    let sent = check
        .exchanges
        .iter()
        .find(|e| e.request_bytes == bytes.len())
        .unwrap_or_else(|| panic!("no exchange of {} bytes", bytes.len()));
    let kept = sent.request_body.split('…').next().unwrap();
    assert!(
        kept.len() > 100 && bytes.starts_with(kept.as_bytes()),
        "{kept}"
    );
    assert!(bytes.len() >= 256 * 1024, "{}", bytes.len());
    // As printed, it reproduces the 413; sent to a correct receiver, the body is accepted.
    assert!(replay(repro).await.starts_with("HTTP/1.1 413"), "{repro}");
    let elsewhere = repro.replace(&tiny.webhook_url(), &correct.webhook_url());
    assert!(
        replay(&elsewhere).await.starts_with("HTTP/1.1 2"),
        "{elsewhere}"
    );

    // No folder beside a report written through a symlink, and none left by a run that
    // wrote no long body.
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(dir.path().join("real.json"), &link).unwrap();
    let ran = large_body_run(&tiny.webhook_url(), &link).await;
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    let passed = dir.path().join("passed.json");
    let ran = large_body_run(&correct.webhook_url(), &passed).await;
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "link.json",
            "passed.json",
            "real.json",
            "report.bodies",
            "report.json"
        ]
    );
    tiny.shutdown().await;
    correct.shutdown().await;
}
