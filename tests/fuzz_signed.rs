//! `hookcheck fuzz --profile standard-webhooks` end to end: the clean built-in receiver
//! passes, defects of different kinds are each caught by the invariant they break, a
//! printed repro run by dash (the secret exported) shows the failure again, a saved case
//! replays and a case of the other profile is refused.

use hookcheck::fuzz::{CaseFile, FuzzReport, FuzzVerdict, Invariant};
use hookcheck::profile::Profile;
use hookcheck::standard_webhooks::Secret;

use crate::standard_webhooks::serve_signed;
use crate::{Ran, hookcheck_async};

/// A small budget, short waits and a fixed seed for every campaign.
const FAST: &[&str] = &[
    "fuzz",
    "--profile",
    "standard-webhooks",
    "--cases",
    "120",
    "--timeout",
    "3s",
    "--settle",
    "1200ms",
    "--retry-delay",
    "300ms",
    "--seed",
    "5",
    "--quiet",
];

/// Runs `hookcheck fuzz --profile standard-webhooks` with [`FAST`] and `args`, the
/// secret (if any) in $HOOKCHECK_SECRET.
async fn fuzz(args: &[&str], secret: Option<&str>) -> Ran {
    let mut all = FAST.to_vec();
    all.extend_from_slice(args);
    let env: Vec<(&str, &str)> = secret
        .map(|s| ("HOOKCHECK_SECRET", s))
        .into_iter()
        .collect();
    hookcheck_async(&all, &env).await
}

/// The JSON report of a campaign written with `--json -`.
fn report(ran: &Ran) -> FuzzReport {
    serde_json::from_str(&ran.stdout).unwrap_or_else(|e| panic!("{e}: {ran:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clean_builtin_receiver_passes_and_the_report_names_the_profile() {
    let ran = fuzz(&["--json", "-"], None).await;
    assert_eq!(ran.code, 0, "{ran:?}");
    let report = report(&ran);
    assert_eq!(report.verdict, FuzzVerdict::Pass);
    assert_eq!(report.profile, Profile::StandardWebhooks);
    assert!(report.cases >= 120);
    let held: Vec<Invariant> = report
        .invariants
        .iter()
        .filter(|r| r.outcome == hookcheck::fuzz::outcome::InvariantOutcome::Held)
        .map(|r| r.invariant)
        .collect();
    for invariant in [
        Invariant::ValidAcknowledged,
        Invariant::ExactlyOnce,
        Invariant::BadAuthRefused,
        Invariant::NoEffectWhenUnauthenticated,
    ] {
        assert!(held.contains(&invariant), "{invariant}: {held:?}");
    }
    let exactly_once = report
        .invariants
        .iter()
        .find(|r| r.invariant == Invariant::ExactlyOnce)
        .unwrap();
    assert!(
        exactly_once.clause.contains("STANDARD-WEBHOOKS [SW-11]"),
        "{exactly_once:?}"
    );
    assert!(
        ran.stderr.contains("(profile standard-webhooks)"),
        "{}",
        ran.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_kind_of_defect_is_caught_by_the_invariant_it_breaks() {
    let cases = [
        ("verifies-reserialised", Invariant::ValidAcknowledged),
        ("dedupes-on-signature", Invariant::ExactlyOnce),
        ("optional-signature", Invariant::BadAuthRefused),
        ("ignores-timestamp", Invariant::NoEffectWhenUnauthenticated),
        ("dedupes-on-body-hash", Invariant::ExactlyOnce),
    ];
    for (defect, invariant) in cases {
        let ran = fuzz(&["--defect", defect, "--json", "-"], None).await;
        assert_eq!(ran.code, 1, "{defect}: {ran:?}");
        let report = report(&ran);
        let finding = report
            .findings
            .iter()
            .find(|f| f.invariant == invariant)
            .unwrap_or_else(|| panic!("{defect}: no {invariant} finding: {report:?}"));
        assert!(
            finding.clause.starts_with("STANDARD-WEBHOOKS"),
            "{finding:?}"
        );
        assert_eq!(finding.case.profile, Profile::StandardWebhooks);
        assert!(finding.shrink.reproduced_alone, "{defect}: {finding:?}");
        assert!(
            finding.repro.contains("${HOOKCHECK_SECRET#whsec_}"),
            "{}",
            finding.repro
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_printed_repro_run_by_dash_shows_the_failure_again() {
    let secret = Secret::generate().expose_text();
    let served = serve_signed(&secret, &["--defect", "dedupes-on-signature"]);
    let ran = fuzz(
        &[
            "--target",
            &served.webhook_url,
            "--effects-url",
            &served.effects_template,
            "--json",
            "-",
        ],
        Some(&secret),
    )
    .await;
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(!ran.stdout.contains(&secret) && !ran.stderr.contains(&secret));
    let report = report(&ran);
    let finding = report
        .findings
        .iter()
        .find(|f| f.invariant == Invariant::ExactlyOnce)
        .unwrap_or_else(|| panic!("{report:?}"));
    let output = tokio::process::Command::new("dash")
        .args(["-c", &finding.repro])
        .env("HOOKCHECK_SECRET", &secret)
        .output()
        .await
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{out}{:?}", output.stderr);
    assert!(
        out.contains("HTTP/1.1 200"),
        "every copy is accepted: {out}"
    );
    // The script prints the count of each message: more than the one effect expected.
    let counted = out
        .lines()
        .find(|l| l.contains("effects of msg_fuzz_"))
        .unwrap_or_else(|| panic!("{out}\n{}", finding.repro));
    assert!(counted.contains("expected 1 if acknowledged"), "{counted}");
    let count: u64 = counted
        .rsplit(':')
        .next()
        .and_then(|n| {
            n.trim()
                .trim_matches(|c: char| !c.is_ascii_digit())
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("{counted}"));
    assert!(count > 1, "{counted}\n{}", finding.repro);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_case_replays_and_one_of_the_other_profile_is_refused() {
    let secret = Secret::generate().expose_text();
    let served = serve_signed(&secret, &["--defect", "optional-signature"]);
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().to_str().unwrap();
    let target = [
        "--target",
        served.webhook_url.as_str(),
        "--effects-url",
        served.effects_template.as_str(),
    ];
    let mut args = target.to_vec();
    args.extend(["--save", save]);
    let ran = fuzz(&args, Some(&secret)).await;
    assert_eq!(ran.code, 1, "{ran:?}");
    let path = dir.path().join("bad-auth-refused-seed5.json");
    let case = CaseFile::load(&path).unwrap();
    assert_eq!(case.profile, Profile::StandardWebhooks);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"profile\": \"standard-webhooks\"") && !text.contains(&secret));
    let path = path.to_str().unwrap();
    let mut replay = vec![
        "fuzz",
        "--replay",
        path,
        "--quiet",
        "--profile",
        "standard-webhooks",
    ];
    replay.extend(target);
    let env = [("HOOKCHECK_SECRET", secret.as_str())];
    let ran = hookcheck_async(&replay, &env).await;
    assert_eq!(ran.code, 1, "the case fails again: {ran:?}");
    // The same case under the default profile is refused, in one line.
    let mut other = vec!["fuzz", "--replay", path, "--quiet"];
    other.extend(target);
    let ran = hookcheck_async(&other, &[]).await;
    assert_eq!(ran.code, 2, "{ran:?}");
    assert_eq!(ran.stderr.trim().lines().count(), 1, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("--profile standard-webhooks"),
        "{}",
        ran.stderr
    );
    // A remote target without the secret, or with a bad one, is a usage error too.
    let ran = hookcheck_async(
        &[&["fuzz", "--profile", "standard-webhooks"][..], &target].concat(),
        &[],
    )
    .await;
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(ran.stderr.contains("HOOKCHECK_SECRET"), "{}", ran.stderr);
    let bad = [
        &[
            "fuzz",
            "--profile",
            "standard-webhooks",
            "--secret",
            "whsec_*!",
        ][..],
        &target,
    ]
    .concat();
    let ran = hookcheck_async(&bad, &[]).await;
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(
        !ran.stderr.contains("*!") && ran.stderr.trim().lines().count() == 1,
        "{}",
        ran.stderr
    );
}
