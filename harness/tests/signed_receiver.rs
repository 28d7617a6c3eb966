//! The reference receiver in Standard Webhooks mode (STANDARD-WEBHOOKS.md §2), black-box
//! over real sockets (127.0.0.1, port 0): the conforming pipeline, and each
//! [`SignedDefect`] shown by a probe that the conforming receiver passes (a probe that
//! fires on both would prove nothing).

use std::future::Future;

use hookcheck::receiver::{Receiver, ReceiverConfig, RunningReceiver, SignedDefect, Signing};
use hookcheck::standard_webhooks::{Secret, Signed, signature_header, unix_now};
use serde_json::Value;

/// A compact event body, as the signing sender writes it.
const BODY: &[u8] = br#"{"type":"invoice.paid","timestamp":"2026-01-01T00:00:00Z","data":{"n":1}}"#;
/// The same event with spaces and keys out of order: valid as sent, changed by a parse and
/// serialise.
const SPACED_BODY: &[u8] = b"{\"type\": \"invoice.paid\",\n \"data\": {\"z\": 1, \"a\": 2}}";
/// A compact body with its keys sorted: unchanged by a parse and serialise.
const SORTED_BODY: &[u8] = br#"{"data":{"n":1},"type":"invoice.paid"}"#;
/// Ten minutes, the distance SD-3 probes the replay window at.
const TEN_MINUTES: i64 = 600;

/// A receiver verifying with a fresh secret, and a client to probe it.
struct Probe {
    receiver: RunningReceiver,
    secret: Secret,
    client: reqwest::Client,
}

/// What one delivery got: the status code and the `duplicate` of a 2xx answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Answer {
    code: u16,
    duplicate: Option<bool>,
}

impl Probe {
    async fn start(defect: Option<SignedDefect>) -> Probe {
        Probe::on(ReceiverConfig::default(), defect).await
    }

    async fn on(config: ReceiverConfig, defect: Option<SignedDefect>) -> Probe {
        let secret = Secret::generate();
        let signing = Signing::new(secret.clone());
        let signing = match defect {
            Some(defect) => signing.defect(defect),
            None => signing,
        };
        let receiver = Receiver::start(config.signing(signing)).await.unwrap();
        Probe {
            receiver,
            secret,
            client: hookcheck_testkit::client::client(),
        }
    }

    /// `v1,<base64>` for this attempt under the receiver's secret.
    fn signature(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let signed = Signed {
            id,
            timestamp,
            body,
        };
        signature_header(std::slice::from_ref(&self.secret), &signed)
    }

    /// POSTs `body` with these headers (`None` leaves one out).
    async fn post(&self, id: &str, timestamp: i64, body: &[u8], signature: Option<&str>) -> Answer {
        let mut request = self
            .client
            .post(self.receiver.webhook_url())
            .header("content-type", "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", timestamp.to_string())
            .body(body.to_vec());
        if let Some(signature) = signature {
            request = request.header("webhook-signature", signature);
        }
        let response = request.send().await.unwrap();
        let code = response.status().as_u16();
        let json: Option<Value> = response.json().await.ok();
        let duplicate = json.as_ref().and_then(|v| v["duplicate"].as_bool());
        Answer { code, duplicate }
    }

    /// A genuine attempt of message `id` signed at `timestamp`.
    async fn signed_at(&self, id: &str, timestamp: i64, body: &[u8]) -> Answer {
        let signature = self.signature(id, timestamp, body);
        self.post(id, timestamp, body, Some(&signature)).await
    }

    /// A genuine attempt of message `id`, signed now.
    async fn deliver(&self, id: &str, body: &[u8]) -> Answer {
        self.signed_at(id, unix_now(), body).await
    }

    /// The effect count of `id`, read at the effects endpoint.
    async fn effects(&self, id: &str) -> u64 {
        let url = self
            .receiver
            .effects_url_template()
            .replace("{sessionId}", id);
        hookcheck_testkit::client::effect_count(&self.client, &url).await
    }
}

fn ok(duplicate: bool) -> Answer {
    Answer {
        code: 200,
        duplicate: Some(duplicate),
    }
}

fn refused(code: u16) -> Answer {
    Answer {
        code,
        duplicate: None,
    }
}

/// Runs `probe` against a receiver with `defect` (or none).
async fn observe<T, F: Future<Output = T>>(
    defect: Option<SignedDefect>,
    probe: impl FnOnce(Probe) -> F,
) -> T {
    probe(Probe::start(defect).await).await
}

#[tokio::test]
async fn a_genuine_delivery_is_processed_once_and_its_retry_answered_duplicate() {
    let probe = Probe::start(None).await;
    assert_eq!(probe.deliver("msg_1", BODY).await, ok(false));
    // A retry: same id, a fresh timestamp and so a fresh signature.
    assert_eq!(
        probe.signed_at("msg_1", unix_now() - 1, BODY).await,
        ok(true)
    );
    assert_eq!(probe.effects("msg_1").await, 1);
    assert_eq!(probe.effects("msg_other").await, 0);
}

#[tokio::test]
async fn refused_deliveries_have_no_effect() {
    let probe = Probe::start(None).await;
    let now = unix_now();
    let good = probe.signature("msg_r", now, BODY);
    // No signature header, a wrong signature, a changed body, stale and future timestamps.
    assert_eq!(probe.post("msg_r", now, BODY, None).await, refused(400));
    let wrong = probe.signature("msg_r", now, b"{}");
    assert_eq!(
        probe.post("msg_r", now, BODY, Some(&wrong)).await,
        refused(401)
    );
    assert_eq!(
        probe.post("msg_r", now, b"{\"x\":1}", Some(&good)).await,
        refused(401)
    );
    assert_eq!(
        probe.signed_at("msg_r", now - TEN_MINUTES, BODY).await,
        refused(401)
    );
    assert_eq!(
        probe.signed_at("msg_r", now + TEN_MINUTES, BODY).await,
        refused(401)
    );
    // A genuine signature over a body that is not JSON.
    assert_eq!(probe.deliver("msg_r", b"not json").await, refused(400));
    assert_eq!(probe.effects("msg_r").await, 0);
    // The same id, delivered properly afterwards, is new.
    assert_eq!(probe.deliver("msg_r", BODY).await, ok(false));
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_413() {
    let probe = Probe::on(ReceiverConfig::default().body_limit(64), None).await;
    let body = format!(r#"{{"type":"a.b","data":"{}"}}"#, "x".repeat(100));
    assert_eq!(
        probe.deliver("msg_big", body.as_bytes()).await,
        refused(413)
    );
    assert_eq!(probe.effects("msg_big").await, 0);
}

#[tokio::test]
async fn processed_ids_survive_a_restart_of_a_file_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("signed.db");
    let first = Probe::on(ReceiverConfig::default().database(&db), None).await;
    assert_eq!(first.deliver("msg_kept", BODY).await, ok(false));
    first.receiver.shutdown().await;
    let second = Probe::on(ReceiverConfig::default().database(&db), None).await;
    // The secret differs, the store does not: the redelivery is a duplicate.
    assert_eq!(second.deliver("msg_kept", BODY).await, ok(true));
    assert_eq!(second.effects("msg_kept").await, 1);
}

#[tokio::test]
async fn compares_with_eq_behaves_identically_over_the_network() {
    async fn probe(p: Probe) -> (Answer, Answer, u64) {
        let now = unix_now();
        let wrong = p.signature("msg_eq", now, b"{}");
        let forged = p.post("msg_eq", now, BODY, Some(&wrong)).await;
        (
            forged,
            p.deliver("msg_eq", BODY).await,
            p.effects("msg_eq").await,
        )
    }
    let conforming = (refused(401), ok(false), 1);
    assert_eq!(observe(None, probe).await, conforming);
    assert_eq!(
        observe(Some(SignedDefect::ComparesWithEq), probe).await,
        conforming
    );
}

#[tokio::test]
async fn verifies_reserialised_refuses_a_valid_body_with_spaces() {
    async fn probe(p: Probe) -> (Answer, Answer) {
        (
            p.deliver("msg_sp", SPACED_BODY).await,
            p.deliver("msg_sorted", SORTED_BODY).await,
        )
    }
    assert_eq!(observe(None, probe).await, (ok(false), ok(false)));
    let defect = Some(SignedDefect::VerifiesReserialised);
    // A compact body with sorted keys survives the round trip; the spaced one does not.
    assert_eq!(observe(defect, probe).await, (refused(401), ok(false)));
}

/// Two genuine attempts signed ten minutes ago and ten minutes ahead.
async fn stale_and_future(p: Probe) -> (Answer, Answer) {
    let now = unix_now();
    (
        p.signed_at("msg_old", now - TEN_MINUTES, BODY).await,
        p.signed_at("msg_new", now + TEN_MINUTES, BODY).await,
    )
}

#[tokio::test]
async fn ignores_timestamp_accepts_stale_and_future_attempts() {
    let probe = stale_and_future;
    assert_eq!(observe(None, probe).await, (refused(401), refused(401)));
    let defect = Some(SignedDefect::IgnoresTimestamp);
    assert_eq!(observe(defect, probe).await, (ok(false), ok(false)));
}

#[tokio::test]
async fn accepts_future_timestamps_refuses_only_old_ones() {
    let probe = stale_and_future;
    assert_eq!(observe(None, probe).await, (refused(401), refused(401)));
    let defect = Some(SignedDefect::AcceptsFutureTimestamps);
    assert_eq!(observe(defect, probe).await, (refused(401), ok(false)));
}

#[tokio::test]
async fn dedupes_on_body_hash_drops_a_distinct_message_with_an_equal_body() {
    async fn probe(p: Probe) -> (Answer, u64) {
        assert_eq!(p.deliver("msg_a", BODY).await, ok(false));
        (p.deliver("msg_b", BODY).await, p.effects("msg_b").await)
    }
    assert_eq!(observe(None, probe).await, (ok(false), 1));
    let defect = Some(SignedDefect::DedupesOnBodyHash);
    assert_eq!(observe(defect, probe).await, (ok(true), 0));
}

#[tokio::test]
async fn dedupes_on_signature_processes_a_freshly_signed_retry_again() {
    async fn probe(p: Probe) -> (Answer, u64) {
        let now = unix_now();
        assert_eq!(p.signed_at("msg_s", now - 1, BODY).await, ok(false));
        // An exact copy (same signature) is caught either way.
        assert_eq!(p.signed_at("msg_s", now - 1, BODY).await, ok(true));
        (
            p.signed_at("msg_s", now, BODY).await,
            p.effects("msg_s").await,
        )
    }
    assert_eq!(observe(None, probe).await, (ok(true), 1));
    let defect = Some(SignedDefect::DedupesOnSignature);
    assert_eq!(observe(defect, probe).await, (ok(false), 2));
}

#[tokio::test]
async fn first_signature_only_refuses_a_match_in_second_place() {
    async fn probe(p: Probe) -> Answer {
        let now = unix_now();
        let wrong = p.signature("msg_f", now, b"{}");
        let valid = p.signature("msg_f", now, BODY);
        p.post("msg_f", now, BODY, Some(&format!("{wrong} {valid}")))
            .await
    }
    assert_eq!(observe(None, probe).await, ok(false));
    let defect = Some(SignedDefect::FirstSignatureOnly);
    assert_eq!(observe(defect, probe).await, refused(401));
}

#[tokio::test]
async fn unknown_version_fatal_refuses_a_match_beside_another_version() {
    async fn probe(p: Probe) -> Answer {
        let now = unix_now();
        let valid = p.signature("msg_u", now, BODY);
        let header = format!("v1a,c2lnbmF0dXJl {valid}");
        p.post("msg_u", now, BODY, Some(&header)).await
    }
    assert_eq!(observe(None, probe).await, ok(false));
    let defect = Some(SignedDefect::UnknownVersionFatal);
    assert_eq!(observe(defect, probe).await, refused(401));
}

#[tokio::test]
async fn optional_signature_processes_an_unsigned_delivery() {
    async fn probe(p: Probe) -> (Answer, u64) {
        let unsigned = p.post("msg_o", unix_now(), BODY, None).await;
        (unsigned, p.effects("msg_o").await)
    }
    assert_eq!(observe(None, probe).await, (refused(400), 0));
    let defect = Some(SignedDefect::OptionalSignature);
    assert_eq!(observe(defect, probe).await, (ok(false), 1));
}

#[tokio::test]
async fn records_before_verifying_lets_a_forgery_block_the_genuine_message() {
    async fn probe(p: Probe) -> (Answer, Answer, u64) {
        let now = unix_now();
        let forged = p.post("msg_x", now, BODY, Some("v1,Zm9yZ2Vk")).await;
        let genuine = p.deliver("msg_x", BODY).await;
        (forged, genuine, p.effects("msg_x").await)
    }
    assert_eq!(observe(None, probe).await, (refused(401), ok(false), 1));
    let defect = Some(SignedDefect::RecordsBeforeVerifying);
    assert_eq!(observe(defect, probe).await, (refused(401), ok(true), 0));
}

#[tokio::test]
async fn conflict_on_duplicate_answers_409_to_a_retry() {
    async fn probe(p: Probe) -> (Answer, u64) {
        assert_eq!(p.deliver("msg_c", BODY).await, ok(false));
        (p.deliver("msg_c", BODY).await, p.effects("msg_c").await)
    }
    assert_eq!(observe(None, probe).await, (ok(true), 1));
    let defect = Some(SignedDefect::ConflictOnDuplicate);
    assert_eq!(observe(defect, probe).await, (refused(409), 1));
}
