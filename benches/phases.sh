#!/usr/bin/env bash
# Memory and throughput by phase, for one build: starts the portal on a
# fresh SQLite file, prints its resident set (VmRSS) and peak (VmHWM) after
# start, after a TPP's set-up over HTTP (a sign-up and a sign-in: two
# Argon2 hashes), and after 5 s of wrk each on the token endpoint,
# GET /Accounts and the store page, with each load's requests/s.
#   bash benches/phases.sh [path to a devportal binary]   (needs wrk, curl, python3)
# BENCHMARKS.md ("The allocator") compares builds with it.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/release/devportal}
[ -x "$BIN" ] || cargo build --release --quiet --bin devportal
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
. benches/portal.sh
start_devportal "$BIN" 18090
memory() { awk '/VmRSS|VmHWM/ {printf "%s %.0f MiB  ", $1, $2/1024}' "/proc/$DEVPORTAL/status"; echo " after $1"; }
memory start
set_up
memory set-up
token_lua "$WORK/token.lua"
wrk -t2 -c64 -d5s -s "$WORK/token.lua" "$D/oauth2/token" | grep Requests/sec
memory token
wrk -t2 -c64 -d5s -H "Authorization: Bearer $ACCESS_TOKEN" -H "X-Request-ID: 0b6a1f6e-8c1e-4d39-9b7f-2f4f7b9e6c11" \
  -H "PSU-IP-Address: 192.0.2.10" "$D/sandbox/accounts/1.0.0/Accounts?withBalance=true" | grep Requests/sec
memory accounts
wrk -t2 -c64 -d5s "$D/apis" | grep Requests/sec
memory store
