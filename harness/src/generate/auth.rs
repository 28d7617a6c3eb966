//! Every way an auth header can differ from the configured one (SPEC §3 ¶6).

use crate::auth::AuthHeader;

crate::closed::closed_enum! {
    /// A bad credential: the configured header changed so that it no longer matches.
    #[derive(arbitrary::Arbitrary)]
    pub enum AuthMutation as "auth mutation" {
        /// No header at all.
        Missing => "missing-header",
        /// The header with an empty value.
        Empty => "empty-value",
        /// Another value altogether.
        Wrong => "wrong-value",
        /// The secret without its last character.
        Truncated => "truncated-value",
        /// The secret with one more character.
        Extended => "extended-value",
        /// The secret with the case of every letter flipped.
        OtherCase => "other-case",
        /// The secret with a space after its first character.
        InnerWhitespace => "inner-whitespace",
    }
}

crate::closed::closed_enum! {
    /// How the auth header's name is spelled when the case check sends the right value.
    #[derive(arbitrary::Arbitrary)]
    pub enum NameCase as "name case" {
        /// `x-api-key`.
        Lowercase => "lowercase",
        /// `X-API-KEY`.
        Uppercase => "uppercase",
    }
}

impl NameCase {
    /// The name in this case.
    pub fn spell(self, name: &str) -> String {
        match self {
            NameCase::Lowercase => name.to_ascii_lowercase(),
            NameCase::Uppercase => name.to_ascii_uppercase(),
        }
    }
}

/// The header a mutation sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MutatedHeader {
    /// No header.
    Missing,
    /// The header with this value, which a repro line writes as this POSIX `sh` expression
    /// of `$HOOKCHECK_AUTH`, so the secret never appears.
    Value {
        /// The bytes sent.
        value: Vec<u8>,
        /// The shell expression that derives them from the secret.
        expression: String,
    },
}

impl AuthMutation {
    /// The header this mutation sends for `secret`, or why it cannot be built from it (it
    /// would equal the secret).
    pub fn apply(self, secret: &[u8]) -> Result<MutatedHeader, &'static str> {
        let var = AuthHeader::REPRO_VARIABLE;
        let value = |value: Vec<u8>, expression: String| {
            if value == secret {
                Err("the changed value would equal the secret")
            } else {
                Ok(MutatedHeader::Value { value, expression })
            }
        };
        match self {
            AuthMutation::Missing => Ok(MutatedHeader::Missing),
            AuthMutation::Empty => value(Vec::new(), String::new()),
            AuthMutation::Wrong => value(
                b"hookcheck-wrong-value".to_vec(),
                "hookcheck-wrong-value".into(),
            ),
            AuthMutation::Truncated => value(
                secret[..secret.len().saturating_sub(1)].to_vec(),
                format!("${{{var}%?}}"),
            ),
            AuthMutation::Extended => {
                let mut extended = secret.to_vec();
                extended.push(b'x');
                value(extended, format!("${{{var}}}x"))
            }
            AuthMutation::OtherCase => {
                let flipped: Vec<u8> = secret.iter().map(|&b| flip_case(b)).collect();
                if flipped == secret {
                    return Err("the secret has no letters, so it has no other case");
                }
                value(
                    flipped,
                    format!("$(printf %s \"${var}\" | tr a-zA-Z A-Za-z)"),
                )
            }
            AuthMutation::InnerWhitespace => {
                if secret.len() < 2 {
                    return Err("the secret is one character long, so it has no inside");
                }
                let mut spaced = secret[..1].to_vec();
                spaced.push(b' ');
                spaced.extend_from_slice(&secret[1..]);
                value(
                    spaced,
                    format!("$(printf %s \"${var}\" | LC_ALL=C sed 's/^./& /')"),
                )
            }
        }
    }
}

fn flip_case(byte: u8) -> u8 {
    if byte.is_ascii_lowercase() {
        byte.to_ascii_uppercase()
    } else {
        byte.to_ascii_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mutation_differs_from_the_secret_and_hides_it() {
        for mutation in AuthMutation::ALL.iter().copied() {
            match mutation.apply(b"s3cret-Key").unwrap() {
                MutatedHeader::Missing => assert_eq!(mutation, AuthMutation::Missing),
                MutatedHeader::Value { value, expression } => {
                    assert_ne!(value, b"s3cret-Key", "{mutation}");
                    assert!(!expression.contains("s3cret"), "{mutation}: {expression}");
                }
            }
        }
    }

    #[test]
    fn mutations_that_would_equal_the_secret_are_refused() {
        assert!(AuthMutation::OtherCase.apply(b"12345").is_err());
        assert!(AuthMutation::InnerWhitespace.apply(b"k").is_err());
        assert!(AuthMutation::Truncated.apply(b"").is_err());
        assert_eq!(
            AuthMutation::Truncated.apply(b"abc").unwrap(),
            MutatedHeader::Value {
                value: b"ab".to_vec(),
                expression: "${HOOKCHECK_AUTH%?}".into()
            }
        );
    }

    #[test]
    fn every_expression_derives_the_value_sent_in_posix_sh() {
        let secret = "s3cret-Key_9";
        for mutation in AuthMutation::ALL.iter().copied() {
            let MutatedHeader::Value { value, expression } =
                mutation.apply(secret.as_bytes()).unwrap()
            else {
                continue;
            };
            let output = std::process::Command::new("dash")
                .arg("-c")
                .arg(format!("printf %s \"{expression}\""))
                .env("HOOKCHECK_AUTH", secret)
                .output()
                .expect("sh runs");
            assert_eq!(output.stdout, value, "{mutation}: {expression}");
        }
    }
}
