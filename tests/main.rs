//! End-to-end tests: each drives the built `hookcheck` binary over real sockets.
//! Servers bind 127.0.0.1 port 0; every test stops by itself.

mod util;

mod browser;
mod corpus;
mod fuzz;
mod load;
mod readme;
mod retry;
mod run;
mod send;
mod serve;
mod snapshots;
