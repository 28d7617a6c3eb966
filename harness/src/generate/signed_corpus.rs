//! The signed corpus (`hookcheck corpus --profile standard-webhooks`): Standard Webhooks
//! deliveries as body files with an index giving the three headers each is sent with,
//! whether a conforming receiver accepts or refuses it, and the clause it exercises, for
//! users' own verifier tests and fuzzers. Every attempt is made by a [`Recipe`] signed with
//! the user's secret at one moment, `signedAt`; the secret itself is never written.

use std::path::Path;

use arbitrary::{Arbitrary, Unstructured};
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use serde::Serialize;
use serde_json::{Value, json};

use super::corpus::{file_name, write_folder};
use super::{CorpusError, SignedBody};
use crate::standard_webhooks::{
    DEFAULT_TOLERANCE, Forgery, Header, Key, Message, OUTSIDE_TOLERANCE_SECS, Recipe, Secret,
    UNKNOWN_ENTRIES, UNUSUAL_BODY, WITHIN_TOLERANCE_SECS, new_id,
};

/// How many bytes of randomness each generated case draws from.
const DRAW_BYTES: usize = 4096;

/// The event time written in the fixed cases' bodies: the same on every run.
const OCCURRED: &str = "2026-01-01T00:00:00Z";

/// How many bytes the `large` body is at least: past the 256 KiB a Cr3dentials receiver
/// may refuse, which a Standard Webhooks receiver is not allowed to.
const LARGE_BYTES: usize = 300 * 1024;

/// How many objects deep the `nested` body's data goes.
const NESTED_LEVELS: usize = 32;

/// The clauses of a key being rotated: any one `v1` signature matching is enough.
const ROTATION: &str = "STANDARD-WEBHOOKS [SW-10] [SW-4]";
/// The clauses of entries of unknown versions, skipped.
const UNKNOWN: &str = "STANDARD-WEBHOOKS [SW-10] [SD-4]";
/// The clauses of the timestamp tolerance.
const TOLERANCE: &str = "STANDARD-WEBHOOKS [SW-8] [SD-3]";

crate::closed::closed_enum! {
    /// What a conforming receiver does with a case.
    #[derive(Serialize)]
    #[serde(rename_all = "lowercase")]
    pub enum Expect as "expectation" {
        /// Verifies it and answers 2xx.
        Accept => "accept",
        /// Refuses it with a 4xx and no effect ([SW-6], [SD-6]).
        Refuse => "refuse",
    }
}

crate::closed::closed_enum! {
    /// The bodies of the fixed valid cases: every one verifies as sent, byte for byte.
    pub enum BodyShape as "signed body shape" {
        /// Compact JSON, as `serde_json` writes it.
        Compact => "compact",
        /// Tabs, CRLF line breaks, spaces before colons and trailing whitespace.
        Whitespace => "whitespace",
        /// `data` first and `type` last, and data keys out of order.
        KeyOrder => "key-order",
        /// `\u` escapes, an escaped solidus, escaped quotes and a surrogate pair.
        Escapes => "escapes",
        /// The body `hookcheck run` sends to check [SW-7]: spaces, order and escapes at once.
        AsReceived => "as-received",
        /// Raw UTF-8 in many scripts, emoji, a combining mark and a joiner.
        Unicode => "unicode",
        /// Over 300 KiB of data.
        Large => "large",
        /// Data nested 32 objects deep.
        Nested => "nested",
    }
}

/// Tabs, CRLF line breaks, spaces around colons and commas, trailing whitespace.
const WHITESPACE_BODY: &str = "{\r\n\t\"type\" :\t\"invoice.paid\" ,\r\n\t\"timestamp\" : \"2026-01-01T00:00:00Z\",\r\n\t\"data\" : { \"amount\" : 4200 }\r\n}\r\n  ";
/// `data` first and `type` last; data keys out of alphabetical order.
const KEY_ORDER_BODY: &str = r#"{"data":{"zeta":1,"amount":4200,"alpha":true},"timestamp":"2026-01-01T00:00:00Z","type":"invoice.paid"}"#;
/// `\u` escapes, an escaped solidus and quotes, a surrogate pair, a tab; `1.50` and `1e2`.
const ESCAPES_BODY: &str = r#"{"type":"invoice.paid","timestamp":"2026-01-01T00:00:00Z","data":{"note":"caf\u00e9 \/ \"q\" \ud83d\ude80\ttab","amount":1.50,"count":1e2}}"#;

impl BodyShape {
    /// The body, the same on every run.
    fn body(self) -> Vec<u8> {
        match self {
            BodyShape::Compact => event(json!({"invoice": "in_1", "amount": 4200})),
            BodyShape::Whitespace => WHITESPACE_BODY.as_bytes().to_vec(),
            BodyShape::KeyOrder => KEY_ORDER_BODY.as_bytes().to_vec(),
            BodyShape::Escapes => ESCAPES_BODY.as_bytes().to_vec(),
            BodyShape::AsReceived => UNUSUAL_BODY.as_bytes().to_vec(),
            BodyShape::Unicode => event(json!({
                "name": "Zoë Ångström, Ελληνικά, 日本語, مرحبا, עברית, हिन्दी",
                "emoji": "🚀🏳️‍🌈👩\u{200d}💻",
                "combining": "e\u{301}",
            })),
            BodyShape::Large => event(large_data()),
            BodyShape::Nested => event(nested_data()),
        }
    }

    /// The clauses it exercises.
    fn clause(self) -> &'static str {
        match self {
            BodyShape::Compact | BodyShape::Unicode | BodyShape::Large | BodyShape::Nested => {
                "STANDARD-WEBHOOKS [SW-3] [SW-6]"
            }
            BodyShape::Whitespace
            | BodyShape::KeyOrder
            | BodyShape::Escapes
            | BodyShape::AsReceived => "STANDARD-WEBHOOKS [SW-7]",
        }
    }
}

/// A fixed case's body: an `invoice.paid` event with `data`.
fn event(data: Value) -> Vec<u8> {
    Message {
        id: String::new(),
        event_type: "invoice.paid".to_owned(),
        occurred: OCCURRED.to_owned(),
        data,
    }
    .body()
}

fn large_data() -> Value {
    let line = |n: usize| {
        let sku = format!("sku_{n:06}");
        json!({"n": n, "sku": sku, "text": "lorem ipsum dolor sit amet"})
    };
    let lines: Vec<Value> = (0..LARGE_BYTES / 64).map(line).collect();
    json!({ "lines": lines })
}

fn nested_data() -> Value {
    (0..NESTED_LEVELS).fold(json!({"leaf": true}), |inner, _| json!({ "child": inner }))
}

/// The three headers a case is sent with, each absent when the case leaves it out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SignedHeaders {
    /// `webhook-id`.
    #[serde(rename = "webhook-id", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `webhook-timestamp`.
    #[serde(rename = "webhook-timestamp", skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// `webhook-signature`.
    #[serde(rename = "webhook-signature", skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

impl SignedHeaders {
    /// The headers of an attempt, in whatever order it lists them.
    fn of(headers: &[(Header, String)]) -> SignedHeaders {
        let mut out = SignedHeaders::default();
        for (name, value) in headers {
            let slot = match name {
                Header::Id => &mut out.id,
                Header::Timestamp => &mut out.timestamp,
                Header::Signature => &mut out.signature,
            };
            *slot = Some(value.clone());
        }
        out
    }
}

/// One case, as `index.json` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedCorpusCase {
    /// The file holding the body, relative to the corpus folder.
    pub file: String,
    /// A stable id, e.g. `valid/escapes` or `forgery/tampered-body`.
    pub id: String,
    /// Whether a conforming receiver accepts or refuses it.
    pub expect: Expect,
    /// The STANDARD-WEBHOOKS.md clauses it exercises.
    pub clause: &'static str,
    /// What it is, in a sentence.
    pub description: String,
    /// The headers it is sent with.
    pub headers: SignedHeaders,
}

/// A case and its body.
#[derive(Debug, Clone)]
pub struct SignedCorpusEntry {
    /// What it is.
    pub case: SignedCorpusCase,
    /// The bytes sent.
    pub body: Vec<u8>,
}

/// A case before it is signed: the attempt's recipe and what the index says of it.
struct Planned {
    id: String,
    recipe: Recipe,
    expect: Expect,
    clause: &'static str,
    description: String,
}

impl Planned {
    fn accept(id: String, recipe: Recipe, clause: &'static str, description: String) -> Planned {
        Planned {
            id,
            recipe,
            expect: Expect::Accept,
            clause,
            description,
        }
    }

    fn refuse(id: String, recipe: Recipe, clause: &'static str, description: String) -> Planned {
        Planned {
            expect: Expect::Refuse,
            ..Planned::accept(id, recipe, clause, description)
        }
    }

    /// Case number `index` (from 0): the attempt made at `now` with `secret`.
    fn sign(self, index: usize, secret: &Secret, now: i64) -> SignedCorpusEntry {
        let attempt = self.recipe.attempt(secret, now);
        let case = SignedCorpusCase {
            file: file_name(index, &self.id, &attempt.body),
            id: self.id,
            expect: self.expect,
            clause: self.clause,
            description: self.description,
            headers: SignedHeaders::of(&attempt.headers),
        };
        SignedCorpusEntry {
            case,
            body: attempt.body,
        }
    }
}

/// The whole signed corpus, signed with `secret` at `now` (Unix seconds): the fixed cases,
/// then `generated` valid deliveries drawn from `seed`. The same seed gives the same bodies
/// and message ids; the timestamps and signatures follow from `now`.
pub fn signed_corpus(
    secret: &Secret,
    seed: u64,
    generated: usize,
    now: i64,
) -> Vec<SignedCorpusEntry> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut planned = valid(&mut rng);
    planned.extend(refused(&mut rng));
    planned.extend(drawn(&mut rng, generated));
    planned
        .into_iter()
        .enumerate()
        .map(|(i, case)| case.sign(i, secret, now))
        .collect()
}

/// The cases a conforming receiver accepts: every body shape, a rotated key, unknown
/// versions after the valid signature, and a timestamp within the tolerance.
fn valid(rng: &mut StdRng) -> Vec<Planned> {
    let mut cases: Vec<Planned> = BodyShape::ALL
        .iter()
        .map(|shape| {
            let recipe = Recipe::genuine(&new_id(rng), 0, shape.body());
            let description = format!("a valid delivery, body {shape}");
            Planned::accept(
                format!("valid/{shape}"),
                recipe,
                shape.clause(),
                description,
            )
        })
        .collect();
    cases.extend(variants(rng));
    cases
}

/// Valid deliveries signed in the ways a receiver must also accept: a key being rotated, then
/// unknown versions after the valid signature, then a timestamp within the tolerance.
fn variants(rng: &mut StdRng) -> [Planned; 3] {
    let compact = BodyShape::Compact.body();
    let rotated = Recipe::genuine(&new_id(rng), 0, compact.clone()).with_keys(
        vec![Key::Throwaway(Secret::generate()), Key::Run],
        Vec::new(),
    );
    let unknown = Recipe::genuine(&new_id(rng), 0, compact.clone())
        .with_keys(vec![Key::Run], UNKNOWN_ENTRIES.map(str::to_owned).to_vec());
    let within = Recipe::genuine(&new_id(rng), -WITHIN_TOLERANCE_SECS, compact);
    let rotated_text = "a valid delivery signed with a key being rotated out, then the secret's";
    let unknown_text = "a valid delivery whose v1 signature is followed by v1a and v2 entries";
    let within_text = format!("a valid delivery stamped {WITHIN_TOLERANCE_SECS} s before signedAt");
    [
        ("valid/rotated-key", rotated, ROTATION, rotated_text.into()),
        (
            "valid/unknown-versions-after",
            unknown,
            UNKNOWN,
            unknown_text.into(),
        ),
        ("replay/within-tolerance", within, TOLERANCE, within_text),
    ]
    .map(|(id, recipe, clause, text)| Planned::accept(id.to_owned(), recipe, clause, text))
}

/// The cases a conforming receiver refuses: every [`Forgery`], and a timestamp outside the
/// tolerance in the past and in the future.
fn refused(rng: &mut StdRng) -> Vec<Planned> {
    let body = BodyShape::Compact.body();
    let mut cases: Vec<Planned> = Forgery::ALL
        .iter()
        .map(|&forgery| {
            let recipe = Recipe::forged(forgery, &new_id(rng), body.clone());
            let description = format!("a forged delivery: {}", forgery.as_str().replace('-', " "));
            Planned::refuse(
                format!("forgery/{forgery}"),
                recipe,
                forgery_clause(forgery),
                description,
            )
        })
        .collect();
    for (variant, skew) in [
        ("past", -OUTSIDE_TOLERANCE_SECS),
        ("future", OUTSIDE_TOLERANCE_SECS),
    ] {
        let recipe = Recipe::genuine(&new_id(rng), skew, body.clone());
        let description = format!(
            "a delivery signed with the secret but stamped {} s {} signedAt",
            skew.unsigned_abs(),
            if skew < 0 { "before" } else { "after" }
        );
        let id = format!("replay/outside-tolerance-{variant}");
        cases.push(Planned::refuse(id, recipe, TOLERANCE, description));
    }
    cases
}

/// The clauses a forgery breaks.
fn forgery_clause(forgery: Forgery) -> &'static str {
    match forgery {
        Forgery::UnknownVersionsOnly => "STANDARD-WEBHOOKS [SW-6] [SD-4]",
        Forgery::WrongSecret
        | Forgery::TamperedBody
        | Forgery::TamperedId
        | Forgery::TamperedTimestamp
        | Forgery::MissingId
        | Forgery::MissingTimestamp
        | Forgery::MissingSignature => "STANDARD-WEBHOOKS [SW-6] [SD-6]",
        Forgery::TimestampAsDate
        | Forgery::TimestampOverflowing
        | Forgery::SignatureNotBase64
        | Forgery::SignatureEmpty => "STANDARD-WEBHOOKS [SW-6] [SD-11]",
    }
}

/// Generated valid deliveries: [`SignedBody`]s drawn from seeded bytes.
fn drawn(rng: &mut StdRng, count: usize) -> Vec<Planned> {
    let mut bytes = vec![0u8; DRAW_BYTES];
    let mut cases = Vec::new();
    for i in 0..count {
        rng.fill_bytes(&mut bytes);
        let Ok(body) = SignedBody::arbitrary(&mut Unstructured::new(&bytes)) else {
            continue;
        };
        let recipe = Recipe::genuine(&new_id(rng), 0, body.to_bytes());
        let id = format!("generated/valid/{i:03}");
        cases.push(Planned::accept(
            id,
            recipe,
            "STANDARD-WEBHOOKS [SW-3] [SW-7]",
            body.describe(),
        ));
    }
    cases
}

/// The index file of the signed corpus, `index.json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SignedIndex<'a> {
    description: &'static str,
    profile: &'static str,
    seed: u64,
    signed_at: i64,
    tolerance_seconds: u64,
    cases: Vec<&'a SignedCorpusCase>,
}

/// Writes the signed corpus into `dir` (created if missing): one file per case and
/// `index.json`, which records `signed_at`. A folder that already has files is refused
/// unless `force`.
pub fn write_signed_corpus(
    dir: &Path,
    entries: &[SignedCorpusEntry],
    seed: u64,
    signed_at: i64,
    force: bool,
) -> Result<(), CorpusError> {
    let index = SignedIndex {
        description: "hookcheck corpus --profile standard-webhooks: signed deliveries; send \
                      each body with its `headers`; `expect` says what a conforming receiver \
                      does: `accept` (2xx) or `refuse` (4xx, no effect; STANDARD-WEBHOOKS.md \
                      SW-6, SD-6). Every case was signed at `signedAt` (Unix seconds): a \
                      verifier checking the timestamp tolerance must be given that time as \
                      its clock",
        profile: crate::profile::Profile::StandardWebhooks.as_str(),
        seed,
        signed_at,
        tolerance_seconds: DEFAULT_TOLERANCE.as_secs(),
        cases: entries.iter().map(|e| &e.case).collect(),
    };
    let files: Vec<_> = entries
        .iter()
        .map(|e| (e.case.file.as_str(), e.body.as_slice()))
        .collect();
    write_folder(dir, &files, &index, force)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard_webhooks::{Verifier, unix_now};

    fn header_map(headers: &SignedHeaders) -> axum::http::HeaderMap {
        let mut map = axum::http::HeaderMap::new();
        let named = [
            (Header::Id, &headers.id),
            (Header::Timestamp, &headers.timestamp),
            (Header::Signature, &headers.signature),
        ];
        for (name, value) in named {
            if let Some(value) = value {
                map.insert(name.as_str(), value.parse().unwrap());
            }
        }
        map
    }

    #[test]
    fn every_case_verifies_at_signed_at_exactly_when_its_index_says_accept() {
        let secret = Secret::generate();
        let now = unix_now();
        let verifier = Verifier::new(secret.clone(), DEFAULT_TOLERANCE);
        let entries = signed_corpus(&secret, 4, 20, now);
        for entry in &entries {
            let case = &entry.case;
            let headers = header_map(&case.headers);
            let verified = verifier.verify(&headers, &entry.body, now);
            let accepted = if verified.is_ok() {
                Expect::Accept
            } else {
                Expect::Refuse
            };
            assert_eq!(accepted, case.expect, "{}: {verified:?}", case.id);
        }
        let refused = entries
            .iter()
            .filter(|e| e.case.expect == Expect::Refuse)
            .count();
        assert_eq!(refused, Forgery::ALL.len() + 2);
        assert_eq!(entries.len(), BodyShape::ALL.len() + 3 + refused + 20);
    }

    #[test]
    fn the_same_seed_gives_the_same_bodies_and_ids_and_the_secret_is_never_written() {
        let secret = Secret::generate();
        let (a, b) = (
            signed_corpus(&secret, 9, 10, 1_700_000_000),
            signed_corpus(&secret, 9, 10, 1_700_000_100),
        );
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(
                (&x.case.id, &x.case.headers.id, &x.body),
                (&y.case.id, &y.case.headers.id, &y.body)
            );
        }
        let other = signed_corpus(&secret, 10, 10, 1_700_000_000);
        assert_ne!(a[0].case.headers.id, other[0].case.headers.id);
        let dir = tempfile::tempdir().unwrap();
        write_signed_corpus(dir.path(), &a, 9, 1_700_000_000, false).unwrap();
        let index = std::fs::read_to_string(dir.path().join("index.json")).unwrap();
        let key = secret.expose_text();
        assert!(!index.contains(&key) && !index.contains(&key[6..]));
        let index: Value = serde_json::from_str(&index).unwrap();
        assert_eq!(index["signedAt"], 1_700_000_000);
        assert_eq!(index["cases"].as_array().unwrap().len(), a.len());
    }

    #[test]
    fn missing_header_forgeries_leave_the_header_out_of_the_index() {
        let entries = signed_corpus(&Secret::generate(), 1, 0, 1_700_000_000);
        let case = |id: &str| {
            entries
                .iter()
                .find(|e| e.case.id == id)
                .unwrap()
                .case
                .headers
                .clone()
        };
        assert!(case("forgery/missing-id").id.is_none());
        assert!(case("forgery/missing-timestamp").timestamp.is_none());
        assert!(case("forgery/missing-signature").signature.is_none());
        let valid = case("valid/compact");
        assert_eq!(valid.timestamp.as_deref(), Some("1700000000"));
        let id = valid.id.unwrap();
        assert!(id.starts_with("msg_") && id[4..].bytes().all(|b| b.is_ascii_alphanumeric()));
    }
}
