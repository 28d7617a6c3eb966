//! The corpus: every input the harness sends, valid and invalid, as files with an index
//! (what each case is, whether it is valid, its SPEC clause), for users' own parser tests
//! and fuzzers in any language (`hookcheck corpus --out DIR`).

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};

use arbitrary::{Arbitrary, Unstructured};
use rand::{RngCore, SeedableRng};
use serde::Serialize;

use super::drawn::{Drawn, Pin, fnv1a};
use super::label::{CaseLabel, MUST_ACCEPT_BYTES};
use super::{BadInput, InputGrade, InvalidPayload, PayloadShape, StatusShape, ValidPayload};
use crate::spec::{Payload, PayloadBuilder, Status};

/// How many bytes of randomness each generated case draws from.
const DRAW_BYTES: usize = 4096;

/// One case, as `index.json` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CorpusCase {
    /// The file holding the body, relative to the corpus folder.
    pub file: String,
    /// A stable id, e.g. `status/completed/nullable-fields-null` or `bad-input/wrong-types`.
    pub id: String,
    /// Whether it is a valid event (SPEC §1).
    pub valid: bool,
    /// What a conforming receiver owes it: `valid` (answer 2xx), `valid-may-refuse-413`
    /// (a valid event over 256 KiB: 2xx or 413, SPEC [D-11]), `unprocessable` or
    /// `off-contract` (SPEC [D-12]).
    pub label: &'static str,
    /// For an invalid case, its SPEC [D-12] grade: `unprocessable` or `off-contract`.
    pub grade: Option<&'static str>,
    /// The SPEC clause it exercises.
    pub clause: &'static str,
    /// What it is, in a sentence.
    pub description: String,
    /// The method it is sent with.
    pub method: &'static str,
    /// The content type it is sent with, if any.
    pub content_type: Option<&'static str>,
    /// The session a receiver would record it under, when the body names one intact.
    pub session_id: Option<String>,
}

/// A case and its body.
#[derive(Debug, Clone)]
pub struct CorpusEntry {
    /// What it is.
    pub case: CorpusCase,
    /// The bytes sent.
    pub body: Vec<u8>,
}

/// Why the corpus could not be written.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// The folder has files in it and overwriting was not asked for.
    #[error("{0} is not empty (pass --force to write into it anyway)")]
    NotEmpty(PathBuf),
    /// The folder or a file could not be written.
    #[error("failed to write {path}: {source}")]
    Io {
        /// What was being written.
        path: PathBuf,
        /// Why it failed.
        source: io::Error,
    },
}

/// The whole corpus: the fixed cases of the check families, then `generated` valid and
/// `generated` invalid payloads drawn from `seed` (the same seed gives the same corpus).
pub fn corpus(seed: u64, generated: usize) -> Vec<CorpusEntry> {
    let mut cases = Vec::new();
    fixed_valid(&mut cases);
    fixed_invalid(&mut cases);
    drawn(&mut cases, seed, generated);
    for (i, entry) in cases.iter_mut().enumerate() {
        entry.case.file = file_name(i, &entry.case.id, &entry.body);
    }
    cases
}

/// The file name of case number `i` (from 0) with id `id`: its number from 1, its id with
/// `/` as `-`, and `.json`, or `.bin` for a body that is not UTF-8.
pub(super) fn file_name(i: usize, id: &str, body: &[u8]) -> String {
    let extension = if std::str::from_utf8(body).is_ok() {
        "json"
    } else {
        "bin"
    };
    format!("{:04}-{}.{extension}", i + 1, id.replace('/', "-"))
}

/// The payload the fixed cases are built from: the same on every run.
fn base(status: Status) -> Payload {
    PayloadBuilder::new(status)
        .seed(1)
        .completed_at(time::macros::datetime!(2025-03-24 12:05:00 UTC))
        .build()
}

fn valid_case(id: String, clause: &'static str, description: String) -> CorpusCase {
    CorpusCase {
        file: String::new(),
        id,
        valid: true,
        label: CaseLabel::Valid.as_str(),
        grade: None,
        clause,
        description,
        method: "POST",
        content_type: Some("application/json"),
        session_id: None,
    }
}

/// A drawn delivery made the same on every run: its session follows from `label`, and
/// `completedAt` is relative to the documented example's time.
fn fixed_drawn(status: Status, label: &str, pin: &Pin) -> Drawn {
    let mut drawn = Drawn::draw(1, label, status, pin);
    let hash = fnv1a(label.as_bytes()).to_le_bytes();
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&hash);
    bytes[8..].copy_from_slice(&hash);
    drawn.session_id = uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string();
    drawn.built_at = time::macros::datetime!(2025-03-24 12:05:00 UTC);
    drawn
}

fn fixed_valid(cases: &mut Vec<CorpusEntry>) {
    for status in Status::ALL {
        for shape in StatusShape::ALL {
            let id = format!("status/{}/{}", super::status_id(status), shape.as_str());
            let drawn = fixed_drawn(status, &id, &shape.pin(status));
            let mut case = valid_case(id, "SPEC §1 [D-2]", format!("a {}", drawn.describe()));
            case.session_id = Some(drawn.session_id.clone());
            cases.push(CorpusEntry {
                case,
                body: drawn.to_bytes(),
            });
        }
    }
    for shape in PayloadShape::ALL {
        let id = format!("payload/{}", shape.as_str());
        let drawn = fixed_drawn(Status::Completed, &id, &shape.pin());
        let mut case = valid_case(
            id,
            "SPEC §1 [D-3] [D-4] [D-11] [D-13] [D-14] [D-16]",
            format!(
                "a {}: {}",
                drawn.describe(),
                shape.as_str().replace('-', " ")
            ),
        );
        case.content_type = Some(shape.content_type());
        case.session_id = Some(drawn.session_id.clone());
        cases.push(CorpusEntry {
            case,
            body: drawn.to_bytes(),
        });
    }
}

fn grade_name(grade: InputGrade) -> &'static str {
    match grade {
        InputGrade::Unprocessable => "unprocessable",
        InputGrade::OffContract => "off-contract",
    }
}

fn fixed_invalid(cases: &mut Vec<CorpusEntry>) {
    let payload = base(Status::Completed);
    for input in BadInput::ALL.iter().copied() {
        let request = input.request(&payload);
        let case = CorpusCase {
            file: String::new(),
            id: format!("bad-input/{}", input.as_str()),
            valid: false,
            label: CaseLabel::of_grade(input.grade()).as_str(),
            grade: Some(grade_name(input.grade())),
            clause: "SPEC §3 [D-12]",
            description: format!("bad input: {}", input.as_str().replace('-', " ")),
            method: request.method,
            content_type: request.content_type,
            session_id: request.observed_session,
        };
        cases.push(CorpusEntry {
            case,
            body: request.body,
        });
    }
}

/// Generated cases: [`ValidPayload`]s and [`InvalidPayload`]s drawn from seeded bytes.
fn drawn(cases: &mut Vec<CorpusEntry>, seed: u64, count: usize) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut bytes = vec![0u8; DRAW_BYTES];
    for i in 0..count {
        rng.fill_bytes(&mut bytes);
        let Ok(valid) = ValidPayload::arbitrary(&mut Unstructured::new(&bytes)) else {
            continue;
        };
        let body = valid.to_bytes();
        let label = if body.len() > MUST_ACCEPT_BYTES {
            CaseLabel::ValidMayRefuse413
        } else {
            CaseLabel::Valid
        };
        let mut case = valid_case(
            format!("generated/valid/{i:03}"),
            label.clause(),
            format!("a generated valid {} delivery", valid.status()),
        );
        case.label = label.as_str();
        case.session_id = Some(valid.session_id());
        cases.push(CorpusEntry { case, body });
    }
    for i in 0..count {
        rng.fill_bytes(&mut bytes);
        let Ok(invalid) = InvalidPayload::arbitrary(&mut Unstructured::new(&bytes)) else {
            continue;
        };
        let kind = invalid.mutation.kind();
        let case = CorpusCase {
            file: String::new(),
            id: format!("generated/invalid/{i:03}-{}", kind.as_str()),
            valid: false,
            label: CaseLabel::of_grade(invalid.grade()).as_str(),
            grade: Some(grade_name(invalid.grade())),
            clause: "SPEC §3 [D-12]",
            description: format!(
                "a generated payload with one mutation: {:?}",
                invalid.mutation
            ),
            method: "POST",
            content_type: Some("application/json"),
            session_id: invalid.observed_session(),
        };
        cases.push(CorpusEntry {
            case,
            body: invalid.to_bytes(),
        });
    }
}

/// The index file, `index.json`.
#[derive(Debug, Serialize)]
struct Index<'a> {
    description: &'static str,
    seed: u64,
    cases: Vec<&'a CorpusCase>,
}

/// Writes the corpus into `dir` (created if missing): one file per case and `index.json`.
/// A folder that already has files is refused unless `force`.
pub fn write_corpus(
    dir: &Path,
    entries: &[CorpusEntry],
    seed: u64,
    force: bool,
) -> Result<(), CorpusError> {
    let index = Index {
        description: "hookcheck corpus: bodies of Cr3dentials webhook deliveries, valid and \
                      invalid; `label` says what a conforming receiver owes each: `valid` \
                      cases must be answered 2xx, `valid-may-refuse-413` ones (over 256 KiB) \
                      2xx or 413 (CONTRACT.md D-11), `unprocessable` ones must cause \
                      no side effect, `off-contract` ones may be accepted or refused, never \
                      5xx (CONTRACT.md D-12)",
        seed,
        cases: entries.iter().map(|e| &e.case).collect(),
    };
    let files: Vec<_> = entries
        .iter()
        .map(|e| (e.case.file.as_str(), e.body.as_slice()))
        .collect();
    write_folder(dir, &files, &index, force)
}

/// Writes `files` (name and bytes) and `index` as `index.json` into `dir` (created if
/// missing), after removing what an earlier index listed that `files` no longer has. A
/// folder that already has files is refused unless `force`.
pub(super) fn write_folder(
    dir: &Path,
    files: &[(&str, &[u8])],
    index: &impl Serialize,
    force: bool,
) -> Result<(), CorpusError> {
    let io_error = |path: &Path| {
        let path = path.to_owned();
        move |source| CorpusError::Io { path, source }
    };
    if !force && has_entries(dir).map_err(io_error(dir))? {
        return Err(CorpusError::NotEmpty(dir.to_owned()));
    }
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    let kept: HashSet<&str> = files.iter().map(|(name, _)| *name).collect();
    remove_stale(dir, &kept).map_err(io_error(dir))?;
    for (name, body) in files {
        let path = dir.join(name);
        std::fs::write(&path, body).map_err(io_error(&path))?;
    }
    let path = dir.join("index.json");
    let json = serde_json::to_vec_pretty(index).expect("the index always serializes");
    std::fs::write(&path, json).map_err(io_error(&path))
}

/// Removes the case files an earlier `index.json` in `dir` listed that are not `kept`, so a
/// corpus written again with `--force` holds no stale case. Only plain names are removed
/// (never a path that leaves `dir`); other files in `dir` are left alone.
fn remove_stale(dir: &Path, kept: &HashSet<&str>) -> io::Result<()> {
    let old = match std::fs::read(dir.join("index.json")) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let Ok(old) = serde_json::from_slice::<serde_json::Value>(&old) else {
        return Ok(());
    };
    let listed = old["cases"].as_array().into_iter().flatten();
    for file in listed.filter_map(|case| case["file"].as_str()) {
        let plain = Path::new(file).file_name() == Some(std::ffi::OsStr::new(file));
        if plain && !kept.contains(file) {
            match std::fs::remove_file(dir.join(file)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
    }
    Ok(())
}

/// Whether `dir` exists and has anything in it.
fn has_entries(dir: &Path) -> io::Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_some()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Grade, Limits, parse_with};

    #[test]
    fn every_case_parses_or_is_refused_as_its_index_entry_says() {
        for entry in corpus(7, 40) {
            let case = &entry.case;
            let parsed = parse_with(&entry.body, Limits::default());
            let grade = parsed.as_ref().err().map(|e| e.grade());
            match case.grade {
                None => assert!(parsed.is_ok(), "{}: {parsed:?}", case.id),
                // The method or the content type is what is wrong, not the body.
                Some(_) if case.method != "POST" || case.content_type == Some("text/plain") => {}
                Some("unprocessable") => {
                    assert_eq!(grade, Some(Grade::Unprocessable), "{}", case.id);
                }
                Some(_) if case.id.ends_with("duplicate-keys") => {
                    assert_ne!(grade, Some(Grade::Unprocessable), "{}", case.id);
                }
                Some(_) => assert_eq!(grade, Some(Grade::OffContract), "{}", case.id),
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_corpus_and_files_are_distinct() {
        let (a, b) = (corpus(3, 10), corpus(3, 10));
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!((&x.case, &x.body), (&y.case, &y.body));
        }
        let files: std::collections::BTreeSet<_> = a.iter().map(|e| &e.case.file).collect();
        assert_eq!(files.len(), a.len());
    }

    #[test]
    fn a_folder_with_files_is_refused_without_force() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("mine.txt"), "keep").unwrap();
        let entries = corpus(1, 2);
        let error = write_corpus(dir.path(), &entries, 1, false).unwrap_err();
        assert!(matches!(error, CorpusError::NotEmpty(_)), "{error}");
        write_corpus(dir.path(), &entries, 1, true).unwrap();
        let index: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("index.json")).unwrap()).unwrap();
        assert_eq!(index["cases"].as_array().unwrap().len(), entries.len());
        assert!(dir.path().join(&entries[0].case.file).exists());
    }

    #[test]
    fn force_removes_what_an_earlier_index_listed_and_keeps_other_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("mine.txt"), "keep").unwrap();
        let bigger = corpus(1, 6);
        write_corpus(dir.path(), &bigger, 1, true).unwrap();
        let smaller = corpus(1, 2);
        write_corpus(dir.path(), &smaller, 1, true).unwrap();
        let kept: std::collections::HashSet<_> =
            smaller.iter().map(|e| e.case.file.clone()).collect();
        let stale: Vec<_> = bigger
            .iter()
            .filter(|e| !kept.contains(&e.case.file))
            .collect();
        assert!(
            !stale.is_empty(),
            "the larger corpus has cases the smaller lacks"
        );
        for entry in stale {
            assert!(
                !dir.path().join(&entry.case.file).exists(),
                "{} is stale and still there",
                entry.case.file
            );
        }
        for entry in &smaller {
            assert!(dir.path().join(&entry.case.file).exists());
        }
        assert!(
            dir.path().join("mine.txt").exists(),
            "a file of the user's was removed"
        );
    }
}
