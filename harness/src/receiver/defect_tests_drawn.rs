//! Probes for the defects that only a delivery drawn across the valid space shows: each
//! sends the feature, and the canonical delivery beside it must still be fine.

use super::defect_tests::{Probe, is_2xx};
use super::test_support::SECRET;
use crate::generate::{Age, Drawn, DrawnTimeForm, Keys, Pin, Presence};
use crate::spec::Status;

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

pub(super) async fn fails_without_account_holder(probe: &Probe) -> bool {
    refuses(probe, "no-holder", |d| {
        d.features.data_keys = Keys::OtherKeys
    })
    .await
}

pub(super) async fn refuses_a_minute_ahead(probe: &Probe) -> bool {
    refuses(probe, "ahead", |d| {
        d.features.age = Age::Ahead;
        d.features.offset_ms = 60_000;
    })
    .await
}

pub(super) async fn refuses_a_lowercase_t(probe: &Probe) -> bool {
    refuses(probe, "lower-t", |d| {
        d.features.form = DrawnTimeForm::LowercaseT;
    })
    .await
}

pub(super) async fn refuses_an_omitted_proof_hash(probe: &Probe) -> bool {
    refuses(probe, "omitted", |d| d.features.proof = Presence::Omitted).await
}

pub(super) async fn drops_a_week_old_event(probe: &Probe) -> bool {
    let body = drawn("week-old", |d| {
        d.features.age = Age::DaysBack;
        d.features.offset_ms = -7 * 86_400_000;
    });
    let answered = probe.post(body, Some(SECRET)).await;
    is_2xx(answered) && probe.effects("week-old").await == 0
}
