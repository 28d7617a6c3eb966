//! The defects that refuse or drop a valid delivery for one of its features: a content
//! type, a timestamp form, a status, and the features only a delivery drawn across the
//! valid space shows (each sent beside the canonical delivery, which must still be fine).

use std::time::Duration;

use hookcheck::generate::{Age, Drawn, DrawnTimeForm, Keys, Pin, Presence};
use hookcheck::receiver::Defect;
use hookcheck::spec::Status;
use reqwest::StatusCode;
use serde_json::json;

use crate::{Probe, SECRET, broken, is_2xx, payload, with};

pub(crate) async fn loses_a_cancelled_delivery(probe: &Probe) -> bool {
    let answered = probe.valid(Status::Cancelled, "cancelled").await;
    is_2xx(answered) && probe.effects("cancelled").await == 0
}

pub(crate) async fn refuses_a_charset(probe: &Probe) -> bool {
    let body = payload(Status::Completed, "charset").to_json_bytes();
    let content_type = "application/json; charset=utf-8";
    let answered = probe
        .post_as(body, Some(SECRET), Duration::from_secs(10), content_type)
        .await;
    answered == Some(StatusCode::UNSUPPORTED_MEDIA_TYPE)
}

pub(crate) async fn refuses_a_timestamp_without_millis(probe: &Probe) -> bool {
    let body = with("seconds", "completedAt", json!("2026-01-02T03:04:05Z"));
    !is_2xx(probe.post(body, Some(SECRET)).await)
}

/// A canonical COMPLETED delivery of session `session`, changed by `edit`.
fn drawn(session: &str, edit: impl FnOnce(&mut Drawn)) -> Vec<u8> {
    let mut drawn = Drawn::draw(1, session, Status::Completed, &Pin::ANY).canonical();
    drawn.session_id = session.to_owned();
    edit(&mut drawn);
    drawn.to_bytes()
}

/// Whether the canonical delivery is accepted and the edited one refused.
async fn refuses(probe: &Probe, name: &str, edit: impl FnOnce(&mut Drawn)) -> bool {
    let plain = probe
        .post(drawn(&format!("{name}-plain"), |_| {}), Some(SECRET))
        .await;
    let edited = probe.post(drawn(name, edit), Some(SECRET)).await;
    is_2xx(plain) && !is_2xx(edited)
}

pub(crate) async fn fails_without_account_holder(probe: &Probe) -> bool {
    refuses(probe, "no-holder", |d| {
        d.features.data_keys = Keys::OtherKeys
    })
    .await
}

pub(crate) async fn refuses_a_minute_ahead(probe: &Probe) -> bool {
    refuses(probe, "ahead", |d| {
        d.features.age = Age::Ahead;
        d.features.offset_ms = 60_000;
    })
    .await
}

pub(crate) async fn refuses_a_lowercase_t(probe: &Probe) -> bool {
    refuses(probe, "lower-t", |d| {
        d.features.form = DrawnTimeForm::LowercaseT;
    })
    .await
}

pub(crate) async fn refuses_an_omitted_proof_hash(probe: &Probe) -> bool {
    refuses(probe, "omitted", |d| d.features.proof = Presence::Omitted).await
}

pub(crate) async fn drops_a_week_old_event(probe: &Probe) -> bool {
    let body = drawn("week-old", |d| {
        d.features.age = Age::DaysBack;
        d.features.offset_ms = -7 * 86_400_000;
    });
    let answered = probe.post(body, Some(SECRET)).await;
    is_2xx(answered) && probe.effects("week-old").await == 0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drops_non_completed_records_completed_and_answers_every_status_2xx() {
    let probe = broken(Defect::DropsNonCompleted).await;
    assert!(loses_a_cancelled_delivery(&probe).await);
    assert!(is_2xx(probe.valid(Status::Error, "failed").await));
    assert_eq!(probe.effects("failed").await, 0);
    assert!(is_2xx(probe.valid(Status::Completed, "kept").await));
    assert_eq!(probe.effects("kept").await, 1);
    probe.receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_content_type_accepts_exactly_application_json() {
    let probe = broken(Defect::StrictContentType).await;
    assert!(refuses_a_charset(&probe).await);
    assert!(is_2xx(probe.valid(Status::Completed, "exact").await));
    probe.receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_timestamp_accepts_the_millisecond_utc_form() {
    let probe = broken(Defect::StrictTimestamp).await;
    assert!(refuses_a_timestamp_without_millis(&probe).await);
    let body = with("millis", "completedAt", json!("2026-01-02T03:04:05.678Z"));
    assert!(is_2xx(probe.post(body, Some(SECRET)).await));
    assert_eq!(probe.effects("seconds").await, 0);
    probe.receiver.shutdown().await;
}
