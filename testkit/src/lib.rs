//! Test support shared by hookcheck's integration tests (`harness/tests/`) and its
//! end-to-end tests (`tests/`): one copy of each helper, used as a dev-dependency only.
//!
//! - [`hostile`]: raw TCP servers that misbehave below the contract (silent, resetting,
//!   garbage, endless redirects), any other misbehaviour through [`hostile::accept_each`],
//!   and a port nothing listens on;
//! - [`wire`]: reading one HTTP/1.1 request off a socket, as a hand-written server must
//!   before it answers;
//! - [`tls`]: a fresh self-signed certificate for `localhost` and `127.0.0.1` and a TLS
//!   acceptor for it;
//! - [`receiver`]: the reference receiver started in the background for a test, and the
//!   payloads its tests send;
//! - [`client`]: a plain HTTP client that follows no redirect, and many requests at once;
//! - [`process`]: the built `hookcheck` binary as a child process: one command, its output
//!   within a bound, `hookcheck serve` with the URLs it announces, and whether `curl` is
//!   there to run repro lines and `python3` has a package the interoperability tests use;
//! - [`postgres`]: a throwaway PostgreSQL cluster (skipped with a message when PostgreSQL is
//!   not installed, unless `HOOKCHECK_REQUIRE_POSTGRES=1`);
//! - [`table`]: a table of slow cases run a few at a time, each on a runtime of its own.
//!
//! Every server binds 127.0.0.1 port 0 and stops when its handle is dropped.

pub mod client;
pub mod hostile;
pub mod postgres;
pub mod process;
pub mod receiver;
pub mod table;
pub mod tls;
pub mod wire;

pub use process::{Binary, Ran, Served};
