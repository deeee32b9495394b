#!/usr/bin/env python3
"""Loads the same generated people and groups into PocketBase (its batch API) and into Tessera
(its bulk API), timing each; prints one JSON line per server.

Every request body is built and serialised before the clock starts, so that the figure is the
server's, not this client's. Batches of BATCH records, CONC requests in flight, keep-alive
connections. While either server loads, READERS threads read sorted pages with their total
count (the same work beside both loads), and while Tessera loads a sampler records the size of
its write-ahead log (the WAL target holds "with readers").

Usage: load.py pocketbase URL TOKEN IDS_OUT
       load.py tessera URL TOKEN IDS_OUT DATA_DIR
Env: N_PEOPLE (100000), N_GROUPS (1000), BATCH (500), CONC (2), N_IDS (1000), SEED (42),
     READERS (1)
"""
import http.client
import json
import os
import random
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

N_PEOPLE = int(os.environ.get("N_PEOPLE", "100000"))
N_GROUPS = int(os.environ.get("N_GROUPS", "1000"))
BATCH = int(os.environ.get("BATCH", "500"))
CONC = int(os.environ.get("CONC", "2"))
N_IDS = int(os.environ.get("N_IDS", "1000"))
SEED = int(os.environ.get("SEED", "42"))
READERS = int(os.environ.get("READERS", "1"))

FIRSTS = ["Alice", "Bob", "Carol", "Dave", "Eve", "Frank", "Grace", "Heidi", "Ivan", "Judy",
          "Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter",
          "Yusuf", "Zoe", "Mia", "Noah", "Liam", "Emma", "Ava", "Lucas", "Nora"]
SYLLABLES = ["an", "ber", "cor", "dan", "el", "fen", "gar", "hol", "is", "jor", "kel", "lin",
             "mar", "nor", "ost", "pel", "quin", "ros", "sten", "tor", "ul", "ven", "wil", "xan",
             "yor", "zel"]


def people(rnd):
    """The people, with their groups as indexes into the group list: the same on both servers."""
    lasts = sorted({(rnd.choice(SYLLABLES) + rnd.choice(SYLLABLES) + rnd.choice(SYLLABLES))
                    .capitalize() for _ in range(3000)})
    out = []
    for i in range(N_PEOPLE):
        first, last = rnd.choice(FIRSTS), rnd.choice(lasts)
        out.append({"userName": f"user{i:06d}",
                    "email": f"{first.lower()}.{last.lower()}.{i}@example.com",
                    "firstName": first, "lastName": last,
                    "groups": rnd.sample(range(N_GROUPS), rnd.randint(1, 5))})
    return out


class Client:
    """One keep-alive connection per thread."""

    def __init__(self, url, auth):
        self.url = urllib.parse.urlsplit(url)
        self.auth = auth
        self.local = threading.local()

    def send(self, method, path, body=None, headers=None):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection(
                self.url.hostname, self.url.port, timeout=600)
        h = {"Authorization": self.auth, "Content-Type": "application/json"}
        h.update(headers or {})
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        raw = resp.read()
        if resp.status >= 300:
            sys.exit(f"{method} {path}: HTTP {resp.status}: {raw[:500]!r}")
        return json.loads(raw) if raw else None


def timed_batches(client, path, bodies):
    """Posts the prepared bodies, CONC at a time; returns (seconds, the answers in order)."""
    out = [None] * len(bodies)

    def one(ix):
        out[ix] = client.send("POST", path, bodies[ix])

    started = time.perf_counter()
    with ThreadPoolExecutor(CONC) as pool:
        list(pool.map(one, range(len(bodies))))
    return time.perf_counter() - started, out


class Readers:
    """READERS threads reading `path` (a sorted page with its total) until stopped."""

    def __init__(self, url, auth, path, headers=None):
        self.stop = threading.Event()
        self.reads = 0

        def read():
            reader = Client(url, auth)
            while not self.stop.is_set():
                reader.send("GET", path, headers=headers)
                self.reads += 1

        self.threads = [threading.Thread(target=read) for _ in range(READERS)]

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *_):
        self.stop.set()
        for t in self.threads:
            t.join()


def chunks(items):
    return [items[i:i + BATCH] for i in range(0, len(items), BATCH)]


def pocketbase_collections(client):
    """The batch API sized for the load; groups with a unique name; people with an index on
    lastName and a relation to their groups."""
    client.send("PATCH", "/api/settings", json.dumps({"batch": {
        "enabled": True, "maxRequests": max(BATCH, 50), "timeout": 120, "maxBodySize": 0}}))
    groups = client.send("POST", "/api/collections", json.dumps({
        "name": "groups", "type": "base",
        "fields": [{"name": "name", "type": "text", "required": True}],
        "indexes": ["CREATE UNIQUE INDEX `idx_groups_name` ON `groups` (`name`)"]}))
    client.send("POST", "/api/collections", json.dumps({
        "name": "people", "type": "base",
        "fields": [{"name": "userName", "type": "text"}, {"name": "email", "type": "text"},
                   {"name": "firstName", "type": "text"}, {"name": "lastName", "type": "text"},
                   {"name": "groups", "type": "relation", "collectionId": groups["id"],
                    "maxSelect": 5, "minSelect": 0, "cascadeDelete": False}],
        "indexes": ["CREATE INDEX `idx_people_lastName` ON `people` (`lastName`)"]}))


def pocketbase(url, token):
    client = Client(url, token)
    pocketbase_collections(client)

    def batch(collection, records):
        return json.dumps({"requests": [
            {"method": "POST", "url": f"/api/collections/{collection}/records", "body": r}
            for r in records]}).encode()

    def ids(answers):
        return [item["body"]["id"] for answer in answers for item in answer]

    rnd = random.Random(SEED)
    group_bodies = [batch("groups", c) for c in chunks(
        [{"name": f"group-{i:04d}"} for i in range(N_GROUPS)])]
    group_s, answers = timed_batches(client, "/api/batch", group_bodies)
    gids = ids(answers)
    rows = people(rnd)
    bodies = [batch("people", c) for c in chunks(
        [dict(p, groups=[gids[g] for g in p["groups"]]) for p in rows])]
    with Readers(url, token, "/api/collections/people/records?perPage=50&sort=lastName") as readers:
        people_s, answers = timed_batches(client, "/api/batch", bodies)
    return gids, ids(answers), group_s, people_s, {"reads_during_load": readers.reads}


def tessera(url, token, data_dir):
    client = Client(url, "Bearer " + token)
    rnd = random.Random(SEED)
    group_bodies = [json.dumps(c).encode() for c in chunks(
        [{"name": f"group-{i:04d}"} for i in range(N_GROUPS)])]
    group_s, answers = timed_batches(client, "/api/v1/groups/bulk", group_bodies)
    gids = [g["_id"] for answer in answers for g in answer]
    rows = people(rnd)
    bodies = [json.dumps(c).encode() for c in chunks(
        [dict(p, groups=[gids[g] for g in p["groups"]]) for p in rows])]

    wal = os.path.join(data_dir, "tessera.sqlite3-wal")
    stop = threading.Event()
    seen = {"wal_max": 0}

    def sample():
        while not stop.wait(0.05):
            try:
                seen["wal_max"] = max(seen["wal_max"], os.path.getsize(wal))
            except OSError:
                pass

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        with Readers(url, "Bearer " + token, "/api/v1/users?limit=50&sort=lastName",
                     {"Prefer": "count=exact"}) as readers:
            people_s, answers = timed_batches(client, "/api/v1/users/bulk", bodies)
    finally:
        stop.set()
        sampler.join()
    try:
        wal_after = os.path.getsize(wal)
    except OSError:
        wal_after = 0
    extra = {"wal_max_during_bytes": seen["wal_max"], "wal_after_bytes": wal_after,
             "reads_during_load": readers.reads}
    return gids, [u["_id"] for answer in answers for u in answer], group_s, people_s, extra


def main():
    server, url, token, ids_out = sys.argv[1:5]
    if server == "pocketbase":
        gids, pids, group_s, people_s, extra = pocketbase(url, token)
    else:
        gids, pids, group_s, people_s, extra = tessera(url, token, sys.argv[5])
    with open(ids_out, "w") as f:
        f.write("\n".join(random.Random(SEED).sample(pids, min(N_IDS, len(pids)))) + "\n")
    print(json.dumps(dict({
        "server": server, "groups": len(gids), "groups_s": round(group_s, 3),
        "people": len(pids), "people_s": round(people_s, 3),
        "people_per_s": round(len(pids) / people_s, 1), "batch": BATCH, "conc": CONC,
    }, **extra)))


if __name__ == "__main__":
    main()
