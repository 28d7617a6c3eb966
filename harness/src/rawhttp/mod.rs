//! A raw HTTP/1.1 probe client: the bytes on the wire are exactly the caller's.
//!
//! Two conformance probes cannot go through [`crate::transport::HttpClient`], because reqwest and
//! hyper normalise what they write: a header *name* in a chosen case (`X-API-KEY` versus
//! `x-api-key`, SPEC §3 ¶6), and a delivery the sender gives up on, written whole and then
//! closed without reading the answer (SPEC §3 ¶3). [`RawClient`] writes the request head
//! it is given, header names in the caller's case and order, duplicates included.
//!
//! - [`RawClient`]: plain or TLS connections with the sender's trust settings
//!   ([`ClientTls`](crate::transport::tls::ClientTls)); [`RawClient::send`] reads the whole
//!   response, [`RawClient::send_and_abandon`] writes and hangs up.
//! - [`RawRequest`]: method, URL, ordered headers, body.
//! - [`RawExchanged`] / [`RawResponse`]: what came back, classified like the sender's
//!   failures ([`TransportError`](crate::transport::TransportError)).
//! - [`parse_response`]: the same response reader over bytes in memory, for fuzzing.
//!
//! ```no_run
//! # async fn example() -> Result<(), hookcheck::transport::ClientError> {
//! use std::time::Duration;
//! use hookcheck::rawhttp::{RawClient, RawRequest};
//! use hookcheck::transport::parse_target;
//! use hookcheck::transport::tls::ClientTls;
//!
//! hookcheck::install_crypto_provider();
//! let client = RawClient::new(&ClientTls::System)?;
//! let request = RawRequest::post(parse_target("https://example.com/hook")?, "{}")
//!     .header("Content-Type", "application/json")
//!     .header("X-API-KEY", "s3cret");
//! let exchanged = client.send(&request, Duration::from_secs(30)).await;
//! match exchanged.outcome {
//!     Ok(response) => println!("HTTP {}", response.status),
//!     Err(failure) => println!("{failure}"),
//! }
//! # Ok(())
//! # }
//! ```

mod client;
mod request;
mod response;

pub use client::{Abandoned, RawClient};
pub use request::RawRequest;
pub use response::{RawExchanged, RawResponse, ResponseError, parse_response};
