#!/usr/bin/env bash
# Engine micro-benchmark (criterion): check and each lookup on the benchmark dataset.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
python3 bench/dataset.py > bench/out/dataset.json
cargo bench -p portcullis --bench engine -- --warm-up-time 1 --measurement-time 3 "$@"
