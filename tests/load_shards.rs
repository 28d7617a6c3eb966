//! End-to-end tests of `hookcheck load --shard K/N` and `load --merge`: shard processes run
//! at once against one reference receiver (`hookcheck serve`), then their reports merge.

use std::path::Path;

use serde_json::Value;

use crate::HOOKCHECK;
use crate::load::{load, text};

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("a JSON report")).expect("JSON")
}

/// The arguments of a load of `url` with seed 42: 600 deliveries, 20 % duplicates, the
/// exactly-once check, a JSON report at `report`.
fn backlog<'a>(url: &'a str, effects: &'a str, report: &'a Path) -> Vec<&'a str> {
    vec![
        "--target",
        url,
        "--deliveries",
        "600",
        "--duplicates",
        "0.2",
        "--seed",
        "42",
        "--concurrency",
        "8",
        "--quiet",
        "--effects-url",
        effects,
        "--json",
        report.to_str().unwrap(),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_shards_at_once_merge_into_the_backlog_one_process_sends() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two, all, single) = (
        dir.path().join("1.json"),
        dir.path().join("2.json"),
        dir.path().join("all.json"),
        dir.path().join("single.json"),
    );
    let served = HOOKCHECK.serve(&["--memory", "--listen", "127.0.0.1:0"]);
    let (url, effects) = (&served.webhook_url, &served.effects_template);
    let mut first = backlog(url, effects, &one);
    first.extend(["--shard", "1/2"]);
    let mut second = backlog(url, effects, &two);
    second.extend(["--shard", "2/2"]);
    let (a, b) = tokio::join!(load(&first), load(&second));
    for shard in [&a, &b] {
        assert_eq!(shard.status.code(), Some(0), "{}", text(&shard.stderr));
    }
    let (a, b) = (json(&one), json(&two));
    assert!(a["deliveries"].as_u64().unwrap() > 150, "{a}");
    assert!(b["deliveries"].as_u64().unwrap() > 150, "{b}");

    let merged = load(&["--merge", one.to_str().unwrap(), two.to_str().unwrap()]).await;
    let stdout = text(&merged.stdout);
    assert_eq!(
        merged.status.code(),
        Some(0),
        "{stdout}{}",
        text(&merged.stderr)
    );
    assert!(
        stdout.contains("merged      2 shards of one backlog"),
        "{stdout}"
    );
    let merged = load(&[
        "--merge",
        one.to_str().unwrap(),
        two.to_str().unwrap(),
        "--json",
    ])
    .await;
    assert_eq!(merged.status.code(), Some(2), "--json needs a path");
    let written = load(&[
        "--merge",
        one.to_str().unwrap(),
        two.to_str().unwrap(),
        "--quiet",
        "--json",
        all.to_str().unwrap(),
    ])
    .await;
    assert_eq!(written.status.code(), Some(0), "{}", text(&written.stderr));
    let merged = json(&all);
    assert_eq!(merged["deliveries"], 600, "{merged}");
    assert_eq!(merged["statuses"]["200"], 600, "{merged}");
    let check = &merged["exactly_once"];
    assert_eq!(check["once"], merged["distinct_sessions"], "{check}");
    assert_eq!(
        (check["lost"].as_u64(), check["doubled"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(merged["verdict"]["holds"], true, "{merged}");

    // One process, same seed, on a fresh receiver: the same backlog, session for session.
    let fresh = HOOKCHECK.serve(&["--memory", "--listen", "127.0.0.1:0"]);
    let whole = load(&backlog(
        &fresh.webhook_url,
        &fresh.effects_template,
        &single,
    ))
    .await;
    assert_eq!(whole.status.code(), Some(0), "{}", text(&whole.stderr));
    let whole = json(&single);
    for field in ["deliveries", "distinct_sessions", "duplicates"] {
        assert_eq!(merged[field], whole[field], "{field}");
    }
    assert_eq!(
        merged["exactly_once"]["checked"],
        whole["exactly_once"]["checked"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_or_foreign_shard_is_refused_with_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let (one, other) = (dir.path().join("1.json"), dir.path().join("other.json"));
    let served = HOOKCHECK.serve(&["--memory", "--listen", "127.0.0.1:0"]);
    let (url, effects) = (&served.webhook_url, &served.effects_template);
    let mut first = backlog(url, effects, &one);
    first.extend(["--shard", "1/2"]);
    assert_eq!(load(&first).await.status.code(), Some(0));
    let mut foreign = backlog(url, effects, &other);
    let seed = foreign.iter().position(|a| *a == "42").unwrap();
    foreign[seed] = "43";
    foreign.extend(["--shard", "2/2"]);
    assert_eq!(load(&foreign).await.status.code(), Some(0));

    let missing = dir.path().join("2.json");
    let cases = [
        (vec![&one], "shard 2 not given"),
        (vec![&one, &missing], "cannot read"),
        (vec![&one, &other], "its seed differs"),
    ];
    for (files, says) in cases {
        let mut args = vec!["--merge"];
        args.extend(files.iter().map(|f| f.to_str().unwrap()));
        let output = load(&args).await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with("error: ") && stderr.contains(says),
            "{stderr}"
        );
    }
    let unseeded = load(&["--target", url, "--deliveries", "10", "--shard", "1/2"]).await;
    assert_eq!(unseeded.status.code(), Some(2));
    assert!(text(&unseeded.stderr).contains("--shard needs --seed"));
}
