//! `hookcheck init`: write a commented starter `hookcheck.toml` and the GitHub Actions job
//! that runs hookcheck with it, never over a file that exists (without `--force`), and never
//! through a symlink.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::config::{DEFAULT_FILE, STARTER_CONFIG, STARTER_WORKFLOW, WORKFLOW_FILE};
use crate::exit_codes;

const EXAMPLES: &str = "\
Examples:
  # Write hookcheck.toml and .github/workflows/hookcheck.yml, then grade with the file:
  hookcheck init
  hookcheck run

  # Write them into another folder, replacing files written before:
  hookcheck init --dir ci --force";

/// Arguments of `hookcheck init`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct InitArgs {
    /// The folder to write into.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,

    /// Replace files that exist (regular files only: a symlink or a folder is never
    /// replaced).
    #[arg(long)]
    pub force: bool,
}

/// Runs `hookcheck init`.
pub fn run(args: &InitArgs) -> i32 {
    let files = [
        (DEFAULT_FILE, STARTER_CONFIG),
        (WORKFLOW_FILE, STARTER_WORKFLOW),
    ];
    let paths: Vec<PathBuf> = files.iter().map(|(name, _)| args.dir.join(name)).collect();
    // Every refusal is found before anything is written.
    for path in &paths {
        if let Err(message) = writable(path, args.force) {
            super::report_error(&message);
            return exit_codes::USAGE;
        }
    }
    for (path, (_, text)) in paths.iter().zip(files) {
        if let Err(e) = write(path, text) {
            super::report_error(&format!("cannot write {}: {e}", path.display()));
            return exit_codes::USAGE;
        }
        println!("wrote {}", path.display());
    }
    println!("next: edit {DEFAULT_FILE} (target, auth), then run `hookcheck run`");
    exit_codes::OK
}

/// Whether `path` may be written: it does not exist, or it is a regular file and `force`.
fn writable(path: &Path, force: bool) -> Result<(), String> {
    match std::fs::symlink_metadata(path) {
        Err(_) => Ok(()),
        Ok(meta) if meta.is_file() && force => Ok(()),
        Ok(meta) if meta.is_file() => Err(format!(
            "{} exists: keep it, or replace it with --force",
            path.display()
        )),
        Ok(_) => Err(format!(
            "{} exists and is not a regular file (a symlink or a folder): not replaced",
            path.display()
        )),
    }
}

/// Writes `text` beside `path` and renames it over, so a reader never sees half a file.
fn write(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temporary = dir.join(format!(".{name}.hookcheck-init"));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temporary)?;
    file.write_all(text.as_bytes())?;
    drop(file);
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}
