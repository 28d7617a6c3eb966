//! The axum app: the routes and the per-delivery pipeline of SPEC §3.
//!
//! A delivery goes through, in order: the auth header (401 missing or empty, 403 wrong;
//! nothing read, nothing recorded), the body size limit (413), the content type (415),
//! the contract ([`crate::spec::parse_with`]: 400 not JSON, 422 a contract violation, a
//! JSON body naming the field), idempotent processing keyed on `sessionId`, and a fast
//! `200 {"duplicate": bool}`. A [`Defect`] changes one of these steps on purpose.

use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::sync::watch;

use super::log::{DeliveryLog, DeliveryOutcome};
use super::store::{Dedupe, Recorded, Store};
use super::{Defect, DeliveryHook, ReceiverConfig, ReceiverError};
use crate::auth::AuthHeader;
use crate::spec::{self, Limits, ParseError, Payload, Status};

/// Where deliveries are POSTed.
pub const WEBHOOK_PATH: &str = "/webhook";
/// The effects endpoint of SPEC §4, answering `{"count": N}`.
pub const EFFECTS_PATH: &str = "/_test/effects/{sessionId}";
/// A liveness probe answering 200.
pub const HEALTH_PATH: &str = "/healthz";

/// The body limit of the `tiny-body-limit` defect.
const TINY_BODY_LIMIT: usize = 16 * 1024;
/// How long each request holds the global lock under the `serial` defect.
const SERIAL_DELAY: Duration = Duration::from_millis(100);
/// The await between check and insert under the `racy-dedupe` defect: long enough that
/// concurrent duplicates reliably all pass the check even on a loaded machine (50 ms
/// was not: the copies of a burst sometimes arrived further apart).
const RACE_WINDOW: Duration = Duration::from_millis(250);
/// Where the `redirects` defect sends a valid delivery.
const REDIRECT_TARGET: &str = "/webhook/v2";

/// Everything a request handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    auth: Option<AuthHeader>,
    defect: Option<Defect>,
    body_limit: usize,
    slow_delay: Duration,
    serial: tokio::sync::Mutex<()>,
    died: watch::Sender<bool>,
    on_delivery: Option<DeliveryHook>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("auth", &self.inner.auth)
            .field("defect", &self.inner.defect)
            .field("body_limit", &self.inner.body_limit)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Opens the configured store and captures the rest of the configuration.
    pub fn new(config: &ReceiverConfig) -> Result<AppState, ReceiverError> {
        let store = Store::open(&config.store)?;
        let body_limit = match config.defect {
            Some(Defect::TinyBodyLimit) => TINY_BODY_LIMIT,
            _ => config.body_limit,
        };
        Ok(AppState {
            inner: Arc::new(Inner {
                store,
                auth: config.auth.clone(),
                defect: config.defect,
                body_limit,
                slow_delay: config.slow_delay,
                serial: tokio::sync::Mutex::new(()),
                died: watch::Sender::new(false),
                on_delivery: config.on_delivery.clone(),
            }),
        })
    }

    /// How many side effects a session has caused, read from the database.
    pub async fn effect_count(&self, session_id: &str) -> Result<u64, ReceiverError> {
        Ok(self.inner.store.effect_count(session_id).await?)
    }

    /// Whether the `dies-on-malformed-json` defect has fired.
    pub fn has_died(&self) -> bool {
        *self.inner.died.borrow()
    }

    /// A watch that turns true when the `dies-on-malformed-json` defect fires.
    pub(crate) fn died(&self) -> watch::Receiver<bool> {
        self.inner.died.subscribe()
    }
}

/// The receiver's routes: `POST /webhook`, `GET /_test/effects/{sessionId}`, `GET /healthz`.
/// Any other method on `/webhook` is answered 405.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route(WEBHOOK_PATH, post(webhook))
        .route(EFFECTS_PATH, get(effects))
        .route(HEALTH_PATH, get(|| async { "ok" }))
        .with_state(state)
}

async fn effects(State(state): State<AppState>, Path(session_id): Path<String>) -> Response {
    match state.inner.store.effect_count(&session_id).await {
        Ok(count) => Json(json!({ "count": count })).into_response(),
        Err(e) => error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("failed to {e}"),
            None,
        ),
    }
}

async fn webhook(State(state): State<AppState>, request: Request) -> Response {
    // The `serial` defect: one request at a time, each holding the lock ~100 ms.
    let _turn = match state.inner.defect {
        Some(Defect::Serial) => {
            let turn = state.inner.serial.lock().await;
            tokio::time::sleep(SERIAL_DELAY).await;
            Some(turn)
        }
        _ => None,
    };
    let mut log = DeliveryLog::default();
    let response = match deliver(&state, request, &mut log).await {
        Ok(response) => response,
        Err(rejection) => {
            log.code = rejection.code.as_u16();
            log.outcome = DeliveryOutcome::Rejected {
                reason: rejection.reason.clone(),
            };
            rejection.into_response()
        }
    };
    if let Some(hook) = &state.inner.on_delivery {
        hook(&log);
    }
    response
}

/// Why a delivery was not accepted; becomes a short JSON error body.
struct Rejection {
    code: StatusCode,
    reason: String,
    field: Option<&'static str>,
    location: Option<&'static str>,
}

impl Rejection {
    fn new(code: StatusCode, reason: impl Into<String>) -> Self {
        Rejection {
            code,
            reason: reason.into(),
            field: None,
            location: None,
        }
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let mut response = error_response(self.code, &self.reason, self.field);
        if let Some(location) = self.location {
            response
                .headers_mut()
                .insert(header::LOCATION, HeaderValue::from_static(location));
        }
        response
    }
}

fn error_response(code: StatusCode, reason: &str, field: Option<&str>) -> Response {
    let body = match field {
        Some(field) => json!({ "error": reason, "field": field }),
        None => json!({ "error": reason }),
    };
    (code, Json(body)).into_response()
}

async fn deliver(
    state: &AppState,
    request: Request,
    log: &mut DeliveryLog,
) -> Result<Response, Rejection> {
    let inner = &state.inner;
    let defect = inner.defect;
    let (parts, body) = request.into_parts();

    if defect != Some(Defect::EffectBeforeAuth) {
        check_auth(inner, &parts.headers)?;
    }
    let body = read_body(&parts.headers, body, inner.body_limit).await?;
    if !is_json(&parts.headers) {
        return Err(Rejection::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content type must be application/json",
        ));
    }
    let limits = Limits {
        max_body_bytes: inner.body_limit,
        ..Limits::default()
    };
    let payload = match spec::parse_with(&body, limits) {
        Ok(payload) => payload,
        Err(error) => {
            log.session_id = loose_session_id(&body);
            return Err(invalid(state, &body, error, log.session_id.clone()).await);
        }
    };
    log.session_id = Some(payload.session_id.clone());
    log.status = Some(payload.status.as_str().to_owned());
    defect_check(defect, &payload)?;

    // Spawned, so that processing completes even if the client disconnects and this
    // future is dropped: SPEC §3 counts a delivery the sender abandoned.
    let store = inner.store.clone();
    let session_id = payload.session_id.clone();
    let status = payload.status;
    let dedupe = match defect {
        Some(Defect::NoDedupe) => Dedupe::Never,
        Some(Defect::RacyDedupe) => Dedupe::Racy(RACE_WINDOW),
        _ => Dedupe::Once,
    };
    let processing = tokio::spawn(async move {
        store
            .record(&session_id, status.as_str(), body, dedupe)
            .await
    });
    let recorded = match processing.await {
        Ok(Ok(recorded)) => recorded,
        Ok(Err(e)) => {
            return Err(Rejection::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("failed to {e}"),
            ));
        }
        Err(e) => {
            return Err(Rejection::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("failed to process the delivery: {e}"),
            ));
        }
    };

    if defect == Some(Defect::EffectBeforeAuth) {
        check_auth(inner, &parts.headers)?;
    }
    if defect == Some(Defect::SlowCancelled) && status == Status::Cancelled {
        tokio::time::sleep(inner.slow_delay).await;
    }
    let duplicate = recorded == Recorded::Duplicate;
    if duplicate && defect == Some(Defect::ConflictOnDuplicate) {
        return Err(Rejection::new(StatusCode::CONFLICT, "duplicate delivery"));
    }
    log.code = 200;
    log.outcome = if duplicate {
        DeliveryOutcome::Duplicate
    } else {
        DeliveryOutcome::New
    };
    Ok(Json(json!({ "duplicate": duplicate })).into_response())
}

/// SPEC §3: missing or empty → 401, any other value than the secret → 403. Every copy
/// of the header must match.
fn check_auth(inner: &Inner, headers: &HeaderMap) -> Result<(), Rejection> {
    let Some(auth) = &inner.auth else {
        return Ok(());
    };
    if inner.defect == Some(Defect::AuthIgnored) {
        return Ok(());
    }
    let values: Vec<&[u8]> = headers
        .get_all(auth.name())
        .iter()
        .map(HeaderValue::as_bytes)
        .collect();
    if values.iter().all(|v| v.trim_ascii().is_empty()) {
        return Err(Rejection::new(
            StatusCode::UNAUTHORIZED,
            "auth header is missing or empty",
        ));
    }
    let prefix = inner.defect == Some(Defect::AuthPrefixMatch);
    let accepted = values.iter().all(|value| {
        if prefix {
            let secret = auth.expose_value().as_bytes();
            secret.starts_with(value) || value.starts_with(secret)
        } else {
            auth.matches(value)
        }
    });
    if accepted {
        Ok(())
    } else {
        Err(Rejection::new(
            StatusCode::FORBIDDEN,
            "auth header value does not match",
        ))
    }
}

/// Reads the whole body, refusing with 413 as soon as it passes `limit`.
async fn read_body(headers: &HeaderMap, mut body: Body, limit: usize) -> Result<Bytes, Rejection> {
    let too_large = || {
        Rejection::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("body is over the limit of {limit} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut buffer = Vec::with_capacity(declared.map_or(0, |n| n as usize));
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|e| {
            Rejection::new(
                StatusCode::BAD_REQUEST,
                format!("failed to read the body: {e}"),
            )
        })?;
        if let Ok(data) = frame.into_data() {
            if buffer.len() + data.len() > limit {
                return Err(too_large());
            }
            buffer.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(buffer))
}

/// `application/json`, with any parameters (`; charset=utf-8`), in any case.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// The answer to a body that fails the contract; the defects that misbehave here do.
async fn invalid(
    state: &AppState,
    body: &Bytes,
    error: ParseError,
    session_id: Option<String>,
) -> Rejection {
    let inner = &state.inner;
    let not_json = matches!(
        error,
        ParseError::InvalidJson(_) | ParseError::InvalidUtf8 { .. }
    );
    match inner.defect {
        Some(Defect::DiesOnMalformedJson) if not_json => {
            inner.died.send_replace(true);
        }
        Some(Defect::ErrorOnMalformedJson) if not_json => {
            return Rejection::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error");
        }
        Some(Defect::EffectForInvalid) => {
            if let Some(id) = session_id {
                let status = loose_field(body, "status").unwrap_or_default();
                // The defect records what it should not; its own failure is beside the point.
                let _ = inner.store.record_effect_only(&id, &status).await;
            }
        }
        _ => {}
    }
    let code = match error {
        ParseError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        ParseError::InvalidUtf8 { .. }
        | ParseError::InvalidJson(_)
        | ParseError::TooDeep { .. }
        | ParseError::NotAnObject { .. } => StatusCode::BAD_REQUEST,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    Rejection {
        code,
        reason: error.to_string(),
        field: error.field(),
        location: None,
    }
}

/// The defects that refuse a valid payload.
fn defect_check(defect: Option<Defect>, payload: &Payload) -> Result<(), Rejection> {
    match defect {
        Some(Defect::RejectsUnknownFields) => {
            if let Some(name) = payload.extra.keys().next() {
                return Err(Rejection::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("unknown field `{name}`"),
                ));
            }
        }
        Some(Defect::ErrorOnNullFields) => {
            let null = [
                (
                    "externalReferenceId",
                    payload.external_reference_id.is_none(),
                ),
                ("extractedData", payload.extracted_data.is_none()),
                ("proofHash", payload.proof_hash.is_none()),
            ]
            .into_iter()
            .find(|(_, is_null)| *is_null);
            if let Some((field, _)) = null {
                return Err(Rejection::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("field `{field}` is null"),
                ));
            }
        }
        Some(Defect::RejectsTerminated) if payload.status == Status::Terminated => {
            return Err(Rejection::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "status TERMINATED is not supported",
            ));
        }
        Some(Defect::Redirects) => {
            return Err(Rejection {
                location: Some(REDIRECT_TARGET),
                ..Rejection::new(StatusCode::TEMPORARY_REDIRECT, "moved")
            });
        }
        _ => {}
    }
    Ok(())
}

/// The `sessionId` of a body that failed the contract, when it is a non-empty string.
fn loose_session_id(body: &[u8]) -> Option<String> {
    loose_field(body, "sessionId").filter(|id| !id.trim().is_empty())
}

fn loose_field(body: &[u8], field: &str) -> Option<String> {
    // serde_json bounds its own recursion, so this is safe on any input.
    let value: Value = serde_json::from_slice(body).ok()?;
    value.get(field)?.as_str().map(str::to_owned)
}
