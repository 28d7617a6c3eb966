//! The receiver's durable memory: which sessions it has processed and how many side
//! effects each caused, in an embedded SQLite database.
//!
//! `deliveries.session_id` is the PRIMARY KEY, and a delivery is recorded with
//! `INSERT … ON CONFLICT DO NOTHING` and its effect in the same transaction, so two
//! concurrent deliveries of one session cannot both count as new. A file database runs in
//! WAL mode with `synchronous=FULL`: once [`Store::record`] returns, the row survives a
//! crash or a SIGKILL of the process. SQLite calls are blocking, so every public method
//! runs them on tokio's blocking pool.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

/// Where the database lives.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum StoreLocation {
    /// In memory: gone when the receiver stops.
    #[default]
    Memory,
    /// A SQLite file, created if missing, kept across restarts.
    File(PathBuf),
}

/// Why the database failed. Messages read after "failed to …".
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
    /// A query failed.
    #[error("query the database: {0}")]
    Query(#[from] rusqlite::Error),
    /// The blocking task running the query was cancelled or panicked.
    #[error("run a database task: {0}")]
    Task(String),
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
}

/// A handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS deliveries (
    session_id  TEXT PRIMARY KEY NOT NULL,
    status      TEXT NOT NULL,
    body        BLOB NOT NULL,
    received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS effects (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  TEXT NOT NULL,
    status      TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS effects_by_session ON effects (session_id);
";

impl Store {
    /// Opens (or creates) the database and its schema.
    pub fn open(location: &StoreLocation) -> Result<Store, StoreError> {
        let (path, opened) = match location {
            StoreLocation::Memory => (PathBuf::from(":memory:"), Connection::open_in_memory()),
            StoreLocation::File(path) => (path.clone(), Connection::open(path)),
        };
        let open_error = |e: rusqlite::Error| StoreError::Open {
            path: path.clone(),
            reason: e.to_string().to_lowercase(),
        };
        let conn = opened.map_err(open_error)?;
        setup(&conn).map_err(open_error)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Records one valid delivery and, per `dedupe`, its side effect. Returns once the
    /// transaction is committed (durable for a file database).
    pub async fn record(
        &self,
        session_id: &str,
        status: &str,
        body: bytes::Bytes,
        dedupe: Dedupe,
    ) -> Result<Recorded, StoreError> {
        let (id, status) = (session_id.to_owned(), status.to_owned());
        match dedupe {
            Dedupe::Once | Dedupe::Never => {
                self.blocking(move |conn| {
                    let tx = conn.transaction()?;
                    let inserted = insert_delivery(&tx, &id, &status, &body)?;
                    if inserted || dedupe == Dedupe::Never {
                        insert_effect(&tx, &id, &status)?;
                    }
                    tx.commit()?;
                    Ok(if inserted {
                        Recorded::New
                    } else {
                        Recorded::Duplicate
                    })
                })
                .await
            }
            Dedupe::Racy(window) => {
                let check_id = id.clone();
                let known = self
                    .blocking(move |conn| {
                        conn.query_row(
                            "SELECT 1 FROM deliveries WHERE session_id = ?1",
                            params![check_id],
                            |_| Ok(()),
                        )
                        .optional()
                    })
                    .await?
                    .is_some();
                // The defect: the answer above is stale by the time it is acted on.
                tokio::time::sleep(window).await;
                self.blocking(move |conn| {
                    let tx = conn.transaction()?;
                    insert_delivery(&tx, &id, &status, &body)?;
                    if !known {
                        insert_effect(&tx, &id, &status)?;
                    }
                    tx.commit()?;
                    Ok(if known {
                        Recorded::Duplicate
                    } else {
                        Recorded::New
                    })
                })
                .await
            }
        }
    }

    /// Records a side effect with no delivery row (the `effect-for-invalid` defect).
    pub async fn record_effect_only(
        &self,
        session_id: &str,
        status: &str,
    ) -> Result<(), StoreError> {
        let (id, status) = (session_id.to_owned(), status.to_owned());
        self.blocking(move |conn| insert_effect(conn, &id, &status).map(|_| ()))
            .await
    }

    /// How many side effects a session has caused (SPEC §4).
    pub async fn effect_count(&self, session_id: &str) -> Result<u64, StoreError> {
        let id = session_id.to_owned();
        self.blocking(move |conn| {
            conn.query_row(
                "SELECT count(*) FROM effects WHERE session_id = ?1",
                params![id],
                |row| row.get::<_, i64>(0),
            )
        })
        .await
        .map(|n| u64::try_from(n).unwrap_or(0))
    }

    /// Runs `work` on the blocking pool with the connection locked. The spawned task runs
    /// to completion even if the caller is dropped, so a started write always commits.
    async fn blocking<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || work(&mut lock(&conn)).map_err(StoreError::from))
            .await
            .map_err(|e| StoreError::Task(e.to_string()))?
    }
}

/// A panic while the lock was held leaves the connection usable: SQLite rolls back an
/// unfinished transaction when it is dropped.
fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn setup(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.busy_timeout(Duration::from_secs(5))?;
    // Returns the resulting mode ("memory" for an in-memory database); nothing to check.
    let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    conn.execute_batch("PRAGMA synchronous = FULL;")?;
    conn.execute_batch(SCHEMA)
}

fn insert_delivery(
    conn: &Connection,
    session_id: &str,
    status: &str,
    body: &[u8],
) -> Result<bool, rusqlite::Error> {
    let changed = conn.execute(
        "INSERT INTO deliveries (session_id, status, body, received_at)
         VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
         ON CONFLICT (session_id) DO NOTHING",
        params![session_id, status, body],
    )?;
    Ok(changed == 1)
}

fn insert_effect(
    conn: &Connection,
    session_id: &str,
    status: &str,
) -> Result<usize, rusqlite::Error> {
    conn.execute(
        "INSERT INTO effects (session_id, status, recorded_at)
         VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
        params![session_id, status],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_session_is_new_once_then_duplicate() {
        let store = Store::open(&StoreLocation::Memory).unwrap();
        let body = bytes::Bytes::from_static(b"{}");
        let first = store
            .record("s1", "COMPLETED", body.clone(), Dedupe::Once)
            .await
            .unwrap();
        let second = store
            .record("s1", "ERROR", body, Dedupe::Once)
            .await
            .unwrap();
        assert_eq!((first, second), (Recorded::New, Recorded::Duplicate));
        assert_eq!(store.effect_count("s1").await.unwrap(), 1);
        assert_eq!(store.effect_count("other").await.unwrap(), 0);
    }

    #[tokio::test]
    async fn file_store_keeps_effects_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let location = StoreLocation::File(dir.path().join("r.db"));
        let store = Store::open(&location).unwrap();
        store
            .record("s1", "COMPLETED", bytes::Bytes::new(), Dedupe::Once)
            .await
            .unwrap();
        drop(store);
        let store = Store::open(&location).unwrap();
        assert_eq!(store.effect_count("s1").await.unwrap(), 1);
        let again = store
            .record("s1", "COMPLETED", bytes::Bytes::new(), Dedupe::Once)
            .await
            .unwrap();
        assert_eq!(again, Recorded::Duplicate);
    }

    #[test]
    fn file_store_is_wal_with_full_sync() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&StoreLocation::File(dir.path().join("r.db"))).unwrap();
        let conn = lock(&store.conn);
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |row| row.get(0))
            .unwrap();
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |row| row.get(0))
            .unwrap();
        assert_eq!((mode.as_str(), sync), ("wal", 2), "2 is FULL");
    }

    #[test]
    fn unopenable_database_is_a_typed_error() {
        let dir = tempfile::tempdir().unwrap();
        let err =
            Store::open(&StoreLocation::File(dir.path().join("no/such/dir/r.db"))).unwrap_err();
        assert!(matches!(err, StoreError::Open { .. }), "{err}");
        assert!(err.to_string().starts_with("open database "), "{err}");
    }
}
