#!/usr/bin/env bash
# HTTP benchmark: the release server on SQLite, the dataset loaded through the API, then wrk
# against POST /check and, in the same run, two ceilings: the server's own GET /healthz, and
# the `ceiling` example (backend/examples/ceiling.rs: axum parsing the same check bodies and
# answering a constant, no credential, engine or database); at 32 connections and at 1.
# Needs wrk (apt-get install wrk). DURATION=15s by default.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "http.sh: needs wrk (apt-get install wrk)"; exit 1; }
duration=${DURATION:-15s}
out=bench/out
mkdir -p "$out"
python3 bench/dataset.py > "$out/dataset.json"
source bench/server.sh
cargo build --release -q -p portcullis --example ceiling
ceiling_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$release/examples/ceiling" "127.0.0.1:$ceiling_port" >/dev/null &
ceiling=$!
trap 'kill $server $ceiling 2>/dev/null; rm -rf "$data"' EXIT
ceiling_url=http://127.0.0.1:$ceiling_port
python3 bench/load.py "$url" "$admin" "$out/dataset.json" "$out"

run() { # run NAME CONNECTIONS THREADS SCRIPT URL
  local result
  result=$(BENCH_OUT=$out wrk -t"$3" -c"$2" -d"$duration" -s "bench/$4" "$5" | tail -n 1)
  echo "{\"name\": \"$1\", \"connections\": $2, \"result\": $result}"
}
{
  run ceiling 32 2 check.lua "$ceiling_url/"
  run healthz 32 2 summary.lua "$url/healthz"
  run check 32 2 check.lua "$url/"
  run ceiling 1 1 check.lua "$ceiling_url/"
  run healthz 1 1 summary.lua "$url/healthz"
  run check 1 1 check.lua "$url/"
} | tee "$out/http.jsonl"
python3 - "$out/http.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {(r["name"], r["connections"]): r["result"] for r in rows}
print("\n| endpoint | connections | requests/s | p50 ms | p99 ms | p99.9 ms |\n|---|---|---|---|---|---|")
for (name, c), r in by.items():
    print(f"| {name} | {c} | {r['rps']} | {r['p50_ms']} | {r['p99_ms']} | {r['p999_ms']} |")
c, h, k = by[("ceiling", 32)], by[("healthz", 32)], by[("check", 32)]
print(f"\ncheck throughput at c=32: {k['rps'] / c['rps']:.2f} of the ceiling (target 0.70), "
      f"{k['rps'] / h['rps']:.2f} of /healthz; "
      f"p99 ratio to /healthz at c=32: {k['p99_ms'] / h['p99_ms']:.2f}x; check p99 at c=1: {by[('check', 1)]['p99_ms']} ms")
PY
