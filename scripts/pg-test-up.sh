#!/usr/bin/env bash
# Starts a private PostgreSQL cluster on 127.0.0.1:55432 for the test suite (idempotent) and
# prints the URL the tests use. Installs Debian's postgresql package when it is missing.
set -euo pipefail
PGDATA=${PGDATA:-/tmp/kalshi-actor-pg}
PGPORT=${PGPORT:-55432}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/pg_ctl" ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    sudo apt-get update -qq >/dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then install -d -o postgres -g postgres -m 700 "$PGDATA"; else install -d -m 700 "$PGDATA"; fi
test -f "$PGDATA/PG_VERSION" || as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1 || \
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -o "-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1" -l "$PGDATA/server.log" -w start >/dev/null
as_pg "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='kalshi_actor_test'" | grep -q 1 || \
  as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres kalshi_actor_test
echo "postgres://postgres@127.0.0.1:$PGPORT/kalshi_actor_test"
