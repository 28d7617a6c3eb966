#!/usr/bin/env bash
# Requests per second of `hookcheck fuzz` against wrk, against the same receiver in the
# same run: `hookcheck serve --memory`, release build, on 127.0.0.1.
#
#   bash bench/fuzz_vs_wrk.sh                 # 3 alternations of 10 s each side
#   ROUNDS=5 SECONDS_PER_RUN=20 CONCURRENCY=16 bash bench/fuzz_vs_wrk.sh
#   HOOKCHECK=/path/to/another/hookcheck bash bench/fuzz_vs_wrk.sh   # an existing build
#
# wrk POSTs one valid COMPLETED event (the body of bench/compare.sh) with a fresh sessionId
# in every request, through a small Lua script, over CONCURRENCY keep-alive connections.
# hookcheck fuzz runs with `--concurrency CONCURRENCY --time SECONDS_PER_RUN`, its default
# payload source and its effects probe (the receiver's effects URL), so every effect count
# is read and re-read as in a real run. Its rate is its JSON report's `casesPerSecond`:
# deliveries sent over the sending phase (first to last answer); effect queries are extra
# traffic it does not count. The two sides alternate ROUNDS times, each against the same
# receiver, and the median of each side is reported with the ratio. Not run by CI.
#
# It installs wrk with apt-get when it is missing, and builds hookcheck in release mode.
set -euo pipefail
trap 'echo "error: bench/fuzz_vs_wrk.sh failed at line $LINENO" >&2' ERR
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
CONCURRENCY=${CONCURRENCY:-8}
THREADS=$(nproc)

say() { printf '== %s\n' "$*" >&2; }

if ! command -v wrk >/dev/null; then
  say "installing wrk"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
fi
if [ -z "${HOOKCHECK:-}" ]; then
  say "building hookcheck (release)"
  cargo build --release --locked >&2
  HOOKCHECK=$PWD/target/release/hookcheck
fi

WORK=$PWD/target/bench-fuzz-wrk
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

serve --memory
URL=$SERVED_URL
EFFECTS=$SERVED_EFFECTS

BODY=$WORK/body.json
cat >"$BODY" <<'EOF'
{"sessionId":"00000000-0000-4000-8000-000000000000","status":"COMPLETED","platformId":7,"externalReferenceId":"order-48213","extractedData":{"accountHolder":"Ada Lovelace","accountNumberLast4":"0042","accountType":"checking","balance":{"amount":"1234.56","currency":"USD"}},"proofHash":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","completedAt":"2026-11-29T05:00:00.000Z","metadata":{"source":"hookcheck","attempts":1}}
EOF
cat >"$WORK/distinct.lua" <<'EOF'
-- POSTs the body in $BODY_FILE with a fresh sessionId in every request.
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
  prefix = string.format("%08x", (os.time() % 0x100000) * 0x100 + tid + math.random(0, 255) * 0x10000)
end
function request()
  counter = counter + 1
  local id = string.format("%s-0000-4000-8000-%012x", prefix, counter)
  local body = template:gsub("00000000%-0000%-4000%-8000%-000000000000", id, 1)
  return wrk.format(nil, nil, nil, body)
end
EOF
export BODY_FILE=$BODY

: >"$WORK/wrk"
: >"$WORK/fuzz"
for round in $(seq "$ROUNDS"); do
  say "round $round: wrk"
  out=$(wrk -t"$THREADS" -c"$CONCURRENCY" -d"${SECONDS_PER_RUN}s" -s "$WORK/distinct.lua" "$URL")
  if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
    echo "wrk saw errors:" >&2
    echo "$out" >&2
    exit 1
  fi
  awk '/^Requests\/sec:/ { print $2 }' <<<"$out" >>"$WORK/wrk"
  say "round $round: hookcheck fuzz"
  if ! "$HOOKCHECK" fuzz --target "$URL" --effects-url "$EFFECTS" --seed "$round" \
      --concurrency "$CONCURRENCY" --time "${SECONDS_PER_RUN}s" \
      --json "$WORK/fuzz.json" >"$WORK/fuzz.out" 2>"$WORK/fuzz.err"; then
    cat "$WORK/fuzz.out" "$WORK/fuzz.err" >&2
    exit 1
  fi
  sed -n 's/^ *"casesPerSecond": \([0-9.e+]*\),*$/\1/p' "$WORK/fuzz.json" >>"$WORK/fuzz"
done
WRK=$(median <"$WORK/wrk")
FUZZ=$(median <"$WORK/fuzz")
echo "wrk runs (req/s): $(paste -sd' ' "$WORK/wrk")"
echo "fuzz runs (req/s): $(paste -sd' ' "$WORK/fuzz")"
printf '| `hookcheck fuzz` vs wrk, reference receiver in memory, %s in flight | wrk %.0f req/s | %.0f req/s | %s× | ≥ 0.8× |\n' \
  "$CONCURRENCY" "$WRK" "$FUZZ" "$(ratio "$FUZZ" "$WRK")"
