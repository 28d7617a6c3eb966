//! Latency family (SPEC §3 ¶2, [D-6], [D-9]): every valid delivery is answered completely
//! within the sender's timeout, also when many arrive at once; and every session of such a
//! burst is processed exactly once (`idempotency/burst-processed-once`).

use std::time::Instant;

use super::kit::{Ctx, Expect, Expected, Fresh, Sent, Verdict, VerdictOutcome, release_together};
use crate::duration::format_duration;
use crate::repro::{Script, Step};

/// The burst probe: [`Ctx::burst`] deliveries of distinct sessions (messages) released
/// together, as when a sender drains a backlog after an outage. Written against the
/// profile's face ([`Ctx::fresh`]), it grades every profile.
pub async fn burst(ctx: &Ctx) {
    let id = "latency/burst";
    let processed_id = "idempotency/burst-processed-once";
    if !ctx.any_selected([id, processed_id]) {
        return;
    }
    let started = Instant::now();
    let count = ctx.burst;
    let fresh: Vec<Fresh> = (0..count).map(|n| ctx.fresh(id, n)).collect();
    let probes: Vec<_> = fresh.iter().map(|f| f.probe.clone()).collect();
    let sent = release_together(ctx, &probes).await;
    let what = format!(
        "{count} deliveries of distinct {}s, all at once",
        ctx.profile().unit()
    );
    let script = Script::new()
        .then(Step::Comment(what))
        .then(Step::Others {
            count,
            line: ctx.repro(&probes[0]),
            session: fresh[0].key.clone(),
            together: true,
        })
        .render();
    if ctx.selected(id) {
        ctx.report(
            id,
            started,
            burst_verdict(ctx, &sent).with_repro(script.clone()),
        );
    }
    let expected = fresh
        .iter()
        .zip(&sent)
        .enumerate()
        .map(|(i, (f, s))| {
            let what = format!("burst delivery {} ({})", i + 1, f.what);
            Expected::new(f.key.clone(), Expect::for_delivery([s]), what)
        })
        .collect();
    let evidence = Verdict::evidence().with_repro(script);
    ctx.expect_effects(processed_id, expected, evidence);
}

fn burst_verdict(ctx: &Ctx, sent: &[Sent]) -> Verdict {
    let count = sent.len();
    let expected = format!(
        "{count} concurrent deliveries each answered 2xx within {}",
        format_duration(ctx.timeout)
    );
    let failed: Vec<&Sent> = sent.iter().filter(|s| !s.is_2xx()).collect();
    let slowest = sent
        .iter()
        .map(|s| s.exchanged.duration)
        .max()
        .unwrap_or_default();
    match failed.first() {
        None => Verdict::new(
            VerdictOutcome::Holds,
            expected,
            format!(
                "{count}/{count} answered 2xx, slowest {:.0} ms",
                slowest.as_secs_f64() * 1000.0
            ),
        ),
        Some(first) if failed.iter().all(|s| s.unreachable()) => ctx.target_down(expected, first),
        Some(first) => Verdict::new(
            VerdictOutcome::Broken,
            expected,
            format!(
                "{}/{count} not answered 2xx in time, e.g. {}",
                failed.len(),
                first.describe()
            ),
        )
        .with_exchanges(failed.iter().take(3).copied()),
    }
}

/// Grades every valid delivery the run timed against the timeout.
pub fn within_timeout(ctx: &Ctx) {
    let id = "latency/within-timeout";
    if !ctx.selected(id) {
        return;
    }
    let started = Instant::now();
    let (count, timed_out, slowest) = {
        let recorder = ctx.latency.lock().expect("latency lock is never poisoned");
        (recorder.count(), recorder.timed_out(), recorder.slowest())
    };
    let expected = format!(
        "every valid delivery answered within {}",
        format_duration(ctx.timeout)
    );
    let slowest_ms = slowest.as_secs_f64() * 1000.0;
    let verdict = if count == 0 {
        Verdict::skip("no valid delivery was timed (every check that sends one was deselected)")
    } else if timed_out == 0 {
        Verdict::new(
            VerdictOutcome::Holds,
            expected,
            format!("{count} deliveries, slowest {slowest_ms:.0} ms"),
        )
    } else {
        let verdict = Verdict::new(
            VerdictOutcome::Broken,
            expected,
            format!("{timed_out} of {count} deliveries got no complete answer in time"),
        );
        let first = ctx
            .first_timeout
            .lock()
            .expect("timeout lock is never poisoned")
            .clone();
        match first {
            Some(repro) => verdict.with_repro(repro),
            None => verdict,
        }
    };
    ctx.report(id, started, verdict);
}
