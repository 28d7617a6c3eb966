//! The embedded SQLite backend: one process, in memory or in a file.
//!
//! `deliveries.session_id` is the PRIMARY KEY, and a delivery is recorded with
//! `INSERT … ON CONFLICT DO NOTHING` and its effect in one savepoint. A file database runs
//! in WAL mode with `synchronous=FULL`.
//!
//! One writer thread owns the connection and commits in groups: it takes every job
//! waiting in its queue (up to [`MAX_BATCH`]), runs each in its own savepoint, commits
//! them in one transaction (one fsync), and only then answers each caller. So once a
//! record returns, the row survives a crash or a SIGKILL of the process, and a busy
//! receiver pays one fsync per batch instead of one per delivery.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::oneshot;

use super::{Effect, StoreError, StoreLocation};

/// The most jobs one transaction commits.
const MAX_BATCH: usize = 256;

/// Work for the writer thread: runs in a savepoint (or not at all, given `None` when no
/// transaction could begin) and returns how to answer its caller once the batch's commit
/// is known.
type Job = Box<dyn FnOnce(Option<&Connection>) -> Answer + Send>;
/// Answers a caller with the commit's outcome (`Err` carries the commit error).
type Answer = Box<dyn FnOnce(Result<(), String>) + Send>;

/// A handle to the database; cheap to clone. The writer thread stops when the last
/// handle is dropped.
#[derive(Clone)]
pub struct Sqlite {
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Sqlite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sqlite")
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

impl Sqlite {
    /// Opens (or creates) the database and its schema, and starts its writer thread.
    /// `location` is not PostgreSQL.
    pub fn open(location: &StoreLocation) -> Result<Sqlite, StoreError> {
        let (path, opened) = match location {
            StoreLocation::File(path) => (path.clone(), Connection::open(path)),
            StoreLocation::Memory | StoreLocation::Postgres(_) => {
                (PathBuf::from(":memory:"), Connection::open_in_memory())
            }
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
        Ok(Sqlite { jobs })
    }

    /// Inserts the delivery row and, per `effect`, an effect, in one savepoint of the
    /// batch's transaction; whether the row was new.
    pub async fn deliver(
        &self,
        session_id: &str,
        status: &str,
        body: bytes::Bytes,
        effect: Effect,
    ) -> Result<bool, StoreError> {
        let (id, status) = (session_id.to_owned(), status.to_owned());
        self.run(move |conn| {
            let inserted = insert_delivery(conn, &id, &status, &body)?;
            if effect.applies(inserted) {
                insert_effect(conn, &id, &status)?;
            }
            Ok(inserted)
        })
        .await
    }

    /// Whether the session has a delivery row.
    pub async fn contains(&self, session_id: &str) -> Result<bool, StoreError> {
        let id = session_id.to_owned();
        self.run(move |conn| {
            conn.query_row(
                "SELECT 1 FROM deliveries WHERE session_id = ?1",
                params![id],
                |_| Ok(()),
            )
            .optional()
        })
        .await
        .map(|found| found.is_some())
    }

    /// An effect unless the session has a delivery row, in one savepoint; whether it had none.
    pub async fn effect_unless_delivered(
        &self,
        session_id: &str,
        status: &str,
    ) -> Result<bool, StoreError> {
        let (id, status) = (session_id.to_owned(), status.to_owned());
        self.run(move |conn| {
            conn.execute(
                "INSERT INTO effects (session_id, status, recorded_at)
                 SELECT ?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                 WHERE NOT EXISTS (SELECT 1 FROM deliveries WHERE session_id = ?1)",
                params![id, status],
            )
            .map(|added| added == 1)
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
    use super::super::{Dedupe, Recorded, Store};
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
        let store = Sqlite::open(&StoreLocation::File(dir.path().join("r.db"))).unwrap();
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
        let store = Sqlite::open(&StoreLocation::Memory).unwrap();
        let failing = store.run(|conn| conn.execute_batch("INSERT INTO no_such_table VALUES (1)"));
        let fine = store.deliver("s1", "COMPLETED", bytes::Bytes::new(), Effect::IfNew);
        let (failed, recorded) = tokio::join!(failing, fine);
        assert!(matches!(failed, Err(StoreError::Query(_))), "{failed:?}");
        assert!(recorded.unwrap(), "new");
        assert_eq!(store.effect_count("s1").await.unwrap(), 1);
    }

    #[test]
    fn unopenable_database_is_a_typed_error() {
        let dir = tempfile::tempdir().unwrap();
        let err =
            Sqlite::open(&StoreLocation::File(dir.path().join("no/such/dir/r.db"))).unwrap_err();
        assert!(matches!(err, StoreError::Open { .. }), "{err}");
        assert!(err.to_string().starts_with("open database "), "{err}");
    }
}
