#!/usr/bin/env bash
# Measures `hookcheck load` throughput against the reference receiver on three stores, side
# by side in one run, and prints the ratios as a Markdown table (for BENCHMARKS.md):
#   sqlite  one `hookcheck serve --db FILE` (SQLite, WAL, synchronous=FULL);
#   pg1     one `hookcheck serve --db postgres://…`;
#   pg2     two such processes on one database, graded with `load --replica`
#           (deliveries round robin over both, every redelivery to the other one).
# Every run: --duplicates 0.1 and the exactly-once check; a run whose verdict fails stops the
# script. The sides alternate ROUNDS times, each against fresh servers and a fresh database
# file or PostgreSQL database, and each side's median is taken.
#
#   bash bench/load-replicas.sh
#   ROUNDS=5 SECONDS_PER_RUN=10 CONCURRENCY=64 bash bench/load-replicas.sh
#
# It starts its own PostgreSQL cluster (PostgreSQL's initdb and pg_ctl, from PG_BIN or
# /usr/lib/postgresql/*/bin; as root the cluster runs as the postgres user) on a free port of
# 127.0.0.1, with default durability (fsync on, synchronous_commit on), in a scratch folder on
# the project's disk next to the SQLite files, and stops and removes everything on exit.
# Not run by CI.
set -euo pipefail
trap 'echo "error: bench/load-replicas.sh failed at line $LINENO" >&2' ERR
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
CONCURRENCY=${CONCURRENCY:-32}

say() { printf '== %s\n' "$*" >&2; }

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$PG_BIN/initdb" ] || { echo "error: no PostgreSQL (set PG_BIN)" >&2; exit 2; }
if [ -z "${HOOKCHECK:-}" ]; then
  say "building hookcheck (release)"
  cargo build --release --locked >&2
  HOOKCHECK=$PWD/target/release/hookcheck
fi

WORK=$PWD/target/bench-replicas.$$
mkdir -p "$WORK"
PIDS=()
PG_RUNNING=""
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$PG_RUNNING" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# shellcheck source=bench/lib/serve.sh
. bench/lib/serve.sh

# A port nothing listens on, from a random start.
free_port() {
  local port start=$((20000 + RANDOM % 20000))
  for port in $(seq "$start" $((start + 500))); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "error: no free port from $start" >&2
  exit 1
}

say "starting PostgreSQL ($PG_BIN)"
mkdir -p "$WORK/pg"
[ "$(id -u)" -ne 0 ] || chown postgres: "$WORK/pg"
PG_PORT=$(free_port)
as_pg "$PG_BIN/initdb" -A trust -U postgres -E UTF8 -D "$WORK/pg/data" >/dev/null
as_pg "$PG_BIN/pg_ctl" -w -t 60 -D "$WORK/pg/data" -l "$WORK/pg/server.log" \
  -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c max_connections=200" \
  start >/dev/null
PG_RUNNING=1
psql() { "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qAt "$@"; }

# Deliveries per second of `hookcheck load ARGS`; stops the script when its verdict fails.
load_rps() {
  local json=$WORK/load.json
  if ! "$HOOKCHECK" load --concurrency "$CONCURRENCY" --duration "${SECONDS_PER_RUN}s" \
      --duplicates 0.1 --quiet --json "$json" "$@" >"$WORK/load.out" 2>&1; then
    cat "$WORK/load.out" >&2
    exit 1
  fi
  LAST_EFFECTS=$(sed -n 's/^effects *//p' "$WORK/load.out")
  sed -n 's/^ *"throughput_per_s": \([0-9.e+]*\),*$/\1/p' "$json"
}

: >"$WORK/sqlite" && : >"$WORK/pg1" && : >"$WORK/pg2"
for round in $(seq "$ROUNDS"); do
  say "round $round of $ROUNDS: sqlite"
  serve --db "$WORK/receiver-$round.db"
  load_rps --target "$SERVED_URL" --effects-url "$SERVED_EFFECTS" >>"$WORK/sqlite"
  stop_all

  say "round $round of $ROUNDS: PostgreSQL, 1 replica"
  psql -c "CREATE DATABASE one_$round"
  serve --db "postgres://postgres@127.0.0.1:$PG_PORT/one_$round"
  load_rps --target "$SERVED_URL" --effects-url "$SERVED_EFFECTS" >>"$WORK/pg1"
  stop_all

  say "round $round of $ROUNDS: PostgreSQL, 2 replicas"
  psql -c "CREATE DATABASE two_$round"
  serve --db "postgres://postgres@127.0.0.1:$PG_PORT/two_$round"
  FIRST_URL=$SERVED_URL FIRST_EFFECTS=$SERVED_EFFECTS
  serve --db "postgres://postgres@127.0.0.1:$PG_PORT/two_$round"
  load_rps --target "$FIRST_URL" --replica "$SERVED_URL" --effects-url "$FIRST_EFFECTS" \
    >>"$WORK/pg2"
  stop_all
done

SQLITE=$(median <"$WORK/sqlite")
PG1=$(median <"$WORK/pg1")
PG2=$(median <"$WORK/pg2")
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
cat <<EOF
Measured $(date -u '+%Y-%m-%d %H:%M') UTC by \`bash bench/load-replicas.sh\` ($ROUNDS rounds,
${SECONDS_PER_RUN} s a run, $CONCURRENCY in flight, --duplicates 0.1, exactly-once checked),
$(nproc) cores ($CPU), PostgreSQL $("$PG_BIN/postgres" --version | awk '{ print $3 }'),
load average $(cut -d' ' -f1-3 /proc/loadavg) at the end.

| store | runs (deliveries/s) | ratio to SQLite |
|---|---|---|
| SQLite file, 1 process | $(runs "$WORK/sqlite") | 1.00× |
| PostgreSQL, 1 replica | $(runs "$WORK/pg1") | $(ratio "$PG1" "$SQLITE")× |
| PostgreSQL, 2 replicas (\`load --replica\`) | $(runs "$WORK/pg2") | $(ratio "$PG2" "$SQLITE")× |

2 replicas vs 1: $(ratio "$PG2" "$PG1")×. The last 2-replica run's exactly-once check: $LAST_EFFECTS.
EOF
