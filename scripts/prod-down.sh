#!/usr/bin/env bash
# Stop what scripts/prod-up.sh started, and only that: the processes whose pids it wrote to
# $PROD_RUN_DIR (default var/prod), then PostgreSQL and Redis if prod-up.sh had started them.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN_DIR=${PROD_RUN_DIR:-$(pwd)/var/prod}
[ -d "$RUN_DIR" ] || exit 0

stop() {  # SIGTERM, then SIGKILL after 20 s
  local pidfile=$1 pid
  [ -s "$pidfile" ] || { rm -f "$pidfile"; return 0; }
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "pid $pid ($pidfile) did not stop on SIGTERM: SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pidfile"
}

for pidfile in "$RUN_DIR"/consumer-*.pid; do [ -e "$pidfile" ] && stop "$pidfile"; done
stop "$RUN_DIR/web.pid"
if [ -f "$RUN_DIR/services" ]; then
  grep -qx redis "$RUN_DIR/services" && scripts/redis-local.sh stop
  grep -qx pg "$RUN_DIR/services" && scripts/pg-local.sh stop
  rm -f "$RUN_DIR/services"
fi
rm -f "$RUN_DIR/env"
echo "VC Assure production mode stopped."
