//! `hookcheck corpus`: the valid and invalid corpus as files with an index; under
//! `--profile standard-webhooks`, signed deliveries with the headers each is sent with.

use std::path::PathBuf;

use crate::cli::profile::ProfileArgs;
use crate::exit_codes;
use crate::generate::{
    CorpusError, Expect, corpus, signed_corpus, write_corpus, write_signed_corpus,
};
use crate::standard_webhooks::{Secret, unix_now};

/// Arguments of `hookcheck corpus`.
#[derive(Debug, clap::Args)]
pub struct CorpusArgs {
    /// The folder to write the files and `index.json` into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Write into a folder that already has files (files of the same name are replaced).
    #[arg(long)]
    pub force: bool,
    /// How many generated valid payloads, and as many invalid ones, to add to the fixed
    /// cases (under standard-webhooks: N generated valid deliveries).
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub generated: usize,
    /// The seed of the generated cases: the same seed writes the same corpus (under
    /// standard-webhooks: the same bodies and message ids; timestamps and signatures are
    /// those of the time it is written, `signedAt` in index.json).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The contract, and the signing secret of the standard-webhooks corpus.
    #[command(flatten)]
    pub profile: ProfileArgs,
}

/// Runs `hookcheck corpus`.
pub fn run(args: &CorpusArgs) -> i32 {
    match args.profile.secret() {
        Ok(None) => cr3dentials(args),
        Ok(Some(secret)) => standard_webhooks(args, &secret),
        Err(error) => {
            super::report_error(&error);
            error.exit_code()
        }
    }
}

fn cr3dentials(args: &CorpusArgs) -> i32 {
    let entries = corpus(args.seed, args.generated);
    let written = write_corpus(&args.out, &entries, args.seed, args.force);
    let valid = entries.iter().filter(|e| e.case.valid).count();
    let summary = format!(
        "wrote {} cases ({valid} valid, {} invalid) and index.json to {}",
        entries.len(),
        entries.len() - valid,
        args.out.display()
    );
    finish(written, &summary)
}

fn standard_webhooks(args: &CorpusArgs, secret: &Secret) -> i32 {
    let signed_at = unix_now();
    let entries = signed_corpus(secret, args.seed, args.generated, signed_at);
    let written = write_signed_corpus(&args.out, &entries, args.seed, signed_at, args.force);
    let accept = entries
        .iter()
        .filter(|e| e.case.expect == Expect::Accept)
        .count();
    let summary = format!(
        "wrote {} signed cases ({accept} to accept, {} to refuse), signed at {signed_at}, and index.json to {}",
        entries.len(),
        entries.len() - accept,
        args.out.display()
    );
    finish(written, &summary)
}

/// Prints `summary` when the corpus was written, the error otherwise; the exit code.
fn finish(written: Result<(), CorpusError>, summary: &str) -> i32 {
    match written {
        Ok(()) => {
            println!("{summary}");
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
