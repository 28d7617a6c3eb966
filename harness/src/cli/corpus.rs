//! `hookcheck corpus`: the valid and invalid corpus as files with an index.

use std::path::PathBuf;

use crate::exit_codes;
use crate::generate::{CorpusError, corpus, write_corpus};

/// Arguments of `hookcheck corpus`.
#[derive(Debug, clap::Args)]
pub struct CorpusArgs {
    /// The folder to write the files and `index.json` into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Write into a folder that already has files (files of the same name are replaced).
    #[arg(long)]
    pub force: bool,
    /// How many generated valid payloads, and as many invalid ones, to add to the fixed cases.
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub generated: usize,
    /// The seed of the generated cases: the same seed writes the same corpus.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Runs `hookcheck corpus`.
pub fn run(args: &CorpusArgs) -> i32 {
    let entries = corpus(args.seed, args.generated);
    match write_corpus(&args.out, &entries, args.seed, args.force) {
        Ok(()) => {
            let valid = entries.iter().filter(|e| e.case.valid).count();
            println!(
                "wrote {} cases ({valid} valid, {} invalid) and index.json to {}",
                entries.len(),
                entries.len() - valid,
                args.out.display()
            );
            exit_codes::OK
        }
        Err(error @ CorpusError::NotEmpty(_)) => {
            super::report_error(&error);
            exit_codes::USAGE
        }
        Err(error @ CorpusError::Io { .. }) => {
            super::report_error(&error);
            exit_codes::UNAVAILABLE
        }
    }
}
