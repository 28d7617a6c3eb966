//! End-to-end tests: each drives the built `hookcheck` binary over real sockets.
//! Servers bind 127.0.0.1 port 0; every test stops by itself. The helpers they share (the
//! binary as a process, `hookcheck serve`, hostile servers, the reference receiver) are in
//! the `hookcheck-testkit` crate (`testkit/`).

use std::time::Duration;

use hookcheck_testkit::{Binary, Ran};

mod browser;
mod capture;
mod config;
mod corpus;
mod fuzz;
mod fuzz_signed;
mod load;
mod load_shards;
mod load_signed;
mod outage;
mod readme;
mod replicas;
mod retry;
mod run;
mod secrets;
mod send;
mod serve;
mod snapshots;
mod standard_webhooks;

/// The binary under test.
const HOOKCHECK: Binary = Binary::new(env!("CARGO_BIN_EXE_hookcheck"));

/// Bound on one `hookcheck` process, whatever regresses.
const PROCESS_BOUND: Duration = Duration::from_secs(90);

/// Runs `hookcheck ARGS` without blocking the runtime (in-process servers keep serving),
/// killed if it outlives [`PROCESS_BOUND`].
async fn hookcheck_async(args: &[&str], env: &[(&str, &str)]) -> Ran {
    HOOKCHECK.run(args, env, PROCESS_BOUND).await
}
