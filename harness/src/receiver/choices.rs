//! Legitimate choices: ways a conforming receiver may differ from the default one without
//! breaking SPEC §3, so that the runner can be proven not to fail them.

use std::fmt;
use std::time::Duration;

use axum::http::StatusCode;

/// How long `--async-processing` waits before it records a delivery's effect.
pub const ASYNC_PROCESSING_DELAY: Duration = Duration::from_millis(300);
/// How long every answer to a delivery is delayed unless told otherwise: not at all.
pub const DEFAULT_ANSWER_DELAY: Duration = Duration::ZERO;

crate::closed::closed_enum! {
    /// The 2xx a valid delivery is answered with (`hookcheck serve --ack-status`); its
    /// name is the code as `--ack-status` takes it: `200`, `202` or `204`.
    #[derive(Default)]
    pub enum AckStatus as "ack status" {
        /// `200 {"duplicate": bool}`.
        #[default]
        Ok => "200",
        /// `202 {"duplicate": bool}`.
        Accepted => "202",
        /// `204` with an empty body.
        NoContent => "204",
    }
}

impl AckStatus {
    /// The HTTP status code.
    pub fn code(self) -> StatusCode {
        match self {
            AckStatus::Ok => StatusCode::OK,
            AckStatus::Accepted => StatusCode::ACCEPTED,
            AckStatus::NoContent => StatusCode::NO_CONTENT,
        }
    }
}

/// The legitimate choices a receiver makes. [`Default`]: 200 at once, refuse off-contract
/// input (422/415) and unknown statuses (422), process before answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct Choices {
    /// The 2xx a valid delivery gets.
    pub ack: AckStatus,
    /// Accept (2xx) and process off-contract input (SPEC [D-12]) instead of refusing it.
    pub accept_off_contract: bool,
    /// Answer 2xx and record nothing for an otherwise valid body with an unknown status.
    pub ignore_unknown_status: bool,
    /// Delay every answer to a delivery by this much.
    pub delay: Duration,
    /// Answer 202 at once and record the effect [`ASYNC_PROCESSING_DELAY`] later.
    pub async_processing: bool,
    /// With `async_processing`, record the effect this long after the answer instead of
    /// [`ASYNC_PROCESSING_DELAY`], as a queue that is behind does.
    pub async_delay: Option<Duration>,
}

impl Default for Choices {
    fn default() -> Self {
        Choices {
            ack: AckStatus::default(),
            accept_off_contract: false,
            ignore_unknown_status: false,
            delay: DEFAULT_ANSWER_DELAY,
            async_processing: false,
            async_delay: None,
        }
    }
}

impl fmt::Display for Choices {
    /// The choices that differ from the defaults, comma-separated (`defaults` if none).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if self.ack != AckStatus::default() {
            parts.push(format!("ack {}", self.ack));
        }
        if self.accept_off_contract {
            parts.push("accept off-contract input".to_owned());
        }
        if self.ignore_unknown_status {
            parts.push("ignore unknown statuses".to_owned());
        }
        if !self.delay.is_zero() {
            parts.push(format!("answer after {:?}", self.delay));
        }
        if self.async_processing {
            parts.push(match self.async_delay {
                Some(delay) => format!("process in the background after {delay:?}"),
                None => "process in the background".to_owned(),
            });
        }
        if parts.is_empty() {
            return f.write_str("defaults");
        }
        f.write_str(&parts.join(", "))
    }
}

impl Choices {
    /// Answers valid deliveries with this 2xx.
    pub fn ack(mut self, ack: AckStatus) -> Self {
        self.ack = ack;
        self
    }

    /// Accepts and processes off-contract input.
    pub fn accept_off_contract(mut self, yes: bool) -> Self {
        self.accept_off_contract = yes;
        self
    }

    /// Acknowledges and ignores an unknown status.
    pub fn ignore_unknown_status(mut self, yes: bool) -> Self {
        self.ignore_unknown_status = yes;
        self
    }

    /// Delays every answer to a delivery.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Answers 202 at once and processes in the background.
    pub fn async_processing(mut self, yes: bool) -> Self {
        self.async_processing = yes;
        self
    }

    /// Processes in the background this long after the answer (implies
    /// `async_processing`).
    pub fn async_delay(mut self, delay: Duration) -> Self {
        self.async_processing = true;
        self.async_delay = Some(delay);
        self
    }

    /// How long background processing waits before it records an effect.
    pub fn processing_delay(&self) -> Duration {
        self.async_delay.unwrap_or(ASYNC_PROCESSING_DELAY)
    }
}
