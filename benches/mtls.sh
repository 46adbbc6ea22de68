#!/usr/bin/env bash
# Mutual TLS under load, against the release binary on SQLite:
#   bash benches/mtls.sh        (needs curl, python3, openssl)
# Sets up over HTTP, as a TPP would, a sandbox application (keys, token) and
# a production application (the fixture QWAC registered, both production
# subscriptions, the production client id, a token by tls_client_auth, one
# payment), then runs benches/mtls_load.rs (64 connections, 10 s each):
#   1. sandbox GET /Accounts over plain HTTP (the figure to compare with);
#   2. production GET …/status of the payment over mutual TLS, keep-alive;
#   3. production GET /Accounts over mutual TLS, keep-alive (the simulated
#      bank answers 401 CONSENT_INVALID: the whole gateway path, no data);
#   4. the same as 2 with a new TLS connection, client certificate included,
#      for every request (handshakes per second).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${SECONDS_EACH:-10}
CONNECTIONS=${CONNECTIONS:-64}
PORT=${PORT:-18090}
TLS_PORT=${TLS_PORT:-18453}
B="http://127.0.0.1:$PORT"
T="https://127.0.0.1:$TLS_PORT"
CERTS=tests/fixtures/certs
cargo build --release --quiet
cargo bench --bench mtls_load --no-run --quiet 2>/dev/null
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

DEVPORTAL_DATABASE_URL="sqlite://$WORK/bench.db" DEVPORTAL_BIND="127.0.0.1:$PORT" DEVPORTAL_LOG=warn \
DEVPORTAL_TLS_BIND="127.0.0.1:$TLS_PORT" DEVPORTAL_DATA_DIR="$WORK" DEVPORTAL_MTLS_CLIENT_CA="$CERTS/test-qtsp-ca.pem" \
DEVPORTAL_TOKEN_RATE=1000000 DEVPORTAL_SANDBOX_RATE=1000000 DEVPORTAL_SANDBOX_BURST=1000000 \
  ./target/release/devportal serve >"$WORK/portal.log" 2>&1 &
pid=$!
for _ in $(seq 1 50); do curl -sf "$B/readyz" >/dev/null && break; sleep 0.2; done

eval "$(python3 .ci/portal_setup.py "$B")"
json() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }
api() { curl -sf -H "Authorization: Bearer $PAT" -H 'Content-Type: application/json' "$@"; }
app=$(api -d '{"name":"psd2_production"}' "$B/api/v1/applications" | json "['id']")
curl -sf -o /dev/null -X PUT -H "Authorization: Bearer $PAT" -H 'Content-Type: application/x-pem-file' \
  --data-binary "@$CERTS/qwac-ai-pi.pem" "$B/api/v1/applications/$app/certificate"
for a in accounts-production payments-production; do
  api -o /dev/null -d "{\"api_id\":\"$a\"}" "$B/api/v1/applications/$app/subscriptions"
done
client_id=$(api -X POST "$B/api/v1/applications/$app/production-keys" | json "['client_id']")
mtls=(--cacert "$WORK/tls/localhost.pem" --cert "$CERTS/qwac-ai-pi.pem" --key "$CERTS/qwac-ai-pi.key")
prod_token=$(curl -sf "${mtls[@]}" -d grant_type=client_credentials -d "client_id=$client_id" "$T/oauth2/token" | json "['access_token']")
payment=$(curl -sf "${mtls[@]}" -H "Authorization: Bearer $prod_token" -H "X-Request-ID: $(python3 -c 'import uuid; print(uuid.uuid4())')" \
  -H 'Content-Type: application/json' \
  -d '{"instructedAmount":{"currency":"SEK","amount":"100.00"},"debtorAccount":{"bban":"12345678910"},"creditorBankgiro":"5050-1055"}' \
  "$T/production/payments/1.0.0/Payments/SepaCreditTransfers" | json "['paymentId']")
cat "$CERTS/qwac-ai-pi.pem" "$CERTS/qwac-ai-pi.key" >"$WORK/identity.pem"

load() {
  CONNECTIONS=$CONNECTIONS DURATION_SECONDS=$SECONDS_EACH "$@" cargo bench --quiet --bench mtls_load 2>/dev/null | tail -n1
}
echo "| what | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
echo "| sandbox GET /Accounts, plain HTTP, keep-alive | $(load env URL="$B/sandbox/accounts/1.0.0/Accounts?withBalance=true" TOKEN="$ACCESS_TOKEN") |"
status_url="$T/production/payments/1.0.0/Payments/SepaCreditTransfers/$payment/status"
echo "| production GET payment status, mutual TLS, keep-alive | $(load env URL="$status_url" TOKEN="$prod_token" CA="$WORK/tls/localhost.pem" IDENTITY="$WORK/identity.pem") |"
echo "| production GET /Accounts (simulated: 401 CONSENT_INVALID), mutual TLS, keep-alive | $(load env URL="$T/production/accounts/1.0.0/Accounts" TOKEN="$prod_token" CA="$WORK/tls/localhost.pem" IDENTITY="$WORK/identity.pem") |"
echo "| production GET payment status, a new TLS handshake with the client certificate each time | $(load env MODE=handshake URL="$status_url" TOKEN="$prod_token" CA="$WORK/tls/localhost.pem" IDENTITY="$WORK/identity.pem") |"
echo "peak memory (VmHWM): $(grep VmHWM /proc/$pid/status | awk '{printf "%d MiB", $2/1024}')"
