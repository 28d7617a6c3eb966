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
