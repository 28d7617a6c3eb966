//! What the in-crate defect and choice tests share: the secret they configure, the payloads
//! they send, a plain client, and many requests at once. The receiver's own tests are
//! black-box, in `harness/tests/receiver/`, with these helpers from `hookcheck-testkit`;
//! these stay in-crate only while the defect tests do (a crate's unit tests cannot take
//! its types from the testkit's copy of it).

use crate::spec::{Payload, PayloadBuilder, Status};

pub(super) use hookcheck_testkit::client::{client, join_spawned as futures_join_all};

pub(super) const SECRET: &str = "s3cret-Value";

pub(super) fn payload(status: Status, session: &str) -> Payload {
    PayloadBuilder::new(status)
        .seed(7)
        .session_id(session)
        .build()
}
