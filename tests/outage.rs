//! End-to-end tests of outage replay: `hookcheck load --outage` through its proxy in front
//! of the reference receiver (`hookcheck serve`), and `hookcheck send --simulate`.

use serde_json::Value;

use crate::{HOOKCHECK, hookcheck_async};

/// Runs `load` against a fresh reference receiver with `--outage SPEC` and an effects
/// probe, 60 real seconds per wall-clock second; returns the exit code, the JSON report and
/// the output.
async fn load_through(spec: &str, deliveries: &str, rate: &str) -> (i32, Value, String) {
    let served = HOOKCHECK.serve(&["--memory", "--listen", "127.0.0.1:0"]);
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("load.json");
    let ran = hookcheck_async(
        &[
            "load",
            "--target",
            &served.webhook_url,
            "--deliveries",
            deliveries,
            "--rate",
            rate,
            "--outage",
            spec,
            "--time-scale",
            "60",
            "--timeout",
            "2m",
            "--quiet",
            "--effects-url",
            &served.effects_template,
            "--json",
            json.to_str().unwrap(),
        ],
        &[],
    )
    .await;
    let output = format!("{}\n{}", ran.stdout, ran.stderr);
    let report = std::fs::read(&json)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_else(|| panic!("no JSON report:\n{output}"));
    (ran.code, report, output)
}

/// Nothing lost or doubled: every acknowledged session processed exactly once.
fn exactly_once_holds(report: &Value) {
    let check = &report["exactly_once"];
    assert_eq!(check["lost"], 0, "{check}");
    assert_eq!(check["doubled"], 0, "{check}");
    assert_eq!(check["unverified"], 0, "{check}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outages_shorter_than_the_retry_schedule_lose_no_delivery() {
    // Two 15 s outages (refused, then reset) far apart; the default schedule survives 28 s.
    let (code, report, output) = load_through("15s@5s,15s@90s:reset", "60", "30").await;
    assert_eq!(code, 0, "{output}");
    let outage = &report["outage"];
    assert_eq!(outage["deliveries"], 60, "{outage}");
    assert_eq!(outage["reached"], 60, "{outage}");
    assert_eq!(outage["gave_up"], 0, "{outage}");
    assert_eq!(outage["longest_survived_ms"], 28_000);
    assert!(
        outage["blocked_connections"].as_u64() > Some(0),
        "the outages bit: {outage}"
    );
    let retried: u64 = ["2", "3", "4"]
        .iter()
        .filter_map(|n| outage["attempts"][n].as_u64())
        .sum();
    assert!(retried > 0, "some deliveries needed retries: {outage}");
    assert_eq!(report["statuses"]["200"], 60);
    assert_eq!(report["exactly_once"]["once"], 60);
    exactly_once_holds(&report);
    assert!(output.contains("survives    outages up to 28s"), "{output}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_longer_than_the_retry_schedule_gives_deliveries_up_and_exits_1() {
    // 60 s of 503 from 10 s: deliveries first sent from 10 s to 18 s have every attempt,
    // even with the longest delays (42 s in all), inside it.
    let (code, report, output) = load_through("60s@10s:503", "60", "60").await;
    assert_eq!(code, 1, "{output}");
    let outage = &report["outage"];
    let (reached, gave_up) = (
        outage["reached"].as_u64().unwrap(),
        outage["gave_up"].as_u64().unwrap(),
    );
    assert_eq!(reached + gave_up, 60, "{outage}");
    assert!(gave_up >= 8, "{outage}");
    assert_eq!(
        outage["attempts"]["4"].as_u64().map(|n| n >= gave_up),
        Some(true),
        "{outage}"
    );
    assert_eq!(
        report["statuses"]["503"], gave_up,
        "the proxy's own 503s: {report}"
    );
    assert_eq!(report["verdict"]["holds"], false);
    // The proxy's 503s are the outage's, not the target's: the verdict says so.
    assert_eq!(outage["gave_up_in_outage"], gave_up, "{outage}");
    let problems = report["verdict"]["problems"].to_string();
    assert!(problems.contains("given up inside an outage"), "{problems}");
    assert!(!problems.contains("outside 2xx"), "{problems}");
    exactly_once_holds(&report);
    assert_eq!(report["exactly_once"]["unacknowledged"], gave_up);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_simulate_says_which_attempts_an_outage_eats_without_a_network() {
    let ran = hookcheck_async(
        &["send", "--simulate", "--outage", "30s@0s", "--at", "5s"],
        &[],
    )
    .await;
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let lines: Vec<&str> = ran.stdout.lines().collect();
    assert_eq!(
        lines[1],
        "attempt 1  at 5s (5s..5s with the jitter)  in an outage (refuse): fails"
    );
    assert_eq!(
        lines[4],
        "attempt 4  at 40s (33s..47s with the jitter)  outside every outage: reaches the target"
    );
    assert!(
        lines[5].starts_with("delivered on attempt 4 of 4"),
        "{}",
        ran.stdout
    );

    // From the first second of a 30 s outage, the shortest delays end at 28 s: given up.
    let ran = hookcheck_async(
        &["send", "--simulate", "--outage", "30s@0s:503", "--json"],
        &[],
    )
    .await;
    assert_eq!(ran.code, 1, "{}", ran.stdout);
    let simulation: Value = serde_json::from_str(&ran.stdout).unwrap();
    assert_eq!(
        simulation["delivered_on"], 4,
        "35 s nominal is past the outage"
    );
    assert_eq!(simulation["delivered_on_shortest"], Value::Null);
    assert_eq!(simulation["attempts"][0]["outage"], "503");

    let ran = hookcheck_async(&["send", "--simulate", "--outage", "5s@1s,1s@2s"], &[]).await;
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("starts before"), "{}", ran.stderr);
}
