//! Every deliberate defect of the reference receiver, graded by a whole run: each is
//! caught in its own category, a broken MUST fails the run, and nothing else is blamed.

use std::collections::BTreeSet;
use std::time::Duration;

use hookcheck::catalogue::{Category, Level, Selection, requirement_of};
use hookcheck::receiver::{Defect, ReceiverConfig};
use hookcheck::results::{Outcome, Report};
use hookcheck::runner::EffectsProbe;
use hookcheck::transport::parse_target;
use hookcheck_testkit::postgres::TempPostgres;
use hookcheck_testkit::receiver;
use hookcheck_testkit::table::run_table;

use super::{as_reference, auth, config, grade, outcomes, reference_expectation};

/// What a run against one defect must show.
struct Expect {
    defect: Defect,
    /// Id prefixes that must each match at least one check, and every check they match
    /// must be `fail`.
    fail: &'static [&'static str],
    /// Likewise for `warn`.
    warn: &'static [&'static str],
    /// Likewise for `error` (no verdict possible).
    error: &'static [&'static str],
    /// Id prefixes whose checks may also be non-pass, as a consequence of the same defect.
    /// Any other check must be exactly what the reference receiver gets.
    also: &'static [&'static str],
}

/// Where a defect that refuses some drawn feature may also show: every check that sends a
/// drawn valid delivery (the status and payload families, duplicates and distinct
/// sessions, the burst), and the robustness checks whose bad input departs from one.
const DRAWN_REACH: &[&str] = &[
    "status/",
    "payload/",
    "idempotency/",
    "latency/",
    "robustness/no-5xx-for-bad-input/",
];

const DEFECTS: &[Expect] = &[
    Expect {
        defect: Defect::NoDedupe,
        fail: &[
            "idempotency/exactly-once/sequential",
            "idempotency/exactly-once/concurrent",
            "idempotency/exactly-once/other-body",
            "idempotency/exactly-once/other-body-reversed",
            "idempotency/exactly-once/every-status",
            "idempotency/exactly-once/after-retry-delay",
            "idempotency/exactly-once/after-burst",
        ],
        warn: &[],
        error: &[],
        also: &["idempotency/exactly-once/after-abandoned"],
    },
    Expect {
        defect: Defect::RacyDedupe,
        fail: &["idempotency/exactly-once/concurrent"],
        warn: &[],
        error: &[],
        // The abandoned copy is still being processed when the retry arrives: a race too.
        also: &["idempotency/exactly-once/after-abandoned"],
    },
    Expect {
        defect: Defect::SplitTransactionDedupe,
        fail: &["idempotency/exactly-once/concurrent"],
        warn: &[],
        error: &[],
        // The abandoned copy is still between its two transactions when the retry arrives.
        also: &["idempotency/exactly-once/after-abandoned"],
    },
    Expect {
        // Graded against two replicas (`Defect::facts().replicas`): alone it conforms.
        defect: Defect::PerProcessDedupe,
        fail: &["idempotency/exactly-once/sequential"],
        warn: &[],
        error: &[],
        also: &["idempotency/"],
    },
    Expect {
        defect: Defect::ConflictOnDuplicate,
        fail: &["idempotency/duplicates-acknowledged/"],
        warn: &[],
        error: &[],
        // The abandoned copy was the one acknowledged: its retry got the 409.
        also: &["idempotency/exactly-once/after-abandoned"],
    },
    Expect {
        defect: Defect::AuthIgnored,
        fail: &[
            "auth/rejects-bad-credentials/",
            "auth/no-effect-when-rejected/",
        ],
        warn: &[],
        // Nothing was refused, so no refusal status can be graded.
        error: &["auth/rejection-status"],
        also: &[],
    },
    Expect {
        defect: Defect::AuthPrefixMatch,
        fail: &[
            "auth/rejects-bad-credentials/truncated-value",
            "auth/rejects-bad-credentials/extended-value",
            "auth/no-effect-when-rejected/truncated-value",
            "auth/no-effect-when-rejected/extended-value",
        ],
        warn: &[],
        error: &[],
        also: &[],
    },
    Expect {
        defect: Defect::EffectBeforeAuth,
        fail: &["auth/no-effect-when-rejected/"],
        warn: &[],
        error: &[],
        also: &[],
    },
    Expect {
        defect: Defect::RejectsUnknownFields,
        fail: &[],
        warn: &["payload/unknown-fields/top-level"],
        error: &[],
        also: &[
            "payload/unknown-fields/",
            "payload/processed-once/unknown-top-level",
        ],
    },
    Expect {
        defect: Defect::ErrorOnNullFields,
        fail: &["status/nullable-fields-null/"],
        warn: &[],
        error: &[],
        // Drawn deliveries of every check carry null or omitted fields.
        also: DRAWN_REACH,
    },
    Expect {
        defect: Defect::RejectsTerminated,
        fail: &["status/valid-delivery-2xx/terminated"],
        warn: &[],
        error: &[],
        also: &[
            "status/nullable-fields-null/terminated",
            "status/data-for-every-status/terminated",
            "status/processed-once/terminated",
            "idempotency/duplicates-acknowledged/every-status",
            "latency/burst",
        ],
    },
    Expect {
        defect: Defect::SlowCancelled,
        fail: &["status/valid-delivery-2xx/cancelled"],
        warn: &[],
        error: &[],
        also: &[
            "status/nullable-fields-null/cancelled",
            "status/data-for-every-status/cancelled",
            "status/processed-once/cancelled",
            "idempotency/duplicates-acknowledged/every-status",
            "latency/",
        ],
    },
    Expect {
        defect: Defect::Redirects,
        fail: &["transport/no-redirect"],
        warn: &[],
        error: &[],
        // Every valid delivery is redirected, so everything that needs one breaks.
        also: &[
            "status/",
            "payload/",
            "idempotency/",
            "latency/",
            "robustness/keeps-serving/",
            // The liveness probes are redirected too: none acknowledged, none to count.
            "robustness/liveness-processed-once",
        ],
    },
    Expect {
        defect: Defect::DiesOnMalformedJson,
        fail: &["robustness/keeps-serving/malformed-json"],
        warn: &[],
        error: &[
            "robustness/keeps-serving/empty-body",
            "robustness/keeps-serving/wrong-method",
            "robustness/no-5xx-for-bad-input/wrong-method",
            "robustness/no-effect-for-unprocessable/status-missing",
        ],
        // The effects endpoint died with the receiver: every count read at the end of the
        // run says so, as does a duplicate sent after the death.
        also: &[
            "robustness/",
            "status/processed-once/",
            "payload/processed-once/",
            "idempotency/",
        ],
    },
    Expect {
        defect: Defect::ErrorOnMalformedJson,
        fail: &[],
        warn: &["robustness/no-5xx-for-bad-input/malformed-json"],
        error: &[],
        // An empty body and invalid UTF-8 are "not JSON" too.
        also: &["robustness/no-5xx-for-bad-input/"],
    },
    Expect {
        defect: Defect::EffectForInvalid,
        fail: &[
            "robustness/no-effect-for-unprocessable/unknown-status",
            "robustness/no-effect-for-unprocessable/status-missing",
        ],
        warn: &[],
        error: &[],
        also: &["robustness/no-effect-for-unprocessable/"],
    },
    Expect {
        defect: Defect::TinyBodyLimit,
        fail: &[],
        warn: &["payload/large-body"],
        error: &[],
        also: &["payload/processed-once/large-body"],
    },
    Expect {
        defect: Defect::Serial,
        fail: &["latency/burst"],
        warn: &[],
        error: &[],
        also: &["latency/"],
    },
    Expect {
        defect: Defect::DedupeForgets,
        fail: &["idempotency/exactly-once/after-burst"],
        warn: &[],
        error: &[],
        also: &["idempotency/exactly-once/"],
    },
    Expect {
        defect: Defect::DedupeExpires,
        fail: &["idempotency/exactly-once/after-retry-delay"],
        warn: &[],
        error: &[],
        also: &["idempotency/exactly-once/"],
    },
    Expect {
        defect: Defect::CrashesOnMissingSessionId,
        fail: &[
            "robustness/keeps-serving/session-id-missing",
            "robustness/keeps-serving/session-id-null",
            "robustness/keeps-serving/session-id-number",
        ],
        warn: &[],
        // No status to grade: the handler crashed (see keeps-serving).
        error: &[
            "robustness/no-5xx-for-bad-input/session-id-missing",
            "robustness/no-5xx-for-bad-input/session-id-null",
            "robustness/no-5xx-for-bad-input/session-id-number",
        ],
        also: &["robustness/"],
    },
    Expect {
        defect: Defect::PanicsOnUnknownStatus,
        fail: &[
            "robustness/keeps-serving/unknown-status",
            "robustness/keeps-serving/status-lowercase",
        ],
        warn: &[],
        error: &[
            "robustness/no-5xx-for-bad-input/unknown-status",
            "robustness/no-5xx-for-bad-input/status-lowercase",
        ],
        also: &["robustness/"],
    },
    Expect {
        defect: Defect::DropsNonCompleted,
        fail: &[
            "status/processed-once/partial-complete",
            "status/processed-once/error",
            "status/processed-once/cancelled",
            "status/processed-once/terminated",
            "idempotency/burst-processed-once",
        ],
        warn: &[],
        error: &[],
        // The liveness controls of the other statuses are lost too.
        also: &[
            "idempotency/exactly-once/",
            "robustness/liveness-processed-once",
        ],
    },
    Expect {
        defect: Defect::LosesUnderLoad,
        fail: &["idempotency/burst-processed-once"],
        warn: &[],
        error: &[],
        also: &[
            "idempotency/",
            "status/processed-once/",
            "payload/processed-once/",
        ],
    },
    Expect {
        defect: Defect::SlowCompleted,
        fail: &[
            "status/valid-delivery-2xx/completed",
            "latency/within-timeout",
        ],
        warn: &[],
        error: &[],
        // Every COMPLETED delivery fails by timeout: the checks that send one say so.
        also: &["status/", "payload/", "idempotency/", "latency/"],
    },
    Expect {
        defect: Defect::CrashesOnUnicode,
        fail: &["payload/unicode"],
        warn: &[],
        error: &[],
        also: &["payload/processed-once/unicode"],
    },
    Expect {
        defect: Defect::AsyncEffectForInvalid,
        fail: &[
            "robustness/no-effect-for-unprocessable/unknown-status",
            "robustness/no-effect-for-unprocessable/status-missing",
        ],
        warn: &[],
        error: &[],
        also: &["robustness/no-effect-for-unprocessable/"],
    },
    Expect {
        defect: Defect::HangsOnBadAuth,
        fail: &[
            "auth/rejects-bad-credentials/wrong-value",
            "auth/rejects-bad-credentials/truncated-value",
            "auth/rejects-bad-credentials/extended-value",
        ],
        warn: &[],
        error: &[],
        also: &["auth/", "latency/"],
    },
    Expect {
        defect: Defect::AuthCaseInsensitiveValue,
        fail: &[
            "auth/rejects-bad-credentials/other-case",
            "auth/no-effect-when-rejected/other-case",
        ],
        warn: &[],
        error: &[],
        also: &[],
    },
    Expect {
        defect: Defect::KeyedOnExternalReference,
        fail: &[
            "idempotency/distinct-sessions-processed/null-external-reference",
            "idempotency/distinct-sessions-processed/same-external-reference",
        ],
        warn: &[],
        error: &[],
        // Every delivery that shares a reference (null included) with an earlier one is
        // lost, control deliveries too.
        also: &[
            "idempotency/",
            "status/processed-once/",
            "payload/processed-once/",
            "robustness/liveness-processed-once",
            "auth/accepted-processed-once",
        ],
    },
    Expect {
        defect: Defect::DedupesCompletedOnly,
        fail: &["idempotency/exactly-once/every-status"],
        warn: &[],
        error: &[],
        also: &["idempotency/exactly-once/"],
    },
    Expect {
        defect: Defect::StrictContentType,
        fail: &[],
        warn: &["payload/charset-parameter"],
        error: &[],
        also: &["payload/processed-once/charset-parameter"],
    },
    Expect {
        defect: Defect::StrictTimestamp,
        fail: &[],
        warn: &["payload/timestamp-forms/"],
        error: &[],
        also: &["payload/processed-once/"],
    },
    Expect {
        defect: Defect::RequiresAccountHolder,
        fail: &[
            "payload/free-form-keys/other-keys",
            "payload/free-form-keys/nested",
            "payload/free-form-keys/no-keys",
        ],
        warn: &[],
        error: &[],
        // Any drawn delivery whose extractedData lacks the key is refused, whichever check
        // sent it; so is a bad input built from one.
        also: DRAWN_REACH,
    },
    Expect {
        defect: Defect::RejectsFutureTimestamp,
        fail: &["payload/completed-at-any-age/ahead-within-skew"],
        warn: &[],
        error: &[],
        also: DRAWN_REACH,
    },
    Expect {
        defect: Defect::DropsOldEvents,
        fail: &[
            "payload/processed-once/completed-at-years-back",
            "payload/processed-once/completed-at-days-back",
        ],
        warn: &[],
        error: &[],
        also: &[
            "status/processed-once/",
            "payload/processed-once/",
            "idempotency/exactly-once/",
            "idempotency/distinct-sessions-processed/",
            "idempotency/burst-processed-once",
            // Control deliveries drawn years or days back are dropped too.
            "robustness/liveness-processed-once",
            "auth/accepted-processed-once",
        ],
    },
    Expect {
        defect: Defect::RejectsLowercaseTimestamp,
        fail: &[],
        warn: &[
            "payload/timestamp-forms/lowercase-t",
            "payload/timestamp-forms/lowercase-z",
        ],
        error: &[],
        also: &[
            "payload/processed-once/timestamp-lowercase-t",
            "payload/processed-once/timestamp-lowercase-z",
        ],
    },
    Expect {
        defect: Defect::RejectsOmittedFields,
        fail: &["payload/optional-fields-omitted/"],
        warn: &[],
        error: &[],
        also: DRAWN_REACH,
    },
    Expect {
        defect: Defect::AsyncDuplicate,
        fail: &[
            "idempotency/exactly-once/sequential",
            "idempotency/exactly-once/concurrent",
            "idempotency/exactly-once/other-body",
            "idempotency/exactly-once/other-body-reversed",
            "idempotency/exactly-once/every-status",
            "idempotency/exactly-once/after-retry-delay",
            "idempotency/exactly-once/after-burst",
        ],
        warn: &[],
        error: &[],
        // The abandoned copy may still be in processing when its retry arrives: then the
        // retry is the one processed, and nothing is a duplicate.
        also: &["idempotency/exactly-once/after-abandoned"],
    },
    Expect {
        defect: Defect::ReprocessesOtherStatus,
        fail: &[
            "idempotency/exactly-once/other-body",
            "idempotency/exactly-once/other-body-reversed",
        ],
        warn: &[],
        error: &[],
        also: &["idempotency/exactly-once/"],
    },
];

/// The finding that names the feature: for these defects, the check's `actual` must say
/// what in the drawn delivery was refused or dropped, so a user can act on it.
const NAMED: &[(Defect, &str, &str)] = &[
    (
        Defect::RequiresAccountHolder,
        "payload/free-form-keys/other-keys",
        "refused when `extractedData` with other keys, none of the documented example's (no `accountHolder`)",
    ),
    (
        Defect::RejectsFutureTimestamp,
        "payload/completed-at-any-age/ahead-within-skew",
        "s ahead of now (every other feature as the canonical COMPLETED delivery has it",
    ),
    (
        Defect::DropsOldEvents,
        "payload/processed-once/completed-at-days-back",
        "h back",
    ),
    (
        Defect::RejectsLowercaseTimestamp,
        "payload/timestamp-forms/lowercase-t",
        "(lowercase-t) (every other feature as the canonical COMPLETED delivery has it",
    ),
    (
        Defect::RejectsOmittedFields,
        "payload/optional-fields-omitted/proof-hash",
        "refused when `proofHash` left out",
    ),
];

fn matches_prefix(id: &str, prefix: &str) -> bool {
    if let Some(stem) = prefix.strip_suffix('/') {
        id.starts_with(prefix) || id == stem
    } else {
        id == prefix || id.starts_with(&format!("{prefix}/"))
    }
}

/// Runs the whole catalogue against one defect; returns what was wrong, if anything.
async fn grade_defect(expect: &Expect) -> (String, Vec<String>) {
    grade_defect_on(expect, None).await
}

/// Grades the defect's receiver: one in-process receiver on its in-memory store, or with
/// `database` (a PostgreSQL URL) two replicas on it, each with its own memory, graded
/// with the second as `--replica`.
async fn grade_defect_on(expect: &Expect, database: Option<&str>) -> (String, Vec<String>) {
    let defect = expect.defect;
    let facts = defect.facts();
    let with_auth = facts.needs_auth;
    let mut receiver_config = ReceiverConfig::default()
        .defect(defect)
        .slow_delay(Duration::from_secs(5));
    if with_auth {
        receiver_config = receiver_config.auth(auth());
    }
    if let Some(url) = database {
        receiver_config = receiver_config.postgres(url.parse().expect("a PostgreSQL URL"));
    }
    let receiver = receiver::start(receiver_config.clone()).await;
    let replica = match database {
        Some(_) => Some(receiver::start(receiver_config).await),
        None => None,
    };
    let mut config = config(&receiver.webhook_url());
    config.replicas = replica
        .iter()
        .map(|r| parse_target(&r.webhook_url()).unwrap())
        .collect();
    config.effects = Some(EffectsProbe::url(&receiver.effects_url_template()).unwrap());
    config.client.timeout = match defect {
        // Well below the receiver's 5 s slow_delay.
        Defect::SlowCancelled => Duration::from_secs(2),
        // Short enough that 32 deliveries at 100 ms each cannot all make it.
        Defect::Serial => Duration::from_secs(2),
        Defect::SlowCompleted | Defect::HangsOnBadAuth => Duration::from_secs(2),
        // Several runs share two cores: leave room so that load is not graded as slowness.
        _ => Duration::from_secs(5),
    };
    if defect == Defect::Serial {
        // Few enough requests in flight (2, plus 8 concurrent duplicates: 1 s of queue)
        // that only the burst of 32 (3.2 s) outlasts the timeout.
        config.concurrency = 2;
    }
    if defect == Defect::DedupeExpires {
        // The retry schedule scaled down tenfold (copies at +0.5, +0.6, +1.5, +1.8, +3.5
        // and +4.2 s): the defect's 2 s memory is gone by the last ones, as it is by a
        // real retry 35 s later.
        config.retry_base = Duration::from_millis(500);
        config.dedupe_window = config.retry_schedule().default_span();
    }
    if with_auth {
        config.client.auth = Some(auth());
    }
    let report = grade(config).await;
    let outcomes = outcomes(&report);
    let reference = reference_expectation(false, with_auth, true);
    let mut problems = Vec::new();

    for (prefixes, wanted) in [
        (expect.fail, Outcome::Fail),
        (expect.warn, Outcome::Warn),
        (expect.error, Outcome::Error),
    ] {
        for prefix in prefixes {
            let matched: Vec<(&String, &Outcome)> = outcomes
                .iter()
                .filter(|(id, _)| matches_prefix(id, prefix))
                .collect();
            if matched.is_empty() {
                problems.push(format!("`{prefix}` matches no check"));
            }
            for (id, outcome) in matched {
                if *outcome != wanted {
                    let actual = report
                        .checks
                        .iter()
                        .find(|c| &c.id == id)
                        .map(|c| c.actual.clone())
                        .unwrap_or_default();
                    problems.push(format!("{id}: expected {wanted}, got {outcome} ({actual})"));
                }
            }
        }
    }
    for (_, id, phrase) in NAMED.iter().filter(|(d, _, _)| *d == defect) {
        match report.checks.iter().find(|c| c.id == *id) {
            Some(check) if check.actual.contains(phrase) => {}
            Some(check) => problems.push(format!(
                "{id} does not name the feature (`{phrase}`): {}",
                check.actual
            )),
            None => problems.push(format!("{id} was not reported")),
        }
    }
    let listed = |id: &str| {
        expect
            .fail
            .iter()
            .chain(expect.warn)
            .chain(expect.error)
            .chain(expect.also)
            .any(|prefix| matches_prefix(id, prefix))
    };
    for check in &report.checks {
        if !listed(&check.id) && !as_reference(check, reference.get(&check.id)) {
            problems.push(format!(
                "{}: {} outside the defect's reach ({})",
                check.id, check.outcome, check.actual
            ));
        }
        // A broken MUST is a fail, a broken SHOULD a warn, never the other way round.
        let level = requirement_of(&check.id).map(|r| r.level);
        if check.outcome == Outcome::Fail && level != Some(Level::Must) {
            problems.push(format!("{}: fail for a {level:?}", check.id));
        }
        if check.outcome == Outcome::Warn && level != Some(Level::Should) {
            problems.push(format!("{}: warn for a {level:?}", check.id));
        }
        if let Some(repro) = &check.repro
            && let Err(why) = parses_in_posix_sh(repro)
        {
            problems.push(format!(
                "{}: repro is not POSIX sh: {why}\n{repro}",
                check.id
            ));
        }
        if matches!(check.outcome, Outcome::Fail | Outcome::Warn) && check.repro.is_none() {
            // Every finding says how to send its request again, except the aggregate
            // latency grade, which stands for many deliveries.
            if check.id != "latency/within-timeout" {
                problems.push(format!(
                    "{}: {} without a repro line",
                    check.id, check.outcome
                ));
            }
        }
    }
    problems.extend(disagreements_with_the_facts(expect));
    let must_broken = facts.level == Level::Must;
    let conformant = Report::conformant(&report.summary, false);
    if conformant == must_broken {
        problems.push(format!(
            "verdict {} with summary {:?}",
            report.verdict, report.summary
        ));
    }
    if !expect.warn.is_empty() && Report::conformant(&report.summary, true) {
        problems.push("a broken SHOULD is conformant under --strict".into());
    }
    drop((receiver, replica));
    (format!("defect {defect}"), problems)
}

/// Where the table row disagrees with [`Defect::facts`]: a row that expects a fail or an
/// error is a broken MUST, and its prefixes name exactly the categories the defect breaks.
fn disagreements_with_the_facts(expect: &Expect) -> Vec<String> {
    let facts = expect.defect.facts();
    let mut problems = Vec::new();
    let must = !expect.fail.is_empty() || !expect.error.is_empty();
    if must != (facts.level == Level::Must) {
        problems.push(format!(
            "the table's fail/error rows say MUST = {must}, the facts {}",
            facts.level
        ));
    }
    let named: BTreeSet<Category> = expect
        .fail
        .iter()
        .chain(expect.warn)
        .chain(expect.error)
        .filter_map(|prefix| prefix.split('/').next()?.parse().ok())
        .collect();
    let breaks: BTreeSet<Category> = facts.breaks.iter().copied().collect();
    if named != breaks {
        problems.push(format!(
            "the table's rows break {named:?}, the facts {breaks:?}"
        ));
    }
    problems
}

/// Whether dash (POSIX `sh`, without bash's extensions) reads a repro without a syntax error.
fn parses_in_posix_sh(repro: &str) -> Result<(), String> {
    let output = std::process::Command::new("dash")
        .args(["-n", "-c", repro])
        .output()
        .map_err(|e| format!("dash does not start: {e}"))?;
    match output.status.success() {
        true => Ok(()),
        false => Err(String::from_utf8_lossy(&output.stderr).into_owned()),
    }
}

/// How many defects are graded at once. Each run is CPU-bound on a two-core machine: more
/// at once only makes every run slower, until load looks like a slow receiver.
const AT_ONCE: usize = 3;

#[test]
fn every_defect_is_caught_in_its_category_and_a_broken_must_fails_the_run() {
    // The table covers every defect, once each.
    let listed: BTreeSet<Defect> = DEFECTS.iter().map(|e| e.defect).collect();
    assert_eq!(listed, Defect::ALL.into_iter().collect::<BTreeSet<_>>());
    assert_eq!(listed.len(), DEFECTS.len());

    // Longest first (serial), then the rest, AT_ONCE at a time. A defect that shows only
    // across replicas conforms in one process: it is graded against two replicas on
    // PostgreSQL instead (the next test). The bound only catches a run that hangs or
    // retries far too long; speed is measured in benchmarks.
    let mut queue: Vec<&'static Expect> = DEFECTS
        .iter()
        .filter(|e| !e.defect.facts().replicas)
        .collect();
    queue.sort_by_key(|e| e.defect != Defect::Serial);
    run_table(
        queue,
        AT_ONCE,
        Duration::from_secs(180),
        "graded",
        grade_defect,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_replica_defects_are_caught_across_two_postgres_replicas_and_the_correct_pair_is_clean()
{
    let Some(pg) = TempPostgres::start("replica_defects_table") else {
        return;
    };
    // The correct pair: every check as the reference receiver gets it alone.
    let url = pg.create_database("correct_pair");
    let postgres = || url.parse().expect("a PostgreSQL URL");
    let a = receiver::start(ReceiverConfig::default().postgres(postgres())).await;
    let b = receiver::start(ReceiverConfig::default().postgres(postgres())).await;
    let mut config = config(&a.webhook_url());
    config.replicas = vec![parse_target(&b.webhook_url()).unwrap()];
    config.effects = Some(EffectsProbe::url(&a.effects_url_template()).unwrap());
    let report = grade(config).await;
    let reference = reference_expectation(false, false, true);
    let off: Vec<String> = report
        .checks
        .iter()
        .filter(|c| !as_reference(c, reference.get(&c.id)))
        .map(|c| format!("{}: {} ({})", c.id, c.outcome, c.actual))
        .collect();
    assert!(off.is_empty(), "the correct pair: {off:#?}");
    assert!(
        Report::conformant(&report.summary, true),
        "{:?}",
        report.summary
    );
    drop((a, b));

    for expect in DEFECTS.iter().filter(|e| e.defect.facts().replicas) {
        let url = pg.create_database(&expect.defect.as_str().replace('-', "_"));
        let (name, problems) = grade_defect_on(expect, Some(&url)).await;
        assert!(problems.is_empty(), "{name}: {problems:#?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_finding_carries_a_repro_line() {
    // A user told "307 to /webhook/v2" wants the request that shows it, as every other
    // failing check gives one.
    let receiver = receiver::start(ReceiverConfig::default().defect(Defect::Redirects)).await;
    let mut config = config(&receiver.webhook_url());
    config.selection = Selection {
        only: vec!["transport/no-redirect".into()],
        skip: Vec::new(),
    };
    let report = grade(config).await;
    let check = &report.checks[0];
    assert_eq!(
        (check.id.as_str(), check.outcome),
        ("transport/no-redirect", Outcome::Fail)
    );
    let repro = check.repro.as_deref().unwrap_or("");
    assert!(
        repro.starts_with("curl ") && repro.contains(&receiver.webhook_url()),
        "transport/no-redirect fails without a repro line: {:?}",
        check.repro
    );
    receiver.shutdown().await;
}
