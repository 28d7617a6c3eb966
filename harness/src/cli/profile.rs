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
    pub secret: Option<String>,
}

impl ProfileArgs {
    /// The secret the profile needs, read and checked: required by `standard-webhooks`,
    /// refused by `cr3dentials`. Errors never quote it.
    pub fn secret(&self) -> Result<Option<Secret>, CliError> {
        match (self.profile, &self.secret) {
            (Profile::StandardWebhooks, Some(text)) => Secret::parse(text)
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
