//! Where report files go, and how they are written: `-` is stdout; a regular file (or a new
//! one) is written beside itself and renamed, so a reader never sees half a report; anything
//! else (a device, a FIFO, a process substitution) is written in place; a symlink is followed.

use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

crate::closed::closed_enum! {
    /// The file formats a run or `hookcheck report` can write; its name is the one a
    /// message uses: `JSON`, `JUnit`, `Markdown`, `HTML`.
    pub enum Format as "report format" {
        /// The JSON report ([`crate::results`] documents it).
        Json => "JSON",
        /// JUnit XML for CI test views.
        Junit => "JUnit",
        /// Markdown for a CI job summary or a pull-request comment.
        Markdown => "Markdown",
        /// One self-contained HTML page.
        Html => "HTML",
    }
}

impl Format {
    /// The command-line flag that asks for it.
    pub fn flag(self) -> &'static str {
        match self {
            Format::Json => "--json",
            Format::Junit => "--junit",
            Format::Markdown => "--markdown",
            Format::Html => "--html",
        }
    }
}

/// Where one report goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Standard output (`-` on the command line).
    Stdout,
    /// A path.
    File(PathBuf),
}

impl Destination {
    /// Reads a command-line path: `-` is stdout.
    pub fn from_arg(path: &Path) -> Destination {
        if path.as_os_str() == "-" {
            Destination::Stdout
        } else {
            Destination::File(path.to_owned())
        }
    }
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Destination::Stdout => f.write_str("standard output"),
            Destination::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// One requested report: a format and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The format.
    pub format: Format,
    /// Where.
    pub destination: Destination,
}

/// Why a report cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// Two reports were asked for at one place.
    #[error("{first} and {second} both write to {destination}: give each report its own path")]
    SamePath {
        /// The first flag.
        first: &'static str,
        /// The second flag.
        second: &'static str,
        /// The shared place.
        destination: Destination,
    },
    /// The path cannot take a report (its folder is missing, or it is a folder).
    #[error("cannot write the {format} report to {path}: {why}")]
    Unwritable {
        /// The format.
        format: Format,
        /// The path.
        path: String,
        /// What is wrong.
        why: String,
    },
    /// Writing failed.
    #[error("failed to write the {format} report to {destination}: {source}")]
    Write {
        /// The format.
        format: Format,
        /// Where.
        destination: Destination,
        /// The I/O error.
        source: io::Error,
    },
}

/// Checks a set of requested reports before the run: each path usable, no place twice
/// (`a.json` and `./a.json`, or a symlink and its target, are one place).
pub fn check_outputs(outputs: &[Output]) -> Result<(), OutputError> {
    let mut seen: Vec<(PathBuf, &Output)> = Vec::new();
    for output in outputs {
        let place = match &output.destination {
            Destination::Stdout => PathBuf::from("-"),
            Destination::File(path) => {
                check_path(output.format, path)?;
                resolved(path)
            }
        };
        if let Some((_, first)) = seen.iter().find(|(p, _)| *p == place) {
            return Err(OutputError::SamePath {
                first: first.format.flag(),
                second: output.format.flag(),
                destination: output.destination.clone(),
            });
        }
        seen.push((place, output));
    }
    Ok(())
}

fn check_path(format: Format, path: &Path) -> Result<(), OutputError> {
    let unwritable = |why: String| OutputError::Unwritable {
        format,
        path: path.display().to_string(),
        why,
    };
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => return Err(unwritable("it is a folder".into())),
        // A FIFO, a device, /dev/fd/N: written in place, its folder is not ours to check.
        Ok(meta) if !meta.is_file() => return Ok(()),
        _ => {}
    }
    let target = resolved(path);
    let folder = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    if !folder.is_dir() {
        return Err(unwritable(format!(
            "folder {} does not exist",
            folder.display()
        )));
    }
    Ok(())
}

/// The place a path names: symlinks followed, `.` and `..` resolved as far as the path exists.
fn resolved(path: &Path) -> PathBuf {
    if let Ok(real) = fs::canonicalize(path) {
        return real;
    }
    // A symlink to a file not yet created: follow it by hand.
    if let Ok(link) = fs::read_link(path) {
        let base = path.parent().unwrap_or(Path::new("."));
        return resolved(&base.join(link));
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => {
            fs::canonicalize(parent).map_or_else(|_| path.to_owned(), |p| p.join(name))
        }
        (_, Some(name)) => {
            std::env::current_dir().map_or_else(|_| path.to_owned(), |d| d.join(name))
        }
        _ => path.to_owned(),
    }
}

/// Writes one report's bytes to its destination.
pub fn write_output(output: &Output, bytes: &[u8]) -> Result<(), OutputError> {
    let failed = |source: io::Error| OutputError::Write {
        format: output.format,
        destination: output.destination.clone(),
        source,
    };
    match &output.destination {
        Destination::Stdout => {
            let mut out = io::stdout().lock();
            out.write_all(bytes)
                .and_then(|()| out.flush())
                .map_err(failed)
        }
        Destination::File(path) => write_file(path, bytes).map_err(failed),
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let path = match fs::metadata(path) {
        Ok(meta) if !meta.is_file() => {
            // A FIFO, a device, /dev/fd/N: renaming over it would replace it.
            let mut file = OpenOptions::new().write(true).truncate(true).open(path)?;
            return file.write_all(bytes).and_then(|()| file.flush());
        }
        // A regular file, through any symlinks: replace the file, not the link.
        Ok(_) => fs::canonicalize(path)?,
        Err(_) => resolved(path),
    };
    let path = path.as_path();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = fs::write(&tmp, bytes).and_then(|()| fs::rename(&tmp, path));
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(format: Format, path: &Path) -> Output {
        Output {
            format,
            destination: Destination::File(path.to_owned()),
        }
    }

    #[test]
    fn the_same_place_twice_is_refused_even_through_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("report.json");
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let error =
            check_outputs(&[file(Format::Json, &real), file(Format::Markdown, &link)]).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("--json and --markdown both write to"),
            "{error}"
        );
        let stdout = |format| Output {
            format,
            destination: Destination::Stdout,
        };
        assert!(check_outputs(&[stdout(Format::Json), stdout(Format::Html)]).is_err());
        assert!(check_outputs(&[file(Format::Json, &real), stdout(Format::Html)]).is_ok());
    }

    #[test]
    fn a_missing_folder_is_named_with_the_format() {
        let error =
            check_outputs(&[file(Format::Html, Path::new("/no/such/dir/r.html"))]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "cannot write the HTML report to /no/such/dir/r.html: folder /no/such/dir does not exist"
        );
    }

    #[test]
    fn a_symlink_is_followed_and_stays_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.md");
        let link = dir.path().join("link.md");
        std::fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_output(&file(Format::Markdown, &link), b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            2,
            "no temporary file left"
        );
    }

    #[test]
    fn a_fifo_is_written_in_place_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
        };
        write_output(&file(Format::Json, &fifo), b"{}\n").unwrap();
        assert_eq!(reader.join().unwrap(), "{}\n");
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    }

    #[test]
    fn a_failed_write_names_the_format_and_the_path() {
        let output = file(
            Format::Junit,
            Path::new("/proc/hookcheck-cannot-write-here.xml"),
        );
        let error = write_output(&output, b"x").unwrap_err().to_string();
        assert!(
            error.starts_with(
                "failed to write the JUnit report to /proc/hookcheck-cannot-write-here.xml: "
            ),
            "{error}"
        );
    }
}
