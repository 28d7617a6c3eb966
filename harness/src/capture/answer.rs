//! What `hookcheck capture` answers each attempt of a delivery: a script such as
//! `5xx,3xx,slow,2xx` or `503,503,200`.

use std::fmt;
use std::str::FromStr;

crate::closed::closed_enum! {
    /// The kinds of answer the capture can give one attempt.
    pub enum AnswerKind as "answer" {
        /// A 2xx status (200 unless a code is given): the delivery succeeds.
        Success => "2xx",
        /// A 3xx status (307 unless a code is given) with a `Location` the sender must not follow.
        Redirect => "3xx",
        /// A 4xx status (400 unless a code is given).
        ClientError => "4xx",
        /// A 5xx status (503 unless a code is given).
        ServerError => "5xx",
        /// No answer until well past the sender's timeout, then a late 200.
        Slow => "slow",
        /// The connection is reset (TCP RST) once the request has arrived.
        Reset => "reset",
        /// The connection is closed without an answer once the request has arrived.
        Close => "close",
    }
}

/// One answer: its kind, and for a status answer the status code sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    /// What kind of answer.
    pub kind: AnswerKind,
    /// The status code sent (for `slow`, the late one); none for `reset` and `close`.
    pub status: Option<u16>,
}

impl Answer {
    /// The answer of this kind with its default status.
    pub const fn of(kind: AnswerKind) -> Answer {
        let status = match kind {
            AnswerKind::Success | AnswerKind::Slow => Some(200),
            AnswerKind::Redirect => Some(307),
            AnswerKind::ClientError => Some(400),
            AnswerKind::ServerError => Some(503),
            AnswerKind::Reset | AnswerKind::Close => None,
        };
        Answer { kind, status }
    }

    /// Whether the answer fails the attempt (everything but a 2xx in time).
    pub fn fails(self) -> bool {
        self.kind != AnswerKind::Success
    }
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.kind, self.status) {
            (AnswerKind::Slow, _) => f.write_str("slow (no answer by the timeout)"),
            (AnswerKind::Reset, _) => f.write_str("reset"),
            (AnswerKind::Close, _) => f.write_str("closed without an answer"),
            (_, Some(code)) => write!(f, "{code}"),
            (kind, None) => write!(f, "{kind}"),
        }
    }
}

impl FromStr for Answer {
    type Err = String;

    /// A kind (`2xx`, `3xx`, `4xx`, `5xx`, `slow`, `reset`, `close`) or a status code
    /// from 200 to 599 (`503`), whose class gives its kind.
    fn from_str(text: &str) -> Result<Answer, String> {
        let text = text.trim();
        if let Ok(code) = text.parse::<u16>() {
            let kind = match code {
                200..=299 => AnswerKind::Success,
                300..=399 => AnswerKind::Redirect,
                400..=499 => AnswerKind::ClientError,
                500..=599 => AnswerKind::ServerError,
                _ => return Err(format!("status {code} is not between 200 and 599")),
            };
            return Ok(Answer {
                kind,
                status: Some(code),
            });
        }
        text.parse::<AnswerKind>()
            .map(Answer::of)
            .map_err(|e| format!("{e}, or a status code such as 503"))
    }
}

/// The answers to the attempts of each delivery, in order; past its end the last one repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script(Vec<Answer>);

/// The script when none is given: a 5xx, a redirect, a slow answer, then a 2xx, so that
/// one delivery with the provider's 3 retries shows every behaviour but the 4xx one.
pub const DEFAULT_SCRIPT: &str = "5xx,3xx,slow,2xx";

impl Script {
    /// The answer to attempt `number` (1-based).
    pub fn answer(&self, number: u32) -> Answer {
        let index = (number.max(1) - 1) as usize;
        self.0
            .get(index)
            .or(self.0.last())
            .copied()
            .unwrap_or(Answer::of(AnswerKind::Success))
    }

    /// The answers, in order.
    pub fn answers(&self) -> &[Answer] {
        &self.0
    }
}

impl FromStr for Script {
    type Err = String;

    /// Comma-separated answers, e.g. `503,503,200` or `5xx,slow,2xx`.
    fn from_str(text: &str) -> Result<Script, String> {
        let answers = text
            .split(',')
            .map(str::parse)
            .collect::<Result<Vec<Answer>, String>>()?;
        if answers.is_empty() {
            return Err("the script holds no answer".into());
        }
        Ok(Script(answers))
    }
}

impl fmt::Display for Script {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_kinds_read_and_the_last_answer_repeats() {
        let script: Script = "503, slow,3xx,204".parse().unwrap();
        assert_eq!(script.answer(1).status, Some(503));
        assert_eq!(script.answer(2).kind, AnswerKind::Slow);
        assert_eq!(script.answer(3), Answer::of(AnswerKind::Redirect));
        assert_eq!(script.answer(4).kind, AnswerKind::Success);
        assert_eq!(script.answer(9).status, Some(204));
        assert!("600".parse::<Script>().unwrap_err().contains("200 and 599"));
        let err = "later".parse::<Script>().unwrap_err();
        assert!(
            err.contains("2xx, 3xx, 4xx, 5xx, slow, reset, close"),
            "{err}"
        );
        assert!(DEFAULT_SCRIPT.parse::<Script>().is_ok());
    }
}
