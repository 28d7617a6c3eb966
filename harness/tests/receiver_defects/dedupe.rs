//! The dedupe defects: what a receiver that deduplicates in a cache, on the wrong key or
//! not at all records, and what it still gets right.

use std::time::Duration;

use hookcheck::receiver::{Defect, Receiver, ReceiverConfig};
use hookcheck::spec::Status;
use serde_json::{Value, json};

use crate::{Probe, SECRET, broken, is_2xx, with};

pub(crate) async fn forgets_an_old_session(probe: &Probe) -> bool {
    probe.valid(Status::Completed, "old").await;
    for i in 0..16 {
        probe.valid(Status::Completed, &format!("newer-{i}")).await;
    }
    assert!(is_2xx(probe.valid(Status::Completed, "old").await));
    probe.effects("old").await > 1
}

pub(crate) async fn forgets_after_two_seconds(probe: &Probe) -> bool {
    probe.valid(Status::Completed, "expiring").await;
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert!(is_2xx(probe.valid(Status::Completed, "expiring").await));
    probe.effects("expiring").await > 1
}

/// A duplicate is answered 2xx at once with one effect counted, and a second lands later.
pub(crate) async fn records_a_duplicate_later(probe: &Probe) -> bool {
    assert!(is_2xx(probe.valid(Status::Completed, "twice").await));
    assert!(is_2xx(probe.valid(Status::Completed, "twice").await));
    assert_eq!(probe.effects("twice").await, 1, "one effect at first");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    probe.effects("twice").await > 1
}

pub(crate) async fn drops_a_session_sharing_a_reference(probe: &Probe) -> bool {
    let reference = json!("order-1");
    probe
        .post(
            with("first", "externalReferenceId", reference.clone()),
            Some(SECRET),
        )
        .await;
    let second = probe
        .post(
            with("second", "externalReferenceId", reference),
            Some(SECRET),
        )
        .await;
    is_2xx(second) && probe.effects("second").await == 0
}

pub(crate) async fn records_a_cancelled_copy(probe: &Probe) -> bool {
    probe.valid(Status::Cancelled, "cancelled-twice").await;
    probe.valid(Status::Cancelled, "cancelled-twice").await;
    probe.effects("cancelled-twice").await > 1
}

pub(crate) async fn records_another_status_again(probe: &Probe) -> bool {
    probe.valid(Status::Completed, "restatus").await;
    assert!(is_2xx(probe.valid(Status::Cancelled, "restatus").await));
    probe.effects("restatus").await > 1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dedupe_forgets_still_deduplicates_the_sixteen_latest_sessions() {
    let probe = broken(Defect::DedupeForgets).await;
    assert!(forgets_an_old_session(&probe).await);
    // The 16 sessions delivered since "old" came back are all still remembered.
    for i in 1..16 {
        probe.valid(Status::Completed, &format!("newer-{i}")).await;
        assert_eq!(probe.effects(&format!("newer-{i}")).await, 1, "newer-{i}");
    }
    probe.receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dedupe_expires_still_deduplicates_a_prompt_copy() {
    let probe = broken(Defect::DedupeExpires).await;
    probe.valid(Status::Completed, "prompt").await;
    probe.valid(Status::Completed, "prompt").await;
    assert_eq!(probe.effects("prompt").await, 1);
    assert!(forgets_after_two_seconds(&probe).await);
    probe.receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyed_on_external_reference_treats_every_null_reference_as_one_key() {
    let probe = broken(Defect::KeyedOnExternalReference).await;
    assert!(drops_a_session_sharing_a_reference(&probe).await);
    probe
        .post(
            with("null-a", "externalReferenceId", Value::Null),
            Some(SECRET),
        )
        .await;
    let answered = probe
        .post(
            with("null-b", "externalReferenceId", Value::Null),
            Some(SECRET),
        )
        .await;
    assert!(is_2xx(answered));
    assert_eq!(probe.effects("null-a").await, 1);
    assert_eq!(probe.effects("null-b").await, 0);
    probe.receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dedupes_completed_only_still_deduplicates_completed() {
    let probe = broken(Defect::DedupesCompletedOnly).await;
    assert!(records_a_cancelled_copy(&probe).await);
    probe.valid(Status::Completed, "completed-twice").await;
    probe.valid(Status::Completed, "completed-twice").await;
    assert_eq!(probe.effects("completed-twice").await, 1);
    probe.receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reprocesses_other_status_still_deduplicates_the_same_status() {
    let probe = broken(Defect::ReprocessesOtherStatus).await;
    probe.valid(Status::Completed, "same").await;
    probe.valid(Status::Completed, "same").await;
    assert_eq!(probe.effects("same").await, 1);
    assert!(records_another_status_again(&probe).await);
    probe.receiver.shutdown().await;
}

/// Two replicas with the probe's defect on one SQLite file, each with its own memory: a
/// copy sent to the second after the first processed it.
pub(crate) async fn a_second_replica_processes_again(defect: Option<Defect>) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.db");
    let mut config = ReceiverConfig::default().database(&db);
    config.defect = defect;
    let first = Receiver::start(config.clone()).await.unwrap();
    let second = Receiver::start(config).await.unwrap();
    let client = crate::client();
    for url in [
        first.webhook_url(),
        first.webhook_url(),
        second.webhook_url(),
    ] {
        let body = crate::payload(Status::Completed, "replicated").to_json_bytes();
        let sent = client
            .post(&url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(sent.status().is_success(), "{}", sent.status());
    }
    let count = second.effect_count("replicated").await.unwrap();
    first.shutdown().await;
    second.shutdown().await;
    count > 1
}
