//! Sending a sequence to the target and reading effect counts: real HTTP through the
//! reference sender ([`Sender`]), effects through the [`EffectsProbe`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::future::join_all;
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::deadline::Deadline;
use super::invariant::{Answer, EffectExpectation};
use super::model::{Credential, Delivery, Expect, Method, Sequence, Step};
use super::signing;
use crate::auth::AuthHeader;
use crate::effects::EffectsProbe;
use crate::generate::MutatedHeader;
use crate::profile::Profile;
use crate::rawhttp::{RawClient, RawRequest};
use crate::sender::Sender;
use crate::spec::{PayloadBuilder, Status};
use crate::standard_webhooks::{Message, Recipe, Secret, unix_now};
use crate::transport::{Exchange, FailureClass, TransportError, display_url};

/// Where and how sequences are sent.
#[derive(Debug, Clone)]
pub struct Target {
    /// The webhook URL.
    pub url: Url,
    /// Further replicas (`--replica`): each delivery goes to the URL its
    /// [`Delivery::replica`] names (see [`super::route`]).
    pub replicas: Vec<Url>,
    /// The sender, keeping connections alive between requests.
    pub sender: Sender,
    /// A sender opening a fresh connection for each request: bad input goes out on one
    /// of these (a connection it closes is its own, never a kept-alive one the target was
    /// free to close), and a valid delivery whose kept-alive connection was closed under
    /// it is sent again on one, so that only the target's own faults are graded.
    pub fresh: Sender,
    /// The sender effect counts are read with, keeping its connections alive.
    pub effects_sender: Sender,
    /// The configured auth header, if any.
    pub auth: Option<AuthHeader>,
    /// Where effect counts come from, if anywhere.
    pub effects: Option<EffectsProbe>,
    /// Why the effects probe cannot be trusted (it failed its self-test), if so: the
    /// effect invariants are then not checked.
    pub effects_broken: Option<String>,
    /// The raw client, for copies whose sender hangs up before the answer.
    pub raw: RawClient,
    /// The bound on every request.
    pub timeout: Duration,
    /// The end of the whole command: no request, pause or read goes past it.
    pub deadline: Deadline,
    /// Set when the target stopped serving: sequences under way stop at their next step.
    pub stop: Arc<AtomicBool>,
    /// The Standard Webhooks signing secret, under `standard-webhooks`: each slot is then a
    /// message with a `webhook-id`, and every delivery is signed when it is sent.
    pub secret: Option<Secret>,
}

/// How long an abandoned copy's sender waits after writing it before it hangs up.
pub const ABANDON_PATIENCE: Duration = Duration::from_millis(2);

/// The session ids of one execution: fresh for every execution, derived from a nonce.
#[derive(Debug, Clone, Copy)]
pub struct Ids {
    nonce: u64,
}

impl Ids {
    /// The ids of one execution.
    pub fn new(nonce: u64) -> Self {
        Ids { nonce }
    }

    /// The token that replaces [`super::model::RUN_MARK`] in this execution.
    pub fn run(self) -> String {
        self.id(u64::MAX)[..8].to_owned()
    }

    /// The `webhook-id` of slot `n` under `standard-webhooks`: `msg_` and 24 letters and
    /// digits ([SD-2]).
    pub fn message_id(self, n: u64) -> String {
        crate::standard_webhooks::new_id(&mut self.rng(n))
    }

    fn rng(self, n: u64) -> StdRng {
        StdRng::seed_from_u64(self.nonce ^ n.wrapping_mul(0xa076_1d64_78bd_642f))
    }

    /// The id of slot `n` (the other sessions of a step use numbers past the slots).
    pub fn id(self, n: u64) -> String {
        let mut rng = self.rng(n);
        let mut bytes = [0u8; 16];
        rng.fill_bytes(&mut bytes);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }
}

/// A place among the sequences under way, given back during a pause and when the answers
/// are in; or no place at all (a replay runs alone).
#[derive(Debug, Default)]
pub struct Place {
    places: Option<Arc<Semaphore>>,
    held: Option<OwnedSemaphorePermit>,
}

impl Place {
    /// Waits for a place.
    pub async fn take(places: &Arc<Semaphore>) -> Place {
        let held = places.clone().acquire_owned().await.ok();
        Place {
            places: Some(places.clone()),
            held,
        }
    }

    /// Gives the place back.
    pub fn release(&mut self) {
        self.held = None;
    }

    /// Sleeps without holding the place, then takes one again; whether the whole pause
    /// fitted before `deadline`.
    async fn pause(&mut self, duration: Duration, deadline: Deadline) -> bool {
        self.release();
        if !deadline.sleep_until(Instant::now() + duration).await {
            return false;
        }
        if let Some(places) = &self.places {
            self.held = places.clone().acquire_owned().await.ok();
        }
        true
    }
}

/// What a sequence came to.
#[derive(Debug, Clone)]
pub struct Executed {
    /// Every request's answer, in step order (an abandoned copy has none).
    pub answers: Vec<Answer>,
    /// Requests sent, abandoned copies included.
    pub requests: usize,
    /// When the last answer arrived.
    pub finished: Instant,
    /// Whether the sequence stopped before its end: the time budget ran out, the target
    /// stopped serving, or a request went unanswered (the steps after it were not sent).
    pub stopped: bool,
}

impl Target {
    /// Sends every step of `sequence` in order, with session ids from `ids`. A pause gives
    /// `place` back while it waits. The sequence stops early at the deadline, when the
    /// target stopped serving, and after a step with a request the target did not answer
    /// (what follows would only repeat that finding, a timeout at a time).
    pub async fn execute(&self, sequence: &Sequence, ids: Ids, place: &mut Place) -> Executed {
        let mut answers = Vec::new();
        let mut stopped = false;
        // Abandoned copies have no answer: they are counted here.
        let mut abandoned = 0;
        for (index, step) in sequence.steps.iter().enumerate() {
            if self.deadline.passed() || self.stop.load(Ordering::SeqCst) {
                stopped = true;
                break;
            }
            let before = answers.len();
            match step {
                Step::Send(delivery) => answers.push(self.send(index, delivery, ids).await),
                Step::Together(deliveries) => {
                    let sends = deliveries.iter().map(|d| self.send(index, d, ids));
                    answers.extend(join_all(sends).await);
                }
                Step::Abandon(delivery) => match self.abandon(index, delivery, ids).await {
                    Some(refused) => answers.push(refused),
                    None => abandoned += usize::from(!self.deadline.passed()),
                },
                Step::Pause { ms } => {
                    if !place.pause(Duration::from_millis(*ms), self.deadline).await {
                        stopped = true;
                        break;
                    }
                }
                Step::Others { count } => {
                    for n in 0..*count {
                        let id = self.id(ids, 0x1_0000 + u64::from(n));
                        let answer = self.send_other(index, &self.url, id).await;
                        let unanswered = answer.unanswered();
                        answers.push(answer);
                        if unanswered || self.deadline.passed() {
                            break;
                        }
                    }
                }
            }
            if answers[before..].iter().any(Answer::unanswered) {
                stopped = index + 1 < sequence.steps.len();
                break;
            }
        }
        Executed {
            requests: answers.iter().filter(|a| !a.cut).count() + abandoned,
            answers,
            finished: Instant::now(),
            stopped,
        }
    }

    /// The contract graded: `standard-webhooks` with a signing secret.
    pub fn profile(&self) -> Profile {
        match self.secret {
            Some(_) => Profile::StandardWebhooks,
            None => Profile::Cr3dentials,
        }
    }

    /// The id of slot `n` in an execution: a UUID, or under `standard-webhooks` a
    /// `webhook-id`.
    pub fn id(&self, ids: Ids, n: u64) -> String {
        match self.secret {
            Some(_) => ids.message_id(n),
            None => ids.id(n),
        }
    }

    /// The first delivery of a run: one valid COMPLETED delivery of a fresh session (under
    /// `standard-webhooks`, one message).
    pub fn first_sequence(&self) -> Sequence {
        let (label, body) = match self.secret {
            Some(_) => (
                "valid/first-delivery",
                other_message("hookcheck.fuzz.first", super::model::RUN_MARK),
            ),
            None => (
                "valid/completed/first-delivery",
                PayloadBuilder::new(Status::Completed)
                    .seed(0x07e5)
                    .external_reference_id(Some(format!("order-first-{}", super::model::RUN_MARK)))
                    .session_id(super::model::SESSION_MARK)
                    .build()
                    .to_json_bytes(),
            ),
        };
        let delivery = Delivery {
            session: 0,
            label: label.into(),
            expect: Expect::Valid,
            method: Method::Post,
            content_type: Some("application/json".into()),
            credential: Credential::Configured,
            observed: true,
            body: super::model::Body::from_bytes(body),
            replica: 0,
        };
        Sequence {
            steps: vec![Step::Send(delivery)],
        }
    }

    /// Asks the effects probe about a session never delivered: it must count 0, as `run`'s
    /// self-test asks. Why the probe cannot be trusted, if it cannot.
    pub async fn self_test(&self) -> Option<String> {
        let probe = self.effects.as_ref()?;
        let session = match self.secret {
            Some(_) => crate::standard_webhooks::new_id(&mut rand::rng()),
            None => uuid::Uuid::new_v4().to_string(),
        };
        let counted = self
            .deadline
            .run(probe.count(&self.effects_sender, &session))
            .await;
        match counted {
            Some(Ok(0)) => None,
            Some(Ok(n)) => Some(format!(
                "the effects probe failed its self-test: it counted {} for a session never delivered ({session}), so its counts cannot be trusted",
                crate::count::count(n, "effect")
            )),
            Some(Err(e)) => Some(format!(
                "the effects probe failed its self-test: {}",
                self.fresh.redact(&e.to_string())
            )),
            None => Some(format!("the effects probe's self-test: {BUDGET_RAN_OUT}")),
        }
    }

    /// Whether the target (and every replica) still accepts a connection: a valid delivery
    /// of a fresh session that is answered at all (any status), or times out; a refused
    /// connection is an error, naming the replica that refused (a target that accepts and
    /// never answers is caught by [`super::tally::HUNG_AFTER`] instead, without blaming this
    /// invariant).
    pub async fn alive(&self, ids: Ids) -> Result<(), TransportError> {
        for (k, url) in self.urls().enumerate() {
            let answer = self
                .send_other(0, url, self.id(ids, 0x2_0000 + k as u64))
                .await;
            match answer.outcome {
                Err(e) if e.class == FailureClass::Connect && !answer.cut && k == 0 => {
                    return Err(e);
                }
                Err(e) if e.class == FailureClass::Connect && !answer.cut => {
                    return Err(TransportError {
                        message: format!("the replica {}: {}", display_url(url), e.message),
                        ..e
                    });
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The first replica nothing can be delivered to (a refused connection, a failed TLS
    /// handshake, an answer that is not HTTP), with why; checked before fuzzing starts.
    pub async fn unreachable_replica(&self, ids: Ids) -> Option<String> {
        for (k, url) in self.replicas.iter().enumerate() {
            let answer = self
                .send_other(0, url, self.id(ids, 0x3_0000 + k as u64))
                .await;
            match answer.outcome {
                Err(e) if !answer.cut && undeliverable(e.class) => {
                    return Some(format!("{}: {e}", display_url(url)));
                }
                _ => {}
            }
        }
        None
    }

    /// The target, then the replicas.
    pub fn urls(&self) -> impl Iterator<Item = &Url> {
        std::iter::once(&self.url).chain(&self.replicas)
    }

    /// Where `delivery` goes: its replica, else the target.
    fn url_of(&self, delivery: &Delivery) -> &Url {
        match usize::from(delivery.replica) {
            0 => &self.url,
            k => self.replicas.get(k - 1).unwrap_or(&self.url),
        }
    }

    /// Reads the effect count of every session in `sessions`, at once. A read the
    /// deadline cut short is an error, like one the probe failed.
    pub async fn counts(&self, sessions: &[u16], ids: Ids) -> BTreeMap<u16, Result<u64, String>> {
        let Some(probe) = &self.effects else {
            return BTreeMap::new();
        };
        let queries = sessions.iter().map(|&session| async move {
            let id = self.id(ids, u64::from(session));
            let count = match self
                .deadline
                .run(probe.count(&self.effects_sender, &id))
                .await
            {
                Some(count) => count.map_err(|err| self.fresh.redact(&err.to_string())),
                None => Err(BUDGET_RAN_OUT.to_owned()),
            };
            (session, count)
        });
        join_all(queries).await.into_iter().collect()
    }

    /// The expectations' sessions.
    pub fn sessions(expectations: &[EffectExpectation]) -> Vec<u16> {
        expectations.iter().map(|e| e.session).collect()
    }

    /// The body and headers of `delivery` as sent now in execution `ids`: under
    /// `standard-webhooks` signed with a fresh timestamp, as its credential says.
    fn request(&self, delivery: &Delivery, ids: Ids) -> (Vec<u8>, HeaderMap) {
        let id = self.id(ids, u64::from(delivery.session));
        let body = delivery.body.sent(&id, &ids.run());
        let mut headers = self.headers(delivery);
        match &self.secret {
            Some(secret) => {
                let recipe = signing::recipe(delivery.credential.signing(), &id, body);
                (sign_into(&mut headers, &recipe, secret), headers)
            }
            None => (body, headers),
        }
    }

    async fn send(&self, step: usize, delivery: &Delivery, ids: Ids) -> Answer {
        let (body, headers) = self.request(delivery, ids);
        let mut exchange = Exchange::post(self.url_of(delivery).clone(), body);
        exchange.method = match delivery.method {
            Method::Post => reqwest::Method::POST,
            Method::Get => reqwest::Method::GET,
        };
        exchange.headers = headers;
        let (outcome, duration, cut) = self.exchange(exchange, delivery.expect.is_valid()).await;
        Answer {
            step,
            session: Some(delivery.session),
            expect: delivery.expect,
            label: delivery.label.clone(),
            outcome,
            duration,
            cut,
        }
    }

    /// Writes a delivery whole and hangs up unread. No answer is graded; only a refused
    /// connection (the target is down) is returned.
    async fn abandon(&self, step: usize, delivery: &Delivery, ids: Ids) -> Option<Answer> {
        let (body, headers) = self.request(delivery, ids);
        let mut request =
            RawRequest::new(delivery.method.as_str(), self.url_of(delivery).clone()).body(body);
        for (name, value) in &headers {
            request = request.header(name.as_str(), value.as_bytes());
        }
        let timeout = self.deadline.clip(self.timeout)?;
        let written = self
            .raw
            .send_and_abandon(&request, timeout, ABANDON_PATIENCE)
            .await;
        match written {
            Err(e) if e.class == FailureClass::Connect => Some(Answer {
                step,
                session: Some(delivery.session),
                expect: delivery.expect,
                label: delivery.label.clone(),
                outcome: Err(e),
                duration: Duration::ZERO,
                cut: false,
            }),
            _ => None,
        }
    }

    /// The body and headers of a valid delivery of another session or message, `id`.
    fn other_request(&self, id: &str) -> (Vec<u8>, HeaderMap) {
        let mut headers = self.sender.delivery_headers();
        let Some(secret) = &self.secret else {
            let payload = PayloadBuilder::new(Status::Completed)
                .seed(0x07e5)
                .external_reference_id(Some(format!("order-other-{}", &id[..8])))
                .session_id(id)
                .build();
            return (payload.to_json_bytes(), headers);
        };
        let recipe = signing::recipe(None, id, other_message("hookcheck.fuzz.other", id));
        (sign_into(&mut headers, &recipe, secret), headers)
    }

    async fn send_other(&self, step: usize, url: &Url, id: String) -> Answer {
        let (body, headers) = self.other_request(&id);
        let mut exchange = Exchange::post(url.clone(), body);
        exchange.headers = headers;
        let (outcome, duration, cut) = self.exchange(exchange, true).await;
        Answer {
            step,
            session: None,
            expect: Expect::Valid,
            label: "valid/completed/other-session".into(),
            outcome,
            duration,
            cut,
        }
    }

    /// The headers of a delivery: the sender's, with its content type and credential.
    fn headers(&self, delivery: &Delivery) -> HeaderMap {
        let mut headers = self.sender.delivery_headers();
        headers.remove(CONTENT_TYPE);
        if let Some(value) = delivery
            .content_type
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            headers.insert(CONTENT_TYPE, value);
        }
        if let (Credential::Mutated(mutation), Some(auth)) = (delivery.credential, &self.auth) {
            headers.remove(auth.name());
            if let Ok(MutatedHeader::Value { value, .. }) =
                mutation.apply(auth.expose_value().as_bytes())
                && let Ok(value) = HeaderValue::from_bytes(&value)
            {
                headers.insert(auth.name().clone(), value);
            }
        }
        headers
    }

    /// One exchange, bounded by the timeout and the deadline; whether the deadline cut it
    /// short comes third. A valid delivery goes out on a kept-alive connection, and a
    /// closed one is tried once more on a fresh connection, since the target may close a
    /// kept-alive connection at any moment between requests. Any other request goes out on
    /// a fresh connection and is never tried again: a connection closed on bad input is a
    /// crash.
    async fn exchange(
        &self,
        mut exchange: Exchange,
        valid: bool,
    ) -> (Result<u16, TransportError>, Duration, bool) {
        let Some(timeout) = self.deadline.clip(self.timeout) else {
            let cut = TransportError {
                class: FailureClass::Timeout,
                message: BUDGET_RAN_OUT.into(),
            };
            return (Err(cut), Duration::ZERO, true);
        };
        exchange.timeout = Some(timeout);
        let sender = if valid { &self.sender } else { &self.fresh };
        let first = sender.exchange(exchange.clone()).await;
        let exchanged = match &first.outcome {
            Err(e) if valid && e.class == FailureClass::Closed => {
                match self.deadline.clip(self.timeout) {
                    Some(left) => {
                        exchange.timeout = Some(left);
                        self.fresh.exchange(exchange).await
                    }
                    None => first,
                }
            }
            _ => first,
        };
        let cut = timeout < self.timeout
            && matches!(&exchanged.outcome, Err(e) if e.class == FailureClass::Timeout);
        let outcome = exchanged.outcome.map(|r| r.status.as_u16());
        (outcome, exchanged.duration, cut)
    }
}

/// A Standard Webhooks message of `event_type` whose data names `reference`, compact.
pub fn other_message(event_type: &str, reference: &str) -> Vec<u8> {
    let message = Message {
        id: String::new(),
        event_type: event_type.to_owned(),
        occurred: crate::spec::format_timestamp(time::OffsetDateTime::now_utc()),
        data: serde_json::json!({ "ref": reference }),
    };
    message.body()
}

/// Makes `recipe`'s attempt now: its Standard Webhooks headers go into `headers` (marked
/// sensitive), its body is returned.
fn sign_into(headers: &mut HeaderMap, recipe: &Recipe, secret: &Secret) -> Vec<u8> {
    let attempt = recipe.attempt(secret, unix_now());
    for (name, value) in &attempt.headers {
        if let Ok(mut value) = HeaderValue::from_str(value) {
            value.set_sensitive(true);
            headers.insert(HeaderName::from_static(name.as_str()), value);
        }
    }
    attempt.body
}

/// Whether a failure of this class means nothing can be delivered to the URL at all.
pub fn undeliverable(class: FailureClass) -> bool {
    matches!(
        class,
        FailureClass::Connect | FailureClass::Tls | FailureClass::Protocol
    )
}

/// Why a request, a pause or a read was cut short.
pub const BUDGET_RAN_OUT: &str = "the time budget (--time) ran out first";
