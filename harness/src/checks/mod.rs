//! The check families, one file per category of SPEC §3 (the catalogue in
//! [`crate::catalogue`] names every check; each family implements its category's).
//!
//! A family function sends its probes through the run's [`Ctx`](kit::Ctx) and reports one
//! [`Verdict`](kit::Verdict) per selected check. The [`kit`] below the families holds what
//! they share; the runner only orders the families into phases.

pub mod auth;
pub mod idempotency;
pub mod kit;
pub mod latency;
pub mod overlap;
pub mod payload;
pub mod retry_schedule;
pub mod robustness;
pub mod signed;
pub mod status;
pub mod transport;
