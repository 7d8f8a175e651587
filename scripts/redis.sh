#!/usr/bin/env bash
# A private Redis from the OS package, installed when missing.
#   scripts/redis.sh start DIR PORT    AOF on, synced as INTAKE_FSYNC says (always unless
#                                      everysec), noeviction: the intake log, broker messages
#                                      and rate-limit keys must not vanish
#   scripts/redis.sh stop DIR PORT
#   scripts/redis.sh url DIR PORT      the URL of its Unix socket (TCP if it has none), for REDIS_URL
set -euo pipefail

action=$1 dir=$(realpath -m "$2") port=${3:?usage: redis.sh start|stop|url DIR PORT}
socket=$dir/redis.sock
# Beside TCP, a Unix socket where its path fits (the limit is 107 bytes).
socket_options=()
[ ${#socket} -gt 100 ] || socket_options=(--unixsocket "$socket" --unixsocketperm 700)

if ! command -v redis-server >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "redis.sh: redis-server is missing; install the redis-server package" >&2; exit 1
  fi
  echo "Installing redis-server from the OS packages..."
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi

case $action in
start)
  mkdir -p "$dir"
  if redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then
    echo "Redis on 127.0.0.1:$port (already running)"; exit 0
  fi
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --dir "$dir" \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
    --appendonly yes --appendfsync "${INTAKE_FSYNC:-always}" \
    --maxmemory "${REDIS_MAXMEMORY:-1gb}" --maxmemory-policy noeviction --save "" \
    "${socket_options[@]}"
  for _ in $(seq 50); do
    redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null || { tail -n 20 "$dir/redis.log" >&2; exit 1; }
  echo "Redis on 127.0.0.1:$port (data in $dir)"
  ;;
url)
  # The socket, not TCP: a local round trip over it costs the client and the
  # server less CPU, and every report makes one (docs/ingest.md).
  if [ -S "$socket" ]; then
    echo "unix://$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$socket")?db=0"
  else
    echo "redis://127.0.0.1:$port/0"
  fi
  ;;
stop)
  redis-cli -h 127.0.0.1 -p "$port" shutdown >/dev/null 2>&1 || true
  ;;
*)
  echo "usage: redis.sh start|stop|url DIR PORT" >&2; exit 2 ;;
esac
