//! The outage proxy: a TCP proxy on 127.0.0.1 in front of the target that forwards bytes
//! untouched, except during an outage window, when it refuses, resets or answers 503 by
//! itself. A connection forwarded before a window is cut when the window opens, so a
//! keep-alive connection never slips a request through an outage.
//!
//! "Refuse" is implemented as accept-then-reset (SO_LINGER 0 before closing): a listener
//! cannot refuse some connections and take others, and to the sender both fail the same
//! way, with no response.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::spec::{OutageMode, OutageSpec};

/// The most of a request the proxy reads before it answers during a window.
const REQUEST_LIMIT: usize = 1 << 20;
/// How long the proxy waits for a request during a window before it closes.
const READ_WAIT: Duration = Duration::from_secs(5);

/// A running outage proxy; stops when dropped.
#[derive(Debug)]
pub struct OutageProxy {
    addr: SocketAddr,
    counts: Arc<ProxyCounts>,
    task: JoinHandle<()>,
}

/// What the proxy did.
#[derive(Debug, Default)]
pub struct ProxyCounts {
    /// Connections forwarded to the target.
    pub forwarded: AtomicU64,
    /// Connections the target did not accept.
    pub upstream_failures: AtomicU64,
    /// Connections met by an outage window (refused, reset, answered 503, or cut).
    pub blocked: AtomicU64,
}

impl OutageProxy {
    /// Starts a proxy on 127.0.0.1 (a free port) forwarding to `upstream` (`host:port`),
    /// with `windows` counted from `start` (already compressed to wall-clock time).
    pub async fn start(upstream: String, windows: OutageSpec, start: Instant) -> io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let counts = Arc::new(ProxyCounts::default());
        let shared = Arc::new((upstream, windows, start, Arc::clone(&counts)));
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    let (upstream, windows, start, counts) = &*shared;
                    serve(stream, upstream, windows, *start, counts).await;
                });
            }
        });
        Ok(OutageProxy { addr, counts, task })
    }

    /// Where the proxy listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// What it has done so far.
    pub fn counts(&self) -> &ProxyCounts {
        &self.counts
    }
}

impl Drop for OutageProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One client connection: blocked by the window it arrives in, or forwarded until the
/// next window opens.
async fn serve(
    mut client: TcpStream,
    upstream: &str,
    windows: &OutageSpec,
    start: Instant,
    counts: &ProxyCounts,
) {
    let now = start.elapsed();
    if let Some(window) = windows.window_at(now) {
        counts.blocked.fetch_add(1, Ordering::Relaxed);
        block(client, window.mode).await;
        return;
    }
    let Ok(mut target) = TcpStream::connect(upstream).await else {
        counts.upstream_failures.fetch_add(1, Ordering::Relaxed);
        let _ = client.set_zero_linger();
        return;
    };
    counts.forwarded.fetch_add(1, Ordering::Relaxed);
    let _ = target.set_nodelay(true);
    let _ = client.set_nodelay(true);
    let cut = async {
        match windows.next_after(now) {
            Some(window) => tokio::time::sleep_until(start + window.start).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut target) => {}
        () = cut => {
            counts.blocked.fetch_add(1, Ordering::Relaxed);
            let _ = client.set_zero_linger();
            let _ = target.set_zero_linger();
        }
    }
}

/// What a window does to a connection.
async fn block(mut client: TcpStream, mode: OutageMode) {
    match mode {
        OutageMode::Refuse => {
            let _ = client.set_zero_linger();
        }
        OutageMode::Reset => {
            let _ = tokio::time::timeout(READ_WAIT, read_request(&mut client)).await;
            let _ = client.set_zero_linger();
        }
        OutageMode::Unavailable => {
            if let Ok(Ok(())) = tokio::time::timeout(READ_WAIT, read_request(&mut client)).await {
                let answer = "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\n\
                              content-length: 25\r\nconnection: close\r\n\r\n\
                              outage (hookcheck proxy)\n";
                let _ = client.write_all(answer.as_bytes()).await;
                let _ = client.shutdown().await;
            }
        }
    }
}

/// Reads one request's head and its `content-length` body, so that the answer is not
/// written over unread bytes (which would turn the close into a reset).
async fn read_request(client: &mut TcpStream) -> io::Result<()> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let (head, length) = loop {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buffer.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(&buffer) {
            Ok(httparse::Status::Complete(head)) => {
                let length = request
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                    .and_then(|h| std::str::from_utf8(h.value).ok()?.trim().parse().ok())
                    .unwrap_or(0usize);
                break (head, length.min(REQUEST_LIMIT));
            }
            Ok(httparse::Status::Partial) if buffer.len() <= REQUEST_LIMIT => {}
            _ => return Err(io::ErrorKind::InvalidData.into()),
        }
    };
    let mut read = buffer.len() - head;
    while read < length {
        match client.read(&mut chunk).await? {
            0 => break,
            n => read += n,
        }
    }
    Ok(())
}
