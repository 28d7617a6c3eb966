//! The Standard Webhooks profile end to end: the signing sender (`hookcheck send --profile
//! standard-webhooks`) against the verifying receiver (`hookcheck serve --profile
//! standard-webhooks`) and against a receiver built on the official `standardwebhooks`
//! Python package (`fixtures/standard-webhooks/receiver.py`).

use std::process::Stdio;
use std::time::Duration;

use hookcheck::sender::{Delivery, Sender, SenderConfig, Url};
use hookcheck::standard_webhooks::{Message, Secret, Signed, signature_header, unix_now};
use hookcheck_testkit::client::client;
use hookcheck_testkit::process::python_module_installed;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::{HOOKCHECK, hookcheck_async};

/// The receiver built on the official Python package.
const PYTHON_RECEIVER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/standard-webhooks/receiver.py"
);

async fn count(effects_url: &str) -> u64 {
    let json: Value = client()
        .get(effects_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    json["count"].as_u64().unwrap()
}

/// `hookcheck send --profile standard-webhooks --json` to `url`, the secret from the
/// environment; its exit code and attempt log.
async fn send_signed(url: &str, secret: &Secret) -> (i32, Delivery) {
    let text = secret.expose_text();
    let args = [
        "send",
        "--profile",
        "standard-webhooks",
        "--target",
        url,
        "--status",
        "COMPLETED",
        "--retries",
        "1",
        "--backoff-base",
        "50ms",
        "--json",
    ];
    let ran = hookcheck_async(&args, &[("HOOKCHECK_SECRET", text.as_str())]).await;
    assert!(!ran.stdout.contains(&text) && !ran.stderr.contains(&text));
    let delivery = serde_json::from_str(&ran.stdout).unwrap_or_else(|e| panic!("{e}: {ran:?}"));
    (ran.code, delivery)
}

#[tokio::test]
async fn a_signed_delivery_counts_once_and_a_wrong_secret_is_refused() {
    let secret = Secret::generate();
    let text = secret.expose_text();
    let served = HOOKCHECK.serve(&[
        "--profile",
        "standard-webhooks",
        "--secret",
        &text,
        "--memory",
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(
        served
            .announced
            .iter()
            .any(|l| l.starts_with("verifying Standard Webhooks signatures")),
        "{:?}",
        served.announced
    );

    let (code, delivery) = send_signed(&served.webhook_url, &secret).await;
    assert_eq!(code, hookcheck::exit_codes::OK, "{delivery:?}");
    let id = delivery
        .webhook_id
        .expect("a signed delivery names its webhook-id");
    assert_eq!(count(&served.effects_url(&id)).await, 1);

    let (code, delivery) = send_signed(&served.webhook_url, &Secret::generate()).await;
    assert_eq!(code, hookcheck::exit_codes::FAILED);
    assert!(
        delivery.attempts.iter().all(|a| a.status_code == Some(401)),
        "{delivery:?}"
    );
    assert_eq!(
        count(&served.effects_url(&delivery.webhook_id.unwrap())).await,
        0
    );
    assert!(!served.stderr().contains(&text) && !served.announced.join("\n").contains(&text));
}

#[tokio::test]
async fn serve_under_standard_webhooks_needs_a_secret_and_refuses_auth() {
    let ran = hookcheck_async(
        &["serve", "--profile", "standard-webhooks", "--memory"],
        &[],
    )
    .await;
    assert_eq!(ran.code, hookcheck::exit_codes::USAGE);
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
    assert!(ran.stderr.contains("--secret"), "{}", ran.stderr);
    let text = Secret::generate().expose_text();
    let args = [
        "serve",
        "--profile",
        "standard-webhooks",
        "--secret",
        &text,
        "--auth",
        "X-Key: v",
    ];
    let ran = hookcheck_async(&args, &[]).await;
    assert_eq!(ran.code, hookcheck::exit_codes::USAGE);
    assert!(
        ran.stderr
            .starts_with("error: --auth applies to --profile cr3dentials only")
    );
    assert!(!ran.stderr.contains(&text));
}

/// The Python receiver, killed when dropped, and its webhook URL.
struct PythonReceiver {
    _child: tokio::process::Child,
    url: String,
}

impl PythonReceiver {
    async fn start(secret: &Secret) -> PythonReceiver {
        let mut child = tokio::process::Command::new("python3")
            .arg(PYTHON_RECEIVER)
            .env("HOOKCHECK_SECRET", secret.expose_text())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 runs");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        let read = stdout.read_line(&mut first);
        tokio::time::timeout(Duration::from_secs(20), read)
            .await
            .expect("the Python receiver prints its URL")
            .unwrap();
        PythonReceiver {
            _child: child,
            url: first.trim().to_owned(),
        }
    }

    fn effects_url(&self, id: &str) -> String {
        self.url
            .replace("/webhook", &format!("/_test/effects/{id}"))
    }
}

#[tokio::test]
async fn the_official_python_library_accepts_our_signed_deliveries_once() {
    if !python_module_installed("standardwebhooks") {
        return;
    }
    let secret = Secret::generate();
    let python = PythonReceiver::start(&secret).await;

    let (code, delivery) = send_signed(&python.url, &secret).await;
    assert_eq!(code, hookcheck::exit_codes::OK, "{delivery:?}");
    assert_eq!(
        count(&python.effects_url(&delivery.webhook_id.unwrap())).await,
        1
    );

    // The same message delivered twice, each attempt signed afresh: one effect.
    let config = SenderConfig::default().retries(0).signing(secret.clone());
    let sender = Sender::new(config).unwrap();
    let url = Url::parse(&python.url).unwrap();
    let message = Message::new("invoice.paid", json!({"amount": 3}));
    for _ in 0..2 {
        let delivery = sender.deliver_message(&url, &message, |_| {}).await;
        assert!(delivery.delivered, "{delivery}");
    }
    assert_eq!(count(&python.effects_url(&message.id)).await, 1);
}

#[tokio::test]
async fn the_official_python_library_refuses_a_tampered_body() {
    if !python_module_installed("standardwebhooks") {
        return;
    }
    let secret = Secret::generate();
    let python = PythonReceiver::start(&secret).await;
    let message = Message::new("invoice.paid", json!({"amount": 3}));
    let (body, now) = (message.body(), unix_now());
    let signed = Signed {
        id: &message.id,
        timestamp: now,
        body: &body,
    };
    let signature = signature_header(std::slice::from_ref(&secret), &signed);
    let tampered = String::from_utf8(body).unwrap().replace("3", "4");
    let response = client()
        .post(&python.url)
        .header("webhook-id", &message.id)
        .header("webhook-timestamp", now.to_string())
        .header("webhook-signature", signature)
        .body(tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(count(&python.effects_url(&message.id)).await, 0);
}
