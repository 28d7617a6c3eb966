//! The receiver's durable memory: which sessions it has processed and how many side
//! effects each caused, in an embedded SQLite database.
//!
//! `deliveries.session_id` is the PRIMARY KEY, and a delivery is recorded with
//! `INSERT … ON CONFLICT DO NOTHING` and its effect in one savepoint, so two concurrent
//! deliveries of one session cannot both count as new. A file database runs in WAL mode
//! with `synchronous=FULL`.
//!
//! One writer thread owns the connection and commits in groups: it takes every job
//! waiting in its queue (up to [`MAX_BATCH`]), runs each in its own savepoint, commits
//! them in one transaction (one fsync), and only then answers each caller. So once
//! [`Store::record`] returns, the row survives a crash or a SIGKILL of the process, and a
//! busy receiver pays one fsync per batch instead of one per delivery.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::oneshot;

/// The most jobs one transaction commits.
pub const MAX_BATCH: usize = 256;

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
    /// The transaction holding the query could not commit: nothing of it was kept.
    #[error("commit to the database: {0}")]
    Commit(String),
    /// The writer thread is gone (it could not start or the store is closing).
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

/// Work for the writer thread: runs in a savepoint (or not at all, given `None` when no
/// transaction could begin) and returns how to answer its caller once the batch's commit
/// is known.
type Job = Box<dyn FnOnce(Option<&Connection>) -> Answer + Send>;
/// Answers a caller with the commit's outcome (`Err` carries the commit error).
type Answer = Box<dyn FnOnce(Result<(), String>) + Send>;

/// A handle to the database; cheap to clone. The writer thread stops when the last
/// handle is dropped.
#[derive(Clone)]
pub struct Store {
    jobs: mpsc::Sender<Job>,
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
    /// Opens (or creates) the database and its schema, and starts its writer thread.
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
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("hookcheck-store".into())
            .spawn(move || write_batches(&conn, &queue))
            .map_err(|e| StoreError::Open {
                path,
                reason: format!("start the writer thread: {e}"),
            })?;
        Ok(Store { jobs })
    }

    /// Records one valid delivery and, per `dedupe`, its side effect. Returns once the
    /// transaction holding it is committed (durable for a file database).
    pub async fn record(
        &self,
        session_id: &str,
        status: &str,
        body: bytes::Bytes,
        dedupe: Dedupe,
    ) -> Result<Recorded, StoreError> {
        let (id, status) = (session_id.to_owned(), status.to_owned());
        let known = match dedupe {
            Dedupe::Once | Dedupe::Never => None,
            Dedupe::Racy(window) => {
                let check_id = id.clone();
                let known = self
                    .run(move |conn| {
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
                Some(known)
            }
        };
        self.run(move |conn| {
            let inserted = insert_delivery(conn, &id, &status, &body)?;
            let new = known.map_or(inserted, |known| !known);
            if new || dedupe == Dedupe::Never {
                insert_effect(conn, &id, &status)?;
            }
            Ok(if new {
                Recorded::New
            } else {
                Recorded::Duplicate
            })
        })
        .await
    }

    /// Records a side effect with no delivery row (the `effect-for-invalid` defect).
    pub async fn record_effect_only(
        &self,
        session_id: &str,
        status: &str,
    ) -> Result<(), StoreError> {
        let (id, status) = (session_id.to_owned(), status.to_owned());
        self.run(move |conn| insert_effect(conn, &id, &status).map(|_| ()))
            .await
    }

    /// How many side effects a session has caused (SPEC §4).
    pub async fn effect_count(&self, session_id: &str) -> Result<u64, StoreError> {
        let id = session_id.to_owned();
        self.run(move |conn| {
            conn.query_row(
                "SELECT count(*) FROM effects WHERE session_id = ?1",
                params![id],
                |row| row.get::<_, i64>(0),
            )
        })
        .await
        .map(|n| u64::try_from(n).unwrap_or(0))
    }

    /// Queues `work` for the writer thread and waits until its batch has committed. A
    /// queued job runs and commits even if the caller is dropped meanwhile.
    async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let outcome = conn.map(|conn| in_savepoint(conn, work));
            Box::new(move |committed: Result<(), String>| {
                let _ = reply.send(match (committed, outcome) {
                    (Ok(()), Some(outcome)) => outcome,
                    (Err(reason), _) => Err(StoreError::Commit(reason)),
                    (Ok(()), None) => Err(StoreError::Commit("no transaction began".into())),
                });
            })
        });
        self.jobs
            .send(job)
            .map_err(|_| StoreError::Task("the database writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Task("the database writer stopped mid-batch".into()))?
    }
}

/// The writer thread: one transaction per batch of waiting jobs, answers after commit.
fn write_batches(conn: &Connection, queue: &mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let begun = conn.execute_batch("BEGIN IMMEDIATE").is_ok();
        let answers: Vec<Answer> = batch
            .into_iter()
            .map(|job| job(begun.then_some(conn)))
            .collect();
        let committed = if begun {
            conn.execute_batch("COMMIT")
                .map_err(|e| e.to_string().to_lowercase())
        } else {
            Err("could not begin a transaction".to_owned())
        };
        if committed.is_err() {
            // Leaves no transaction open for the next batch; fails harmlessly if none is.
            let _ = conn.execute_batch("ROLLBACK");
        }
        for answer in answers {
            answer(committed.clone());
        }
    }
}

/// Runs `work` in a savepoint: on error only its own writes are undone, not the batch's.
/// A panicking job is caught and reported as an error, so the writer thread survives it.
fn in_savepoint<T>(
    conn: &Connection,
    work: impl FnOnce(&Connection) -> Result<T, rusqlite::Error>,
) -> Result<T, StoreError> {
    conn.execute_batch("SAVEPOINT job")?;
    let outcome = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(conn))) {
        Ok(done) => done.map_err(StoreError::from),
        Err(_) => Err(StoreError::Task("a database job panicked".into())),
    };
    let closed = match outcome {
        Ok(_) => conn.execute_batch("RELEASE job"),
        Err(_) => conn.execute_batch("ROLLBACK TO job; RELEASE job"),
    };
    closed.map_err(StoreError::from).and(outcome)
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
    let changed = conn
        .prepare_cached(
            "INSERT INTO deliveries (session_id, status, body, received_at)
         VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
         ON CONFLICT (session_id) DO NOTHING",
        )?
        .execute(params![session_id, status, body])?;
    Ok(changed == 1)
}

fn insert_effect(
    conn: &Connection,
    session_id: &str,
    status: &str,
) -> Result<usize, rusqlite::Error> {
    conn.prepare_cached(
        "INSERT INTO effects (session_id, status, recorded_at)
         VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
    )?
    .execute(params![session_id, status])
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
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let (mode, sync) = runtime
            .block_on(store.run(|conn| {
                let mode: String = conn.query_row("PRAGMA journal_mode", [], |row| row.get(0))?;
                let sync: i64 = conn.query_row("PRAGMA synchronous", [], |row| row.get(0))?;
                Ok((mode, sync))
            }))
            .unwrap();
        assert_eq!((mode.as_str(), sync), ("wal", 2), "2 is FULL");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_deliveries_commit_in_groups_and_count_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&StoreLocation::File(dir.path().join("r.db"))).unwrap();
        let tasks: Vec<_> = (0..64)
            .map(|n| {
                let store = store.clone();
                tokio::spawn(async move {
                    let id = format!("s{}", n % 16);
                    store
                        .record(&id, "COMPLETED", bytes::Bytes::new(), Dedupe::Once)
                        .await
                })
            })
            .collect();
        let mut new = 0;
        for task in tasks {
            if task.await.unwrap().unwrap() == Recorded::New {
                new += 1;
            }
        }
        assert_eq!(new, 16, "one new delivery per distinct session");
        for n in 0..16 {
            assert_eq!(store.effect_count(&format!("s{n}")).await.unwrap(), 1);
        }
    }

    #[tokio::test]
    async fn a_failing_job_leaves_the_rest_of_its_batch_committed() {
        let store = Store::open(&StoreLocation::Memory).unwrap();
        let failing = store.run(|conn| conn.execute_batch("INSERT INTO no_such_table VALUES (1)"));
        let fine = store.record("s1", "COMPLETED", bytes::Bytes::new(), Dedupe::Once);
        let (failed, recorded) = tokio::join!(failing, fine);
        assert!(matches!(failed, Err(StoreError::Query(_))), "{failed:?}");
        assert_eq!(recorded.unwrap(), Recorded::New);
        assert_eq!(store.effect_count("s1").await.unwrap(), 1);
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
