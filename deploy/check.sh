#!/usr/bin/env bash
# Check deploy/: the nginx site with `nginx -t` (inside a throw-away nginx.conf, with a self-signed
# certificate made here) and the systemd units with `systemd-analyze verify` (with /opt/vcassure
# pointed at this checkout, whose .venv must exist). Installs nginx and systemd with apt-get when
# missing (CI). Prints what it checked; exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
need() {  # command, Debian package
  command -v "$1" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$1" >/dev/null 2>&1 && return 0
  as_root apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$2" >&2
}
export PATH=$PATH:/usr/sbin:/sbin

# --- nginx -----------------------------------------------------------------------------------------
need nginx nginx-light
need openssl openssl
mkdir -p "$TMP/nginx/snippets" "$TMP/ssl" "$TMP/logs" "$TMP/static" "$TMP/media"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=vcassure.example.internal" \
  -keyout "$TMP/ssl/privkey.pem" -out "$TMP/ssl/fullchain.pem" >/dev/null 2>&1
cp deploy/nginx/vcassure-proxy.conf "$TMP/nginx/snippets/"
sed -e "s#/etc/ssl/vcassure/#$TMP/ssl/#g" \
    -e "s#/etc/nginx/snippets/#$TMP/nginx/snippets/#g" \
    -e "s#/var/log/nginx/#$TMP/logs/#g" \
    -e "s#/var/lib/vcassure/staticfiles/#$TMP/static/#g" \
    -e "s#/var/lib/vcassure/media/#$TMP/media/#g" \
    deploy/nginx/vcassure.conf >"$TMP/nginx/site.conf"
cat >"$TMP/nginx/nginx.conf" <<CONF
pid $TMP/nginx.pid;
error_log $TMP/logs/error.log;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    client_body_temp_path $TMP/body;
    proxy_temp_path $TMP/proxy;
    access_log $TMP/logs/access.log;
    include $TMP/nginx/site.conf;
}
CONF
nginx -t -q -p "$TMP" -c "$TMP/nginx/nginx.conf"
echo "nginx -t: deploy/nginx/vcassure.conf (with deploy/nginx/vcassure-proxy.conf) is valid ($(nginx -v 2>&1))"

# --- systemd ---------------------------------------------------------------------------------------
need systemd-analyze systemd
[ -x "$ROOT/.venv/bin/python" ] || { echo "no $ROOT/.venv: run make first" >&2; exit 1; }
mkdir -p "$TMP/units"
for unit in deploy/systemd/*; do
  sed -e "s#/opt/vcassure#$ROOT#g" "$unit" >"$TMP/units/$(basename "$unit")"
done
# The unit files refer to each other (vcassure.target, vcassure-worker@N): look them up here first.
cp "$TMP/units/vcassure-worker@.service" "$TMP/units/vcassure-worker@1.service"
# PostgreSQL's drop-in (deploy/postgresql/), checked on a stand-in for Debian's postgresql@.service:
# a key systemd does not know is reported against the drop-in's path, and fails the check.
mkdir -p "$TMP/units/postgresql@.service.d"
printf '[Unit]\nDescription=PostgreSQL stand-in\n[Service]\nExecStart=/bin/true\n' >"$TMP/units/postgresql@.service"
cp "$TMP/units/postgresql@.service" "$TMP/units/postgresql@15-main.service"
cp deploy/postgresql/vcassure-cpu.conf "$TMP/units/postgresql@.service.d/"
if out=$(SYSTEMD_UNIT_PATH="$TMP/units:" systemd-analyze verify --man=no \
    "$TMP/units/vcassure-web.service" "$TMP/units/vcassure-links.service" \
    "$TMP/units/vcassure-worker@1.service" \
    "$TMP/units/vcassure.target" "$TMP/units/vcassure-backup.service" \
    "$TMP/units/vcassure-backup.timer" "$TMP/units/postgresql@15-main.service" 2>&1); then
  problems=$(printf '%s\n' "$out" | grep -F "$TMP/units" || true)
  if [ -n "$problems" ]; then
    printf '%s\n' "$problems" >&2
    exit 1
  fi
  echo "systemd-analyze verify: deploy/systemd/* and deploy/postgresql/vcassure-cpu.conf are valid ($(systemd-analyze --version | head -n 1))"
else
  printf '%s\n' "$out" >&2
  exit 1
fi
