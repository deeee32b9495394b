#!/usr/bin/env python3
"""Signs in and out N times against a Tessera server and times each logout alone (the sign-in,
which hashes a password, is not timed); prints one JSON line with the logouts' median, p99 and
maximum in milliseconds, and the server's resident memory.

Usage: logouts.py URL PASSWORD PID [N]"""
import http.client
import json
import statistics
import sys
import time
import urllib.parse

url, password, pid = sys.argv[1:4]
n = int(sys.argv[4]) if len(sys.argv) > 4 else 200
parts = urllib.parse.urlsplit(url)
conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)


def call(method, path, body=None, headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    raw = resp.read()
    if resp.status != 200:
        sys.exit(f"{method} {path}: HTTP {resp.status}: {raw[:300]!r}")
    return raw


form = urllib.parse.urlencode({"username": "admin@example.com", "password": password})
times = []
for _ in range(n):
    token = json.loads(call("POST", "/api/v1/authentication/login", form,
                            {"Content-Type": "application/x-www-form-urlencoded"}))["access_token"]
    started = time.perf_counter()
    call("GET", "/api/v1/authentication/logout", headers={"Authorization": f"Bearer {token}"})
    times.append((time.perf_counter() - started) * 1000)
times.sort()
with open(f"/proc/{pid}/status") as f:
    rss_kib = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
print(json.dumps({"logout_p50_ms": round(statistics.median(times), 3),
                  "logout_p99_ms": round(times[int(len(times) * 0.99) - 1], 3),
                  "logout_max_ms": round(times[-1], 3), "rss_mib": round(rss_kib / 1024, 1)}))
