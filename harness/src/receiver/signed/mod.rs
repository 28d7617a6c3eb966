//! The reference receiver in Standard Webhooks mode (STANDARD-WEBHOOKS.md §2), its own
//! pipeline beside the Cr3dentials one of [`super::app`].
//!
//! `POST /webhook` goes through, in order: the body read within the body limit (413), the
//! signature checked against the body bytes as received ([`Verifier`]: a missing or
//! unreadable header 400; a timestamp outside the tolerance or no matching `v1` signature
//! 401; nothing recorded), the body parsed as JSON (400, nothing recorded), then exactly
//! once per `webhook-id`, durably in the same store as the Cr3dentials mode, and a fast
//! `200 {"duplicate": bool}`. Effects are counted per `webhook-id` at the usual effects
//! route. A [`SignedDefect`] breaks one step on purpose.

mod check;
mod defect;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post};
use base64::Engine;
use bytes::Bytes;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub use defect::SignedDefect;

use super::DeliveryHook;
use super::log::{DeliveryLog, DeliveryOutcome};
use super::read::read_body;
use super::rejection::Rejection;
use super::store::{Dedupe, Recorded, Store, StoreError};
use crate::standard_webhooks::{
    DEFAULT_TOLERANCE, Header, Secret, Verifier, VerifyError, header, unix_now,
};

/// How the receiver verifies Standard Webhooks deliveries: the secret (through its
/// [`Verifier`]) and any deliberate defect.
///
/// ```
/// use hookcheck::receiver::{ReceiverConfig, SignedDefect, Signing};
/// use hookcheck::standard_webhooks::Secret;
///
/// let config = ReceiverConfig::default()
///     .signing(Signing::new(Secret::generate()).defect(SignedDefect::IgnoresTimestamp));
/// assert_eq!(config.profile(), hookcheck::profile::Profile::StandardWebhooks);
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct Signing {
    /// Verifies each delivery; it holds the secret, which never prints.
    pub verifier: Verifier,
    /// A deliberate defect, if any.
    pub defect: Option<SignedDefect>,
}

impl Signing {
    /// Verifies with `secret` and the default tolerance of 5 minutes.
    pub fn new(secret: Secret) -> Signing {
        Signing {
            verifier: Verifier::new(secret, DEFAULT_TOLERANCE),
            defect: None,
        }
    }

    /// Verifies with this verifier (another tolerance).
    pub fn verifier(mut self, verifier: Verifier) -> Signing {
        self.verifier = verifier;
        self
    }

    /// Breaks one requirement on purpose.
    pub fn defect(mut self, defect: SignedDefect) -> Signing {
        self.defect = Some(defect);
        self
    }

    /// How far a timestamp may be from the receiver's clock.
    pub fn tolerance(&self) -> Duration {
        self.verifier.tolerance()
    }
}

/// What the Standard Webhooks pipeline needs; cheap to clone.
#[derive(Clone)]
pub(super) struct SignedState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    /// This receiver's own name for itself: what `per-process-dedupe` keys its memory on.
    process: u64,
    /// What `dedupe-expires` remembers: when each id was last let through.
    remembered: Remembered,
    signing: Signing,
    body_limit: usize,
    on_delivery: Option<DeliveryHook>,
}

impl SignedState {
    /// The pipeline over `store`, shared with the effects route; `dedupe_expiry` is how
    /// long `dedupe-expires` remembers an id.
    pub(super) fn new(
        store: Store,
        signing: Signing,
        body_limit: usize,
        dedupe_expiry: Duration,
        on_delivery: Option<DeliveryHook>,
    ) -> SignedState {
        SignedState {
            inner: Arc::new(Inner {
                store,
                process: rand::random(),
                remembered: Remembered::new(dedupe_expiry),
                signing,
                body_limit,
                on_delivery,
            }),
        }
    }

    /// The `POST /webhook` route of this pipeline, for a router of any state.
    pub(super) fn route<S: Clone + Send + Sync + 'static>(self) -> MethodRouter<S> {
        post(move |request: Request| {
            let state = self.clone();
            async move { state.webhook(request).await }
        })
    }

    async fn webhook(&self, request: Request) -> Response {
        let mut log = DeliveryLog::default();
        let response = match self.deliver(request, &mut log).await {
            Ok(response) => response,
            Err(rejection) => rejection.logged(&mut log),
        };
        if let Some(hook) = &self.inner.on_delivery {
            hook(&log);
        }
        response
    }

    async fn deliver(
        &self,
        request: Request,
        log: &mut DeliveryLog,
    ) -> Result<Response, Rejection> {
        let inner = &self.inner;
        let defect = inner.signing.defect;
        let (parts, body) = request.into_parts();
        let headers = &parts.headers;
        let body = read_body(headers, body, inner.body_limit).await?;
        log.session_id = header(headers, Header::Id).ok().map(str::to_owned);
        let claimed = match (defect, &log.session_id) {
            (Some(SignedDefect::RecordsBeforeVerifying), Some(id)) => {
                Some(claim(&inner.store, id, "-", body.clone()).await?)
            }
            _ => None,
        };
        let id = check::verify(&inner.signing.verifier, defect, headers, &body, unix_now())
            .map_err(|error| refusal(error, defect))?;
        let event: Value = serde_json::from_slice(&body).map_err(|e| {
            Rejection::new(
                StatusCode::BAD_REQUEST,
                format!("the body is not JSON: {e}"),
            )
        })?;
        let event_type = event.get("type").and_then(Value::as_str).unwrap_or("-");
        log.status = Some(event_type.to_owned());
        let key = match defect {
            Some(SignedDefect::DedupeExpires) => Some(inner.remembered.key(&id)),
            _ => dedupe_key(defect, headers, &body, inner.process),
        };
        let work = Work {
            store: inner.store.clone(),
            id,
            event_type: event_type.to_owned(),
            body,
        };
        // Spawned, so that processing completes even if the client disconnects.
        let processed = tokio::spawn(work.process(key, claimed)).await;
        let duplicate = match processed {
            Ok(result) => result?,
            Err(e) => return Err(internal(format!("failed to process the delivery: {e}"))),
        };
        if duplicate && defect == Some(SignedDefect::ConflictOnDuplicate) {
            return Err(Rejection::new(
                StatusCode::CONFLICT,
                "webhook-id already processed",
            ));
        }
        log.outcome = match duplicate {
            true => DeliveryOutcome::Duplicate,
            false => DeliveryOutcome::New,
        };
        log.code = StatusCode::OK.as_u16();
        Ok((StatusCode::OK, Json(json!({ "duplicate": duplicate }))).into_response())
    }
}

/// The answer to a delivery that fails verification: 400 for a header that is missing or
/// malformed, 401 for a timestamp out of tolerance or no matching signature (under
/// `throws-on-bad-timestamp`, 500 for a timestamp that cannot be read).
fn refusal(error: VerifyError, defect: Option<SignedDefect>) -> Rejection {
    let code = match error {
        VerifyError::BadTimestamp if defect == Some(SignedDefect::ThrowsOnBadTimestamp) => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
        VerifyError::Missing(_) | VerifyError::Unreadable(_) | VerifyError::BadTimestamp => {
            StatusCode::BAD_REQUEST
        }
        VerifyError::TooOld { .. } | VerifyError::TooNew { .. } | VerifyError::NoMatch => {
            StatusCode::UNAUTHORIZED
        }
    };
    Rejection::new(code, error.to_string())
}

fn internal(reason: String) -> Rejection {
    Rejection::new(StatusCode::INTERNAL_SERVER_ERROR, reason)
}

/// What "seen" is decided on, when a defect decides it on something else than the
/// `webhook-id` the effect is recorded under: `process` names this receiver, so that a
/// per-process memory is one no other replica shares.
fn dedupe_key(
    defect: Option<SignedDefect>,
    headers: &HeaderMap,
    body: &[u8],
    process: u64,
) -> Option<String> {
    match defect? {
        SignedDefect::PerProcessDedupe => {
            let id = header(headers, Header::Id).unwrap_or_default();
            Some(format!("process {process:016x}:{id}"))
        }
        SignedDefect::DedupesOnBodyHash => {
            let digest = Sha256::digest(body);
            let encoded = base64::engine::general_purpose::STANDARD.encode(digest);
            Some(format!("sha256:{encoded}"))
        }
        SignedDefect::DedupesOnSignature => {
            let signature = header(headers, Header::Signature).unwrap_or_default();
            Some(format!("signature:{signature}"))
        }
        _ => None,
    }
}

/// The ids `dedupe-expires` let through: each id's record, numbered, and when it was made.
/// Within the expiry (`serve --dedupe-expiry`, 2 s unless given) an id names the same record
/// (a duplicate), after it a new one, so the store records its effect again: a cache with a
/// short TTL.
struct Remembered {
    expiry: Duration,
    ids: Mutex<HashMap<String, (u64, Instant)>>,
}

impl Remembered {
    fn new(expiry: Duration) -> Remembered {
        Remembered {
            expiry,
            ids: Mutex::default(),
        }
    }

    fn key(&self, id: &str) -> String {
        let mut ids = self.ids.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        let (record, made) = ids.entry(id.to_owned()).or_insert((0, now));
        if now.duration_since(*made) >= self.expiry {
            (*record, *made) = (*record + 1, now);
        }
        format!("remembered {record}:{id}")
    }
}

/// Marks `key` as seen; whether it was new.
async fn claim(store: &Store, key: &str, event_type: &str, body: Bytes) -> Result<bool, Rejection> {
    store
        .claim(key, event_type, body)
        .await
        .map_err(|e| internal(format!("failed to {e}")))
}

/// One verified delivery to process.
struct Work {
    store: Store,
    id: String,
    event_type: String,
    body: Bytes,
}

impl Work {
    /// Records the effect once per `webhook-id` (or per `key`, or per the claim made before
    /// verifying, under a defect); whether the delivery was a duplicate.
    async fn process(self, key: Option<String>, claimed: Option<bool>) -> Result<bool, Rejection> {
        let Work {
            store,
            id,
            event_type,
            body,
        } = self;
        let new = match (claimed, key) {
            (Some(new), _) => new,
            (None, Some(key)) => claim(&store, &key, &event_type, body).await?,
            (None, None) => {
                let recorded = store.record(&id, &event_type, body, Dedupe::Once).await;
                return match recorded.map_err(|e| internal(format!("failed to {e}")))? {
                    Recorded::New => Ok(false),
                    Recorded::Duplicate => Ok(true),
                };
            }
        };
        if new {
            let effect: Result<(), StoreError> = store.record_effect_only(&id, &event_type).await;
            effect.map_err(|e| internal(format!("failed to {e}")))?;
        }
        Ok(!new)
    }
}
