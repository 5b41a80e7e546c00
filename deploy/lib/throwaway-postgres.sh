# shellcheck shell=bash
# Sourced by tests/run.sh and deploy/quickstart.sh: a private PostgreSQL 15 cluster in a temporary
# directory, listening only on a Unix socket there, removed by ks_pg_stop.
#
#   ks_pg_start            # exports DATABASE_URL, KS_PG_DIR, KS_PG_DATA, KS_PG_BIN
#   ks_pg_stop             # stops the server and deletes the directory (safe to call twice)
#
# PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user.

ks_pg_bin() {
  local bin
  for bin in /usr/lib/postgresql/15/bin "$(pg_config --bindir 2>/dev/null || true)"; do
    [[ -x "$bin/initdb" ]] && { echo "$bin"; return 0; }
  done
  echo "throwaway-postgres: initdb not found (is postgresql-15 installed?)" >&2
  return 1
}

ks_pg_as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ks_pg_start() {
  KS_PG_BIN=$(ks_pg_bin)
  KS_PG_DIR=$(mktemp -d /tmp/ks-pg.XXXXXX)
  KS_PG_DATA="$KS_PG_DIR/data"
  local port=${KS_PG_PORT:-5432}
  [[ $(id -u) -eq 0 ]] && chown postgres: "$KS_PG_DIR"
  chmod 700 "$KS_PG_DIR"
  ks_pg_as_owner "$KS_PG_BIN/initdb" -D "$KS_PG_DATA" -U postgres -A trust -E UTF8 --no-sync \
    >"$KS_PG_DIR/initdb.log" 2>&1 || { cat "$KS_PG_DIR/initdb.log" >&2; return 1; }
  # Unix socket only (no TCP port to collide with), tuned for throwaway speed, not durability.
  ks_pg_as_owner "$KS_PG_BIN/pg_ctl" -D "$KS_PG_DATA" -l "$KS_PG_DIR/server.log" -w -t 60 \
    -o "-k $KS_PG_DIR -p $port -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null || { cat "$KS_PG_DIR/server.log" >&2; return 1; }
  chmod 755 "$KS_PG_DIR"  # let the test user reach the socket; the data dir stays 700
  export KS_PG_BIN KS_PG_DIR KS_PG_DATA
  export DATABASE_URL="postgresql:///postgres?host=$KS_PG_DIR&port=$port&user=postgres"
}

ks_pg_stop() {
  [[ -n "${KS_PG_DIR:-}" && -d "$KS_PG_DIR" ]] || return 0
  ks_pg_as_owner "$KS_PG_BIN/pg_ctl" -D "$KS_PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$KS_PG_DIR"
  KS_PG_DIR=
}
