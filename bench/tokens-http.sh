#!/usr/bin/env bash
# What a check with `userToken` costs over HTTP beside the same check with `userId`, in one
# run: the release server on SQLite, one tenant (ada holds a role on /docs), an issuer with
# an inline RSA key (bench/token.mjs, Node's crypto), then wrk posts the same allowed check
# both ways. Needs wrk and node. DURATION=10s and CONNECTIONS=8 by default.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "tokens-http.sh: needs wrk (apt-get install wrk)"; exit 1; }
duration=${DURATION:-10s}
connections=${CONNECTIONS:-8}
source bench/server.sh
for _ in $(seq 100); do curl -sf "$url/readyz" >/dev/null && break; sleep 0.1; done
api() { curl -sf -X "$1" "$url$2" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' -d "$3"; }
api POST /v1/tenants '{"tenantId": "bench", "name": "Bench"}' >/dev/null
api PUT /v1/tenants/bench/roles/viewer '{"name": "Viewer", "permissions": [{"action": "documents:read"}]}' >/dev/null
api PUT /v1/tenants/bench/records/ada '{"name": "Ada", "users": ["ada"], "statements": [{"roles": ["viewer"], "resources": ["/docs"]}]}' >/dev/null
{ read -r jwks; read -r token; } < <(node bench/token.mjs)
api PUT /v1/tenants/bench/issuers/idp "{\"name\": \"IdP\", \"issuer\": \"https://idp.bench/\", \"audiences\": [\"bench\"], \"jwks\": $jwks, \"algorithms\": [\"RS256\"]}" >/dev/null
key=$(api POST /v1/tenants/bench/api-keys '{"name": "bench", "scopes": ["check"]}' | sed -E 's/.*"secret":"([^"]+)".*/\1/')
out=$(mktemp -d)
trap 'kill $server 2>/dev/null; rm -rf "$data" "$out"' EXIT
for form in userId userToken; do
  mkdir -p "$out/$form"
  echo "$key" > "$out/$form/key"
  echo bench > "$out/$form/tenant"
  subject=$([ "$form" = userId ] && echo ada || echo "$token")
  echo "{\"$form\": \"$subject\", \"resourceUri\": \"/docs/d1\", \"permission\": \"documents:read\"}" > "$out/$form/checks.txt"
  api POST /v1/tenants/bench/check "$(cat "$out/$form/checks.txt")" | grep -q '"allowed":true'
  echo "{\"form\": \"$form\", \"connections\": $connections, \"result\": $(BENCH_OUT=$out/$form wrk -t"$(( connections < 2 ? 1 : 2 ))" -c"$connections" -d"$duration" -s bench/check.lua "$url/" | tail -n 1)}"
done
