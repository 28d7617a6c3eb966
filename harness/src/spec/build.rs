//! A builder for realistic payloads, following SPEC [D-2].

use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use serde_json::{Map, Number, Value, json};
use time::OffsetDateTime;

use super::payload::{Payload, Status};

/// Builds a [`Payload`] the way the model sender fills one in.
///
/// By default every field is realistic for the status: `extractedData` is an object for
/// `COMPLETED` and `PARTIAL_COMPLETE` and null otherwise, `proofHash` is 64 lowercase hex
/// digits for those two and null otherwise (SPEC [D-1], [D-2]), `sessionId` is a fresh
/// UUID. A seed makes every generated value reproducible.
///
/// ```
/// use hookcheck::spec::{PayloadBuilder, Status};
///
/// let payload = PayloadBuilder::new(Status::Completed).seed(7).build();
/// assert!(payload.extracted_data.is_some());
/// assert_eq!(payload.proof_hash.as_ref().map(String::len), Some(64));
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct PayloadBuilder {
    status: Status,
    seed: Option<u64>,
    session_id: Option<String>,
    external_reference_id: Option<Option<String>>,
    completed_at: Option<OffsetDateTime>,
}

impl PayloadBuilder {
    /// A builder for an event of this status.
    pub fn new(status: Status) -> Self {
        PayloadBuilder {
            status,
            seed: None,
            session_id: None,
            external_reference_id: None,
            completed_at: None,
        }
    }

    /// Generates every random value from this seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Uses this session id instead of a fresh UUID.
    pub fn session_id(mut self, id: impl Into<String>) -> Self {
        self.session_id = Some(id.into());
        self
    }

    /// Sets the partner's reference; `None` sends null.
    pub fn external_reference_id(mut self, reference: Option<String>) -> Self {
        self.external_reference_id = Some(reference);
        self
    }

    /// Uses this completion time instead of now.
    pub fn completed_at(mut self, at: OffsetDateTime) -> Self {
        self.completed_at = Some(at);
        self
    }

    /// The payload.
    pub fn build(self) -> Payload {
        let mut rng = match self.seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_rng(&mut rand::rng()),
        };
        let session_id = self.session_id.unwrap_or_else(|| {
            let mut bytes = [0u8; 16];
            rng.fill_bytes(&mut bytes);
            uuid::Builder::from_random_bytes(bytes)
                .into_uuid()
                .to_string()
        });
        let external_reference_id = self
            .external_reference_id
            .unwrap_or_else(|| Some(format!("order-{}", rng.random_range(10_000..100_000))));
        let (extracted_data, proof_hash) = if self.status.is_success() {
            (
                Some(extracted_data(self.status, &mut rng)),
                Some(hex64(&mut rng)),
            )
        } else {
            (None, None)
        };
        let completed_at = self.completed_at.unwrap_or_else(|| {
            let now = OffsetDateTime::now_utc();
            // The wire form carries milliseconds; keep the value exactly representable.
            now.replace_nanosecond(now.millisecond() as u32 * 1_000_000)
                .unwrap_or(now)
        });
        Payload {
            session_id,
            status: self.status,
            platform_id: Number::from(rng.random_range(1..=40u32)),
            external_reference_id,
            extracted_data,
            proof_hash,
            completed_at,
            metadata: metadata(self.status, &mut rng),
            extra: Map::new(),
        }
    }
}

fn extracted_data(status: Status, rng: &mut StdRng) -> Map<String, Value> {
    const HOLDERS: [&str; 4] = [
        "Ada Lovelace",
        "Grace Hopper",
        "Alan Turing",
        "Edsger Dijkstra",
    ];
    let mut data = json!({
        "accountHolder": HOLDERS[rng.random_range(0..HOLDERS.len())],
        "accountType": if rng.random_bool(0.5) { "checking" } else { "savings" },
        "accountNumberLast4": format!("{:04}", rng.random_range(0..10_000)),
    });
    if status == Status::Completed {
        data["balance"] = json!({
            "amount": format!("{}.{:02}", rng.random_range(0..100_000), rng.random_range(0..100)),
            "currency": "USD",
        });
    }
    match data {
        Value::Object(map) => map,
        _ => unreachable!("json! of an object literal is an object"),
    }
}

fn metadata(status: Status, rng: &mut StdRng) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("source".into(), json!("hookcheck"));
    map.insert("attempts".into(), json!(rng.random_range(1..4)));
    if !status.is_success() {
        map.insert("reason".into(), json!(status.as_str().to_lowercase()));
    }
    map
}

fn hex64(rng: &mut StdRng) -> String {
    let mut bytes = [0u8; 32];
    rng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
