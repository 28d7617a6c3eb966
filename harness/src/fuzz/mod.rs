//! `hookcheck fuzz`: a stateful black-box fuzzer for webhook receivers.
//!
//! It draws [`Sequence`]s of deliveries from a seed (valid and invalid payloads of many
//! sessions, interleaved copies, concurrent copies, abandoned copies, other bodies for the
//! same session, late copies, bad credentials), sends them over real HTTP, and checks the [`Invariant`]s after
//! each: every valid delivery 2xx within the timeout, every acknowledged session exactly one
//! effect, no effect for unprocessable or unauthenticated input, no 5xx for bad input, every
//! request answered, the target alive. The first failure of each invariant is shrunk to a
//! minimal sequence and payload, saved as a [`CaseFile`] and printed as a POSIX `sh` repro.
//!
//! - `run`: the entry points, [`fuzz`] and [`replay`]; [`config`]: what a campaign is given;
//! - [`campaign`]: sequences sent `concurrency` at a time until the budget is spent, each
//!   graded as soon as it is done; [`tally`]: what it counts meanwhile; [`progress`]: the
//!   line on stderr while it sends;
//! - [`model`]: sequences, steps, deliveries (also the case file format);
//! - [`source`]: the payload seam, [`PayloadSource`], and the named shapes, [`EnumSource`];
//! - [`space`]: the default source, [`SpaceSource`]: the whole valid space and its
//!   mutations, with the named shapes mixed in;
//! - [`generate`]: sequences from a seed;
//! - under `--profile standard-webhooks` ([`FuzzConfig::signing`]): [`signed_sequences`],
//!   whose slots are messages retried with their `webhook-id`; [`signed_space`], the
//!   `{type, timestamp, data}` bodies in many byte forms; [`signing`], how each delivery is
//!   signed when sent (valid forms, forgeries, timestamps outside the tolerance);
//! - [`route`]: with `--replica`, which URL each copy of a session goes to;
//! - [`execute`]: sending a sequence and reading effect counts;
//! - [`ledger`]: when effect counts are read: late, polled when missing, never sooner than
//!   2 s after a session's last copy;
//! - [`deadline`]: `--time` bounds the whole command, shrinking included;
//! - [`invariant`]: what is checked, and how each answer and count is graded;
//! - [`shrink`]: minimal sequences and payloads;
//! - [`case_file`] and [`script`]: saving and scripting a failure;
//! - [`outcome`]: the JSON report, the terminal summary, JUnit.
//!
//! ```
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
//! # async fn main() {
//! use std::time::Duration;
//! use hookcheck::effects::EffectsProbe;
//! use hookcheck::fuzz::{Budget, FuzzConfig, FuzzVerdict, SpaceSource, fuzz};
//! use hookcheck::receiver::{Receiver, ReceiverConfig};
//!
//! hookcheck::install_crypto_provider();
//! let receiver = Receiver::start(ReceiverConfig::default()).await.unwrap();
//! let mut config = FuzzConfig::new(receiver.webhook_url().parse().unwrap());
//! config.effects = Some(EffectsProbe::url(&receiver.effects_url_template()).unwrap());
//! config.seed = 7;
//! config.budget = Budget::Cases(60);
//! config.settle = Duration::from_millis(1200);
//! config.retry_delay = Duration::from_millis(300);
//! let report = fuzz(config, Box::new(SpaceSource::default())).await.unwrap();
//! assert_eq!(report.verdict, FuzzVerdict::Pass);
//! assert!(report.cases >= 60);
//! receiver.shutdown().await;
//! # }
//! ```

pub mod campaign;
pub mod case_file;
pub mod config;
pub mod deadline;
pub mod execute;
pub mod generate;
pub mod invariant;
pub mod ledger;
pub mod model;
pub mod outcome;
pub mod progress;
pub mod route;
mod run;
pub mod script;
pub mod shrink;
pub mod signed_sequences;
pub mod signed_space;
pub mod signing;
pub mod source;
pub mod space;
pub mod tally;

pub use case_file::{CASE_FORMAT, CaseFile, CaseFileError};
pub use config::{Budget, DEFAULT_CASES, FuzzConfig, FuzzError};
pub use deadline::Deadline;
pub use invariant::{Invariant, Level, Violation};
pub use model::Sequence;
pub use outcome::{FuzzReport, FuzzVerdict, ReplayReport};
pub use run::{failed, fuzz, replay};
pub use shrink::ShrinkLimits;
pub use source::{EnumSource, PayloadSource};
pub use space::SpaceSource;
