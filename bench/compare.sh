#!/usr/bin/env bash
# Measures every figure in BENCHMARKS.md in one run and rewrites BENCHMARKS.md with them.
#
#   bash bench/compare.sh            # about 10 minutes on 2 cores, most of it building
#   ROUNDS=5 SECONDS_PER_RUN=10 bash bench/compare.sh
#
# It installs what it needs (wrk, nginx, curl) with apt-get when they are missing, builds
# hookcheck in release mode, and compares, each side by side in the same run:
#   1. `hookcheck load` vs wrk, equal concurrency, against nginx answering 204;
#   2. `hookcheck load` vs wrk against the reference receiver in memory mode (distinct
#      deliveries from both: wrk writes a fresh sessionId into every body with Lua);
#   3. the reference receiver with its durable SQLite store vs in memory, under
#      `hookcheck load` with 10 % duplicates and the exactly-once check;
#   4. payload parse + validate vs a plain serde_json::Value parse (criterion);
#   5. the wall time of a default `hookcheck run`.
# Each load comparison alternates its two sides ROUNDS times, each against a fresh target,
# and reports the median of each side. Not run by CI.
set -euo pipefail
trap 'echo "error: bench/compare.sh failed at line $LINENO" >&2' ERR
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
CONCURRENCY=${CONCURRENCY:-32}
THREADS=$(nproc)

say() { printf '== %s\n' "$*" >&2; }

install_tools() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v curl >/dev/null || missing+=(curl)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

install_tools
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
say "building hookcheck (release)"
cargo build --release --locked >&2
HOOKCHECK=$PWD/target/release/hookcheck

# Scratch space on the project's disk: a durable store on tmpfs would fsync for free.
WORK=$PWD/target/bench-work
rm -rf "$WORK"
mkdir -p "$WORK"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# shellcheck source=bench/lib/serve.sh
. bench/lib/serve.sh
round0() { awk -v a="$1" 'BEGIN { printf "%.0f", a }'; }

# A port nothing listens on.
free_port() {
  local port
  for port in $(seq 18090 18990); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "no free port in 18090..18990" >&2
  exit 1
}

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# Requests per second of wrk; refuses a run with errors or non-2xx answers.
wrk_rps() {
  local out
  out=$(wrk -t"$THREADS" -c"$CONCURRENCY" -d"${SECONDS_PER_RUN}s" "$@")
  if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
    echo "wrk saw errors:" >&2
    echo "$out" >&2
    exit 1
  fi
  awk '/^Requests\/sec:/ { print $2 }' <<<"$out"
}

# Deliveries per second of `hookcheck load`; refuses a run whose verdict fails.
load_rps() {
  local json=$WORK/load.json
  if ! "$HOOKCHECK" load --concurrency "${LOAD_CONCURRENCY:-$CONCURRENCY}" \
      --duration "${SECONDS_PER_RUN}s" \
      --json "$json" "$@" >"$WORK/load.out" 2>/dev/null; then
    cat "$WORK/load.out" >&2
    exit 1
  fi
  sed -n 's/^ *"throughput_per_s": \([0-9.e+]*\),*$/\1/p' "$json"
}

# --- 1. hookcheck load vs wrk against nginx answering 204 ---------------------------------
say "1. load vs wrk against nginx (204)"
NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  keepalive_requests 10000000;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { return 204; }
  }
}
EOF
"$NGINX" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" &
PIDS+=($!)
NGINX_PID=$!
sleep 0.5
NGINX_URL=http://127.0.0.1:$NGINX_PORT/webhook

BODY=$WORK/body.json
cat >"$BODY" <<'EOF'
{"sessionId":"00000000-0000-4000-8000-000000000000","status":"COMPLETED","platformId":7,"externalReferenceId":"order-48213","extractedData":{"accountHolder":"Ada Lovelace","accountNumberLast4":"0042","accountType":"checking","balance":{"amount":"1234.56","currency":"USD"}},"proofHash":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","completedAt":"2026-11-29T05:00:00.000Z","metadata":{"source":"hookcheck","attempts":1}}
EOF
cat >"$WORK/distinct.lua" <<'EOF'
-- POSTs the body in $BODY_FILE with a fresh sessionId in every request, as hookcheck does.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  local file = io.open(os.getenv("BODY_FILE"))
  template = file:read("*a")
  file:close()
  counter = 0
  prefix = string.format("%08x", (os.time() % 0x100000) * 0x100 + tid)
end
function request()
  counter = counter + 1
  local id = string.format("%s-0000-4000-8000-%012x", prefix, counter)
  local body = template:gsub("00000000%-0000%-4000%-8000%-000000000000", id, 1)
  return wrk.format(nil, nil, nil, body)
end
EOF
export BODY_FILE=$BODY

: >"$WORK/nginx.wrk"
: >"$WORK/nginx.load"
for _ in $(seq "$ROUNDS"); do
  wrk_rps -s "$WORK/distinct.lua" "$NGINX_URL" >>"$WORK/nginx.wrk"
  load_rps --target "$NGINX_URL" >>"$WORK/nginx.load"
done
stop "$NGINX_PID"
NGINX_WRK=$(median <"$WORK/nginx.wrk")
NGINX_LOAD=$(median <"$WORK/nginx.load")

# --- 2. hookcheck load vs wrk against the reference receiver in memory ---------------------
say "2. load vs wrk against the reference receiver (memory)"
: >"$WORK/memory.wrk"
: >"$WORK/memory.load"
for _ in $(seq "$ROUNDS"); do
  serve --memory
  wrk_rps -s "$WORK/distinct.lua" "$SERVED_URL" >>"$WORK/memory.wrk"
  stop "$SERVED_PID"
  serve --memory
  load_rps --target "$SERVED_URL" >>"$WORK/memory.load"
  stop "$SERVED_PID"
done
MEMORY_WRK=$(median <"$WORK/memory.wrk")
MEMORY_LOAD=$(median <"$WORK/memory.load")

# --- 3. durable vs in-memory receiver, with duplicates and the exactly-once check ----------
say "3. durable vs in-memory receiver"
# Appends the median memory and durable throughputs at LOAD_CONCURRENCY to $WORK/store.$1.
compare_stores() {
  : >"$WORK/store.memory"
  : >"$WORK/store.file"
  for round in $(seq "$ROUNDS"); do
    serve --memory
    load_rps --target "$SERVED_URL" --duplicates 0.1 --effects-url "$SERVED_EFFECTS" \
      >>"$WORK/store.memory"
    stop "$SERVED_PID"
    serve --db "$WORK/receiver-$1-$round.db"
    load_rps --target "$SERVED_URL" --duplicates 0.1 --effects-url "$SERVED_EFFECTS" \
      >>"$WORK/store.file"
    stop "$SERVED_PID"
  done
  echo "$(median <"$WORK/store.memory") $(median <"$WORK/store.file")" >"$WORK/store.$1"
}
LOAD_CONCURRENCY=$CONCURRENCY compare_stores base
STORE_VERDICT=$(sed -n 's/^effects *//p' "$WORK/load.out" | head -1)
WIDE=$((CONCURRENCY * 4))
LOAD_CONCURRENCY=$WIDE compare_stores wide
read -r STORE_MEMORY STORE_FILE <"$WORK/store.base"
read -r WIDE_MEMORY WIDE_FILE <"$WORK/store.wide"

# What bounds the durable store: one synchronous 4 KiB write (dd, O_DSYNC) on the same disk.
# With N deliveries in flight a batch holds at most N, so N / fsync time is its ceiling.
FSYNC_MS=$(dd if=/dev/zero of="$WORK/fsync-probe" bs=4k count=200 oflag=dsync 2>&1 \
  | awk '/copied/ { for (i = 1; i <= NF; i++) if ($i == "s,") printf "%.2f", $(i - 1) * 1000 / 200 }')
rm -f "$WORK/fsync-probe"
FSYNC_CEILING=$(awk -v c="$CONCURRENCY" -v ms="$FSYNC_MS" 'BEGIN { printf "%.0f", c * 1000 / ms }')

# --- 4. parser vs serde_json::Value ----------------------------------------------------------
say "4. parse vs serde_json::Value (criterion)"
cargo bench -p hookcheck --locked --bench parse -- --warm-up-time 1 --measurement-time 3 \
  >"$WORK/parse.out" 2>&1
# The middle of criterion's [low estimate high] interval, in µs.
parse_us() {
  awk -v name="$1" '
    $0 == name || $1 == name { found = 1 }
    found && /time:/ {
      gsub(/[\[\]]/, "")
      for (i = 1; i <= NF; i++) if ($i == "time:") { v = $(i + 3); u = $(i + 4) }
      if (u == "ns") v /= 1000; else if (u == "ms") v *= 1000
      printf "%.3f", v
      exit
    }' "$WORK/parse.out"
}
PARSE_VALUE=$(parse_us "parse/typical/serde_json::Value")
PARSE_SPEC=$(parse_us "parse/typical/hookcheck::spec::parse")
LARGE_VALUE=$(parse_us "parse/large/serde_json::Value")
LARGE_SPEC=$(parse_us "parse/large/hookcheck::spec::parse")

# --- 5. a default hookcheck run --------------------------------------------------------------
say "5. wall time of a default hookcheck run"
: >"$WORK/run.s"
for _ in $(seq "$ROUNDS"); do
  start=$(date +%s.%N)
  "$HOOKCHECK" run >/dev/null 2>&1
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f\n", b - a }' >>"$WORK/run.s"
done
RUN_S=$(median <"$WORK/run.s")

# --- BENCHMARKS.md ---------------------------------------------------------------------------
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MEM=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
RUSTC=$(rustc --version)
# `wrk -v` prints its version, then its usage, and exits 1.
WRK_VERSION=$( (wrk -v 2>&1 || true) | head -1 | awk '{ print $1, $2 }')
NGINX_VERSION=$("$NGINX" -v 2>&1 | sed 's/^nginx version: //')
LOAD_AVG=$(cut -d' ' -f1-3 /proc/loadavg)
# The fuzz comparison has a script of its own (bench/fuzz_vs_schemathesis.sh) and a section
# of its own in BENCHMARKS.md: keep that section as it is.
FUZZ_SECTION=$(sed -n '/^## hookcheck fuzz vs Schemathesis/,$p' BENCHMARKS.md 2>/dev/null || true)

cat >BENCHMARKS.md <<EOF
# Benchmarks

Every figure below was written by \`bash bench/compare.sh\` in one run, on
$(date -u +%Y-%m-%d) at $(date -u +%H:%M) UTC: $THREADS cores ($CPU), $MEM, $RUSTC,
$WRK_VERSION, $NGINX_VERSION. The machine is shared (load average $LOAD_AVG when the run
ended), so absolute figures move from run to run; each comparison is a ratio of two
measurements taken side by side, alternating sides $ROUNDS times against a fresh target and
taking the median of each side. Load runs last ${SECONDS_PER_RUN} s each at $CONCURRENCY
connections, with $THREADS threads for each load generator.

| comparison | baseline | hookcheck | ratio | goal |
|---|---|---|---|---|
| \`hookcheck load\` vs wrk, nginx answering 204 | wrk $(round0 "$NGINX_WRK") req/s | $(round0 "$NGINX_LOAD") deliveries/s | $(ratio "$NGINX_LOAD" "$NGINX_WRK")× | ≥ 1.0× (0.8× at least) |
| \`hookcheck load\` vs wrk, reference receiver in memory | wrk $(round0 "$MEMORY_WRK") req/s | $(round0 "$MEMORY_LOAD") deliveries/s | $(ratio "$MEMORY_LOAD" "$MEMORY_WRK")× | ≥ 1.0× (0.8× at least) |
| durable (SQLite file) vs in-memory reference receiver, $CONCURRENCY in flight | memory $(round0 "$STORE_MEMORY") deliveries/s | durable $(round0 "$STORE_FILE") deliveries/s | $(ratio "$STORE_FILE" "$STORE_MEMORY")× | ≥ 0.5× |
| the same, $WIDE in flight | memory $(round0 "$WIDE_MEMORY") deliveries/s | durable $(round0 "$WIDE_FILE") deliveries/s | $(ratio "$WIDE_FILE" "$WIDE_MEMORY")× | — |
| payload parse + validate vs \`serde_json::Value\`, typical event | $PARSE_VALUE µs | $PARSE_SPEC µs | $(ratio "$PARSE_SPEC" "$PARSE_VALUE")× | ≤ 1.5× |
| the same, large event (2 000 transactions, ~130 KiB) | $LARGE_VALUE µs | $LARGE_SPEC µs | $(ratio "$LARGE_SPEC" "$LARGE_VALUE")× | — |
| wall time of a default \`hookcheck run\` (all checks, built-in receiver) | — | $RUN_S s | — | — |
| \`hookcheck fuzz\` requests/s vs Schemathesis | — | — | — | measured by \`bench/fuzz_vs_schemathesis.sh\`: see its section below |

## What each row measures

- **load vs wrk.** Both send realistic event bodies as keep-alive POSTs with
  \`content-type: application/json\` and a distinct \`sessionId\` in every request, at
  $CONCURRENCY connections on $THREADS threads, for ${SECONDS_PER_RUN} s, on the same machine as
  the target. wrk sends one $(wc -c <"$BODY")-byte COMPLETED event through the Lua script in
  \`bench/compare.sh\`; hookcheck sends the five terminal statuses in turn (the three failure
  statuses carry null \`extractedData\` and \`proofHash\`, so their bodies are shorter).
  A ratio near 1.0 means the target,
  not the load generator, sets the pace. wrk reads each response and nothing more; hookcheck
  also records each latency in an HDR histogram and classifies each answer.
- **durable vs in memory.** \`hookcheck serve --db FILE\` (WAL, \`synchronous=FULL\`; a delivery is
  answered only once the transaction holding it has committed) against \`hookcheck serve
  --memory\`, both under \`hookcheck load --duplicates 0.1\` with the exactly-once check. The store
  commits in groups: one writer thread takes every delivery waiting (up to 256), runs each in
  its own savepoint and commits them with one fsync. (Issue 9 measured 0.12× when each
  delivery committed on its own.) The last durable run's exactly-once check: $STORE_VERDICT.
  What bounds it: a synchronous 4 KiB write on this disk took $FSYNC_MS ms (\`dd oflag=dsync\`,
  200 writes), and a batch holds at most the $CONCURRENCY deliveries in flight, so the durable
  store cannot pass about $FSYNC_CEILING deliveries/s at $CONCURRENCY connections here,
  whatever the CPU does. The row at $WIDE in flight shows the batches growing with the
  backlog: the ceiling there is about $((FSYNC_CEILING * 4)) deliveries/s.
- **parse vs Value.** \`harness/benches/parse.rs\` (criterion, median estimate) parses the same
  bytes into a plain \`serde_json::Value\`, the least a receiver can do, and with
  \`hookcheck::spec::parse\`. The contract parser also bounds size and depth, checks every
  field's type and parses the RFC 3339 timestamp.
- **hookcheck run.** \`./target/release/hookcheck run\` with no arguments: the built-in reference
  receiver, every check, default settings; the median of $ROUNDS runs.
EOF
if [ -n "$FUZZ_SECTION" ]; then
  printf '\n%s\n' "$FUZZ_SECTION" >>BENCHMARKS.md
fi
say "wrote BENCHMARKS.md"
cat BENCHMARKS.md
