#!/usr/bin/env bash
# Production mode on this machine: PostgreSQL and Redis (DATABASE_URL / REDIS_URL when given, else
# the throw-away local ones of scripts/pg-local.sh and scripts/redis-local.sh), migrate and
# collectstatic, then gunicorn (config/gunicorn.conf.py, $WEB_CONCURRENCY sync workers on
# 127.0.0.1:$PORT) and $HUEY_CONSUMERS Huey consumers (manage.py run_huey -w 4 -k thread), all with
# config.settings.prod. Plain HTTP on loopback (SECURE_SSL_REDIRECT=false): a reverse proxy that
# terminates TLS goes in front of it anywhere else.
#
# Every process's pid is written to $PROD_RUN_DIR (default var/prod) with its log beside it;
# scripts/prod-down.sh stops exactly those. The environment of this script (SMS_GATEWAY_URL, …)
# reaches every process.
#
# Usage: scripts/prod-up.sh              start everything, wait until /api/health answers ok
#        scripts/prod-up.sh consumer N   (re)start consumer N alone with the same settings
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUN_DIR=${PROD_RUN_DIR:-$ROOT/var/prod}
PY=${PYTHON:-$ROOT/.venv/bin/python}
PORT=${PORT:-8000}
WEB_CONCURRENCY=${WEB_CONCURRENCY:-2}
HUEY_CONSUMERS=${HUEY_CONSUMERS:-2}
mkdir -p "$RUN_DIR"
chmod 700 "$RUN_DIR"

fail() {  # stop whatever this run started, then give up
  echo "$1" >&2
  PROD_RUN_DIR=$RUN_DIR scripts/prod-down.sh >/dev/null 2>&1 || true
  exit 1
}
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

load_env() {
  # The settings every process shares, fixed at the first start (from the caller's environment or
  # chosen here), so that a restarted consumer gets the same SECRET_KEY and database.
  set -a
  # shellcheck disable=SC1091
  . "$RUN_DIR/env"
  set +a
}

start_consumer() {
  local n=$1
  if running "$RUN_DIR/consumer-$n.pid"; then
    echo "consumer $n is already running (pid $(cat "$RUN_DIR/consumer-$n.pid"))" >&2
    return 0
  fi
  nohup "$PY" manage.py run_huey -w 4 -k thread >>"$RUN_DIR/consumer-$n.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/consumer-$n.pid"
}

if [ "${1:-}" = consumer ]; then
  [ -f "$RUN_DIR/env" ] || { echo "production mode is not running (no $RUN_DIR/env)" >&2; exit 1; }
  load_env
  start_consumer "${2:?consumer number}"
  exit 0
fi

if running "$RUN_DIR/web.pid"; then
  echo "production mode is already running (pid $(cat "$RUN_DIR/web.pid")); scripts/prod-down.sh stops it" >&2
  exit 1
fi
: >"$RUN_DIR/services"
if [ -z "${DATABASE_URL:-}" ]; then
  listening "${PGPORT:-54329}" || echo pg >>"$RUN_DIR/services"
  DATABASE_URL=$(scripts/pg-local.sh start)
fi
if [ -z "${REDIS_URL:-}" ]; then
  listening "${REDIS_PORT:-6390}" || echo redis >>"$RUN_DIR/services"
  REDIS_URL=$(scripts/redis-local.sh start)
fi

umask 077
{
  echo "DJANGO_SETTINGS_MODULE=config.settings.prod"
  echo "SECRET_KEY=${SECRET_KEY:-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(64))')}"
  echo "ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}"
  echo "SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-false}"
  echo "DATABASE_URL=$DATABASE_URL"
  echo "REDIS_URL=$REDIS_URL"
  echo "VCASSURE_VAR_DIR=${VCASSURE_VAR_DIR:-$RUN_DIR}"
  echo "STATIC_ROOT=${STATIC_ROOT:-$RUN_DIR/staticfiles}"
  echo "MEDIA_ROOT=${MEDIA_ROOT:-$RUN_DIR/media}"
  echo "PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://127.0.0.1:$PORT}"
  echo "PORT=$PORT"
  echo "WEB_CONCURRENCY=$WEB_CONCURRENCY"
} >"$RUN_DIR/env"
umask 022
load_env
mkdir -p "$STATIC_ROOT" "$MEDIA_ROOT"

"$PY" manage.py migrate --noinput >"$RUN_DIR/migrate.log" 2>&1 || fail "$(cat "$RUN_DIR/migrate.log")"
"$PY" manage.py collectstatic --noinput >"$RUN_DIR/collectstatic.log" 2>&1 || fail "$(cat "$RUN_DIR/collectstatic.log")"

nohup "$PY" -m gunicorn config.wsgi -c config/gunicorn.conf.py >>"$RUN_DIR/web.log" 2>&1 </dev/null &
echo $! >"$RUN_DIR/web.pid"
for n in $(seq "$HUEY_CONSUMERS"); do start_consumer "$n"; done

for _ in $(seq 120); do
  if "$PY" - "$PORT" <<'EOF' 2>/dev/null; then break; fi
import json, sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/health", timeout=2) as r:  # noqa: S310
    body = json.load(r)
sys.exit(0 if body["database"] == "ok" and body["queue"] == "ok" else 1)
EOF
  running "$RUN_DIR/web.pid" || fail "gunicorn exited; $RUN_DIR/web.log: $(tail -n 30 "$RUN_DIR/web.log")"
  sleep 0.5
done
"$PY" - "$PORT" <<'EOF' || fail "/api/health did not answer ok within 60 s"
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/health", timeout=5)  # noqa: S310
EOF
echo "VC Assure production mode: http://127.0.0.1:$PORT/ ($WEB_CONCURRENCY gunicorn workers, pid $(cat "$RUN_DIR/web.pid");" \
  "$HUEY_CONSUMERS Huey consumers; logs and pids in $RUN_DIR)"
