//! The Rust test API (`hookcheck::testing`) as a receiver's own test suite uses it: the
//! reference receiver's router served in-process, its store as the effects probe.

use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use hookcheck::receiver::{AppState, Defect, ReceiverConfig, WEBHOOK_PATH, app};
use hookcheck::results::Outcome;
use hookcheck::testing::{Conformance, ConformanceError, Graded};

async fn grade(config: ReceiverConfig, only: &[&str]) -> Graded {
    let state = AppState::new(&config).expect("the store opens");
    let store = state.clone();
    Conformance::router(app(state), WEBHOOK_PATH)
        .await
        .expect("the router is served")
        .auth("X-API-Key: test-secret")
        .expect("the header parses")
        .effects(move |session| {
            let store = store.clone();
            async move { store.effect_count(&session).await.unwrap_or(u64::MAX) }
        })
        .only(only.iter().copied())
        .seed(7)
        .quick()
        .run()
        .await
        .expect("the run completes")
}

fn receiver() -> ReceiverConfig {
    ReceiverConfig::default().auth("X-API-Key: test-secret".parse().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_router_is_graded_conformant_with_its_store_as_the_probe() {
    let graded = grade(receiver(), &["status", "idempotency", "auth"]).await;
    graded.assert_conformant();
    let checks = &graded.report().checks;
    let passed = |prefix: &str| {
        checks
            .iter()
            .any(|c| c.id.starts_with(prefix) && c.outcome == Outcome::Pass)
    };
    // The effect checks ran through the closure, not skipped for want of a probe.
    assert!(passed("idempotency/exactly-once/"), "{}", graded.summary());
    assert!(
        passed("auth/no-effect-when-rejected/"),
        "{}",
        graded.summary()
    );
    assert_eq!(graded.findings().count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_defect_fails_assert_conformant_with_the_findings_and_no_secret() {
    let graded = grade(receiver().defect(Defect::NoDedupe), &["idempotency"]).await;
    assert!(!graded.is_conformant());
    assert!(
        graded
            .findings()
            .any(|c| c.id == "idempotency/exactly-once/sequential")
    );
    let panicked = AssertUnwindSafe(async { graded.assert_conformant() })
        .catch_unwind()
        .await
        .expect_err("assert_conformant panics");
    let message = panicked
        .downcast_ref::<String>()
        .expect("a formatted message");
    assert!(
        message.contains("idempotency/exactly-once/sequential"),
        "{message}"
    );
    assert!(message.contains("hookcheck explain idempotency/exactly-once"));
    assert!(!message.contains("test-secret"), "{message}");
}

#[tokio::test]
async fn a_bad_url_or_auth_header_is_an_error_not_a_panic() {
    assert!(matches!(
        Conformance::url("not a url"),
        Err(ConformanceError::BadUrl(_))
    ));
    let built = Conformance::url("http://127.0.0.1:9/hook").unwrap();
    assert!(matches!(
        built.auth("no colon"),
        Err(ConformanceError::BadAuth(_))
    ));
}
