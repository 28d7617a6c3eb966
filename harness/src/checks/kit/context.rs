//! What every check family shares during a run: the clients, the target, the payload
//! generator, the latency recorder, and the channel results leave by.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::{Method, Url};
use tokio::sync::{Semaphore, mpsc};

use super::probe::{Probe, Sent, header_list, header_map};
use super::verdict::{Verdict, VerdictOutcome};
use crate::auth::AuthHeader;
use crate::catalogue::requirement_of;
use crate::effects::EffectsProbe;
use crate::latency::LatencyRecorder;
use crate::rawhttp::{RawClient, RawRequest};
use crate::repro::{AuthRepro, ReproRequest, curl};
use crate::results::{CheckResult, Outcome};
use crate::sender::{Exchange, Exchanged, FailureClass, Response, Sender, TransportError};
use crate::spec::{PayloadBuilder, Status};

/// Shared state of one run.
pub struct Ctx {
    /// The client every probe goes through (insecure when the certificate failed and the
    /// run continues to grade the rest).
    pub sender: Sender,
    /// The raw HTTP/1.1 client for probes reqwest cannot express.
    pub raw: RawClient,
    /// The webhook URL.
    pub target: Url,
    /// The configured auth header.
    pub auth: Option<AuthHeader>,
    /// The sender timeout deliveries are graded against.
    pub timeout: Duration,
    /// Where effect counts come from, if anywhere.
    pub effects: Option<EffectsProbe>,
    /// The client effect queries go through: the run's TLS trust, a short timeout.
    pub effects_sender: Sender,
    /// The run's seed.
    pub seed: u64,
    /// How long to wait after deliveries before counting their effects.
    pub settle: Duration,
    /// How long the preflight delivery took: the target's typical latency.
    pub baseline: Duration,
    /// How many deliveries the burst probe sends at once.
    pub burst: usize,
    /// Where bodies too long for a repro line are written (`--bodies`).
    pub bodies_dir: Option<std::path::PathBuf>,
    /// The ids of the checks this run includes, `--only` and `--skip` applied.
    pub planned: HashSet<String>,
    pub(crate) latency: Mutex<LatencyRecorder>,
    /// The repro line of the first valid delivery that timed out, for `latency/within-timeout`.
    pub(crate) first_timeout: Mutex<Option<String>>,
    pub(crate) limiter: Semaphore,
    pub(crate) results: mpsc::UnboundedSender<RunMessage>,
}

/// What the families tell the runner's reporting loop.
#[derive(Debug)]
pub enum RunMessage {
    /// A phase started.
    Phase(&'static str),
    /// A check finished.
    Check(CheckResult),
}

impl Ctx {
    /// Tells the reporters a phase started.
    pub fn phase(&self, name: &'static str) {
        let _ = self.results.send(RunMessage::Phase(name));
    }

    /// Whether the check is in the catalogue and selected for this run.
    pub fn selected(&self, check_id: &str) -> bool {
        self.planned.contains(check_id)
    }

    /// Whether any of these checks runs.
    pub fn any_selected<S: AsRef<str>>(&self, check_ids: impl IntoIterator<Item = S>) -> bool {
        check_ids.into_iter().any(|id| self.selected(id.as_ref()))
    }

    /// A payload builder whose random values follow from the run's seed and `label`, so that
    /// `--seed` repeats a run exactly and every label gets its own session.
    pub fn payload(&self, status: Status, label: &str) -> PayloadBuilder {
        PayloadBuilder::new(status).seed(self.seed ^ fnv1a(label.as_bytes()))
    }

    /// A valid delivery of `body`, with the sender's delivery headers
    /// ([`Sender::delivery_headers`]: content type, auth header, `--header`s).
    pub fn delivery(&self, body: impl Into<Bytes>) -> Probe {
        Probe {
            method: Method::POST,
            headers: header_list(&self.sender.delivery_headers()),
            body: body.into(),
            auth_repro: Some(AuthRepro::Secret),
            timed: true,
        }
    }

    /// Sends a probe through the HTTP client and times it, waiting for a place among the
    /// run's requests in flight.
    pub async fn send(&self, probe: &Probe) -> Sent {
        let _permit = self.limiter.acquire().await;
        self.send_now(probe).await
    }

    /// Sends a probe at once, outside the limit on requests in flight: for probes whose
    /// point is to arrive together (a burst, concurrent duplicates).
    pub async fn send_now(&self, probe: &Probe) -> Sent {
        let headers = header_map(&probe.headers);
        let exchanged = self
            .sender
            .exchange(Exchange {
                method: probe.method.clone(),
                url: self.target.clone(),
                headers,
                body: probe.body.clone(),
                timeout: Some(self.timeout),
            })
            .await;
        self.finish_sent(probe, exchanged)
    }

    /// Sends a probe through the raw HTTP/1.1 client (header names keep their case) and
    /// times it.
    pub async fn send_raw(&self, probe: &Probe) -> Sent {
        let _permit = self.limiter.acquire().await;
        let raw = self.raw.send(&self.raw_request(probe), self.timeout).await;
        let exchanged = Exchanged {
            duration: raw.duration,
            outcome: raw.outcome.and_then(|response| {
                let status =
                    reqwest::StatusCode::from_u16(response.status).map_err(|_| TransportError {
                        class: FailureClass::Protocol,
                        message: format!("invalid status code {}", response.status),
                    })?;
                Ok(Response {
                    status,
                    version: reqwest::Version::HTTP_11,
                    headers: HeaderMap::new(),
                    body: response.body,
                    body_truncated: false,
                })
            }),
        };
        self.finish_sent(probe, exchanged)
    }

    /// Writes a probe whole over a fresh connection and closes it unread after half the
    /// target's typical latency: a sender whose timeout is shorter than the receiver's
    /// processing gives up mid-way like this.
    pub async fn send_and_abandon(&self, probe: &Probe) -> Result<Duration, TransportError> {
        let _permit = self.limiter.acquire().await;
        let patience = (self.baseline / 2).clamp(Duration::from_millis(1), self.timeout / 2);
        self.raw
            .send_and_abandon(&self.raw_request(probe), self.timeout, patience)
            .await
    }

    fn raw_request(&self, probe: &Probe) -> RawRequest {
        RawRequest {
            method: probe.method.as_str().to_owned(),
            url: self.target.clone(),
            headers: probe.headers.clone(),
            body: probe.body.clone(),
        }
    }

    fn finish_sent(&self, probe: &Probe, mut exchanged: Exchanged) -> Sent {
        if let Err(failure) = &mut exchanged.outcome {
            failure.message = self.sender.redact(&failure.message);
        }
        if probe.timed {
            let timed_out = matches!(
                &exchanged.outcome,
                Err(TransportError {
                    class: FailureClass::Timeout,
                    ..
                })
            );
            let duration = if timed_out {
                exchanged.duration.max(self.timeout)
            } else {
                exchanged.duration
            };
            self.latency
                .lock()
                .expect("latency lock is never poisoned")
                .record(duration, timed_out);
            if timed_out {
                self.first_timeout
                    .lock()
                    .expect("timeout lock is never poisoned")
                    .get_or_insert_with(|| self.repro(probe));
            }
        }
        let repro = self.repro(probe);
        Sent { exchanged, repro }
    }

    /// The repro line of a probe.
    pub fn repro(&self, probe: &Probe) -> String {
        let body_file = self.body_file(&probe.body);
        curl(&ReproRequest {
            method: probe.method.as_str(),
            url: self.target.as_str(),
            headers: &probe.headers,
            body: &probe.body,
            auth: self.auth.as_ref(),
            auth_repro: probe.auth_repro.as_ref(),
            body_file: body_file.as_deref(),
        })
    }

    /// With `--bodies DIR`, the file in DIR that holds a body too long for a repro line,
    /// named for its content and written once; `None` when there is no such folder or the
    /// file cannot be written (the repro line then says the body is not shown).
    fn body_file(&self, body: &[u8]) -> Option<std::path::PathBuf> {
        let dir = self.bodies_dir.as_ref()?;
        if body.len() <= crate::repro::MAX_INLINE_BODY {
            return None;
        }
        let path = dir.join(format!("body-{:016x}.bin", fnv1a(body)));
        if !path.exists() {
            std::fs::write(&path, body).ok()?;
        }
        Some(path)
    }

    /// How many times the target processed a session, or why that cannot be known.
    /// `None` when the run has no effects probe.
    pub async fn effect_count(&self, session_id: &str) -> Option<Result<u64, String>> {
        let probe = self.effects.as_ref()?;
        Some(
            probe
                .count(&self.effects_sender, session_id)
                .await
                .map_err(|e| e.to_string()),
        )
    }

    /// Reports one check's result; level, category and requirement come from the catalogue.
    pub fn report(&self, check_id: &str, started: Instant, verdict: Verdict) {
        let requirement = requirement_of(check_id)
            .unwrap_or_else(|| panic!("check `{check_id}` is not in the catalogue"));
        let outcome = match verdict.outcome {
            VerdictOutcome::Holds => Outcome::Pass,
            VerdictOutcome::Broken => Outcome::broken(requirement.level),
            VerdictOutcome::Skip => Outcome::Skip,
            VerdictOutcome::NoVerdict => Outcome::Error,
            VerdictOutcome::Warn => Outcome::Warn,
        };
        let repro = match outcome {
            Outcome::Pass | Outcome::Skip => None,
            _ => verdict.repro,
        };
        let result = CheckResult {
            id: check_id.to_owned(),
            requirement_id: requirement.id.to_owned(),
            category: requirement.category,
            level: requirement.level,
            outcome,
            requirement: requirement.text.to_owned(),
            clause: requirement.clause.to_owned(),
            expected: verdict.expected,
            actual: self.sender.redact(&verdict.actual),
            repro,
            duration_ms: started.elapsed().as_millis() as u64,
            exchanges: Vec::new(),
        };
        // The receiving end lives until every family has finished.
        let _ = self.results.send(RunMessage::Check(result));
    }

    /// Reports a skipped check.
    pub fn skip(&self, check_id: &str, reason: impl Into<String>) {
        if self.selected(check_id) {
            self.report(check_id, Instant::now(), Verdict::skip(reason));
        }
    }

    /// Grades a probe that must get a complete 2xx in time.
    pub fn expect_2xx(&self, sent: &Sent) -> Verdict {
        let expected = format!(
            "2xx within {}",
            crate::sender::format_duration(self.timeout)
        );
        let actual = sent.describe();
        let outcome = match &sent.exchanged.outcome {
            Ok(response) if response.status.is_success() => VerdictOutcome::Holds,
            Ok(_) => VerdictOutcome::Broken,
            Err(e) if e.class == FailureClass::Connect => VerdictOutcome::NoVerdict,
            Err(_) => VerdictOutcome::Broken,
        };
        Verdict {
            outcome,
            expected,
            actual,
            repro: Some(sent.repro.clone()),
        }
    }
}

/// FNV-1a: a stable, dependency-free hash for mixing labels into the seed.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
