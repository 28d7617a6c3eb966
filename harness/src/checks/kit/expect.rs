//! The shared expectations: what "a valid delivery is acknowledged" and "a bad request is
//! answered" mean, graded the same way by every family.

use std::time::Instant;

use bytes::Bytes;

use super::context::Ctx;
use super::probe::Sent;
use super::verdict::{Verdict, VerdictOutcome};
use crate::duration::format_duration;
use crate::transport::FailureClass;

impl Ctx {
    /// Grades a valid delivery: a complete 2xx within the timeout (SPEC §3 ¶1, [D-6],
    /// [D-7]). A timeout, a closed connection, a 3xx, a broken response are failed
    /// deliveries; only a target that refuses connections leaves no verdict.
    pub fn expect_2xx(&self, sent: &Sent) -> Verdict {
        let expected = format!("2xx within {}", format_duration(self.timeout));
        let outcome = match &sent.exchanged.outcome {
            Ok(response) if response.status.is_success() => VerdictOutcome::Holds,
            Ok(_) => VerdictOutcome::Broken,
            Err(e) if e.class == FailureClass::Connect => {
                return self.target_down(expected, sent);
            }
            Err(_) => VerdictOutcome::Broken,
        };
        let actual = match sent.response() {
            Some(response) if response.status.is_redirection() => format!(
                "{} (a redirect is a failed delivery: it is not followed)",
                sent.describe()
            ),
            _ => sent.describe(),
        };
        Verdict::new(outcome, expected, actual).with_sent(sent)
    }

    /// No verdict because the target refused the connection: it is down.
    pub fn target_down(&self, expected: impl Into<String>, sent: &Sent) -> Verdict {
        let cause = self
            .down()
            .unwrap_or_else(|| "the target refused the connection".to_owned());
        Verdict::no_verdict(expected, format!("{cause}: {}", sent.describe())).with_sent(sent)
    }

    /// Grades an answer to a request that must be answered, whatever it says: within the
    /// timeout, without the connection closing first (a crashed handler), unless `may_close`.
    /// `None` when it was answered.
    pub fn expect_answer(&self, sent: &Sent, may_close: bool) -> Option<Verdict> {
        let expected = format!(
            "an answer within {} (closing the connection instead is a crash)",
            format_duration(self.timeout)
        );
        match sent.failure_class()? {
            FailureClass::Connect => Some(self.target_down(expected, sent)),
            FailureClass::Closed if may_close => None,
            FailureClass::Timeout => Some(
                Verdict::new(
                    VerdictOutcome::Broken,
                    expected,
                    format!("hung: {}", sent.describe()),
                )
                .with_sent(sent),
            ),
            FailureClass::Closed
            | FailureClass::Protocol
            | FailureClass::Tls
            | FailureClass::Status
            | FailureClass::Redirect => Some(
                Verdict::new(VerdictOutcome::Broken, expected, sent.describe()).with_sent(sent),
            ),
        }
    }
}

/// Sends one valid delivery of `body` and grades it: 2xx within the timeout. Returns what
/// was sent, for the effect checks that follow.
pub async fn expect_accepted(ctx: &Ctx, check_id: &str, body: impl Into<Bytes>) -> Sent {
    expect_probe_accepted(ctx, check_id, ctx.delivery(body)).await
}

/// Sends a valid delivery probe and grades it like [`expect_accepted`].
pub async fn expect_probe_accepted(ctx: &Ctx, check_id: &str, probe: super::Probe) -> Sent {
    let started = Instant::now();
    let sent = ctx.send(&probe).await;
    if ctx.selected(check_id) {
        ctx.report(check_id, started, ctx.expect_2xx(&sent));
    }
    sent
}
