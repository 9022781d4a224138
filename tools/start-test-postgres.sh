#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on 127.0.0.1 for the migrator's PostgreSQL tests. Installs
# nothing: it needs initdb and pg_ctl from Debian's postgresql package (/usr/lib/postgresql/*/bin).
#
#   eval "$(tools/start-test-postgres.sh)"     # prints export lines: the URI and the cluster dir
#   ctest --test-dir build -L migrator
#   tools/start-test-postgres.sh --stop "$LEDGERDESK_TEST_POSTGRES_DIR"
#
# The cluster lives in a temp dir, listens on 127.0.0.1 only (a free port from 54329 up), trusts
# local connections and holds one database, "legacy", encoded SQL_ASCII like old exports that
# keep windows-1250 bytes in text columns. Run as root, it runs the server as the postgres user.
# Exit status 2: no PostgreSQL server binaries here.
set -euo pipefail

find_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
  done
  local initdb
  initdb=$(command -v initdb 2>/dev/null) || return 1
  dirname "$(readlink -f "$initdb")"
}

as_owner() {  # runs a command as the cluster's owner
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

bin=$(find_bin) || {
  echo "start-test-postgres: no initdb/pg_ctl found (apt-get install postgresql)" >&2
  exit 2
}

if [ "${1:-}" = "--stop" ]; then
  dir=${2:?usage: start-test-postgres.sh --stop DIR}
  [ -f "$dir/data/PG_VERSION" ] || { echo "start-test-postgres: $dir is no test cluster" >&2; exit 1; }
  as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null || true
  rm -rf -- "$dir"
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
  echo "start-test-postgres: running as root needs the postgres user (from the package)" >&2
  exit 2
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/ledgerdesk-pg.XXXXXX")
chmod 755 "$dir"
[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"

as_owner "$bin/initdb" -D "$dir/data" -U ledgerdesk -A trust -E SQL_ASCII --locale=C \
  >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
# A free port from 54329 up; another test run (another worktree) may take the same one between the
# check and the start, so a start that fails is tried again on the next ports.
port=54329
for attempt in 1 2 3 4 5 6 7 8; do
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null; then
    break
  fi
  [ "$attempt" -eq 8 ] && { cat "$dir/server.log" >&2; exit 1; }
  port=$((port + 1 + RANDOM % 8))
done
as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U ledgerdesk -E SQL_ASCII -T template0 legacy

echo "export LEDGERDESK_TEST_POSTGRES_URI=postgresql://ledgerdesk@127.0.0.1:$port/legacy"
echo "export LEDGERDESK_TEST_POSTGRES_DIR=$dir"
echo "start-test-postgres: PostgreSQL on 127.0.0.1:$port in $dir" >&2
