//! The profile's face: what a family needs to send a valid delivery without knowing the
//! contract it grades. Under Cr3dentials a fresh session is a drawn payload of one status,
//! keyed by its `sessionId`, with the run's auth header; under Standard Webhooks it is a
//! fresh message signed with the run's secret, keyed by its `webhook-id`. A family written
//! against the face (the burst, [`crate::checks::latency::burst`]) grades every profile.

use serde_json::json;

use super::{Ctx, Probe};
use crate::generate::Pin;
use crate::profile::Profile;
use crate::spec::Status;
use crate::standard_webhooks::{Message, Recipe, Secret, unix_now};

/// The profile a run grades, with what its deliveries need.
#[derive(Debug, Clone)]
pub enum Face {
    /// Cr3dentials (CONTRACT.md): drawn payloads, keyed by `sessionId`.
    Cr3dentials,
    /// Standard Webhooks (STANDARD-WEBHOOKS.md): messages signed with this secret, keyed by
    /// `webhook-id`.
    StandardWebhooks(Secret),
}

impl Face {
    /// The face of `profile`; none for Standard Webhooks without its secret.
    pub fn of(profile: Profile, secret: Option<&Secret>) -> Option<Face> {
        match (profile, secret) {
            (Profile::Cr3dentials, _) => Some(Face::Cr3dentials),
            (Profile::StandardWebhooks, Some(secret)) => {
                Some(Face::StandardWebhooks(secret.clone()))
            }
            (Profile::StandardWebhooks, None) => None,
        }
    }

    /// The profile it is the face of.
    pub fn profile(&self) -> Profile {
        match self {
            Face::Cr3dentials => Profile::Cr3dentials,
            Face::StandardWebhooks(_) => Profile::StandardWebhooks,
        }
    }
}

/// A valid delivery of a fresh session or message.
#[derive(Debug, Clone)]
pub struct Fresh {
    /// The idempotency key its effects are counted by: its `sessionId` or `webhook-id`.
    pub key: String,
    /// The request.
    pub probe: Probe,
    /// What it is, for people: its status (`completed`), or `message`.
    pub what: String,
}

impl Ctx {
    /// Valid delivery `n` of a fresh session (a fresh message) for the check `label`:
    /// Cr3dentials deliveries go round the statuses.
    pub fn fresh(&self, label: &str, n: usize) -> Fresh {
        match &self.face {
            Face::Cr3dentials => {
                let status = Status::ALL[n % Status::ALL.len()];
                let drawn = self.draw(status, &format!("{label}/{n}"), &Pin::ANY);
                Fresh {
                    key: drawn.session_id.clone(),
                    probe: self.drawn_delivery(&drawn),
                    what: status.to_string(),
                }
            }
            Face::StandardWebhooks(secret) => {
                let message = Message::new("hookcheck.probe", json!({ "check": label, "n": n }));
                let recipe = Recipe::genuine(&message.id, 0, message.body());
                Fresh {
                    key: message.id,
                    probe: self.signed(secret, recipe),
                    what: "message".to_owned(),
                }
            }
        }
    }

    /// The probe that sends the attempt `recipe` makes now, signed with `secret`: the run's
    /// delivery headers and the attempt's own; its repro makes the attempt again when run.
    pub fn signed(&self, secret: &Secret, recipe: Recipe) -> Probe {
        let attempt = recipe.attempt(secret, unix_now());
        let mut probe = self.delivery(attempt.body);
        for (name, value) in &attempt.headers {
            probe = probe.replacing(name.as_str(), value.as_bytes());
        }
        if let Some(left_out) = recipe.left_out() {
            probe = probe.without(left_out.as_str());
        }
        probe.signing = Some(recipe);
        probe
    }
}
