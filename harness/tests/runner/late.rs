//! Effects that come late, and copies that come late: the retry-schedule copies of
//! `after-retry-delay` catch a dedupe record that expires between the first retry and the
//! last; a count is graded only once a second effect recorded in the background after a
//! duplicate's answer has had time to land; and an abandoned copy answered before its
//! sender hung up is reported as not observed, never as a pass.

use std::time::Duration;

use hookcheck::catalogue::Selection;
use hookcheck::receiver::{Defect, ReceiverConfig};
use hookcheck::results::{Outcome, Report};
use hookcheck::runner::EffectsProbe;
use hookcheck_testkit::receiver;

use super::{config, grade, outcomes};

fn check<'a>(report: &'a Report, id: &str) -> &'a hookcheck::results::CheckResult {
    report
        .checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("{id} was not reported"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_retry_schedule_copies_catch_a_record_that_outlives_the_first_retry_but_not_the_last() {
    // The schedule scaled down twentyfold (base 250 ms instead of 5 s): copies at +250,
    // +300, +750, +900, +1750 and +2100 ms. A record kept 1 s outlives the first two and
    // is gone by the last; one kept 3 s outlives them all.
    for (expiry, caught) in [
        (Duration::from_secs(1), true),
        (Duration::from_secs(3), false),
    ] {
        let receiver = receiver::start(
            ReceiverConfig::default()
                .defect(Defect::DedupeExpires)
                .dedupe_expiry(expiry),
        )
        .await;
        let mut config = config(&receiver.webhook_url());
        config.effects = Some(EffectsProbe::url(&receiver.effects_url_template()).unwrap());
        config.retry_base = Duration::from_millis(250);
        config.dedupe_window = config.retry_schedule().default_span();
        assert_eq!(config.dedupe_window, Duration::from_millis(2100));
        config.selection = Selection {
            only: vec![
                "idempotency/exactly-once/after-retry-delay".into(),
                "idempotency/duplicates-acknowledged/after-retry-delay".into(),
            ],
            skip: Vec::new(),
        };
        let report = grade(config).await;
        let once = check(&report, "idempotency/exactly-once/after-retry-delay");
        let acknowledged = check(
            &report,
            "idempotency/duplicates-acknowledged/after-retry-delay",
        );
        assert_eq!(
            acknowledged.outcome,
            Outcome::Pass,
            "{}",
            acknowledged.actual
        );
        // The first copy and six more.
        assert_eq!(
            acknowledged.actual.matches("200 in").count(),
            7,
            "{}",
            acknowledged.actual
        );
        let wanted = if caught { Outcome::Fail } else { Outcome::Pass };
        assert_eq!(
            once.outcome, wanted,
            "record kept {expiry:?}: {}",
            once.actual
        );
        if caught {
            let repro = once.repro.as_deref().unwrap_or_default();
            assert!(repro.contains("retry 3, at the latest"), "{repro}");
        }
        receiver.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_effect_recorded_after_a_duplicate_was_answered_fails_exactly_once() {
    let receiver = receiver::start(ReceiverConfig::default().defect(Defect::AsyncDuplicate)).await;
    let mut config = config(&receiver.webhook_url());
    config.effects = Some(EffectsProbe::url(&receiver.effects_url_template()).unwrap());
    // Sequential copies only: without a read 2 s after the last copy, the count would be
    // read 200 ms after it, before the background job records its second effect.
    config.selection = Selection {
        only: vec![
            "idempotency/exactly-once/sequential".into(),
            "idempotency/duplicates-acknowledged/sequential".into(),
        ],
        skip: Vec::new(),
    };
    let report = grade(config).await;
    let outcomes = outcomes(&report);
    assert_eq!(
        outcomes["idempotency/duplicates-acknowledged/sequential"],
        Outcome::Pass
    );
    let once = check(&report, "idempotency/exactly-once/sequential");
    assert_eq!(once.outcome, Outcome::Fail, "{}", once.actual);
    assert!(once.actual.contains("when read first"), "{}", once.actual);
    receiver.shutdown().await;
}

/// A target that answers every request 200 as soon as it has read it, on its own thread:
/// faster than any sender's patience.
fn instant_target() -> std::net::SocketAddr {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut buf = vec![0u8; 64 * 1024];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
            });
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abandoned_copy_answered_before_the_hang_up_is_not_observed_and_a_slow_one_is() {
    let only = Selection {
        only: vec![
            "idempotency/duplicates-acknowledged/after-abandoned".into(),
            "idempotency/exactly-once/after-abandoned".into(),
        ],
        skip: Vec::new(),
    };
    // Answered at once, and the sender waits a whole second before it hangs up: the answer
    // is there first however loaded the machine. Nothing was abandoned mid-way: a skip that
    // says so.
    let addr = instant_target();
    let mut fast = config(&format!("http://{addr}/webhook"));
    fast.abandon_patience = Some(Duration::from_secs(1));
    fast.selection = only.clone();
    let report = grade(fast).await;
    let acknowledged = check(
        &report,
        "idempotency/duplicates-acknowledged/after-abandoned",
    );
    assert_eq!(
        acknowledged.outcome,
        Outcome::Skip,
        "{}",
        acknowledged.actual
    );
    assert_eq!(
        acknowledged.actual,
        hookcheck::checks::overlap::ANSWERED_FIRST
    );
    assert!(
        report
            .unverified
            .iter()
            .any(|u| u.reason == hookcheck::checks::overlap::ANSWERED_FIRST),
        "{:?}",
        report.unverified
    );
    // Each answer 400 ms late: the sender hangs up after about 200 ms, mid-way.
    let slow = receiver::start(
        ReceiverConfig::default()
            .choices(hookcheck::receiver::Choices::default().delay(Duration::from_millis(400))),
    )
    .await;
    let mut config = config(&slow.webhook_url());
    config.abandon_patience = None;
    config.effects = Some(EffectsProbe::url(&slow.effects_url_template()).unwrap());
    config.selection = only;
    let report = grade(config).await;
    let outcomes = outcomes(&report);
    for id in [
        "idempotency/duplicates-acknowledged/after-abandoned",
        "idempotency/exactly-once/after-abandoned",
    ] {
        assert_eq!(
            outcomes[id],
            Outcome::Pass,
            "{id}: {}",
            check(&report, id).actual
        );
    }
    slow.shutdown().await;
}
