//! [`Drawn`]: a valid delivery drawn from the space SPEC §1 allows, as `hookcheck run` sends
//! it. Every valid delivery of a run is one: its features (how `extractedData` and
//! `metadata` are keyed, which optional fields are null or left out, how old `completedAt`
//! is, field order, spacing, `platformId`) follow from the run's seed and the delivery's
//! label, its session id is a fresh UUID, and its `completedAt` is an offset from the moment
//! it is built (SPEC [D-13]), so that a seed repeats a run's features and offsets.
//!
//! Each feature is one [`Dimension`] with a canonical value (what the reference sender
//! writes for the status); a [`Pin`] fixes the dimensions a check is about. A refused
//! delivery is walked back toward the canonical one a dimension at a time
//! ([`Drawn::with_canonical`]) to name the feature that caused it.

use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use time::{Duration as Span, OffsetDateTime};

use super::json::Spacing;
use crate::spec::Status;

/// How far ahead of the receiver's clock the sender's may run (SPEC [D-13]).
pub const CLOCK_SKEW_BOUND_SECS: i64 = 300;
/// The most a drawn `completedAt` is ahead of the moment it is built: inside the bound,
/// with room for the time the delivery takes to arrive.
pub const MAX_AHEAD_SECS: i64 = 240;

crate::closed::closed_enum! {
    /// How old `completedAt` is, relative to the moment the delivery is built (SPEC [D-13]).
    #[derive(arbitrary::Arbitrary)]
    pub enum Age as "age" {
        /// One to six years back: a replay of an old session.
        YearsBack => "years-back",
        /// One to thirty days back: a backlog drained after an outage.
        DaysBack => "days-back",
        /// Now: a first attempt.
        Now => "now",
        /// Up to four minutes ahead: the sender's clock runs fast, within the bound.
        Ahead => "ahead-within-skew",
    }
}

crate::closed::closed_enum! {
    /// Whether an optional field is there (SPEC §1, [D-2], [D-14]).
    #[derive(arbitrary::Arbitrary)]
    pub enum Presence as "presence" {
        /// It holds a value.
        Present => "present",
        /// `null`.
        Null => "null",
        /// Left out (SPEC [D-14]).
        Omitted => "omitted",
    }
}

crate::closed::closed_enum! {
    /// The keys of a free-form object (SPEC [D-16]).
    #[derive(arbitrary::Arbitrary)]
    pub enum Keys as "keys" {
        /// The documented example's keys.
        Example => "example-keys",
        /// The example's keys and more.
        MoreKeys => "more-keys",
        /// Other keys, none of the example's.
        OtherKeys => "other-keys",
        /// Nested objects and arrays, none of the example's keys.
        Nested => "nested",
        /// No keys at all: `{}`.
        NoKeys => "no-keys",
    }
}

crate::closed::closed_enum! {
    /// The order the eight fields are written in.
    #[derive(arbitrary::Arbitrary)]
    pub enum Order as "order" {
        /// As the documentation lists them.
        Documented => "documented",
        /// Last first.
        Reversed => "reversed",
        /// Rotated by a drawn count.
        Rotated => "rotated",
    }
}

crate::closed::closed_enum! {
    /// How `completedAt` is written (SPEC [D-3]); the sender's own form is `Millis`.
    #[derive(arbitrary::Arbitrary)]
    pub enum TimeForm as "time form" {
        /// `2025-03-24T12:05:00.000Z`, as the sender writes.
        Millis => "millis",
        /// Whole seconds.
        NoFraction => "no-fraction",
        /// Six fraction digits.
        Microseconds => "microseconds",
        /// Nine fraction digits.
        Nanoseconds => "nanoseconds",
        /// A positive offset.
        PositiveOffset => "positive-offset",
        /// A negative offset.
        NegativeOffset => "negative-offset",
        /// `+00:00`.
        PlusZero => "plus-zero",
        /// `-00:00`: UTC, local offset unknown.
        NegativeZero => "negative-zero",
        /// A lowercase `t` separator (`2025-03-24t12:05:00.000Z`).
        LowercaseT => "lowercase-t",
        /// A lowercase `z` (`2025-03-24T12:05:00.000z`).
        LowercaseZ => "lowercase-z",
    }
}

crate::closed::closed_enum! {
    /// What a check adds to the drawn body, beyond the space itself: its subject.
    #[derive(arbitrary::Arbitrary)]
    pub enum Extra as "extra" {
        /// Nothing.
        Nothing => "nothing",
        /// Non-ASCII text in every string field.
        Unicode => "unicode",
        /// Unknown top-level fields (SPEC [D-4]).
        UnknownTopLevel => "unknown-top-level",
        /// Unknown keys inside `extractedData` and `metadata` (SPEC [D-4]).
        UnknownNested => "unknown-nested",
        /// Padded to exactly 256 KiB (SPEC [D-11]).
        Large => "large-body",
    }
}

crate::closed::closed_enum! {
    /// One feature of a drawn delivery, which the walk can put back to its canonical value.
    #[derive(arbitrary::Arbitrary)]
    pub enum Dimension as "dimension" {
        /// `platformId`'s magnitude.
        PlatformId => "platform-id",
        /// Whether `externalReferenceId` is there.
        ExternalReferenceId => "external-reference-id",
        /// Whether `extractedData` is there.
        ExtractedData => "extracted-data",
        /// The keys of `extractedData`.
        ExtractedDataKeys => "extracted-data-keys",
        /// Whether `proofHash` is there.
        ProofHash => "proof-hash",
        /// How old `completedAt` is.
        CompletedAtAge => "completed-at-age",
        /// How `completedAt` is written.
        CompletedAtForm => "completed-at-form",
        /// The keys of `metadata`.
        MetadataKeys => "metadata-keys",
        /// Field order.
        FieldOrder => "field-order",
        /// Whitespace.
        Spacing => "spacing",
    }
}

/// The dimensions a check fixes; the others are drawn. `form` is the sender's own unless
/// pinned: other timestamp forms are a SHOULD (SPEC [D-3]), graded by their own checks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pin {
    /// `externalReferenceId`.
    pub reference: Option<Presence>,
    /// `extractedData`.
    pub data: Option<Presence>,
    /// The keys of `extractedData`, when it is there.
    pub data_keys: Option<Keys>,
    /// `proofHash`.
    pub proof: Option<Presence>,
    /// The age of `completedAt`.
    pub age: Option<Age>,
    /// The form of `completedAt`.
    pub form: Option<TimeForm>,
    /// What the check adds.
    pub extra: Option<Extra>,
}

impl Pin {
    /// Nothing pinned: the whole MUST space.
    pub const ANY: Pin = Pin {
        reference: None,
        data: None,
        data_keys: None,
        proof: None,
        age: None,
        form: None,
        extra: None,
    };
}

/// The drawn features of one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Features {
    /// `platformId`: small as in the documentation, or a large integer.
    pub platform_id: u32,
    /// `externalReferenceId`.
    pub reference: Presence,
    /// `extractedData`.
    pub data: Presence,
    /// Its keys, when present.
    pub data_keys: Keys,
    /// `proofHash`.
    pub proof: Presence,
    /// How old `completedAt` is.
    pub age: Age,
    /// `completedAt` minus the moment the delivery was built, in milliseconds.
    pub offset_ms: i64,
    /// How `completedAt` is written.
    pub form: TimeForm,
    /// The offset of the offset forms, in minutes.
    pub offset_minutes: i16,
    /// The keys of `metadata`.
    pub metadata_keys: Keys,
    /// Field order.
    pub order: Order,
    /// The rotation of [`Order::Rotated`].
    pub rotation: u8,
    /// Whitespace.
    pub spacing: Spacing,
    /// What the check adds.
    pub extra: Extra,
    /// The reference text, when present.
    pub reference_text: String,
    /// The proof hash, when present.
    pub proof_hex: String,
}

/// A valid delivery drawn from the space, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drawn {
    /// The session: a fresh UUID.
    pub session_id: String,
    /// The status.
    pub status: Status,
    /// Its features.
    pub features: Features,
    /// The moment it was built: `completedAt` is this plus the offset.
    pub built_at: OffsetDateTime,
}

impl Drawn {
    /// Draws a delivery of `status` from (`seed`, `label`), with `pin` fixed, built now.
    pub fn draw(seed: u64, label: &str, status: Status, pin: &Pin) -> Drawn {
        let mut rng = StdRng::seed_from_u64(seed ^ fnv1a(label.as_bytes()));
        let features = draw_features(&mut rng, pin);
        Drawn::new(status, features)
    }

    /// A delivery of `status` with these features, a fresh session, built now.
    pub fn new(status: Status, features: Features) -> Drawn {
        Drawn {
            session_id: uuid::Uuid::new_v4().to_string(),
            status,
            features,
            built_at: OffsetDateTime::now_utc(),
        }
    }

    /// The same features again, with a fresh session, built now.
    pub fn fresh(&self) -> Drawn {
        Drawn::new(self.status, self.features.clone())
    }

    /// The instant `completedAt` names.
    pub fn completed_at(&self) -> OffsetDateTime {
        self.built_at + Span::milliseconds(self.features.offset_ms)
    }

    /// The canonical delivery of the same status and extra: every dimension as the
    /// reference sender writes it, with a fresh session.
    pub fn canonical(&self) -> Drawn {
        let mut features = canonical_features(self.status, &self.features);
        features.extra = self.features.extra;
        Drawn::new(self.status, features)
    }

    /// The dimensions on which it differs from the canonical delivery.
    pub fn off_canonical(&self) -> Vec<Dimension> {
        Dimension::ALL
            .iter()
            .copied()
            .filter(|&d| self.with_canonical(d).features != self.features)
            .collect()
    }

    /// The same features with one dimension put back to its canonical value (same session,
    /// same moment).
    pub fn with_canonical(&self, dimension: Dimension) -> Drawn {
        let canonical = canonical_features(self.status, &self.features);
        let mut drawn = self.clone();
        copy_dimension(&mut drawn.features, &canonical, dimension);
        drawn
    }

    /// This delivery with one dimension taken from `other`.
    pub fn with_dimension_of(&self, dimension: Dimension, other: &Drawn) -> Drawn {
        let mut drawn = self.clone();
        copy_dimension(&mut drawn.features, &other.features, dimension);
        drawn
    }

    /// The same session's other terminal event: `status`, with the data and proof the
    /// reference sender writes for it, same features otherwise (SPEC [D-10]).
    pub fn other_event(&self, status: Status) -> Drawn {
        let canonical = canonical_features(status, &self.features);
        let mut drawn = self.clone();
        drawn.status = status;
        drawn.features.data = canonical.data;
        drawn.features.data_keys = canonical.data_keys;
        drawn.features.proof = canonical.proof;
        drawn
    }
}

fn draw_features(rng: &mut StdRng, pin: &Pin) -> Features {
    let pick = |rng: &mut StdRng, n: usize| rng.random_range(0..n);
    let age = pin.age.unwrap_or(Age::ALL[pick(rng, Age::ALL.len())]);
    let presence = |rng: &mut StdRng| Presence::ALL[rng.random_range(0..Presence::ALL.len())];
    let reference = pin.reference.unwrap_or_else(|| presence(rng));
    let data = pin.data.unwrap_or_else(|| presence(rng));
    let proof = pin.proof.unwrap_or_else(|| presence(rng));
    let data_keys = pin
        .data_keys
        .unwrap_or(Keys::ALL[pick(rng, Keys::ALL.len())]);
    let mut hex = [0u8; 32];
    rng.fill_bytes(&mut hex);
    Features {
        platform_id: if rng.random_bool(0.5) {
            rng.random_range(1..=40)
        } else {
            rng.random_range(100_000..=2_000_000_000)
        },
        reference,
        data,
        data_keys,
        proof,
        age,
        offset_ms: age_offset_ms(rng, age),
        form: pin.form.unwrap_or(TimeForm::Millis),
        offset_minutes: rng.random_range(1..=14 * 60),
        metadata_keys: Keys::ALL[pick(rng, Keys::ALL.len())],
        order: Order::ALL[pick(rng, Order::ALL.len())],
        rotation: rng.random_range(1..8),
        spacing: Spacing::ALL[pick(rng, Spacing::ALL.len())],
        extra: pin.extra.unwrap_or(Extra::Nothing),
        reference_text: format!("order-{}", rng.random_range(10_000..100_000)),
        proof_hex: hex.iter().map(|b| format!("{b:02x}")).collect(),
    }
    .keys_only_when_present()
}

impl Features {
    /// A non-present `extractedData` has the example's keys (unused), so that it never
    /// counts as a feature of its own.
    fn keys_only_when_present(mut self) -> Features {
        if self.data != Presence::Present {
            self.data_keys = Keys::Example;
        }
        self
    }
}

/// `completedAt` minus now, in milliseconds, for an age class.
fn age_offset_ms(rng: &mut StdRng, age: Age) -> i64 {
    const DAY_MS: i64 = 86_400_000;
    match age {
        Age::YearsBack => -rng.random_range(365 * DAY_MS..=6 * 365 * DAY_MS),
        Age::DaysBack => -rng.random_range(DAY_MS + 3_600_000..=30 * DAY_MS),
        Age::Now => 0,
        Age::Ahead => rng.random_range(30_000..=MAX_AHEAD_SECS * 1000),
    }
}

/// The reference sender's features for `status`, keeping the drawn values (texts, ids).
fn canonical_features(status: Status, drawn: &Features) -> Features {
    let success = status.is_success();
    let present_if = |yes: bool| {
        if yes {
            Presence::Present
        } else {
            Presence::Null
        }
    };
    Features {
        platform_id: if drawn.platform_id <= 40 {
            drawn.platform_id
        } else {
            7
        },
        reference: Presence::Present,
        data: present_if(success),
        data_keys: Keys::Example,
        proof: present_if(success),
        age: Age::Now,
        offset_ms: 0,
        form: TimeForm::Millis,
        offset_minutes: drawn.offset_minutes,
        metadata_keys: Keys::Example,
        order: Order::Documented,
        rotation: drawn.rotation,
        spacing: Spacing::Compact,
        extra: Extra::Nothing,
        reference_text: drawn.reference_text.clone(),
        proof_hex: drawn.proof_hex.clone(),
    }
}

fn copy_dimension(to: &mut Features, from: &Features, dimension: Dimension) {
    match dimension {
        Dimension::PlatformId => to.platform_id = from.platform_id,
        Dimension::ExternalReferenceId => to.reference = from.reference,
        Dimension::ExtractedData => {
            to.data = from.data;
            if to.data != Presence::Present {
                to.data_keys = Keys::Example;
            }
        }
        Dimension::ExtractedDataKeys if to.data == Presence::Present => {
            to.data_keys = from.data_keys;
        }
        Dimension::ExtractedDataKeys => {}
        Dimension::ProofHash => to.proof = from.proof,
        Dimension::CompletedAtAge => {
            to.age = from.age;
            to.offset_ms = from.offset_ms;
        }
        Dimension::CompletedAtForm => to.form = from.form,
        Dimension::MetadataKeys => to.metadata_keys = from.metadata_keys,
        Dimension::FieldOrder => to.order = from.order,
        Dimension::Spacing => to.spacing = from.spacing,
    }
}

/// FNV-1a: a stable, dependency-free hash for mixing labels into a seed (and naming a
/// body's file by its bytes).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests;
