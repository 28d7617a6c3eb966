//! The [`Sender`]: the provider's HTTP client ([`HttpClient`]) with its delivery
//! settings ([`SenderConfig`]).

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};

use super::config::SenderConfig;
use super::error::SenderError;
use crate::transport::{ClientError, Exchange, Exchanged, HttpClient};

/// Delivers webhook events as Cr3dentials does (SPEC §2). Cheap to share: the
/// connection pool is reused across deliveries.
///
/// ```no_run
/// # async fn example() -> Result<(), hookcheck::sender::SenderError> {
/// use hookcheck::sender::{Sender, SenderConfig};
/// use hookcheck::spec::{PayloadBuilder, Status};
/// use hookcheck::transport::parse_target;
///
/// hookcheck::install_crypto_provider();
/// let sender = Sender::new(SenderConfig::default())?;
/// let url = parse_target("https://example.com/webhooks/cr3dentials")?;
/// let body = PayloadBuilder::new(Status::Completed).build().to_json_bytes();
/// let delivery = sender.deliver(&url, body.into()).await;
/// println!("{delivery}");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Sender {
    client: HttpClient,
    config: SenderConfig,
}

impl Sender {
    /// A sender with this configuration. Fails on a configuration mistake (a bad CA file,
    /// a jitter outside 0..=1, a zero timeout) or when the HTTP client cannot start.
    ///
    /// Call [`crate::install_crypto_provider`] first.
    pub fn new(config: SenderConfig) -> Result<Sender, SenderError> {
        if config.client.timeout.is_zero() {
            return Err(ClientError::ZeroTimeout.into());
        }
        if !(0.0..=1.0).contains(&config.jitter) {
            return Err(SenderError::InvalidJitter(config.jitter));
        }
        let client = HttpClient::new(config.client.clone(), config.fresh_connections)?;
        Ok(Sender { client, config })
    }

    /// The HTTP client and its keep-alive pool, for callers that send many plain requests
    /// and classify failures themselves (the load engine).
    pub fn http_client(&self) -> &reqwest::Client {
        self.client.reqwest()
    }

    /// The configuration this sender was built with.
    pub fn config(&self) -> &SenderConfig {
        &self.config
    }

    /// The headers of a delivery: `content-type: application/json` (SPEC [D-5]), the auth
    /// header when one is configured, then the extra headers, each replacing a default of
    /// the same name. A probe starts from these and changes what it tests.
    pub fn delivery_headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        self.config.client.apply_headers(&mut headers);
        headers
    }

    /// Sends one request and reads its response within the timeout, with no retry: see
    /// [`HttpClient::exchange`].
    pub async fn exchange(&self, exchange: Exchange) -> Exchanged {
        self.client.exchange(exchange).await
    }

    /// `text` with every occurrence of the configured auth value replaced, for messages
    /// built from what a peer sent back (a receiver may echo request headers).
    pub fn redact(&self, text: &str) -> String {
        self.config.client.redact(text)
    }
}
