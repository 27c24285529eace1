#!/usr/bin/env bash
# Builds the console's browser half into target/site (what `PORTCULLIS_CONSOLE_DIR` points
# at): the `portcullis-console` crate compiled to wasm with its `hydrate` feature, its
# JavaScript glue from wasm-bindgen, the stylesheet and the static files.
#
#   scripts/build-console.sh [debug|release]     (default: debug)
#
# It does by hand the three steps cargo-leptos would do, so nobody has to install
# cargo-leptos (a 15-minute build of its own on this machine kind):
#   1. `cargo rustc --crate-type cdylib --target wasm32-unknown-unknown -p portcullis-console
#      --features hydrate` (release: the `wasm-release` profile; the crate is only an rlib
#      in its Cargo.toml, see there), in its own target dir (target/console) so it can run
#      beside the server's build without waiting for cargo's lock;
#   2. `wasm-bindgen --target web` into target/site/pkg, then, for release, `wasm-opt -Oz`;
#   3. the stylesheet to pkg/portcullis-console.css, frontend/public/* to target/site.
# The names match what the server's hydration script asks for (`/pkg/portcullis-console.js`
# and `.wasm`: Leptos drops the `_bg` suffix because `LEPTOS_OUTPUT_NAME` is set, see
# .cargo/config.toml). Steps 2 and 3 are skipped when their outputs are newer than their
# inputs, so a second run with nothing changed costs what cargo's own no-op costs.
#
# Tools, each installed only when missing: the wasm32 target (rustup); wasm-bindgen-cli at
# exactly the `wasm-bindgen` version of Cargo.lock (built while the wasm compiles); for
# release, wasm-opt from npm's binaryen@132.0.0 into target/tools (Debian's binaryen 108
# emits a wasm that does not hydrate).
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-debug}"
case "$mode" in
  debug) profile=dev; profile_dir=debug ;;
  release) profile=wasm-release; profile_dir=wasm-release ;;
  *) echo "usage: $0 [debug|release]" >&2; exit 2 ;;
esac
name=portcullis-console
site=target/site
pkg="$site/pkg"
export CARGO_TARGET_DIR="$PWD/target/console"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "build-console: rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

wbg=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
install_pid=""
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $wbg" ]; then
  echo "build-console: installing wasm-bindgen-cli $wbg (about 3 minutes, beside the wasm build)"
  # Not --locked: with it, a locked dependency of the CLI is missing from the registry.
  # Its own target dir, so it never waits for ours.
  CARGO_TARGET_DIR="$PWD/target/console-tools" \
    cargo install wasm-bindgen-cli --version "$wbg" --force --quiet &
  install_pid=$!
fi
if [ "$mode" = release ] && [ ! -x target/tools/node_modules/.bin/wasm-opt ]; then
  echo "build-console: installing wasm-opt (npm binaryen@132.0.0) into target/tools"
  npm install --silent --no-audit --no-fund --prefix target/tools binaryen@132.0.0
fi

echo "build-console: cargo rustc (wasm32 cdylib, $profile)"
if ! cargo rustc --locked --lib -p "$name" --target wasm32-unknown-unknown \
  --no-default-features --features hydrate --profile "$profile" --crate-type cdylib; then
  [ -n "$install_pid" ] && kill "$install_pid" 2>/dev/null
  exit 1
fi
if [ -n "$install_pid" ]; then
  wait "$install_pid" || { echo "build-console: installing wasm-bindgen-cli failed" >&2; exit 1; }
  rm -rf target/console-tools
fi

wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/$profile_dir/${name//-/_}.wasm"
mkdir -p "$pkg"
# Which wasm the assets were made from: a debug build after a release one is not skipped.
stamp="$pkg/.built-from"
if [ "$stamp" -nt "$wasm" ] && [ "$(cat "$stamp")" = "$wasm" ]; then
  echo "build-console: $pkg is current"
else
  echo "build-console: wasm-bindgen"
  wasm-bindgen --target web --no-typescript --out-dir "$pkg" --out-name "$name" "$wasm"
  mv "$pkg/${name}_bg.wasm" "$pkg/$name.wasm"
  if [ "$mode" = release ]; then
    echo "build-console: wasm-opt -Oz"
    # The features rustc's wasm32 target emits by default.
    target/tools/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory \
      --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
      --enable-reference-types --enable-multivalue \
      -o "$pkg/$name.opt.wasm" "$pkg/$name.wasm"
    mv "$pkg/$name.opt.wasm" "$pkg/$name.wasm"
  fi
  echo "$wasm" > "$stamp"
fi
cp frontend/style/console.css "$pkg/$name.css"
cp -r frontend/public/. "$site/"
echo "build-console: $mode assets in $site"
