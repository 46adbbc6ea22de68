#!/usr/bin/env bash
# Contract tests against one running portal (after `cargo build`), with the
# tools TPP developers use on its OpenAPI documents (the JSON API, both
# sandbox APIs and, linted, both production APIs):
#   - schemathesis: no 5xx, every answer in its documented schema and status;
#   - Redocly (recommended-strict) and Spectral (spectral:oas): no error, no
#     warning, no hint;
#   - Postman: each sandbox document imported with openapi-to-postmanv2 and run
#     with newman, and the portal's own collection and environment;
#   - a Python client generated with openapi-python-client, used as generated;
#   - sandbox tokens with requests-oauthlib and with openid-client (discovery).
# Needs python3 and node/npm; installs the tools (pinned) on first use.
# Usage: bash .ci/contracts.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

venv="${CONTRACTS_VENV:-/tmp/devportal-contracts-venv}"
if [ ! -x "$venv/bin/openapi-python-client" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==4.32.5" "openapi-python-client==0.29.1" "requests-oauthlib==2.0.0"
fi
(cd .ci/contracts && npm ci --no-audit --no-fund --loglevel=error)
npx() { (cd "$root/.ci/contracts" && command npx --no-install "$@"); }

work="$(mktemp -d)"
port=18181
DEVPORTAL_DATABASE_URL="sqlite://$work/contract.db" DEVPORTAL_BIND="127.0.0.1:$port" DEVPORTAL_LOG=warn \
  DEVPORTAL_TLS_BIND=127.0.0.1:0 DEVPORTAL_DATA_DIR="$work" \
  DEVPORTAL_SANDBOX_RATE=10000 DEVPORTAL_SANDBOX_BURST=10000 DEVPORTAL_TOKEN_RATE=10000 \
  ./target/debug/devportal >"$work/portal.log" 2>&1 &
portal=$!
trap 'kill $portal 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done

eval "$(python3 .ci/portal_setup.py "http://127.0.0.1:$port")"
base="http://127.0.0.1:$port"
documents=(api/v1/openapi.json apis/accounts-sandbox/openapi.json apis/payments-sandbox/openapi.json
  apis/accounts-production/openapi.json apis/payments-production/openapi.json)

echo "-- linters"
for d in "${documents[@]}"; do
  file="$work/$(echo "$d" | tr / -)"
  curl -sf "$base/$d" -o "$file"
  npx redocly lint --config redocly.yaml "$file"
  npx spectral lint --ruleset .spectral.yaml --fail-severity hint "$file"
done

echo "-- schemathesis on the sandbox APIs"
checks=not_a_server_error,response_schema_conformance,status_code_conformance
schemathesis() {
  "$venv/bin/schemathesis" run "$1" -H "Authorization: Bearer $2" --checks "$checks" \
    --max-examples 30 --generation-deterministic
}
schemathesis "$base/apis/accounts-sandbox/openapi.json" "$ACCESS_TOKEN"
schemathesis "$base/apis/payments-sandbox/openapi.json" "$ACCESS_TOKEN"

echo "-- Postman"
(cd .ci/contracts && node postman.mjs "$base" "$ACCESS_TOKEN" "$CLIENT_ID" "$CLIENT_SECRET")

echo "-- generated Python client"
"$venv/bin/openapi-python-client" generate --url "$base/api/v1/openapi.json" --meta none \
  --output-path "$work/generated/devportal_client" >"$work/generate.log" 2>&1 || { cat "$work/generate.log"; exit 1; }
"$venv/bin/python" .ci/contracts/python_client.py "$base" "$PAT" "$work/generated"

echo "-- OAuth libraries"
"$venv/bin/python" .ci/contracts/oauth_libraries.py "$base" "$CLIENT_ID" "$CLIENT_SECRET"
(cd .ci/contracts && node openid_client.mjs "$base" "$CLIENT_ID" "$CLIENT_SECRET")

echo "-- the README's automated sign-up test (Python, requests)"
"$venv/bin/python" tests/signup_test.py "$base"

# Last: its stateful phase revokes and deletes what it finds, the keys above included.
echo "-- schemathesis on the JSON API"
schemathesis "$base/api/v1/openapi.json" "$PAT"
echo "Contract tests passed."
