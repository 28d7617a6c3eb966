//! The receiver's durable memory: which sessions it has processed and how many side
//! effects each caused.
//!
//! Two backends with one behaviour: an embedded SQLite database ([`StoreLocation::Memory`],
//! [`StoreLocation::File`], one process) and a PostgreSQL database
//! ([`StoreLocation::Postgres`]) that any number of receiver processes share. Either way a
//! delivery is recorded with `INSERT … ON CONFLICT (session_id) DO NOTHING` and its effect
//! in the same transaction, committed before the caller is answered: whether the insert
//! added a row decides whether the effect happens, so two concurrent copies of a session,
//! on one replica or on two, cannot both count as new.

mod postgres;
mod postgres_url;
mod sqlite;

use std::path::PathBuf;
use std::time::Duration;

pub use postgres_url::{PostgresUrl, PostgresUrlError};

/// Where the database lives.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum StoreLocation {
    /// In memory: gone when the receiver stops.
    #[default]
    Memory,
    /// A SQLite file, created if missing, kept across restarts.
    File(PathBuf),
    /// A PostgreSQL database, shared by every receiver given the same URL.
    Postgres(PostgresUrl),
}

/// Why the database failed. Messages read after "failed to …"; a PostgreSQL URL in them
/// has its password redacted.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or its schema set up.
    #[error("open database {}: {reason}", path.display())]
    Open {
        /// The file (`:memory:` for an in-memory database).
        path: PathBuf,
        /// SQLite's reason.
        reason: String,
    },
    /// The PostgreSQL database could not be reached or its schema set up.
    #[error("connect to the database {url}: {reason}")]
    Connect {
        /// The URL, password redacted.
        url: String,
        /// Why.
        reason: String,
    },
    /// A query failed.
    #[error("query the database: {0}")]
    Query(String),
    /// The transaction holding the query could not commit: nothing of it was kept.
    #[error("commit to the database: {0}")]
    Commit(String),
    /// The writer thread is gone (it could not start or the store is closing).
    #[error("run a database task: {0}")]
    Task(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        StoreError::Query(error.to_string().to_lowercase())
    }
}

/// Whether a delivery was the first of its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// First delivery of the session: its effect was recorded.
    New,
    /// The session was already processed.
    Duplicate,
}

/// How [`Store::record`] deduplicates; everything but `Once` is a deliberate defect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dedupe {
    /// One effect per session, atomically (the conforming behaviour).
    Once,
    /// An effect for every delivery.
    Never,
    /// Check, await this long, then insert: concurrent duplicates both record.
    Racy(Duration),
    /// Check and record the effect in one transaction, await this long, then record the
    /// session in a second: a copy that arrives in between is processed again.
    Split(Duration),
}

/// Which effect an insert of a delivery row brings with it, in the same transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    /// An effect when the row is new (the conforming rule).
    IfNew,
    /// An effect whatever the insert found.
    Always,
    /// No effect.
    None,
}

impl Effect {
    fn applies(self, inserted: bool) -> bool {
        match self {
            Effect::IfNew => inserted,
            Effect::Always => true,
            Effect::None => false,
        }
    }
}

/// A handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Sqlite(sqlite::Sqlite),
    Postgres(postgres::Postgres),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

impl Store {
    /// Opens (or creates) a SQLite database and its schema; for PostgreSQL, makes the pool
    /// without connecting ([`Store::prepare`] connects and sets up the schema).
    pub fn open(location: &StoreLocation) -> Result<Store, StoreError> {
        let backend = match location {
            StoreLocation::Postgres(url) => Backend::Postgres(postgres::Postgres::pool(url)?),
            other => Backend::Sqlite(sqlite::Sqlite::open(other)?),
        };
        Ok(Store { backend })
    }

    /// Makes sure the database is reachable and has its schema (PostgreSQL; SQLite did both
    /// on open). Safe when several receivers start on one database at once.
    pub async fn prepare(&self) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(_) => Ok(()),
            Backend::Postgres(pg) => pg.prepare().await,
        }
    }

    /// Records one valid delivery and, per `dedupe`, its side effect. Returns once the
    /// transaction holding it is committed (durable for a file or PostgreSQL database).
    pub async fn record(
        &self,
        session_id: &str,
        status: &str,
        body: bytes::Bytes,
        dedupe: Dedupe,
    ) -> Result<Recorded, StoreError> {
        let new = match dedupe {
            Dedupe::Once => {
                self.deliver(session_id, status, body, Effect::IfNew)
                    .await?
            }
            Dedupe::Never => {
                self.deliver(session_id, status, body, Effect::Always)
                    .await?
            }
            Dedupe::Racy(window) => {
                let known = self.contains(session_id).await?;
                // The defect: the answer above is stale by the time it is acted on.
                tokio::time::sleep(window).await;
                let effect = if known { Effect::None } else { Effect::Always };
                self.deliver(session_id, status, body, effect).await?;
                !known
            }
            Dedupe::Split(window) => {
                let new = self.effect_unless_delivered(session_id, status).await?;
                // The defect: the effect is committed, the session not yet recorded.
                tokio::time::sleep(window).await;
                self.deliver(session_id, status, body, Effect::None).await?;
                new
            }
        };
        Ok(if new {
            Recorded::New
        } else {
            Recorded::Duplicate
        })
    }

    /// Inserts the delivery row (`ON CONFLICT DO NOTHING`) and, per `effect`, an effect, in
    /// one transaction; whether the row was new.
    async fn deliver(
        &self,
        session_id: &str,
        status: &str,
        body: bytes::Bytes,
        effect: Effect,
    ) -> Result<bool, StoreError> {
        match &self.backend {
            Backend::Sqlite(db) => db.deliver(session_id, status, body, effect).await,
            Backend::Postgres(db) => db.deliver(session_id, status, &body, effect).await,
        }
    }

    /// Whether the session has a delivery row.
    async fn contains(&self, session_id: &str) -> Result<bool, StoreError> {
        match &self.backend {
            Backend::Sqlite(db) => db.contains(session_id).await,
            Backend::Postgres(db) => db.contains(session_id).await,
        }
    }

    /// In one transaction: an effect unless the session has a delivery row; whether it had none.
    async fn effect_unless_delivered(
        &self,
        session_id: &str,
        status: &str,
    ) -> Result<bool, StoreError> {
        match &self.backend {
            Backend::Sqlite(db) => db.effect_unless_delivered(session_id, status).await,
            Backend::Postgres(db) => db.effect_unless_delivered(session_id, status).await,
        }
    }

    /// Inserts a delivery row under `key` with no effect; whether it was new. The
    /// Standard Webhooks defects that decide "seen" on another key than the one effects are
    /// counted under use it, with [`Store::record_effect_only`].
    pub async fn claim(
        &self,
        key: &str,
        status: &str,
        body: bytes::Bytes,
    ) -> Result<bool, StoreError> {
        self.deliver(key, status, body, Effect::None).await
    }

    /// Records a side effect with no delivery row (the `effect-for-invalid` defect).
    pub async fn record_effect_only(
        &self,
        session_id: &str,
        status: &str,
    ) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(db) => db.record_effect_only(session_id, status).await,
            Backend::Postgres(db) => db.record_effect_only(session_id, status).await,
        }
    }

    /// How many side effects a session has caused (SPEC §4).
    pub async fn effect_count(&self, session_id: &str) -> Result<u64, StoreError> {
        match &self.backend {
            Backend::Sqlite(db) => db.effect_count(session_id).await,
            Backend::Postgres(db) => db.effect_count(session_id).await,
        }
    }
}
