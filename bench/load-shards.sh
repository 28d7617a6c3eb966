#!/usr/bin/env bash
# Measures `hookcheck load --shard`: two shard processes at once, each sending its half of one
# seeded backlog, against one process sending the whole backlog, on the same reference
# receiver (`hookcheck serve --db FILE`, SQLite) in the same run, and prints the ratio as
# Markdown (for BENCHMARKS.md). Each shard runs with the same --concurrency as the single
# process (as N pods of one Job would), and the two shards' reports are added up with
# `load --merge`: its throughput is all deliveries over the longer shard's elapsed time.
# Every run checks exactly-once; a run whose verdict fails stops the script. The sides
# alternate ROUNDS times, each against a fresh server and database file, and each side's
# median is taken.
#
#   bash bench/load-shards.sh
#   ROUNDS=5 DELIVERIES=50000 CONCURRENCY=64 bash bench/load-shards.sh
#
# Not run by CI.
set -euo pipefail
trap 'echo "error: bench/load-shards.sh failed at line $LINENO" >&2' ERR
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DELIVERIES=${DELIVERIES:-20000}
CONCURRENCY=${CONCURRENCY:-32}
SEED=${SEED:-42}

say() { printf '== %s\n' "$*" >&2; }

if [ -z "${HOOKCHECK:-}" ]; then
  say "building hookcheck (release)"
  cargo build --release --locked >&2
  HOOKCHECK=$PWD/target/release/hookcheck
fi

WORK=$PWD/target/bench-shards.$$
mkdir -p "$WORK"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# shellcheck source=bench/lib/serve.sh
. bench/lib/serve.sh
throughput() { sed -n 's/^ *"throughput_per_s": \([0-9.e+]*\),*$/\1/p' "$1"; }

# `hookcheck load` of the backlog with ARGS, its JSON report at $1; stops the script when
# its verdict fails.
load() {
  local json=$1
  shift
  if ! "$HOOKCHECK" load --target "$SERVED_URL" --effects-url "$SERVED_EFFECTS" \
      --deliveries "$DELIVERIES" --seed "$SEED" --duplicates 0.1 \
      --concurrency "$CONCURRENCY" --quiet --json "$json" "$@" >"$json.out" 2>&1; then
    cat "$json.out" >&2
    exit 1
  fi
}

: >"$WORK/one" && : >"$WORK/two"
for round in $(seq "$ROUNDS"); do
  say "round $round of $ROUNDS: one process"
  serve --db "$WORK/one-$round.db"
  load "$WORK/one-$round.json"
  throughput "$WORK/one-$round.json" >>"$WORK/one"
  stop_all

  say "round $round of $ROUNDS: two shards at once"
  serve --db "$WORK/two-$round.db"
  load "$WORK/s1-$round.json" --shard 1/2 &
  first=$!
  load "$WORK/s2-$round.json" --shard 2/2
  wait "$first"
  if ! "$HOOKCHECK" load --merge "$WORK/s1-$round.json" "$WORK/s2-$round.json" \
      --json "$WORK/two-$round.json" >"$WORK/merge.out" 2>&1; then
    cat "$WORK/merge.out" >&2
    exit 1
  fi
  LAST_EFFECTS=$(sed -n 's/^effects *//p' "$WORK/merge.out")
  throughput "$WORK/two-$round.json" >>"$WORK/two"
  stop_all
done

ONE=$(median <"$WORK/one")
TWO=$(median <"$WORK/two")
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
cat <<EOF2
Measured $(date -u '+%Y-%m-%d %H:%M') UTC by \`bash bench/load-shards.sh\` ($ROUNDS rounds,
a backlog of $DELIVERIES deliveries, --duplicates 0.1, $CONCURRENCY in flight a process,
exactly-once checked), $(nproc) cores ($CPU), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end.

| load | runs (deliveries/s) | ratio |
|---|---|---|
| 1 process, the whole backlog | $(runs "$WORK/one") | 1.00× |
| 2 shards at once (\`--shard 1/2\`, \`2/2\`, \`--merge\`) | $(runs "$WORK/two") | $(ratio "$TWO" "$ONE")× |

The last merged run's exactly-once check: $LAST_EFFECTS.
EOF2
