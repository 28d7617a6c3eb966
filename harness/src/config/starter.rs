//! What `hookcheck init` writes: a commented starter `hookcheck.toml` and the GitHub Actions
//! job that runs hookcheck with it.

/// The starter `hookcheck.toml`. As written it grades the built-in reference receiver and
/// writes the reports; set `target` (and the rest) for your endpoint.
pub const STARTER_CONFIG: &str = r#"# hookcheck.toml: the options of `hookcheck run` (`fuzz` and `load` take the ones
# that apply to them). A flag on the command line overrides the value here.
# Every key is optional; `hookcheck run --help` describes each option.

# The webhook URL to grade. Without it, hookcheck grades its built-in reference receiver.
# target = "https://staging.example.com/webhooks/cr3dentials"
# Other replicas of the same receiver (processes on one database): the copies of each
# session go round robin over target and these (`run` and `load`).
# replicas = ["https://replica-2.staging.example.com/webhooks/cr3dentials"]

# The contract: "cr3dentials" (CONTRACT.md, the default) or "standard-webhooks"
# (STANDARD-WEBHOOKS.md), whose signing secret comes from the variable secret_env names.
# profile = "standard-webhooks"
# secret_env = "WEBHOOK_SECRET"

# The auth header the target expects: its name, and the environment variable that holds
# its value (the value never goes in this file, and never appears in any output).
# auth_header = "X-API-Key"
# auth_env = "WEBHOOK_API_KEY"

# Extra headers, e.g. for an access proxy in front of the target. A name that marks a
# secret (authorization, cookie, …token, …key, …secret) is redacted everywhere; a
# secret header's value comes from $HOOKCHECK_HEADER_<NAME>, e.g.
# $HOOKCHECK_HEADER_CF_ACCESS_CLIENT_SECRET.
# headers = ["CF-Access-Client-Id: ci.access"]
# secret_headers = ["CF-Access-Client-Secret"]

# How side effects are counted (CONTRACT.md §4): a URL with {sessionId}, or a command.
# effects_url = "https://staging.example.com/_test/effects/{sessionId}"
# effects_cmd = "psql -tAc \"select count(*) from events where session_id = '$HOOKCHECK_SESSION_ID'\""
# effects_timeout = "10s"

# Timeouts and waits.
timeout = "30s"
# settle = "300ms"
# dedupe_window = "42s"

# Which checks run: id prefixes, as `hookcheck list` prints them.
# only = ["auth", "idempotency"]
# skip = ["transport/valid-certificate"]

# A quick run (copies of a session only 1s apart), and warnings that fail the run.
# quick = true
# strict = true

# The report files, and a committed earlier report: with it only a new failure fails.
json = "hookcheck.json"
junit = "hookcheck.xml"
markdown = "hookcheck.md"
# html = "hookcheck.html"
# baseline = "reports/baseline.json"

# The seed every generated input follows from, for runs you can compare.
seed = 1
"#;

/// The GitHub Actions job `hookcheck init` writes to `.github/workflows/hookcheck.yml`.
pub const STARTER_WORKFLOW: &str = r#"# Grades the webhook receiver with hookcheck, as hookcheck.toml says, on every push and
# pull request. Adapt the two marked steps.
name: hookcheck

on: [push, pull_request]

jobs:
  webhook-conformance:
    runs-on: ubuntu-latest
    env:
      # The value of the auth header hookcheck.toml names (auth_env); never printed.
      WEBHOOK_API_KEY: ${{ secrets.WEBHOOK_API_KEY }}
    steps:
      - uses: actions/checkout@v4

      - name: Install hookcheck                     # ADAPT: where you get hookcheck
        run: cargo install --locked --git https://github.com/OWNER/hookcheck hookcheck

      - name: Start the receiver under test         # ADAPT: how your receiver starts
        run: |
          ./scripts/start-receiver --port 3000 &
          for i in $(seq 1 30); do curl -fsS http://localhost:3000/healthz && break; sleep 1; done

      - name: Grade it (hookcheck.toml)
        run: hookcheck run --color never

      - name: Job summary
        if: always()
        run: if [ -f hookcheck.md ]; then cat hookcheck.md >> "$GITHUB_STEP_SUMMARY"; fi

      - name: Upload the reports
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: hookcheck-reports
          path: hookcheck.*
"#;
