//! Raw TCP servers on 127.0.0.1 port 0 that misbehave below the level of the contract.
//!
//! [`hostile`] starts one of the common kinds ([`Hostile`]); [`accept_each`] runs any other
//! misbehaviour on every connection; [`closed_port`] is a port nothing listens on.

use std::future::Future;
use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

use crate::wire::{read_head, skip_body};

/// One way a target can misbehave below the level of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hostile {
    /// Accepts connections, reads what comes, never answers.
    Silent,
    /// Reads each request, then resets the connection (SO_LINGER 0, then close) without
    /// answering: a handler that crashes on everything.
    Resets,
    /// Answers `not http at all` to anything.
    Garbage,
    /// Answers every request `307` with a `Location` pointing at the request itself.
    RedirectsForever,
}

/// A raw TCP server on 127.0.0.1:0 that misbehaves; it stops when dropped.
pub struct HostileServer {
    /// The address bound.
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl HostileServer {
    /// The URL to grade.
    pub fn url(&self) -> String {
        format!("http://{}/webhook", self.addr)
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts a hostile server of a common kind.
pub async fn hostile(kind: Hostile) -> HostileServer {
    accept_each(move |stream| misbehave(kind, stream)).await
}

/// Starts a server that runs `serve` on every connection, each on its own task; every task
/// ends when `serve` returns or when the server is dropped.
pub async fn accept_each<F, Fut>(serve: F) -> HostileServer
where
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local addr");
    let task = tokio::spawn(async move {
        // Dropping the set (when the server is aborted) aborts every connection's task.
        let mut connections = JoinSet::new();
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            while connections.try_join_next().is_some() {}
            connections.spawn(serve(stream));
        }
    });
    HostileServer { addr, task }
}

async fn misbehave(kind: Hostile, mut stream: TcpStream) {
    let mut buf = vec![0u8; 64 * 1024];
    match kind {
        Hostile::Silent => {
            // Read (so the peer's writes never block) until it gives up.
            while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
        }
        Hostile::Resets => {
            let _ = stream.read(&mut buf).await;
            let _ = stream.set_zero_linger();
            drop(stream);
        }
        Hostile::Garbage => {
            let _ = stream.read(&mut buf).await;
            let _ = stream.write_all(b"not http at all\r\n\r\n").await;
            let _ = stream.shutdown().await;
        }
        Hostile::RedirectsForever => redirect_forever(stream).await,
    }
}

/// Answers each HTTP/1.1 request on the connection `307` to its own path, after reading
/// its body, until the peer closes or sends something unreadable.
async fn redirect_forever(mut stream: TcpStream) {
    let mut buffered = Vec::new();
    loop {
        let Ok(head) = read_head(&mut stream, &mut buffered).await else {
            return;
        };
        if skip_body(&mut stream, &head, &mut buffered).await.is_err() {
            return;
        }
        let head = String::from_utf8_lossy(&head);
        let path = head
            .lines()
            .next()
            .and_then(|line| line.split(' ').nth(1))
            .unwrap_or("/");
        let answer = format!(
            "HTTP/1.1 307 Temporary Redirect\r\nlocation: {path}\r\ncontent-length: 0\r\n\r\n"
        );
        if stream.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// A 127.0.0.1 port nothing listens on (bound, then closed).
pub fn closed_port() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr")
}
