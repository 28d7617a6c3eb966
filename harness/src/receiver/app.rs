//! The axum app: the routes and the per-delivery pipeline of SPEC §3.
//!
//! A delivery goes through, in order: the auth header (401 missing or empty, 403 wrong;
//! nothing read, nothing recorded), the body size limit (413), the content type (415),
//! the contract ([`crate::spec::parse_with`]: 400 not JSON, 422 a contract violation, a
//! JSON body naming the field), idempotent processing keyed on `sessionId`, and a fast
//! `200 {"duplicate": bool}`. A [`Defect`](super::Defect) changes one of these steps on
//! purpose, through the hooks of [`Faults`] at each decision point; the [`Choices`]
//! change them in ways that still conform.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::body_faults::{loose_field, loose_session_id};
use super::choices::Choices;
use super::faults::Faults;
use super::log::{DeliveryLog, DeliveryOutcome};
use super::read::read_body;
use super::rejection::{Rejection, error_response};
use super::signed::SignedState;
use super::store::{Dedupe, Recorded, Store};
use super::{DeliveryHook, ReceiverConfig, ReceiverError};
use crate::auth::AuthHeader;
use crate::spec::{self, Grade, Limits, ParseError, Payload, Status};

/// Where deliveries are POSTed.
pub const WEBHOOK_PATH: &str = "/webhook";
/// The effects endpoint of SPEC §4, answering `{"count": N}`.
pub const EFFECTS_PATH: &str = "/_test/effects/{sessionId}";
/// A liveness probe answering 200.
pub const HEALTH_PATH: &str = "/healthz";

/// Everything a request handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    auth: Option<AuthHeader>,
    body_limit: usize,
    on_delivery: Option<DeliveryHook>,
    choices: Choices,
    faults: Faults,
    /// The Standard Webhooks pipeline, when the receiver serves that profile.
    signed: Option<SignedState>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("auth", &self.inner.auth)
            .field("defect", &self.inner.faults.defect())
            .field("body_limit", &self.inner.body_limit)
            .field("choices", &self.inner.choices)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Opens the configured store and captures the rest of the configuration.
    pub fn new(config: &ReceiverConfig) -> Result<AppState, ReceiverError> {
        let store = Store::open(&config.store)?;
        let faults = Faults::new(config);
        let signed = config.signing.clone().map(|signing| {
            SignedState::new(
                store.clone(),
                signing,
                config.body_limit,
                config.dedupe_expiry,
                config.on_delivery.clone(),
            )
        });
        Ok(AppState {
            inner: Arc::new(Inner {
                store,
                auth: config.auth.clone(),
                body_limit: faults.body_limit(config.body_limit),
                on_delivery: config.on_delivery.clone(),
                choices: config.choices,
                faults,
                signed,
            }),
        })
    }

    /// Makes sure the database is reachable and has its schema: needed once before serving
    /// from a PostgreSQL store ([`Receiver::start`](super::Receiver::start) does it);
    /// nothing to do for SQLite.
    pub async fn prepare(&self) -> Result<(), ReceiverError> {
        Ok(self.inner.store.prepare().await?)
    }

    /// How many side effects a session has caused, read from the database.
    pub async fn effect_count(&self, session_id: &str) -> Result<u64, ReceiverError> {
        Ok(self.inner.store.effect_count(session_id).await?)
    }

    /// Whether the `dies-on-malformed-json` defect has fired.
    pub fn has_died(&self) -> bool {
        self.inner.faults.has_died()
    }

    /// The `dies-on-malformed-json` defect's progress, which the server watches and ends.
    pub(crate) fn life(&self) -> tokio::sync::watch::Sender<super::faults::Life> {
        self.inner.faults.life()
    }
}

/// The receiver's routes: `POST /webhook`, `GET /_test/effects/{sessionId}`, `GET /healthz`.
/// Any other method on `/webhook` is answered 405.
/// Under the Standard Webhooks profile, `POST /webhook` is that profile's pipeline.
pub fn app(state: AppState) -> Router {
    let deliveries = match &state.inner.signed {
        Some(signed) => signed.clone().route(),
        None => post(webhook),
    };
    Router::new()
        .route(WEBHOOK_PATH, deliveries)
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
    let inner = &state.inner;
    let _arrival = inner.faults.arrive().await;
    let mut log = DeliveryLog::default();
    let response = match deliver(&state, request, &mut log).await {
        Ok(response) => response,
        Err(rejection) => rejection.logged(&mut log),
    };
    if !inner.choices.delay.is_zero() {
        tokio::time::sleep(inner.choices.delay).await;
    }
    if let Some(hook) = &inner.on_delivery {
        hook(&log);
    }
    response
}

/// What became of a delivery that is answered 2xx.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Processed {
    /// Its effect was recorded (or, under a defect, it was lost but answered as new).
    New,
    /// Its session was already processed.
    Duplicate,
    /// It will be recorded in the background (`--async-processing`).
    Queued,
}

async fn deliver(
    state: &AppState,
    request: Request,
    log: &mut DeliveryLog,
) -> Result<Response, Rejection> {
    let inner = &state.inner;
    let faults = &inner.faults;
    let (parts, body) = request.into_parts();

    if faults.auth_first() {
        authorize(inner, &parts.headers).await?;
    }
    let body = read_body(&parts.headers, body, inner.body_limit).await?;
    let json = faults.accepts_content_type(&parts.headers, is_json(&parts.headers));
    if !json && !inner.choices.accept_off_contract {
        return Err(Rejection::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content type must be application/json",
        ));
    }
    faults.before_parse(&body);
    let payload = match spec::parse_with(&body, limits(inner)) {
        Ok(payload) => payload,
        Err(error) => return not_parsed(state, body, error, &parts.headers, log).await,
    };
    log.session_id = Some(payload.session_id.clone());
    log.status = Some(payload.status.as_str().to_owned());
    faults.refuse_valid(&payload, &body)?;
    let processed = process(
        state,
        Some(&payload),
        &payload.session_id,
        payload.status,
        body,
    )
    .await?;
    answer(inner, processed, payload.status, &parts.headers, log).await
}

fn limits(inner: &Inner) -> Limits {
    Limits {
        max_body_bytes: inner.body_limit,
        ..Limits::default()
    }
}

/// Records the effect of a delivery that is to be accepted, per the choices and defect.
/// `payload` is None for off-contract input accepted by choice.
async fn process(
    state: &AppState,
    payload: Option<&Payload>,
    session_id: &str,
    status: Status,
    body: Bytes,
) -> Result<Processed, Rejection> {
    let inner = &state.inner;
    let store = inner.store.clone();
    let session_id = session_id.to_owned();
    let session = session_id.clone();
    if inner.choices.async_processing {
        let delay = inner.choices.processing_delay();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            // A background job has no one to tell; the effect count shows what landed.
            let _ = store
                .record(&session_id, status.as_str(), body, Dedupe::Once)
                .await;
        });
        return Ok(Processed::Queued);
    }
    if inner.faults.loses(payload, status).await {
        return Ok(Processed::New);
    }
    let Some(dedupe) = inner.faults.dedupe(payload) else {
        return Ok(Processed::Duplicate);
    };
    // Spawned, so that processing completes even if the client disconnects and this
    // future is dropped: SPEC §3 counts a delivery the sender abandoned.
    let processing = tokio::spawn(async move {
        store
            .record(&session_id, status.as_str(), body, dedupe)
            .await
    });
    match processing.await {
        Ok(Ok(Recorded::Duplicate)) if dedupe != Dedupe::Never => {
            inner.faults.on_duplicate(&inner.store, session, status);
            Ok(Processed::Duplicate)
        }
        Ok(Ok(_)) => Ok(Processed::New),
        Ok(Err(e)) => Err(Rejection::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("failed to {e}"),
        )),
        Err(e) => Err(Rejection::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("failed to process the delivery: {e}"),
        )),
    }
}

/// The answer to a processed delivery: the acknowledgement, or what a defect makes of it.
async fn answer(
    inner: &Inner,
    processed: Processed,
    status: Status,
    headers: &HeaderMap,
    log: &mut DeliveryLog,
) -> Result<Response, Rejection> {
    if !inner.faults.auth_first() {
        check_auth(inner, headers)?;
    }
    inner.faults.before_answer(status).await;
    let duplicate = processed == Processed::Duplicate;
    if let Some(refusal) = duplicate.then(|| inner.faults.refuse_duplicate()).flatten() {
        return Err(refusal);
    }
    log.outcome = match processed {
        Processed::New => DeliveryOutcome::New,
        Processed::Duplicate => DeliveryOutcome::Duplicate,
        Processed::Queued => DeliveryOutcome::Queued,
    };
    if processed == Processed::Queued {
        log.code = StatusCode::ACCEPTED.as_u16();
        return Ok((StatusCode::ACCEPTED, Json(json!({ "queued": true }))).into_response());
    }
    Ok(acknowledge(inner.choices, duplicate, log))
}

/// The 2xx of `--ack-status`: `{"duplicate": bool}`, or no body for 204.
fn acknowledge(choices: Choices, duplicate: bool, log: &mut DeliveryLog) -> Response {
    let code = choices.ack.code();
    log.code = code.as_u16();
    if code == StatusCode::NO_CONTENT {
        return code.into_response();
    }
    (code, Json(json!({ "duplicate": duplicate }))).into_response()
}

/// A body that failed the contract: refused, unless a choice accepts or ignores it.
async fn not_parsed(
    state: &AppState,
    body: Bytes,
    error: ParseError,
    headers: &HeaderMap,
    log: &mut DeliveryLog,
) -> Result<Response, Rejection> {
    let inner = &state.inner;
    log.session_id = loose_session_id(&body);
    if inner.choices.ignore_unknown_status && only_the_status_is_unknown(inner, &body, &error) {
        log.outcome = DeliveryOutcome::Ignored;
        return Ok(acknowledge(inner.choices, false, log));
    }
    // Off-contract means sessionId and status are readable (SPEC [D-12]).
    let readable = log.session_id.clone().zip(exact_status(&body));
    match readable {
        Some((id, status))
            if inner.choices.accept_off_contract && error.grade() == Grade::OffContract =>
        {
            log.status = Some(status.as_str().to_owned());
            let processed = process(state, None, &id, status, body).await?;
            answer(inner, processed, status, headers, log).await
        }
        _ => Err(invalid(state, &body, error, log.session_id.clone()).await),
    }
}

/// The wire spelling of one of the five statuses, exactly.
fn exact_status(body: &[u8]) -> Option<Status> {
    let text = loose_field(body, "status")?;
    Status::ALL.into_iter().find(|s| s.as_str() == text)
}

/// Whether `error` is an unknown status string in a body that is valid otherwise.
fn only_the_status_is_unknown(inner: &Inner, body: &[u8], error: &ParseError) -> bool {
    if !matches!(
        error,
        ParseError::InvalidValue {
            field: "status",
            ..
        }
    ) {
        return false;
    }
    let Ok(Value::Object(mut object)) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    object.insert("status".into(), json!(Status::Completed.as_str()));
    let known = serde_json::to_vec(&object).unwrap_or_default();
    spec::parse_with(&known, limits(inner)).is_ok()
}

/// Auth as [`check_auth`], then the hook of a refusal.
async fn authorize(inner: &Inner, headers: &HeaderMap) -> Result<(), Rejection> {
    let checked = check_auth(inner, headers);
    if let Err(rejection) = &checked {
        inner.faults.on_refused_auth(rejection.code).await;
    }
    checked
}

/// SPEC §3: missing or empty → 401, any other value than the secret → 403. Every copy
/// of the header must match.
fn check_auth(inner: &Inner, headers: &HeaderMap) -> Result<(), Rejection> {
    let Some(auth) = &inner.auth else {
        return Ok(());
    };
    if inner.faults.ignores_auth() {
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
    let accepted = values.iter().all(|value| inner.faults.accepts(auth, value));
    if accepted {
        Ok(())
    } else {
        Err(Rejection::new(
            StatusCode::FORBIDDEN,
            "auth header value does not match",
        ))
    }
}

/// Whether the content type is `application/json`, with any parameters (`; charset=utf-8`),
/// in any case.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// The answer to a body that fails the contract, unless a defect answers otherwise.
async fn invalid(
    state: &AppState,
    body: &Bytes,
    error: ParseError,
    session_id: Option<String>,
) -> Rejection {
    let inner = &state.inner;
    let faulty = inner
        .faults
        .on_invalid(&inner.store, &error, body, session_id);
    if let Some(rejection) = faulty.await {
        return rejection;
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
