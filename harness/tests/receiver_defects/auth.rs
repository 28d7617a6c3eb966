//! The auth defects that need more than one request to tell apart: one that never
//! answers a wrong secret, one that compares it ignoring case.

use hookcheck::receiver::Defect;
use hookcheck::spec::Status;
use reqwest::StatusCode;

use crate::{PATIENCE, Probe, SECRET, broken, is_2xx, payload, still_serves};

pub(crate) async fn never_answers_a_wrong_secret(probe: &Probe) -> bool {
    let body = payload(Status::Completed, "wrong-secret").to_json_bytes();
    let answered = probe.post_within(body, Some("wrong"), PATIENCE).await;
    answered.is_none()
}

pub(crate) async fn accepts_the_secret_in_capitals(probe: &Probe) -> bool {
    let body = payload(Status::Completed, "capitals").to_json_bytes();
    let capitals = SECRET.to_ascii_uppercase();
    assert_ne!(capitals, SECRET, "the test secret has lowercase letters");
    is_2xx(probe.post(body, Some(&capitals)).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hangs_on_bad_auth_still_answers_401_to_a_missing_header() {
    let probe = broken(Defect::HangsOnBadAuth).await;
    assert!(never_answers_a_wrong_secret(&probe).await);
    let body = payload(Status::Completed, "no-header").to_json_bytes();
    assert_eq!(
        probe.post_within(body, None, PATIENCE).await,
        Some(StatusCode::UNAUTHORIZED)
    );
    assert_eq!(probe.effects("wrong-secret").await, 0);
    still_serves(&probe).await;
    probe.receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_case_insensitive_value_still_refuses_another_secret() {
    let probe = broken(Defect::AuthCaseInsensitiveValue).await;
    assert!(accepts_the_secret_in_capitals(&probe).await);
    let body = payload(Status::Completed, "other").to_json_bytes();
    assert_eq!(
        probe.post(body, Some("S3CRET-VALUX")).await,
        Some(StatusCode::FORBIDDEN)
    );
    probe.receiver.shutdown().await;
}
