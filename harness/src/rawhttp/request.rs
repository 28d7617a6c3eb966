//! [`RawRequest`] and the exact bytes of its head.

use std::fmt;

use bytes::Bytes;
use reqwest::Url;

/// One request, written to the wire as given: the method and header names in the
/// caller's case, the headers in the caller's order, duplicates kept.
///
/// The client adds only what HTTP/1.1 framing needs and the caller left out, compared
/// case-insensitively: `Host` (first, with the port when it is not the scheme's
/// default), then after the caller's headers `Content-Length` (unless the caller gave
/// `Content-Length` or `Transfer-Encoding`) and `Connection: close`. Nothing is validated:
/// a name or value holding CR or LF goes out as it is, which is the point of a probe.
///
/// Its `Debug` form shows header names and value lengths, never values: one of them is
/// usually the auth secret.
#[derive(Clone)]
#[must_use]
pub struct RawRequest {
    /// The method, e.g. `POST`.
    pub method: String,
    /// The target: the request line carries its path and query, `Host` its host and port.
    pub url: Url,
    /// Every header, in order, names in the case they are written.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body.
    pub body: Bytes,
}

impl RawRequest {
    /// A request with this method and URL, no headers and an empty body.
    pub fn new(method: impl Into<String>, url: Url) -> Self {
        RawRequest {
            method: method.into(),
            url,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// A POST of `body` to `url` with no headers yet.
    pub fn post(url: Url, body: impl Into<Bytes>) -> Self {
        RawRequest::new("POST", url).body(body)
    }

    /// Appends one header, after any already there (a name may repeat).
    pub fn header(mut self, name: impl Into<String>, value: impl AsRef<[u8]>) -> Self {
        self.headers.push((name.into(), value.as_ref().to_vec()));
        self
    }

    /// Replaces the body.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// The request target of the request line: the URL's path and query.
    pub fn target(&self) -> String {
        match self.url.query() {
            Some(query) => format!("{}?{query}", self.url.path()),
            None => self.url.path().to_owned(),
        }
    }

    /// Whether the caller gave a header of this name (ASCII case-insensitive).
    fn has(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(given, _)| given.eq_ignore_ascii_case(name))
    }

    /// The head exactly as written: request line, headers, blank line.
    pub(crate) fn encode_head(&self) -> Vec<u8> {
        let mut head = Vec::with_capacity(256);
        head.extend_from_slice(self.method.as_bytes());
        head.push(b' ');
        head.extend_from_slice(self.target().as_bytes());
        head.extend_from_slice(b" HTTP/1.1\r\n");
        if !self.has("host") {
            let host = self.url.host_str().unwrap_or_default();
            let host = match self.url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            };
            push_header(&mut head, "Host", host.as_bytes());
        }
        for (name, value) in &self.headers {
            push_header(&mut head, name, value);
        }
        if !self.has("content-length") && !self.has("transfer-encoding") {
            push_header(
                &mut head,
                "Content-Length",
                self.body.len().to_string().as_bytes(),
            );
        }
        if !self.has("connection") {
            push_header(&mut head, "Connection", b"close");
        }
        head.extend_from_slice(b"\r\n");
        head
    }
}

fn push_header(head: &mut Vec<u8>, name: &str, value: &[u8]) {
    head.extend_from_slice(name.as_bytes());
    head.extend_from_slice(b": ");
    head.extend_from_slice(value);
    head.extend_from_slice(b"\r\n");
}

impl fmt::Debug for RawRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Redacted<'a>(&'a [(String, Vec<u8>)]);
        impl fmt::Debug for Redacted<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list()
                    .entries(
                        self.0
                            .iter()
                            .map(|(name, value)| format!("{name}: <{} bytes>", value.len())),
                    )
                    .finish()
            }
        }
        f.debug_struct("RawRequest")
            .field("method", &self.method)
            .field("url", &crate::transport::display_url(&self.url))
            .field("headers", &Redacted(&self.headers))
            .field("body_len", &self.body.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn the_head_keeps_names_case_order_and_duplicates_and_adds_framing() {
        let request = RawRequest::post(url("http://127.0.0.1:8080/hook?a=1&b"), "{}")
            .header("X-API-KEY", "one")
            .header("x-api-key", "two")
            .header("content-TYPE", "application/json");
        let head = String::from_utf8(request.encode_head()).unwrap();
        assert_eq!(
            head,
            "POST /hook?a=1&b HTTP/1.1\r\n\
             Host: 127.0.0.1:8080\r\n\
             X-API-KEY: one\r\n\
             x-api-key: two\r\n\
             content-TYPE: application/json\r\n\
             Content-Length: 2\r\n\
             Connection: close\r\n\r\n"
        );
    }

    #[test]
    fn framing_headers_the_caller_gave_are_not_added_again() {
        let request = RawRequest::post(url("https://example.com/"), "abc")
            .header("HOST", "other.example")
            .header("content-length", "3")
            .header("CONNECTION", "keep-alive");
        let head = String::from_utf8(request.encode_head()).unwrap();
        assert_eq!(
            head,
            "POST / HTTP/1.1\r\nHOST: other.example\r\ncontent-length: 3\r\n\
             CONNECTION: keep-alive\r\n\r\n"
        );
    }

    #[test]
    fn a_transfer_encoding_from_the_caller_suppresses_content_length() {
        let request =
            RawRequest::post(url("http://h/"), "0\r\n\r\n").header("Transfer-Encoding", "chunked");
        let head = String::from_utf8(request.encode_head()).unwrap();
        assert!(
            !head.to_ascii_lowercase().contains("content-length"),
            "{head}"
        );
    }

    #[test]
    fn the_host_header_omits_a_default_port_and_brackets_ipv6() {
        let plain = RawRequest::new("GET", url("http://example.com:80/x"));
        let head = String::from_utf8(plain.encode_head()).unwrap();
        assert!(head.contains("\r\nHost: example.com\r\n"), "{head}");
        let v6 = RawRequest::new("GET", url("https://[::1]:8443/"));
        let head = String::from_utf8(v6.encode_head()).unwrap();
        assert!(head.contains("\r\nHost: [::1]:8443\r\n"), "{head}");
    }

    #[test]
    fn debug_output_never_shows_a_header_value() {
        let request =
            RawRequest::post(url("http://user:pw@h/"), "{}").header("X-API-Key", "hunter2-secret");
        let shown = format!("{request:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains(":pw@"), "{shown}");
        assert!(shown.contains("X-API-Key: <14 bytes>"), "{shown}");
    }
}
