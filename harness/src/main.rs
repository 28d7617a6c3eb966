//! The `hookcheck` binary: parse the command line, run it, exit with its code.

use clap::Parser;

fn main() {
    let cli = hookcheck::cli::Cli::parse();
    std::process::exit(hookcheck::cli::run(cli));
}
