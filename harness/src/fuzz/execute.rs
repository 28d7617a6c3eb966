//! Sending a sequence to the target and reading effect counts: real HTTP through the
//! reference sender ([`Sender`]), effects through the [`EffectsProbe`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::join_all;
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::invariant::{Answer, EffectExpectation};
use super::model::{Credential, Delivery, Expect, Method, Sequence, Step};
use crate::auth::AuthHeader;
use crate::effects::EffectsProbe;
use crate::generate::MutatedHeader;
use crate::rawhttp::{RawClient, RawRequest};
use crate::sender::{Exchange, FailureClass, Sender, TransportError};
use crate::spec::{PayloadBuilder, Status};

/// Where and how sequences are sent.
#[derive(Debug, Clone)]
pub struct Target {
    /// The webhook URL.
    pub url: Url,
    /// The sender, keeping connections alive between requests.
    pub sender: Sender,
    /// A sender opening a fresh connection for each request: a request whose kept-alive
    /// connection was closed under it is sent again on one of these, so that only the
    /// target's own faults are graded.
    pub fresh: Sender,
    /// The configured auth header, if any.
    pub auth: Option<AuthHeader>,
    /// Where effect counts come from, if anywhere.
    pub effects: Option<EffectsProbe>,
    /// The raw client, for copies whose sender hangs up before the answer.
    pub raw: RawClient,
    /// The bound on every request.
    pub timeout: Duration,
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

    /// The id of slot `n` (the other sessions of a step use numbers past the slots).
    pub fn id(self, n: u64) -> String {
        let mut rng = StdRng::seed_from_u64(self.nonce ^ n.wrapping_mul(0xa076_1d64_78bd_642f));
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

    /// Sleeps without holding the place, then takes one again.
    async fn pause(&mut self, duration: Duration) {
        self.release();
        tokio::time::sleep(duration).await;
        if let Some(places) = &self.places {
            self.held = places.clone().acquire_owned().await.ok();
        }
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
}

impl Target {
    /// Sends every step of `sequence` in order, with session ids from `ids`.
    /// A pause gives `place` back while it waits.
    pub async fn execute(&self, sequence: &Sequence, ids: Ids, place: &mut Place) -> Executed {
        let mut answers = Vec::new();
        for (index, step) in sequence.steps.iter().enumerate() {
            match step {
                Step::Send(delivery) => answers.push(self.send(index, delivery, ids).await),
                Step::Together(deliveries) => {
                    let sends = deliveries.iter().map(|d| self.send(index, d, ids));
                    answers.extend(join_all(sends).await);
                }
                Step::Abandon(delivery) => answers.extend(self.abandon(index, delivery, ids).await),
                Step::Pause { ms } => place.pause(Duration::from_millis(*ms)).await,
                Step::Others { count } => {
                    for n in 0..*count {
                        answers.push(
                            self.send_other(index, ids.id(0x1_0000 + u64::from(n)))
                                .await,
                        );
                    }
                }
            }
        }
        Executed {
            answers,
            requests: sequence.cases(),
            finished: Instant::now(),
        }
    }

    /// Whether the target still accepts a connection: a valid delivery of a fresh session
    /// that is answered at all (any status).
    pub async fn alive(&self, ids: Ids) -> Result<(), TransportError> {
        let answer = self.send_other(0, ids.id(0x2_0000)).await;
        match answer.outcome {
            Err(e) if e.class == FailureClass::Connect => Err(e),
            _ => Ok(()),
        }
    }

    /// Reads the effect count of every session in `expectations`, at once.
    pub async fn counts(
        &self,
        expectations: &[EffectExpectation],
        ids: Ids,
    ) -> BTreeMap<u16, Result<u64, String>> {
        let Some(probe) = &self.effects else {
            return BTreeMap::new();
        };
        let queries = expectations.iter().map(|e| async move {
            let id = ids.id(u64::from(e.session));
            let count = probe
                .count(&self.fresh, &id)
                .await
                .map_err(|err| self.fresh.redact(&err.to_string()));
            (e.session, count)
        });
        join_all(queries).await.into_iter().collect()
    }

    async fn send(&self, step: usize, delivery: &Delivery, ids: Ids) -> Answer {
        let id = ids.id(u64::from(delivery.session));
        let mut exchange = Exchange::post(self.url.clone(), delivery.body.sent(&id, &ids.run()));
        exchange.method = match delivery.method {
            Method::Post => reqwest::Method::POST,
            Method::Get => reqwest::Method::GET,
        };
        exchange.headers = self.headers(delivery);
        exchange.timeout = Some(self.timeout);
        let (outcome, duration) = self.exchange(exchange).await;
        Answer {
            step,
            session: Some(delivery.session),
            expect: delivery.expect,
            label: delivery.label.clone(),
            outcome,
            duration,
        }
    }

    /// Writes a delivery whole and hangs up unread. No answer is graded; only a refused
    /// connection (the target is down) is returned.
    async fn abandon(&self, step: usize, delivery: &Delivery, ids: Ids) -> Option<Answer> {
        let id = ids.id(u64::from(delivery.session));
        let mut request = RawRequest::new(delivery.method.as_str(), self.url.clone())
            .body(delivery.body.sent(&id, &ids.run()));
        for (name, value) in &self.headers(delivery) {
            request = request.header(name.as_str(), value.as_bytes());
        }
        let written = self
            .raw
            .send_and_abandon(&request, self.timeout, ABANDON_PATIENCE)
            .await;
        match written {
            Err(e) if e.class == FailureClass::Connect => Some(Answer {
                step,
                session: Some(delivery.session),
                expect: delivery.expect,
                label: delivery.label.clone(),
                outcome: Err(e),
                duration: Duration::ZERO,
            }),
            _ => None,
        }
    }

    async fn send_other(&self, step: usize, id: String) -> Answer {
        let reference = format!("order-other-{}", &id[..8]);
        let payload = PayloadBuilder::new(Status::Completed)
            .seed(0x07e5)
            .external_reference_id(Some(reference))
            .session_id(id)
            .build();
        let mut exchange = Exchange::post(self.url.clone(), payload.to_json_bytes());
        exchange.headers = self.sender.delivery_headers();
        exchange.timeout = Some(self.timeout);
        let (outcome, duration) = self.exchange(exchange).await;
        Answer {
            step,
            session: None,
            expect: Expect::Valid,
            label: "valid/completed/other-session".into(),
            outcome,
            duration,
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

    /// One exchange; a closed connection is tried once more on a fresh one, since a
    /// kept-alive connection may be closed by the target at any moment between requests.
    async fn exchange(&self, exchange: Exchange) -> (Result<u16, TransportError>, Duration) {
        let first = self.sender.exchange(exchange.clone()).await;
        let exchanged = match &first.outcome {
            Err(e) if e.class == FailureClass::Closed => self.fresh.exchange(exchange).await,
            _ => first,
        };
        let outcome = exchanged.outcome.map(|r| r.status.as_u16());
        (outcome, exchanged.duration)
    }
}
