//! Tests of the sender against real servers on 127.0.0.1.

mod http;
mod log;
mod tls;

use std::time::Duration;

use hookcheck::sender::{Sender, SenderConfig};

/// A sender that compresses time: short timeout, 10 ms backoff, no jitter.
fn fast() -> SenderConfig {
    SenderConfig::default()
        .timeout(Duration::from_secs(2))
        .backoff_base(Duration::from_millis(10))
        .jitter(0.0)
}

fn sender(config: SenderConfig) -> Sender {
    hookcheck::install_crypto_provider();
    Sender::new(config).expect("the test configuration is valid")
}

fn body() -> bytes::Bytes {
    hookcheck::spec::PayloadBuilder::new(hookcheck::spec::Status::Completed)
        .seed(1)
        .session_id("11111111-2222-4333-8444-555555555555")
        .build()
        .to_json_bytes()
        .into()
}
