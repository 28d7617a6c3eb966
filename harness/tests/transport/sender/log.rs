//! The attempt log's arithmetic and text, without a network.

use std::time::Duration;

use hookcheck::duration::format_duration;
use hookcheck::sender::{Attempt, Delivery, MAX_BACKOFF, jittered, nominal_backoff};
use hookcheck::transport::FailureClass;

#[test]
fn backoff_doubles_from_the_base() {
    let base = Duration::from_secs(5);
    assert_eq!(nominal_backoff(base, 1), Duration::from_secs(5));
    assert_eq!(nominal_backoff(base, 2), Duration::from_secs(10));
    assert_eq!(nominal_backoff(base, 3), Duration::from_secs(20));
    assert_eq!(
        nominal_backoff(base, 200),
        MAX_BACKOFF,
        "large retry counts do not overflow"
    );
}

#[test]
fn jitter_stays_within_its_fraction() {
    let delay = Duration::from_secs(10);
    for _ in 0..1000 {
        let varied = jittered(delay, 0.2);
        assert!(
            varied >= Duration::from_secs(8) && varied <= Duration::from_secs(12),
            "{varied:?}"
        );
    }
    assert_eq!(jittered(delay, 0.0), delay);
}

#[test]
fn durations_print_compactly() {
    assert_eq!(format_duration(Duration::from_millis(12)), "12ms");
    assert_eq!(format_duration(Duration::from_secs(2)), "2s");
    assert_eq!(format_duration(Duration::from_millis(4871)), "4.871s");
    assert_eq!(format_duration(Duration::from_millis(4500)), "4.5s");
}

#[test]
fn the_attempt_log_reads_like_the_portal() {
    let delivery = Delivery {
        target: "https://example.com/hook".to_owned(),
        session_id: Some("abc".to_owned()),
        webhook_id: None,
        delivered: true,
        max_attempts: 4,
        total_duration: Duration::from_millis(5030),
        attempts: vec![
            Attempt {
                number: 1,
                start_offset: Duration::ZERO,
                duration: Duration::from_millis(2000),
                status_code: None,
                failure: Some(FailureClass::Timeout),
                message: "no complete response within 2s".to_owned(),
                next_delay: Some(Duration::from_millis(3000)),
            },
            Attempt {
                number: 2,
                start_offset: Duration::from_millis(5001),
                duration: Duration::from_millis(29),
                status_code: Some(200),
                failure: None,
                message: "HTTP 200 OK".to_owned(),
                next_delay: None,
            },
        ],
    };
    assert_eq!(
        delivery.to_string(),
        "attempt 1: +0ms, timeout: no complete response within 2s, took 2s, next attempt in 3s\n\
         attempt 2: +5.001s, HTTP 200 OK, took 29ms\n\
         delivered on attempt 2 of 4 in 5.03s (sessionId abc)"
    );
}

#[test]
fn configuration_mistakes_are_typed_errors() {
    use hookcheck::sender::{Sender, SenderConfig, SenderError};
    use hookcheck::transport::ClientError;
    use hookcheck::transport::tls::CaFileError;
    use hookcheck::transport::tls::ClientTls;
    hookcheck::install_crypto_provider();
    let err = Sender::new(SenderConfig::default().jitter(1.5)).unwrap_err();
    assert!(matches!(err, SenderError::InvalidJitter(_)), "{err}");
    let err = Sender::new(SenderConfig::default().timeout(Duration::ZERO)).unwrap_err();
    assert!(
        matches!(err, SenderError::Client(ClientError::ZeroTimeout)),
        "{err}"
    );
    let missing = ClientTls::CaFile("/nonexistent/ca.pem".into());
    let err = Sender::new(SenderConfig::default().tls(missing)).unwrap_err();
    assert!(
        matches!(
            err,
            SenderError::Client(ClientError::CaFile(CaFileError::Unreadable { .. }))
        ),
        "{err}"
    );
    assert!(err.is_usage());
}
