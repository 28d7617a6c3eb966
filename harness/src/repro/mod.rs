//! Repro lines: one `curl` command that sends the request behind a finding, in POSIX `sh`
//! (dash runs it as printed); and [`Script`]s, for findings only a sequence reproduces.
//!
//! The auth value never appears: the configured header is written as
//! `"Name: $HOOKCHECK_AUTH"`, and a probe that sent a value derived from the secret (cut,
//! extended, case-flipped) passes the `sh` expression that derives it. Any other header
//! with the auth header's name is shown as `<redacted>`. A secret extra header
//! ([`crate::secrets`]) is written as `"Name: $HOOKCHECK_HEADER_NAME"`.

mod fold;
mod script;
mod signed;

pub use fold::fold;
pub use script::{Script, Step};
pub use signed::{SECRET_VARIABLE, signed_script};

use axum::http::HeaderName;

use crate::auth::AuthHeader;
use crate::secrets::{REDACTED, variable_for};

/// Bodies longer than this are not written into the line.
pub const MAX_INLINE_BODY: usize = 4096;

/// How the auth header appears in a repro line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthRepro {
    /// The configured secret: `$HOOKCHECK_AUTH`.
    Secret,
    /// A POSIX `sh` expression for the value that was sent, e.g. `${HOOKCHECK_AUTH%?}`.
    Expression(String),
}

/// Everything a repro line needs to know about one request.
#[derive(Debug, Clone, Copy)]
pub struct ReproRequest<'a> {
    /// The method.
    pub method: &'a str,
    /// The URL.
    pub url: &'a str,
    /// The headers in the order they were sent.
    pub headers: &'a [(String, Vec<u8>)],
    /// The body.
    pub body: &'a [u8],
    /// The configured auth header, so that any header of its name is hidden.
    pub auth: Option<&'a AuthHeader>,
    /// How to write a header of the auth header's name.
    pub auth_repro: Option<&'a AuthRepro>,
    /// The secret extra headers, whose values are read from environment variables.
    pub secrets: &'a [HeaderName],
    /// A file that holds the body, for a body too long to write into the line.
    pub body_file: Option<&'a std::path::Path>,
}

/// The `curl` command line for a request.
pub fn curl(request: &ReproRequest<'_>) -> String {
    let mut line = String::from("curl -sS -i");
    if request.method != "POST" || request.body.is_empty() {
        line.push_str(" -X ");
        line.push_str(&single_quote(request.method));
    }
    line.push(' ');
    line.push_str(&single_quote(request.url));
    for (name, value) in request.headers {
        line.push_str(" -H ");
        line.push_str(&header_argument(request, name, value));
    }
    if request.body.is_empty() {
        return line;
    }
    line.push_str(" --data-binary ");
    match body_argument(request.body, request.body_file) {
        BodyArgument::Inline(argument) => {
            line.push_str(&argument);
            line
        }
        BodyArgument::Piped(printf) => {
            line.push_str("@-");
            format!("{printf} | {line}")
        }
    }
}

/// The `-H` argument of one header: a secret as the variable or expression that holds it.
fn header_argument(request: &ReproRequest<'_>, name: &str, value: &[u8]) -> String {
    let is_auth = request
        .auth
        .is_some_and(|auth| auth.name().as_str().eq_ignore_ascii_case(name));
    if value.is_empty() {
        // curl sends an empty header for `Name;`.
        return single_quote(&format!("{name};"));
    }
    if is_auth {
        return match request.auth_repro {
            Some(AuthRepro::Secret) => format!("\"{name}: ${}\"", AuthHeader::REPRO_VARIABLE),
            Some(AuthRepro::Expression(expression)) => format!("\"{name}: {expression}\""),
            None => single_quote(&format!("{name}: {REDACTED}")),
        };
    }
    if let Some(variable) = variable_for(request.secrets, name) {
        return format!("\"{name}: ${variable}\"");
    }
    single_quote(&format!("{name}: {}", String::from_utf8_lossy(value)))
}

/// How a body reaches curl: as its argument, or piped in from a `printf`.
enum BodyArgument {
    Inline(String),
    Piped(String),
}

/// The `--data-binary` argument for a body.
fn body_argument(body: &[u8], body_file: Option<&std::path::Path>) -> BodyArgument {
    if body.len() > MAX_INLINE_BODY {
        return BodyArgument::Inline(match body_file {
            Some(path) => format!("@{}", single_quote(&path.display().to_string())),
            None => format!(
                "@body.bin  # the {}-byte body is not shown: `hookcheck run --bodies DIR` (or with a report file) writes it",
                body.len()
            ),
        });
    }
    match std::str::from_utf8(body) {
        Ok(text)
            if !text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t') =>
        {
            BodyArgument::Inline(single_quote(text))
        }
        // Bytes a shell string cannot hold verbatim go through printf escapes.
        _ => BodyArgument::Piped(format!("printf {}", single_quote(&printf_escape(body)))),
    }
}

/// The body as a `printf` format. A leading `-` is written as `\055`, or `printf` would read
/// the format as an option (`printf: Illegal option --`).
fn printf_escape(body: &[u8]) -> String {
    let mut out = String::with_capacity(body.len());
    for (i, &byte) in body.iter().enumerate() {
        match byte {
            b'%' => out.push_str("%%"),
            b'\\' => out.push_str("\\\\"),
            b'-' if i == 0 => out.push_str("\\055"),
            0x20..=0x7e => out.push(byte as char),
            _ => out.push_str(&format!("\\{byte:03o}")),
        }
    }
    out
}

/// Quotes a string for a POSIX shell.
pub fn single_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_long_body_is_referred_to_by_its_file() {
        let body = vec![b'x'; MAX_INLINE_BODY + 1];
        let request = |file| ReproRequest {
            method: "POST",
            url: "http://127.0.0.1:1/",
            headers: &[],
            body: &body,
            auth: None,
            secrets: &[],
            auth_repro: None,
            body_file: file,
        };
        let path = std::path::Path::new("/tmp/bodies/body-1.bin");
        assert!(curl(&request(Some(path))).ends_with("--data-binary @'/tmp/bodies/body-1.bin'"));
        assert!(curl(&request(None)).contains("--bodies DIR"));
    }

    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn the_secret_becomes_a_variable_and_never_appears() {
        let auth: AuthHeader = "X-API-Key: hunter2".parse().unwrap();
        let sent = headers(&[
            ("content-type", "application/json"),
            ("x-api-key", "hunter2"),
        ]);
        let line = curl(&ReproRequest {
            method: "POST",
            url: "https://example.test/hook",
            headers: &sent,
            body: br#"{"a":"it's"}"#,
            auth: Some(&auth),
            secrets: &[],
            auth_repro: Some(&AuthRepro::Secret),
            body_file: None,
        });
        assert!(!line.contains("hunter2"), "{line}");
        assert!(line.contains("\"x-api-key: $HOOKCHECK_AUTH\""), "{line}");
        assert!(
            line.contains(r#"--data-binary '{"a":"it'\''s"}'"#),
            "{line}"
        );
    }

    #[test]
    fn a_secret_extra_header_is_read_from_its_variable() {
        let sent = headers(&[
            ("cf-access-client-secret", "canary-1"),
            ("authorization", "Bearer canary-2"),
            ("x-tenant", "acme"),
        ]);
        let secrets = [
            HeaderName::from_static("cf-access-client-secret"),
            HeaderName::from_static("authorization"),
        ];
        let line = curl(&ReproRequest {
            method: "POST",
            url: "http://127.0.0.1:1/",
            headers: &sent,
            body: b"{}",
            auth: None,
            secrets: &secrets,
            auth_repro: None,
            body_file: None,
        });
        assert!(!line.contains("canary"), "{line}");
        assert!(
            line.contains(
                r#"-H "cf-access-client-secret: $HOOKCHECK_HEADER_CF_ACCESS_CLIENT_SECRET""#
            ),
            "{line}"
        );
        assert!(
            line.contains(r#"-H "authorization: $HOOKCHECK_HEADER_AUTHORIZATION""#),
            "{line}"
        );
        assert!(line.contains("-H 'x-tenant: acme'"), "{line}");
    }

    #[test]
    fn a_derived_value_is_written_as_its_expression() {
        let auth: AuthHeader = "X-API-Key: hunter2".parse().unwrap();
        let sent = headers(&[("X-API-KEY", "hunter")]);
        let line = curl(&ReproRequest {
            method: "POST",
            url: "http://127.0.0.1:1/",
            headers: &sent,
            body: b"{}",
            auth: Some(&auth),
            secrets: &[],
            auth_repro: Some(&AuthRepro::Expression("${HOOKCHECK_AUTH%?}".into())),
            body_file: None,
        });
        assert!(!line.contains("hunter"), "{line}");
        assert!(
            line.contains("\"X-API-KEY: ${HOOKCHECK_AUTH%?}\""),
            "{line}"
        );
    }

    #[test]
    fn unprintable_bodies_go_through_printf() {
        let line = curl(&ReproRequest {
            method: "POST",
            url: "http://127.0.0.1:1/",
            headers: &[],
            body: b"{\"s\":\"\xff%\"}",
            auth: None,
            secrets: &[],
            auth_repro: None,
            body_file: None,
        });
        assert_eq!(
            line,
            r#"printf '{"s":"\377%%"}' | curl -sS -i 'http://127.0.0.1:1/' --data-binary @-"#
        );
    }

    /// Found by the `repro_line` fuzz target: `printf '--…'` is an illegal option in dash.
    #[test]
    fn a_piped_body_that_starts_with_a_dash_is_not_read_as_an_option() {
        let line = curl(&ReproRequest {
            method: "POST",
            url: "http://127.0.0.1:1/",
            headers: &[],
            body: b"--\x00-",
            auth: None,
            secrets: &[],
            auth_repro: None,
            body_file: None,
        });
        assert_eq!(
            line,
            r#"printf '\055-\000-' | curl -sS -i 'http://127.0.0.1:1/' --data-binary @-"#
        );
        let printed = std::process::Command::new("dash")
            .arg("-c")
            .arg(line.split(" | ").next().unwrap())
            .output()
            .unwrap();
        assert!(printed.status.success(), "{printed:?}");
        assert_eq!(printed.stdout, b"--\x00-");
    }

    #[test]
    fn empty_bodies_and_other_methods_are_explicit() {
        let line = curl(&ReproRequest {
            method: "GET",
            url: "http://127.0.0.1:1/",
            headers: &headers(&[("x-empty", "")]),
            body: b"",
            auth: None,
            secrets: &[],
            auth_repro: None,
            body_file: None,
        });
        assert_eq!(
            line,
            "curl -sS -i -X 'GET' 'http://127.0.0.1:1/' -H 'x-empty;'"
        );
    }
}
