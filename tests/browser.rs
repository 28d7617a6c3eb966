//! The HTML report in a real headless browser (Debian's `chromium`): the page loads with no
//! console message at all (a script error or a blocked fetch would log one) and its script
//! marks it loaded; a screenshot is kept in the test target folder for a human to look at.
//! Without chromium the test says so and passes, unless `HOOKCHECK_REQUIRE_CHROMIUM` is set
//! (`.ci/run` installs chromium and sets it).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crate::HOOKCHECK;

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Runs chromium headless on `page` with `extra` flags, bounded to a minute.
async fn headless(chromium: &Path, page: &Path, extra: &[String]) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let output = tokio::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(60), output)
        .await
        .expect("chromium ends within a minute")
        .expect("chromium starts");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_html_report_loads_in_headless_chromium_without_console_errors() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var_os("HOOKCHECK_REQUIRE_CHROMIUM").is_none(),
            "HOOKCHECK_REQUIRE_CHROMIUM is set but chromium is not installed"
        );
        eprintln!("skipped: chromium is not installed (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let output = HOOKCHECK
        .command()
        .args([
            "run",
            "--defect",
            "redirects",
            "--timeout",
            "3s",
            "--seed",
            "7",
            "--quick",
            "--quiet",
        ])
        .arg("--html")
        .arg(&page)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));

    let (dom, log) = headless(&chromium, &page, &["--dump-dom".to_owned()]).await;
    assert!(
        dom.contains("data-hookcheck=\"loaded\""),
        "the page's script did not mark it loaded:\n{}\n{log}",
        &dom[..dom.len().min(400)]
    );
    let console: Vec<&str> = log.lines().filter(|l| l.contains("CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    assert!(dom.contains("<svg"), "the latency picture is in the page");

    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hookcheck-report.png");
    let _ = std::fs::remove_file(&shot);
    let flags = [
        format!("--screenshot={}", shot.display()),
        "--window-size=1280,2400".to_owned(),
    ];
    let (_, log) = headless(&chromium, &page, &flags).await;
    let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot ({e}):\n{log}"));
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{} bytes",
        png.len()
    );
    eprintln!("screenshot: {}", shot.display());
}
