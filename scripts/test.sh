#!/usr/bin/env bash
# make test: lint, then the whole suite against a private PostgreSQL and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .

# The browser tests drive Debian's Chromium: Playwright cannot download its own
# here.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "test.sh: /usr/bin/chromium is missing; install Debian's chromium" \
      "package (sudo apt-get install chromium) and run again" >&2
    exit 1
  fi
  echo "Installing chromium from the OS packages..."
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

dir=.run/test
mkdir -p "$dir"
pg_port=$(scripts/free-port.sh)
redis_port=$(scripts/free-port.sh)
# A run that was killed may have left its servers behind on other ports.
scripts/postgres.sh stop "$dir/postgres" 2>/dev/null || true
stop_all() {
  scripts/redis.sh stop "$dir/redis" "$redis_port"
  scripts/postgres.sh stop "$dir/postgres"
}
trap stop_all EXIT

# The test cluster trades crash safety for speed; its data is thrown away.
PG_EXTRA_OPTIONS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  scripts/postgres.sh start "$dir/postgres" "$pg_port" radar
scripts/redis.sh start "$dir/redis" "$redis_port"
# Over their Unix sockets, as `make run` connects.
DATABASE_URL=$(scripts/postgres.sh url "$dir/postgres" "$pg_port" radar)
REDIS_URL=$(scripts/redis.sh url "$dir/redis" "$redis_port")
export DATABASE_URL REDIS_URL

.venv/bin/python manage.py collectstatic --noinput -v 0
# Screenshots of this run only; the browser tests write them.
artifacts=$PWD/test-artifacts
rm -rf "$artifacts"
status=0
.venv/bin/pytest "$@" || status=$?
[ ! -d "$artifacts" ] || echo "Test artifacts (screenshots): $artifacts/"
exit "$status"
