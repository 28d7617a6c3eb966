//! The two HTTP clients against real servers on 127.0.0.1 port 0: the reference sender
//! (`sender`: retries, backoff, timeouts, redirects, body caps, TLS trust, the attempt log)
//! and the byte-exact probe client (`rawhttp`). Servers come from `hookcheck-testkit` or
//! are written in the test that needs them; every wait is bounded.

mod rawhttp;
mod sender;
