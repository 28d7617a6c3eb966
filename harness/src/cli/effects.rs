//! The effects probe options `run`, `fuzz` and `load` share (SPEC §4), and the probe they
//! describe.

use std::time::Duration;

use crate::cli::{AuthArg, CliError, duration_default, parse_duration};
use crate::effects::{EffectsProbe, QUERY_TIMEOUT};

/// `--effects-url`, `--effects-cmd`, `--effects-header`, `--effects-timeout`.
#[derive(Debug, Clone, clap::Args)]
pub struct EffectsArgs {
    /// A URL that answers how many times a session was processed, with `{sessionId}` in
    /// it; the answer is a bare integer or {"count": N}. Enables the effect checks (`run`),
    /// the effect invariants (`fuzz`) and the exactly-once check (`load`).
    #[arg(long, value_name = "TEMPLATE", conflicts_with = "effects_cmd")]
    pub effects_url: Option<String>,

    /// A shell command that prints how many times $HOOKCHECK_SESSION_ID was processed.
    /// On timeout it is ended with everything it started (its process group).
    #[arg(long, value_name = "COMMAND")]
    pub effects_cmd: Option<String>,

    /// A header every --effects-url query carries, as `Name: value`, for an effects
    /// endpoint behind auth. Its value is a secret: it never appears in output (`fuzz`
    /// scripts write it as $HOOKCHECK_EFFECTS_AUTH).
    #[arg(
        long,
        value_name = "'NAME: VALUE'",
        env = "HOOKCHECK_EFFECTS_HEADER",
        hide_env_values = true,
        requires = "effects_url"
    )]
    pub effects_header: Option<AuthArg>,

    /// How long one effects query (URL or command) may take.
    #[arg(long, value_name = "DURATION", default_value = duration_default!(QUERY_TIMEOUT), value_parser = parse_duration)]
    pub effects_timeout: Duration,
}

impl EffectsArgs {
    /// The probe these options describe, or none when neither a URL nor a command is given.
    pub fn probe(&self) -> Result<Option<EffectsProbe>, CliError> {
        let probe = match (&self.effects_url, &self.effects_cmd) {
            (Some(template), _) => EffectsProbe::url(template)
                .map_err(|e| CliError::Usage(format!("invalid --effects-url: {e}")))?,
            (None, Some(command)) => EffectsProbe::command(command.clone()),
            (None, None) => return Ok(None),
        };
        let probe = probe.timeout(self.effects_timeout);
        match &self.effects_header {
            Some(header) => {
                let header = header
                    .parse()
                    .map_err(|e| CliError::Usage(format!("invalid --effects-header: {e}")))?;
                Ok(Some(probe.header(header)))
            }
            None => Ok(Some(probe)),
        }
    }
}
