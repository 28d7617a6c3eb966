//! End-to-end tests of the retry-schedule options of `hookcheck run`: `--quick`, and a
//! `--dedupe-window` past the latest moment a retry can come.

use hookcheck::results::Report;

use crate::HOOKCHECK;

#[test]
fn a_quick_run_of_the_built_in_receiver_says_which_retry_moments_it_did_not_probe() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("quick.json");
    let output = HOOKCHECK
        .command()
        .args(["run", "--quick", "--quiet", "--seed", "1", "--json"])
        .arg(&json)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let report: Report = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report.verdict, "conformant");
    let retry = report
        .unverified
        .iter()
        .find(|u| u.reason.contains("--dedupe-window 1s"))
        .unwrap_or_else(|| panic!("{:?}", report.unverified));
    // Both after-retry-delay checks passed on the copy at +1s, and neither covers +5s on.
    assert_eq!(retry.count, 2);
    assert!(
        retry
            .reason
            .contains("+5s, +6s, +15s, +18s, +35s, +42s of the default schedule")
            && retry
                .reason
                .contains("--dedupe-window 132s probes them all"),
        "{}",
        retry.reason
    );
    assert!(stdout.contains("not verified"), "{stdout}");
}

#[test]
fn a_dedupe_window_past_the_latest_retry_or_beside_quick_is_refused_with_one_line() {
    // Past the latest retry (132 s with the 30 s timeout; 57 s with a 5 s one): our own
    // one-line error. Beside --quick, or zero: the argument parser's.
    for (args, ours) in [
        (&["--dedupe-window", "133s"][..], true),
        (&["--timeout", "5s", "--dedupe-window", "60s"], true),
        // Standard Webhooks retries for a little over three days (75h35m5s).
        (
            &[
                "--profile",
                "standard-webhooks",
                "--secret",
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                "--dedupe-window",
                "76h",
            ],
            true,
        ),
        (&["--quick", "--dedupe-window", "5s"], false),
        (&["--dedupe-window", "0s"], false),
    ] {
        let output = HOOKCHECK.command().arg("run").args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
        if ours {
            assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
            assert!(
                stderr.contains("past the latest moment a retry can come"),
                "{stderr}"
            );
        }
    }
}
