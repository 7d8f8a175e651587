#!/usr/bin/env bash
# A private Redis from the OS package, installed when missing.
#   scripts/redis.sh start DIR PORT    AOF on, noeviction: broker messages and rate-limit keys must not vanish
#   scripts/redis.sh stop DIR PORT
set -euo pipefail

action=$1 dir=$(realpath -m "$2") port=${3:?usage: redis.sh start|stop DIR PORT}

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
    --appendonly yes --appendfsync everysec --maxmemory-policy noeviction --save ""
  for _ in $(seq 50); do
    redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null || { tail -n 20 "$dir/redis.log" >&2; exit 1; }
  echo "Redis on 127.0.0.1:$port (data in $dir)"
  ;;
stop)
  redis-cli -h 127.0.0.1 -p "$port" shutdown >/dev/null 2>&1 || true
  ;;
*)
  echo "usage: redis.sh start|stop DIR PORT" >&2; exit 2 ;;
esac
