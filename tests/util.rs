//! Helpers that keep each end-to-end test a few lines long.
#![allow(dead_code)]

use std::process::Command;

/// A command for the built `hookcheck` binary.
pub fn hookcheck() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hookcheck"))
}
