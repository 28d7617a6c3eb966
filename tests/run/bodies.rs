//! `hookcheck run --bodies DIR`: a finding whose request body is too long for a repro line
//! still gets a line that runs as printed, reading the body from DIR.

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
