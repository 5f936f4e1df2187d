# Sourced by the scripts that build tools from the Go module proxy.
# run_with_heartbeat WHAT CMD... runs CMD and prints a line every 30 s
# while it runs, so nobody mistakes a cold build for a hang. The sourcing
# script defines log.
run_with_heartbeat() {
  local what="$1"; shift
  local start=$SECONDS
  "$@" &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && log "still building ${what} ($((SECONDS - start))s elapsed)"
  done
  wait "$pid"
  log "built ${what} in $((SECONDS - start))s"
}
