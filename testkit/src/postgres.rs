//! A throwaway PostgreSQL cluster for a test: Debian's binaries
//! (`/usr/lib/postgresql/*/bin`), `initdb` into a temporary folder, the server on a free
//! port of 127.0.0.1 with its socket in that folder, stopped and removed when dropped.
//!
//! `initdb` refuses to run as root; as root the cluster runs as the `postgres` user, which
//! owns the folder. Without PostgreSQL, [`TempPostgres::start`] returns None after saying
//! why the test skips, except under `HOOKCHECK_REQUIRE_POSTGRES=1` (as `.ci/run` sets),
//! where it panics.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

/// Set to 1 to fail, not skip, a test that needs PostgreSQL when it is missing.
pub const REQUIRE_ENV: &str = "HOOKCHECK_REQUIRE_POSTGRES";

/// A running cluster; stopped and deleted on drop.
#[derive(Debug)]
pub struct TempPostgres {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl TempPostgres {
    /// Starts a cluster, or returns None (having printed why) when PostgreSQL is not
    /// installed and [`REQUIRE_ENV`] is not 1. Panics if an installed one fails to start.
    pub fn start(test: &str) -> Option<TempPostgres> {
        let Some(bin) = bin_dir() else {
            let required = std::env::var(REQUIRE_ENV).is_ok_and(|v| v == "1");
            assert!(
                !required,
                "{test}: PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb) and {REQUIRE_ENV}=1"
            );
            eprintln!("skipped {test}: PostgreSQL is not installed (apt-get install postgresql)");
            return None;
        };
        Some(TempPostgres::start_in(bin))
    }

    fn start_in(bin: PathBuf) -> TempPostgres {
        let as_postgres = is_root();
        let dir =
            std::env::temp_dir().join(format!("hookcheck-pg-{}-{}", std::process::id(), unique()));
        std::fs::create_dir_all(&dir).expect("a temporary folder for the cluster");
        if as_postgres {
            run(Command::new("chown").arg("postgres:").arg(&dir));
        }
        let cluster = TempPostgres {
            bin,
            dir,
            port: free_port(),
            as_postgres,
        };
        cluster.tool("initdb", |c| {
            c.args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(cluster.data())
        });
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200",
            cluster.port,
            cluster.dir.display()
        );
        cluster.tool("pg_ctl", |c| {
            c.args(["-w", "-t", "60", "-D"])
                .arg(cluster.data())
                .arg("-l")
                .arg(cluster.dir.join("server.log"))
                .args(["-o", &options, "start"])
        });
        cluster
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> String {
        self.database_url("postgres")
    }

    /// The URL of database `name` on this cluster (see [`TempPostgres::create_database`]).
    pub fn database_url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Creates database `name` and returns its URL.
    pub fn create_database(&self, name: &str) -> String {
        self.psql("postgres", &format!("CREATE DATABASE \"{name}\""));
        self.database_url(name)
    }

    /// Runs one SQL command with psql in database `db` and returns what it printed
    /// (unaligned, tuples only).
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let out = self.tool("psql", |c| {
            c.args([
                "-X",
                "-tA",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-U",
            ])
            .args([
                "postgres",
                "-p",
                &self.port.to_string(),
                "-d",
                db,
                "-c",
                sql,
            ])
        });
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// Runs one of the cluster's programs (as `postgres` when we are root); panics with its
    /// output if it fails.
    fn tool(&self, name: &str, args: impl FnOnce(&mut Command) -> &mut Command) -> Output {
        let program = self.bin.join(name);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        command.current_dir(&self.dir);
        run(args(&mut command))
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        let program = self.bin.join("pg_ctl");
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        // Immediate: nothing of a throwaway cluster needs to be flushed.
        let _ = command
            .args(["-w", "-m", "immediate", "-D"])
            .arg(self.data())
            .arg("stop")
            .current_dir(&self.dir)
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The newest `/usr/lib/postgresql/VERSION/bin` that has `initdb`.
fn bin_dir() -> Option<PathBuf> {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn run(command: &mut Command) -> Output {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?} does not start: {e}"));
    assert!(
        out.status.success(),
        "{command:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A port nothing listens on right now.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

fn unique() -> u128 {
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_nanos();
    nanos * 1000 + u128::from(n)
}
