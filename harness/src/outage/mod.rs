//! Outage replay: a target that goes away for some windows while the reference sender's
//! retry schedule delivers a backlog through it.
//!
//! - [`OutageSpec`] ([`spec`]): the windows `--outage` names, `DURATION@START[:MODE]`,
//!   each refusing, resetting or answering 503 ([`OutageMode`]).
//! - [`simulate()`] ([`simulate`]): the pure model of one delivery's attempts against the
//!   windows, and [`RetrySchedule::longest_survived`], the longest outage the schedule
//!   survives. `hookcheck send --simulate` prints it.
//! - [`OutageProxy`] ([`proxy`]): the real TCP proxy `hookcheck load --outage` puts in
//!   front of the target.
//! - [`OutageReport`] ([`report`]): what the load report adds.
//!
//! ```
//! use std::time::Duration;
//! use hookcheck::outage::{OutageSpec, RetrySchedule, simulate};
//! use hookcheck::sender::SenderConfig;
//!
//! let spec: OutageSpec = "20s@0s:503".parse().unwrap();
//! let schedule = RetrySchedule::of(&SenderConfig::default());
//! let run = simulate(&spec, schedule, Duration::ZERO);
//! assert_eq!(run.delivered_on, Some(4)); // 0 s, 5 s and 15 s fall in it, 35 s does not
//! assert_eq!(schedule.longest_survived(), Duration::from_secs(28));
//! ```

pub mod proxy;
pub mod report;
pub mod simulate;
pub mod spec;

pub use proxy::OutageProxy;
pub use report::{OutageReport, TimelineAttempt};
pub use simulate::{JitterBound, RetrySchedule, SimulatedAttempt, Simulation, simulate};
pub use spec::{OutageMode, OutageSpec, SpecError, Window};

pub(crate) use crate::sender::millis;
