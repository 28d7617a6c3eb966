//! The receiver's defect, as hooks at each decision point of the conforming pipeline in
//! [`super::app`]: on arrival, auth, content type, parse, refusal of a valid payload,
//! recording, dedupe, a duplicate, the answer, and an invalid body. Without a defect every
//! hook lets the conforming path do what it does; each [`Defect`] changes one or two.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
use tokio::sync::{MutexGuard, watch};

use super::body_faults;
use super::clock_faults;
use super::rejection::Rejection;
use super::seen::Seen;
use super::store::{Dedupe, Store};
use super::{Defect, ReceiverConfig};
use crate::auth::AuthHeader;
use crate::spec::{Grade, ParseError, Payload, Status};

/// The body limit of the `tiny-body-limit` defect.
const TINY_BODY_LIMIT: usize = 16 * 1024;
/// How long each request holds the global lock under the `serial` defect.
const SERIAL_DELAY: Duration = Duration::from_millis(100);
/// The await between check and insert under the `racy-dedupe` defect: long enough that
/// concurrent duplicates reliably all pass the check even on a loaded machine (50 ms
/// was not: the copies of a burst sometimes arrived further apart).
const RACE_WINDOW: Duration = Duration::from_millis(250);
/// How long the `loses-under-load` defect works on a delivery before it looks at the load.
const LOAD_WORK: Duration = Duration::from_millis(50);
/// Above this many deliveries in flight, the `loses-under-load` defect records nothing.
const LOAD_LIMIT: usize = 8;
/// How long after answering the `async-effect-for-invalid` and `async-duplicate` defects
/// record an effect.
const LATE_EFFECT_DELAY: Duration = Duration::from_secs(1);
/// How long the `dies-on-malformed-json` defect waits for the server to close its
/// listener before answering (a receiver built without a server never closes one).
const DEATH_WAIT: Duration = Duration::from_secs(1);

/// Where the `dies-on-malformed-json` defect has got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Life {
    /// Serving.
    Alive,
    /// The defect fired; the server is to close its listener.
    Dying,
    /// The listener is closed: a new connection is refused.
    Dead,
}

/// The defect of one receiver, if any, and the state its hooks keep.
#[derive(Debug)]
pub struct Faults {
    defect: Option<Defect>,
    slow_delay: Duration,
    serial: tokio::sync::Mutex<()>,
    life: watch::Sender<Life>,
    seen: Option<Seen>,
    in_flight: AtomicUsize,
}

/// A request in flight: counted until dropped, holding the `serial` defect's turn.
pub struct Arrival<'a> {
    count: &'a AtomicUsize,
    _turn: Option<MutexGuard<'a, ()>>,
}

impl Drop for Arrival<'_> {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Faults {
    /// The hooks of `config.defect`.
    pub fn new(config: &ReceiverConfig) -> Faults {
        Faults {
            defect: config.defect,
            slow_delay: config.slow_delay,
            serial: tokio::sync::Mutex::new(()),
            life: watch::Sender::new(Life::Alive),
            seen: Seen::for_defect(config.defect, config.dedupe_expiry),
            in_flight: AtomicUsize::new(0),
        }
    }

    /// The defect, for the state's `Debug`.
    pub fn defect(&self) -> Option<Defect> {
        self.defect
    }

    /// The body limit: the configured one, or `tiny-body-limit`'s 16 KiB.
    pub fn body_limit(&self, configured: usize) -> usize {
        match self.defect {
            Some(Defect::TinyBodyLimit) => TINY_BODY_LIMIT,
            _ => configured,
        }
    }

    /// On arrival: counts the request in flight; under `serial`, waits for its turn and
    /// holds it ~100 ms.
    pub async fn arrive(&self) -> Arrival<'_> {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let count = &self.in_flight;
        if self.defect != Some(Defect::Serial) {
            return Arrival { count, _turn: None };
        }
        let turn = self.serial.lock().await;
        tokio::time::sleep(SERIAL_DELAY).await;
        Arrival {
            count,
            _turn: Some(turn),
        }
    }

    /// Whether auth is checked before anything is read (`effect-before-auth`: after the
    /// effect is recorded).
    pub fn auth_first(&self) -> bool {
        self.defect != Some(Defect::EffectBeforeAuth)
    }

    /// Whether the auth header is not looked at at all (`auth-ignored`).
    pub fn ignores_auth(&self) -> bool {
        self.defect == Some(Defect::AuthIgnored)
    }

    /// Whether one value of the auth header is accepted: the secret exactly, or what
    /// `auth-prefix-match` and `auth-case-insensitive-value` let through.
    pub fn accepts(&self, auth: &AuthHeader, value: &[u8]) -> bool {
        let secret = auth.expose_value().as_bytes();
        match self.defect {
            Some(Defect::AuthPrefixMatch) => secret.starts_with(value) || value.starts_with(secret),
            Some(Defect::AuthCaseInsensitiveValue) => value.eq_ignore_ascii_case(secret),
            _ => auth.matches(value),
        }
    }

    /// After auth refused a delivery with `code`: `hangs-on-bad-auth` never answers a
    /// wrong value (403).
    pub async fn on_refused_auth(&self, code: StatusCode) {
        if self.defect == Some(Defect::HangsOnBadAuth) && code == StatusCode::FORBIDDEN {
            std::future::pending::<()>().await;
        }
    }

    /// Whether the content type is acceptable: `conforming` says, except under
    /// `strict-content-type`, which wants exactly `application/json`.
    pub fn accepts_content_type(&self, headers: &HeaderMap, conforming: bool) -> bool {
        if self.defect != Some(Defect::StrictContentType) {
            return conforming;
        }
        let value = headers.get(header::CONTENT_TYPE);
        value.and_then(|v| v.to_str().ok()) == Some("application/json")
    }

    /// Before the parse: the defects that crash the handler on some bodies.
    pub fn before_parse(&self, body: &[u8]) {
        body_faults::crash_on(self.defect, body);
    }

    /// After a valid parse: the defects that refuse a valid payload.
    pub fn refuse_valid(&self, payload: &Payload, body: &[u8]) -> Result<(), Rejection> {
        body_faults::refuse_valid(self.defect, payload, body)
    }

    /// Before recording: whether the delivery is lost, to be answered as new without an
    /// effect (`drops-non-completed`, `drops-old-events`, `loses-under-load`). `payload` is
    /// None for off-contract input accepted by choice.
    pub async fn loses(&self, payload: Option<&Payload>, status: Status) -> bool {
        match self.defect {
            Some(Defect::DropsNonCompleted) => status != Status::Completed,
            Some(Defect::DropsOldEvents) => payload.is_some_and(clock_faults::over_a_day_old),
            Some(Defect::LosesUnderLoad) => {
                tokio::time::sleep(LOAD_WORK).await;
                self.in_flight.load(Ordering::SeqCst) > LOAD_LIMIT
            }
            _ => false,
        }
    }

    /// How the store deduplicates this delivery: once per session, or as `no-dedupe` and
    /// `racy-dedupe` do. None when a dedupe defect's own memory calls it a duplicate (it
    /// then records every delivery it lets through).
    pub fn dedupe(&self, payload: Option<&Payload>) -> Option<Dedupe> {
        match (&self.seen, payload) {
            (Some(seen), Some(payload)) if !seen.first_time(payload) => None,
            (Some(_), Some(_)) => Some(Dedupe::Never),
            _ => Some(match self.defect {
                Some(Defect::NoDedupe) => Dedupe::Never,
                Some(Defect::RacyDedupe) => Dedupe::Racy(RACE_WINDOW),
                Some(Defect::SplitTransactionDedupe) => Dedupe::Split(RACE_WINDOW),
                _ => Dedupe::Once,
            }),
        }
    }

    /// After the store found a duplicate: `async-duplicate` records a second effect for it
    /// about a second later.
    pub fn on_duplicate(&self, store: &Store, session_id: String, status: Status) {
        if self.defect == Some(Defect::AsyncDuplicate) {
            record_later(store.clone(), session_id, status.as_str().to_owned());
        }
    }

    /// Before the answer: the slow defects wait past the sender's timeout.
    pub async fn before_answer(&self, status: Status) {
        let slow = match self.defect {
            Some(Defect::SlowCancelled) => status == Status::Cancelled,
            Some(Defect::SlowCompleted) => status == Status::Completed,
            _ => false,
        };
        if slow {
            tokio::time::sleep(self.slow_delay).await;
        }
    }

    /// The answer to a duplicate, when a defect refuses it (`conflict-on-duplicate`).
    pub fn refuse_duplicate(&self) -> Option<Rejection> {
        (self.defect == Some(Defect::ConflictOnDuplicate))
            .then(|| Rejection::new(StatusCode::CONFLICT, "duplicate delivery"))
    }

    /// On a body that fails the contract: what the defects that misbehave here do, and
    /// the answer when one replaces the conforming refusal.
    pub async fn on_invalid(
        &self,
        store: &Store,
        error: &ParseError,
        body: &Bytes,
        session_id: Option<String>,
    ) -> Option<Rejection> {
        let not_json = matches!(
            error,
            ParseError::InvalidJson(_) | ParseError::InvalidUtf8 { .. }
        );
        let status = body_faults::loose_field(body, "status").unwrap_or_default();
        match (self.defect, session_id) {
            (Some(Defect::DiesOnMalformedJson), _) if not_json => self.die().await,
            (Some(Defect::ErrorOnMalformedJson), _) if not_json => {
                return Some(Rejection::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error",
                ));
            }
            (Some(Defect::EffectForInvalid), Some(id)) => {
                // The defect records what it should not; its own failure is beside the point.
                let _ = store.record_effect_only(&id, &status).await;
            }
            (Some(Defect::AsyncEffectForInvalid), Some(id))
                if error.grade() == Grade::Unprocessable =>
            {
                record_later(store.clone(), id, status);
            }
            _ => {}
        }
        None
    }

    /// The `dies-on-malformed-json` defect: the server is told to close its listener,
    /// and the answer waits until it has, so that whatever the client sends next is
    /// refused, never half accepted.
    async fn die(&self) {
        self.life.send_replace(Life::Dying);
        let mut life = self.life.subscribe();
        let dead = life.wait_for(|life| *life == Life::Dead);
        let _ = tokio::time::timeout(DEATH_WAIT, dead).await;
    }

    /// Whether the `dies-on-malformed-json` defect has fired.
    pub fn has_died(&self) -> bool {
        *self.life.borrow() != Life::Alive
    }

    /// The `dies-on-malformed-json` defect's progress, which the server watches and ends.
    pub fn life(&self) -> watch::Sender<Life> {
        self.life.clone()
    }
}

/// A background job of the `async-*` defects: an effect it should not record,
/// [`LATE_EFFECT_DELAY`] after the answer.
fn record_later(store: Store, session_id: String, status: String) {
    tokio::spawn(async move {
        tokio::time::sleep(LATE_EFFECT_DELAY).await;
        // The defect records what it should not; its own failure is beside the point.
        let _ = store.record_effect_only(&session_id, &status).await;
    });
}
