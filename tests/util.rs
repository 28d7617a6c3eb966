//! Helpers that keep each end-to-end test a few lines long.
#![allow(dead_code)]

use std::process::Command;

/// A command for the built `hookcheck` binary.
pub fn hookcheck() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hookcheck"))
}

/// A running `hookcheck serve` child process, killed when dropped.
pub struct Served {
    /// The child process.
    pub child: std::process::Child,
    /// The announced delivery URL, e.g. `http://127.0.0.1:40123/webhook`.
    pub webhook_url: String,
    /// The announced effects URL template, containing `{sessionId}`.
    pub effects_template: String,
    /// Every line printed on stdout at start.
    pub announced: Vec<String>,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

/// Starts `hookcheck serve ARGS` and waits (up to 20 s) for it to announce its URLs.
/// Panics with its stderr if it exits or stays silent.
pub fn serve(args: &[&str]) -> Served {
    use std::io::BufRead;
    use std::process::Stdio;
    use std::sync::{Arc, Mutex, mpsc};
    use std::time::Duration;

    let mut child = hookcheck()
        .arg("serve")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hookcheck starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    let (lines_tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let log = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let mut log = sink.lock().unwrap_or_else(|p| p.into_inner());
            log.push_str(&line);
            log.push('\n');
        }
    });
    let mut announced = Vec::new();
    while !announced
        .iter()
        .any(|l: &String| l.starts_with("effects at "))
    {
        match lines.recv_timeout(Duration::from_secs(20)) {
            Ok(line) => announced.push(line),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                std::thread::sleep(Duration::from_millis(100));
                panic!(
                    "hookcheck serve {args:?} did not announce its URLs; stdout {announced:?}, stderr:\n{}",
                    log.lock().unwrap_or_else(|p| p.into_inner())
                );
            }
        }
    }
    // Lines written together with the first two (the certificate to trust).
    while let Ok(line) = lines.recv_timeout(Duration::from_millis(200)) {
        announced.push(line);
    }
    let find = |prefix: &str| {
        announced
            .iter()
            .find_map(|l| l.strip_prefix(prefix))
            .map(str::to_owned)
            .unwrap_or_default()
    };
    Served {
        webhook_url: find("listening on "),
        effects_template: find("effects at "),
        announced,
        child,
        stderr: log,
    }
}

impl Served {
    /// The effects URL of one session.
    pub fn effects_url(&self, session_id: &str) -> String {
        self.effects_template.replace("{sessionId}", session_id)
    }

    /// Everything printed on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Kills the process with SIGKILL (what `Child::kill` sends on Unix) and reaps it.
    pub fn sigkill(&mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("reap");
    }

    /// Sends SIGTERM and waits up to 10 s for the exit status.
    pub fn sigterm(&mut self) -> std::process::ExitStatus {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill(1) runs");
        assert!(status.success());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        panic!("hookcheck serve did not stop within 10 s of SIGTERM");
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

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
    pub addr: std::net::SocketAddr,
    task: tokio::task::JoinHandle<()>,
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

/// Starts a hostile server. Each connection is handled on its own task; every task ends
/// when the peer closes or when the server is dropped.
pub async fn hostile(kind: Hostile) -> HostileServer {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local addr");
    let task = tokio::spawn(async move {
        let mut connections = tokio::task::JoinSet::new();
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            while connections.try_join_next().is_some() {}
            connections.spawn(async move {
                match kind {
                    Hostile::Silent => {
                        // Read (so the peer's writes never block) until it gives up.
                        let mut sink = vec![0u8; 64 * 1024];
                        while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
                    }
                    Hostile::Resets => {
                        let mut buf = vec![0u8; 64 * 1024];
                        let _ = stream.read(&mut buf).await;
                        let _ = stream.set_zero_linger();
                        drop(stream);
                    }
                    Hostile::Garbage => {
                        let mut buf = vec![0u8; 64 * 1024];
                        let _ = stream.read(&mut buf).await;
                        let _ = stream.write_all(b"not http at all\r\n\r\n").await;
                        let _ = stream.shutdown().await;
                    }
                    Hostile::RedirectsForever => redirect_forever(stream).await,
                }
            });
        }
    });
    HostileServer { addr, task }
}

/// Answers each HTTP/1.1 request on the connection `307` to its own path, after reading
/// its body, until the peer closes or sends something unreadable.
async fn redirect_forever(mut stream: tokio::net::TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        // The head: up to the blank line.
        let head_end = loop {
            if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            if buf.len() > 64 * 1024 {
                return;
            }
            match stream.read(&mut chunk).await {
                Ok(n) if n > 0 => buf.extend_from_slice(&chunk[..n]),
                _ => return,
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let path = head
            .lines()
            .next()
            .and_then(|line| line.split(' ').nth(1))
            .unwrap_or("/")
            .to_owned();
        let length: usize = head
            .lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
            .and_then(|(_, value)| value.trim().parse().ok())
            .unwrap_or(0);
        // Discard the body, however large.
        let mut remaining = length;
        let buffered = (buf.len() - head_end).min(remaining);
        remaining -= buffered;
        buf.drain(..head_end + buffered);
        while remaining > 0 {
            match stream.read(&mut chunk).await {
                Ok(n) if n > 0 => {
                    let used = n.min(remaining);
                    remaining -= used;
                    buf.extend_from_slice(&chunk[used..n]);
                }
                _ => return,
            }
        }
        let answer = format!(
            "HTTP/1.1 307 Temporary Redirect\r\nlocation: {path}\r\ncontent-length: 0\r\n\r\n"
        );
        if stream.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// A 127.0.0.1 port nothing listens on (bound, then closed).
pub fn closed_port() -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr")
}

/// Whether `curl` is on the PATH: repro-line tests run the lines they check with it, and
/// say they were skipped where it is missing. Under `HOOKCHECK_REQUIRE_TOOLS` (`.ci/run`
/// installs curl and dash, then sets it) a missing curl fails the test instead.
pub fn curl_installed() -> bool {
    let found = std::process::Command::new("sh")
        .args(["-c", "command -v curl"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found || std::env::var_os("HOOKCHECK_REQUIRE_TOOLS").is_none(),
        "HOOKCHECK_REQUIRE_TOOLS is set but curl is not installed"
    );
    found
}
