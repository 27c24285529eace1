#!/usr/bin/env bash
# Starts a real Portcullis server for the browser tests: a fresh SQLite database in a
# temporary directory, a known admin token, and a platform admin account made with the
# real `portcullis admin create-user` (so the first start creates no other account).
# Playwright's `webServer` runs this and stops it when the tests end.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${PORTCULLIS_E2E_BIN:-target/debug/portcullis}"
DATA="$(mktemp -d)"
trap 'rm -rf "$DATA"' EXIT
export PORTCULLIS_DATA_DIR="$DATA"
export PORTCULLIS_ADMIN_TOKEN="$PORTCULLIS_E2E_ADMIN_TOKEN"
export PORTCULLIS_CONSOLE_DIR="${PORTCULLIS_CONSOLE_DIR:-target/site}"
export PORTCULLIS_LISTEN="127.0.0.1:$PORTCULLIS_E2E_PORT"
# Every test signs in from 127.0.0.1; keep the throttle out of their way (it has its own
# integration test).
export PORTCULLIS_LOGIN_ATTEMPTS_PER_MINUTE=1000
unset PORTCULLIS_DATABASE_URL
printf '%s\n' "$PORTCULLIS_E2E_ADMIN_PASSWORD" |
  "$BIN" admin create-user "$PORTCULLIS_E2E_ADMIN" --platform-admin --password-stdin
"$BIN" serve
