//! The two entry points: [`fuzz`] runs a campaign and shrinks what it finds; [`replay`]
//! runs one case file again.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::campaign::{Nonces, grade, send_phase};
use super::case_file::{CASE_FORMAT, CaseFile};
use super::config::{FuzzConfig, FuzzError};
use super::execute::{Ids, Place, Target};
use super::invariant::{Invariant, effect_expectations, grade_answers, grade_effects};
use super::model::Sequence;
use super::report::{
    Finding, FuzzReport, FuzzVerdict, InvariantOutcome, InvariantResult, REPORT_FORMAT,
    ReplayReport, ShrinkSummary,
};
use super::script::{ScriptContext, render};
use super::shrink::{Shrunk, shrink};
use super::source::PayloadSource;
use super::tally::{Example, Found, Tally};
use crate::rawhttp::RawClient;
use crate::sender::{Sender, SenderConfig, display_url};

/// Builds the target: a pooled sender and a fresh-connection one with the same settings.
fn target(config: &FuzzConfig) -> Result<Target, FuzzError> {
    let mut sender = SenderConfig::default()
        .timeout(config.timeout)
        .retries(0)
        .tls(config.tls.clone());
    if let Some(auth) = &config.auth {
        sender = sender.auth(auth.clone());
    }
    Ok(Target {
        url: config.target.clone(),
        sender: Sender::new(sender.clone())?,
        fresh: Sender::new(sender.fresh_connections(true))?,
        auth: config.auth.clone(),
        effects: config.effects.clone(),
        raw: RawClient::new(&config.tls)?,
        timeout: config.timeout,
    })
}

/// Runs a campaign against `config.target` with payloads from `source`, then shrinks the
/// first failure of each invariant, saves it (with `save_dir`) and scripts it.
pub async fn fuzz(
    config: FuzzConfig,
    source: Box<dyn PayloadSource>,
) -> Result<FuzzReport, FuzzError> {
    let target = Arc::new(target(&config)?);
    let nonces = Arc::new(Nonces::new());
    let (tally, took) = send_phase(&config, &target, &nonces, source).await?;
    let shrinking = Instant::now();
    let found: Vec<Found> = tally
        .found
        .lock()
        .expect("never poisoned")
        .values()
        .cloned()
        .collect();
    let dead = tally.dead.load(Ordering::SeqCst) || target.alive(nonces.ids()).await.is_err();
    let mut findings = Vec::new();
    for found in found {
        findings.push(finding(&config, &target, &nonces, found, dead).await?);
    }
    findings.sort_by_key(|f| Invariant::ALL.iter().position(|i| *i == f.invariant));
    let cases = tally.cases.load(Ordering::Relaxed);
    Ok(FuzzReport {
        format: REPORT_FORMAT.into(),
        target: display_url(&config.target),
        seed: config.seed,
        cases,
        sequences: tally.sequences.load(Ordering::Relaxed),
        duration_ms: took.as_millis() as u64,
        cases_per_second: cases as f64 / took.as_secs_f64().max(0.001),
        shrink_ms: shrinking.elapsed().as_millis() as u64,
        effects_probe: config.effects.as_ref().map(|e| e.kind().to_owned()),
        auth: config.auth.is_some(),
        invariants: invariants(&config, &tally),
        verdict: FuzzReport::verdict_of(&findings),
        findings,
        unread_counts: tally.unread_counts.load(Ordering::Relaxed),
        unread_reason: tally.unread_reason.lock().expect("never poisoned").clone(),
    })
}

/// Every invariant's line: held, broken, or why unchecked.
fn invariants(config: &FuzzConfig, tally: &Tally) -> Vec<InvariantResult> {
    let found = tally.found.lock().expect("never poisoned");
    Invariant::ALL
        .iter()
        .map(|&invariant| {
            let reason = if invariant.needs_effects() && config.effects.is_none() {
                Some("no effects probe (--effects-url or --effects-cmd)".to_owned())
            } else if invariant.needs_auth() && config.auth.is_none() {
                Some("no auth header (--auth)".to_owned())
            } else {
                None
            };
            let sequences = found.get(&invariant).map_or(0, |f| f.sequences);
            let outcome = match (&reason, sequences) {
                (Some(_), _) => InvariantOutcome::Unchecked,
                (None, 0) => InvariantOutcome::Held,
                (None, _) => InvariantOutcome::Broken,
            };
            InvariantResult {
                invariant,
                level: invariant.level(),
                requirement: invariant.requirement().into(),
                outcome,
                reason,
                sequences,
            }
        })
        .collect()
}

/// Shrinks, saves and scripts one found failure.
async fn finding(
    config: &FuzzConfig,
    target: &Target,
    nonces: &Nonces,
    found: Found,
    dead: bool,
) -> Result<Finding, FuzzError> {
    let (example, shrunk, note) = shrink_found(config, target, nonces, &found, dead).await;
    let case = case_of(config, &example, &shrunk, note.is_none());
    let case_file = match &config.save_dir {
        Some(dir) => Some(case.save(dir)?.display().to_string()),
        None => None,
    };
    let url = config.target.to_string();
    let name = case.file_name().trim_end_matches(".json").to_owned();
    let context = ScriptContext {
        url: &url,
        auth: config.auth.as_ref(),
        effects: config.effects.as_ref(),
        settle: config.settle,
        bodies: config.save_dir.as_deref(),
    };
    let violation = &example.violation;
    Ok(Finding {
        invariant: violation.invariant,
        level: violation.invariant.level(),
        requirement: violation.invariant.requirement().into(),
        sequences: found.sequences,
        first_sequence: example.index,
        label: violation.label.clone(),
        expected: violation.expected.clone(),
        actual: violation.actual.clone(),
        shrink: ShrinkSummary {
            from_steps: example.sequence.steps.len(),
            to_steps: shrunk.sequence.steps.len(),
            from_cases: example.sequence.cases(),
            to_cases: shrunk.sequence.cases(),
            replays: shrunk.replays,
            reproduced_alone: shrunk.reproduced,
            note,
        },
        case_file,
        repro: render(&shrunk.sequence, &context, &name),
        case,
    })
}

/// The first failing sequence that fails again alone, shrunk; or the first, unshrunk,
/// with the reason.
async fn shrink_found(
    config: &FuzzConfig,
    target: &Target,
    nonces: &Nonces,
    found: &Found,
    dead: bool,
) -> (Example, Shrunk, Option<String>) {
    let first = found.examples[0].clone();
    let unshrunk = |replays| Shrunk {
        sequence: first.sequence.clone(),
        replays,
        reproduced: false,
    };
    if dead {
        let note = "the target stopped accepting connections, so nothing can be replayed";
        return (first.clone(), unshrunk(0), Some(note.to_owned()));
    }
    let mut replays = 0;
    for example in &found.examples {
        let invariant = example.violation.invariant;
        let shrunk = shrink(
            example.sequence.clone(),
            config.shrink,
            |candidate| async move {
                reproduces(target, &candidate, nonces.ids(), invariant, config.settle).await
            },
        )
        .await;
        replays += shrunk.replays;
        if shrunk.reproduced {
            return (example.clone(), Shrunk { replays, ..shrunk }, None);
        }
    }
    let note = format!(
        "none of the first {} failing sequences failed again when replayed alone",
        found.examples.len()
    );
    (first.clone(), unshrunk(replays), Some(note))
}

fn case_of(config: &FuzzConfig, found: &Example, shrunk: &Shrunk, is_shrunk: bool) -> CaseFile {
    let invariant = found.violation.invariant;
    CaseFile {
        format: CASE_FORMAT.into(),
        invariant,
        level: invariant.level(),
        requirement: invariant.requirement().into(),
        seed: config.seed,
        sequence_index: found.index,
        shrunk: is_shrunk,
        expected: found.violation.expected.clone(),
        actual: found.violation.actual.clone(),
        sequence: shrunk.sequence.clone(),
    }
}

/// Whether replaying `sequence` alone breaks `invariant` again. A count already past its
/// expectation right after the sequence is enough (counts never go down); any other
/// effect failure is read after the settle time.
async fn reproduces(
    target: &Target,
    sequence: &Sequence,
    ids: Ids,
    invariant: Invariant,
    settle: Duration,
) -> bool {
    let executed = target.execute(sequence, ids, &mut Place::default()).await;
    if !invariant.needs_effects() {
        let mut broken = grade_answers(&executed.answers, target.timeout);
        if invariant == Invariant::TargetAlive
            && let Err(e) = target.alive(ids).await
        {
            broken.push(super::invariant::Violation {
                invariant,
                step: None,
                label: String::new(),
                expected: String::new(),
                actual: e.to_string(),
            });
        }
        return broken.iter().any(|v| v.invariant == invariant);
    }
    let expectations = effect_expectations(sequence, &executed.answers);
    let relevant: Vec<_> = expectations
        .into_iter()
        .filter(|e| e.invariant == invariant)
        .collect();
    if relevant.is_empty() {
        return false;
    }
    let early = target.counts(&relevant, ids).await;
    let over = relevant
        .iter()
        .any(|e| matches!(early.get(&e.session), Some(Ok(n)) if *n > e.count));
    if over {
        return true;
    }
    tokio::time::sleep_until((executed.finished + settle).into()).await;
    let counts = target.counts(&relevant, ids).await;
    !grade_effects(sequence, &relevant, &counts).0.is_empty()
}

/// Runs a case file's sequence once against `config.target` and grades every invariant.
pub async fn replay(config: &FuzzConfig, case: &CaseFile) -> Result<ReplayReport, FuzzError> {
    let target = target(config)?;
    let nonces = Nonces::new();
    target
        .alive(nonces.ids())
        .await
        .map_err(|e| FuzzError::Unreachable(format!("{}: {e}", display_url(&target.url))))?;
    let tally = Tally::default();
    let (violations, unread_counts) = grade(
        &target,
        &case.sequence,
        nonces.ids(),
        config.settle,
        Place::default(),
        &tally,
    )
    .await;
    Ok(ReplayReport {
        invariant: case.invariant,
        reproduced: violations.iter().any(|v| v.invariant == case.invariant),
        violations,
        unread_counts,
    })
}

/// Whether a verdict fails the run (exit 1): a MUST broken.
pub fn failed(verdict: FuzzVerdict) -> bool {
    verdict == FuzzVerdict::Fail
}
