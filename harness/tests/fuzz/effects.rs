//! How effect counts are read and graded: a queue behind its 202 is polled, a duplicate
//! processed after its 2xx is caught however short the settle time, and a probe that lies
//! or fails leaves the effect invariants not checked, never held.

use std::sync::Mutex;

use super::*;

/// A small campaign against `url` with the settings of the table, this settle time and
/// this effects probe.
async fn small_campaign(url: String, effects: EffectsProbe, settle: Duration) -> FuzzReport {
    let mut config = FuzzConfig::new(url.parse().unwrap());
    config.seed = SEED;
    config.effects = Some(effects);
    config.client.timeout = Duration::from_secs(3);
    config.settle = settle;
    config.retry_delay = Duration::from_millis(300);
    config.budget = hookcheck::fuzz::Budget::Cases(150);
    config.shrink = ShrinkLimits {
        replays: 4,
        time: Duration::from_secs(8),
    };
    tokio::time::timeout(RUN_BOUND, fuzz(config, Box::new(SpaceSource::default())))
        .await
        .expect("a run ends within its bound")
        .expect("the run starts")
}

fn outcome(report: &FuzzReport, invariant: Invariant) -> (InvariantOutcome, String) {
    let result = report
        .invariants
        .iter()
        .find(|r| r.invariant == invariant)
        .expect("every invariant has a line");
    (result.outcome, result.reason.clone().unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queue_that_processes_3_s_after_its_202_is_polled_not_called_lost() {
    hookcheck::install_crypto_provider();
    // The first read comes 2 s after the last copy, before the effect lands at 3 s: only
    // polling, as `run` polls (max(1 s, 4 × settle) = 2 s here), sees it.
    let choices = Choices::default().async_delay(Duration::from_secs(3));
    let receiver = Receiver::start(ReceiverConfig::default().choices(choices))
        .await
        .unwrap();
    let effects = EffectsProbe::url(&receiver.effects_url_template()).unwrap();
    let report = small_campaign(receiver.webhook_url(), effects, Duration::from_millis(500)).await;
    receiver.shutdown().await;
    assert_eq!(
        report.verdict,
        FuzzVerdict::Pass,
        "{}",
        hookcheck::report::fuzz::summary(&report)
    );
    assert_eq!(outcome(&report, ExactlyOnce).0, InvariantOutcome::Held);
}

/// A receiver that answers 200 at once and records every first delivery of a session at
/// once, but a copy of a session it has seen one second later, in the background: a
/// duplicate processed asynchronously.
async fn late_duplicate_receiver() -> (String, String, tokio::task::JoinHandle<()>) {
    use axum::extract::{Path, State};
    use axum::routing::{get, post};
    use std::collections::HashMap;
    use std::sync::Arc;
    type Counts = Arc<Mutex<HashMap<String, u64>>>;
    async fn hook(State(counts): State<Counts>, body: axum::body::Bytes) -> &'static str {
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let Some(session) = value["sessionId"].as_str().map(str::to_owned) else {
            return "ignored";
        };
        let seen = counts.lock().unwrap().contains_key(&session);
        if seen {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(1)).await;
                *counts.lock().unwrap().entry(session).or_default() += 1;
            });
        } else {
            counts.lock().unwrap().insert(session, 1);
        }
        "ok"
    }
    async fn effects(State(counts): State<Counts>, Path(session): Path<String>) -> String {
        counts
            .lock()
            .unwrap()
            .get(&session)
            .copied()
            .unwrap_or(0)
            .to_string()
    }
    let counts: Counts = Arc::default();
    let app = axum::Router::new()
        .route("/hook", post(hook))
        .route("/effects/{session}", get(effects))
        .with_state(counts);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (
        format!("http://{addr}/hook"),
        format!("http://{addr}/effects/{{sessionId}}"),
        server,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_processed_a_second_after_its_2xx_fails_exactly_once_however_short_the_settle()
{
    hookcheck::install_crypto_provider();
    let (url, effects, server) = late_duplicate_receiver().await;
    let effects = EffectsProbe::url(&effects).unwrap();
    // With a 100 ms settle time the counts are still read 2 s after each session's last
    // copy, so the second effect, 1 s after its 2xx, shows.
    let report = small_campaign(url, effects, Duration::from_millis(100)).await;
    server.abort();
    assert_eq!(
        outcome(&report, ExactlyOnce).0,
        InvariantOutcome::Broken,
        "{}",
        hookcheck::report::fuzz::summary(&report)
    );
    let finding = report
        .findings
        .iter()
        .find(|f| f.invariant == ExactlyOnce)
        .unwrap();
    assert_eq!(finding.clause, "SPEC §3 ¶3 [D-10]");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lying_or_failing_effects_probe_leaves_the_effect_invariants_not_checked() {
    hookcheck::install_crypto_provider();
    let receiver = Receiver::start(ReceiverConfig::default().defect(Defect::NoDedupe))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flag = dir.path().join("asked-once");
    // Counts 1 for everything, a session never delivered too; fails outright; answers the
    // self-test, then fails every read.
    let probes = [
        (
            EffectsProbe::command("echo 1"),
            "counted 1 effect for a session never delivered",
        ),
        (EffectsProbe::command("exit 3"), "failed its self-test"),
        (
            EffectsProbe::command(format!(
                "test -e '{0}' && exit 4; touch '{0}'; echo 0",
                flag.display()
            )),
            "could not be read",
        ),
    ];
    for (probe, why) in probes {
        let report =
            small_campaign(receiver.webhook_url(), probe, Duration::from_millis(100)).await;
        for invariant in [ExactlyOnce, NoEffectForUnprocessable] {
            let (outcome, reason) = outcome(&report, invariant);
            assert_eq!(
                outcome,
                InvariantOutcome::Unchecked,
                "{invariant}: {}",
                hookcheck::report::fuzz::summary(&report)
            );
            assert!(reason.contains(why), "{invariant}: {reason}");
        }
        // The answers were still graded.
        assert_eq!(
            outcome(&report, ValidAcknowledged).0,
            InvariantOutcome::Held
        );
    }
    receiver.shutdown().await;
}
