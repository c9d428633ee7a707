#!/usr/bin/env bash
# Start a throw-away PostgreSQL on 127.0.0.1:${PGPORT:-54329} for tests and benchmarks, installing
# Debian's server package when it is missing. Prints the DATABASE_URL to use.
# Usage: scripts/pg-local.sh start|stop|restart (restart: PG_RESTART_MODE, default fast; the soak
# scenario uses immediate, a crash and recovery). PGPORT and PGDATA pick another instance.
set -euo pipefail
PGPORT=${PGPORT:-54329}
PGDATA=${PGDATA:-/tmp/vcassure-pg-$PGPORT}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$dir" ]; then
    as_root apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >&2
    dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$dir"
}

run_as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-start}" in
  start)
    BIN=$(pg_bin)
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then useradd --system --home /var/lib/postgresql postgres; fi
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
      mkdir -p "$PGDATA"
      [ "$(id -u)" = 0 ] && chown postgres "$PGDATA"
      run_as_pg "$BIN/initdb" -D "$PGDATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! run_as_pg "$BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
      run_as_pg "$BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w \
        -o "-p $PGPORT -c listen_addresses=127.0.0.1 -k /tmp -c fsync=off -c max_connections=200" start >/dev/null
    fi
    run_as_pg "$BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='vcassure'" | grep -q 1 \
      || run_as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres vcassure
    echo "postgres://postgres@127.0.0.1:$PGPORT/vcassure"
    ;;
  restart)
    BIN=$(pg_bin)
    run_as_pg "$BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -m "${PG_RESTART_MODE:-fast}" -w restart >/dev/null
    ;;
  stop)
    BIN=$(pg_bin)
    run_as_pg "$BIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
    ;;
esac
