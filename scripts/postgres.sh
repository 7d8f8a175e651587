#!/usr/bin/env bash
# A private PostgreSQL cluster from the machine's binaries.
#   scripts/postgres.sh start DIR PORT [DBNAME]   initialise if needed, start, create DBNAME
#   scripts/postgres.sh stop DIR
#   scripts/postgres.sh url DIR PORT [DBNAME]     the URL of its Unix socket, for DATABASE_URL
# PostgreSQL refuses to run as root, so as root the cluster belongs to the
# `postgres` system user; its data must then be where that user can reach.
set -euo pipefail

action=$1 dir=$(realpath -m "$2") port=${3:-} dbname=${4:-radar}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] || { echo "postgres.sh: no PostgreSQL binaries under /usr/lib/postgresql" >&2; exit 1; }

as_owner() {
  # From /, so a working directory the postgres user cannot enter is no matter.
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

mkdir -p "$dir"
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$dir"
  if ! runuser -u postgres -- test -w "$dir"; then
    # The checkout is somewhere the postgres user cannot enter (e.g. /root):
    # keep the cluster in a folder of its own under /var/tmp instead.
    dir=/var/tmp/outage-radar-pg-$(printf %s "$dir" | sha1sum | cut -c1-12)
    mkdir -p "$dir" && chown postgres: "$dir" && chmod 700 "$dir"
  fi
fi

case $action in
start)
  [ -n "$port" ] || { echo "usage: postgres.sh start DIR PORT [DBNAME]" >&2; exit 2; }
  if [ ! -s "$dir/PG_VERSION" ]; then
    as_owner "$bindir/initdb" -D "$dir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 \
      || { cat "$dir.initdb.log" >&2; exit 1; }
  fi
  if as_owner "$bindir/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    running=$(sed -n 4p "$dir/postmaster.pid")
    if [ "$running" != "$port" ]; then
      echo "postgres.sh: the cluster in $dir already runs on port $running, not $port;" \
        "stop it first: scripts/postgres.sh stop $dir" >&2
      exit 1
    fi
  else
    as_owner "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir ${PG_EXTRA_OPTIONS:-}" start >/dev/null \
      || { tail -n 20 "$dir/server.log" >&2; exit 1; }
  fi
  exists=$("$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$dbname'")
  [ "$exists" = 1 ] || "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres "$dbname"
  echo "PostgreSQL on 127.0.0.1:$port (data in $dir)"
  ;;
url)
  # The socket, not TCP: a local round trip over it costs the client and the
  # server less CPU, and every report makes one (docs/ingest.md).
  [ -n "$port" ] || { echo "usage: postgres.sh url DIR PORT [DBNAME]" >&2; exit 2; }
  host=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$dir")
  echo "postgres://postgres@$host:$port/$dbname"
  ;;
stop)
  if as_owner "$bindir/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    as_owner "$bindir/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
  fi
  ;;
*)
  echo "usage: postgres.sh start|stop|url DIR [PORT] [DBNAME]" >&2; exit 2 ;;
esac
