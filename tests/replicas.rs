//! End-to-end tests of `hookcheck serve --db postgres://…`: several receiver processes
//! (replicas) on one PostgreSQL database, each started as its own `serve` process on a
//! throwaway cluster (skipped without PostgreSQL, except under
//! `HOOKCHECK_REQUIRE_POSTGRES=1`).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hookcheck::spec::{PayloadBuilder, Status};
use hookcheck_testkit::Served;
use hookcheck_testkit::postgres::TempPostgres;
use serde_json::Value;

use crate::HOOKCHECK;

fn client() -> reqwest::Client {
    hookcheck::install_crypto_provider();
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client builds")
}

fn body(session_id: &str) -> Vec<u8> {
    PayloadBuilder::new(Status::Completed)
        .seed(1)
        .session_id(session_id)
        .build()
        .to_json_bytes()
}

/// Two `serve` replicas on the database at `url`, with `extra` arguments each.
fn replicas(url: &str, extra: &[&str]) -> [Served; 2] {
    let args: Vec<&str> = ["--db", url, "--listen", "127.0.0.1:0", "--quiet"]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    [HOOKCHECK.serve(&args), HOOKCHECK.serve(&args)]
}

/// POSTs the delivery of `id` to `url`: Some(duplicate flag) when acknowledged 2xx.
async fn deliver(client: &reqwest::Client, url: &str, id: &str) -> Option<bool> {
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .body(body(id))
        .send()
        .await
        .ok()?;
    if !response.status().is_success() {
        return None;
    }
    let answer: Value = response.json().await.ok()?;
    answer["duplicate"].as_bool()
}

async fn effect_count(client: &reqwest::Client, served: &Served, id: &str) -> u64 {
    hookcheck_testkit::client::effect_count(client, &served.effects_url(id)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_one_database_process_every_delivery_exactly_once() {
    let Some(pg) = TempPostgres::start("two_replicas_on_one_database") else {
        return;
    };
    let url = pg.url();
    let [a, b] = replicas(&url, &[]);
    assert!(
        a.announced
            .iter()
            .any(|l| l.contains("recorded in PostgreSQL at postgres://")),
        "{:?}",
        a.announced
    );
    let client = client();
    // 40 sessions, each sent twice to each replica at once: 160 concurrent deliveries.
    let ids: Vec<String> = (0..40).map(|n| format!("pair-{n}")).collect();
    let sends = ids.iter().flat_map(|id| {
        [&a, &b, &a, &b].map(|r| {
            let (client, url, id) = (client.clone(), r.webhook_url.clone(), id.clone());
            async move { (id.clone(), deliver(&client, &url, &id).await) }
        })
    });
    let answers = futures::future::join_all(sends).await;
    for id in &ids {
        let flags: Vec<Option<bool>> = answers
            .iter()
            .filter(|(i, _)| i == id)
            .map(|(_, f)| *f)
            .collect();
        assert!(flags.iter().all(Option::is_some), "{id}: {flags:?}");
        let new = flags.iter().filter(|f| **f == Some(false)).count();
        assert_eq!(new, 1, "{id}: exactly one copy is new: {flags:?}");
        assert_eq!(effect_count(&client, &a, id).await, 1, "{id} on a");
        assert_eq!(effect_count(&client, &b, id).await, 1, "{id} on b");
    }
    assert_eq!(
        pg.psql("postgres", "SELECT count(*) FROM effects"),
        ids.len().to_string()
    );
}

/// What one delivery came to before the kill.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    Acknowledged,
    Unacknowledged,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkilled_replicas_keep_every_acknowledged_delivery_exactly_once() {
    let Some(pg) = TempPostgres::start("sigkilled_replicas") else {
        return;
    };
    let url = pg.url();
    let [mut a, mut b] = replicas(&url, &[]);
    let client = client();
    // Four senders stream distinct sessions, each sent to both replicas at once, until the
    // replicas are gone: a delivery either replica acknowledged is acknowledged.
    let fates: Arc<Mutex<Vec<(String, Fate)>>> = Arc::default();
    let mut senders = Vec::new();
    for worker in 0..4 {
        let urls = (a.webhook_url.clone(), b.webhook_url.clone());
        let (client, fates) = (client.clone(), fates.clone());
        senders.push(tokio::spawn(async move {
            for n in 0..5000 {
                let id = format!("kill-{worker}-{n}");
                let (on_a, on_b) = tokio::join!(
                    deliver(&client, &urls.0, &id),
                    deliver(&client, &urls.1, &id)
                );
                let fate = match (on_a, on_b) {
                    (None, None) => Fate::Unacknowledged,
                    _ => Fate::Acknowledged,
                };
                fates.lock().unwrap().push((id, fate));
                if on_a.is_none() || on_b.is_none() {
                    break;
                }
            }
        }));
    }
    let acknowledged = || {
        let fates = fates.lock().unwrap();
        fates
            .iter()
            .filter(|(_, f)| *f == Fate::Acknowledged)
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while acknowledged() < 200 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    a.sigkill();
    b.sigkill();
    for sender in senders {
        sender.await.unwrap();
    }
    let fates = fates.lock().unwrap().clone();
    let acked = fates
        .iter()
        .filter(|(_, f)| *f == Fate::Acknowledged)
        .count();
    eprintln!(
        "killed after {acked} acknowledged deliveries, {} in all",
        fates.len()
    );
    assert!(
        acked >= 200,
        "only {acked} deliveries were acknowledged before the kill"
    );

    let [again, _other] = replicas(&url, &[]);
    for (id, fate) in &fates {
        let count = effect_count(&client, &again, id).await;
        match fate {
            Fate::Acknowledged => assert_eq!(count, 1, "acknowledged {id} recorded {count} times"),
            Fate::Unacknowledged => {
                assert!(count <= 1, "unacknowledged {id} recorded {count} times")
            }
        }
    }
    let (id, _) = fates
        .iter()
        .find(|(_, f)| *f == Fate::Acknowledged)
        .unwrap();
    assert_eq!(deliver(&client, &again.webhook_url, id).await, Some(true));
    assert_eq!(effect_count(&client, &again, id).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_replica_defects_double_effects_that_the_correct_pair_does_not() {
    let Some(pg) = TempPostgres::start("replica_defects") else {
        return;
    };
    let client = client();
    // (defect, effects of a copy sent to a then b, of two copies sent to a and b at once).
    let table: [(Option<&str>, u64, u64); 4] = [
        (None, 1, 1),
        (Some("per-process-dedupe"), 2, 2),
        (Some("split-transaction-dedupe"), 1, 2),
        (Some("racy-dedupe"), 1, 2),
    ];
    for (defect, sequential, concurrent) in table {
        let name = defect.unwrap_or("correct").replace('-', "_");
        let url = pg.create_database(&name);
        let extra: Vec<&str> = defect.map(|d| vec!["--defect", d]).unwrap_or_default();
        let [a, b] = replicas(&url, &extra);
        let seq = format!("{name}-seq");
        assert_eq!(deliver(&client, &a.webhook_url, &seq).await, Some(false));
        // The copy to the same replica is a duplicate whatever the defect.
        assert_eq!(
            deliver(&client, &a.webhook_url, &seq).await,
            Some(true),
            "{name}"
        );
        deliver(&client, &b.webhook_url, &seq)
            .await
            .expect("acknowledged");
        assert_eq!(
            effect_count(&client, &b, &seq).await,
            sequential,
            "{name}: a then b"
        );
        let both = format!("{name}-both");
        let (x, y) = tokio::join!(
            deliver(&client, &a.webhook_url, &both),
            deliver(&client, &b.webhook_url, &both)
        );
        assert!(x.is_some() && y.is_some(), "{name}: {x:?} {y:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            effect_count(&client, &a, &both).await,
            concurrent,
            "{name}: at once"
        );
    }
}

#[tokio::test]
async fn an_unreachable_database_exits_3_and_a_bad_url_2_without_the_password() {
    let port = hookcheck_testkit::hostile::closed_port().port();
    let url = format!("postgres://app:s3cret-pw@127.0.0.1:{port}/hooks");
    let ran =
        crate::hookcheck_async(&["serve", "--db", &url, "--listen", "127.0.0.1:0"], &[]).await;
    assert_eq!(ran.code, 3, "{ran:?}");
    assert!(
        !ran.stderr.contains("s3cret-pw") && !ran.stdout.contains("s3cret-pw"),
        "{ran:?}"
    );
    assert_eq!(ran.stderr.trim().lines().count(), 1, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("postgres://app:***@127.0.0.1"),
        "{}",
        ran.stderr
    );
    let bad = "postgres://app:s3cret-pw@127.0.0.1:notaport/hooks";
    let ran = crate::hookcheck_async(&["serve", "--db", bad], &[]).await;
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(!ran.stderr.contains("s3cret-pw"), "{}", ran.stderr);
}

/// `hookcheck COMMAND --target A --replica B --effects-url A's ARGS --json DIR/report.json`:
/// the exit code and the report.
async fn pair_report(
    command: &str,
    [a, b]: [&Served; 2],
    args: &[&str],
    dir: &std::path::Path,
) -> (crate::Ran, Value) {
    let json = dir.join("report.json");
    let mut all = vec![
        command,
        "--target",
        &a.webhook_url,
        "--replica",
        &b.webhook_url,
    ];
    all.extend(["--effects-url", &a.effects_template, "--seed", "7"]);
    all.extend(args);
    all.extend(["--json", json.to_str().unwrap()]);
    let ran = crate::hookcheck_async(&all, &[]).await;
    let report = std::fs::read_to_string(&json).unwrap_or_else(|e| panic!("{e}: {ran:?}"));
    (ran, serde_json::from_str(&report).expect("a JSON report"))
}

/// `hookcheck run --only idempotency --quick` against two replicas, the copies of each
/// session round robin over them.
async fn grade_pair(a: &Served, b: &Served, dir: &std::path::Path) -> (crate::Ran, Value) {
    pair_report("run", [a, b], &["--only", "idempotency", "--quick"], dir).await
}

fn outcome<'a>(report: &'a Value, id: &str) -> &'a Value {
    let check = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == id);
    &check.unwrap_or_else(|| panic!("{id} not reported"))["outcome"]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_with_replica_fails_a_per_process_dedupe_and_passes_the_postgres_pair() {
    let Some(pg) = TempPostgres::start("run_with_replica") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let correct = pg.create_database("correct_pair");
    let [a, b] = replicas(&correct, &[]);
    let (ran, report) = grade_pair(&a, &b, dir.path()).await;
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert_eq!(
        outcome(&report, "idempotency/exactly-once/sequential"),
        "pass"
    );
    drop((a, b));

    let defective = pg.create_database("per_process_pair");
    let [a, b] = replicas(&defective, &["--defect", "per-process-dedupe"]);
    let (ran, report) = grade_pair(&a, &b, dir.path()).await;
    assert_eq!(ran.code, 1, "{}\n{}", ran.stdout, ran.stderr);
    for scenario in ["sequential", "concurrent", "after-retry-delay"] {
        let id = format!("idempotency/exactly-once/{scenario}");
        assert_eq!(outcome(&report, &id), "fail", "{id}");
    }
    // The finding names both replicas, and its repro sends a copy to each.
    let check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "idempotency/exactly-once/sequential")
        .unwrap();
    let repro = check["repro"].as_str().expect("a repro script");
    for url in [&a.webhook_url, &b.webhook_url] {
        assert!(
            repro.contains(&format!("curl -sS -X POST '{url}'"))
                || repro.contains(&format!("'{url}'")),
            "{url} not in\n{repro}"
        );
    }
    assert!(repro.contains("sent round robin to"), "{repro}");
}

/// The same under Standard Webhooks: two `serve --profile standard-webhooks` replicas on one
/// database are clean with `--replica`, and a pair that remembers webhook-ids per process
/// fails both retry checks, each finding's repro sending a copy to each replica.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standard_webhooks_pair_is_graded_across_replicas() {
    let Some(pg) = TempPostgres::start("signed_replicas") else {
        return;
    };
    let secret = hookcheck::standard_webhooks::Secret::generate().expose_text();
    let signed = [
        "--profile",
        "standard-webhooks",
        "--secret",
        secret.as_str(),
    ];
    let dir = tempfile::tempdir().unwrap();
    let only = [&signed[..], &["--only", "idempotency/retry-processed-once"]].concat();
    let correct = pg.create_database("signed_correct_pair");
    let [a, b] = replicas(&correct, &signed);
    let (ran, report) = pair_report("run", [&a, &b], &only, dir.path()).await;
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    drop((a, b));

    let defective = pg.create_database("signed_per_process_pair");
    let per_process = [&signed[..], &["--defect", "per-process-dedupe"]].concat();
    let [a, b] = replicas(&defective, &per_process);
    let (ran, report_bad) = pair_report("run", [&a, &b], &only, dir.path()).await;
    assert_eq!(ran.code, 1, "{}\n{}", ran.stdout, ran.stderr);
    for variant in ["sequential", "concurrent"] {
        let id = format!("idempotency/retry-processed-once/{variant}");
        assert_eq!(outcome(&report, &id), "pass", "{id}");
        assert_eq!(outcome(&report_bad, &id), "fail", "{id}");
        let checks = report_bad["checks"].as_array().unwrap();
        let check = checks.iter().find(|c| c["id"] == id.as_str()).unwrap();
        let repro = check["repro"].as_str().expect("a repro");
        for url in [&a.webhook_url, &b.webhook_url] {
            assert!(repro.contains(&format!("'{url}'")), "{url} not in\n{repro}");
        }
        assert!(!repro.contains(&secret), "the secret leaked");
    }
}

/// `hookcheck load` against two replicas, 20 % redeliveries each to the other replica than
/// its session's first copy, with the exactly-once check.
async fn load_pair(a: &Served, b: &Served, dir: &std::path::Path) -> (crate::Ran, Value) {
    let args = [
        "--deliveries",
        "600",
        "--duplicates",
        "0.2",
        "--concurrency",
        "8",
    ];
    pair_report("load", [a, b], &[&args[..], &["--quiet"]].concat(), dir).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_with_replica_passes_the_postgres_pair_and_catches_a_per_process_dedupe() {
    let Some(pg) = TempPostgres::start("load_with_replica") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let [a, b] = replicas(&pg.create_database("load_correct"), &[]);
    let (ran, report) = load_pair(&a, &b, dir.path()).await;
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    let once = &report["exactly_once"];
    assert_eq!(report["deliveries"], 600, "{report}");
    assert!(report["duplicates"].as_u64().unwrap() > 60, "{report}");
    assert_eq!(once["doubled"], 0, "{once}");
    assert_eq!(once["lost"], 0, "{once}");
    assert_eq!(report["replicas"][0], b.webhook_url.as_str(), "{report}");
    assert!(ran.stdout.contains("replicas    "), "{}", ran.stdout);
    drop((a, b));

    let defective = pg.create_database("load_per_process");
    let [a, b] = replicas(&defective, &["--defect", "per-process-dedupe"]);
    let (ran, report) = load_pair(&a, &b, dir.path()).await;
    assert_eq!(ran.code, 1, "{}\n{}", ran.stdout, ran.stderr);
    let once = &report["exactly_once"];
    let doubled = once["doubled"].as_u64().expect("a doubled count");
    // Every session redelivered went to the other replica, whose own memory had not seen
    // it: each one is processed twice (or more).
    let redelivered = report["duplicates"].as_u64().unwrap();
    assert!(
        doubled * 2 >= redelivered && doubled <= redelivered,
        "{once}"
    );
    assert_eq!(report["verdict"]["holds"], false, "{report}");
}

/// `hookcheck fuzz` against two replicas, 150 cases of seed 7, the case saved in `dir`.
async fn fuzz_pair(a: &Served, b: &Served, dir: &std::path::Path) -> (crate::Ran, Value) {
    let save = dir.join("cases");
    let args = [
        "--cases",
        "150",
        "--settle",
        "200ms",
        "--retry-delay",
        "300ms",
        "--quiet",
        "--save",
        save.to_str().unwrap(),
    ];
    pair_report("fuzz", [a, b], &args, dir).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuzz_with_replica_passes_the_postgres_pair_and_catches_a_per_process_dedupe() {
    let Some(pg) = TempPostgres::start("fuzz_with_replica") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let [a, b] = replicas(&pg.create_database("fuzz_correct"), &[]);
    let (ran, report) = fuzz_pair(&a, &b, dir.path()).await;
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert_eq!(report["replicas"][0], b.webhook_url.as_str(), "{report}");
    assert!(ran.stdout.contains("replicas: "), "{}", ran.stdout);
    drop((a, b));

    let defective = pg.create_database("fuzz_per_process");
    let [a, b] = replicas(&defective, &["--defect", "per-process-dedupe"]);
    let (ran, report) = fuzz_pair(&a, &b, dir.path()).await;
    assert_eq!(ran.code, 1, "{}\n{}", ran.stdout, ran.stderr);
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["invariant"] == "exactly-once")
        .unwrap_or_else(|| panic!("no exactly-once finding: {report}"));
    // The shrunk case: copies of one session, one to each replica, each line naming its URL.
    let repro = finding["repro"].as_str().expect("a repro script");
    for url in [&a.webhook_url, &b.webhook_url] {
        assert!(repro.contains(&format!("'{url}'")), "{url} not in\n{repro}");
    }
    let case = &finding["case"];
    assert_eq!(case["urls"][1], b.webhook_url.as_str(), "{case}");
    assert!(case.to_string().contains("\"replica\":1"), "{case}");
    // The script runs as printed and shows the second effect.
    let output = tokio::process::Command::new("dash")
        .args(["-c", repro])
        .output()
        .await
        .expect("dash runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("{\"count\":2}"), "{repro}\n{text}");
    // The case replays against the same pair; without the replica it is refused.
    let path = finding["caseFile"].as_str().expect("saved");
    let effects = ["--effects-url", &a.effects_template];
    let replay = ["fuzz", "--replay", path, "--target", &a.webhook_url];
    let ran = crate::hookcheck_async(&[&replay[..], &effects[..]].concat(), &[]).await;
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(ran.stderr.contains("--replica"), "{}", ran.stderr);
    let pair = [&replay[..], &["--replica", &b.webhook_url], &effects[..]].concat();
    let ran = crate::hookcheck_async(&pair, &[]).await;
    assert_eq!(ran.code, 1, "{}\n{}", ran.stdout, ran.stderr);
}
