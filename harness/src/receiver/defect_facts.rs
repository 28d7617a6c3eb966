//! What each defect breaks and what finds it, as data: the tests read these facts instead
//! of deriving them again, and every table of defects asserts it covers [`Defect::ALL`].
//! A data table, so longer than a function may be.

use super::Defect;
use crate::catalogue::{Category, Level};

/// Whether a command finds a defect, and why not when it does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// A run of the command with its defaults reports the defect.
    Finds,
    /// The command is not meant to find it, for this reason; another one does.
    Misses(&'static str),
}

/// The facts about one defect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefectFacts {
    /// One line saying what breaks.
    pub description: &'static str,
    /// Whether it shows only to a run given the auth header (`--auth`).
    pub needs_auth: bool,
    /// The categories whose checks `hookcheck run` fails or warns on, in report order.
    pub breaks: &'static [Category],
    /// The level of the worst requirement it breaks: a broken MUST fails a run (exit 1),
    /// a SHOULD alone warns (exit 0, 1 under `--strict`).
    pub level: Level,
    /// Whether `hookcheck fuzz`, with its defaults and the auth header, finds it.
    /// `hookcheck run` finds every defect.
    pub fuzz: Found,
    /// Whether which checks it fails varies from run to run (it depends on how concurrent
    /// deliveries interleave, or on how loaded the machine is), so that its report has no
    /// snapshot.
    pub varies: bool,
    /// Whether it shows only when the copies of a session reach different replicas of the
    /// receiver (`hookcheck run --replica`): each replica alone conforms.
    pub replicas: bool,
}

impl Defect {
    /// What this defect breaks and what finds it.
    pub const fn facts(self) -> DefectFacts {
        match self {
            Defect::NoDedupe => DefectFacts {
                description: "every delivery records an effect, duplicates too",
                needs_auth: false,
                breaks: &[Category::Idempotency],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::RacyDedupe => DefectFacts {
                description: "check-then-insert with an await between: concurrent duplicates both record",
                needs_auth: false,
                breaks: &[Category::Idempotency],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: true,
                replicas: false,
            },
            Defect::ConflictOnDuplicate => DefectFacts {
                description: "answers 409 to a duplicate delivery",
                needs_auth: false,
                breaks: &[Category::Idempotency],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::AuthIgnored => DefectFacts {
                description: "accepts any auth header value, or none",
                needs_auth: true,
                breaks: &[Category::Auth],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::AuthPrefixMatch => DefectFacts {
                description: "accepts a prefix of the secret, or a value that starts with it",
                needs_auth: true,
                breaks: &[Category::Auth],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::EffectBeforeAuth => DefectFacts {
                description: "records the effect, then checks the auth header",
                needs_auth: true,
                breaks: &[Category::Auth],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::RejectsUnknownFields => DefectFacts {
                description: "answers 422 to any unknown top-level field",
                needs_auth: false,
                breaks: &[Category::Payload],
                level: Level::Should,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::ErrorOnNullFields => DefectFacts {
                description: "answers 500 when a nullable field is null",
                needs_auth: false,
                breaks: &[Category::Status],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::RejectsTerminated => DefectFacts {
                description: "answers 422 to status TERMINATED",
                needs_auth: false,
                breaks: &[Category::Status],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::SlowCancelled => DefectFacts {
                description: "answers CANCELLED only after the sender's timeout",
                needs_auth: false,
                breaks: &[Category::Status],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::Redirects => DefectFacts {
                description: "answers valid deliveries with a 307 redirect",
                needs_auth: false,
                breaks: &[Category::Transport],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::DiesOnMalformedJson => DefectFacts {
                description: "stops serving after a body that is not JSON",
                needs_auth: false,
                breaks: &[Category::Robustness],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::ErrorOnMalformedJson => DefectFacts {
                description: "answers 500 instead of 400 to a body that is not JSON",
                needs_auth: false,
                breaks: &[Category::Robustness],
                level: Level::Should,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::EffectForInvalid => DefectFacts {
                description: "records an effect for an invalid payload with a sessionId",
                needs_auth: false,
                breaks: &[Category::Robustness],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::TinyBodyLimit => DefectFacts {
                description: "refuses bodies over 16 KiB with 413",
                needs_auth: false,
                breaks: &[Category::Payload],
                level: Level::Should,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::Serial => DefectFacts {
                description: "serves one delivery at a time, 100 ms each",
                needs_auth: false,
                breaks: &[Category::Latency],
                level: Level::Must,
                fuzz: Found::Misses(
                    "fuzz grades no latency: one delivery at a time, 100 ms each, still answers the \
                 few requests a fuzzer keeps in flight within the timeout; run's burst check \
                 finds it",
                ),
                varies: true,
                replicas: false,
            },
            Defect::DedupeForgets => DefectFacts {
                description: "remembers only the 16 latest sessions: older copies record again",
                needs_auth: false,
                breaks: &[Category::Idempotency],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::DedupeExpires => DefectFacts {
                description: "remembers a session for 2 s (--dedupe-expiry): later copies record again",
                needs_auth: false,
                breaks: &[Category::Idempotency],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::CrashesOnMissingSessionId => DefectFacts {
                description: "panics, closing the connection, when sessionId is missing, null or not a string",
                needs_auth: false,
                breaks: &[Category::Robustness],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::PanicsOnUnknownStatus => DefectFacts {
                description: "panics, closing the connection, on a status string not one of the five",
                needs_auth: false,
                breaks: &[Category::Robustness],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::DropsNonCompleted => DefectFacts {
                description: "answers 2xx to every valid delivery, records only COMPLETED",
                needs_auth: false,
                breaks: &[Category::Status, Category::Idempotency],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::LosesUnderLoad => DefectFacts {
                description: "answers 200 without recording when over 8 are in flight",
                needs_auth: false,
                breaks: &[Category::Idempotency],
                level: Level::Must,
                fuzz: Found::Misses(
                    "it loses effects only with more than 8 deliveries in flight at once, which a \
                 fuzzer's few sequences reach only by chance; run's burst and load find it",
                ),
                varies: false,
                replicas: false,
            },
            Defect::SlowCompleted => DefectFacts {
                description: "answers COMPLETED only after the sender's timeout",
                needs_auth: false,
                breaks: &[Category::Status, Category::Latency],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::CrashesOnUnicode => DefectFacts {
                description: "panics, closing the connection, on a non-ASCII string",
                needs_auth: false,
                breaks: &[Category::Payload],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::AsyncEffectForInvalid => DefectFacts {
                description: "refuses an unprocessable body with a sessionId, records an effect 1 s later",
                needs_auth: false,
                breaks: &[Category::Robustness],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::HangsOnBadAuth => DefectFacts {
                description: "never answers a wrong auth header value (missing: 401)",
                needs_auth: true,
                breaks: &[Category::Auth],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::AuthCaseInsensitiveValue => DefectFacts {
                description: "compares the auth header value ignoring case",
                needs_auth: true,
                breaks: &[Category::Auth],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::KeyedOnExternalReference => DefectFacts {
                description: "deduplicates on externalReferenceId (null is one key), not sessionId",
                needs_auth: false,
                breaks: &[Category::Idempotency],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: true,
                replicas: false,
            },
            Defect::DedupesCompletedOnly => DefectFacts {
                description: "deduplicates COMPLETED only: other copies record again",
                needs_auth: false,
                breaks: &[Category::Idempotency],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::StrictContentType => DefectFacts {
                description: "answers 415 to any content type but exactly application/json",
                needs_auth: false,
                breaks: &[Category::Payload],
                level: Level::Should,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::StrictTimestamp => DefectFacts {
                description: "answers 422 to a completedAt not exactly YYYY-MM-DDTHH:MM:SS.sssZ",
                needs_auth: false,
                breaks: &[Category::Payload],
                level: Level::Should,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::ReprocessesOtherStatus => DefectFacts {
                description: "deduplicates on (sessionId, status): another status records again",
                needs_auth: false,
                breaks: &[Category::Idempotency],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::RequiresAccountHolder => DefectFacts {
                description: "answers 500 when extractedData is an object without accountHolder",
                needs_auth: false,
                breaks: &[Category::Payload],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::RejectsFutureTimestamp => DefectFacts {
                description: "answers 422 to a completedAt ahead of its clock, however slightly",
                needs_auth: false,
                breaks: &[Category::Payload],
                level: Level::Must,
                fuzz: Found::Misses(
                    "a drawn completedAt is the sender's now or any date of 0000-9999, and one \
                 further ahead than the skew a receiver must allow may be refused; one a few \
                 minutes ahead, which only this defect refuses, is not drawn; run's \
                 completed-at-any-age finds it",
                ),
                varies: false,
                replicas: false,
            },
            Defect::DropsOldEvents => DefectFacts {
                description: "answers 2xx but records nothing for a completedAt over a day old",
                needs_auth: false,
                breaks: &[Category::Payload],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::RejectsLowercaseTimestamp => DefectFacts {
                description: "answers 422 to a completedAt with a lowercase t or z",
                needs_auth: false,
                breaks: &[Category::Payload],
                level: Level::Should,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::RejectsOmittedFields => DefectFacts {
                description: "answers 422 when externalReferenceId, extractedData or proofHash is left out",
                needs_auth: false,
                breaks: &[Category::Payload],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::AsyncDuplicate => DefectFacts {
                description: "answers a duplicate at once, records a second effect for it 1 s later",
                needs_auth: false,
                breaks: &[Category::Idempotency],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: false,
                replicas: false,
            },
            Defect::PerProcessDedupe => DefectFacts {
                description: "dedupes in process memory while effects land in the shared database: a copy that reaches another replica is processed again",
                needs_auth: false,
                breaks: &[Category::Idempotency],
                level: Level::Must,
                fuzz: Found::Misses(
                    "each replica alone conforms: it shows only to copies sent to two replicas",
                ),
                varies: false,
                replicas: true,
            },
            Defect::SplitTransactionDedupe => DefectFacts {
                description: "checks and records the effect in one transaction, the session in a second: a copy arriving in between is processed again",
                needs_auth: false,
                breaks: &[Category::Idempotency],
                level: Level::Must,
                fuzz: Found::Finds,
                varies: true,
                replicas: false,
            },
        }
    }
}
