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

for port in 18081 18082 18083 18084 18090; do
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
names=(${ONLY:-baseline by_id list list_fields list_expand group_members list_1k list_1m dash_owner dash_viewer})
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

# Every URL must answer 200 before it is measured.
for n in "${names[@]}"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "${url[$n]}" -H "Authorization: Bearer ${tok[$n]}")
  [ "$code" = 200 ] || { echo "$n: ${url[$n]} answered $code" >&2; exit 1; }
done

to_ms() { # wrk latency like 1.23ms, 850.00us, 1.02s
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}
declare -A rps p50 p99
for round in $(seq 1 "$RUNS"); do
  for n in "${names[@]}"; do
    out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer ${tok[$n]}" "${url[$n]}")
    rps[$n]+="$(awk '/^Requests\/sec/ { print $2 }' <<<"$out") "
    p50[$n]+="$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")") "
    p99[$n]+="$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")") "
    echo "round $round $n: $(awk '/^Requests\/sec/ { print $2 }' <<<"$out") req/s" >&2
  done
done

median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
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
echo "- runs: $RUNS x ${DURATION}s per scenario, wrk -t2 -c$CONNECTIONS, $(nproc) cores, $(date -u +%Y-%m-%d)"
