#!/usr/bin/env python3
"""Scale run loader: 1,000,000 grants in one tenant, loaded through the API in bulk (1,000
records naming 1,000 users each; 200,000 users holding 5 grants each). Usage:
scale.py BASE_URL ADMIN_TOKEN OUT_DIR SERVER_PID. Prints the load time and the server's
resident memory before and after as JSON; writes OUT_DIR/key and OUT_DIR/checks.txt."""
import json
import random
import sys
import time

import api

base, admin, out, pid = sys.argv[1:5]
random.seed(7)


def call(method, path, body=None, token=admin):
    return api.call(base, token, method, path, body)


def rss_bytes():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024


api.wait_ready(base)

call("POST", "/v1/tenants", {"tenantId": "bench", "name": "Scale"})
key = call("POST", "/v1/tenants/bench/api-keys", {"name": "bench", "scopes": ["check"]})["secret"]
for role, actions in {"viewer": ["documents:read"], "editor": ["documents:read", "documents:write"]}.items():
    call("PUT", f"/v1/tenants/bench/roles/{role}", {"name": role, "permissions": [{"action": a} for a in actions]})
# The index is built on the first check; measure memory from there.
call("POST", "/v1/tenants/bench/check", {"userId": "nobody", "resourceUri": "/x", "permission": "documents:read"}, token=key)
before = rss_bytes()

USERS_PER_RECORD, BLOCKS, SLOTS = 1000, 200, 5
started = time.monotonic()
grants = {}
for slot in range(SLOTS):
    for block in range(BLOCKS):
        users = [f"u{block * USERS_PER_RECORD + i:06d}" for i in range(USERS_PER_RECORD)]
        folder = f"/f{random.randrange(25)}/f{random.randrange(4)}/f{random.randrange(4)}"
        role = random.choice(["viewer", "editor"])
        grants[(slot, block)] = folder
        call("PUT", f"/v1/tenants/bench/records/rec-{slot}-{block}",
             {"name": f"slot {slot} block {block}", "users": users,
              "statements": [{"roles": [role], "resources": [folder]}]})
load_seconds = time.monotonic() - started
after = rss_bytes()
total = SLOTS * BLOCKS * USERS_PER_RECORD

open(f"{out}/key", "w").write(key)
with open(f"{out}/checks.txt", "w") as lines:
    for n in range(20_000):
        block = random.randrange(BLOCKS)
        user = f"u{block * USERS_PER_RECORD + random.randrange(USERS_PER_RECORD):06d}"
        folder = grants[(random.randrange(SLOTS), block)] if n % 2 == 0 else "/f99/none"
        lines.write(json.dumps({"userId": user, "resourceUri": f"{folder}/d{n}", "permission": "documents:read"}) + "\n")
print(json.dumps({"grants": total, "load_seconds": round(load_seconds, 1), "rss_before_mb": before // 2**20,
                  "rss_after_mb": after // 2**20, "bytes_per_grant": round((after - before) / total)}))
