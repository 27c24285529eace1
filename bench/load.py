#!/usr/bin/env python3
"""Loads the benchmark dataset into a running server through the API, then verifies a sample
of the checks against their expected answers. Usage: load.py BASE_URL ADMIN_TOKEN DATASET OUT_DIR.
Writes OUT_DIR/key (a `check` API key of tenant `bench`) and OUT_DIR/checks.txt (one JSON check
body per line, for wrk)."""
import json
import sys
import time

import api

base, admin, dataset_path, out = sys.argv[1:5]
data = json.load(open(dataset_path))


def call(method, path, body=None, token=admin):
    return api.call(base, token, method, path, body)


api.wait_ready(base)

started = time.monotonic()
call("POST", "/v1/tenants", {"tenantId": "bench", "name": "Benchmark"})
key = call("POST", "/v1/tenants/bench/api-keys", {"name": "bench", "scopes": ["check"]})["secret"]
for role in data["roles"]:
    call("PUT", f"/v1/tenants/bench/roles/{role['roleId']}", role)
for record in data["records"]:
    call("PUT", f"/v1/tenants/bench/records/{record['recordId']}", record)
elapsed = time.monotonic() - started
print(f"load: {len(data['records'])} records through the API in {elapsed:.1f} s", file=sys.stderr)

wrong = 0
for check in data["checks"][:2000]:
    body = {k: check[k] for k in ("userId", "resourceUri", "permission")}
    if call("POST", "/v1/tenants/bench/check", body, token=key)["allowed"] != check["expected"]:
        wrong += 1
if wrong:
    sys.exit(f"load: {wrong} of 2000 sampled checks answered wrongly")
print("load: 2000 sampled checks answered as expected", file=sys.stderr)

open(f"{out}/key", "w").write(key)
with open(f"{out}/checks.txt", "w") as lines:
    for check in data["checks"]:
        lines.write(json.dumps({k: check[k] for k in ("userId", "resourceUri", "permission")}) + "\n")
