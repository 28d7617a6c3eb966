//! `--profile` and `--secret`: which contract a command speaks, and the Standard Webhooks
//! signing secret it needs (from `--secret` or `$HOOKCHECK_SECRET`; never printed, never
//! echoed in an error).

use crate::cli::CliError;
use crate::profile::Profile;
use crate::standard_webhooks::Secret;

/// The environment variable `--secret` falls back to.
pub const SECRET_ENV: &str = "HOOKCHECK_SECRET";

/// `--profile PROFILE` and `--secret WHSEC`.
#[derive(Debug, Clone, clap::Args)]
pub struct ProfileArgs {
    /// The contract: cr3dentials (CONTRACT.md) or standard-webhooks (STANDARD-WEBHOOKS.md:
    /// deliveries signed with a whsec_ secret, deduplicated on webhook-id).
    #[arg(long, value_name = "PROFILE", default_value_t = Profile::default(), value_parser = parse_profile)]
    pub profile: Profile,

    /// The Standard Webhooks signing secret, `whsec_<base64>`; only with --profile
    /// standard-webhooks, which needs it (or $HOOKCHECK_SECRET). Never printed.
    #[arg(long, value_name = "WHSEC")]
    pub secret: Option<SecretArg>,
}

/// A `--secret` as given, parsed only once the profile is known, so that neither clap nor
/// `Debug` ever shows it.
#[derive(Clone)]
pub struct SecretArg(String);

impl std::str::FromStr for SecretArg {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(SecretArg(text.to_owned()))
    }
}

impl std::fmt::Debug for SecretArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretArg(***)")
    }
}

fn parse_profile(text: &str) -> Result<Profile, String> {
    text.parse()
        .map_err(|e: crate::closed::UnknownName| e.to_string())
}

impl ProfileArgs {
    /// The signing secret under the standard-webhooks profile; `None` under cr3dentials.
    /// A missing or malformed secret, or `--secret` under cr3dentials, is a usage error.
    pub fn secret(&self) -> Result<Option<Secret>, CliError> {
        self.secret_from(std::env::var(SECRET_ENV).ok())
    }

    fn secret_from(&self, env: Option<String>) -> Result<Option<Secret>, CliError> {
        match self.profile {
            Profile::Cr3dentials if self.secret.is_some() => Err(CliError::Usage(
                "--secret applies to --profile standard-webhooks only".to_owned(),
            )),
            Profile::Cr3dentials => Ok(None),
            Profile::StandardWebhooks => {
                let text = self.secret.as_ref().map(|s| s.0.clone()).or(env);
                let text = text.ok_or_else(|| {
                    CliError::Usage(format!(
                        "--profile standard-webhooks needs the signing secret: give --secret whsec_… or set ${SECRET_ENV}"
                    ))
                })?;
                let secret = Secret::parse(&text)
                    .map_err(|e| CliError::Usage(format!("invalid --secret: {e}")))?;
                Ok(Some(secret))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(profile: Profile, secret: Option<&str>) -> ProfileArgs {
        ProfileArgs {
            profile,
            secret: secret.map(|s| SecretArg(s.to_owned())),
        }
    }

    #[test]
    fn the_secret_comes_from_the_flag_or_the_environment_and_only_for_standard_webhooks() {
        let text = Secret::generate().expose_text();
        let sw = Profile::StandardWebhooks;
        assert!(args(sw, Some(&text)).secret_from(None).unwrap().is_some());
        assert!(
            args(sw, None)
                .secret_from(Some(text.clone()))
                .unwrap()
                .is_some()
        );
        let missing = args(sw, None).secret_from(None).unwrap_err();
        assert_eq!(missing.exit_code(), crate::exit_codes::USAGE);
        assert!(
            missing.to_string().contains("HOOKCHECK_SECRET"),
            "{missing}"
        );
        let refused = args(Profile::Cr3dentials, Some(&text)).secret_from(None);
        assert!(
            refused
                .unwrap_err()
                .to_string()
                .contains("standard-webhooks")
        );
        assert!(
            args(Profile::Cr3dentials, None)
                .secret_from(Some(text))
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_malformed_secret_is_refused_without_quoting_it() {
        let err = args(Profile::StandardWebhooks, Some("whsec_not*base64!"))
            .secret_from(None)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("invalid --secret") && !err.contains("not*base64"),
            "{err}"
        );
        assert!(
            !format!("{:?}", args(Profile::StandardWebhooks, Some("whsec_abc"))).contains("abc")
        );
    }
}
