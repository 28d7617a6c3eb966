//! A PostgreSQL connection URL that never shows its password: `Display` and `Debug` print
//! `postgres://user:***@host/db`, and a `password=` query parameter as `password=***`.

/// A `postgres://` or `postgresql://` URL, kept whole for connecting and shown redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct PostgresUrl {
    url: String,
}

/// Why a text is not a PostgreSQL URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{shown}` is not a PostgreSQL URL: {reason}")]
pub struct PostgresUrlError {
    shown: String,
    reason: String,
}

impl PostgresUrl {
    /// Whether `text` names a PostgreSQL database (rather than a SQLite file).
    pub fn is_postgres(text: &str) -> bool {
        text.starts_with("postgres://") || text.starts_with("postgresql://")
    }

    /// Parses `text`; the error shows it redacted.
    pub fn parse(text: &str) -> Result<PostgresUrl, PostgresUrlError> {
        let error = |reason: String| PostgresUrlError {
            shown: redact(text),
            reason,
        };
        if !PostgresUrl::is_postgres(text) {
            return Err(error(
                "it must start with postgres:// or postgresql://".into(),
            ));
        }
        text.parse::<tokio_postgres::Config>()
            .map_err(|e| error(redacted_reason(&e.to_string(), text)))?;
        Ok(PostgresUrl {
            url: text.to_owned(),
        })
    }

    /// The whole URL, password included: for connecting only.
    pub fn expose(&self) -> &str {
        &self.url
    }
}

impl std::str::FromStr for PostgresUrl {
    type Err = PostgresUrlError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        PostgresUrl::parse(text)
    }
}

impl std::fmt::Display for PostgresUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redact(&self.url))
    }
}

impl std::fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PostgresUrl({self})")
    }
}

/// `text` with the password of its user info and of any `password=` parameter as `***`.
pub fn redact(text: &str) -> String {
    let (head, query) = match text.split_once('?') {
        Some((head, query)) => (head, Some(query)),
        None => (text, None),
    };
    let mut shown = match head.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", redact_authority(rest)),
        None => head.to_owned(),
    };
    if let Some(query) = query {
        let params: Vec<String> = query
            .split('&')
            .map(|param| match param.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                _ => param.to_owned(),
            })
            .collect();
        shown.push('?');
        shown.push_str(&params.join("&"));
    }
    shown
}

/// `user:secret@host/db` → `user:***@host/db`; the last `@` ends the user info.
fn redact_authority(rest: &str) -> String {
    let end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}{path}"),
            None => rest.to_owned(),
        },
        None => rest.to_owned(),
    }
}

/// A parse error's text, with anything of the password it might echo taken out.
fn redacted_reason(reason: &str, text: &str) -> String {
    let secrets = password_parts(text);
    let lowered = reason.to_lowercase();
    if secrets
        .iter()
        .any(|s| !s.is_empty() && reason.contains(s.as_str()))
    {
        return "it cannot be parsed".to_owned();
    }
    lowered
}

/// Every password the text carries (user info and `password=` parameters).
fn password_parts(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let (head, query) = text.split_once('?').unwrap_or((text, ""));
    if let Some((_, rest)) = head.split_once("://") {
        let authority = rest.split('/').next().unwrap_or_default();
        if let Some((userinfo, _)) = authority.rsplit_once('@')
            && let Some((_, password)) = userinfo.split_once(':')
        {
            found.push(password.to_owned());
        }
    }
    for param in query.split('&') {
        if let Some((key, value)) = param.split_once('=')
            && key.eq_ignore_ascii_case("password")
        {
            found.push(value.to_owned());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_never_shown() {
        let url = PostgresUrl::parse("postgres://app:s3cret@db.internal:5432/hooks").unwrap();
        assert_eq!(url.to_string(), "postgres://app:***@db.internal:5432/hooks");
        assert!(!format!("{url:?}").contains("s3cret"));
        assert_eq!(url.expose(), "postgres://app:s3cret@db.internal:5432/hooks");
        let param = PostgresUrl::parse("postgresql://app@h/db?password=s3cret&sslmode=require");
        assert_eq!(
            param.unwrap().to_string(),
            "postgresql://app@h/db?password=***&sslmode=require"
        );
        assert_eq!(redact("postgres://h/db"), "postgres://h/db");
        assert_eq!(redact("postgres://u:p@ss@h/db"), "postgres://u:***@h/db");
    }

    #[test]
    fn a_bad_url_is_refused_without_its_password() {
        let err = PostgresUrl::parse("postgres://u:s3cret@h:notaport/db").unwrap_err();
        assert!(!err.to_string().contains("s3cret"), "{err}");
        assert!(err.to_string().contains("not a PostgreSQL URL"), "{err}");
        assert!(PostgresUrl::parse("mysql://h/db").is_err());
    }
}
