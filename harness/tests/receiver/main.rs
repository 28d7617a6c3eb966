//! Tests of the conforming receiver: in-process through `oneshot` (`app`), and over real
//! sockets where concurrency, TLS or the listener itself is the point (`server`).

mod app;
mod server;
