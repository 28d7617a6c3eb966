//! [`RawClient`]: one connection per request, plain or TLS, bytes written as given.

use std::fmt;
use std::io;
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::request::RawRequest;
use super::response::{RawExchanged, RawResponse, ReadFailure, read_response};
use crate::duration::format_duration;
use crate::transport::tls::{ClientTls, Trust, client_config};
use crate::transport::{
    ClientError, FailureClass, TransportError, check_target, is_lost_connection,
};

/// How long a response is still awaited after writing the request failed: a server may
/// answer early (a 413 to a huge body) and close its reading side, and that answer is
/// worth more than the write error.
const READ_AFTER_WRITE_ERROR: Duration = Duration::from_secs(1);

/// A raw HTTP/1.1 client: each request opens its own connection, writes the head exactly
/// as the [`RawRequest`] says, and closes. Cheap to clone (the TLS configuration is shared).
#[derive(Clone)]
pub struct RawClient {
    trust: Trust,
}

impl fmt::Debug for RawClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tls = match &self.trust {
            Ok(_) => "ready".to_owned(),
            Err(why) => format!("unavailable ({why})"),
        };
        f.debug_struct("RawClient").field("tls", &tls).finish()
    }
}

/// An open connection of either kind.
/// A request written and abandoned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Abandoned {
    /// How long connecting and writing took.
    pub took: Duration,
    /// Whether any of the answer had arrived when the sender hung up: the receiver had
    /// answered the request before its sender gave up on it.
    pub answered_before_hang_up: bool,
}

/// Waits `patience`; not at all when it is zero (a zero sleep still waits for the timer's
/// next tick, about a millisecond, long enough for a fast receiver to answer).
async fn wait(patience: Duration) {
    if !patience.is_zero() {
        tokio::time::sleep(patience).await;
    }
}

/// Whether bytes of an answer are ready to read now, without waiting for any.
fn answer_waiting(stream: &mut (impl AsyncRead + Unpin)) -> bool {
    use futures::FutureExt;
    use tokio::io::AsyncReadExt;
    let mut byte = [0u8; 1];
    matches!(stream.read(&mut byte).now_or_never(), Some(Ok(1)))
}

enum Connection {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl RawClient {
    /// A client trusting HTTPS certificates as the sender does with the same
    /// [`ClientTls`]. Fails only on an unreadable or invalid [`ClientTls::CaFile`]; a
    /// machine without a system trust store gets a client whose HTTPS exchanges fail with
    /// [`FailureClass::Tls`] saying so. Uses the ring provider whatever is installed.
    pub fn new(tls: &ClientTls) -> Result<RawClient, ClientError> {
        Ok(RawClient {
            trust: client_config(tls)?,
        })
    }

    /// Sends the request and reads the whole response: connecting, the TLS handshake,
    /// writing and reading are all bounded by `timeout` together (SPEC [D-6]). Connect
    /// errors (refused, unreachable) are [`FailureClass::Connect`], a connection closed or
    /// reset before the response was complete [`FailureClass::Closed`], handshake and
    /// certificate errors [`FailureClass::Tls`], the deadline [`FailureClass::Timeout`], and
    /// anything that is not an HTTP/1.1 response [`FailureClass::Protocol`].
    ///
    /// The response body may echo request headers, the auth value among them: redact it
    /// before showing it (`Sender::redact`).
    pub async fn send(&self, request: &RawRequest, timeout: Duration) -> RawExchanged {
        let started = Instant::now();
        let outcome = match tokio::time::timeout(timeout, self.exchange(request)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(TransportError {
                class: FailureClass::Timeout,
                message: format!("no complete response within {}", format_duration(timeout)),
            }),
        };
        RawExchanged {
            duration: started.elapsed(),
            outcome,
        }
    }

    /// Writes the whole request, flushes, waits `patience` without reading a byte, then
    /// drops the connection, as a sender whose timeout ran out does (SPEC §3 ¶3). Returns
    /// how long connecting and writing took; `timeout` bounds both.
    pub async fn send_and_abandon(
        &self,
        request: &RawRequest,
        timeout: Duration,
        patience: Duration,
    ) -> Result<Duration, TransportError> {
        self.send_and_abandon_seen(request, timeout, patience)
            .await
            .map(|abandoned| abandoned.took)
    }

    /// [`RawClient::send_and_abandon`], also telling whether any of the answer had arrived
    /// by the time the sender hung up (looked at without waiting, then dropped unread).
    pub async fn send_and_abandon_seen(
        &self,
        request: &RawRequest,
        timeout: Duration,
        patience: Duration,
    ) -> Result<Abandoned, TransportError> {
        let started = Instant::now();
        let write = async {
            let connection = self.open(request).await?;
            let (written, answered) = match connection {
                Connection::Plain(mut stream) => {
                    let written = write_request(&mut stream, request).await;
                    wait(patience).await;
                    (written, answer_waiting(&mut stream))
                }
                Connection::Tls(mut stream) => {
                    let written = write_request(&mut stream, request).await;
                    wait(patience).await;
                    (written, answer_waiting(&mut stream))
                }
            };
            // The connection is dropped here, its answer unread.
            written
                .map(|()| answered)
                .map_err(|e| io_failure(&e, "send the request", FailureClass::Closed))
        };
        match tokio::time::timeout(timeout + patience, write).await {
            Ok(Ok(answered)) => Ok(Abandoned {
                took: started.elapsed().saturating_sub(patience),
                answered_before_hang_up: answered,
            }),
            Ok(Err(failure)) => Err(failure),
            Err(_) => Err(TransportError {
                class: FailureClass::Timeout,
                message: format!("request not written within {}", format_duration(timeout)),
            }),
        }
    }

    async fn exchange(&self, request: &RawRequest) -> Result<RawResponse, TransportError> {
        match self.open(request).await? {
            Connection::Plain(stream) => exchange_on(stream, request).await,
            Connection::Tls(stream) => exchange_on(*stream, request).await,
        }
    }

    /// Connects to the URL's host and port, then shakes hands for `https`.
    async fn open(&self, request: &RawRequest) -> Result<Connection, TransportError> {
        let url = &request.url;
        check_target(url).map_err(|e| TransportError {
            class: FailureClass::Protocol,
            message: e.to_string(),
        })?;
        let https = url.scheme() == "https";
        let host = url.host_str().unwrap_or_default();
        // `Url` writes IPv6 hosts in brackets; sockets and SNI want the bare address.
        let bare = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let port = url
            .port_or_known_default()
            .unwrap_or(if https { 443 } else { 80 });
        let tcp = TcpStream::connect((bare, port)).await.map_err(|e| {
            io_failure(
                &e,
                &format!("connect to {host}:{port}"),
                FailureClass::Connect,
            )
        })?;
        // Small probe requests should leave at once, not wait for Nagle.
        let _ = tcp.set_nodelay(true);
        if !https {
            return Ok(Connection::Plain(tcp));
        }
        let config = self.trust.as_ref().map_err(|why| TransportError {
            class: FailureClass::Tls,
            message: why.clone(),
        })?;
        let name = ServerName::try_from(bare)
            .map_err(|e| TransportError {
                class: FailureClass::Tls,
                message: format!("`{bare}` cannot be a TLS server name: {e}"),
            })?
            .to_owned();
        let stream = TlsConnector::from(config.clone())
            .connect(name, tcp)
            .await
            .map_err(|e| io_failure(&e, "complete the TLS handshake", FailureClass::Tls))?;
        Ok(Connection::Tls(Box::new(stream)))
    }
}

/// Writes and flushes the head and the body.
async fn write_request<S: AsyncWrite + Unpin>(
    stream: &mut S,
    request: &RawRequest,
) -> io::Result<()> {
    stream.write_all(&request.encode_head()).await?;
    stream.write_all(&request.body).await?;
    stream.flush().await
}

async fn exchange_on<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    request: &RawRequest,
) -> Result<RawResponse, TransportError> {
    let head_request = request.method.eq_ignore_ascii_case("HEAD");
    match write_request(&mut stream, request).await {
        Ok(()) => read_response(&mut stream, head_request)
            .await
            .map_err(read_failure),
        Err(write_error) => {
            let early = tokio::time::timeout(
                READ_AFTER_WRITE_ERROR,
                read_response(&mut stream, head_request),
            )
            .await;
            match early {
                Ok(Ok(response)) => Ok(response),
                _ => Err(io_failure(
                    &write_error,
                    "send the request",
                    FailureClass::Closed,
                )),
            }
        }
    }
}

fn read_failure(failure: ReadFailure) -> TransportError {
    match failure {
        ReadFailure::Io(e) => io_failure(&e, "read the response", FailureClass::Protocol),
        ReadFailure::Malformed(message) => TransportError {
            class: FailureClass::Protocol,
            message,
        },
        ReadFailure::Closed(message) => TransportError {
            class: FailureClass::Closed,
            message,
        },
    }
}

/// Classifies an I/O error: a rustls error inside it is TLS whatever the phase; a lost
/// connection is Connect while connecting and Closed once connected; anything else takes
/// the class of the phase it happened in.
fn io_failure(error: &io::Error, doing: &str, phase: FailureClass) -> TransportError {
    if let Some(tls) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        return TransportError {
            class: FailureClass::Tls,
            message: format!("{doing}: {tls}"),
        };
    }
    let lost = is_lost_connection(error.kind()) || error.kind() == io::ErrorKind::UnexpectedEof;
    let class = match phase {
        FailureClass::Connect => FailureClass::Connect,
        _ if lost => FailureClass::Closed,
        other => other,
    };
    let message = if error.kind() == io::ErrorKind::UnexpectedEof {
        format!("{doing}: the peer closed the connection")
    } else {
        format!("{doing}: {error}")
    };
    TransportError { class, message }
}
