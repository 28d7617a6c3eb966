//! The built `hookcheck` binary as a child process.
//!
//! Cargo tells only the tests of the `hookcheck` package where the binary is
//! (`CARGO_BIN_EXE_hookcheck`), so a test names it once:
//! `Binary::new(env!("CARGO_BIN_EXE_hookcheck"))`.

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// The built binary under test.
#[derive(Debug, Clone, Copy)]
pub struct Binary {
    path: &'static str,
}

/// What one process did.
#[derive(Debug)]
pub struct Ran {
    /// Its exit code.
    pub code: i32,
    /// Everything it printed on stdout.
    pub stdout: String,
    /// Everything it printed on stderr.
    pub stderr: String,
    /// From start to exit.
    pub took: Duration,
}

impl Binary {
    /// The binary at `path`.
    pub const fn new(path: &'static str) -> Binary {
        Binary { path }
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        Path::new(self.path)
    }

    /// A command for it, to give arguments and run.
    pub fn command(&self) -> Command {
        Command::new(self.path)
    }

    /// Runs it with `args` and `env` without blocking the runtime (in-process servers keep
    /// serving); it is killed, and the test panics, if it outlives `bound`.
    pub async fn run(&self, args: &[&str], env: &[(&str, &str)], bound: Duration) -> Ran {
        let mut command = tokio::process::Command::new(self.path);
        command
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .kill_on_drop(true);
        let started = Instant::now();
        let output = tokio::time::timeout(bound, command.output())
            .await
            .unwrap_or_else(|_| panic!("hookcheck {args:?} did not end within {bound:?}"))
            .expect("hookcheck starts");
        Ran {
            code: output.status.code().expect("an exit code, not a signal"),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            took: started.elapsed(),
        }
    }

    /// Starts `hookcheck serve ARGS` and waits (up to 20 s) for it to announce its URLs.
    /// Panics with its stderr if it exits or stays silent.
    pub fn serve(&self, args: &[&str]) -> Served {
        let mut child = self
            .command()
            .arg("serve")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("hookcheck starts");
        let lines = lines_of(child.stdout.take().expect("piped stdout"));
        let stderr = collected(child.stderr.take().expect("piped stderr"));
        let mut announced = Vec::new();
        while !announced
            .iter()
            .any(|l: &String| l.starts_with("effects at "))
        {
            let Ok(line) = lines.recv_timeout(Duration::from_secs(20)) else {
                let _ = child.kill();
                let _ = child.wait();
                std::thread::sleep(Duration::from_millis(100));
                panic!(
                    "hookcheck serve {args:?} did not announce its URLs; stdout {announced:?}, stderr:\n{}",
                    stderr.lock().unwrap_or_else(|p| p.into_inner())
                );
            };
            announced.push(line);
        }
        // Lines written together with the first two (the certificate to trust).
        while let Ok(line) = lines.recv_timeout(Duration::from_millis(200)) {
            announced.push(line);
        }
        let find = |prefix: &str| {
            announced
                .iter()
                .find_map(|l| l.strip_prefix(prefix))
                .map(str::to_owned)
                .unwrap_or_default()
        };
        Served {
            webhook_url: find("listening on "),
            effects_template: find("effects at "),
            announced,
            child,
            stderr,
        }
    }
}

/// The lines a pipe brings, as they come, read on a thread of their own.
fn lines_of(pipe: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (lines_tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    lines
}

/// Everything a pipe brings, collected on a thread of its own.
fn collected(pipe: impl std::io::Read + Send + 'static) -> Arc<Mutex<String>> {
    let log = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
            let mut log = sink.lock().unwrap_or_else(|p| p.into_inner());
            log.push_str(&line);
            log.push('\n');
        }
    });
    log
}

/// A running `hookcheck serve` child process, killed when dropped.
pub struct Served {
    /// The child process.
    pub child: Child,
    /// The announced delivery URL, e.g. `http://127.0.0.1:40123/webhook`.
    pub webhook_url: String,
    /// The announced effects URL template, containing `{sessionId}`.
    pub effects_template: String,
    /// Every line printed on stdout at start.
    pub announced: Vec<String>,
    stderr: Arc<Mutex<String>>,
}

impl Served {
    /// The effects URL of one session.
    pub fn effects_url(&self, session_id: &str) -> String {
        self.effects_template.replace("{sessionId}", session_id)
    }

    /// Everything printed on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Kills the process with SIGKILL (what `Child::kill` sends on Unix) and reaps it.
    pub fn sigkill(&mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("reap");
    }

    /// Sends SIGTERM and waits up to 10 s for the exit status.
    pub fn sigterm(&mut self) -> ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill(1) runs");
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("hookcheck serve did not stop within 10 s of SIGTERM");
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `curl` is on the PATH: repro-line tests run the lines they check with it, and
/// say they were skipped where it is missing. Under `HOOKCHECK_REQUIRE_TOOLS` (`.ci/run`
/// installs curl and dash, then sets it) a missing curl fails the test instead.
pub fn curl_installed() -> bool {
    let found = Command::new("sh")
        .args(["-c", "command -v curl"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found || std::env::var_os("HOOKCHECK_REQUIRE_TOOLS").is_none(),
        "HOOKCHECK_REQUIRE_TOOLS is set but curl is not installed"
    );
    found
}

/// Whether `python3` can import `module` (the official `standardwebhooks` package, for the
/// interoperability tests), skipping like [`curl_installed`]: under `HOOKCHECK_REQUIRE_TOOLS`
/// (`.ci/run` installs the package, then sets it) a missing module fails the test instead.
pub fn python_module_installed(module: &str) -> bool {
    let found = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found || std::env::var_os("HOOKCHECK_REQUIRE_TOOLS").is_none(),
        "HOOKCHECK_REQUIRE_TOOLS is set but python3 cannot import {module}"
    );
    if !found {
        eprintln!("skipped: python3 cannot import {module} (pip install {module})");
    }
    found
}
