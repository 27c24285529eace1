#!/usr/bin/env bash
# Builds the server and its console (release) and starts it: SQLite in ./data, listening on
# 127.0.0.1:8080, the console at http://127.0.0.1:8080/console. Installs the build tools
# it needs first (see scripts/console-tools.sh). Arguments go to `portcullis serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/console-tools.sh
console_tools release
cargo leptos build --release
exec target/release/portcullis serve "$@"
