//! Idempotency family (SPEC §3 ¶3, [D-8], [D-10], [D-19], [D-20]): repeated deliveries of
//! one session, sent one after another, all at once, after an abandoned first attempt, with
//! the other terminal event in either order, for every status, at every moment a retry can
//! come ([`crate::checks::retry_schedule`]) and after all the run's other traffic, are all
//! answered 2xx and cause exactly one side effect; and distinct sessions that share field
//! values are each processed once. A scenario whose copies did not overlap as it means
//! them to is skipped, saying so ([`crate::checks::overlap`]).

use std::time::{Duration, Instant};

use futures::future::join_all;

use super::kit::{Ctx, Expect, Expected, Probe, Sent, Verdict, VerdictOutcome};
use super::overlap;
use crate::generate::{Drawn, DuplicateScenario, Pin, SharedValue};
use crate::repro::{Script, Step};
use crate::spec::Status;
use crate::transport::display_url;

/// Runs the scenarios of the idempotency phase (all but the two spread over the run:
/// [`after_retry_delay`] and [`after_burst`]), and the distinct-session pairs.
pub async fn run(ctx: &Ctx) {
    let scenarios = DuplicateScenario::ALL.iter().filter(|s| {
        !matches!(
            s,
            DuplicateScenario::AfterRetryDelay | DuplicateScenario::AfterBurst
        )
    });
    join_all(scenarios.map(|&scenario| scenario_run(ctx, scenario))).await;
    join_all(
        SharedValue::ALL
            .iter()
            .map(|&shared| distinct_sessions(ctx, shared)),
    )
    .await;
}

/// A session delivered at the start of the run, and again at every moment a provider's
/// retry of it can come within the run's span, with the run's other deliveries in between
/// (SPEC [D-8]; [`RetrySchedule::plan`]). What the span leaves out is noted as unverified.
pub async fn after_retry_delay(ctx: &Ctx) {
    let (acknowledged_id, once_id) = ids(DuplicateScenario::AfterRetryDelay);
    if !ctx.any_selected([&acknowledged_id, &once_id]) {
        return;
    }
    let plan = ctx.retry.plan(ctx.dedupe_window);
    if plan.copies.is_empty() {
        let why = "the dedupe window is zero: no copy was sent after the first";
        ctx.skip(&acknowledged_id, why);
        ctx.skip(&once_id, why);
        return;
    }
    if let Some(reason) = plan.unprobed_reason(&ctx.retry, ctx.dedupe_window) {
        ctx.note_unprobed(vec![acknowledged_id, once_id], reason);
    }
    scenario_run(ctx, DuplicateScenario::AfterRetryDelay).await;
}

/// The first copy, then a copy at every moment of the retry plan, whatever else the run is
/// doing. Each waits for a place among the requests in flight like any other, so that it
/// adds no load the run's other phases do not expect (at most a few milliseconds late,
/// which only makes a copy later than its moment, never earlier).
async fn on_retry_schedule(
    ctx: &Ctx,
    probes: &[Probe],
    lines: &[String],
    mut copies: Copies,
) -> Copies {
    let plan = ctx.retry.plan(ctx.dedupe_window);
    let first = tokio::time::Instant::now();
    copies.sent.push(ctx.send(&probes[0]).await);
    let mut script = copies
        .script
        .then(Step::Send(lines[0].clone()))
        .then(Step::Comment(
            "the run delivered its other sessions meanwhile".into(),
        ));
    let mut previous = Duration::ZERO;
    for (n, offset) in plan.copies.iter().enumerate() {
        // Copy n + 1 of the session: round robin over the replicas like any other.
        let probe = probes[1].clone().to(ctx.copy_url(n + 1));
        tokio::time::sleep_until(first + offset.at).await;
        copies.sent.push(ctx.send(&probe).await);
        script = script
            .then(Step::Sleep(offset.at.saturating_sub(previous)))
            .then(Step::Comment(offset.describe()))
            .then(Step::Send(ctx.repro(&probe)));
        previous = offset.at;
    }
    copies.script = script;
    copies
}

/// With `--replica`, the words of a scenario's comment that say where its copies went.
fn replicas_named(ctx: &Ctx) -> String {
    if ctx.replicas.is_empty() {
        return String::new();
    }
    let urls: Vec<String> = (0..=ctx.replicas.len())
        .map(|n| display_url(ctx.copy_url(n)))
        .collect();
    format!(", sent round robin to {}", urls.join(", "))
}

/// The run's first session delivered again after the burst: a dedupe that only remembers
/// recent sessions has forgotten it by now.
pub async fn after_burst(ctx: &Ctx) {
    scenario_run(ctx, DuplicateScenario::AfterBurst).await;
}

/// One session's copies and how they came back.
struct Copies {
    first: Drawn,
    sent: Vec<Sent>,
    script: Script,
    /// Why the scenario could not be played as designed.
    broken: Option<String>,
    /// Whether an earlier copy, sent before the scenario, was acknowledged.
    acknowledged_before: bool,
    /// Why the copies did not overlap at the target as the scenario means them to, when
    /// they did not: the checks then skip with this reason rather than pass.
    unobserved: Option<String>,
}

fn ids(scenario: DuplicateScenario) -> (String, String) {
    (
        format!("idempotency/duplicates-acknowledged/{scenario}"),
        format!("idempotency/exactly-once/{scenario}"),
    )
}

async fn scenario_run(ctx: &Ctx, scenario: DuplicateScenario) {
    let (acknowledged_id, once_id) = ids(scenario);
    if !ctx.any_selected([&acknowledged_id, &once_id]) {
        return;
    }
    let started = Instant::now();
    let sessions = join_all(
        scenario
            .statuses()
            .into_iter()
            .map(|status| play(ctx, scenario, status)),
    )
    .await;
    let sessions: Vec<Copies> = sessions.into_iter().flatten().collect();
    if sessions.is_empty() {
        return ctx.skip(
            &acknowledged_id,
            "the run's first delivery is not available",
        );
    }
    let script = sessions
        .iter()
        .fold(Script::new(), |script, s| script.append(&s.script))
        .render();
    let unobserved = sessions.iter().find_map(|s| s.unobserved.clone());
    if ctx.selected(&acknowledged_id) {
        let all: Vec<&Sent> = sessions.iter().flat_map(|s| &s.sent).collect();
        let broken = sessions.iter().find_map(|s| s.broken.clone());
        let verdict = acknowledged(ctx, &all, broken, &script);
        ctx.report(
            &acknowledged_id,
            started,
            overlap::unless_unobserved(verdict, &unobserved),
        );
    }
    let expected = sessions
        .iter()
        .map(|s| {
            let what = format!("the {} session", s.first.status);
            let expect = match s.acknowledged_before {
                true => Expect::Once,
                false => Expect::for_delivery(&s.sent),
            };
            Expected::new(s.first.session_id.clone(), expect, what)
        })
        .collect();
    let evidence = Verdict::evidence()
        .with_repro(script)
        .with_exchanges(sessions.iter().flat_map(|s| &s.sent));
    match sessions.iter().find_map(|s| s.broken.clone()) {
        Some(cause) if ctx.selected(&once_id) => {
            ctx.report(&once_id, started, Verdict::no_verdict("", cause));
        }
        Some(_) => {}
        None => ctx.expect_effects_observed(&once_id, expected, evidence, unobserved),
    }
}

/// Plays the scenario for one session of `status`.
async fn play(ctx: &Ctx, scenario: DuplicateScenario, status: Status) -> Option<Copies> {
    let (_, once_id) = ids(scenario);
    let first = match scenario {
        DuplicateScenario::AfterBurst => ctx.first_delivery.as_ref()?.0.clone(),
        _ => ctx.draw(status, &format!("{once_id}/{}", status.as_str()), &Pin::ANY),
    };
    let probes: Vec<_> = (0..scenario.copies())
        .map(|n| {
            ctx.drawn_delivery(&scenario.copy(&first, n))
                .to(ctx.copy_url(n))
        })
        .collect();
    let lines: Vec<String> = probes.iter().map(|p| ctx.repro(p)).collect();
    let comment = format!(
        "{scenario}: {} copies of session {} ({}){}",
        probes.len(),
        first.session_id,
        first.status,
        replicas_named(ctx)
    );
    let copies = Copies {
        first,
        sent: Vec::new(),
        script: Script::new().then(Step::Comment(comment)),
        broken: None,
        acknowledged_before: false,
        unobserved: None,
    };
    Some(deliver(ctx, scenario, &probes, lines, copies).await)
}

/// Sends the copies the way the scenario says, writing the script as it goes.
async fn deliver(
    ctx: &Ctx,
    scenario: DuplicateScenario,
    probes: &[Probe],
    lines: Vec<String>,
    mut copies: Copies,
) -> Copies {
    match scenario {
        DuplicateScenario::Concurrent => {
            let (sent, overlapped) = overlap::release_timed(ctx, probes).await;
            copies.sent = sent;
            copies.unobserved = (!overlapped).then(|| overlap::NOT_CONCURRENT.to_owned());
            copies.script = copies.script.then(Step::Together(lines));
        }
        DuplicateScenario::AfterAbandoned => {
            let after = ctx.abandon_patience();
            match ctx.send_and_abandon(&probes[0]).await {
                Ok((_, true)) => copies.unobserved = Some(overlap::ANSWERED_FIRST.to_owned()),
                Ok((_, false)) => {}
                Err(e) => {
                    copies.broken = Some(format!(
                        "the abandoned first copy could not be written: {e}"
                    ));
                }
            }
            copies.sent.push(ctx.send(&probes[1]).await);
            copies.script = copies
                .script
                .then(Step::Abandon {
                    line: lines[0].clone(),
                    after,
                })
                .then(Step::Send(lines[1].clone()));
        }
        DuplicateScenario::AfterRetryDelay => {
            copies = on_retry_schedule(ctx, probes, &lines, copies).await;
        }
        DuplicateScenario::AfterBurst => {
            let acknowledged = ctx.first_delivery.as_ref().is_some_and(|(_, ok)| *ok);
            copies.sent.push(ctx.send(&probes[1]).await);
            copies.script = after_traffic(ctx, copies.script, &lines, &copies.first.session_id);
            copies.acknowledged_before = acknowledged;
        }
        DuplicateScenario::Sequential
        | DuplicateScenario::OtherBody
        | DuplicateScenario::OtherBodyReversed
        | DuplicateScenario::EveryStatus => {
            for (probe, line) in probes.iter().zip(&lines) {
                copies.sent.push(ctx.send(probe).await);
                copies.script = copies.script.then(Step::Send(line.clone()));
            }
        }
    }
    copies
}

/// The after-burst script: the first copy, as many other sessions as the run delivered in
/// between, the copy.
fn after_traffic(ctx: &Ctx, script: Script, lines: &[String], session: &str) -> Script {
    let others = ctx.valid_deliveries().saturating_sub(2).min(500) as usize;
    script
        .then(Step::Send(lines[0].clone()))
        .then(Step::Comment(format!(
            "{others} deliveries of other sessions, as in the run"
        )))
        .then(Step::Others {
            count: others,
            line: lines[0].clone(),
            session: session.to_owned(),
            together: false,
        })
        .then(Step::Send(lines[1].clone()))
}

/// Every copy answered 2xx; `broken` says why the scenario could not be played.
fn acknowledged(ctx: &Ctx, all: &[&Sent], broken: Option<String>, script: &str) -> Verdict {
    let expected = match all.len() {
        1 => "2xx for the copy".to_owned(),
        n => format!("2xx for each of {n} copies"),
    };
    if let Some(cause) = broken {
        return Verdict::no_verdict(expected, cause);
    }
    let refused: Vec<(usize, &&Sent)> = all
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.is_2xx())
        .collect();
    let evidence = |v: Verdict| {
        v.with_repro(script.to_owned())
            .with_exchanges(all.iter().copied())
    };
    match refused.first() {
        None => evidence(Verdict::new(
            VerdictOutcome::Holds,
            expected,
            all.iter()
                .map(|s| s.describe())
                .collect::<Vec<_>>()
                .join(", "),
        )),
        Some(_) if refused.iter().all(|(_, s)| s.unreachable()) => {
            ctx.target_down(expected, refused[0].1)
        }
        Some(_) => evidence(Verdict::new(
            VerdictOutcome::Broken,
            expected,
            refused
                .iter()
                .map(|(i, sent)| format!("copy {}: {}", i + 1, sent.describe()))
                .collect::<Vec<_>>()
                .join("; "),
        )),
    }
}

/// Two distinct sessions sharing a field value: each is acknowledged and processed once.
async fn distinct_sessions(ctx: &Ctx, shared: SharedValue) {
    let acknowledged_id = format!("idempotency/distinct-sessions-acknowledged/{shared}");
    let processed_id = format!("idempotency/distinct-sessions-processed/{shared}");
    if !ctx.any_selected([&acknowledged_id, &processed_id]) {
        return;
    }
    let started = Instant::now();
    let (a, b) = shared.pair(
        ctx.draw(
            Status::Completed,
            &format!("{processed_id}/a"),
            &shared.pin(),
        ),
        ctx.draw(
            Status::Completed,
            &format!("{processed_id}/b"),
            &shared.pin(),
        ),
    );
    let mut sent = Vec::new();
    let mut script = Script::new().then(Step::Comment(format!("two sessions sharing {shared}")));
    for payload in [&a, &b] {
        let probe = ctx.drawn_delivery(payload);
        script = script.then(Step::Send(ctx.repro(&probe)));
        sent.push(ctx.send(&probe).await);
    }
    let script = script.render();
    if ctx.selected(&acknowledged_id) {
        let all: Vec<&Sent> = sent.iter().collect();
        ctx.report(
            &acknowledged_id,
            started,
            acknowledged(ctx, &all, None, &script),
        );
    }
    let expected = [&a, &b]
        .iter()
        .zip(&sent)
        .enumerate()
        .map(|(i, (p, s))| {
            Expected::new(
                p.session_id.clone(),
                Expect::for_delivery([s]),
                format!("session {}", i + 1),
            )
        })
        .collect();
    let evidence = Verdict::evidence().with_repro(script).with_exchanges(&sent);
    ctx.expect_effects(&processed_id, expected, evidence);
}
