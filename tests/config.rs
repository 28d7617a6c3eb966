//! End-to-end tests of `hookcheck.toml` and `hookcheck init`: a file drives a run, a flag
//! overrides the file, a mistake is one line naming the file, the line and the key (exit 2),
//! and `init` writes files that parse back without ever replacing a user's file.

use std::path::Path;
use std::process::Output;

use hookcheck::config::{ConfigFile, DEFAULT_FILE, WORKFLOW_FILE};
use hookcheck::receiver::ReceiverConfig;
use hookcheck_testkit::receiver;

use crate::HOOKCHECK;
use crate::run::read_report;

/// `hookcheck ARGS` in the folder `dir`, off the runtime (an in-process receiver serves).
async fn in_dir(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = HOOKCHECK.command();
    command.current_dir(dir).args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_file_drives_a_run_and_a_flag_overrides_its_value() {
    let target =
        receiver::start(ReceiverConfig::default().auth("X-Api-Key: cfg-s3cret".parse().unwrap()))
            .await;
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "target = \"{}\"\nauth_header = \"X-Api-Key\"\nauth_env = \"CI_WEBHOOK_KEY\"\n\
         timeout = \"3s\"\nquick = true\nseed = 11\nonly = [\"auth\"]\njson = \"from-file.json\"\n",
        target.webhook_url()
    );
    std::fs::write(dir.path().join(DEFAULT_FILE), config).unwrap();
    let env = [("CI_WEBHOOK_KEY", "cfg-s3cret")];
    let ran = in_dir(dir.path(), &["run"], &env).await;
    assert_eq!(
        ran.status.code(),
        Some(0),
        "{}\n{}",
        text(&ran.stdout),
        text(&ran.stderr)
    );
    let report = read_report(&dir.path().join("from-file.json"));
    assert_eq!(report.seed, Some(11));
    assert_eq!(report.target, target.webhook_url());
    assert!(!report.checks.is_empty());
    assert!(
        report.checks.iter().all(|c| c.id.starts_with("auth")),
        "only = [\"auth\"]"
    );
    assert!(!text(&ran.stdout).contains("cfg-s3cret") && !text(&ran.stderr).contains("cfg-s3cret"));

    // Flags win over the file's values: the seed, the selection, the report file.
    let moved = dir.path().join("elsewhere.toml");
    std::fs::rename(dir.path().join(DEFAULT_FILE), &moved).unwrap();
    let args = ["--config", moved.to_str().unwrap(), "run", "--seed", "12"];
    let args = [&args[..], &["--only", "status", "--json", "flag.json"]].concat();
    let ran = in_dir(dir.path(), &args, &env).await;
    assert_eq!(ran.status.code(), Some(0), "{}", text(&ran.stderr));
    let report = read_report(&dir.path().join("flag.json"));
    assert_eq!(report.seed, Some(12));
    assert!(report.checks.iter().all(|c| c.id.starts_with("status")));
    target.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mistake_in_the_file_is_one_line_with_its_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    for (file, expected) in [
        (
            "seed = 1\n\n# the URL\ntargte = \"http://127.0.0.1:1/\"\n",
            "hookcheck.toml:4: unknown key `targte` (did you mean `target`?)",
        ),
        (
            "quick = true\nseed = \"seven\"\n",
            "hookcheck.toml:2: `seed`: invalid type: string \"seven\", expected u64",
        ),
    ] {
        std::fs::write(dir.path().join(DEFAULT_FILE), file).unwrap();
        let ran = in_dir(dir.path(), &["run"], &[]).await;
        assert_eq!(ran.status.code(), Some(2));
        assert_eq!(text(&ran.stderr), format!("error: {expected}\n"));
    }
    let ran = in_dir(dir.path(), &["run", "--config", "missing.toml"], &[]).await;
    assert_eq!(ran.status.code(), Some(2));
    assert_eq!(
        text(&ran.stderr),
        "error: --config missing.toml: no such file\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_writes_files_that_parse_back_and_never_replaces_a_users_file() {
    let dir = tempfile::tempdir().unwrap();
    let ran = in_dir(dir.path(), &["init"], &[]).await;
    assert_eq!(ran.status.code(), Some(0), "{}", text(&ran.stderr));
    let config = ConfigFile::load(&dir.path().join(DEFAULT_FILE)).unwrap();
    assert!(config.arguments().is_ok());
    let workflow = std::fs::read_to_string(dir.path().join(WORKFLOW_FILE)).unwrap();
    assert!(workflow.contains("hookcheck run"), "{workflow}");

    // Run again: refused, both files untouched; with --force a regular file is replaced.
    std::fs::write(dir.path().join(DEFAULT_FILE), "seed = 5\n").unwrap();
    let ran = in_dir(dir.path(), &["init"], &[]).await;
    assert_eq!(ran.status.code(), Some(2));
    assert!(
        text(&ran.stderr).contains("--force"),
        "{}",
        text(&ran.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join(DEFAULT_FILE)).unwrap(),
        "seed = 5\n"
    );

    // A symlink is never written through, even with --force.
    let user = dir.path().join("mine.toml");
    std::fs::write(&user, "seed = 6\n").unwrap();
    std::fs::remove_file(dir.path().join(DEFAULT_FILE)).unwrap();
    std::os::unix::fs::symlink(&user, dir.path().join(DEFAULT_FILE)).unwrap();
    let ran = in_dir(dir.path(), &["init", "--force"], &[]).await;
    assert_eq!(ran.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&user).unwrap(), "seed = 6\n");
    std::fs::remove_file(dir.path().join(DEFAULT_FILE)).unwrap();
    let ran = in_dir(dir.path(), &["init", "--force"], &[]).await;
    assert_eq!(ran.status.code(), Some(0), "{}", text(&ran.stderr));
    assert!(ConfigFile::load(&dir.path().join(DEFAULT_FILE)).is_ok());
}

/// Every key stands for a flag `run` defines, under the id the file's arguments use: a key
/// whose flag was renamed would otherwise be read and silently do nothing.
#[test]
fn every_key_sets_a_flag_run_defines() {
    let every_key = r#"
        target = "http://127.0.0.1:9/hook"
        replicas = ["http://127.0.0.1:10/hook"]
        auth_header = "X-API-Key"
        auth_env = "PATH"
        profile = "standard-webhooks"
        secret_env = "PATH"
        headers = ["X-Trace: 1"]
        secret_headers = ["X-Proxy-Token"]
        effects_url = "http://127.0.0.1:9/e/{sessionId}"
        effects_cmd = "true"
        effects_timeout = "1s"
        timeout = "1s"
        settle = "1s"
        dedupe_window = "1s"
        only = ["auth"]
        skip = ["transport"]
        json = "a.json"
        junit = "a.xml"
        markdown = "a.md"
        html = "a.html"
        baseline = "b.json"
        seed = 1
        quick = true
        strict = true
    "#;
    let config = ConfigFile::parse(every_key, DEFAULT_FILE).unwrap();
    let arguments = config.arguments().unwrap();
    let command = <hookcheck::cli::Cli as clap::CommandFactory>::command();
    let run = command.find_subcommand("run").unwrap();
    for (id, words) in &arguments {
        assert!(
            run.get_arguments().any(|arg| arg.get_id() == id),
            "the key behind `{}` sets `{id}`, which `run` does not define",
            words[0]
        );
    }
    let ids: Vec<&str> = arguments.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids.len(), 23, "{ids:?}");
}
