#!/usr/bin/env bash
# Large-tenant benchmark (issue 9, SPEC §8): RECORDS (default 1,000,000) one-user-one-document
# records in one tenant beside a 10,000-record tenant, on the release server; SQLite by
# default, PostgreSQL with DATABASE_URL=postgres://…. Import, export, restart, memory,
# concurrent API writes (bench/tenant.py), then check latency at one connection on both
# tenants with wrk, in the same run. Figures into bench/out/tenant/result.json.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "tenant.sh: needs wrk (apt-get install wrk)"; exit 1; }
records=${RECORDS:-1000000}
duration=${DURATION:-10s}
out=bench/out/tenant
rm -rf "$out" && mkdir -p "$out"
cargo build --release -q -p portcullis
python3 bench/tenant.py "$records" "$out" ${DATABASE_URL:+"$DATABASE_URL"} > "$out/load.json" &
driver=$!
trap 'kill $driver 2>/dev/null || true' EXIT
until [ -s "$out/load.json" ]; do
  kill -0 $driver 2>/dev/null || { echo "tenant.sh: the driver stopped"; exit 1; }
  sleep 1
done
url=http://$(tr '\0' '\n' < "/proc/$(cat "$out/pid")/environ" | sed -n 's/^PORTCULLIS_LISTEN=//p')
for tenant in small big; do
  echo "{\"tenant\": \"$tenant\", \"connections\": 1, \"result\": $(BENCH_OUT=$out/$tenant wrk -t1 -c1 -d"$duration" -s bench/check.lua "$url/" | tail -n 1)}"
done > "$out/check.jsonl"
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
result = json.load(open(f"{out}/load.json"))
checks = {c["tenant"]: c["result"] for c in map(json.loads, open(f"{out}/check.jsonl"))}
result["check_p99_ms"] = {t: checks[t]["p99_ms"] for t in checks}
result["check_p99_big_over_small"] = round(checks["big"]["p99_ms"] / checks["small"]["p99_ms"], 2)
result["check_rps_c1"] = {t: checks[t]["rps"] for t in checks}
json.dump(result, open(f"{out}/result.json", "w"), indent=1)
print(json.dumps(result, indent=1))
PY
