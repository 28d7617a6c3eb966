//! The [`Sender`]: one HTTP client configured like the provider's, and the single-shot
//! [`Sender::exchange`] every delivery attempt and every conformance probe goes through.

use std::path::Path;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode, Url, Version};

use super::error::SenderError;
use super::failure::{FailureClass, TransportError, classify};
use super::target::check_target;
use crate::sender::{CaBundle, ClientTls, SenderConfig};

/// How much of a response body an [`Exchanged`] keeps.
pub const BODY_PREFIX_LIMIT: usize = 64 * 1024;
/// How much of a response body is read before the rest is abandoned, so that a huge or
/// endless response can neither exhaust memory nor hold an attempt until its timeout.
pub const BODY_READ_LIMIT: usize = 1024 * 1024;

/// Delivers webhook events as Cr3dentials does (SPEC §2). Cheap to share: the
/// connection pool is reused across deliveries.
///
/// ```no_run
/// # async fn example() -> Result<(), hookcheck::sender::SenderError> {
/// use hookcheck::sender::{Sender, SenderConfig, parse_target};
/// use hookcheck::spec::{PayloadBuilder, Status};
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
    client: reqwest::Client,
    config: SenderConfig,
}

/// One request, exactly as the caller wants it on the wire: no header is added except
/// those the HTTP client always sends (`host`, `content-length`, `accept`, `user-agent`).
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The method.
    pub method: Method,
    /// The target.
    pub url: Url,
    /// Every header to send; several values for one name are all sent.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
    /// The bound on the whole exchange; `None` uses the sender's configured timeout.
    pub timeout: Option<Duration>,
}

impl Exchange {
    /// A POST of `body` to `url` with no headers at all; add them to [`Exchange::headers`].
    pub fn post(url: Url, body: impl Into<Bytes>) -> Self {
        Exchange {
            method: Method::POST,
            url,
            headers: HeaderMap::new(),
            body: body.into(),
            timeout: None,
        }
    }
}

/// A response that arrived complete (or past [`BODY_READ_LIMIT`]) within the timeout.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: StatusCode,
    /// The HTTP version spoken.
    pub version: Version,
    /// The response headers.
    pub headers: HeaderMap,
    /// The first [`BODY_PREFIX_LIMIT`] bytes of the body.
    pub body: Bytes,
    /// Whether the body was longer than what [`Response::body`] holds.
    pub body_truncated: bool,
}

/// What one [`Exchange`] came to.
#[derive(Debug)]
#[must_use]
pub struct Exchanged {
    /// From the start of sending until the response was complete or the exchange failed.
    pub duration: Duration,
    /// The response, or why there is none.
    pub outcome: Result<Response, TransportError>,
}

impl Sender {
    /// A sender with this configuration. Fails on a configuration mistake (a bad CA file,
    /// a jitter outside 0..=1, a zero timeout) or when the HTTP client cannot start.
    ///
    /// Call [`crate::install_crypto_provider`] first.
    pub fn new(config: SenderConfig) -> Result<Sender, SenderError> {
        if config.timeout.is_zero() {
            return Err(SenderError::ZeroTimeout);
        }
        if !(0.0..=1.0).contains(&config.jitter) {
            return Err(SenderError::InvalidJitter(config.jitter));
        }
        let mut builder = reqwest::Client::builder()
            // Redirects are failed deliveries, never followed (SPEC [D-7]).
            .redirect(reqwest::redirect::Policy::none())
            // The provider connects straight to the partner's URL; a proxy in the
            // environment would change what is being tested.
            .no_proxy()
            .user_agent(concat!("hookcheck/", env!("CARGO_PKG_VERSION")));
        if config.fresh_connections {
            builder = builder.pool_max_idle_per_host(0);
        }
        builder = match &config.tls {
            ClientTls::System => builder,
            ClientTls::CaFile(path) => builder.tls_certs_only(load_ca_file(path)?),
            ClientTls::Insecure => builder.tls_danger_accept_invalid_certs(true),
        };
        let client = builder.build().map_err(SenderError::Client)?;
        Ok(Sender { client, config })
    }

    /// The HTTP client and its keep-alive pool, for callers that send many plain requests
    /// and classify failures themselves (the load engine).
    pub fn http_client(&self) -> &reqwest::Client {
        &self.client
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
        if let Some(auth) = &self.config.auth {
            headers.insert(auth.name().clone(), auth.expose_value().clone());
        }
        for (name, value) in &self.config.extra_headers {
            headers.insert(name.clone(), value.clone());
        }
        headers
    }

    /// Sends one request and reads its response within the timeout, with no retry.
    ///
    /// The timeout covers connecting, sending and reading the whole body (SPEC [D-6]); at
    /// most [`BODY_READ_LIMIT`] bytes of the body are read and [`BODY_PREFIX_LIMIT`] kept.
    pub async fn exchange(&self, exchange: Exchange) -> Exchanged {
        let started = Instant::now();
        if let Err(e) = check_target(&exchange.url) {
            return Exchanged {
                duration: started.elapsed(),
                outcome: Err(TransportError {
                    class: FailureClass::Protocol,
                    message: e.to_string(),
                }),
            };
        }
        let timeout = exchange.timeout.unwrap_or(self.config.timeout);
        let request = self
            .client
            .request(exchange.method, exchange.url)
            .headers(exchange.headers)
            .body(exchange.body);
        let complete = async {
            let response = request.send().await?;
            let status = response.status();
            let version = response.version();
            let headers = response.headers().clone();
            let (body, body_truncated) = read_capped(response).await?;
            Ok::<_, reqwest::Error>(Response {
                status,
                version,
                headers,
                body,
                body_truncated,
            })
        };
        let outcome = match tokio::time::timeout(timeout, complete).await {
            // A busy runtime can see the answer and the deadline in one poll: late is late.
            Ok(Ok(response)) if started.elapsed() <= timeout => Ok(response),
            Ok(Err(error)) => {
                let mut failure = classify(&error);
                failure.message = self.redact(&failure.message);
                Err(failure)
            }
            Ok(Ok(_)) | Err(_) => Err(TransportError {
                class: FailureClass::Timeout,
                message: format!(
                    "no complete response within {}",
                    crate::sender::format_duration(timeout)
                ),
            }),
        };
        Exchanged {
            duration: started.elapsed(),
            outcome,
        }
    }

    /// `text` with every occurrence of the configured auth value replaced, for messages
    /// built from what a peer sent back (a receiver may echo request headers).
    pub fn redact(&self, text: &str) -> String {
        match &self.config.auth {
            Some(auth) => {
                let secret = String::from_utf8_lossy(auth.expose_value().as_bytes());
                if secret.is_empty() {
                    text.to_owned()
                } else {
                    text.replace(secret.as_ref(), "<redacted>")
                }
            }
            None => text.to_owned(),
        }
    }
}

/// Reads a body, keeping a prefix and abandoning it past [`BODY_READ_LIMIT`].
async fn read_capped(mut response: reqwest::Response) -> Result<(Bytes, bool), reqwest::Error> {
    let mut kept = BytesMut::new();
    let mut read = 0usize;
    let mut truncated = false;
    while let Some(chunk) = response.chunk().await? {
        read = read.saturating_add(chunk.len());
        let room = BODY_PREFIX_LIMIT.saturating_sub(kept.len());
        if chunk.len() > room {
            truncated = true;
        }
        kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if read > BODY_READ_LIMIT {
            truncated = true;
            break;
        }
    }
    Ok((kept.freeze(), truncated))
}

/// The trusted certificates of [`ClientTls::CaFile`], as reqwest takes them.
fn load_ca_file(path: &Path) -> Result<Vec<reqwest::Certificate>, SenderError> {
    let bundle = CaBundle::read(path)?;
    bundle
        .certificates
        .iter()
        .enumerate()
        .map(|(index, der)| {
            reqwest::Certificate::from_der(der.as_ref()).map_err(|e| SenderError::CaFileInvalid {
                path: path.to_owned(),
                reason: format!("certificate {} is unusable ({e})", index + 1),
            })
        })
        .collect()
}
