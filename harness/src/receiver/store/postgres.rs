//! The PostgreSQL backend: any number of receiver processes on one database.
//!
//! The pattern done right: the delivery row (`session_id` PRIMARY KEY) and the effect are
//! written in one transaction, the insert `ON CONFLICT (session_id) DO NOTHING` deciding
//! whether the effect happens, and the transaction is committed (durably, with PostgreSQL's
//! default `synchronous_commit`) before the caller answers 2xx. The effects endpoint reads
//! the same tables, so it counts what every replica did.
//!
//! Connections come from a pool (deadpool). TLS goes through rustls with the ring provider
//! and the platform's trust store, used as the URL's `sslmode` says (`prefer` by default).

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::{Effect, PostgresUrl, StoreError};

/// Connections one receiver process keeps at most.
const POOL_SIZE: usize = 16;
/// How long connecting (and waiting for a pooled connection) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The advisory lock that serializes schema creation between receivers starting at once
/// (`CREATE TABLE IF NOT EXISTS` alone can fail when two run concurrently).
const SCHEMA_LOCK: i64 = 0x0068_6f6f_6b63_686b;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS deliveries (
    session_id  TEXT PRIMARY KEY,
    status      TEXT NOT NULL,
    body        BYTEA NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS effects (
    id          BIGSERIAL PRIMARY KEY,
    session_id  TEXT NOT NULL,
    status      TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS effects_by_session ON effects (session_id);
";

/// A pool of connections to one database; cheap to clone.
#[derive(Clone)]
pub struct Postgres {
    pool: Pool,
    url: Arc<PostgresUrl>,
}

impl Postgres {
    /// The pool for `url`; nothing is connected yet.
    pub fn pool(url: &PostgresUrl) -> Result<Postgres, StoreError> {
        let connect_error = |reason: String| StoreError::Connect {
            url: url.to_string(),
            reason,
        };
        let mut config: tokio_postgres::Config = url
            .expose()
            .parse()
            .map_err(|_| connect_error("the URL cannot be parsed".into()))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let manager = Manager::from_config(
            config,
            MakeRustlsConnect::new(tls_config()),
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(CONNECT_TIMEOUT * 2))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|e| connect_error(e.to_string().to_lowercase()))?;
        Ok(Postgres {
            pool,
            url: Arc::new(url.clone()),
        })
    }

    /// Connects once and creates the schema if missing, under an advisory lock.
    pub async fn prepare(&self) -> Result<(), StoreError> {
        let connect_error = |reason: String| StoreError::Connect {
            url: self.url.to_string(),
            reason,
        };
        let mut client = self
            .pool
            .get()
            .await
            .map_err(|e| connect_error(pool_reason(&e)))?;
        let schema = async {
            let tx = client.transaction().await?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])
                .await?;
            tx.batch_execute(SCHEMA).await?;
            tx.commit().await
        };
        schema
            .await
            .map_err(|e| connect_error(format!("set up the schema: {}", reason(&e))))
    }

    async fn client(&self) -> Result<deadpool_postgres::Client, StoreError> {
        self.pool.get().await.map_err(|e| StoreError::Connect {
            url: self.url.to_string(),
            reason: pool_reason(&e),
        })
    }

    /// Inserts the delivery row and, per `effect`, an effect, in one transaction committed
    /// before this returns; whether the row was new.
    pub async fn deliver(
        &self,
        session_id: &str,
        status: &str,
        body: &[u8],
        effect: Effect,
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(query_error)?;
        let insert = tx
            .prepare_cached(
                "INSERT INTO deliveries (session_id, status, body) VALUES ($1, $2, $3)
                 ON CONFLICT (session_id) DO NOTHING",
            )
            .await
            .map_err(query_error)?;
        let inserted = tx
            .execute(&insert, &[&session_id, &status, &body])
            .await
            .map_err(query_error)?
            == 1;
        if effect.applies(inserted) {
            let statement = tx
                .prepare_cached("INSERT INTO effects (session_id, status) VALUES ($1, $2)")
                .await
                .map_err(query_error)?;
            tx.execute(&statement, &[&session_id, &status])
                .await
                .map_err(query_error)?;
        }
        tx.commit()
            .await
            .map_err(|e| StoreError::Commit(reason(&e)))?;
        Ok(inserted)
    }

    /// Whether the session has a delivery row.
    pub async fn contains(&self, session_id: &str) -> Result<bool, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT 1 FROM deliveries WHERE session_id = $1",
                &[&session_id],
            )
            .await
            .map_err(query_error)?;
        Ok(!rows.is_empty())
    }

    /// An effect unless the session has a delivery row, in one statement (its own
    /// transaction); whether it had none.
    pub async fn effect_unless_delivered(
        &self,
        session_id: &str,
        status: &str,
    ) -> Result<bool, StoreError> {
        let client = self.client().await?;
        let added = client
            .execute(
                "INSERT INTO effects (session_id, status) SELECT $1, $2
                 WHERE NOT EXISTS (SELECT 1 FROM deliveries WHERE session_id = $1)",
                &[&session_id, &status],
            )
            .await
            .map_err(query_error)?;
        Ok(added == 1)
    }

    /// Records a side effect with no delivery row.
    pub async fn record_effect_only(
        &self,
        session_id: &str,
        status: &str,
    ) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO effects (session_id, status) VALUES ($1, $2)",
                &[&session_id, &status],
            )
            .await
            .map_err(query_error)?;
        Ok(())
    }

    /// How many side effects a session has caused, by every replica.
    pub async fn effect_count(&self, session_id: &str) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_one(
                "SELECT count(*) FROM effects WHERE session_id = $1",
                &[&session_id],
            )
            .await
            .map_err(query_error)?;
        Ok(u64::try_from(row.get::<_, i64>(0)).unwrap_or(0))
    }
}

/// rustls with ring and the platform's roots; without a trust store, no roots (a server
/// that requires TLS then fails to connect with a TLS error, `sslmode=prefer` goes plain).
fn tls_config() -> rustls::ClientConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions");
    match rustls_platform_verifier::Verifier::new(provider) {
        Ok(verifier) => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth(),
        Err(_) => builder
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth(),
    }
}

fn query_error(error: tokio_postgres::Error) -> StoreError {
    StoreError::Query(reason(&error))
}

/// One line for a driver error: the server's message, or the client's with its cause.
fn reason(error: &tokio_postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return db.message().to_owned();
    }
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text = format!("{text}: {more}");
        }
        source = cause.source();
    }
    text.to_lowercase()
}

fn pool_reason(error: &PoolError) -> String {
    match error {
        PoolError::Backend(e) => reason(e),
        PoolError::Timeout(_) => "timed out".to_owned(),
        other => other.to_string().to_lowercase(),
    }
}
