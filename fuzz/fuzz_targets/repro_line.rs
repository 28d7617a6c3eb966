//! Repro-line quoting (`hookcheck::repro::curl`): the line, run by `dash` with `curl`
//! replaced by a function that prints its arguments and standard input, passes curl exactly
//! the method, URL, headers and body bytes the probe sent, with the auth value coming only
//! from `$HOOKCHECK_AUTH` (the secret never appears in the line).

#![no_main]

use std::io::Write;
use std::process::{Command, Stdio};

use arbitrary::Arbitrary;
use axum::http::{HeaderName, HeaderValue};
use hookcheck::auth::AuthHeader;
use hookcheck::generate::{AuthMutation, MutatedHeader};
use hookcheck::repro::{AuthRepro, MAX_INLINE_BODY, ReproRequest, curl};
use libfuzzer_sys::fuzz_target;

const SECRET_PREFIX: &str = "S3cr3t";

#[derive(Debug, Arbitrary)]
struct Input {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    secret: String,
    auth: Option<AuthMutation>,
}

/// Prints each argument followed by NUL on standard output and, if one is `@-`, copies
/// standard input to standard error.
const FAKE_CURL: &str = r#"curl() { stdin=; for a in "$@"; do printf '%s\000' "$a"; [ "$a" = @- ] && stdin=1; done; [ -n "$stdin" ] && cat >&2; return 0; }"#;

/// What curl would have been given: its arguments and its standard input.
fn run_line(line: &str, secret: &[u8]) -> (Vec<Vec<u8>>, Vec<u8>) {
    use std::os::unix::ffi::OsStrExt;
    let output = Command::new("dash")
        .arg("-c")
        .arg(format!("{FAKE_CURL}\n{line}"))
        .env("HOOKCHECK_AUTH", std::ffi::OsStr::from_bytes(secret))
        .stdin(Stdio::null())
        .output()
        .expect("dash runs");
    assert!(
        output.status.success(),
        "dash failed on {line:?}: {:?}",
        output
    );
    let mut args: Vec<Vec<u8>> = output
        .stdout
        .split(|&b| b == 0)
        .map(<[u8]>::to_vec)
        .collect();
    args.pop(); // after the last NUL
    (args, output.stderr)
}

fn valid_headers(input: &Input) -> Vec<(String, Vec<u8>)> {
    input
        .headers
        .iter()
        .take(6)
        .filter(|(name, value)| {
            HeaderName::from_bytes(name.as_bytes()).is_ok()
                && HeaderValue::from_bytes(value.as_bytes()).is_ok()
        })
        .map(|(name, value)| (name.clone(), value.clone().into_bytes()))
        .collect()
}

fuzz_target!(|input: Input| {
    let usable = |s: &str| !s.is_empty() && !s.contains(['\0', '\r', '\n']);
    let method: String = input
        .method
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .collect();
    if method.is_empty() || !usable(&input.url) || input.body.len() > MAX_INLINE_BODY {
        return;
    }
    let secret = format!("{SECRET_PREFIX}{}", input.secret.trim());
    let Ok(auth) = AuthHeader::new("X-Api-Key", &secret) else {
        return;
    };
    let secret = auth.expose_value().as_bytes().to_vec();
    let mut headers = valid_headers(&input);
    headers.retain(|(name, _)| !name.eq_ignore_ascii_case("x-api-key"));
    let (auth_repro, sent) = match input.auth.map(|m| m.apply(&secret)) {
        None => (Some(AuthRepro::Secret), Some(secret.clone())),
        Some(Ok(MutatedHeader::Value { value, expression })) => {
            (Some(AuthRepro::Expression(expression)), Some(value))
        }
        Some(_) => (None, None),
    };
    if let Some(value) = &sent {
        headers.push(("X-Api-Key".to_owned(), value.clone()));
    }
    let request = ReproRequest {
        method: &method,
        url: &input.url,
        headers: &headers,
        body: &input.body,
        auth: Some(&auth),
        auth_repro: auth_repro.as_ref(),
        body_file: None,
        secrets: &[],
    };
    let line = curl(&request);
    let shown = String::from_utf8_lossy(&secret);
    assert!(!line.contains(shown.as_ref()), "the secret is in {line:?}");
    let (args, stdin) = run_line(&line, &secret);
    check_args(&request, &args, &stdin);
});

fn check_args(request: &ReproRequest<'_>, args: &[Vec<u8>], stdin: &[u8]) {
    let mut expected: Vec<Vec<u8>> = vec![b"-sS".to_vec(), b"-i".to_vec()];
    if request.method != "POST" || request.body.is_empty() {
        expected.push(b"-X".to_vec());
        expected.push(request.method.as_bytes().to_vec());
    }
    expected.push(request.url.as_bytes().to_vec());
    for (name, value) in request.headers {
        expected.push(b"-H".to_vec());
        let mut header = name.as_bytes().to_vec();
        if value.is_empty() {
            header.push(b';');
        } else {
            header.extend_from_slice(b": ");
            header.extend_from_slice(value);
        }
        expected.push(header);
    }
    let mut body = Vec::new();
    if !request.body.is_empty() {
        expected.push(b"--data-binary".to_vec());
        let piped = args.last().is_some_and(|a| a == b"@-");
        if piped {
            expected.push(b"@-".to_vec());
            body = stdin.to_vec();
        } else {
            body = args.last().cloned().unwrap_or_default();
            expected.push(request.body.to_vec());
        }
    }
    assert_eq!(
        args,
        expected.as_slice(),
        "curl's arguments differ from the request"
    );
    if !request.body.is_empty() {
        assert_eq!(body, request.body, "the body curl sends differs");
    }
    let _ = std::io::stderr().flush();
}
