//! The two entry points: [`fuzz`] runs a campaign and shrinks what it finds; [`replay`]
//! runs one case file again.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::campaign::{Nonces, grade, send_phase};
use super::case_file::{CASE_FORMAT, CaseFile};
use super::config::{Budget, FuzzConfig, FuzzError};
use super::deadline::Deadline;
use super::execute::{Ids, Place, Target};
use super::invariant::{Invariant, effect_expectations, grade_answers, grade_effects};
use super::ledger::{first_read_after, read_counts};
use super::model::Sequence;
use super::outcome::{
    Finding, FuzzReport, FuzzVerdict, InvariantOutcome, InvariantResult, REPORT_FORMAT,
    ReplayReport, ShrinkSummary,
};
use super::route::urls_needed as route_needed;
use super::script::{ScriptContext, render};
use super::shrink::{ShrinkLimits, Shrunk, shrink};
use super::source::PayloadSource;
use super::tally::{Example, Found, Tally};
use crate::count::count;
use crate::rawhttp::RawClient;
use crate::sender::{Sender, SenderConfig};
use crate::transport::display_url;
use reqwest::Url;

/// Builds the target: a pooled sender and a fresh-connection one with the same settings,
/// a pooled one for effect counts, and the deadline of the whole command.
fn target(config: &FuzzConfig, deadline: Deadline) -> Result<Target, FuzzError> {
    let sender = SenderConfig {
        client: config.client.clone(),
        retries: 0,
        ..SenderConfig::default()
    };
    Ok(Target {
        url: config.target.clone(),
        replicas: config.replicas.clone(),
        sender: Sender::new(sender.clone())?,
        fresh: Sender::new(sender.fresh_connections(true))?,
        effects_sender: Sender::new(SenderConfig::default().tls(config.client.tls.clone()))?,
        auth: config.client.auth.clone(),
        effects: config.effects.clone(),
        effects_broken: None,
        raw: RawClient::new(&config.client.tls).map_err(crate::sender::SenderError::from)?,
        timeout: config.client.timeout,
        deadline,
        stop: Arc::new(AtomicBool::new(false)),
        secret: config.signing.clone(),
    })
}

/// The deadline of a campaign started now: `--time` bounds the whole command.
fn deadline_of(config: &FuzzConfig) -> Deadline {
    match config.budget {
        Budget::Time(budget) => Deadline::after(budget),
        Budget::Cases(_) => Deadline::NONE,
    }
}

/// Runs a campaign against `config.target` with payloads from `source`, then shrinks the
/// first failure of each invariant, saves it (with `save_dir`) and scripts it.
pub async fn fuzz(
    config: FuzzConfig,
    source: Box<dyn PayloadSource>,
) -> Result<FuzzReport, FuzzError> {
    let started = Instant::now();
    let mut target = target(&config, deadline_of(&config))?;
    target.effects_broken = target.self_test().await;
    let target = Arc::new(target);
    let nonces = Arc::new(Nonces::new());
    let (tally, took) = send_phase(&config, &target, &nonces, source, started).await?;
    let shrinking = Instant::now();
    let shrink_ends = Deadline::after(config.shrink.time).min(target.deadline);
    let found: Vec<Found> = tally
        .found
        .lock()
        .expect("never poisoned")
        .values()
        .cloned()
        .collect();
    let dead = tally.dead.load(Ordering::SeqCst)
        || (!target.deadline.passed() && target.alive(nonces.ids()).await.is_err());
    let mut findings = Vec::new();
    for found in found {
        let shrinker = Shrinker {
            config: &config,
            target: &target,
            nonces: &nonces,
            dead,
            ends: shrink_ends,
        };
        findings.push(shrinker.finding(found).await?);
    }
    findings.sort_by_key(|f| Invariant::ALL.iter().position(|i| *i == f.invariant));
    let cases = tally.cases.load(Ordering::Relaxed);
    Ok(FuzzReport {
        format: REPORT_FORMAT.into(),
        profile: config.profile(),
        target: display_url(&config.target),
        replicas: config.replicas.iter().map(display_url).collect(),
        seed: config.seed,
        cases,
        sequences: tally.sequences.load(Ordering::Relaxed),
        duration_ms: took.as_millis() as u64,
        cases_per_second: cases as f64 / took.as_secs_f64().max(0.001),
        shrink_ms: shrinking.elapsed().as_millis() as u64,
        effects_probe: config.effects.as_ref().map(|e| e.kind().to_owned()),
        auth: config.client.auth.is_some(),
        invariants: invariants(&config, &target, &tally),
        verdict: FuzzReport::verdict_of(&findings),
        findings,
        unread_counts: tally.unread_counts.load(Ordering::Relaxed),
        unread_reason: tally.unread_reason.lock().expect("never poisoned").clone(),
        stopped_early: tally.stopped.lock().expect("never poisoned").clone(),
    })
}

/// Every invariant's line: broken, held, or why not checked. An invariant is held only
/// when something was graded against it and every count it needed was read.
fn invariants(config: &FuzzConfig, target: &Target, tally: &Tally) -> Vec<InvariantResult> {
    let found = tally.found.lock().expect("never poisoned");
    let observed = tally.observed.lock().expect("never poisoned");
    let unread = tally.unread.lock().expect("never poisoned");
    let profile = config.profile();
    Invariant::ALL
        .iter()
        .map(|&invariant| {
            let sequences = found.get(&invariant).map_or(0, |f| f.sequences);
            let reason = if !invariant.applies_to(profile) {
                Some(format!("the {profile} profile sends nothing it grades"))
            } else if invariant.needs_effects() && config.effects.is_none() {
                Some("no effects probe (--effects-url or --effects-cmd)".to_owned())
            } else if invariant.needs_effects()
                && let Some(broken) = &target.effects_broken
            {
                Some(broken.clone())
            } else if invariant.needs_auth()
                && config.client.auth.is_none()
                && config.signing.is_none()
            {
                Some("no auth header (--auth)".to_owned())
            } else if let Some((n, why)) = unread.get(&invariant) {
                Some(format!(
                    "{} could not be read, e.g. {why}",
                    count(*n, "effect count")
                ))
            } else if !observed.contains_key(&invariant) {
                Some("nothing was graded against it in this run".to_owned())
            } else {
                None
            };
            let outcome = match (sequences, &reason) {
                (0, Some(_)) => InvariantOutcome::Unchecked,
                (0, None) => InvariantOutcome::Held,
                _ => InvariantOutcome::Broken,
            };
            InvariantResult {
                invariant,
                level: invariant.level(),
                requirement: invariant.requirement_in(profile).into(),
                clause: invariant.clause_in(profile).into(),
                outcome,
                reason: reason.filter(|_| outcome == InvariantOutcome::Unchecked),
                sequences,
            }
        })
        .collect()
}

/// What shrinking needs: the campaign, and when it must be done.
struct Shrinker<'a> {
    config: &'a FuzzConfig,
    target: &'a Target,
    nonces: &'a Nonces,
    dead: bool,
    ends: Deadline,
}

impl Shrinker<'_> {
    /// Shrinks, saves and scripts one found failure.
    async fn finding(&self, found: Found) -> Result<Finding, FuzzError> {
        let config = self.config;
        let (example, shrunk, note) = self.shrink_found(&found).await;
        let case = case_of(config, &example, &shrunk, note.is_none());
        let case_file = match &config.save_dir {
            Some(dir) => Some(case.save(dir)?.display().to_string()),
            None => None,
        };
        let urls = script_urls(config);
        let name = case.file_name().trim_end_matches(".json").to_owned();
        let context = ScriptContext {
            urls: &urls,
            auth: config.client.auth.as_ref(),
            headers: &config.client.headers,
            effects: config.effects.as_ref(),
            settle: first_read_after(config.settle),
            bodies: config.save_dir.as_deref().or(config.bodies_dir.as_deref()),
            signed: config.signing.is_some(),
        };
        let violation = &example.violation;
        let profile = config.profile();
        Ok(Finding {
            invariant: violation.invariant,
            level: violation.invariant.level(),
            requirement: violation.invariant.requirement_in(profile).into(),
            clause: violation.invariant.clause_in(profile).into(),
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
                stopped: shrunk.stopped.then(|| STOPPED.to_owned()),
            },
            case_file,
            repro: render(&shrunk.sequence, &context, &name),
            case,
        })
    }

    /// The first failing sequence that fails again alone, shrunk (as far as the limits
    /// and the deadline allow); or the first, unshrunk, with the reason.
    async fn shrink_found(&self, found: &Found) -> (Example, Shrunk, Option<String>) {
        let first = found.examples[0].clone();
        let unshrunk = |replays| Shrunk {
            sequence: first.sequence.clone(),
            replays,
            reproduced: false,
            stopped: false,
        };
        if self.dead {
            let note = "the target stopped serving, so nothing can be replayed";
            return (first.clone(), unshrunk(0), Some(note.to_owned()));
        }
        let mut replays = 0;
        for example in &found.examples {
            if self.ends.passed() {
                break;
            }
            let invariant = example.violation.invariant;
            let limits = ShrinkLimits {
                replays: self.config.shrink.replays.saturating_sub(replays).max(1),
                time: self.ends.remaining(),
            };
            let (target, nonces, settle) = (self.target, self.nonces, self.config.settle);
            let payloads = self.config.signing.is_none();
            let shrunk = shrink(example.sequence.clone(), limits, payloads, |candidate| {
                reproduces(target, candidate, nonces.ids(), invariant, settle)
            })
            .await;
            replays += shrunk.replays;
            if shrunk.reproduced {
                let stopped = shrunk.stopped || self.ends.passed();
                return (
                    example.clone(),
                    Shrunk {
                        replays,
                        stopped,
                        ..shrunk
                    },
                    None,
                );
            }
        }
        let note = if self.ends.passed() && replays == 0 {
            "the time budget ran out before it could be replayed".to_owned()
        } else {
            format!(
                "none of the first {} failing sequences failed again when replayed alone",
                found.examples.len()
            )
        };
        (first.clone(), unshrunk(replays), Some(note))
    }
}

/// What a report says of a shrink that ran out of replays or time.
const STOPPED: &str =
    "shrinking ran out of replays or time: this is the smallest failing case found so far";

fn case_of(config: &FuzzConfig, found: &Example, shrunk: &Shrunk, is_shrunk: bool) -> CaseFile {
    let invariant = found.violation.invariant;
    CaseFile {
        format: CASE_FORMAT.into(),
        profile: config.profile(),
        invariant,
        level: invariant.level(),
        requirement: invariant.requirement_in(config.profile()).into(),
        seed: config.seed,
        sequence_index: found.index,
        shrunk: is_shrunk,
        expected: found.violation.expected.clone(),
        actual: found.violation.actual.clone(),
        urls: case_urls(config),
        sequence: shrunk.sequence.clone(),
    }
}

/// The URLs a repro script sends to: the target, then the replicas.
fn script_urls(config: &FuzzConfig) -> Vec<String> {
    config.urls().map(Url::to_string).collect()
}

/// The URLs a case file names, without credentials: none without replicas.
fn case_urls(config: &FuzzConfig) -> Vec<String> {
    if config.replicas.is_empty() {
        return Vec::new();
    }
    config.urls().map(display_url).collect()
}

/// Refuses a case found under another profile than `config`'s: its deliveries mean
/// something else there.
fn same_profile(config: &FuzzConfig, case: &CaseFile) -> Result<(), FuzzError> {
    match (case.profile, config.profile()) {
        (found, given) if found == given => Ok(()),
        (found, given) => Err(FuzzError::ProfileMismatch(format!(
            "the case was found under --profile {found}; replay it with --profile {found} (given: {given}){}",
            match found {
                crate::profile::Profile::StandardWebhooks => " and the signing secret",
                crate::profile::Profile::Cr3dentials => "",
            }
        ))),
    }
}

/// Refuses a case whose copies went to more replicas than `config` gives.
fn enough_replicas(config: &FuzzConfig, case: &CaseFile) -> Result<(), FuzzError> {
    let needed = route_needed(&case.sequence);
    if needed <= 1 + config.replicas.len() {
        return Ok(());
    }
    let named = match case.urls.is_empty() {
        true => String::new(),
        false => format!(" ({})", case.urls.join(", ")),
    };
    Err(FuzzError::TooFewReplicas(format!(
        "the case sends copies of a session to {needed} URLs{named}: replay it with --target and a --replica for each of the other {}, in that order (given: {})",
        needed - 1,
        count(config.replicas.len() as u64, "replica")
    )))
}

/// Whether replaying `sequence` alone breaks `invariant` again. A count already past its
/// expectation right after the sequence is enough (counts never go down); any other
/// effect failure is read as a campaign reads it ([`read_counts`]).
async fn reproduces(
    target: &Target,
    sequence: Sequence,
    ids: Ids,
    invariant: Invariant,
    settle: Duration,
) -> bool {
    let sequence = &sequence;
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
    let early = target.counts(&Target::sessions(&relevant), ids).await;
    let over = relevant
        .iter()
        .any(|e| matches!(early.get(&e.session), Some(Ok(n)) if *n > e.count));
    if over {
        return true;
    }
    let counts = read_counts(target, &relevant, ids, executed.finished, settle).await;
    !grade_effects(sequence, &relevant, &counts, target.profile())
        .0
        .is_empty()
}

/// Runs a case file's sequence once against `config.target` and grades every invariant.
/// A case whose invariant needs effect counts gets no verdict without a trustworthy probe,
/// or when one of its counts could not be read.
pub async fn replay(config: &FuzzConfig, case: &CaseFile) -> Result<ReplayReport, FuzzError> {
    same_profile(config, case)?;
    enough_replicas(config, case)?;
    let mut target = target(config, deadline_of(config))?;
    let nonces = Nonces::new();
    if let Some(why) = target.unreachable_replica(nonces.ids()).await {
        return Err(FuzzError::UnreachableReplica(why));
    }
    target
        .alive(nonces.ids())
        .await
        .map_err(|e| FuzzError::Unreachable(format!("{}: {e}", display_url(&target.url))))?;
    target.effects_broken = target.self_test().await;
    let tally = Tally::default();
    let (violations, unread) = grade(
        &target,
        &case.sequence,
        nonces.ids(),
        config.settle,
        Place::default(),
        &tally,
    )
    .await;
    let reproduced = violations.iter().any(|v| v.invariant == case.invariant);
    let no_verdict = if reproduced || !case.invariant.needs_effects() {
        None
    } else if config.effects.is_none() {
        Some(format!(
            "{} needs effect counts and no effects probe was given (--effects-url or --effects-cmd), so whether the case still fails is unknown",
            case.invariant
        ))
    } else if let Some(broken) = &target.effects_broken {
        Some(broken.clone())
    } else {
        unread
            .iter()
            .find(|(invariant, _)| *invariant == case.invariant)
            .map(|(_, why)| format!("an effect count could not be read: {why}"))
    };
    Ok(ReplayReport {
        invariant: case.invariant,
        reproduced,
        violations,
        unread_counts: unread.into_iter().map(|(_, why)| why).collect(),
        no_verdict,
    })
}

/// Whether a verdict fails the run (exit 1): a MUST broken.
pub fn failed(verdict: FuzzVerdict) -> bool {
    verdict == FuzzVerdict::Fail
}
