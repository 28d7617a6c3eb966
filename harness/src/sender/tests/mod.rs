//! Tests of the sender against real servers on 127.0.0.1.

mod http;
mod tls;
