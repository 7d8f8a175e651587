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

py=.venv/bin/python
$py manage.py migrate --noinput -v 0
$py manage.py loadcatalog
[ "$DEMO" = 0 ] || $py manage.py demo
$py manage.py collectstatic --noinput -v 0

.venv/bin/celery -A config worker --loglevel=INFO --concurrency=2 >.run/worker.log 2>&1 &
pids+=($!)
.venv/bin/celery -A config beat --loglevel=INFO --schedule .run/celerybeat-schedule >.run/beat.log 2>&1 &
pids+=($!)
.venv/bin/gunicorn config.wsgi --preload --bind "127.0.0.1:$PORT" --workers "${WEB_CONCURRENCY:-3}" \
  --access-logfile - --error-logfile - &
pids+=($!)

echo
echo "Outage Radar is up: http://127.0.0.1:$PORT/"
echo "  readiness  http://127.0.0.1:$PORT/readyz   admin http://127.0.0.1:$PORT/admin/"
echo "  worker log .run/worker.log, beat log .run/beat.log. Ctrl-C stops everything."
echo

# Whichever process ends first (or Ctrl-C) brings the rest down.
wait -n "${pids[@]}" || true
