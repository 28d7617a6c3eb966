#!/bin/sh
# hookcheck fuzz against Schemathesis, fuzzing the same receiver for the same time.
#
#   bench/fuzz_vs_schemathesis.sh [SECONDS]     (default 20)
#
# Each tool gets a fresh `hookcheck serve --memory` (release build) on 127.0.0.1 and runs
# for SECONDS: `hookcheck fuzz --time`, then Schemathesis (`st run --max-time`) from the
# OpenAPI description bench/webhook-openapi.yaml, with SCHEMATHESIS_WORKERS workers
# (default 8, as hookcheck fuzz keeps 8 sequences under way). Requests are counted by each
# tool (hookcheck's JSON report; Schemathesis's HAR file) and, as a cross-check, by the
# receiver (one `delivery` line per request its webhook handler saw). Rates are requests
# over the wall time of the whole command, start-up included.
#
# Schemathesis is installed from PyPI into a virtual environment (VENV, default
# target/bench-venv) the first time.
set -eu

duration=${1:-20}
workers=${SCHEMATHESIS_WORKERS:-8}
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${VENV:-$root/target/bench-venv}
bin=$root/target/release/hookcheck
work=$(mktemp -d)
server=

cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

cargo build --release --locked -p hookcheck --manifest-path "$root/Cargo.toml" >&2
if [ ! -x "$venv/bin/st" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q schemathesis >&2
fi

now() { date +%s.%N; }

# Starts a fresh receiver; sets $server (its pid) and $base (http://127.0.0.1:PORT).
start_receiver() {
    log=$work/serve-$1.log
    "$bin" serve --memory --listen 127.0.0.1:0 >"$log" 2>&1 &
    server=$!
    i=0
    while ! grep -q '^listening on' "$log"; do
        i=$((i + 1))
        if [ "$i" -gt 100 ]; then echo "error: the receiver did not start" >&2; exit 3; fi
        sleep 0.1
    done
    base=$(sed -n 's|^listening on \(http://[^/]*\)/webhook$|\1|p' "$log")
}

stop_receiver() {
    kill "$server"
    wait "$server" 2>/dev/null || true
    server=
    grep -c '^delivery' "$work/serve-$1.log" || true
}

start_receiver hookcheck
started=$(now)
"$bin" fuzz --target "$base/webhook" --effects-url "$base/_test/effects/{sessionId}" \
    --time "${duration}s" --seed 1 --json "$work/fuzz.json" >"$work/fuzz.out" 2>&1 || {
    echo "error: hookcheck fuzz found a failure in the reference receiver:" >&2
    cat "$work/fuzz.out" >&2
    exit 1
}
ended=$(now)
fuzz_seen=$(stop_receiver hookcheck)
fuzz_cases=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cases"])' "$work/fuzz.json")
fuzz_wall=$(awk "BEGIN { print $ended - $started }")

start_receiver schemathesis
started=$(now)
# From the scratch folder, where Schemathesis leaves its cache.
(cd "$work" && "$venv/bin/st" run "$root/bench/webhook-openapi.yaml" --url "$base" \
    --max-time "$duration" --workers "$workers" --seed 1 --report har \
    --report-har-path "$work/st.har" >"$work/st.out" 2>&1) || true
ended=$(now)
st_seen=$(stop_receiver schemathesis)
st_cases=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["log"]["entries"]))' "$work/st.har")
st_wall=$(awk "BEGIN { print $ended - $started }")

awk -v fc="$fuzz_cases" -v fw="$fuzz_wall" -v fs="$fuzz_seen" \
    -v sc="$st_cases" -v sw="$st_wall" -v ss="$st_seen" -v d="$duration" -v w="$workers" 'BEGIN {
    fr = fc / fw; sr = sc / sw
    printf "budget: %d s each, same receiver build (hookcheck serve --memory), 127.0.0.1\n", d
    printf "%-32s %8s %8s %10s %12s\n", "tool", "requests", "wall s", "req/s", "receiver saw"
    printf "%-32s %8d %8.1f %10.1f %12d\n", "hookcheck fuzz (8 sequences)", fc, fw, fr, fs
    printf "%-32s %8d %8.1f %10.1f %12d\n", "schemathesis (" w " workers)", sc, sw, sr, ss
    printf "ratio (hookcheck / schemathesis): %.1fx\n", fr / sr
}'
