//! The defects that show in time or under load: answering late, losing deliveries when
//! many are in flight.

use hookcheck::receiver::Defect;
use hookcheck::spec::Status;

use crate::{PATIENCE, Probe, SECRET, broken, is_2xx, join_all, payload};

/// 16 distinct sessions at once: all answered 2xx, some not recorded.
pub(crate) async fn loses_some_of_a_burst(probe: &Probe) -> bool {
    let client = probe.client.clone();
    let url = probe.url.clone();
    let answers = join_all((0..16).map(|i| {
        client
            .post(&url)
            .header("content-type", "application/json")
            .header("X-API-Key", SECRET)
            .body(payload(Status::Completed, &format!("burst-{i}")).to_json_bytes())
            .send()
    }))
    .await;
    assert!(
        answers
            .iter()
            .all(|a| a.as_ref().unwrap().status().is_success())
    );
    let mut recorded = 0;
    for i in 0..16 {
        recorded += probe.effects(&format!("burst-{i}")).await;
    }
    recorded < 16
}

pub(crate) async fn answers_completed_late(probe: &Probe) -> bool {
    let body = payload(Status::Completed, "slow").to_json_bytes();
    !is_2xx(probe.post_within(body, Some(SECRET), PATIENCE).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loses_under_load_records_deliveries_sent_one_at_a_time() {
    let probe = broken(Defect::LosesUnderLoad).await;
    for i in 0..4 {
        let session = format!("calm-{i}");
        assert!(is_2xx(probe.valid(Status::Completed, &session).await));
        assert_eq!(probe.effects(&session).await, 1);
    }
    assert!(loses_some_of_a_burst(&probe).await);
    probe.receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_completed_records_the_abandoned_delivery_and_answers_others_at_once() {
    let probe = broken(Defect::SlowCompleted).await;
    assert!(answers_completed_late(&probe).await);
    assert_eq!(probe.effects("slow").await, 1);
    let body = payload(Status::Error, "fast").to_json_bytes();
    assert!(is_2xx(
        probe.post_within(body, Some(SECRET), PATIENCE).await
    ));
    probe.receiver.shutdown().await;
}
