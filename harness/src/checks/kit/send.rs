//! How checks send: valid deliveries and raw probes, timed, redacted, with a repro line and
//! an exchange record for the reports.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::{Method, Url};

use super::context::Ctx;
use super::probe::{Probe, Sent, header_list, header_map};
use crate::generate::fnv1a;
use crate::rawhttp::RawRequest;
use crate::repro::{AuthRepro, ReproRequest, curl, signed_script};
use crate::results::ExchangeRecord;
use crate::secrets::{REDACTED, variable_for};
use crate::standard_webhooks::Header;
use crate::transport::{Exchange, Exchanged, FailureClass, Response, TransportError};

impl Ctx {
    /// A valid delivery of `body`, with the sender's delivery headers
    /// ([`Sender::delivery_headers`](crate::sender::Sender::delivery_headers): content type,
    /// auth header, `--header`s).
    pub fn delivery(&self, body: impl Into<Bytes>) -> Probe {
        Probe {
            method: Method::POST,
            headers: header_list(&self.sender.delivery_headers()),
            body: body.into(),
            auth_repro: Some(AuthRepro::Secret),
            timed: true,
            drawn: None,
            to: None,
            signing: None,
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
        let exchanged = self
            .sender
            .exchange(Exchange {
                method: probe.method.clone(),
                url: self.url_of(probe).clone(),
                headers: header_map(&probe.headers),
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

    /// Writes a probe whole over a fresh connection and closes it unread after `patience`
    /// (half the target's typical latency): a sender whose timeout is shorter than the
    /// receiver's processing gives up mid-way like this. Returns the patience used, and
    /// whether the answer had arrived by then (then nothing was given up mid-way).
    pub async fn send_and_abandon(
        &self,
        probe: &Probe,
    ) -> Result<(Duration, bool), TransportError> {
        let _permit = self.limiter.acquire().await;
        let patience = self.abandon_patience();
        self.raw
            .send_and_abandon_seen(&self.raw_request(probe), self.timeout, patience)
            .await
            .map(|abandoned| (patience, abandoned.answered_before_hang_up))
    }

    /// How long an abandoned copy waits before its sender hangs up: as configured, else
    /// half the target's typical latency.
    pub fn abandon_patience(&self) -> Duration {
        match self.abandon_after {
            Some(patience) => patience.min(self.timeout / 2),
            None => (self.baseline / 2).clamp(Duration::from_millis(1), self.timeout / 2),
        }
    }

    /// Where a probe goes: its replica, else the run's target.
    pub fn url_of<'a>(&'a self, probe: &'a Probe) -> &'a Url {
        probe.to.as_ref().unwrap_or(&self.target)
    }

    fn raw_request(&self, probe: &Probe) -> RawRequest {
        RawRequest {
            method: probe.method.as_str().to_owned(),
            url: self.url_of(probe).clone(),
            headers: probe.headers.clone(),
            body: probe.body.clone(),
        }
    }

    fn finish_sent(&self, probe: &Probe, mut exchanged: Exchanged) -> Sent {
        if let Err(failure) = &mut exchanged.outcome {
            failure.message = self.sender.redact(&failure.message);
            if failure.class == FailureClass::Connect {
                self.mark_down("a probe", "stopped accepting connections");
            }
        }
        let repro = self.repro(probe);
        if probe.timed {
            self.record_timing(&exchanged, &repro);
        }
        let record = self.record(probe, &exchanged);
        Sent {
            exchanged,
            repro,
            record,
        }
    }

    /// Counts a valid delivery in the latency statistics and notes a timeout or redirect.
    pub(crate) fn record_timing(&self, exchanged: &Exchanged, repro: &str) {
        self.delivered
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
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
                .get_or_insert_with(|| repro.to_owned());
        }
        if let Ok(response) = &exchanged.outcome
            && response.status.is_redirection()
        {
            let location = response
                .headers
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("no Location");
            let answer = format!("{} to {location}", response.status.as_u16());
            let mut redirects = self
                .redirects
                .lock()
                .expect("redirect lock is never poisoned");
            redirects.0 += 1;
            redirects
                .1
                .get_or_insert_with(|| (answer, repro.to_owned()));
        }
    }

    /// The repro line of a probe.
    pub fn repro(&self, probe: &Probe) -> String {
        let body_file = self.body_file(&probe.body);
        let secrets = self.sender.config().client.secret_names();
        let mut request = ReproRequest {
            method: probe.method.as_str(),
            url: self.url_of(probe).as_str(),
            headers: &probe.headers,
            body: &probe.body,
            auth: self.auth.as_ref(),
            secrets: &secrets,
            auth_repro: probe.auth_repro.as_ref(),
            body_file: body_file.as_deref(),
        };
        match &probe.signing {
            Some(recipe) => {
                let others: Vec<(String, Vec<u8>)> = probe
                    .headers
                    .iter()
                    .filter(|(name, _)| name.parse::<Header>().is_err())
                    .cloned()
                    .collect();
                request.headers = &others;
                signed_script(recipe, &request)
            }
            None => curl(&request),
        }
    }

    /// The exchange as a report shows it: the auth value as the repro line writes it, any
    /// echo of the secret redacted, bodies cut to [`ExchangeRecord::MAX_BODY`].
    fn record(&self, probe: &Probe, exchanged: &Exchanged) -> ExchangeRecord {
        let auth_name = self.auth.as_ref().map(|a| a.name().as_str());
        let secrets = self.sender.config().client.secret_names();
        let request_headers = probe
            .headers
            .iter()
            .map(|(name, value)| {
                let shown = match (auth_name, &probe.auth_repro) {
                    (Some(auth), repro) if auth.eq_ignore_ascii_case(name) => match repro {
                        Some(AuthRepro::Secret) => "$HOOKCHECK_AUTH".to_owned(),
                        Some(AuthRepro::Expression(e)) => e.clone(),
                        None => REDACTED.to_owned(),
                    },
                    _ => match variable_for(&secrets, name) {
                        Some(variable) => format!("${variable}"),
                        None => String::from_utf8_lossy(value).into_owned(),
                    },
                };
                (name.clone(), shown)
            })
            .collect();
        let (status, response_headers, response_body) = match &exchanged.outcome {
            Ok(response) => (
                Some(response.status.as_u16()),
                response
                    .headers
                    .iter()
                    .map(|(n, v)| {
                        let value = self.sender.redact(&String::from_utf8_lossy(v.as_bytes()));
                        (n.as_str().to_owned(), value)
                    })
                    .collect(),
                self.sender.redact(&truncated(&response.body)),
            ),
            Err(failure) => (None, Vec::new(), failure.to_string()),
        };
        ExchangeRecord {
            method: probe.method.as_str().to_owned(),
            request_headers,
            request_body: self.sender.redact(&truncated(&probe.body)),
            request_bytes: probe.body.len(),
            status,
            response_headers,
            response_body,
            duration_ms: exchanged.duration.as_secs_f64() * 1000.0,
            drawn: probe.drawn.clone(),
        }
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
}

/// Lossy text of at most [`ExchangeRecord::MAX_BODY`] bytes, saying how much was cut.
fn truncated(body: &[u8]) -> String {
    if body.len() <= ExchangeRecord::MAX_BODY {
        return String::from_utf8_lossy(body).into_owned();
    }
    format!(
        "{}… ({} more bytes)",
        String::from_utf8_lossy(&body[..ExchangeRecord::MAX_BODY]),
        body.len() - ExchangeRecord::MAX_BODY
    )
}
