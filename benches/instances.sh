#!/usr/bin/env bash
# Several instances on one PostgreSQL database, and the Redis rate limiter:
#   bash benches/instances.sh        (needs wrk, python3, PostgreSQL at 127.0.0.1:5432, Redis at 127.0.0.1:6379)
# Measures the sandbox GET /Accounts (a valid token, the customer present)
# with wrk, 64 connections in all, on this machine (the load generator and
# the instances share its 2 cores, so two instances cannot double anything
# here; the figure says what the sharing costs):
#   1. one instance;
#   2. two instances on the same database, the load split evenly between
#      them (two wrk processes, 32 connections each; the sum is reported);
#   3. one instance with DEVPORTAL_REDIS_URL: every call also takes its
#      token from Redis (the cost of the shared limiter per call).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-15s}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
REDIS=${REDIS:-redis://127.0.0.1:6379}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet
WORK=$(mktemp -d)
DB="devportal_bench_$$"
trap 'kill $(jobs -p) 2>/dev/null || true; psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1; rm -rf "$WORK"' EXIT
psql -q "$PG/postgres" -c "CREATE DATABASE $DB" >/dev/null
KEY=$(openssl rand -base64 32)

start() { # port [extra env...]
  local port=$1; shift
  env DEVPORTAL_SECRET_KEY="$KEY" DEVPORTAL_DATABASE_URL="$PG/$DB" DEVPORTAL_BIND="127.0.0.1:$port" DEVPORTAL_LOG=warn \
    DEVPORTAL_TLS_BIND=off DEVPORTAL_DATA_DIR="$WORK" DEVPORTAL_TOKEN_RATE=1000000 DEVPORTAL_SANDBOX_RATE=1000000 \
    DEVPORTAL_SANDBOX_BURST=1000000 "$@" ./target/release/devportal serve >"$WORK/$port.log" 2>&1 &
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && return; sleep 0.1; done
  echo "instance on $port did not start" >&2; exit 1
}
stop_all() { kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; }

rps() { python3 -c "import re,sys; print(float(re.search(r'Requests/sec:\s+([\d.]+)', open(sys.argv[1]).read()).group(1)))" "$1"; }
p99() { python3 -c "
import re,sys
v=re.search(r'\s99%\s+(\S+)', open(sys.argv[1]).read()).group(1)
n,u=re.match(r'([\d.]+)(\w+)',v).groups(); print(float(n)*{'us':0.001,'ms':1,'s':1000}[u])" "$1"; }

load() { # url connections out
  wrk -t1 -c"$2" -d"$DURATION" --latency -H "Authorization: Bearer $ACCESS_TOKEN" \
    -H "X-Request-ID: 0b6a1f6e-8c1e-4d39-9b7f-2f4f7b9e6c11" -H "PSU-IP-Address: 192.0.2.10" \
    "$1/sandbox/accounts/1.0.0/Accounts?withBalance=true" >"$3"
}

start 18301
eval "$(python3 .ci/portal_setup.py http://127.0.0.1:18301)"
load http://127.0.0.1:18301 64 "$WORK/one.txt"
start 18302
load http://127.0.0.1:18301 32 "$WORK/a.txt" &
first=$!
load http://127.0.0.1:18302 32 "$WORK/b.txt"
wait "$first"
stop_all
start 18303 DEVPORTAL_REDIS_URL="$REDIS"
load http://127.0.0.1:18303 64 "$WORK/redis.txt"
stop_all

one=$(rps "$WORK/one.txt"); a=$(rps "$WORK/a.txt"); b=$(rps "$WORK/b.txt"); redis=$(rps "$WORK/redis.txt")
python3 - "$one" "$a" "$b" "$redis" "$(p99 "$WORK/one.txt")" "$(p99 "$WORK/a.txt")" "$(p99 "$WORK/b.txt")" "$(p99 "$WORK/redis.txt")" <<'PY'
import sys
one, a, b, redis, p1, pa, pb, pr = map(float, sys.argv[1:])
print("| setup (PostgreSQL, GET /Accounts, 64 connections) | req/s | p99 |")
print("|---|---|---|")
print(f"| one instance | {one:,.0f} | {p1:.2f} ms |")
print(f"| two instances, load split evenly | {a+b:,.0f} ({a:,.0f} + {b:,.0f}) | {max(pa, pb):.2f} ms |")
print(f"| one instance, rate limit in Redis | {redis:,.0f} | {pr:.2f} ms |")
print(f"Redis limiter cost per call: {1e6/redis - 1e6/one:.1f} µs of wall time at this concurrency ({(1 - redis/one)*100:.0f} % fewer req/s)")
PY
