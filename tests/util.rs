//! Helpers that keep each end-to-end test a few lines long.
#![allow(dead_code)]

use std::process::Command;

/// A command for the built `hookcheck` binary.
pub fn hookcheck() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hookcheck"))
}

/// A running `hookcheck serve` child process, killed when dropped.
pub struct Served {
    /// The child process.
    pub child: std::process::Child,
    /// The announced delivery URL, e.g. `http://127.0.0.1:40123/webhook`.
    pub webhook_url: String,
    /// The announced effects URL template, containing `{sessionId}`.
    pub effects_template: String,
    /// Every line printed on stdout at start.
    pub announced: Vec<String>,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

/// Starts `hookcheck serve ARGS` and waits (up to 20 s) for it to announce its URLs.
/// Panics with its stderr if it exits or stays silent.
pub fn serve(args: &[&str]) -> Served {
    use std::io::BufRead;
    use std::process::Stdio;
    use std::sync::{Arc, Mutex, mpsc};
    use std::time::Duration;

    let mut child = hookcheck()
        .arg("serve")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hookcheck starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    let (lines_tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let log = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let mut log = sink.lock().unwrap_or_else(|p| p.into_inner());
            log.push_str(&line);
            log.push('\n');
        }
    });
    let mut announced = Vec::new();
    while !announced
        .iter()
        .any(|l: &String| l.starts_with("effects at "))
    {
        match lines.recv_timeout(Duration::from_secs(20)) {
            Ok(line) => announced.push(line),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                std::thread::sleep(Duration::from_millis(100));
                panic!(
                    "hookcheck serve {args:?} did not announce its URLs; stdout {announced:?}, stderr:\n{}",
                    log.lock().unwrap_or_else(|p| p.into_inner())
                );
            }
        }
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
        stderr: log,
    }
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
    pub fn sigterm(&mut self) -> std::process::ExitStatus {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill(1) runs");
        assert!(status.success());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
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
