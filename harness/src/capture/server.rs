//! The capture's listener: plain HTTP/1.1 on a TCP socket, one request per connection,
//! each attempt answered as the script says and recorded as an [`Arrival`].
//!
//! It is written on the socket rather than on a server framework because two of its answers
//! are not HTTP (a reset, a close without an answer) and because a slow answer must see the
//! moment the sender hangs up.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::answer::{Answer, AnswerKind, Script};

/// The path a redirect answer points to; a request for it is a followed redirect.
pub const REDIRECTED_PATH: &str = "/hookcheck-redirected";
/// The longest request head read.
const MAX_HEAD: usize = 64 * 1024;
/// The longest request body read.
const MAX_BODY: usize = 4 * 1024 * 1024;
/// How long a connection may take to send its request.
const READ_BOUND: Duration = Duration::from_secs(10);

/// One request the capture received.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// When the whole request had arrived, since the capture started.
    pub at: Duration,
    /// The method.
    pub method: String,
    /// The request target (path and query).
    pub path: String,
    /// The `Content-Type` header, when present.
    pub content_type: Option<String>,
    /// Whether the expected auth header was present (its value is never kept).
    pub has_auth: bool,
    /// The body.
    pub body: Bytes,
    /// The body's top-level string `sessionId`.
    pub session: Option<String>,
    /// The body's top-level string `status`.
    pub status: Option<String>,
    /// The attempt's number within its session (1 for the first); 0 for a followed redirect.
    pub number: u32,
    /// What the capture answered; none for a followed redirect (answered 200).
    pub answer: Option<Answer>,
    /// When the exchange ended: answer written, connection closed or reset, or the
    /// sender's hang-up during a slow answer.
    pub ended: Duration,
    /// For a slow answer, when the sender hung up, if it did before the late answer.
    pub hung_up: Option<Duration>,
}

impl Arrival {
    /// Whether this request went to a redirect's `Location`.
    pub fn followed_redirect(&self) -> bool {
        self.answer.is_none()
    }
}

/// What the listener shares with its connections.
pub(super) struct Shared {
    started: Instant,
    script: Script,
    hold: Duration,
    auth_name: Option<String>,
    base_url: String,
    attempts: Mutex<HashMap<Option<String>, u32>>,
    arrivals: Mutex<Vec<Arrival>>,
    active: AtomicUsize,
}

impl Shared {
    pub(super) fn new(script: Script, hold: Duration, auth: Option<String>, base: String) -> Self {
        Shared {
            started: Instant::now(),
            script,
            hold,
            auth_name: auth.map(|name| name.to_ascii_lowercase()),
            base_url: base,
            attempts: Mutex::new(HashMap::new()),
            arrivals: Mutex::new(Vec::new()),
            active: AtomicUsize::new(0),
        }
    }

    /// Whether a connection is still being served.
    pub(super) fn busy(&self) -> bool {
        self.active.load(Ordering::SeqCst) > 0
    }

    /// Every request so far, in the order their exchanges ended.
    pub(super) fn arrivals(&self) -> Vec<Arrival> {
        let mut arrivals = self.arrivals.lock().expect("never poisoned").clone();
        arrivals.sort_by_key(|a| a.at);
        arrivals
    }

    fn next_number(&self, session: &Option<String>) -> u32 {
        let mut attempts = self.attempts.lock().expect("never poisoned");
        let number = attempts.entry(session.clone()).or_insert(0);
        *number += 1;
        *number
    }
}

/// Accepts connections until the task is dropped, serving each on a task of its own.
pub(super) async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        shared.active.fetch_add(1, Ordering::SeqCst);
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            serve(stream, &shared).await;
            shared.active.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

struct Request {
    method: String,
    path: String,
    content_type: Option<String>,
    has_auth: bool,
    body: Bytes,
}

async fn serve(mut stream: TcpStream, shared: &Shared) {
    let read = tokio::time::timeout(READ_BOUND, read_request(&mut stream, shared)).await;
    let Ok(Some(request)) = read else { return };
    let at = shared.started.elapsed();
    let (session, status) = fields_of(&request.body);
    let followed = request.path.starts_with(REDIRECTED_PATH);
    let (number, answer) = if followed {
        (0, None)
    } else {
        let number = shared.next_number(&session);
        (number, Some(shared.script.answer(number)))
    };
    let hung_up = respond(&mut stream, shared, answer, number).await;
    let ended = shared.started.elapsed();
    shared
        .arrivals
        .lock()
        .expect("never poisoned")
        .push(Arrival {
            at,
            method: request.method,
            path: request.path,
            content_type: request.content_type,
            has_auth: request.has_auth,
            body: request.body,
            session,
            status,
            number,
            answer,
            ended,
            hung_up: hung_up.map(|()| ended),
        });
}

/// Answers one attempt; `Some(())` when the sender hung up during a slow answer.
async fn respond(
    stream: &mut TcpStream,
    shared: &Shared,
    answer: Option<Answer>,
    number: u32,
) -> Option<()> {
    let Some(answer) = answer else {
        write_status(stream, 200, None).await;
        return None;
    };
    match answer.kind {
        AnswerKind::Reset => {
            let _ = stream.set_zero_linger();
            None
        }
        AnswerKind::Close => {
            let _ = stream.shutdown().await;
            None
        }
        AnswerKind::Slow => {
            let mut buffer = [0u8; 1024];
            let hold = tokio::time::sleep(shared.hold);
            tokio::pin!(hold);
            loop {
                tokio::select! {
                    () = &mut hold => {
                        write_status(stream, answer.status.unwrap_or(200), None).await;
                        return None;
                    }
                    read = stream.read(&mut buffer) => match read {
                        Ok(0) | Err(_) => return Some(()),
                        Ok(_) => {}
                    },
                }
            }
        }
        AnswerKind::Redirect => {
            let location = format!("{}{REDIRECTED_PATH}/{number}", shared.base_url);
            write_status(stream, answer.status.unwrap_or(307), Some(&location)).await;
            None
        }
        AnswerKind::Success | AnswerKind::ClientError | AnswerKind::ServerError => {
            write_status(stream, answer.status.unwrap_or(200), None).await;
            None
        }
    }
}

async fn write_status(stream: &mut TcpStream, code: u16, location: Option<&str>) {
    let reason = reqwest::StatusCode::from_u16(code)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let body = format!("hookcheck capture: {code}\n");
    let location = location
        .map(|l| format!("Location: {l}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n{location}Connection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(format!("{head}{body}").as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// Reads one request: its head and a `Content-Length` body. `None` for anything else
/// (closed early, malformed, chunked, too large).
async fn read_request(stream: &mut TcpStream, shared: &Shared) -> Option<Request> {
    let mut buffer = Vec::with_capacity(4096);
    let mut chunk = [0u8; 8192];
    loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut parsed = httparse::Request::new(&mut headers);
        match parsed.parse(&buffer).ok()? {
            httparse::Status::Partial if buffer.len() < MAX_HEAD => continue,
            httparse::Status::Partial => return None,
            httparse::Status::Complete(head_len) => {
                let header = |name: &str| {
                    parsed
                        .headers
                        .iter()
                        .find(|h| h.name.eq_ignore_ascii_case(name))
                        .map(|h| String::from_utf8_lossy(h.value).trim().to_owned())
                };
                let length: usize = header("content-length")
                    .map_or(Some(0), |l| l.parse().ok())?
                    .min(MAX_BODY + 1);
                if length > MAX_BODY || header("transfer-encoding").is_some() {
                    return None;
                }
                let request = Request {
                    method: parsed.method?.to_owned(),
                    path: parsed.path?.to_owned(),
                    content_type: header("content-type"),
                    has_auth: shared.auth_name.as_deref().is_some_and(|name| {
                        parsed
                            .headers
                            .iter()
                            .any(|h| h.name.eq_ignore_ascii_case(name))
                    }),
                    body: Bytes::new(),
                };
                let mut body = buffer.split_off(head_len);
                while body.len() < length {
                    let n = stream.read(&mut chunk).await.ok()?;
                    if n == 0 {
                        return None;
                    }
                    body.extend_from_slice(&chunk[..n]);
                }
                body.truncate(length);
                return Some(Request {
                    body: body.into(),
                    ..request
                });
            }
        }
    }
}

/// The body's top-level string `sessionId` and `status`, when it is a JSON object.
fn fields_of(body: &[u8]) -> (Option<String>, Option<String>) {
    let Ok(serde_json::Value::Object(object)) = serde_json::from_slice(body) else {
        return (None, None);
    };
    let text = |key: &str| object.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    (text("sessionId"), text("status"))
}
