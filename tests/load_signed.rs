//! `hookcheck load --profile standard-webhooks` end to end: a backlog of signed messages,
//! duplicates re-signed, against `hookcheck serve --profile standard-webhooks`.

use hookcheck::standard_webhooks::Secret;
use hookcheck_testkit::process::Served;

use crate::load::{load, text};
use crate::standard_webhooks::serve_signed;

/// `hookcheck load --profile standard-webhooks` of 200 deliveries, 30 % duplicates, with
/// the secret `secret` and `extra` arguments, against `served`; exit code, stdout, stderr.
async fn load_signed(served: &Served, secret: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "--profile",
        "standard-webhooks",
        "--secret",
        secret,
        "--target",
        &served.webhook_url,
        "--deliveries",
        "200",
        "--duplicates",
        "0.3",
        "--concurrency",
        "8",
        "--seed",
        "7",
        "--effects-url",
        &served.effects_template,
        "--quiet",
    ];
    args.extend(extra);
    let output = load(&args).await;
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert!(
        !stdout.contains(&secret[6..]) && !stderr.contains(&secret[6..]),
        "the secret never prints"
    );
    (output.status.code().unwrap_or(-1), stdout, stderr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_messages_with_duplicates_are_processed_once_each_by_the_reference_receiver() {
    let secret = Secret::generate().expose_text();
    let served = serve_signed(&secret, &[]);
    let (code, stdout, stderr) = load_signed(&served, &secret, &[]).await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("profile     standard-webhooks"), "{stdout}");
    assert!(stdout.contains("statuses    200: 200"), "{stdout}");
    assert!(
        stdout.contains("messages checked") && stdout.contains(" 0 lost, 0 doubled"),
        "{stdout}"
    );
    assert!(stdout.contains("verdict     holds"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_with_another_secret_refuses_every_delivery() {
    let served = serve_signed(&Secret::generate().expose_text(), &[]);
    let ours = Secret::generate().expose_text();
    let (code, stdout, stderr) = load_signed(&served, &ours, &[]).await;
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stdout.contains("statuses    401: 200"), "{stdout}");
    assert!(
        stdout.contains("200 deliveries answered outside 2xx"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_deduping_on_the_signature_processes_resigned_copies_again() {
    let secret = Secret::generate().expose_text();
    let served = serve_signed(&secret, &["--defect", "dedupes-on-signature"]);
    // At 100 deliveries/s the backlog spans two seconds, so most copies are signed at
    // another second than their message's first one, with another signature.
    let (code, stdout, stderr) = load_signed(&served, &secret, &["--rate", "100"]).await;
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stdout.contains("statuses    200: 200"), "{stdout}");
    assert!(!stdout.contains(" 0 doubled"), "{stdout}");
    assert!(stdout.contains("processed twice or more"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_replay_re_signs_every_retry() {
    let secret = Secret::generate().expose_text();
    let served = serve_signed(&secret, &[]);
    // The first second's deliveries are refused at the proxy; each gets through on a
    // retry 1.5 s later, signed again under its message's id.
    let outage = [
        "--rate",
        "100",
        "--outage",
        "1s@500ms",
        "--time-scale",
        "10",
        "--backoff-base",
        "15s",
    ];
    let (code, stdout, stderr) = load_signed(&served, &secret, &outage).await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("reached     200 of 200"), "{stdout}");
    assert!(
        stdout.contains(" in 2 (deliveries in N attempts)"),
        "{stdout}"
    );
    assert!(stdout.contains(" 0 lost, 0 doubled"), "{stdout}");
}

#[tokio::test]
async fn standard_webhooks_without_a_secret_is_a_one_line_usage_error() {
    let output = load(&[
        "--profile",
        "standard-webhooks",
        "--target",
        "http://127.0.0.1:9/hook",
        "--deliveries",
        "1",
    ])
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--secret"), "{stderr}");
}
