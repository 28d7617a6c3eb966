//! Every exit code hookcheck returns, in one place. The README lists the same table.

/// The command did what it was asked: a run found the target conformant, a delivery
/// succeeded, a server shut down cleanly.
pub const OK: i32 = 0;
/// The work ran and its verdict is negative: a MUST failed (or a SHOULD with `--strict`),
/// or every delivery attempt failed.
pub const FAILED: i32 = 1;
/// The command line or an input file is wrong: a bad URL, a malformed `--auth`, a missing
/// file, an unknown status.
pub const USAGE: i32 = 2;
/// The target could not be reached or graded at all, or a server could not start
/// (port in use, bad certificate).
pub const UNAVAILABLE: i32 = 3;
/// The run was stopped by Ctrl-C or SIGTERM; the summary and every requested report were
/// still written, marked as interrupted (128 + SIGINT, as shells report it).
pub const INTERRUPTED: i32 = 130;
