//! End-to-end tests of `hookcheck send`.
