//! `hookcheck serve`: the reference receiver on a socket.

/// Arguments of `hookcheck serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {}

/// Runs `hookcheck serve` until it is told to stop.
pub async fn run(_args: ServeArgs) -> i32 {
    crate::exit_codes::USAGE
}
