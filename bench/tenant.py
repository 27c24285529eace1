#!/usr/bin/env python3
"""Large-tenant benchmark (SPEC §8), the everyday shape: one tenant of RECORDS access records,
each one user and one document (`/orgs/o{n}/docs/d{i}`, a user per five records), beside a
tenant of 10,000 records of the same shape, on one release server. Usage:

    tenant.py RECORDS OUT_DIR [DATABASE_URL]   (PORTCULLIS_BINARY: the server, default cargo's release build)

Measures, in one run: bulk import through `portcullis import` (records/s), export through
`portcullis export` (seconds), resident memory per grant after a restart, restart to
`/readyz`, API writes by 8 concurrent clients on the full tenant (writes/s in each tenth of
the load, last tenth / first tenth), a single writer's p50, and writes the check files for
wrk (OUT_DIR/{big,small}/checks.txt) so the caller compares check latency at both sizes.
Prints one JSON object."""
import http.client
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

RECORDS = int(sys.argv[1])
OUT = sys.argv[2]
DATABASE_URL = sys.argv[3] if len(sys.argv) > 3 else None
SMALL = 10_000
# The release build cargo made (in CARGO_TARGET_DIR when set, as bench/server.sh), or
# PORTCULLIS_BINARY: another build kept aside (the one before a change, say).
BINARY = os.environ.get(
    "PORTCULLIS_BINARY",
    os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "portcullis"),
)
ADMIN = "pcadmin_bench_" + secrets.token_hex(16)
PART = 2_000_000  # records per import request (a request is at most 1 GiB)
random.seed(7)

data_dir = os.path.join(OUT, "data")
os.makedirs(data_dir, exist_ok=True)
port = 18000 + random.randrange(1000)
base = f"http://127.0.0.1:{port}"
env = dict(os.environ, PORTCULLIS_LISTEN=f"127.0.0.1:{port}", PORTCULLIS_DATA_DIR=data_dir,
           PORTCULLIS_ADMIN_TOKEN=ADMIN, RUST_LOG="error,tower_http=off")
if DATABASE_URL:
    env["PORTCULLIS_DATABASE_URL"] = DATABASE_URL


def start():
    server = subprocess.Popen([BINARY, "serve"], env=env)
    started = time.monotonic()
    while True:
        try:
            if urllib.request.urlopen(base + "/readyz").status == 200:
                return server, time.monotonic() - started
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit("the server stopped")
        time.sleep(0.02)


def stop(server):
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=120)


def rss_bytes(server):
    for line in open(f"/proc/{server.pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024


class Client:
    """A keep-alive JSON client."""

    def __init__(self, token=ADMIN):
        self.connection = http.client.HTTPConnection("127.0.0.1", port)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method, path, body=None):
        self.connection.request(method, path, json.dumps(body) if body is not None else None, self.headers)
        response = self.connection.getresponse()
        text = response.read()
        if response.status >= 300:
            raise SystemExit(f"{method} {path}: {response.status} {text[:300]}")
        return json.loads(text or b"null")


def record(i, users):
    return {"kind": "record", "recordId": f"r{i}", "name": f"d{i}", "users": [f"u{i % users}"],
            "statements": [{"roles": ["viewer"], "resources": [f"/orgs/o{i % 1000}/docs/d{i}"]}]}


def write_document(path, first, count, users, with_role):
    with open(path, "w") as out:
        out.write('{"kind":"portcullis-export","version":1}\n')
        if with_role:
            out.write(json.dumps({"kind": "role", "roleId": "viewer", "name": "Viewer",
                                  "permissions": [{"action": "documents:read"}]}) + "\n")
        for i in range(first, first + count):
            out.write(json.dumps(record(i, users), separators=(",", ":")) + "\n")


def cli(*args):
    started = time.monotonic()
    subprocess.run([BINARY, *args, "--url", base, "--token", ADMIN], check=True, env=env,
                   stderr=subprocess.DEVNULL)
    return time.monotonic() - started


def checks(tenant, records, users, directory):
    os.makedirs(directory, exist_ok=True)
    key = Client().call("POST", f"/v1/tenants/{tenant}/api-keys", {"name": "bench", "scopes": ["check"]})["secret"]
    open(f"{directory}/key", "w").write(key)
    open(f"{directory}/tenant", "w").write(tenant)
    with open(f"{directory}/checks.txt", "w") as lines:
        for n in range(20_000):
            i = random.randrange(records)
            user = f"u{i % users}" if n % 2 == 0 else f"u{(i + 1) % users}"
            lines.write(json.dumps({"userId": user, "resourceUri": f"/orgs/o{i % 1000}/docs/d{i}",
                                    "permission": "documents:read"}) + "\n")


server, _ = start()
admin = Client()
result = {"records": RECORDS, "database": "postgres" if DATABASE_URL else "sqlite"}
for tenant in ["big", "small"]:
    admin.call("POST", "/v1/tenants", {"tenantId": tenant, "name": tenant})
baseline = rss_bytes(server)

# Bulk import.
users = max(RECORDS // 5, 1)
seconds = 0.0
for first in range(0, RECORDS, PART):
    path = os.path.join(OUT, "part.ndjson")
    write_document(path, first, min(PART, RECORDS - first), users, with_role=first == 0)
    seconds += cli("import", "--tenant", "big", path)
os.remove(path)
result["import_records_per_s"] = round(RECORDS / seconds)
result["import_seconds"] = round(seconds, 1)
path = os.path.join(OUT, "small.ndjson")
write_document(path, 0, SMALL, SMALL // 5, with_role=True)
cli("import", "--tenant", "small", path)
os.remove(path)

# Export.
path = os.path.join(OUT, "export.ndjson")
result["export_seconds"] = round(cli("export", "--tenant", "big", path), 1)
result["export_lines"] = sum(1 for _ in open(path))
os.remove(path)
checks("big", RECORDS, users, os.path.join(OUT, "big"))
checks("small", SMALL, SMALL // 5, os.path.join(OUT, "small"))

# Restart: to ready, and the memory of the indexes built from the database.
stop(server)
server, ready = start()
result["restart_to_ready_s"] = round(ready, 2)
rss = rss_bytes(server)
result["rss_mb"] = rss // 2**20
result["rss_bytes_per_grant"] = round((rss - baseline) / (RECORDS + SMALL))

# API writes, 8 clients, new records of the same shape on the full tenant.
WRITES = int(os.environ.get("WRITES", "20000"))
stamps = []
lock = threading.Lock()


def writer(worker, count):
    client = Client()
    for j in range(count):
        i = RECORDS + worker * count + j
        body = record(i, users)
        del body["kind"]
        client.call("PUT", f"/v1/tenants/big/records/r{i}", body)
        with lock:
            stamps.append(time.monotonic())


threads = [threading.Thread(target=writer, args=(w, WRITES // 8)) for w in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
stamps.sort()
tenth = len(stamps) // 10
rates = []
for k in range(10):
    part = stamps[k * tenth:(k + 1) * tenth]
    rates.append(round((len(part) - 1) / (part[-1] - part[0])))
result["writes_per_s_by_tenth"] = rates
result["last_tenth_over_first"] = round(rates[-1] / rates[0], 2)

# One writer alone, at full size.
client = Client()
latencies = []
for j in range(500):
    i = RECORDS + WRITES + j
    body = record(i, users)
    del body["kind"]
    started = time.monotonic()
    client.call("PUT", f"/v1/tenants/big/records/r{i}", body)
    latencies.append((time.monotonic() - started) * 1000)
result["single_write_p50_ms"] = round(statistics.median(latencies), 2)
open(os.path.join(OUT, "pid"), "w").write(str(server.pid))
print(json.dumps(result), flush=True)
# The caller runs wrk against both tenants, then ends this process (which stops the server).
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
try:
    signal.pause()
finally:
    stop(server)
