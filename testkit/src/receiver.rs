//! The reference receiver, started in the background for one test, and the payloads its
//! tests send.

use std::time::Duration;

use hookcheck::receiver::{Receiver, ReceiverConfig, RunningReceiver};
use hookcheck::spec::{Payload, PayloadBuilder, Status};

/// Starts the reference receiver with `config` (on 127.0.0.1 port 0 unless it says
/// otherwise) and a shutdown that waits at most 1 s for open connections, so that a test
/// that hung a connection up still ends quickly. Panics if it cannot start.
pub async fn start(config: ReceiverConfig) -> RunningReceiver {
    hookcheck::install_crypto_provider();
    Receiver::start(config.shutdown_timeout(Duration::from_secs(1)))
        .await
        .expect("the reference receiver starts")
}

/// A valid payload of `status` for `session`, the same on every run (seed 7).
pub fn payload(status: Status, session: &str) -> Payload {
    PayloadBuilder::new(status)
        .seed(7)
        .session_id(session)
        .build()
}
