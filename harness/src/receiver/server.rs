//! The receiver on a socket: plain HTTP or HTTPS, HTTP/1.1 and HTTP/2 on one listener,
//! graceful shutdown with a deadline.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use super::app::{AppState, EFFECTS_PATH, WEBHOOK_PATH, app};
use super::faults::Life;
use super::{ReceiverConfig, ReceiverError};

/// A TLS handshake that takes longer than this is dropped, so that a silent client
/// cannot hold a connection slot forever.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Likewise for the request headers of an HTTP/1 connection.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long, after the `dies-on-malformed-json` defect closed the listener, the request
/// that caused it has to answer.
const DYING_ANSWER: Duration = Duration::from_secs(2);

/// Starts the reference receiver.
///
/// ```no_run
/// # async fn demo() -> Result<(), hookcheck::receiver::ReceiverError> {
/// use hookcheck::receiver::{Receiver, ReceiverConfig};
///
/// let receiver = Receiver::start(ReceiverConfig::default()).await?;
/// println!("POST to {}", receiver.webhook_url());
/// receiver.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Receiver;

impl Receiver {
    /// Sets up TLS (if configured), opens the database, binds the listener, and serves in
    /// a background task until [`RunningReceiver::shutdown`] or until the handle is dropped.
    pub async fn start(config: ReceiverConfig) -> Result<RunningReceiver, ReceiverError> {
        let tls = match &config.tls {
            Some(source) => Some(crate::transport::tls::server_config(source)?),
            None => None,
        };
        let state = AppState::new(&config)?;
        state.prepare().await?;
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|e| ReceiverError::bind(config.listen, &e))?;
        let local_addr = listener
            .local_addr()
            .map_err(|e| ReceiverError::bind(config.listen, &e))?;
        let (stop, stop_rx) = watch::channel(false);
        let server = Server {
            listener,
            tls: tls.as_ref().map(|t| TlsAcceptor::from(t.config.clone())),
            state: state.clone(),
            shutdown_timeout: config.shutdown_timeout,
        };
        let task = tokio::spawn(server.run(stop_rx));
        Ok(RunningReceiver {
            local_addr,
            scheme: if tls.is_some() { "https" } else { "http" },
            cert_path: tls.map(|t| t.cert_path),
            state,
            stop,
            task,
        })
    }
}

/// A receiver serving in the background. Dropping it stops the server too (without
/// waiting); [`RunningReceiver::shutdown`] stops it and waits.
#[derive(Debug)]
#[must_use = "dropping the handle stops the receiver"]
pub struct RunningReceiver {
    local_addr: SocketAddr,
    scheme: &'static str,
    cert_path: Option<PathBuf>,
    state: AppState,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningReceiver {
    /// The address actually bound (the real port when the configuration said port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://HOST:PORT` or `https://HOST:PORT`; an unspecified listen address
    /// (`0.0.0.0`, `::`) is shown as loopback, where a local client can reach it.
    pub fn base_url(&self) -> String {
        let mut addr = self.local_addr;
        if addr.ip().is_unspecified() {
            addr.set_ip(match addr {
                SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        format!("{}://{addr}", self.scheme)
    }

    /// Where to POST deliveries, e.g. `http://127.0.0.1:40123/webhook`.
    pub fn webhook_url(&self) -> String {
        format!("{}{WEBHOOK_PATH}", self.base_url())
    }

    /// The effects URL template of SPEC §4, containing `{sessionId}`.
    pub fn effects_url_template(&self) -> String {
        format!("{}{EFFECTS_PATH}", self.base_url())
    }

    /// The certificate a client should trust, when serving HTTPS.
    pub fn cert_path(&self) -> Option<&Path> {
        self.cert_path.as_deref()
    }

    /// How many side effects a session has caused, read from the database directly.
    pub async fn effect_count(&self, session_id: &str) -> Result<u64, ReceiverError> {
        self.state.effect_count(session_id).await
    }

    /// Whether the server still accepts connections (false once it has shut down, or
    /// after the `dies-on-malformed-json` defect fired).
    pub fn is_serving(&self) -> bool {
        !self.task.is_finished()
    }

    /// Stops accepting, lets open requests finish up to the configured deadline, then
    /// closes what is left and returns.
    pub async fn shutdown(self) {
        self.stop.send_replace(true);
        // A panic in the server task has nothing left to clean up.
        let _ = self.task.await;
    }
}

struct Server {
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    state: AppState,
    shutdown_timeout: Duration,
}

impl Server {
    async fn run(self, mut stop: watch::Receiver<bool>) {
        let life = self.state.life();
        let mut dying = life.subscribe();
        let router = app(self.state.clone());
        let mut builder = auto::Builder::new(TokioExecutor::new());
        // A client that never finishes its headers is cut off instead of holding a task.
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT);
        builder.http2().timer(TokioTimer::new());
        let graceful = GracefulShutdown::new();
        let mut connections = JoinSet::new();
        let fatal = loop {
            tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let serve = serve_connection(
                            stream,
                            self.tls.clone(),
                            builder.clone(),
                            TowerToHyperService::new(router.clone()),
                            graceful.watcher(),
                        );
                        connections.spawn(serve);
                    }
                    // Out of file descriptors and the like: pause instead of spinning.
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                },
                // A send of true, or the handle dropped: stop.
                _ = stop.changed() => break false,
                () = dies(&mut dying) => break true,
            }
            while connections.try_join_next().is_some() {}
        };
        drop(self.listener);
        // Finish open requests, but not past the deadline; a death lets the request that
        // caused it answer, now that nothing new can connect.
        let deadline = if fatal {
            life.send_replace(Life::Dead);
            DYING_ANSWER
        } else {
            self.shutdown_timeout
        };
        let _ = tokio::time::timeout(deadline, graceful.shutdown()).await;
        connections.shutdown().await;
    }
}

/// Resolves when the `dies-on-malformed-json` defect fires; never otherwise.
async fn dies(life: &mut watch::Receiver<Life>) {
    let fired = life.wait_for(|life| *life != Life::Alive).await.is_ok();
    if !fired {
        std::future::pending::<()>().await;
    }
}

async fn serve_connection(
    stream: TcpStream,
    tls: Option<TlsAcceptor>,
    builder: auto::Builder<TokioExecutor>,
    service: TowerToHyperService<axum::Router>,
    watcher: hyper_util::server::graceful::Watcher,
) {
    let _ = stream.set_nodelay(true);
    // Connection errors (a client that resets, a failed handshake) end this connection
    // only; the server has nothing to report to anyone about them.
    match tls {
        None => {
            let conn = builder
                .serve_connection_with_upgrades(TokioIo::new(stream), service)
                .into_owned();
            let _ = watcher.watch(conn).await;
        }
        Some(acceptor) => {
            let Ok(Ok(stream)) =
                tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
            else {
                return;
            };
            let conn = builder
                .serve_connection_with_upgrades(TokioIo::new(stream), service)
                .into_owned();
            let _ = watcher.watch(conn).await;
        }
    }
}
