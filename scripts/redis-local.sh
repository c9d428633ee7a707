#!/usr/bin/env bash
# Start a throw-away Redis on 127.0.0.1:${REDIS_PORT:-6390} (installing Debian's redis-server when
# missing) and print its URL; `stop` stops it.
set -euo pipefail
REDIS_PORT=${REDIS_PORT:-6390}
DIR=/tmp/vcassure-redis-$REDIS_PORT
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
case "${1:-start}" in
  start)
    if ! command -v redis-server >/dev/null 2>&1; then
      as_root apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq redis-server >&2
    fi
    mkdir -p "$DIR"
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --dir "$DIR" \
      --pidfile "$DIR/redis.pid" --save "" --appendonly no >/dev/null
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    echo "redis://127.0.0.1:$REDIS_PORT/0"
    ;;
  stop)
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    ;;
esac
