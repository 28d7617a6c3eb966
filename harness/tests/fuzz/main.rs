//! `hookcheck fuzz` driven in-process against the reference receiver: with its default
//! budget, its default payload source and a fixed seed it finds every defect of
//! [`Defect::ALL`] it is meant to find (the auth ones given an auth header) under the
//! invariant that defect breaks, every other defect says in its facts why fuzz cannot
//! find it, and it finds nothing against the correct receiver nor against receivers that
//! make other legitimate choices (202 or 204, off-contract input accepted, a 256 KiB body
//! limit, slow answers, processing from a queue seconds after a 202).
//!
//! Every receiver binds 127.0.0.1 port 0; every run is bounded by a timeout.

use std::collections::BTreeSet;
use std::time::Duration;

use hookcheck::auth::AuthHeader;
use hookcheck::effects::EffectsProbe;
use hookcheck::fuzz::outcome::InvariantOutcome;
use hookcheck::fuzz::{
    FuzzConfig, FuzzReport, FuzzVerdict, Invariant, ShrinkLimits, SpaceSource, fuzz,
};
use hookcheck::receiver::{AckStatus, Choices, Defect, Found, Receiver, ReceiverConfig};
use hookcheck_testkit::table::run_table;

const SEED: u64 = 20250324;
const SECRET: &str = "X-API-Key: s3cret-Key-9f2c";
/// No run may take longer than this, whatever regresses.
const RUN_BOUND: Duration = Duration::from_secs(90);
/// Runs at once: each mostly waits (pauses, settle times), so more than the two cores.
const AT_ONCE: usize = 10;

fn auth() -> AuthHeader {
    SECRET.parse().expect("a valid auth header")
}

/// The receiver a run fuzzes.
#[derive(Debug, Clone, Copy)]
enum Subject {
    Defect(Defect),
    Choices(Choices, &'static str),
    /// The correct receiver with this body limit.
    BodyLimit(usize, &'static str),
}

/// A defect, and the invariants a run against it must report broken. Any other broken
/// invariant must be in `also`.
struct Expect {
    subject: Subject,
    broken: &'static [Invariant],
    also: &'static [Invariant],
}

const fn defect(defect: Defect, broken: &'static [Invariant]) -> Expect {
    Expect {
        subject: Subject::Defect(defect),
        broken,
        also: &[],
    }
}

use Invariant::*;

mod effects;

const DEFECTS: &[Expect] = &[
    defect(Defect::NoDedupe, &[ExactlyOnce]),
    defect(Defect::RacyDedupe, &[ExactlyOnce]),
    defect(Defect::SplitTransactionDedupe, &[ExactlyOnce]),
    Expect {
        subject: Subject::Defect(Defect::ConflictOnDuplicate),
        broken: &[ValidAcknowledged],
        // It shows through SHOULD-level shapes of the same payloads too.
        also: &[ShouldAccepted],
    },
    defect(Defect::RejectsUnknownFields, &[ShouldAccepted]),
    Expect {
        subject: Subject::Defect(Defect::ErrorOnNullFields),
        broken: &[ValidAcknowledged],
        // It shows through SHOULD-level shapes of the same payloads too.
        also: &[ShouldAccepted],
    },
    Expect {
        subject: Subject::Defect(Defect::RejectsTerminated),
        broken: &[ValidAcknowledged],
        // It shows through SHOULD-level shapes of the same payloads too.
        also: &[ShouldAccepted],
    },
    Expect {
        subject: Subject::Defect(Defect::DiesOnMalformedJson),
        broken: &[TargetAlive],
        // Requests under way when it died see their connections closed.
        also: &[ValidAcknowledged, Answered, ShouldAccepted],
    },
    defect(Defect::ErrorOnMalformedJson, &[No5xxForBadInput]),
    defect(Defect::EffectForInvalid, &[NoEffectForUnprocessable]),
    defect(Defect::TinyBodyLimit, &[ShouldAccepted]),
    defect(Defect::DedupeForgets, &[ExactlyOnce]),
    defect(Defect::DedupeExpires, &[ExactlyOnce]),
    defect(Defect::CrashesOnMissingSessionId, &[Answered]),
    defect(Defect::PanicsOnUnknownStatus, &[Answered]),
    defect(Defect::DropsNonCompleted, &[ExactlyOnce]),
    Expect {
        subject: Subject::Defect(Defect::CrashesOnUnicode),
        broken: &[ValidAcknowledged],
        // It shows through SHOULD-level shapes of the same payloads too, and through bad
        // input that holds non-ASCII text.
        also: &[ShouldAccepted, Answered],
    },
    defect(Defect::AsyncEffectForInvalid, &[NoEffectForUnprocessable]),
    defect(Defect::KeyedOnExternalReference, &[ExactlyOnce]),
    defect(Defect::DedupesCompletedOnly, &[ExactlyOnce]),
    defect(Defect::StrictContentType, &[ShouldAccepted]),
    defect(Defect::StrictTimestamp, &[ShouldAccepted]),
    defect(Defect::ReprocessesOtherStatus, &[ExactlyOnce]),
    defect(
        Defect::AuthIgnored,
        &[BadAuthRefused, NoEffectWhenUnauthenticated],
    ),
    defect(
        Defect::AuthPrefixMatch,
        &[BadAuthRefused, NoEffectWhenUnauthenticated],
    ),
    defect(Defect::EffectBeforeAuth, &[NoEffectWhenUnauthenticated]),
    defect(Defect::HangsOnBadAuth, &[Answered]),
    defect(
        Defect::AuthCaseInsensitiveValue,
        &[BadAuthRefused, NoEffectWhenUnauthenticated],
    ),
    Expect {
        subject: Subject::Defect(Defect::Redirects),
        broken: &[ValidAcknowledged],
        // Every valid delivery is redirected, SHOULD-level shapes too.
        also: &[ShouldAccepted],
    },
    Expect {
        subject: Subject::Defect(Defect::SlowCancelled),
        broken: &[ValidAcknowledged],
        // A CANCELLED body of a SHOULD-level shape, or one a receiver may refuse, is late
        // too.
        also: &[ShouldAccepted, Answered],
    },
    Expect {
        subject: Subject::Defect(Defect::SlowCompleted),
        broken: &[ValidAcknowledged],
        also: &[ShouldAccepted, Answered],
    },
    Expect {
        subject: Subject::Defect(Defect::RequiresAccountHolder),
        broken: &[ValidAcknowledged],
        // Drawn bodies of every grade lack the key.
        also: &[ShouldAccepted],
    },
    defect(Defect::DropsOldEvents, &[ExactlyOnce]),
    defect(Defect::RejectsLowercaseTimestamp, &[ShouldAccepted]),
    Expect {
        subject: Subject::Defect(Defect::RejectsOmittedFields),
        broken: &[ValidAcknowledged],
        also: &[ShouldAccepted],
    },
    defect(Defect::AsyncDuplicate, &[ExactlyOnce]),
];

#[test]
fn every_defect_has_a_decision_found_by_fuzz_or_why_not() {
    let found: Vec<Defect> = DEFECTS
        .iter()
        .filter_map(|e| match e.subject {
            Subject::Defect(defect) => Some(defect),
            Subject::Choices(..) | Subject::BodyLimit(..) => None,
        })
        .collect();
    let mut undecided = Vec::new();
    for defect in Defect::ALL {
        let rows = found.iter().filter(|d| **d == defect).count();
        match defect.facts().fuzz {
            Found::Finds if rows == 1 => {}
            Found::Misses(why) if rows == 0 && why.len() > 20 => {}
            decision => undecided.push(format!("{defect}: {rows} rows, facts {decision:?}")),
        }
    }
    assert!(
        undecided.is_empty(),
        "every defect fuzz finds (Defect::facts) needs exactly one row in DEFECTS, every other \
         one none and the reason in its facts: {undecided:?}"
    );
}

const fn clean(choices: Choices, name: &'static str) -> Expect {
    Expect {
        subject: Subject::Choices(choices, name),
        broken: &[],
        also: &[],
    }
}

const CHOICES: Choices = Choices {
    ack: AckStatus::Ok,
    accept_off_contract: false,
    ignore_unknown_status: false,
    delay: Duration::ZERO,
    async_processing: false,
    async_delay: None,
};

const CLEAN: &[Expect] = &[
    clean(CHOICES, "the correct receiver"),
    clean(
        Choices {
            ack: AckStatus::Accepted,
            ..CHOICES
        },
        "ack 202",
    ),
    clean(
        Choices {
            ack: AckStatus::NoContent,
            ..CHOICES
        },
        "ack 204",
    ),
    clean(
        Choices {
            accept_off_contract: true,
            ..CHOICES
        },
        "accept off-contract input",
    ),
    clean(
        Choices {
            ignore_unknown_status: true,
            ..CHOICES
        },
        "ignore unknown statuses",
    ),
    clean(
        Choices {
            async_processing: true,
            ..CHOICES
        },
        "process in the background",
    ),
    clean(
        Choices {
            async_processing: true,
            async_delay: Some(Duration::from_millis(1500)),
            ..CHOICES
        },
        "202, processed from a queue 1.5 s later",
    ),
    clean(
        Choices {
            delay: Duration::from_millis(300),
            ..CHOICES
        },
        "answer after 300 ms",
    ),
    Expect {
        subject: Subject::BodyLimit(256 * 1024, "a 256 KiB body limit"),
        broken: &[],
        also: &[],
    },
];

fn name(subject: Subject) -> String {
    match subject {
        Subject::Defect(defect) => format!("defect {defect}"),
        Subject::Choices(_, name) | Subject::BodyLimit(_, name) => name.to_owned(),
    }
}

fn needs_auth(subject: Subject) -> bool {
    match subject {
        Subject::Defect(defect) => defect.facts().needs_auth,
        // The correct receivers are fuzzed with an auth header, so bad credentials are
        // sent to them too.
        Subject::Choices(..) | Subject::BodyLimit(..) => true,
    }
}

/// Fuzzes one receiver with the default budget and the fixed seed. The receiver's answers
/// are not delayed, so the timeout can be short and the late copy need only outlast the
/// 2 s of `dedupe-expires`; shrinking is bounded so the table stays fast (the shrinker's
/// own tests show how small it gets).
async fn fuzz_one(subject: Subject) -> Result<FuzzReport, String> {
    hookcheck::install_crypto_provider();
    let mut receiver = ReceiverConfig::default().shutdown_timeout(Duration::from_secs(1));
    let with_auth = needs_auth(subject);
    if with_auth {
        receiver = receiver.auth(auth());
    }
    receiver = match subject {
        Subject::Defect(defect) => receiver.defect(defect).slow_delay(Duration::from_secs(5)),
        Subject::Choices(choices, _) => receiver.choices(choices),
        Subject::BodyLimit(bytes, _) => receiver.body_limit(bytes),
    };
    let receiver = Receiver::start(receiver)
        .await
        .expect("the receiver starts");
    let mut config = FuzzConfig::new(receiver.webhook_url().parse().unwrap());
    config.seed = SEED;
    config.effects = Some(EffectsProbe::url(&receiver.effects_url_template()).unwrap());
    config.client.auth = with_auth.then(auth);
    config.client.timeout = Duration::from_secs(3);
    config.settle = Duration::from_millis(1300);
    config.retry_delay = Duration::from_millis(2500);
    config.shrink = ShrinkLimits {
        replays: 8,
        time: Duration::from_secs(6),
    };
    let report = tokio::time::timeout(RUN_BOUND, fuzz(config, Box::new(SpaceSource::default())))
        .await
        .map_err(|_| format!("did not end within {RUN_BOUND:?}"))
        .and_then(|r| r.map_err(|e| e.to_string()));
    receiver.shutdown().await;
    report
}

/// What is wrong with a run's report, given what it must show.
fn problems(expect: &Expect, report: &FuzzReport) -> Vec<String> {
    let mut problems = Vec::new();
    let broken: BTreeSet<Invariant> = report.findings.iter().map(|f| f.invariant).collect();
    for invariant in expect.broken {
        if !broken.contains(invariant) {
            problems.push(format!("{invariant} not reported broken"));
        }
    }
    for invariant in &broken {
        if !expect.broken.contains(invariant) && !expect.also.contains(invariant) {
            let finding = report.findings.iter().find(|f| f.invariant == *invariant);
            let detail = finding.map(|f| format!("{}: {}", f.label, f.actual));
            problems.push(format!(
                "{invariant} blamed too ({})",
                detail.unwrap_or_default()
            ));
        }
    }
    if expect.broken.is_empty() && report.verdict != FuzzVerdict::Pass {
        problems.push(format!("verdict {:?}", report.verdict));
    }
    for finding in &report.findings {
        if let Err(e) = parses_in_posix_sh(&finding.repro) {
            problems.push(format!("{}: repro does not parse: {e}", finding.invariant));
        }
        if finding.repro.contains("s3cret") {
            problems.push(format!("{}: the repro shows the secret", finding.invariant));
        }
    }
    if report.unread_counts > 0
        && !matches!(expect.subject, Subject::Defect(Defect::DiesOnMalformedJson))
    {
        problems.push(format!("{} effect counts unread", report.unread_counts));
    }
    // A correct receiver gets a verdict on every invariant: nothing is left unchecked.
    if expect.broken.is_empty() {
        for result in &report.invariants {
            if result.outcome == InvariantOutcome::Unchecked {
                problems.push(format!(
                    "{} not checked: {:?}",
                    result.invariant, result.reason
                ));
            }
        }
    }
    for finding in &report.findings {
        if finding.clause.is_empty() {
            problems.push(format!("{}: cites no clause", finding.invariant));
        }
    }
    // A run stops early only when the target stops serving; a sequence stops at a
    // request the target did not answer.
    let unanswered = expect
        .broken
        .iter()
        .chain(expect.also)
        .any(|i| matches!(i, TargetAlive | Answered));
    let slow = matches!(
        expect.subject,
        Subject::Defect(Defect::SlowCancelled | Defect::SlowCompleted)
    );
    if report.cases < hookcheck::fuzz::DEFAULT_CASES && !unanswered && !slow {
        problems.push(format!("only {} cases sent", report.cases));
    }
    problems
}

fn parses_in_posix_sh(script: &str) -> Result<(), String> {
    let output = std::process::Command::new("dash")
        .arg("-n")
        .arg("-c")
        .arg(script)
        .output()
        .map_err(|e| e.to_string())?;
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

#[test]
fn the_default_budget_finds_every_payload_and_idempotency_defect_and_nothing_in_correct_receivers()
{
    let queue: Vec<&'static Expect> = DEFECTS.iter().chain(CLEAN).collect();
    run_table(
        queue,
        AT_ONCE,
        Duration::from_secs(240),
        "fuzzed",
        |expect| async move {
            let found = match fuzz_one(expect.subject).await {
                Ok(report) => problems(expect, &report),
                Err(e) => vec![e],
            };
            (name(expect.subject), found)
        },
    );
}
