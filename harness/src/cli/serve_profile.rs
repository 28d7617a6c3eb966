//! What `hookcheck serve` does with `--profile`: the `--defect` names of both profiles,
//! the receiver in Standard Webhooks mode, and the start-up lines saying which mode it is in.

use clap::builder::{PossibleValue, PossibleValuesParser};

use crate::cli::CliError;
use crate::profile::Profile;
use crate::receiver::{Choices, Defect, ReceiverConfig, SignedDefect, Signing};

/// Every `--defect` name of both profiles, with what it breaks; which list applies is
/// decided with the profile, in `ServeArgs::to_config`.
pub fn defect_names() -> PossibleValuesParser {
    let cr3dentials = Defect::ALL
        .into_iter()
        .map(|d| PossibleValue::new(d.as_str()).help(d.description()));
    let signed = SignedDefect::ALL
        .into_iter()
        .filter(|d| d.as_str().parse::<Defect>().is_err())
        .map(|d| {
            PossibleValue::new(d.as_str()).help(format!("(standard-webhooks) {}", d.description()))
        });
    PossibleValuesParser::new(cr3dentials.chain(signed))
}

/// The `--defect` name in the list of the profile being served.
pub fn defect_of<T: std::str::FromStr<Err = crate::closed::UnknownName>>(
    profile: Profile,
    defect: Option<&str>,
) -> Result<Option<T>, CliError> {
    defect
        .map(str::parse)
        .transpose()
        .map_err(|e| CliError::Usage(format!("invalid --defect for --profile {profile}: {e}")))
}

/// The receiver in Standard Webhooks mode; flags that mean nothing there are refused.
pub fn standard_webhooks(
    config: ReceiverConfig,
    signing: Signing,
    auth: bool,
    choices: Choices,
    defect: Option<&str>,
) -> Result<ReceiverConfig, CliError> {
    let only_cr3dentials = |flags: &str| {
        Err(CliError::Usage(format!(
            "{flags} applies to --profile cr3dentials only; standard-webhooks deliveries are verified by their signature"
        )))
    };
    if auth {
        return only_cr3dentials("--auth");
    }
    if choices != Choices::default() {
        return only_cr3dentials(
            "each of --ack-status, --accept-off-contract, --ignore-unknown-status, --delay and --async-processing",
        );
    }
    let signing = match defect_of(Profile::StandardWebhooks, defect)? {
        Some(defect) => signing.defect(defect),
        None => signing,
    };
    Ok(config.signing(signing))
}

/// What the profile and any defect make of the receiver, for the start-up lines (never
/// the secret).
pub fn mode_lines(config: &ReceiverConfig) -> Vec<String> {
    let defect = |name: &str, description: &str| format!("defect {name}: {description}");
    match (&config.signing, config.defect) {
        (Some(signing), _) => {
            let tolerance = crate::duration::format_duration(signing.tolerance());
            let verifying =
                format!("verifying Standard Webhooks signatures, tolerance {tolerance}");
            let defect = signing.defect.map(|d| defect(d.as_str(), d.description()));
            std::iter::once(verifying).chain(defect).collect()
        }
        (None, Some(d)) => vec![defect(d.as_str(), d.description())],
        (None, None) => Vec::new(),
    }
}
