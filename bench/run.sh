#!/usr/bin/env bash
# Tessera's benchmark: one command, reproducible.
#
#   bench/run.sh                      # RUNS=3 rounds of DURATION=10 s per scenario
#   RUNS=5 DURATION=15 bench/run.sh
#   ONLY="baseline by_id" bench/run.sh  # some scenarios only (the ratios need their pairs)
#
# Generates (once, cached under target/bench-data) populations of 1,000, 100,000 and 1,000,000
# users with 1,000 groups (1 to 5 groups per user), and a content population (20,000 dashboards
# shared with groups, and a viewer who sees a few hundred of them), starts a release server on
# each and a bare axum route beside them, then runs wrk (-t2 -c64) round-robin over every scenario, so that each
# round measures all of them under the same machine conditions. Prints a Markdown table of the
# medians (req/s, p50, p99) and the ratios the targets are stated in.
#
# PostgreSQL (scale-out): the 100,000-user population moved into a database of the local server
# (PG_SERVER, default postgres://postgres@127.0.0.1:5432; `tessera export | tessera import`,
# once), served by one node and by two nodes on the same database; the two-node scenarios run
# two wrk -t1 -c32 at once, one per node, and add their throughput; and a bulk insert of
# BULK_PEOPLE (20,000; 0 skips it) people into each engine, empty. PG=0 leaves them out.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
DATA=target/bench-data
PASSWORD=Bench-passw0rd
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

cargo build --release -p tessera-server -p tessera-bench >&2
BIN=target/release

for n in 1000 100000 1000000; do
  if [ ! -f "$DATA/$n/ready" ]; then
    rm -rf "${DATA:?}/$n"
    echo "generating $n users ..." >&2
    "$BIN/tessera-bench-gen" --data-dir "$DATA/$n" --users "$n" --groups 1000 --admin-password "$PASSWORD"
    touch "$DATA/$n/ready"
  fi
done
# Content: 10,000 users in 1,000 groups, 20,000 dashboards shared with groups, one viewer.
if [ ! -f "$DATA/content/ready" ]; then
  rm -rf "${DATA:?}/content"
  echo "generating dashboards ..." >&2
  "$BIN/tessera-bench-gen" --data-dir "$DATA/content" --users 10000 --groups 1000 \
    --dashboards 20000 --admin-password "$PASSWORD"
  touch "$DATA/content/ready"
fi

PG=${PG:-1}
PG_SERVER=${PG_SERVER:-postgres://postgres@127.0.0.1:5432}
PG_DB=tessera_bench_100k
PG_URL="$PG_SERVER/$PG_DB"
if [ "$PG" = 1 ]; then
  exists=$(psql "$PG_SERVER/postgres" -Atc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")
  if [ "$exists" != 1 ] || [ ! -f "$DATA/pg-100000.ready" ]; then
    echo "moving 100,000 users into PostgreSQL ($PG_DB) ..." >&2
    psql "$PG_SERVER/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB"
    "$BIN/tessera" export --data-dir "$DATA/100000" | "$BIN/tessera" import --database-url "$PG_URL"
    touch "$DATA/pg-100000.ready"
  fi
fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

serve() { # port data-dir
  RUST_LOG=warn "$BIN/tessera" serve --listen "127.0.0.1:$1" --data-dir "$2" >/dev/null 2>&1 &
  pids+=($!)
}
serve 18081 "$DATA/100000"
serve 18082 "$DATA/1000"
serve 18083 "$DATA/1000000"
serve 18084 "$DATA/content"
"$BIN/tessera-bench-baseline" 127.0.0.1:18090 &
pids+=($!)
ports="18081 18082 18083 18084 18090"
if [ "$PG" = 1 ]; then
  for port in 18085 18086; do
    RUST_LOG=warn "$BIN/tessera" serve --listen "127.0.0.1:$port" --database-url "$PG_URL" >/dev/null 2>&1 &
    pids+=($!)
  done
  ports="$ports 18085 18086"
fi

for port in $ports; do
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
done

token() { # port [user]
  curl -s -X POST "http://127.0.0.1:$1/api/v1/authentication/login" \
    -H 'Content-Type: application/x-www-form-urlencoded' \
    -d "username=${2:-admin}%40${3:-example.com}&password=$PASSWORD" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}
T=$(token 18081); T1K=$(token 18082); T1M=$(token 18083)
TC=$(token 18084); TV=$(token 18084 viewer bench.example)
first_id() { # url token
  curl -s "$1" -H "Authorization: Bearer $2" | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["_id"])'
}
USER_ID=$(first_id "http://127.0.0.1:18081/api/v1/users?skip=50000&limit=1&fields=_id" "$T")
GROUP_ID=$(first_id "http://127.0.0.1:18081/api/v1/groups?name=group-00500&fields=_id" "$T")

LIST='/api/v1/users?limit=50&sort=lastName'
DASH='/api/v1/dashboards?limit=50&sort=title'
all="baseline by_id list list_fields list_expand group_members list_1k list_1m dash_owner dash_viewer count"
[ "$PG" = 1 ] && all="$all pg_by_id pg_list pg_expand pg_count pg2_by_id pg2_list"
names=(${ONLY:-$all})
declare -A url tok
url[baseline]="http://127.0.0.1:18090/";                                 tok[baseline]=$T
url[by_id]="http://127.0.0.1:18081/api/v1/users/$USER_ID";               tok[by_id]=$T
url[list]="http://127.0.0.1:18081$LIST";                                 tok[list]=$T
url[list_fields]="http://127.0.0.1:18081$LIST&fields=firstName,lastName,email"; tok[list_fields]=$T
url[list_expand]="http://127.0.0.1:18081$LIST&expand=groups";            tok[list_expand]=$T
url[group_members]="http://127.0.0.1:18081/api/v1/groups/$GROUP_ID?expand=users(limit:50)"; tok[group_members]=$T
url[list_1k]="http://127.0.0.1:18082$LIST";                              tok[list_1k]=$T1K
url[list_1m]="http://127.0.0.1:18083$LIST";                              tok[list_1m]=$T1M
url[dash_owner]="http://127.0.0.1:18084$DASH";                           tok[dash_owner]=$TC
url[dash_viewer]="http://127.0.0.1:18084$DASH";                          tok[dash_viewer]=$TV
url[count]="http://127.0.0.1:18081$LIST";                                tok[count]=$T
declare -A header=([count]="Prefer: count=exact" [pg_count]="Prefer: count=exact")
if [ "$PG" = 1 ]; then
  # The same users, ids and token signing key: the SQLite server's token works here too.
  url[pg_by_id]="http://127.0.0.1:18085/api/v1/users/$USER_ID";          tok[pg_by_id]=$T
  url[pg_list]="http://127.0.0.1:18085$LIST";                            tok[pg_list]=$T
  url[pg_expand]="http://127.0.0.1:18085$LIST&expand=groups";            tok[pg_expand]=$T
  url[pg_count]="http://127.0.0.1:18085$LIST";                           tok[pg_count]=$T
  url[pg2_by_id]="${url[pg_by_id]}";                                     tok[pg2_by_id]=$T
  url[pg2_list]="${url[pg_list]}";                                       tok[pg2_list]=$T
fi

# Every URL must answer 200 before it is measured.
for n in "${names[@]}"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "${url[$n]}" -H "Authorization: Bearer ${tok[$n]}")
  [ "$code" = 200 ] || { echo "$n: ${url[$n]} answered $code" >&2; exit 1; }
done

to_ms() { # wrk latency like 1.23ms, 850.00us, 1.02s
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}
declare -A rps p50 p99
measure() { # threads connections url token [header] -> wrk's output
  local args=(-t"$1" -c"$2" -d"${DURATION}s" --latency -H "Authorization: Bearer $4")
  [ -n "${5:-}" ] && args+=(-H "$5")
  wrk "${args[@]}" "$3"
}
field() { # wrk output, what -> a number
  case $2 in
    rps) awk '/^Requests\/sec/ { print $2 }' <<<"$1" ;;
    p50) to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$1")" ;;
    p99) to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$1")" ;;
  esac
}
for round in $(seq 1 "$RUNS"); do
  for n in "${names[@]}"; do
    if [[ $n == pg2_* ]]; then
      # Two nodes: half the connections on each, at once; throughput adds up, latency is the
      # worse node's.
      half=$((CONNECTIONS / 2))
      measure 1 "$half" "${url[$n]}" "${tok[$n]}" >"$DATA/wrk-a" &
      measure 1 "$half" "${url[$n]/18085/18086}" "${tok[$n]}" >"$DATA/wrk-b"
      wait $!
      a=$(cat "$DATA/wrk-a"); b=$(cat "$DATA/wrk-b")
      rps[$n]+="$(awk -v x="$(field "$a" rps)" -v y="$(field "$b" rps)" 'BEGIN { print x + y }') "
      p50[$n]+="$(awk -v x="$(field "$a" p50)" -v y="$(field "$b" p50)" 'BEGIN { print (x > y) ? x : y }') "
      p99[$n]+="$(awk -v x="$(field "$a" p99)" -v y="$(field "$b" p99)" 'BEGIN { print (x > y) ? x : y }') "
    else
      out=$(measure 2 "$CONNECTIONS" "${url[$n]}" "${tok[$n]}" "${header[$n]:-}")
      rps[$n]+="$(field "$out" rps) "
      p50[$n]+="$(field "$out" p50) "
      p99[$n]+="$(field "$out" p99) "
    fi
    echo "round $round $n: $(awk '{ print $NF }' <<<"${rps[$n]}") req/s" >&2
  done
done

median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# Bulk insert: BULK_PEOPLE (20,000) people in 1,000 groups through POST /api/v1/users/bulk
# (bench/peers/load.py: batches of 500, two in flight, bodies built before the clock), into an
# empty SQLite data directory and an empty PostgreSQL database, RUNS times each, alternately.
declare -A bulk
if [ "$PG" = 1 ] && [ "${BULK_PEOPLE:-20000}" != 0 ]; then
  for round in $(seq 1 "$RUNS"); do
    for engine in sqlite postgres; do
      dir=$(mktemp -d)
      flags=(--data-dir "$dir")
      if [ "$engine" = postgres ]; then
        psql "$PG_SERVER/postgres" -qc "DROP DATABASE IF EXISTS tessera_bench_bulk" -c "CREATE DATABASE tessera_bench_bulk"
        flags+=(--database-url "$PG_SERVER/tessera_bench_bulk")
      fi
      TESSERA_ADMIN_PASSWORD=$PASSWORD RUST_LOG=warn "$BIN/tessera" serve --listen 127.0.0.1:18087 "${flags[@]}" >/dev/null 2>&1 &
      bulk_pid=$!
      for _ in $(seq 1 100); do curl -s -o /dev/null http://127.0.0.1:18087/healthz && break; sleep 0.2; done
      people=$(N_PEOPLE=${BULK_PEOPLE:-20000} READERS=0 python3 bench/peers/load.py tessera http://127.0.0.1:18087 \
        "$(token 18087)" "$dir/ids" "$dir" | python3 -c 'import json, sys; print(json.load(sys.stdin)["people_per_s"])')
      kill "$bulk_pid"; wait "$bulk_pid" 2>/dev/null || true
      rm -rf "$dir"
      bulk[$engine]+="$people "
      echo "round $round bulk $engine: $people people/s" >&2
    done
  done
  psql "$PG_SERVER/postgres" -qc "DROP DATABASE IF EXISTS tessera_bench_bulk"
fi

echo
echo "| scenario | URL | req/s | p50 ms | p99 ms |"
echo "|---|---|---|---|---|"
for n in "${names[@]}"; do
  path=${url[$n]#http://127.0.0.1:180??}
  echo "| $n | \`$path\` | $(median "${rps[$n]}") | $(median "${p50[$n]}") | $(median "${p99[$n]}") |"
done
# A ratio is printed only when both of its scenarios ran (ONLY may leave some out).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
[ -n "${rps[by_id]:-}" ] && [ -n "${rps[baseline]:-}" ] && echo "- GET by id / bare axum route (throughput): $(ratio "$(median "${rps[by_id]}")" "$(median "${rps[baseline]}")") (target >= 0.40)"
[ -n "${rps[list_1m]:-}" ] && [ -n "${rps[list_1k]:-}" ] && echo "- sorted 50-item page, p50 at 1,000,000 / at 1,000 users: $(ratio "$(median "${p50[list_1m]}")" "$(median "${p50[list_1k]}")") (target <= 1.5)"
[ -n "${rps[list_expand]:-}" ] && [ -n "${rps[list]:-}" ] && echo "- expand=groups / same page without expand (throughput): $(ratio "$(median "${rps[list_expand]}")" "$(median "${rps[list]}")") (target >= 0.50)"
[ -n "${rps[dash_viewer]:-}" ] && [ -n "${rps[dash_owner]:-}" ] && echo "- a viewer's page of shared dashboards / the owner's page of 20,000 (throughput): $(ratio "$(median "${rps[dash_viewer]}")" "$(median "${rps[dash_owner]}")") (target >= 0.50)"
[ -n "${rps[pg_by_id]:-}" ] && [ -n "${rps[by_id]:-}" ] && echo "- PostgreSQL / SQLite, GET by id (throughput): $(ratio "$(median "${rps[pg_by_id]}")" "$(median "${rps[by_id]}")") (target >= 0.50)"
[ -n "${rps[pg_list]:-}" ] && [ -n "${rps[list]:-}" ] && echo "- PostgreSQL / SQLite, sorted page (throughput): $(ratio "$(median "${rps[pg_list]}")" "$(median "${rps[list]}")") (target >= 0.50)"
[ -n "${rps[pg2_by_id]:-}" ] && [ -n "${rps[pg_by_id]:-}" ] && echo "- two PostgreSQL nodes / one, GET by id (throughput): $(ratio "$(median "${rps[pg2_by_id]}")" "$(median "${rps[pg_by_id]}")") (target >= 1.0)"
[ -n "${rps[pg2_list]:-}" ] && [ -n "${rps[pg_list]:-}" ] && echo "- two PostgreSQL nodes / one, sorted page (throughput): $(ratio "$(median "${rps[pg2_list]}")" "$(median "${rps[pg_list]}")") (target >= 1.0)"
[ -n "${bulk[postgres]:-}" ] && echo "- bulk insert, people/s: SQLite $(median "${bulk[sqlite]}") ($(tr -s ' ' '/' <<<"${bulk[sqlite]% }")), PostgreSQL $(median "${bulk[postgres]}") ($(tr -s ' ' '/' <<<"${bulk[postgres]% }")); PostgreSQL / SQLite $(ratio "$(median "${bulk[postgres]}")" "$(median "${bulk[sqlite]}")")"
echo "- runs: $RUNS x ${DURATION}s per scenario, wrk -t2 -c$CONNECTIONS, $(nproc) cores, $(date -u +%Y-%m-%d)"
