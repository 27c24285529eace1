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
#   2. wasm-bindgen's `--target web` glue into target/site/pkg (tools/console-bindgen, the
#      library inside wasm-bindgen-cli), then, for release, `wasm-opt -Oz`;
#   3. the stylesheet to pkg/portcullis-console.css, frontend/public/* to target/site.
# The names match what the server's hydration script asks for (`/pkg/portcullis-console.js`
# and `.wasm`: Leptos drops the `_bg` suffix because `LEPTOS_OUTPUT_NAME` is set, see
# .cargo/config.toml). Steps 2 and 3 are skipped when their outputs are newer than their
# inputs, so a second run with nothing changed costs what cargo's own no-op costs.
#
# Tools: the wasm32 target (rustup, when missing); tools/console-bindgen, built into
# target/console-tools while the wasm compiles (cargo's no-op once built), at exactly the
# `wasm-bindgen` version of Cargo.lock (checked below; nothing is installed in ~/.cargo);
# for release, wasm-opt from npm's binaryen@132.0.0 into target/tools when missing
# (Debian's binaryen 108 emits a wasm that does not hydrate).
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

# wasm-bindgen's glue comes from tools/console-bindgen (the CLI's library, at the same
# version), built beside the wasm in its own target dir so neither waits for the other.
wbg=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
tool_wbg=$(awk '/^name = "wasm-bindgen-cli-support"$/ { getline; gsub(/version = |"/, ""); print; exit }' \
  tools/console-bindgen/Cargo.lock)
if [ "$wbg" != "$tool_wbg" ]; then
  echo "build-console: Cargo.lock has wasm-bindgen $wbg but tools/console-bindgen has $tool_wbg:" \
    "set the same version in tools/console-bindgen/Cargo.toml" >&2
  exit 1
fi
bindgen_dir="$PWD/target/console-tools"
CARGO_TARGET_DIR="$bindgen_dir" cargo build --release --locked --quiet \
  --manifest-path tools/console-bindgen/Cargo.toml &
bindgen_pid=$!
if [ "$mode" = release ] && [ ! -x target/tools/node_modules/.bin/wasm-opt ]; then
  echo "build-console: installing wasm-opt (npm binaryen@132.0.0) into target/tools"
  npm install --silent --no-audit --no-fund --prefix target/tools binaryen@132.0.0
fi

echo "build-console: cargo rustc (wasm32 cdylib, $profile)"
if ! cargo rustc --locked --lib -p "$name" --target wasm32-unknown-unknown \
  --no-default-features --features hydrate --profile "$profile" --crate-type cdylib; then
  kill "$bindgen_pid" 2>/dev/null
  exit 1
fi
wait "$bindgen_pid" || { echo "build-console: building tools/console-bindgen failed" >&2; exit 1; }

wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/$profile_dir/${name//-/_}.wasm"
mkdir -p "$pkg"
# Which wasm the assets were made from: a debug build after a release one is not skipped.
stamp="$pkg/.built-from"
if [ "$stamp" -nt "$wasm" ] && [ "$(cat "$stamp")" = "$wasm" ]; then
  echo "build-console: $pkg is current"
else
  echo "build-console: wasm-bindgen"
  "$bindgen_dir/release/console-bindgen" "$wasm" "$pkg" "$name"
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
