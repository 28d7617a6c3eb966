//! One record per delivery, for the `serve` command's stderr log and for callers that
//! want to watch deliveries arrive. It never holds the auth header value.

use std::fmt;

/// What the receiver did with a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DeliveryOutcome {
    /// First delivery of its session: the effect was recorded.
    #[default]
    New,
    /// The session was processed before: no new effect.
    Duplicate,
    /// Acknowledged 2xx and not recorded, by choice (an unknown status).
    Ignored,
    /// Answered 202 at once; the effect is recorded in the background.
    Queued,
    /// Refused with a non-2xx answer.
    Rejected {
        /// Why, in a few words.
        reason: String,
    },
}

/// One delivery as the receiver saw it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeliveryLog {
    /// The `sessionId`, when the body had one.
    pub session_id: Option<String>,
    /// The status, when the body was valid.
    pub status: Option<String>,
    /// The HTTP status code answered.
    pub code: u16,
    /// New, duplicate or rejected.
    pub outcome: DeliveryOutcome,
}

/// Longest session id a log line shows; a hostile one can be megabytes long.
const SHOWN_ID_CHARS: usize = 80;

impl fmt::Display for DeliveryLog {
    /// One line: `session=ID status=STATUS code=200 new`. Control characters in the
    /// session id are escaped so that a body cannot forge log lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = match &self.session_id {
            Some(id) => {
                let mut shown: String = id.chars().take(SHOWN_ID_CHARS).collect();
                if id.chars().count() > SHOWN_ID_CHARS {
                    shown.push('…');
                }
                shown.escape_debug().to_string()
            }
            None => "-".into(),
        };
        let status = self.status.as_deref().unwrap_or("-");
        write!(f, "session={id} status={status} code={} ", self.code)?;
        match &self.outcome {
            DeliveryOutcome::New => f.write_str("new"),
            DeliveryOutcome::Duplicate => f.write_str("duplicate"),
            DeliveryOutcome::Ignored => f.write_str("ignored"),
            DeliveryOutcome::Queued => f.write_str("queued"),
            DeliveryOutcome::Rejected { reason } => {
                write!(f, "rejected: {}", reason.escape_debug())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostile_session_id_stays_on_one_short_line() {
        let log = DeliveryLog {
            session_id: Some(format!("a\nforged line{}", "x".repeat(1000))),
            status: None,
            code: 422,
            outcome: DeliveryOutcome::Rejected {
                reason: "field `status` is missing".into(),
            },
        };
        let line = log.to_string();
        assert!(!line.contains('\n'), "{line}");
        assert!(line.len() < 200, "{line}");
        assert!(
            line.ends_with("code=422 rejected: field `status` is missing"),
            "{line}"
        );
    }
}
