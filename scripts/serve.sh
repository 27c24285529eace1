#!/usr/bin/env bash
# Builds the server and its console (release) and starts it: SQLite in ./data, listening on
# 127.0.0.1:8080, the console at http://127.0.0.1:8080/console. The console's wasm (and, the
# first time, the tools it needs: see scripts/build-console.sh) builds beside the server, in
# its own target dir, so the two share the machine's cores. Arguments go to `portcullis serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-console.sh release &
console=$!
trap 'kill "$console" 2>/dev/null || true' EXIT
cargo build --release --locked -p portcullis
wait "$console"
trap - EXIT
exec target/release/portcullis serve "$@"
