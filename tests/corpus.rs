//! `hookcheck corpus`: the corpus folder a user feeds to their own tests.

use crate::HOOKCHECK;

#[test]
fn corpus_writes_every_case_with_an_index_and_refuses_a_folder_with_files_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("corpus");
    let out_arg = out.to_str().unwrap();
    let first = HOOKCHECK
        .command()
        .args(["corpus", "--out", out_arg, "--generated", "5"])
        .output()
        .unwrap();
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("index.json")).unwrap()).unwrap();
    let cases = index["cases"].as_array().unwrap();
    // 15 status shapes, 25 payload shapes, 19 bad inputs, 5 generated valid, 5 invalid.
    assert_eq!(cases.len(), 15 + 25 + 19 + 5 + 5);
    for case in cases {
        let file = out.join(case["file"].as_str().unwrap());
        assert!(file.is_file(), "{case}");
        assert_eq!(
            case["valid"].as_bool(),
            Some(case["grade"].is_null()),
            "{case}"
        );
        // What a receiver owes it (SPEC D-11, D-12): a valid case over 256 KiB may be
        // refused with 413, so it is never labelled plain `valid`.
        let label = case["label"].as_str().unwrap_or_default();
        let size = std::fs::metadata(&file).unwrap().len();
        match label {
            "valid" => assert!(case["valid"] == true && size <= 256 * 1024, "{case}"),
            "valid-may-refuse-413" => assert!(case["valid"] == true && size > 256 * 1024),
            "unprocessable" | "off-contract" => assert_eq!(case["grade"], label, "{case}"),
            other => panic!("unknown label {other}: {case}"),
        }
    }
    let valid = cases.iter().filter(|c| c["valid"] == true).count();
    assert_eq!(valid, 15 + 25 + 5);

    let again = HOOKCHECK
        .command()
        .args(["corpus", "--out", out_arg])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2), "{again:?}");
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.starts_with("error: ") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");

    let forced = HOOKCHECK
        .command()
        .args(["corpus", "--out", out_arg, "--force", "--generated", "0"])
        .output()
        .unwrap();
    assert_eq!(forced.status.code(), Some(0), "{forced:?}");
}

/// The script that verifies a signed corpus with the official Python package.
const VERIFY_CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/standard-webhooks/verify_corpus.py"
);

#[test]
fn the_signed_corpus_verifies_with_the_official_python_library_exactly_as_its_index_says() {
    let secret = hookcheck::standard_webhooks::Secret::generate().expose_text();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("signed");
    let out_arg = out.to_str().unwrap();
    let args = ["corpus", "--profile", "standard-webhooks", "--out", out_arg];
    let written = HOOKCHECK
        .command()
        .args(args)
        .args(["--generated", "12", "--seed", "3"])
        .env("HOOKCHECK_SECRET", &secret)
        .output()
        .unwrap();
    assert_eq!(written.status.code(), Some(0), "{written:?}");
    let stdout = String::from_utf8_lossy(&written.stdout);
    let index_text = std::fs::read_to_string(out.join("index.json")).unwrap();
    for text in [stdout.as_ref(), index_text.as_str()] {
        assert!(!text.contains(&secret[6..]), "the secret was written");
    }
    let index: serde_json::Value = serde_json::from_str(&index_text).unwrap();
    assert!(index["signedAt"].as_i64().is_some(), "{index}");
    let cases = index["cases"].as_array().unwrap();
    let refuse = cases.iter().filter(|c| c["expect"] == "refuse").count();
    // 12 forgeries, a timestamp 10 minutes in the past and one in the future.
    assert_eq!(refuse, 14);
    assert!(stdout.contains(&format!("{} to accept", cases.len() - refuse)));

    if !hookcheck_testkit::process::python_module_installed("standardwebhooks") {
        return;
    }
    let verified = std::process::Command::new("python3")
        .args([VERIFY_CORPUS, out_arg])
        .env("HOOKCHECK_SECRET", &secret)
        .output()
        .unwrap();
    let lines = String::from_utf8_lossy(&verified.stdout);
    let results: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len(), cases.len(), "{verified:?}");
    for result in &results {
        let accept = result["expect"] == "accept";
        assert_eq!(
            result["accepted"], accept,
            "the Python library disagrees: {result}"
        );
    }
    assert_eq!(verified.status.code(), Some(0), "{verified:?}");
    // The official library does check the tolerance: past and future are refused as such.
    let too = |id: &str| results.iter().find(|r| r["id"] == id).unwrap()["error"].clone();
    assert_eq!(
        too("replay/outside-tolerance-past"),
        "Message timestamp too old"
    );
    assert_eq!(
        too("replay/outside-tolerance-future"),
        "Message timestamp too new"
    );
}

#[test]
fn the_signed_corpus_needs_a_secret_and_says_so_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("signed");
    let ran = HOOKCHECK
        .command()
        .args(["corpus", "--profile", "standard-webhooks", "--out"])
        .arg(&out)
        .env_remove("HOOKCHECK_SECRET")
        .output()
        .unwrap();
    assert_eq!(ran.status.code(), Some(2), "{ran:?}");
    let stderr = String::from_utf8_lossy(&ran.stderr);
    assert!(
        stderr.starts_with("error: ") && stderr.contains("--secret"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(!out.exists(), "nothing is written without a secret");
}
