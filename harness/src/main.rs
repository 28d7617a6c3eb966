//! The `hookcheck` binary: parse the command line, run it, exit with its code.

fn main() {
    let code = match hookcheck::cli::config::parse() {
        Ok(cli) => hookcheck::cli::run(cli),
        Err(code) => code,
    };
    std::process::exit(code);
}
