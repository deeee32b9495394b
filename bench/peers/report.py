#!/usr/bin/env python3
"""The tables of a bench/peers.sh run: medians per scenario and server, the ratios against
PocketBase, and each performance target with its measured value.

Usage: report.py RESULTS_DIR RUNS DURATION CONNECTIONS"""
import datetime
import json
import os
import platform
import statistics
import sys

out, runs, duration, connections = sys.argv[1:5]
rounds = [json.loads(line) for line in open(os.path.join(out, "rounds.jsonl"))]
load = {s: json.load(open(os.path.join(out, f"load-{s}.json"))) for s in ("pocketbase", "tessera")}
disk = json.load(open(os.path.join(out, "disk.json")))["disk"]

order = []
figures = {}
for r in rounds:
    key = (r["name"], r["server"])
    if key not in figures:
        order.append(key)
        figures[key] = []
    figures[key].append(r["wrk"])


def med(name, server, field):
    runs_ = figures.get((name, server))
    return statistics.median(w[field] for w in runs_) if runs_ else None


print(f"{datetime.date.today()}, `RUNS={runs} DURATION={duration} bench/peers.sh`, "
      f"wrk -t2 -c{connections}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
      f"{load['tessera']['people']:,} people in {load['tessera']['groups']:,} groups on each server.")
print()
print("| scenario | server | req/s | p50 ms | p99 ms | bytes/resp | req/s per round | Tessera / PocketBase |")
print("|---|---|---:|---:|---:|---:|---|---:|")
for name, server in order:
    runs_ = figures[(name, server)]
    errors = sum(w["errors"] + w["non2xx"] for w in runs_)
    ratio = ""
    if server == "tessera" and (name, "pocketbase") in figures:
        ratio = f"**{med(name, 'tessera', 'rps') / med(name, 'pocketbase', 'rps'):.1f}x**"
    flag = f" ({errors} errors)" if errors else ""
    print(f"| {name} | {server} | {med(name, server, 'rps'):,.0f}{flag} | "
          f"{med(name, server, 'p50_ms'):.2f} | {med(name, server, 'p99_ms'):.2f} | "
          f"{med(name, server, 'bytes_per_req'):,.0f} | "
          f"{' / '.join(format(w['rps'], ',.0f') for w in runs_)} | {ratio} |")

print()
print("| load | people/s | seconds | groups s | counted pages read meanwhile |")
print("|---|---:|---:|---:|---:|")
for s in ("tessera", "pocketbase"):
    print(f"| {s} | {load[s]['people_per_s']:,.0f} | {load[s]['people_s']} | {load[s]['groups_s']} | "
          f"{load[s].get('reads_during_load', 0):,} |")

mb = 1024 * 1024
targets = []


def target(what, value, goal, ok):
    targets.append((what, value, goal, ok))


bulk = load["tessera"]["people_per_s"] / load["pocketbase"]["people_per_s"]
target("bulk insert, Tessera / PocketBase people per second", f"{bulk:.2f}", ">= 4", bulk >= 4)
for suffix, label in (("", f"{load['tessera']['people']:,}"), ("_1m", "1,000,000")):
    for kind, what in (("", "all users"), ("role_", "one role")):
        page, count = med(f"{kind}page{suffix}", "tessera", "p50_ms"), med(f"{kind}count{suffix}", "tessera", "p50_ms")
        if page and count:
            target(f"`Prefer: count=exact` / page, p50 latency, {label} users, {what}",
                   f"{count / page:.2f}", "<= 1.5", count / page <= 1.5)
fields = med("fields", "tessera", "rps") / med("page", "tessera", "rps")
target("page + `fields` / whole page, throughput", f"{fields:.2f}", ">= 1.0", fields >= 1.0)
by_id = med("by_id", "tessera", "rps") / med("ceiling", "axum", "rps")
target("GET by id over 1,000 random ids / bare route, throughput", f"{by_id:.2f}", ">= 0.40", by_id >= 0.40)
p99 = med("by_id", "tessera", "p99_ms")
target("GET by id over 1,000 random ids, p99", f"{p99:.2f} ms", "<= 10 ms", p99 <= 10)
size = disk["tessera_db_bytes"] / disk["pocketbase_db_bytes"]
target("database file after a clean stop, Tessera / PocketBase",
       f"{size:.2f} ({disk['tessera_db_bytes'] / mb:.1f} MB / {disk['pocketbase_db_bytes'] / mb:.1f} MB)",
       "<= 3", size <= 3)
during = load["tessera"]["wal_max_during_bytes"] / mb
target(f"WAL during the load, with {load['tessera']['reads_during_load']:,} counted pages read meanwhile",
       f"{during:.1f} MB", "<= 256 MB", during <= 256)
after = load["tessera"]["wal_after_bytes"] / mb
target("WAL once the load is over", f"{after:.1f} MB", "<= 64 MB", after <= 64)
target("WAL after a clean stop", "removed" if not disk["tessera_wal_left"] else "left behind",
       "removed", not disk["tessera_wal_left"])

revocations = [json.loads(line) for line in open(os.path.join(out, "revocations.jsonl"))]


def rev(server, part, field):
    return statistics.median(r[part][field] for r in revocations if r["server"] == server)


print()
print("| 1,000 users | unrelated POST req/s | its p50 ms | its p99 ms | logout p50 ms | logout p99 ms | RSS MiB |")
print("|---|---:|---:|---:|---:|---:|---:|")
for server, label in (("plain", "no logged-out tokens"), ("revoked", "1,000,000 logged-out tokens")):
    print(f"| {label} | {rev(server, 'post', 'rps'):,.0f} | {rev(server, 'post', 'p50_ms'):.2f} | "
          f"{rev(server, 'post', 'p99_ms'):.2f} | {rev(server, 'logout', 'logout_p50_ms'):.2f} | "
          f"{rev(server, 'logout', 'logout_p99_ms'):.2f} | {rev(server, 'logout', 'rss_mib'):.0f} |")
logout = rev("revoked", "logout", "logout_p50_ms")
target("logout with 1,000,000 logged-out tokens, p50 (p99 in the table above)",
       f"{logout:.2f} ms", "< 2 ms", logout < 2)
post = rev("revoked", "post", "p99_ms") / rev("plain", "post", "p99_ms")
target("unrelated POST's p99 with 1,000,000 logged-out tokens / without", f"{post:.2f}", "<= 1.5",
       post <= 1.5)

print()
print("| target | measured | goal | met |")
print("|---|---|---|---|")
for what, value, goal, ok in targets:
    print(f"| {what} | {value} | {goal} | {'yes' if ok else '**no**'} |")
