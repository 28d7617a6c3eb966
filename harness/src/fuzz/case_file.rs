//! Case files: a failing sequence saved as JSON, replayable with
//! `hookcheck fuzz --replay FILE`.
//!
//! The format (`"format": "hookcheck-fuzz-case/1"`):
//!
//! ```json
//! {
//!   "format": "hookcheck-fuzz-case/1",
//!   "invariant": "exactly-once",
//!   "level": "MUST",
//!   "requirement": "every acknowledged session has exactly one side effect",
//!   "seed": 42,
//!   "sequenceIndex": 17,
//!   "shrunk": true,
//!   "expected": "exactly 1 effect for the session",
//!   "actual": "2 effect(s)",
//!   "urls": ["http://10.0.0.5:3000/hook", "http://10.0.0.6:3000/hook"],
//!   "sequence": { "steps": [
//!     { "send": { "session": 0, "label": "valid/error/as-sent", "expect": "valid",
//!                 "method": "POST", "contentType": "application/json",
//!                 "credential": "configured", "observed": true,
//!                 "body": { "text": "{\"sessionId\":\"@SESSION@\", …}" } } },
//!     { "together": [ … deliveries … ] },
//!     { "abandon": { … a delivery whose sender hangs up unread … } },
//!     { "pause": { "ms": 5000 } },
//!     { "others": { "count": 24 } }
//!   ] }
//! }
//! ```
//!
//! `session` is a slot: each replay gives every slot a fresh id, written where the body
//! says `@SESSION@`, and a fresh token where it says `@RUN@` (after `externalReferenceId`). `expect` is one of `valid`, `should-accept`, `unprocessable`,
//! `off-contract`, `bad-auth`, `may-refuse` (a valid body a receiver may refuse with a 4xx:
//! over 256 KiB, a field left out, a value in a form the sender never writes); `credential` is `configured` or an auth mutation id
//! (`truncated-value` …); `body` is `{"text": …}` or, for bytes that are not UTF-8,
//! `{"hex": …}`. With `--replica`, `urls` lists the target and the replicas, and a delivery
//! sent to a replica says which with `"replica": k` (its place in `urls`; 0, the target,
//! is left out): a replay sends it to the k-th `--replica` it is given, and a case file
//! without them sends everything to the target. No secret is stored: a bad credential is stored as the mutation applied to
//! whatever `--auth` the replay is given.
//!
//! A case found under `--profile standard-webhooks` says `"profile": "standard-webhooks"`
//! (a `cr3dentials` case leaves it out): each slot is then a message whose `webhook-id` is
//! fresh in every replay, every delivery is signed when sent with the replay's secret,
//! `credential` is `configured` (one `v1` signature) or a [`super::signing::Signing`] name
//! (`rotated-keys`, `unknown-versions`, `stale-timestamp`, `future-timestamp`, a forgery
//! such as `wrong-secret`), and `expect` is `valid` or `unverified` (must be refused).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::invariant::{Invariant, Level};
use super::model::{Body, Sequence, decode_hex};
use crate::profile::Profile;

/// The format tag of a case file this version reads and writes.
pub const CASE_FORMAT: &str = "hookcheck-fuzz-case/1";

/// A saved failing case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseFile {
    /// Always [`CASE_FORMAT`].
    pub format: String,
    /// The contract it was found under; left out for `cr3dentials`, so a case file of
    /// that profile reads and writes as before.
    #[serde(default, skip_serializing_if = "Profile::is_default")]
    pub profile: Profile,
    /// The invariant it broke.
    pub invariant: Invariant,
    /// That invariant's level.
    pub level: Level,
    /// That invariant's requirement.
    pub requirement: String,
    /// The seed of the run that found it.
    pub seed: u64,
    /// The index of the sequence that first broke it.
    pub sequence_index: u64,
    /// Whether the sequence is the shrunk one (false when the failure did not come back
    /// when the sequence was replayed alone, or the target stopped serving).
    pub shrunk: bool,
    /// What the invariant expected.
    pub expected: String,
    /// What happened.
    pub actual: String,
    /// With `--replica`: the URLs the copies went to, the target first, then each
    /// replica; a delivery's `replica` is its place here. Left out without replicas.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// The sequence to replay.
    pub sequence: Sequence,
}

/// Why a case file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum CaseFileError {
    /// The file could not be read.
    #[error("read case file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a case file.
    #[error("read case file {path}: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The case file could not be written.
    #[error("write case file {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl CaseFile {
    /// Reads and checks a case file.
    pub fn load(path: &Path) -> Result<CaseFile, CaseFileError> {
        let invalid = |reason: String| CaseFileError::Invalid {
            path: path.to_owned(),
            reason,
        };
        let text = std::fs::read(path).map_err(|source| CaseFileError::Read {
            path: path.to_owned(),
            source,
        })?;
        let case: CaseFile = serde_json::from_slice(&text).map_err(|e| invalid(e.to_string()))?;
        if case.format != CASE_FORMAT {
            return Err(invalid(format!(
                "format `{}` is not {CASE_FORMAT}",
                case.format
            )));
        }
        if case.sequence.deliveries().next().is_none() {
            return Err(invalid("the sequence sends nothing".into()));
        }
        let bad_hex = case.sequence.deliveries().any(|(_, d)| match &d.body {
            Body::Hex(hex) => decode_hex(hex).is_none(),
            Body::Text(_) => false,
        });
        if bad_hex {
            return Err(invalid(
                "a hex body holds something other than hex digits".into(),
            ));
        }
        Ok(case)
    }

    /// The file name it is saved under: `<invariant>-seed<seed>.json`.
    pub fn file_name(&self) -> String {
        format!("{}-seed{}.json", self.invariant.as_str(), self.seed)
    }

    /// Writes it into `dir` (created if missing), atomically; returns its path.
    pub fn save(&self, dir: &Path) -> Result<PathBuf, CaseFileError> {
        let path = dir.join(self.file_name());
        let write = |source| CaseFileError::Write {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(write)?;
        let text = serde_json::to_vec_pretty(self).expect("a case file serializes");
        let partial = path.with_extension("json.partial");
        std::fs::write(&partial, text).map_err(write)?;
        std::fs::rename(&partial, &path).map_err(write)?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzz::model::{Credential, Delivery, Expect, Method, Step};

    fn case() -> CaseFile {
        let delivery = Delivery {
            session: 0,
            label: "bad/invalid-utf8".into(),
            expect: Expect::Unprocessable,
            method: Method::Post,
            content_type: Some("application/json".into()),
            credential: Credential::Configured,
            observed: true,
            body: Body::from_bytes(b"{\"sessionId\":\"@SESSION@\",\"x\":\"\xff\"}".to_vec()),
            replica: 0,
        };
        CaseFile {
            format: CASE_FORMAT.into(),
            profile: Profile::Cr3dentials,
            invariant: Invariant::NoEffectForUnprocessable,
            level: Level::Must,
            requirement: Invariant::NoEffectForUnprocessable.requirement().into(),
            seed: 9,
            sequence_index: 3,
            shrunk: true,
            expected: "0".into(),
            actual: "1".into(),
            urls: Vec::new(),
            sequence: Sequence {
                steps: vec![
                    Step::Send(delivery),
                    Step::Pause { ms: 10 },
                    Step::Others { count: 2 },
                ],
            },
        }
    }

    #[test]
    fn a_saved_case_reads_back_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = case().save(dir.path()).unwrap();
        assert!(path.ends_with("no-effect-for-unprocessable-seed9.json"));
        assert_eq!(CaseFile::load(&path).unwrap(), case());
    }

    #[test]
    fn a_case_sent_over_replicas_names_them_and_an_old_one_reads_as_the_targets() {
        let mut spread = case();
        spread.urls = vec![
            "http://127.0.0.1:1/hook".into(),
            "http://127.0.0.1:2/hook".into(),
        ];
        if let Step::Send(delivery) = &mut spread.sequence.steps[0] {
            delivery.replica = 1;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = spread.save(dir.path()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("\"replica\": 1") && text.contains("127.0.0.1:2"),
            "{text}"
        );
        assert_eq!(CaseFile::load(&path).unwrap(), spread);
        // A case file of an earlier version: neither `urls` nor `replica`.
        let old = serde_json::to_string(&case()).unwrap();
        assert!(!old.contains("replica") && !old.contains("urls"), "{old}");
        std::fs::write(&path, old).unwrap();
        let read = CaseFile::load(&path).unwrap();
        assert!(read.urls.is_empty());
        assert!(read.sequence.deliveries().all(|(_, d)| d.replica == 0));
    }

    #[test]
    fn a_standard_webhooks_case_names_its_profile_and_a_cr3dentials_one_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = case().save(dir.path()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("profile"), "{text}");
        let mut signed = case();
        signed.profile = Profile::StandardWebhooks;
        if let Step::Send(delivery) = &mut signed.sequence.steps[0] {
            delivery.expect = Expect::Unverified;
            delivery.credential = Credential::Signed(crate::fuzz::signing::Signing::StaleTimestamp);
        }
        let path = signed.save(dir.path()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("\"profile\": \"standard-webhooks\"")
                && text.contains("\"credential\": \"stale-timestamp\"")
                && text.contains("\"expect\": \"unverified\""),
            "{text}"
        );
        assert_eq!(CaseFile::load(&path).unwrap(), signed);
    }

    #[test]
    fn a_file_that_is_not_a_case_file_is_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json");
        std::fs::write(&path, r#"{"format":"other"}"#).unwrap();
        let error = CaseFile::load(&path).unwrap_err().to_string();
        assert!(error.contains("x.json"), "{error}");
        let mut wrong = case();
        wrong.format = "hookcheck-fuzz-case/0".into();
        std::fs::write(&path, serde_json::to_vec(&wrong).unwrap()).unwrap();
        let error = CaseFile::load(&path).unwrap_err().to_string();
        assert!(error.contains("is not hookcheck-fuzz-case/1"), "{error}");
    }
}
