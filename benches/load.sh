#!/usr/bin/env bash
# Load run against the release binary, on SQLite and on PostgreSQL:
#   bash benches/load.sh            (both; needs wrk, curl, python3, sqlite3, psql)
#   bash benches/load.sh sqlite     (one)
# Sets up a developer, psd2_sandbox, a subscription and keys over HTTP as a
# TPP would, then measures the token endpoint, GET /Accounts with a valid
# token, and the API store page with wrk: 64 connections, 2 threads, 20 s
# each, on this machine (the load generator shares its 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-64}
PORT=${PORT:-18080}
B="http://127.0.0.1:$PORT"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

json() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }

# "rps | p50 | p99 | non-2xx" from wrk's --latency output.
summary() { python3 benches/wrk_summary.py "$1"; }

run() {
  local backend=$1 url=$2 dump
  echo "== $backend" >&2
  DEVPORTAL_SECRET_KEY="$(openssl rand -base64 32)" DEVPORTAL_DATABASE_URL="$url" DEVPORTAL_BIND="127.0.0.1:$PORT" DEVPORTAL_LOG=warn \
  DEVPORTAL_TOKEN_RATE=1000000 DEVPORTAL_SANDBOX_RATE=1000000 DEVPORTAL_SANDBOX_BURST=1000000 \
    ./target/release/devportal serve >"$WORK/$backend.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 50); do curl -sf "$B/readyz" >/dev/null && break; sleep 0.2; done
  # Over HTTP as a TPP would (the outbox's bodies are sealed, so the
  # verification link comes from the dev mailbox).
  eval "$(python3 .ci/portal_setup.py "$B")"
  cat >"$WORK/token.lua" <<LUA
wrk.method = "POST"
wrk.body = "grant_type=client_credentials&client_id=$CLIENT_ID&client_secret=$CLIENT_SECRET&scope=psd2_sandbox:195505063676"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/token.lua" "$B/oauth2/token" >"$WORK/token.txt"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $ACCESS_TOKEN" \
    -H "X-Request-ID: 0b6a1f6e-8c1e-4d39-9b7f-2f4f7b9e6c11" -H "PSU-IP-Address: 192.0.2.10" \
    "$B/sandbox/accounts/1.0.0/Accounts?withBalance=true" >"$WORK/accounts.txt"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$B/apis" >"$WORK/store.txt"
  local peak
  peak=$(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' "/proc/$pid/status")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "| $backend | POST /oauth2/token | $(summary "$WORK/token.txt") | $peak |"
  echo "| $backend | GET /Accounts (valid token) | $(summary "$WORK/accounts.txt") | |"
  echo "| $backend | GET /apis (store page) | $(summary "$WORK/store.txt") | |"
}

echo "| database | endpoint | requests/s | p50 | p99 | non-2xx | peak memory (RSS) |"
echo "|---|---|---|---|---|---|---|"
for backend in ${1:-sqlite postgres}; do
  case $backend in
    sqlite) run sqlite "sqlite://$WORK/bench.db" ;;
    postgres)
      PG=${DEVPORTAL_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
      psql -qAt "$PG/postgres" -c "DROP DATABASE IF EXISTS devportal_bench WITH (FORCE)" -c "CREATE DATABASE devportal_bench" >/dev/null
      run postgres "$PG/devportal_bench" ;;
  esac
done
