//! `hookcheck run --bodies DIR`: a finding whose request body is too long for a repro line
//! still gets a line that runs as printed, reading the body from DIR.

use hookcheck::receiver::{Defect, ReceiverConfig};
use hookcheck::results::Outcome;

use super::{read_report, receiver, replay, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_body_repro_line_reads_the_body_from_the_bodies_folder_and_reproduces() {
    if !crate::util::curl_installed() {
        eprintln!("skipped: curl is not installed, so repro lines cannot be run");
        return;
    }
    let receiver = receiver(ReceiverConfig::default().defect(Defect::TinyBodyLimit)).await;
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

    // The refused body, and the canonical one the walk sent beside it (SPEC D-11 is the
    // check's subject, so that one is refused too); the repro names the first.
    let written: Vec<_> = std::fs::read_dir(&bodies).unwrap().collect();
    assert!((1..=2).contains(&written.len()), "one file per long body");
    let file = written
        .iter()
        .map(|e| e.as_ref().unwrap().path())
        .find(|p| repro.contains(p.to_str().unwrap()))
        .expect("the repro's body file was written");
    let size = std::fs::metadata(&file).unwrap().len();
    assert!(
        size >= 256 * 1024,
        "the whole 256 KiB payload is in the file: {size}"
    );

    let answer = replay(repro).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    receiver.shutdown().await;
}
