//! [`HttpClient`]: the hyper/reqwest client configured like the provider's, and the
//! single-shot [`HttpClient::exchange`] every delivery attempt and every conformance probe
//! goes through.

use std::path::Path;
use std::time::Instant;

use super::error::ClientError;
use super::exchange::{Exchange, Exchanged, Response, read_capped};
use super::failure::{FailureClass, TransportError, classify};
use super::settings::ClientSettings;
use super::target::check_target;
use super::tls::{CaBundle, CaFileError, ClientTls};

/// One HTTP client and its keep-alive pool, with the [`ClientSettings`] it was built
/// with. Cheap to share: the pool is reused across exchanges.
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    settings: ClientSettings,
}

impl HttpClient {
    /// A client with these settings. Redirects are never followed, no proxy is used, and
    /// with `fresh_connections` every request opens its own connection. Fails on a zero
    /// timeout, a bad CA file, or when the HTTP client cannot start.
    ///
    /// Call [`crate::install_crypto_provider`] first.
    pub fn new(settings: ClientSettings, fresh_connections: bool) -> Result<Self, ClientError> {
        if settings.timeout.is_zero() {
            return Err(ClientError::ZeroTimeout);
        }
        let mut builder = reqwest::Client::builder()
            // Redirects are failed deliveries, never followed (SPEC [D-7]).
            .redirect(reqwest::redirect::Policy::none())
            // The provider connects straight to the partner's URL; a proxy in the
            // environment would change what is being tested.
            .no_proxy()
            .user_agent(concat!("hookcheck/", env!("CARGO_PKG_VERSION")));
        if fresh_connections {
            builder = builder.pool_max_idle_per_host(0);
        }
        builder = match &settings.tls {
            ClientTls::System => builder,
            ClientTls::CaFile(path) => builder.tls_certs_only(load_ca_file(path)?),
            ClientTls::Insecure => builder.tls_danger_accept_invalid_certs(true),
        };
        let client = builder.build().map_err(ClientError::Build)?;
        Ok(HttpClient { client, settings })
    }

    /// The reqwest client and its keep-alive pool, for callers that send many plain
    /// requests and classify failures themselves with [`classify`] (the load engine).
    pub fn reqwest(&self) -> &reqwest::Client {
        &self.client
    }

    /// The settings this client was built with.
    pub fn settings(&self) -> &ClientSettings {
        &self.settings
    }

    /// Sends one request and reads its response within the timeout, with no retry.
    ///
    /// The timeout covers connecting, sending and reading the whole body (SPEC [D-6]); at
    /// most [`BODY_READ_LIMIT`](super::BODY_READ_LIMIT) bytes of the body are read and
    /// [`BODY_PREFIX_LIMIT`](super::BODY_PREFIX_LIMIT) kept. A failure's message never holds
    /// the auth value.
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
        let timeout = exchange.timeout.unwrap_or(self.settings.timeout);
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
                failure.message = self.settings.redact(&failure.message);
                Err(failure)
            }
            Ok(Ok(_)) | Err(_) => Err(TransportError {
                class: FailureClass::Timeout,
                message: format!(
                    "no complete response within {}",
                    crate::duration::format_duration(timeout)
                ),
            }),
        };
        Exchanged {
            duration: started.elapsed(),
            outcome,
        }
    }
}

/// The trusted certificates of [`ClientTls::CaFile`], as reqwest takes them.
fn load_ca_file(path: &Path) -> Result<Vec<reqwest::Certificate>, CaFileError> {
    let bundle = CaBundle::read(path)?;
    bundle
        .certificates
        .iter()
        .enumerate()
        .map(|(index, der)| {
            reqwest::Certificate::from_der(der.as_ref()).map_err(|e| CaFileError::Invalid {
                path: path.to_owned(),
                reason: format!("certificate {} is unusable ({e})", index + 1),
            })
        })
        .collect()
}
