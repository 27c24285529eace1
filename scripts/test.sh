#!/usr/bin/env bash
# The whole test suite: unit tests, the integration tests on SQLite and on PostgreSQL, then
# the console's browser tests (Playwright driving /usr/bin/chromium against a real server).
#
# PostgreSQL: set PORTCULLIS_TEST_DATABASE_URL to a server where the tests may create
# databases (one per test). Without it, this script starts a throwaway cluster from the
# machine's PostgreSQL binaries (Debian's postgresql package) and removes it afterwards.
# Without either, the PostgreSQL half is skipped, loudly.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_dir=""
cleanup() {
  if [ -n "$pg_dir" ]; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
trap cleanup EXIT

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ -z "${PORTCULLIS_TEST_DATABASE_URL:-}" ]; then
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ]; then
    pg_dir=$(mktemp -d)
    [ "$(id -u)" = 0 ] && chown postgres "$pg_dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
    as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" \
      -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400" -w start >/dev/null
    export PORTCULLIS_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
    echo "test.sh: started a throwaway PostgreSQL on port $port"
  else
    echo "!!! test.sh: no PostgreSQL found (install Debian's postgresql, or set PORTCULLIS_TEST_DATABASE_URL):"
    echo "!!! the PostgreSQL half of the tests will be SKIPPED."
  fi
fi

# The console's wasm (debug: no wasm-opt) builds beside the Rust tests, in its own target
# dir; its output is shown once it is needed.
mkdir -p target
scripts/build-console.sh debug > target/build-console.log 2>&1 &
console=$!
trap 'kill "$console" 2>/dev/null || true; cleanup' EXIT

cargo test --workspace --locked "$@"

# The browser tests: the console's assets, the server binary, Chromium, Playwright.
status=0
wait "$console" || status=$?
cat target/build-console.log
[ "$status" = 0 ] || { echo "!!! test.sh: building the console failed" >&2; exit 1; }
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "test.sh: installing Debian's chromium for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "!!! test.sh: /usr/bin/chromium is missing: apt-get install chromium" >&2
    exit 1
  fi
fi
# One browser test runs the curl snippet the console shows for a new API key, as pasted.
if ! command -v curl >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    echo "test.sh: installing curl for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null
  else
    echo "!!! test.sh: curl is missing: apt-get install curl" >&2
    exit 1
  fi
fi
cargo build --locked -p portcullis
(cd e2e && { [ -d node_modules/@playwright/test ] || npm ci --no-audit --no-fund; } && npx playwright test)
