//! End-to-end tests of `hookcheck serve`.
