#!/usr/bin/env python3
"""The benchmark dataset: one tenant, 10,000 documents in 525 nested folders (25 roots x 4 x 4),
1,000 users with 1-5 grants each of viewer/editor/owner on a folder or a document, and 20,000
checks of which about half are allowed. Deterministic (seeded). Writes JSON to stdout:
{"roles": [...], "records": [...], "checks": [{"userId", "resourceUri", "permission", "expected"}]}.

The expected answers come from a direct reading of SPEC.md's rules, so the load can be
verified too (bench/load.py checks a sample)."""
import json
import random
import sys

random.seed(42)
ROLES = {
    "viewer": ["documents:read"],
    "editor": ["documents:read", "documents:write"],
    "owner": ["documents:*"],
}
PERMISSIONS = ["documents:read", "documents:write", "documents:delete"]

folders, leaves = [], []
for r in range(25):
    root = f"/f{r}"
    folders.append(root)
    for a in range(4):
        mid = f"{root}/f{r}-{a}"
        folders.append(mid)
        for b in range(4):
            leaf = f"{mid}/f{r}-{a}-{b}"
            folders.append(leaf)
            leaves.append(leaf)
assert len(folders) == 525
documents = [f"{leaves[i % len(leaves)]}/d{i}" for i in range(10_000)]


def covers(pattern, value, sep):
    p, v = pattern.strip(sep).split(sep), value.strip(sep).split(sep)
    return len(p) <= len(v) and all(a == "*" or a == b for a, b in zip(p, v))


users = {}
for u in range(1000):
    user = f"u{u:04d}"
    grants = []
    for _ in range(random.randint(1, 5)):
        role = random.choice(list(ROLES))
        resource = random.choice(folders) if random.random() < 0.5 else random.choice(documents)
        grants.append((role, resource))
    users[user] = grants


def allowed(user, resource, permission):
    return any(
        covers(granted, resource, "/") and any(covers(a, permission, ":") for a in ROLES[role])
        for role, granted in users[user]
    )


checks = []
while len(checks) < 20_000:
    user = random.choice(list(users))
    if len(checks) % 2 == 0:
        role, granted = random.choice(users[user])
        below = [d for d in documents if d.startswith(granted + "/")] if granted in folders else []
        resource = random.choice(below) if below else granted
        permission = random.choice(["documents:read", "documents:write"] if role == "editor" else
                                   ["documents:read"] if role == "viewer" else PERMISSIONS)
    else:
        resource = random.choice(documents)
        permission = random.choice(PERMISSIONS)
    checks.append({"userId": user, "resourceUri": resource, "permission": permission,
                   "expected": allowed(user, resource, permission)})

json.dump({
    "roles": [{"roleId": r, "name": r.title(), "permissions": [{"action": a} for a in actions]}
              for r, actions in ROLES.items()],
    "records": [{"recordId": f"rec-{user}", "name": f"Grants of {user}", "users": [user],
                 "statements": [{"roles": [role], "resources": [resource]} for role, resource in grants]}
                for user, grants in users.items()],
    "checks": checks,
}, sys.stdout)
share = sum(c["expected"] for c in checks) / len(checks)
print(f"dataset: {len(users)} users, {sum(map(len, users.values()))} grants, "
      f"{len(checks)} checks, {share:.0%} allowed", file=sys.stderr)
