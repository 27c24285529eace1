#!/usr/bin/env bash
# What verifying an identity token costs beside a check (criterion, in memory).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench -p portcullis --bench tokens -- --warm-up-time 1 --measurement-time 3 "$@"
