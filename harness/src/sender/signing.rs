//! Signing each attempt of a Standard Webhooks delivery (STANDARD-WEBHOOKS.md [SW-2],
//! [SW-3]): the message's id on every attempt, a fresh timestamp and so a fresh signature.

use reqwest::header::HeaderMap;

use super::client::Sender;
use crate::standard_webhooks::{Signer, insert_signed, unix_now};

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
        insert_signed(&mut headers, &Signer::new(secret), id, unix_now(), body);
        headers
    }
}
