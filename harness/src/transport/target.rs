//! Target URLs: which ones a webhook can be delivered to, and how they print.

use reqwest::Url;

use super::error::ClientError;

/// Parses and checks a webhook target: an absolute `http` or `https` URL with a host.
///
/// ```
/// use hookcheck::transport::parse_target;
///
/// assert!(parse_target("https://example.com/hooks/cr3dentials").is_ok());
/// assert!(parse_target("ftp://example.com/").is_err());
/// assert!(parse_target("example.com/hook").is_err());
/// ```
pub fn parse_target(text: &str) -> Result<Url, ClientError> {
    let text = text.trim();
    let checked = Url::parse(text)
        .map_err(|e| ClientError::InvalidUrl {
            url: text.to_owned(),
            reason: e.to_string(),
        })
        .and_then(|url| check_target(&url).map(|()| url));
    checked.map_err(|error| match (error, suggestion(text)) {
        (ClientError::InvalidUrl { url, reason }, Some(better)) => ClientError::InvalidUrl {
            url,
            reason: format!("{reason}; did you mean `{better}`?"),
        },
        (error, _) => error,
    })
}

/// A target written without its scheme (`localhost:3000/hook`, `example.com/hook`), with the
/// scheme a user most likely meant: `http` for a loopback host, `https` for any other.
fn suggestion(text: &str) -> Option<String> {
    if text.contains("://") || text.is_empty() {
        return None;
    }
    let host = text.split(['/', ':']).next().unwrap_or_default();
    let loopback = matches!(host, "localhost" | "127.0.0.1") || text.starts_with("[::1]");
    let scheme = if loopback { "http" } else { "https" };
    let better = format!("{scheme}://{text}");
    let url = Url::parse(&better).ok()?;
    check_target(&url).ok().map(|()| better)
}

/// Checks an already parsed URL the way [`parse_target`] does.
pub fn check_target(url: &Url) -> Result<(), ClientError> {
    let invalid = |reason: &str| ClientError::InvalidUrl {
        url: display_url(url),
        reason: reason.to_owned(),
    };
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(invalid(&format!(
                "the scheme is `{other}`, expected http or https"
            )));
        }
    }
    match url.host_str() {
        Some(host) if !host.is_empty() => Ok(()),
        _ => Err(invalid("it has no host")),
    }
}

/// The URL as it may appear in logs and reports: a password in it is replaced by
/// `redacted`.
pub fn display_url(url: &Url) -> String {
    if url.password().is_some() {
        let mut shown = url.clone();
        // Only fails for URLs that cannot have a password, which this one has.
        let _ = shown.set_password(Some("redacted"));
        shown.to_string()
    } else {
        url.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_urls_with_a_host_are_targets() {
        assert!(parse_target("http://127.0.0.1:8080/hook").is_ok());
        assert!(parse_target(" https://example.com ").is_ok());
        for bad in [
            "",
            "not a url",
            "/relative",
            "mailto:a@example.com",
            "file:///etc/passwd",
            "ftp://h/",
        ] {
            let err = parse_target(bad).unwrap_err();
            assert!(
                matches!(err, ClientError::InvalidUrl { .. }),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn a_target_without_its_scheme_suggests_one() {
        let err = parse_target("localhost:3000/hook").unwrap_err().to_string();
        assert!(
            err.ends_with("did you mean `http://localhost:3000/hook`?"),
            "{err}"
        );
        let err = parse_target("example.com/hook").unwrap_err().to_string();
        assert!(
            err.ends_with("did you mean `https://example.com/hook`?"),
            "{err}"
        );
        let err = parse_target("ftp://h/").unwrap_err().to_string();
        assert!(!err.contains("did you mean"), "{err}");
        let err = parse_target("not a url").unwrap_err().to_string();
        assert!(!err.contains("did you mean"), "{err}");
    }

    #[test]
    fn a_password_in_the_url_never_prints() {
        let url = Url::parse("https://user:hunter2@example.com/hook").unwrap();
        let shown = display_url(&url);
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("user:redacted@example.com"), "{shown}");
    }
}
