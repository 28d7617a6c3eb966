//! hookcheck: a conformance test harness for receivers of the Cr3dentials verification
//! webhook.
//!
//! The contract ([`spec`]) is shared by three parts:
//!
//! - the reference sender, [`sender::Sender`]. It delivers one event exactly as
//!   Cr3dentials does, with retries and backoff, on the [`transport`] layer;
//! - the reference receiver, [`receiver::Receiver`]. It meets every MUST and SHOULD, and can
//!   carry one injected [`receiver::Defect`];
//! - the conformance runner, [`runner::run`]. It grades a target against every requirement of
//!   the [`catalogue`], with inputs from [`generate`] and the check families in [`checks`],
//!   and emits [`results::Event`]s to the [`report`]ers (terminal, JSON, JUnit, Markdown,
//!   HTML), which only format, citing the contract (`CONTRACT.md`) for every finding;
//! - [`profile`] names the contract a run grades against: Cr3dentials (`CONTRACT.md`, the
//!   default) or Standard Webhooks (`STANDARD-WEBHOOKS.md`), whose signature scheme, secrets,
//!   forgeries and recipes are in [`standard_webhooks`] and whose checks are
//!   [`checks::signed`];
//! - [`diff`] compares two runs check by check (`hookcheck diff`, `run --baseline`);
//! - [`explain`] says, for every requirement, why it matters, how receivers break it and
//!   how to fix it (`hookcheck explain ID`).
//!
//! Around them:
//!
//! - [`fuzz`] is the stateful black-box fuzzer behind `hookcheck fuzz`: seeded sequences of
//!   deliveries, invariants checked after each, failures shrunk, saved and scripted;
//! - [`load`] drains a backlog into a target (`hookcheck load`) and judges what it sustains;
//! - [`effects`] reads a target's effect counts (a URL or a command); [`latency`] is the
//!   histogram of answer times;
//! - [`auth::AuthHeader`] is the optional custom auth header, a secret that never prints;
//! - [`transport`] is the layer every client sits on: the HTTP client, exchanges and their
//!   limits, failure classes, target URLs, and TLS on both sides (client trust, the
//!   receiver's certificates); [`duration`] writes durations as every message shows them;
//! - [`rawhttp`] is an HTTP/1.1 client for probes a normal client cannot send;
//! - [`repro`] turns a request into a `curl` line;
//! - [`testing`] grades a receiver from its own `cargo test` (a URL or an axum router, the
//!   effects probe a closure over its store);
//! - [`cli`] holds the subcommands of the thin `hookcheck` binary, and [`exit_codes`] its exit
//!   codes.
//!
//! Grading the reference receiver in-process, as `hookcheck run` does without `--target`:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use std::time::Duration;
//! use hookcheck::receiver::{Receiver, ReceiverConfig};
//! use hookcheck::runner::{EffectsProbe, RunConfig, run};
//! use hookcheck::catalogue::Selection;
//!
//! hookcheck::install_crypto_provider();
//! let receiver = Receiver::start(ReceiverConfig::default()).await.unwrap();
//! let mut config = RunConfig::new(receiver.webhook_url().parse().unwrap());
//! config.effects = Some(EffectsProbe::url(&receiver.effects_url_template()).unwrap());
//! config.client.timeout = Duration::from_secs(5);
//! config.dedupe_window = Duration::from_millis(500);
//! config.selection = Selection { only: vec!["idempotency".into()], skip: vec![] };
//!
//! let report = run(config, &mut []).await.unwrap();
//! assert_eq!(report.verdict, "conformant");
//! // Nothing failed; a check whose situation did not arise (the retry moments past the
//! // 500 ms window) is a skip, listed in `report.unverified`, never a pass.
//! assert_eq!(report.summary.fail + report.summary.error, 0);
//! assert!(report.summary.pass > 0);
//! receiver.shutdown().await;
//! # }
//! ```

pub mod auth;
pub mod capture;
pub mod catalogue;
pub mod checks;
pub mod cli;
pub mod closed;
pub mod config;
pub mod count;
pub mod diff;
pub mod duration;
pub mod effects;
pub mod exit_codes;
pub mod explain;
pub mod fuzz;
pub mod generate;
pub mod latency;
pub mod load;
pub mod outage;
pub mod process_group;
pub mod profile;
pub mod rawhttp;
pub mod receiver;
pub mod report;
pub mod repro;
pub mod results;
pub mod runner;
pub mod secrets;
pub mod sender;
pub mod spec;
pub mod standard_webhooks;
pub mod testing;
pub mod transport;

/// Installs ring as the process-wide rustls crypto provider. Every binary and test that
/// builds a TLS client or server calls this first; a second call is harmless.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
