//! Failure classes: why an exchange produced no response or did not deliver (SPEC §2,
//! [D-7]), for every client.

use std::error::Error;
use std::io;

use serde::{Deserialize, Serialize};

crate::closed::closed_enum! {
    /// Why an attempt failed. Its name is lowercase, as in JSON (`"timeout"`).
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum FailureClass as "failure class" {
        /// A complete response arrived with a status that is neither 2xx nor 3xx.
        Status => "status",
        /// A 3xx response; redirects are never followed (SPEC [D-7]).
        Redirect => "redirect",
        /// No complete response within the timeout (SPEC [D-6]).
        Timeout => "timeout",
        /// The connection could not be made: refused, unreachable, DNS failure.
        Connect => "connect",
        /// The connection was made, then closed or reset before a complete response arrived
        /// (a crashed handler looks like this).
        Closed => "closed",
        /// TLS failed: an untrusted or invalid certificate, a failed handshake.
        Tls => "tls",
        /// Any other HTTP-level failure: a malformed response, a closed stream.
        Protocol => "protocol",
    }
}

/// An exchange that produced no response: its class and a short message naming the cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{class}: {message}")]
pub struct TransportError {
    /// The kind of failure.
    pub class: FailureClass,
    /// The root cause, e.g. `Connection refused (os error 111)`.
    pub message: String,
}

/// Classifies a reqwest error by walking its source chain: a rustls error anywhere means
/// TLS, whatever layer reported it. [`HttpClient::exchange`](super::HttpClient::exchange)
/// uses it, and so does every caller that sends on the bare reqwest client.
pub fn classify(error: &reqwest::Error) -> TransportError {
    let chain = causes(error);
    let root = chain.last().map(|e| e.to_string()).unwrap_or_default();
    if let Some(tls) = chain.iter().find_map(|e| e.downcast_ref::<rustls::Error>()) {
        return TransportError {
            class: FailureClass::Tls,
            message: tls.to_string(),
        };
    }
    let class = if error.is_timeout() {
        FailureClass::Timeout
    } else if error.is_redirect() {
        FailureClass::Redirect
    } else if error.is_connect() {
        FailureClass::Connect
    } else if chain.iter().any(|e| is_lost_connection_error(*e)) {
        FailureClass::Closed
    } else {
        FailureClass::Protocol
    };
    let unsent = chain
        .iter()
        .filter_map(|e| e.downcast_ref::<hyper::Error>())
        .any(|e| e.is_canceled());
    let message = if class == FailureClass::Closed && unsent {
        format!("the peer closed or reset the connection before the request went out ({root})")
    } else {
        root
    };
    TransportError { class, message }
}

/// Every error in the chain, outermost first. `io::Error` hides the error it wraps from
/// `source()` (it returns the wrapped error's source), so it is opened explicitly.
fn causes<'a>(error: &'a (dyn Error + 'static)) -> Vec<&'a (dyn Error + 'static)> {
    let mut chain = Vec::new();
    let mut next = Some(error);
    while let Some(current) = next {
        // A cycle would be a bug elsewhere; never loop on it.
        if chain.len() >= 32 {
            break;
        }
        chain.push(current);
        next = match current
            .downcast_ref::<io::Error>()
            .and_then(io::Error::get_ref)
        {
            Some(inner) => Some(inner as &(dyn Error + 'static)),
            None => current.source(),
        };
    }
    chain
}

fn is_lost_connection_error(error: &(dyn Error + 'static)) -> bool {
    if let Some(hyper) = error.downcast_ref::<hyper::Error>() {
        // The connection closed before the request went out ("connection was not ready",
        // a cancelled send) or before any complete response came back.
        return hyper.is_canceled() || hyper.is_closed() || hyper.is_incomplete_message();
    }
    error
        .downcast_ref::<io::Error>()
        .is_some_and(|e| is_lost_connection(e.kind()))
}

/// Whether an I/O error kind means the connection could not be made or was lost: the
/// [`FailureClass::Connect`] kinds, for every client that classifies I/O errors.
pub fn is_lost_connection(kind: io::ErrorKind) -> bool {
    matches!(
        kind,
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::NotConnected
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] io::Error);

    #[test]
    fn the_chain_opens_io_errors_to_find_what_they_wrap() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let wrapped = Outer(io::Error::new(io::ErrorKind::InvalidData, tls));
        let chain = causes(&wrapped);
        assert!(
            chain
                .iter()
                .any(|e| e.downcast_ref::<rustls::Error>().is_some()),
            "{chain:?}"
        );
    }

    #[test]
    fn failure_classes_serialize_in_lowercase() {
        let json = serde_json::to_string(&FailureClass::Tls).unwrap();
        assert_eq!(json, "\"tls\"");
        assert_eq!(FailureClass::Redirect.to_string(), "redirect");
    }
}
