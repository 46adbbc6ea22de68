#!/usr/bin/env bash
# Start to ready: from launching the release binary to the first 200 from
# /readyz. Run 1 is on a fresh database (migrations, the test QTSP's key);
# the later runs restart on the same database, as a deployment does.
#   bash benches/startup.sh [sqlite|postgres]   (RUNS=5; needs curl, psql for postgres)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
BIN=${DEVPORTAL_BIN:-target/release/devportal}
[ -x "$BIN" ] || cargo build --release --quiet --bin devportal
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
PG=${DEVPORTAL_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
SECRET="$(openssl rand -base64 32)"
case ${1:-sqlite} in
  sqlite) url="sqlite://$WORK/start.db" ;;
  postgres)
    psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS devportal_start" -c "CREATE DATABASE devportal_start"
    url="$PG/devportal_start" ;;
esac
for run in $(seq 1 "$RUNS"); do
  start=$(date +%s%N)
  DEVPORTAL_SECRET_KEY="$SECRET" DEVPORTAL_DATABASE_URL="$url" DEVPORTAL_BIND=127.0.0.1:18095 \
    DEVPORTAL_TLS_BIND=off DEVPORTAL_LOG=warn "$BIN" serve >"$WORK/log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null http://127.0.0.1:18095/readyz; do sleep 0.002; done
  echo "run $run: $(( ($(date +%s%N) - start) / 1000000 )) ms to ready"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
