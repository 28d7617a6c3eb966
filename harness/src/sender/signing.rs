//! Signing each attempt of a Standard Webhooks delivery (STANDARD-WEBHOOKS.md [SW-2],
//! [SW-3]): the message's id on every attempt, a fresh timestamp and so a fresh signature.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::client::Sender;
use crate::standard_webhooks::{signed_headers, unix_now};

impl Sender {
    /// `headers` plus the three signed headers of an attempt made now, when the delivery
    /// is signed (`webhook_id` is given and a secret configured).
    pub(super) fn signed(
        &self,
        headers: &HeaderMap,
        webhook_id: Option<&str>,
        body: &[u8],
    ) -> HeaderMap {
        let mut headers = headers.clone();
        let (Some(id), Some(secret)) = (webhook_id, &self.config().signing) else {
            return headers;
        };
        let signed = signed_headers(std::slice::from_ref(secret), id, unix_now(), body);
        for (name, value) in signed {
            // Ids are checked by whoever made them; one that is not a header value is sent
            // without the header, and the receiver refuses it.
            if let Ok(mut value) = HeaderValue::from_str(&value) {
                value.set_sensitive(true);
                headers.insert(HeaderName::from_static(name.as_str()), value);
            }
        }
        headers
    }
}
