//! Control deliveries: valid deliveries a family sends to see something else (a liveness
//! probe after a bad input, a correctly authenticated delivery beside refused ones). Each
//! is a delivery like any other, so each one acknowledged must cause exactly one side
//! effect (SPEC §3 ¶3); [`Controls`] collects them and defers that to the end of the run.

use super::context::Ctx;
use super::expectation::{Expect, Expected};
use super::probe::{Probe, Sent};
use super::verdict::Verdict;

/// The control deliveries of one check, and the evidence its verdict carries.
#[derive(Debug, Default)]
pub struct Controls {
    expected: Vec<Expected>,
    evidence: Option<Verdict>,
}

impl Controls {
    /// No control delivery yet.
    pub fn new() -> Self {
        Controls::default()
    }

    /// Counts a control delivery (`what` names it). One that never reached the target, or
    /// whose body names no session, has nothing to count.
    pub fn add(&mut self, what: impl Into<String>, probe: &Probe, sent: &Sent) {
        let Some(session) = probe.session_id() else {
            return;
        };
        if sent.unreachable() {
            return;
        }
        self.expected
            .push(Expected::new(session, Expect::for_delivery([sent]), what));
        let evidence = self
            .evidence
            .take()
            .unwrap_or_else(|| Verdict::evidence().with_repro(sent.repro.clone()));
        self.evidence = Some(evidence.with_exchanges([sent]));
    }

    /// Defers the check `check_id`: every control delivery's count must meet its
    /// expectation. Without any, the check has nothing to observe, and says why.
    pub fn expect(self, ctx: &Ctx, check_id: &str, none_because: &str) {
        if !ctx.selected(check_id) {
            return;
        }
        match self.evidence {
            Some(evidence) => ctx.expect_effects(check_id, self.expected, evidence),
            None if ctx.down().is_some() => {
                let cause = ctx.down().unwrap_or_default();
                ctx.report(
                    check_id,
                    std::time::Instant::now(),
                    Verdict::no_verdict("exactly 1 effect per acknowledged delivery", cause),
                );
            }
            None => ctx.skip(check_id, none_because),
        }
    }
}
