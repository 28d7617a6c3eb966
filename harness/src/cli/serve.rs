//! `hookcheck serve`: the reference receiver on a socket.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::builder::PossibleValue;

use crate::cli::profile::ProfileArgs;
use crate::cli::serve_profile::{defect_names, defect_of, mode_lines, standard_webhooks};
use crate::cli::{AuthArg, CliError, arg_default, duration_default, parse_duration};
use crate::exit_codes;
use crate::receiver::{
    AckStatus, Choices, DEFAULT_ANSWER_DELAY, DEFAULT_BODY_LIMIT, DEFAULT_DEDUPE_EXPIRY,
    DEFAULT_SHUTDOWN_TIMEOUT, DEFAULT_SLOW_DELAY, PostgresUrl, Receiver, ReceiverConfig,
    ReceiverError, RunningReceiver, SERVE_ADDR, SERVE_DATABASE, Signing, StoreLocation,
};
use crate::transport::tls::TlsSource;

/// Shown after `hookcheck serve --help`.
const SERVE_NOTES: &str = "\
With --profile standard-webhooks --secret whsec_... (or $HOOKCHECK_SECRET) it verifies Standard
Webhooks signatures (STANDARD-WEBHOOKS.md: 400 missing header, 401 bad signature or a timestamp
more than 5 minutes off) and dedupes on webhook-id, whose effects the effects route counts;
--auth and the choices flags then do not apply, and --defect takes that profile's names.
Routes: POST /webhook (deliveries), GET /_test/effects/{sessionId} ({\"count\": N}), GET /healthz.
On start it prints `listening on URL`, `effects at TEMPLATE` and, with --tls-self-signed, the
certificate to trust, where processed sessions are kept, the body limit and any choices or defect;
one line per delivery goes to stderr (never the auth value), none with --quiet.
Processed sessions survive restarts in --db (default hookcheck-receiver.db, in the current
folder); --memory forgets them on exit. --db postgres://USER:PASSWORD@HOST:PORT/DB keeps them in
PostgreSQL instead, where any number of `serve` processes (replicas) share them; the password is
never printed.
Exit codes: 0 stopped by SIGINT/SIGTERM, 2 bad arguments (a --db URL that cannot be parsed,
a missing or malformed --secret),
3 port in use, bad certificate, database that cannot be opened or reached.";

/// Arguments of `hookcheck serve`.
///
/// Serves `POST /webhook`, `GET /_test/effects/{sessionId}` (answering `{"count": N}`)
/// and `GET /healthz`. Processed sessions are kept in the SQLite file given by `--db`
/// (default `hookcheck-receiver.db` in the current folder), so duplicates are recognised
/// across restarts; `--memory` keeps them in memory instead. Stops cleanly, exit code 0,
/// on SIGINT or SIGTERM.
#[derive(Debug, clap::Args)]
#[command(after_long_help = SERVE_NOTES)]
pub struct ServeArgs {
    #[command(flatten)]
    pub profile: ProfileArgs,

    /// Address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value_t = SERVE_ADDR)]
    pub listen: SocketAddr,

    /// Require this header on every delivery, as `Name: value` (the value is never printed).
    #[arg(
        long,
        value_name = "'NAME: VALUE'",
        env = AuthArg::ENV,
        hide_env_values = true
    )]
    pub auth: Option<AuthArg>,

    /// SQLite file that records processed sessions (created if missing), or a
    /// `postgres://` URL of a database that every replica shares.
    #[arg(long, value_name = "PATH|URL", default_value = SERVE_DATABASE)]
    pub db: DbArg,

    /// Keep processed sessions in memory instead of a file (forgotten on exit).
    #[arg(long, conflicts_with = "db")]
    pub memory: bool,

    /// Serve HTTPS with this PEM certificate chain (needs --tls-key).
    #[arg(long, value_name = "CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Serve HTTPS with a certificate generated for localhost, 127.0.0.1 and ::1, written
    /// to DIR/cert.pem (trust this one) and DIR/key.pem.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["tls_cert", "tls_key"])]
    pub tls_self_signed: Option<PathBuf>,

    /// Break one requirement on purpose (the list is below, under --help; those marked
    /// standard-webhooks are that profile's).
    #[arg(long, value_name = "NAME", value_parser = defect_names())]
    pub defect: Option<String>,

    /// Largest body accepted, in bytes or with a unit (256KiB, 1MiB); larger ones get 413.
    #[arg(long, value_name = "SIZE", default_value = arg_default!(size_arg, DEFAULT_BODY_LIMIT), value_parser = parse_body_limit)]
    pub body_limit: usize,

    /// The 2xx a valid delivery gets: 200 or 202 with {"duplicate": bool}, 204 with no body.
    #[arg(
        long,
        value_name = "CODE",
        default_value_t = AckStatus::default(),
        conflicts_with = "async_processing"
    )]
    pub ack_status: AckStatus,

    /// Accept (2xx) and process off-contract input (another field missing or of the wrong
    /// type, another content type) instead of 422/415; unprocessable input is still refused.
    #[arg(long)]
    pub accept_off_contract: bool,

    /// Answer 2xx and record nothing for an otherwise valid body with an unknown status,
    /// instead of 422.
    #[arg(long)]
    pub ignore_unknown_status: bool,

    /// Delay every answer to a delivery by this much (e.g. 400ms).
    #[arg(long, value_name = "DURATION", default_value = duration_default!(DEFAULT_ANSWER_DELAY), value_parser = parse_duration)]
    pub delay: Duration,

    /// Answer 202 at once and record the effect about 300 ms later, in the background.
    #[arg(long)]
    pub async_processing: bool,

    /// With --async-processing: record the effect this long after the answer instead
    /// (e.g. 1500ms), as a queue that is behind does.
    #[arg(long, value_name = "DURATION", requires = "async_processing", value_parser = parse_duration)]
    pub async_delay: Option<Duration>,

    /// How long the slow-cancelled and slow-completed defects wait before answering.
    #[arg(long, value_name = "DURATION", default_value = duration_default!(DEFAULT_SLOW_DELAY), value_parser = parse_duration)]
    pub slow_delay: Duration,

    /// How long the dedupe-expires defect remembers a session (a message, under
    /// --profile standard-webhooks).
    #[arg(long, value_name = "DURATION", default_value = duration_default!(DEFAULT_DEDUPE_EXPIRY), value_parser = parse_duration)]
    pub dedupe_expiry: Duration,

    /// How long shutdown waits for open requests before closing them.
    #[arg(long, value_name = "DURATION", default_value = duration_default!(DEFAULT_SHUTDOWN_TIMEOUT), value_parser = parse_duration)]
    pub shutdown_timeout: Duration,

    /// No line per delivery on stderr (the start-up lines are still printed on stdout).
    #[arg(long, short)]
    pub quiet: bool,
}

/// Where `--db` keeps processed sessions. A URL that cannot be parsed is kept as its
/// (redacted) error and reported by [`ServeArgs::to_config`], so that clap never echoes it.
#[derive(Debug, Clone)]
pub enum DbArg {
    /// A SQLite file.
    File(PathBuf),
    /// A PostgreSQL database.
    Postgres(PostgresUrl),
    /// A `postgres://` text that is not a valid URL.
    Invalid(crate::receiver::PostgresUrlError),
}

impl std::str::FromStr for DbArg {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(if PostgresUrl::is_postgres(text) {
            match PostgresUrl::parse(text) {
                Ok(url) => DbArg::Postgres(url),
                Err(e) => DbArg::Invalid(e),
            }
        } else {
            DbArg::File(PathBuf::from(text))
        })
    }
}

impl std::fmt::Display for DbArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbArg::File(path) => write!(f, "{}", path.display()),
            DbArg::Postgres(url) => write!(f, "{url}"),
            DbArg::Invalid(e) => write!(f, "{e}"),
        }
    }
}

impl clap::ValueEnum for AckStatus {
    fn value_variants<'a>() -> &'a [Self] {
        &AckStatus::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.as_str()))
    }
}

/// A size as `--body-limit` takes it: `1MiB`, `256KiB`, or bytes.
fn size_arg(bytes: usize) -> String {
    match bytes {
        n if n % MIB == 0 => format!("{}MiB", n / MIB),
        n if n % KIB == 0 => format!("{}KiB", n / KIB),
        n => n.to_string(),
    }
}

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

/// Bytes, or a number with a unit: `B`, `KiB`, `MiB` (case-insensitive).
fn parse_body_limit(text: &str) -> Result<usize, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (digits, unit) = trimmed.split_at(split);
    let scale: usize = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kib" => KIB,
        "mib" => MIB,
        _ => {
            return Err(format!(
                "`{text}` is not a size like 262144, 256KiB or 1MiB"
            ));
        }
    };
    match digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
    {
        Some(0) => Err("the body limit must be at least 1 byte".into()),
        Some(n) => Ok(n),
        None => Err(format!(
            "`{text}` is not a size like 262144, 256KiB or 1MiB"
        )),
    }
}

impl ServeArgs {
    /// The receiver configuration these arguments describe.
    pub fn to_config(&self) -> Result<ReceiverConfig, CliError> {
        let mut config = ReceiverConfig::default()
            .listen(self.listen)
            .body_limit(self.body_limit)
            .slow_delay(self.slow_delay)
            .dedupe_expiry(self.dedupe_expiry)
            .shutdown_timeout(self.shutdown_timeout);
        config.store = match &self.db {
            _ if self.memory => StoreLocation::Memory,
            DbArg::File(path) => StoreLocation::File(path.clone()),
            DbArg::Postgres(url) => StoreLocation::Postgres(url.clone()),
            DbArg::Invalid(e) => return Err(CliError::Usage(format!("invalid --db: {e}"))),
        };
        if let Some(auth) = &self.auth {
            let auth = auth
                .parse()
                .map_err(|e| CliError::Usage(format!("invalid --auth: {e}")))?;
            config = config.auth(auth);
        }
        config.tls = match (&self.tls_cert, &self.tls_key, &self.tls_self_signed) {
            (Some(cert), Some(key), _) => Some(TlsSource::Files {
                cert: cert.clone(),
                key: key.clone(),
            }),
            (_, _, Some(dir)) => Some(TlsSource::SelfSigned { dir: dir.clone() }),
            _ => None,
        };
        let (profile, defect) = (self.profile.profile, self.defect.as_deref());
        match self.profile.secret()? {
            Some(secret) => {
                let choices = self.choices();
                standard_webhooks(
                    config,
                    Signing::new(secret),
                    self.auth.is_some(),
                    choices,
                    defect,
                )
            }
            None => {
                config.defect = defect_of(profile, defect)?;
                config.choices = self.choices();
                Ok(config)
            }
        }
    }

    /// The legitimate choices these arguments make.
    pub fn choices(&self) -> Choices {
        let choices = Choices::default()
            .ack(self.ack_status)
            .accept_off_contract(self.accept_off_contract)
            .ignore_unknown_status(self.ignore_unknown_status)
            .delay(self.delay)
            .async_processing(self.async_processing);
        match self.async_delay {
            Some(delay) => choices.async_delay(delay),
            None => choices,
        }
    }
}

/// A receiver that cannot start: the port, the certificate or the database.
fn unavailable(error: &ReceiverError) -> CliError {
    match error {
        ReceiverError::Bind { .. } | ReceiverError::Tls(_) | ReceiverError::Store(_) => {
            CliError::Unavailable(error.to_string())
        }
    }
}

/// Runs `hookcheck serve` until SIGINT or SIGTERM.
pub async fn run(args: ServeArgs) -> i32 {
    let config = match args.to_config() {
        Ok(config) => config,
        Err(e) => return e.report(),
    };
    let mode = mode_lines(&config);
    let config = if args.quiet {
        config
    } else {
        config.on_delivery(|log| eprintln!("delivery {log}"))
    };
    let receiver = match Receiver::start(config).await {
        Ok(receiver) => receiver,
        Err(e) => return unavailable(&e).report(),
    };
    let announcement = announcement(&args, &receiver, &mode);
    let mut stdout = std::io::stdout().lock();
    // A closed stdout must not stop the server; the URL is also derivable from --listen.
    let _ = stdout.write_all(announcement.as_bytes());
    let _ = stdout.flush();
    drop(stdout);

    if let Err(e) = stop_signal().await {
        receiver.shutdown().await;
        return CliError::Unavailable(format!("failed to listen for signals: {e}")).report();
    }
    eprintln!("shutting down");
    receiver.shutdown().await;
    exit_codes::OK
}

/// What `serve` prints on stdout once it listens: where to send, where effects are counted,
/// where processed sessions are kept, the body limit, and any choice or defect.
fn announcement(args: &ServeArgs, receiver: &RunningReceiver, mode: &[String]) -> String {
    let mut lines = vec![
        format!("listening on {}", receiver.webhook_url()),
        format!("effects at {}", receiver.effects_url_template()),
    ];
    if let (Some(path), Some(_)) = (receiver.cert_path(), &args.tls_self_signed) {
        lines.push(format!("trust the certificate at {}", path.display()));
    }
    lines.push(match &args.db {
        _ if args.memory => "processed sessions kept in memory (forgotten on exit)".to_string(),
        DbArg::Postgres(url) => format!(
            "processed sessions recorded in PostgreSQL at {url} (shared by every replica, kept across restarts)"
        ),
        db => format!("processed sessions recorded in {db} (kept across restarts)"),
    });
    lines.push(format!("body limit {} bytes", args.body_limit));
    if args.choices() != Choices::default() {
        lines.push(format!("choices: {}", args.choices()));
    }
    lines.extend_from_slice(mode);
    lines.iter().map(|line| format!("{line}\n")).collect()
}

/// Resolves on the first SIGINT or SIGTERM.
async fn stop_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::cli::{Cli, Command};
    use crate::receiver::ReceiverConfig;

    fn serve(args: &[&str]) -> Result<super::ServeArgs, clap::Error> {
        let argv = ["hookcheck", "serve"].iter().chain(args);
        match Cli::try_parse_from(argv)?.command {
            Command::Serve(args) => Ok(args),
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let args = serve(&[]).unwrap();
        assert_eq!(args.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(args.db.to_string(), "hookcheck-receiver.db");
        assert_eq!(args.body_limit, 1024 * 1024);
        // With no flag, the receiver is configured as the library's default one.
        let (config, library) = (args.to_config().unwrap(), ReceiverConfig::default());
        assert_eq!(config.body_limit, library.body_limit);
        assert_eq!(config.slow_delay, library.slow_delay);
        assert_eq!(config.dedupe_expiry, library.dedupe_expiry);
        assert_eq!(config.shutdown_timeout, library.shutdown_timeout);
        assert_eq!(config.choices, library.choices);
    }

    #[test]
    fn unknown_defect_lists_the_valid_names() {
        let err = serve(&["--defect", "nope"]).unwrap_err().to_string();
        assert!(
            err.contains("racy-dedupe") && err.contains("serial"),
            "{err}"
        );
    }

    #[test]
    fn malformed_auth_error_does_not_echo_the_value() {
        let args = serve(&["--auth", "X-Key s3cret-value"]).unwrap();
        let err = args.to_config().unwrap_err().to_string();
        assert!(!err.contains("s3cret-value"), "{err}");
        assert!(!format!("{args:?}").contains("s3cret-value"));
    }

    #[test]
    fn a_body_limit_reads_as_bytes_or_with_a_unit() {
        assert_eq!(
            serve(&["--body-limit", "256KiB"]).unwrap().body_limit,
            262_144
        );
        assert_eq!(
            serve(&["--body-limit", "262144"]).unwrap().body_limit,
            262_144
        );
        assert_eq!(
            serve(&["--body-limit", "2mib"]).unwrap().body_limit,
            2 << 20
        );
        assert!(serve(&["--body-limit", "256KB"]).is_err());
        assert!(serve(&["--body-limit", "0KiB"]).is_err());
        assert!(serve(&["--body-limit", "99999999999999999999MiB"]).is_err());
    }

    #[test]
    fn choices_reach_the_receiver_config() {
        let args = serve(&[
            "--ack-status",
            "204",
            "--accept-off-contract",
            "--ignore-unknown-status",
            "--delay",
            "400ms",
        ])
        .unwrap();
        let choices = args.to_config().unwrap().choices;
        assert_eq!(choices.ack, crate::receiver::AckStatus::NoContent);
        assert!(choices.accept_off_contract && choices.ignore_unknown_status);
        assert_eq!(choices.delay, std::time::Duration::from_millis(400));
        assert!(serve(&["--ack-status", "201"]).is_err());
        assert!(serve(&["--async-processing", "--ack-status", "204"]).is_err());
    }

    #[test]
    fn a_postgres_db_is_never_shown_with_its_password() {
        let args = serve(&["--db", "postgres://app:s3cret@127.0.0.1:5432/hooks"]).unwrap();
        assert!(matches!(args.db, super::DbArg::Postgres(_)));
        assert!(!format!("{args:?}").contains("s3cret"));
        let store = format!("{:?}", args.to_config().unwrap().store);
        assert!(
            store.contains("app:***@") && !store.contains("s3cret"),
            "{store}"
        );
        let bad = serve(&["--db", "postgres://app:s3cret@h:port/db"]).unwrap();
        let err = bad.to_config().unwrap_err();
        assert_eq!(err.exit_code(), crate::exit_codes::USAGE);
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }

    #[test]
    fn memory_and_db_conflict() {
        assert!(serve(&["--memory", "--db", "x.db"]).is_err());
        assert!(serve(&["--tls-cert", "c.pem"]).is_err());
    }
}
