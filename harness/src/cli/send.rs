//! `hookcheck send`: the portal's Test action and its Logs page, on the command line.

/// Arguments of `hookcheck send`.
#[derive(Debug, clap::Args)]
pub struct SendArgs {}

/// Runs `hookcheck send`.
pub async fn run(_args: SendArgs) -> i32 {
    crate::exit_codes::USAGE
}
