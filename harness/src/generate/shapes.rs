//! What the status family fixes of the drawn space for each of its checks, and pairs of
//! distinct sessions that share field values.

use super::drawn::{Drawn, Pin, Presence};
use crate::spec::{Payload, Status};

/// SPEC [D-11]: receivers should accept payloads up to at least 256 KiB; the large payload
/// is exactly this size, so a receiver whose limit is 256 KiB accepts it.
pub const LARGE_BODY_BYTES: usize = 256 * 1024;

/// The id segment of a terminal status (`PARTIAL_COMPLETE` is `partial-complete`).
pub const fn status_id(status: Status) -> &'static str {
    match status {
        Status::Completed => "completed",
        Status::PartialComplete => "partial-complete",
        Status::Error => "error",
        Status::Cancelled => "cancelled",
        Status::Terminated => "terminated",
    }
}

/// The id segments of the five statuses, in the documentation's order.
pub const STATUS_IDS: &[&str] = &[
    status_id(Status::ALL[0]),
    status_id(Status::ALL[1]),
    status_id(Status::ALL[2]),
    status_id(Status::ALL[3]),
    status_id(Status::ALL[4]),
];

crate::closed::closed_enum! {
    /// How the status family shapes a valid delivery of a status (SPEC §1 [D-2]); each shape
    /// is one requirement, checked for every status.
    #[derive(arbitrary::Arbitrary)]
    pub enum StatusShape as "status shape" {
        /// Exactly what the reference sender sends for the status.
        AsSent => "valid-delivery-2xx",
        /// Every documented nullable field null: `externalReferenceId` and `extractedData`
        /// always, `proofHash` only for the non-success statuses, the only ones it is null for.
        NullableNull => "nullable-fields-null",
        /// `extractedData` and `proofHash` present, whatever the status.
        WithData => "data-for-every-status",
    }
}

impl StatusShape {
    /// What the shape fixes of the drawn space for `status`; the rest is drawn.
    pub fn pin(self, status: Status) -> Pin {
        match self {
            StatusShape::AsSent => Pin::ANY,
            StatusShape::NullableNull => Pin {
                reference: Some(Presence::Null),
                data: Some(Presence::Null),
                proof: Some(if status.is_success() {
                    Presence::Present
                } else {
                    Presence::Null
                }),
                ..Pin::ANY
            },
            StatusShape::WithData => Pin {
                data: Some(Presence::Present),
                proof: Some(Presence::Present),
                ..Pin::ANY
            },
        }
    }

    /// The body of this shape for a payload the sender built: its session and status, the
    /// rest drawn from the session.
    pub fn body(self, payload: &Payload) -> Vec<u8> {
        super::payload_shape::drawn_for(payload, &self.pin(payload.status)).to_bytes()
    }
}

/// The ids of every payload shape, in report order (`payload/processed-once/{id}`).
pub const PAYLOAD_SHAPE_IDS: &[&str] = &super::PayloadShape::IDS;

crate::closed::closed_enum! {
    /// Two distinct sessions that share a field value: a receiver keyed on anything but
    /// `sessionId` processes only one of them (SPEC §3 ¶3).
    #[derive(arbitrary::Arbitrary)]
    pub enum SharedValue as "shared value" {
        /// Both have `externalReferenceId: null`.
        NullExternalReference => "null-external-reference",
        /// Both carry the same `externalReferenceId`.
        SameExternalReference => "same-external-reference",
        /// Both carry the same `proofHash`.
        SameProofHash => "same-proof-hash",
    }
}

impl SharedValue {
    /// What both payloads fix of the drawn space.
    pub fn pin(self) -> Pin {
        match self {
            SharedValue::NullExternalReference => Pin {
                reference: Some(Presence::Null),
                ..Pin::ANY
            },
            SharedValue::SameExternalReference => Pin {
                reference: Some(Presence::Present),
                ..Pin::ANY
            },
            SharedValue::SameProofHash => Pin {
                proof: Some(Presence::Present),
                ..Pin::ANY
            },
        }
    }

    /// Two deliveries of distinct sessions, drawn with [`SharedValue::pin`], made to share
    /// the value: the second takes the first's.
    pub fn pair(self, first: Drawn, mut second: Drawn) -> (Drawn, Drawn) {
        match self {
            SharedValue::NullExternalReference => {}
            SharedValue::SameExternalReference => {
                second.features.reference_text = first.features.reference_text.clone();
            }
            SharedValue::SameProofHash => {
                second.features.proof_hex = first.features.proof_hex.clone();
            }
        }
        (first, second)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::parse;

    #[test]
    fn every_shape_of_every_status_is_a_valid_payload() {
        for status in Status::ALL {
            for shape in StatusShape::ALL {
                let drawn = Drawn::draw(1, "t", status, &shape.pin(status));
                let payload = parse(&drawn.to_bytes()).unwrap_or_else(|e| panic!("{shape}: {e}"));
                match shape {
                    StatusShape::NullableNull => {
                        assert!(payload.extracted_data.is_none());
                        assert_eq!(payload.proof_hash.is_none(), !status.is_success());
                    }
                    StatusShape::WithData => assert!(payload.extracted_data.is_some()),
                    StatusShape::AsSent => {}
                }
            }
        }
    }

    #[test]
    fn shared_value_pairs_are_distinct_sessions_sharing_the_value() {
        for shared in SharedValue::ALL.iter().copied() {
            let (a, b) = shared.pair(
                Drawn::draw(1, "a", Status::Completed, &shared.pin()),
                Drawn::draw(1, "b", Status::Completed, &shared.pin()),
            );
            let (pa, pb) = (parse(&a.to_bytes()).unwrap(), parse(&b.to_bytes()).unwrap());
            assert_ne!(pa.session_id, pb.session_id, "{shared}");
            match shared {
                SharedValue::NullExternalReference => {
                    assert!(
                        pa.external_reference_id.is_none() && pb.external_reference_id.is_none()
                    );
                }
                SharedValue::SameExternalReference => {
                    assert!(pa.external_reference_id.is_some());
                    assert_eq!(pa.external_reference_id, pb.external_reference_id);
                }
                SharedValue::SameProofHash => {
                    assert!(pa.proof_hash.is_some());
                    assert_eq!(pa.proof_hash, pb.proof_hash);
                }
            }
        }
    }
}
