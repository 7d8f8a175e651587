#!/usr/bin/env bash
# make run: the whole radar on this machine. Ctrl-C stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-8000}
# A new radar comes to life with simulated history and a light crowd.
export DEMO=${DEMO:-1}
PG_PORT=${PG_PORT:-25432}
REDIS_PORT=${REDIS_PORT:-26379}

scripts/install.sh
mkdir -p .run

pids=()
started_pg="" started_redis=""
stop_all() {
  trap - INT TERM EXIT
  echo "Stopping..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -z "$started_redis" ] || scripts/redis.sh stop .run/redis "$REDIS_PORT"
  [ -z "$started_pg" ] || scripts/postgres.sh stop .run/postgres
}
trap stop_all INT TERM EXIT

if [ -z "${DATABASE_URL:-}" ]; then
  scripts/postgres.sh start .run/postgres "$PG_PORT" radar
  started_pg=1
  DATABASE_URL=$(scripts/postgres.sh url .run/postgres "$PG_PORT" radar)
  export DATABASE_URL
fi
if [ -z "${REDIS_URL:-}" ]; then
  scripts/redis.sh start .run/redis "$REDIS_PORT"
  started_redis=1
  REDIS_URL=$(scripts/redis.sh url .run/redis "$REDIS_PORT")
  export REDIS_URL
fi

# Alert emails are written to files in .run/mail/ to read, unless EMAIL_URL
# names a real server; their links point at this radar.
if [ -z "${EMAIL_URL:-}" ]; then
  export EMAIL_BACKEND=${EMAIL_BACKEND:-django.core.mail.backends.filebased.EmailBackend}
  export EMAIL_FILE_PATH=${EMAIL_FILE_PATH:-$PWD/.run/mail}
fi
export SITE_URL=${SITE_URL:-http://127.0.0.1:$PORT}

py=.venv/bin/python
$py manage.py migrate --noinput -v 0
$py manage.py loadcatalog
[ "$DEMO" = 0 ] || $py manage.py demo
$py manage.py collectstatic --noinput -v 0

# A worker or beat that dies is started again, and says so in its log, so
# the radar heals without a person. Stopping the keeper stops its process;
# the process has a session of its own, so Ctrl-C reaches only the keeper and
# no stop is taken for a death.
keep_alive() {
  local name=$1 log=$2 child=""
  shift 2
  trap '[ -z "$child" ] || kill -TERM "$child" 2>/dev/null; wait; exit 0' TERM INT
  while true; do
    setsid "$@" >>"$log" 2>&1 &
    child=$!
    status=0
    wait "$child" || status=$?
    echo "$(date -u +%FT%TZ) $name exited with status $status; starting it again" |
      tee -a "$log" >&2
    sleep 1
  done
}
: >.run/worker.log
: >.run/beat.log
keep_alive worker .run/worker.log \
  .venv/bin/celery -A config worker --loglevel=INFO --concurrency=2 &
pids+=($!)
keep_alive beat .run/beat.log \
  .venv/bin/celery -A config beat --loglevel=INFO --schedule .run/celerybeat-schedule &
pids+=($!)
.venv/bin/gunicorn config.wsgi -c python:config.gunicorn --bind "127.0.0.1:$PORT" &
pids+=($!)

echo
echo "Outage Radar is up: http://127.0.0.1:$PORT/"
echo "  readiness  http://127.0.0.1:$PORT/readyz   admin http://127.0.0.1:$PORT/admin/"
echo "  worker log .run/worker.log, beat log .run/beat.log (restarted if they die)."
[ "${EMAIL_BACKEND:-}" != django.core.mail.backends.filebased.EmailBackend ] ||
  echo "  emails (sign-up confirmations, alerts) are files in $EMAIL_FILE_PATH/."
echo "  Ctrl-C stops everything."
echo

# Whichever process ends first (or Ctrl-C) brings the rest down.
wait -n "${pids[@]}" || true
