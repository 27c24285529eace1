# Sourced by the benchmark scripts: builds and starts the release server on a fresh SQLite
# database with the default settings (the default rate limit included, as users run it);
# sets $url, $admin and $server, and stops it on exit. It runs the build in CARGO_TARGET_DIR
# when set, to compare two builds in one sitting.
release=${CARGO_TARGET_DIR:-target}/release
cargo build --release -q -p portcullis
data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
admin="pcadmin_bench_$(date +%s)_0123456789abcdef"
PORTCULLIS_LISTEN=127.0.0.1:$port PORTCULLIS_DATA_DIR=$data PORTCULLIS_ADMIN_TOKEN=$admin \
  RUST_LOG=warn "$release/portcullis" serve &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$data"' EXIT
url=http://127.0.0.1:$port
