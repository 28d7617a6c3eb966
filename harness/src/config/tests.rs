use super::*;

#[test]
fn the_starter_file_parses_and_stands_for_flags() {
    let config = ConfigFile::parse(STARTER_CONFIG, DEFAULT_FILE).unwrap();
    assert_eq!(config.timeout, Some(Duration::from_secs(30)));
    assert_eq!(config.seed, Some(1));
    let arguments = config.arguments().unwrap();
    let words: Vec<String> = arguments.into_iter().flat_map(|(_, w)| w).collect();
    assert!(
        words.windows(2).any(|w| w == ["--timeout", "30000ms"]),
        "{words:?}"
    );
    assert!(
        words.windows(2).any(|w| w == ["--json", "hookcheck.json"]),
        "{words:?}"
    );
}

#[test]
fn an_unknown_key_is_named_with_its_line_and_the_closest_key() {
    let text = "# a comment\n\nseed = 1\n\n\n\ntargte = \"http://127.0.0.1:1/\"\n";
    let error = ConfigFile::parse(text, "hookcheck.toml").unwrap_err();
    assert_eq!(error.line, Some(7));
    assert_eq!(
        error.to_string(),
        "hookcheck.toml:7: unknown key `targte` (did you mean `target`?)"
    );
    let error = ConfigFile::parse("flavour = 3\n", "hookcheck.toml").unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("hookcheck.toml:1: unknown key `flavour` ("),
        "{error}"
    );
    let error = ConfigFile::parse("replicas = 3\n", "hookcheck.toml").unwrap_err();
    assert_eq!(
        error.to_string(),
        "hookcheck.toml:1: `replicas`: invalid type: integer `3`, expected a sequence"
    );
}

#[test]
fn a_wrong_type_names_the_key_and_the_line() {
    let error = ConfigFile::parse("quick = true\nseed = \"one\"\n", "ci.toml").unwrap_err();
    let text = error.to_string();
    assert!(text.starts_with("ci.toml:2: `seed`: "), "{text}");
    assert_eq!(text.lines().count(), 1, "{text}");
    let error = ConfigFile::parse("timeout = \"soon\"\n", "ci.toml").unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("ci.toml:1: `timeout`: `soon` is not a duration"),
        "{error}"
    );
}

#[test]
fn the_auth_header_needs_its_variable_and_never_holds_the_value() {
    let config = ConfigFile::parse("auth_header = \"X-API-Key\"\n", "f").unwrap();
    assert!(config.arguments().unwrap_err().contains("auth_env"));
    let config = ConfigFile::parse(
        "auth_header = \"X-API-Key\"\nauth_env = \"HOOKCHECK_TEST_UNSET_VARIABLE\"\n",
        "f",
    )
    .unwrap();
    let error = config.arguments().unwrap_err();
    assert!(error.contains("HOOKCHECK_TEST_UNSET_VARIABLE"), "{error}");
}

#[test]
fn keys_are_the_levenshtein_distance_apart() {
    assert_eq!(edit_distance("targte", "target"), 2);
    assert_eq!(edit_distance("seed", "seed"), 0);
    assert_eq!(edit_distance("", "abc"), 3);
}
