//! The bodies folder: where a run writes request bodies too long for a repro line (over
//! [`crate::repro::MAX_INLINE_BODY`]), so that every repro line runs as printed. It is the
//! `--bodies DIR` given, else `<stem>.bodies/` beside the first report file written
//! (`report.json` → `report.bodies/`), else none. A report that is not a regular file of
//! its own (`-`, `/dev/stdout`, a FIFO, a symlink) gets no folder beside it: the place
//! next to it is not the user's report folder. From a folder the run created, the bodies
//! no repro line names are removed when the run ends, and the folder too when that empties
//! it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::report::{Destination, Output};

/// The folder a run writes long bodies into, and whether the run created it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "call `finish` when the run ends, so an empty folder it created goes away"]
pub struct BodiesFolder {
    /// The folder, absolute when it is the default one.
    pub path: PathBuf,
    /// Whether this run created it (only such a folder is removed by [`BodiesFolder::finish`]).
    created: bool,
}

/// The `--bodies` folder cannot be created.
#[derive(Debug, thiserror::Error)]
#[error("cannot create --bodies folder {path}: {source}")]
pub struct BodiesError {
    /// The folder.
    pub path: String,
    /// Why.
    #[source]
    pub source: io::Error,
}

impl BodiesFolder {
    /// The run's bodies folder, created now: `explicit` (`--bodies DIR`, an error when it
    /// cannot be created), else the default one beside the first report file that is a
    /// regular file or a new one (none when it cannot be created).
    pub fn prepare(
        explicit: Option<&Path>,
        outputs: &[Output],
    ) -> Result<Option<BodiesFolder>, BodiesError> {
        if let Some(dir) = explicit {
            fs::create_dir_all(dir).map_err(|source| BodiesError {
                path: dir.display().to_string(),
                source,
            })?;
            // The folder the user named stays, empty or not.
            return Ok(Some(BodiesFolder {
                path: dir.to_owned(),
                created: false,
            }));
        }
        Ok(default_place(outputs).and_then(Self::beside))
    }

    /// The default folder at `path`: an existing real folder, or one created now.
    fn beside(path: PathBuf) -> Option<BodiesFolder> {
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => Some(BodiesFolder {
                path,
                created: false,
            }),
            Ok(_) => None,
            Err(_) => fs::create_dir(&path).ok().map(|()| BodiesFolder {
                path,
                created: true,
            }),
        }
    }

    /// Ends the run's use of the folder, given the repro lines of its report: in a folder
    /// this run created, removes each body no repro line names (a body of a passing check),
    /// then the folder when nothing is left in it. A folder the user named, or one that was
    /// there before, is left as it is.
    pub fn finish(self, repros: &[&str]) {
        if !self.created {
            return;
        }
        if let Ok(entries) = fs::read_dir(&self.path) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if !repros.iter().any(|repro| repro.contains(&name)) {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
        // Fails, and leaves the folder, when it holds a file.
        let _ = fs::remove_dir(&self.path);
    }
}

/// `<stem>.bodies` beside the first report file that is a regular file (or not there yet),
/// as an absolute path so a repro line read elsewhere still finds its body.
pub fn default_place(outputs: &[Output]) -> Option<PathBuf> {
    outputs.iter().find_map(|output| match &output.destination {
        Destination::Stdout => None,
        Destination::File(path) => own_file(path).then(|| folder_for(path)).flatten(),
    })
}

/// Whether `path` is a regular file itself (not through a symlink), or not there yet.
fn own_file(path: &Path) -> bool {
    match fs::symlink_metadata(path) {
        Ok(meta) => meta.file_type().is_file(),
        Err(error) => error.kind() == io::ErrorKind::NotFound,
    }
}

fn folder_for(path: &Path) -> Option<PathBuf> {
    let stem = path.file_stem()?.to_string_lossy();
    let folder = path.with_file_name(format!("{stem}.bodies"));
    std::path::absolute(folder).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Format;

    fn json(path: &Path) -> Output {
        Output {
            format: Format::Json,
            destination: Destination::File(path.to_owned()),
        }
    }

    #[test]
    fn the_default_folder_is_beside_the_first_report_file_and_goes_when_no_repro_names_a_body() {
        let dir = tempfile::tempdir().unwrap();
        let stdout = Output {
            format: Format::Json,
            destination: Destination::Stdout,
        };
        let report = dir.path().join("out.md");
        let folder = BodiesFolder::prepare(None, &[stdout, json(&report)])
            .unwrap()
            .expect("a folder");
        assert_eq!(folder.path, dir.path().join("out.bodies"));
        assert!(folder.path.is_dir());
        fs::write(folder.path.join("body-1.bin"), b"x").unwrap();
        let path = folder.path.clone();
        folder.finish(&["curl --data-binary @body-2.bin"]);
        assert!(
            !path.exists(),
            "a folder of unnamed bodies the run created is removed"
        );
    }

    #[test]
    fn a_body_a_repro_names_stays() {
        let dir = tempfile::tempdir().unwrap();
        let folder = BodiesFolder::prepare(None, &[json(&dir.path().join("r.json"))])
            .unwrap()
            .unwrap();
        fs::write(folder.path.join("body-1.bin"), b"x").unwrap();
        fs::write(folder.path.join("body-2.bin"), b"x").unwrap();
        let path = folder.path.clone();
        folder.finish(&["curl --data-binary @'/x/r.bodies/body-1.bin'"]);
        assert!(path.join("body-1.bin").is_file());
        assert!(!path.join("body-2.bin").exists());
    }

    #[test]
    fn no_folder_beside_a_device_a_symlink_or_stdout() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(dir.path().join("real.json"), &link).unwrap();
        for path in [Path::new("/dev/stdout"), Path::new("/dev/null"), &link] {
            assert_eq!(default_place(&[json(path)]), None, "{}", path.display());
        }
        assert!(!dir.path().join("link.bodies").exists());
        let folder = BodiesFolder::prepare(None, &[json(&link)]).unwrap();
        assert_eq!(folder, None);
    }

    #[test]
    fn an_explicit_folder_wins_and_a_file_in_the_way_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let explicit = dir.path().join("mine");
        let folder = BodiesFolder::prepare(Some(&explicit), &[json(&dir.path().join("r.json"))])
            .unwrap()
            .unwrap();
        assert_eq!(folder.path, explicit);
        assert!(!dir.path().join("r.bodies").exists());
        fs::write(explicit.join("body-1.bin"), b"x").unwrap();
        folder.finish(&[]);
        assert!(
            explicit.join("body-1.bin").is_file(),
            "the user's folder is left"
        );
        let blocked = dir.path().join("file");
        fs::write(&blocked, b"").unwrap();
        let error = BodiesFolder::prepare(Some(&blocked), &[]).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("cannot create --bodies folder"),
            "{error}"
        );
        // A file where the default folder would go: no folder, the file untouched.
        let taken = dir.path().join("t.bodies");
        fs::write(&taken, b"mine").unwrap();
        assert_eq!(
            BodiesFolder::prepare(None, &[json(&dir.path().join("t.json"))]).unwrap(),
            None
        );
        assert_eq!(fs::read(&taken).unwrap(), b"mine");
    }
}
