#!/usr/bin/env bash
# Contract tests: schemathesis sends generated requests to the three OpenAPI
# documents (the JSON API and both sandbox APIs) of a running portal and
# fails on any 5xx, any answer that breaks its documented schema, and any
# status code the document does not list.
# Usage: bash .ci/schemathesis.sh   (after `cargo build`; needs python3)
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${SCHEMATHESIS_VENV:-/tmp/devportal-schemathesis}"
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==4.32.5"
fi

work="$(mktemp -d)"
port=18181
DEVPORTAL_DATABASE_URL="sqlite://$work/contract.db" DEVPORTAL_BIND="127.0.0.1:$port" DEVPORTAL_LOG=warn \
  DEVPORTAL_SANDBOX_RATE=10000 DEVPORTAL_SANDBOX_BURST=10000 DEVPORTAL_TOKEN_RATE=10000 \
  ./target/debug/devportal >"$work/portal.log" 2>&1 &
portal=$!
trap 'kill $portal 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done

eval "$(python3 .ci/portal_setup.py "http://127.0.0.1:$port")"
base="http://127.0.0.1:$port"
checks=not_a_server_error,response_schema_conformance,status_code_conformance
run() {
  "$venv/bin/schemathesis" run "$1" -H "Authorization: Bearer $2" --checks "$checks" \
    --max-examples 30 --generation-deterministic
}
run "$base/api/v1/openapi.json" "$PAT"
run "$base/apis/accounts-sandbox/openapi.json" "$ACCESS_TOKEN"
run "$base/apis/payments-sandbox/openapi.json" "$ACCESS_TOKEN"
echo "Contract tests passed."
