#!/usr/bin/env bash
# Installs what building the console needs, each only when missing (source this file):
#   - the wasm32-unknown-unknown Rust target;
#   - cargo-leptos 0.3.10 (0.3.11 needs a newer rustc than this toolchain; ~20 min cold);
#   - wasm-bindgen-cli at exactly the wasm-bindgen version of Cargo.lock (cargo-leptos
#     would otherwise try to download it);
#   - with `release` as the first argument, wasm-opt from npm's binaryen 132 (Debian's
#     binaryen 108 emits a wasm that fails to hydrate) into target/tools, put on PATH.
set -euo pipefail

console_tools() {
  local mode="${1:-debug}"
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    echo "console-tools: rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
  if [ "$(cargo leptos --version 2>/dev/null || true)" != "cargo-leptos 0.3.10" ]; then
    echo "console-tools: installing cargo-leptos 0.3.10 (about 20 minutes the first time)"
    cargo install cargo-leptos --version 0.3.10 --locked
  fi
  local wbg
  wbg=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $wbg" ]; then
    echo "console-tools: installing wasm-bindgen-cli $wbg"
    cargo install wasm-bindgen-cli --version "$wbg" --force
  fi
  if [ "$mode" = release ]; then
    if [ ! -x target/tools/node_modules/.bin/wasm-opt ]; then
      echo "console-tools: installing wasm-opt (npm binaryen@132.0.0) into target/tools"
      npm install --silent --no-audit --no-fund --prefix target/tools binaryen@132.0.0
    fi
    export PATH="$PWD/target/tools/node_modules/.bin:$PATH"
  fi
}
