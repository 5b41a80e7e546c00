#!/usr/bin/env bash
# The demo in one command: installs what is missing, builds kizen-sync and kizen-emulator, starts a
# throwaway PostgreSQL and the emulator, creates two demo tables with rows, runs `kizen-sync
# migrate` and then `kizen-sync run` on config/examples/quickstart.yaml. Ctrl-C stops everything
# and removes the throwaway database.
#
#   deploy/quickstart.sh           # interactive demo (runs until Ctrl-C)
#   deploy/quickstart.sh --smoke   # checks that the demo rows reach the emulator, then exits
#
# Environment: KS_BUILD_TYPE (default Release), KS_BUILD_DIR, KS_HTTP_LISTEN (default
# 127.0.0.1:9464) and KS_EMULATOR_LISTEN (default 127.0.0.1:8089); port 0 = any free port.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
smoke=false
case "${1:-}" in
  --smoke) smoke=true ;;
  -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) echo "quickstart: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

say "Installing missing packages (if any)"
"$root/deploy/install-deps.sh"

build_type=${KS_BUILD_TYPE:-Release}
build_dir=${KS_BUILD_DIR:-$root/build/${build_type,,}}
say "Building kizen-sync and kizen-emulator ($build_type, in $build_dir)"
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)" --target kizen-sync kizen-emulator
sync_bin="$build_dir/daemon/kizen-sync"
emulator_bin="$build_dir/tests/emulator/kizen-emulator"
config="$root/config/examples/quickstart.yaml"

run_dir=$(mktemp -d /tmp/ks-quickstart.XXXXXX)
emulator_pid=""
daemon_pid=""
# shellcheck source=lib/throwaway-postgres.sh
source "$root/deploy/lib/throwaway-postgres.sh"
cleanup() {
  [[ -n "$daemon_pid" ]] && kill -TERM "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true
  [[ -n "$emulator_pid" ]] && kill -TERM "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null || true
  ks_pg_stop
  rm -rf "$run_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "Starting a throwaway PostgreSQL"
ks_pg_start

export KIZEN_API_KEY=${KIZEN_API_KEY:-demo-key}
export KIZEN_BUSINESS_ID=${KIZEN_BUSINESS_ID:-5f0c3a5e-8d7b-4c1e-9a51-3b2f6d7e8a90}
export KIZEN_USER_ID=${KIZEN_USER_ID:-7b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e}
say "Starting kizen-emulator (a local stand-in for Kizen)"
"$emulator_bin" --listen "${KS_EMULATOR_LISTEN:-127.0.0.1:8089}" --api-key "$KIZEN_API_KEY" \
  --business-id "$KIZEN_BUSINESS_ID" --user-id "$KIZEN_USER_ID" \
  >"$run_dir/emulator.out" 2>"$run_dir/emulator.log" &
emulator_pid=$!
for _ in $(seq 100); do
  [[ -s "$run_dir/emulator.out" ]] && break
  kill -0 "$emulator_pid" 2>/dev/null || { cat "$run_dir/emulator.log" >&2; exit 1; }
  sleep 0.1
done
KIZEN_BASE_URL=$(head -n1 "$run_dir/emulator.out" | awk '{print $NF}')
export KIZEN_BASE_URL
export KS_HTTP_LISTEN=${KS_HTTP_LISTEN:-127.0.0.1:9464}

say "Creating demo tables public.demo_companies and public.demo_contacts"
psql -q -v ON_ERROR_STOP=1 "$DATABASE_URL" <<'SQL'
CREATE TABLE demo_companies (
  id        integer PRIMARY KEY,
  name      text NOT NULL UNIQUE,
  domain    text,
  employees integer,
  industry  text,
  kizen_id  uuid
);
CREATE TABLE demo_contacts (
  id         integer PRIMARY KEY,
  email      text NOT NULL UNIQUE,
  first_name text,
  last_name  text,
  company_id integer REFERENCES demo_companies (id),
  tags       text[],
  lead_score integer,
  stage      text,
  kizen_id   uuid
);
SQL

say "kizen-sync migrate: sync schema and capture triggers"
"$sync_bin" migrate -c "$config"

say "Inserting demo rows (captured by the triggers, before the daemon even runs)"
psql -q -v ON_ERROR_STOP=1 "$DATABASE_URL" <<'SQL'
INSERT INTO demo_companies (id, name, domain, employees, industry) VALUES
  (1, 'Acme Corp', 'acme.example', 120, 'Software'),
  (2, 'Globex', 'globex.example', 5400, 'Finance'),
  (3, 'Initech', 'initech.example', 300, 'Software'),
  (4, 'Umbrella Health', 'umbrella.example', 900, 'Health'),
  (5, 'Hooli Retail', 'hooli.example', 45, 'Retail');
INSERT INTO demo_contacts (id, email, first_name, last_name, company_id, tags, lead_score, stage) VALUES
  (1, 'ada@acme.example', 'Ada', 'Lovelace', 1, '{vip,newsletter}', 90, 'Customer'),
  (2, 'alan@acme.example', 'Alan', 'Turing', 1, '{newsletter}', 75, 'Qualified'),
  (3, 'grace@globex.example', 'Grace', 'Hopper', 2, '{vip}', 88, 'Customer'),
  (4, 'edsger@initech.example', 'Edsger', 'Dijkstra', 3, '{}', 40, 'Lead'),
  (5, 'barbara@umbrella.example', 'Barbara', 'Liskov', 4, '{speaker}', 65, 'Qualified'),
  (6, 'donald@hooli.example', 'Donald', 'Knuth', 5, '{}', 55, 'Lead'),
  (7, 'margaret@globex.example', 'Margaret', 'Hamilton', 2, '{vip,speaker}', 95, 'Customer'),
  (8, 'ken@initech.example', 'Ken', 'Thompson', 3, '{}', 30, 'Lead'),
  (9, 'frances@acme.example', 'Frances', 'Allen', 1, '{newsletter}', 70, 'Qualified'),
  (10, 'john@hooli.example', 'John', 'Backus', NULL, '{}', 20, 'Churned');
SQL

say "kizen-sync run"
"$sync_bin" run -c "$config" 2>"$run_dir/daemon.log" &
daemon_pid=$!

emulator_state() { curl -sf "$KIZEN_BASE_URL/__emulator/state"; }
wait_for() {  # wait_for DESCRIPTION SECONDS COMMAND...
  local what=$1 seconds=$2; shift 2
  for _ in $(seq $((seconds * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    kill -0 "$daemon_pid" 2>/dev/null || { echo "quickstart: kizen-sync exited; its log:" >&2; cat "$run_dir/daemon.log" >&2; return 1; }
    sleep 0.1
  done
  echo "quickstart: timed out waiting for $what; daemon log:" >&2
  tail -n 40 "$run_dir/daemon.log" >&2
  return 1
}
http_port() { grep -o '"http_port":[0-9]*' "$run_dir/daemon.log" | head -n1 | cut -d: -f2; }
wait_for "the daemon to start" 60 http_port
status_url="http://${KS_HTTP_LISTEN%:*}:$(http_port)"
wait_for "the daemon to become healthy" 60 curl -sf "$status_url/healthz"
# Every demo row has a Kizen record once the identity map holds them all.
all_mapped() {
  local s; s=$("$sync_bin" status -c "$config" --json) || return 1
  [[ $(jq '[.objects[] | .mapped_records] | add' <<<"$s") == 15 && $(jq '[.objects[] | .backlog] | add' <<<"$s") == 0 ]]
}
wait_for "the demo rows to reach the emulator" 60 all_mapped
[[ $(emulator_state | jq '[.objects[][] | select(.archived | not)] | length') == 15 ]] ||
  { echo "quickstart: the emulator does not hold the 15 demo records" >&2; exit 1; }
say "All 15 demo rows are in the emulator"

if $smoke; then
  psql -q "$DATABASE_URL" -c "UPDATE demo_contacts SET first_name = 'Augusta Ada' WHERE id = 1"
  renamed() { emulator_state | grep -q 'Augusta Ada'; }
  wait_for "the update to reach the emulator" 30 renamed
  "$sync_bin" status -c "$config"
  say "Smoke test passed"
  exit 0
fi

cat >&2 <<EOF

  kizen-sync is running (log: $run_dir/daemon.log). Things to try in another terminal:

    export DATABASE_URL='$DATABASE_URL'
    psql "\$DATABASE_URL" -c "UPDATE demo_contacts SET stage = 'Customer' WHERE id = 4"
    psql "\$DATABASE_URL" -c "SELECT id, email, kizen_id FROM demo_contacts ORDER BY id"
    curl -s $KIZEN_BASE_URL/__emulator/state | jq .
    curl -s $KIZEN_BASE_URL/__emulator/requests | jq ".requests[-5:]"
    DATABASE_URL="\$DATABASE_URL" KIZEN_BASE_URL=$KIZEN_BASE_URL KS_HTTP_LISTEN=$KS_HTTP_LISTEN \\
      $sync_bin status -c $config
    curl -s $status_url/metrics

  Press Ctrl-C to stop; the throwaway database and emulator go away with it.
EOF
tail -f "$run_dir/daemon.log" --pid="$daemon_pid" | grep --line-buffered -E '"level":"(info|warning|error|critical)"' || true
wait "$daemon_pid"
