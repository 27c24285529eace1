#!/usr/bin/env bash
# Scale run: 1,000,000 grants in one tenant, bulk-loaded through the API into the release
# server on SQLite; reports load time, resident memory per grant, and check latency with wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "scale.sh: needs wrk (apt-get install wrk)"; exit 1; }
duration=${DURATION:-15s}
out=bench/out/scale
mkdir -p "$out"
source bench/server.sh
python3 bench/scale.py "$url" "$admin" "$out" "$server" | tee "$out/load.json"
for c in 32 1; do
  t=$([ "$c" = 1 ] && echo 1 || echo 2)
  echo "{\"connections\": $c, \"result\": $(BENCH_OUT=$out wrk -t$t -c$c -d"$duration" -s bench/check.lua "$url/" | tail -n 1)}"
done | tee "$out/check.jsonl"
