# Helpers the benchmarks share (sourced, not run): the median and ratio of figures, and
# reference receivers (`hookcheck serve`) started on free ports and stopped. The sourcing
# script sets HOOKCHECK (the binary), WORK (a scratch folder) and PIDS=() first.

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
runs() { awk '{ printf "%s%.0f", (NR > 1 ? ", " : ""), $1 }' "$1"; }

# Starts `hookcheck serve ARGS` on a free port; sets SERVED_URL, SERVED_EFFECTS, SERVED_PID.
serve() {
  local out=$WORK/serve.$RANDOM.out
  "$HOOKCHECK" serve --listen 127.0.0.1:0 "$@" >"$out" 2>&1 &
  SERVED_PID=$!
  PIDS+=("$SERVED_PID")
  for _ in $(seq 100); do
    grep -q '^effects at ' "$out" 2>/dev/null && break
    sleep 0.1
  done
  SERVED_URL=$(sed -n 's/^listening on //p' "$out")
  SERVED_EFFECTS=$(sed -n 's/^effects at //p' "$out")
  [ -n "$SERVED_URL" ] || { cat "$out" >&2; exit 1; }
}

# Stops every server started so far.
stop_all() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
