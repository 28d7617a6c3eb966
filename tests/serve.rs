//! End-to-end tests of `hookcheck serve`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hookcheck::spec::{PayloadBuilder, Status};
use hookcheck_testkit::client::effect_count;
use serde_json::Value;

use crate::HOOKCHECK;

fn client() -> reqwest::Client {
    hookcheck::install_crypto_provider();
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client builds")
}

fn body(session_id: &str) -> Vec<u8> {
    PayloadBuilder::new(Status::Completed)
        .seed(1)
        .session_id(session_id)
        .build()
        .to_json_bytes()
}

/// What one delivery attempt came to before the kill.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    Acknowledged,
    Unacknowledged,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkilled_receiver_keeps_every_acknowledged_delivery_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("receiver.db");
    let db = db.to_str().unwrap();
    let mut first = HOOKCHECK.serve(&["--db", db, "--listen", "127.0.0.1:0"]);
    let client = client();

    // Four senders stream distinct deliveries until the server is gone (or 5000 each).
    let fates: Arc<Mutex<Vec<(String, Fate)>>> = Arc::default();
    let mut senders = Vec::new();
    for worker in 0..4 {
        let (client, url, fates) = (client.clone(), first.webhook_url.clone(), fates.clone());
        senders.push(tokio::spawn(async move {
            for n in 0..5000 {
                let id = format!("kill-{worker}-{n}");
                let sent = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body(&id))
                    .send()
                    .await;
                let fate = match sent {
                    Ok(response) if response.status().is_success() => Fate::Acknowledged,
                    _ => Fate::Unacknowledged,
                };
                fates.lock().unwrap().push((id, fate));
                if fate == Fate::Unacknowledged {
                    break;
                }
            }
        }));
    }
    let acknowledged = || {
        let fates = fates.lock().unwrap();
        fates
            .iter()
            .filter(|(_, f)| *f == Fate::Acknowledged)
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while acknowledged() < 200 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    first.sigkill();
    for sender in senders {
        sender.await.unwrap();
    }
    let fates = fates.lock().unwrap().clone();
    let acked = fates
        .iter()
        .filter(|(_, f)| *f == Fate::Acknowledged)
        .count();
    eprintln!(
        "killed after {acked} acknowledged deliveries, {} unacknowledged",
        fates.len() - acked
    );
    assert!(
        acked >= 200,
        "only {acked} deliveries were acknowledged before the kill"
    );
    assert!(
        fates.iter().any(|(_, f)| *f == Fate::Unacknowledged),
        "the senders were still streaming when the receiver died"
    );

    let second = HOOKCHECK.serve(&["--db", db, "--listen", "127.0.0.1:0"]);
    for (id, fate) in &fates {
        let count = effect_count(&client, &second.effects_url(id)).await;
        match fate {
            Fate::Acknowledged => assert_eq!(count, 1, "acknowledged {id} recorded {count} times"),
            Fate::Unacknowledged => {
                assert!(count <= 1, "unacknowledged {id} recorded {count} times")
            }
        }
    }
    // A retry of an acknowledged delivery after the restart is a duplicate.
    let (id, _) = fates
        .iter()
        .find(|(_, f)| *f == Fate::Acknowledged)
        .unwrap();
    let retry: Value = client
        .post(&second.webhook_url)
        .header("content-type", "application/json")
        .body(body(id))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(retry["duplicate"], Value::Bool(true));
    assert_eq!(effect_count(&client, &second.effects_url(id)).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_announces_its_urls_logs_deliveries_and_stops_cleanly_on_sigterm() {
    let mut served = HOOKCHECK.serve(&[
        "--memory",
        "--listen",
        "127.0.0.1:0",
        "--auth",
        "X-API-Key: hunter2-secret",
    ]);
    assert!(
        served.webhook_url.starts_with("http://127.0.0.1:"),
        "{:?}",
        served.announced
    );
    assert!(served.webhook_url.ends_with("/webhook"));
    assert!(
        served
            .effects_template
            .ends_with("/_test/effects/{sessionId}")
    );

    let client = client();
    for auth in ["wrong", "hunter2-secret"] {
        client
            .post(&served.webhook_url)
            .header("content-type", "application/json")
            .header("x-api-key", auth)
            .body(body("logged-session"))
            .send()
            .await
            .unwrap();
    }
    assert_eq!(
        effect_count(&client, &served.effects_url("logged-session")).await,
        1
    );

    let status = served.sigterm();
    assert_eq!(status.code(), Some(0), "clean shutdown exits 0");
    let log = served.stderr();
    assert!(
        log.contains("session=logged-session status=COMPLETED code=200 new"),
        "{log}"
    );
    assert!(log.contains("code=403 rejected"), "{log}");
    assert!(
        !log.contains("hunter2"),
        "the auth value leaked into the log:\n{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_signed_https_announces_the_certificate_to_trust() {
    let dir = tempfile::tempdir().unwrap();
    let tls_dir = dir.path().join("tls");
    let served = HOOKCHECK.serve(&[
        "--memory",
        "--listen",
        "127.0.0.1:0",
        "--tls-self-signed",
        tls_dir.to_str().unwrap(),
    ]);
    assert!(
        served.webhook_url.starts_with("https://127.0.0.1:"),
        "{:?}",
        served.announced
    );
    let cert = tls_dir.join("cert.pem");
    let line = format!("trust the certificate at {}", cert.display());
    assert!(served.announced.contains(&line), "{:?}", served.announced);

    hookcheck::install_crypto_provider();
    let pem = std::fs::read(&cert).unwrap();
    let trusting = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()])
        .build()
        .unwrap();
    let response = trusting
        .post(&served.webhook_url)
        .header("content-type", "application/json")
        .body(body("over-tls"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
}

#[test]
fn port_in_use_exits_3_with_one_error_line() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let output = HOOKCHECK
        .command()
        .args(["serve", "--memory", "--listen", &addr])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(hookcheck::exit_codes::UNAVAILABLE)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr,
        format!("error: failed to bind {addr}: address already in use\n")
    );
}

#[test]
fn missing_certificate_exits_3_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    let output = HOOKCHECK
        .command()
        .args(["serve", "--memory", "--listen", "127.0.0.1:0"])
        .arg("--tls-cert")
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(hookcheck::exit_codes::UNAVAILABLE)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: failed to read certificate "),
        "{stderr}"
    );
    assert!(stderr.contains("cert.pem: no such file"), "{stderr}");
}

#[test]
fn bad_arguments_exit_2_without_echoing_the_secret() {
    let output = HOOKCHECK
        .command()
        .args(["serve", "--defect", "no-such-defect"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(hookcheck::exit_codes::USAGE));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("racy-dedupe") && stderr.contains("serial"),
        "{stderr}"
    );

    let output = HOOKCHECK
        .command()
        .args(["serve", "--memory", "--auth", "X-API-Key hunter2-secret"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(hookcheck::exit_codes::USAGE));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("error: invalid --auth"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn help_lists_every_defect_with_its_description() {
    let output = HOOKCHECK
        .command()
        .args(["serve", "--help"])
        .output()
        .unwrap();
    // clap wraps descriptions at 80 columns: compare with the line breaks folded away.
    let help = String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for defect in hookcheck::receiver::Defect::ALL {
        assert!(
            help.contains(defect.as_str()),
            "{} missing from --help",
            defect.as_str()
        );
        let start: String = defect.description().chars().take(30).collect();
        assert!(
            help.contains(&start),
            "description of {} missing",
            defect.as_str()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_with_choices_announces_them_and_acknowledges_with_204() {
    let mut served = HOOKCHECK.serve(&[
        "--memory",
        "--listen",
        "127.0.0.1:0",
        "--ack-status",
        "204",
        "--accept-off-contract",
        "--body-limit",
        "256KiB",
    ]);
    let announced = served.announced.join("\n");
    assert!(
        announced.contains("choices: ack 204, accept off-contract input"),
        "{announced}"
    );
    assert!(announced.contains("body limit 262144 bytes"), "{announced}");
    assert!(
        announced.contains("processed sessions kept in memory (forgotten on exit)"),
        "{announced}"
    );
    let client = client();
    let answer = client
        .post(&served.webhook_url)
        .header("content-type", "text/plain")
        .body(body("chosen"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), reqwest::StatusCode::NO_CONTENT);
    assert_eq!(
        effect_count(&client, &served.effects_url("chosen")).await,
        1
    );
    assert_eq!(served.sigterm().code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_serve_names_its_database_and_logs_no_delivery() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sessions.db");
    let db_arg = db.to_str().unwrap();
    let mut served = HOOKCHECK.serve(&["--quiet", "--db", db_arg, "--listen", "127.0.0.1:0"]);
    let announced = served.announced.join("\n");
    assert!(
        announced.contains(&format!(
            "processed sessions recorded in {db_arg} (kept across restarts)"
        )),
        "{announced}"
    );
    assert!(
        announced.contains("body limit 1048576 bytes"),
        "{announced}"
    );
    let client = client();
    let answer = client
        .post(&served.webhook_url)
        .header("content-type", "application/json")
        .body(body("quiet-session"))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success());
    assert_eq!(
        effect_count(&client, &served.effects_url("quiet-session")).await,
        1
    );
    assert_eq!(served.sigterm().code(), Some(0));
    assert!(db.exists(), "the announced database was written");
    let log = served.stderr();
    assert!(
        !log.contains("delivery"),
        "--quiet logged deliveries:\n{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_defect_logs_one_short_line_per_crash_and_keeps_serving() {
    let mut served = HOOKCHECK.serve(&[
        "--memory",
        "--listen",
        "127.0.0.1:0",
        "--defect",
        "crashes-on-unicode",
    ]);
    let client = client();
    let mut unicode: Value = serde_json::from_slice(&body("crash")).unwrap();
    unicode["externalReferenceId"] = Value::from("Zoë");
    let crashed = client
        .post(&served.webhook_url)
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&unicode).unwrap())
        .send()
        .await;
    assert!(crashed.is_err(), "answered {crashed:?}");
    let after = client
        .post(&served.webhook_url)
        .header("content-type", "application/json")
        .body(body("after"))
        .send()
        .await
        .unwrap();
    assert!(after.status().is_success());
    assert_eq!(served.sigterm().code(), Some(0));
    let log = served.stderr();
    assert!(
        log.contains("defect crashes-on-unicode: the handler panicked"),
        "{log}"
    );
    assert!(
        !log.contains("backtrace") && !log.contains("panicked at"),
        "{log}"
    );
}
