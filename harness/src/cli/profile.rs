//! `--profile` and `--secret`: the contract a command works to, and the Standard Webhooks
//! signing secret that profile needs. Shared by every command that grades, sends or serves.

use crate::cli::CliError;
use crate::profile::Profile;
use crate::standard_webhooks::Secret;

/// The environment variable `--secret` is read from when not given.
pub const SECRET_ENV: &str = "HOOKCHECK_SECRET";

/// `--profile NAME` and `--secret whsec_…`.
#[derive(Debug, Clone, clap::Args)]
pub struct ProfileArgs {
    /// The contract: `cr3dentials` (CONTRACT.md, the default) or `standard-webhooks`
    /// (STANDARD-WEBHOOKS.md: signed deliveries, deduped on webhook-id).
    #[arg(long, value_name = "NAME", default_value_t = Profile::Cr3dentials)]
    pub profile: Profile,

    /// The Standard Webhooks signing secret, `whsec_` and base64 (needed by
    /// `--profile standard-webhooks`). Never printed; repro lines read it from
    /// $HOOKCHECK_SECRET.
    #[arg(long, value_name = "whsec_…", env = SECRET_ENV, hide_env_values = true)]
    pub secret: Option<SecretArg>,
}

/// A `--secret` as given, read only once the profile is known; `Debug` never shows it.
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

impl ProfileArgs {
    /// The secret the profile needs, read and checked: required by `standard-webhooks`,
    /// refused by `cr3dentials`. Errors never quote it.
    pub fn secret(&self) -> Result<Option<Secret>, CliError> {
        match (self.profile, &self.secret) {
            (Profile::StandardWebhooks, Some(SecretArg(text))) => Secret::parse(text)
                .map(Some)
                .map_err(|e| CliError::Usage(format!("--secret: {e}"))),
            (Profile::StandardWebhooks, None) => Err(CliError::Usage(format!(
                "--profile standard-webhooks needs the signing secret: give --secret whsec_… or set ${SECRET_ENV}"
            ))),
            (Profile::Cr3dentials, Some(_)) if std::env::var_os(SECRET_ENV).is_none() => {
                Err(CliError::Usage(
                    "--secret is for --profile standard-webhooks; the cr3dentials profile authenticates with --auth".into(),
                ))
            }
            (Profile::Cr3dentials, _) => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        profile: ProfileArgs,
    }

    #[test]
    fn the_secret_never_shows_in_debug_and_is_read_only_under_its_profile() {
        let text = Secret::generate().expose_text();
        let args = [
            "hookcheck",
            "--profile",
            "standard-webhooks",
            "--secret",
            &text,
        ];
        let cli = Cli::try_parse_from(args).unwrap();
        assert!(!format!("{cli:?}").contains(&text[6..]));
        assert!(cli.profile.secret().unwrap().is_some());
        let bad = Cli::try_parse_from([
            "hookcheck",
            "--profile",
            "standard-webhooks",
            "--secret",
            "whsec_*!",
        ]);
        let error = bad.unwrap().profile.secret().unwrap_err().to_string();
        assert!(
            error.starts_with("--secret: ") && !error.contains("*!"),
            "{error}"
        );
    }
}
