#!/usr/bin/env bash
# Devportal beside its peers, in one run on this machine (see BENCHMARKS.md):
#   bash benches/peers.sh     (needs wrk, curl, python3, openssl, node and npm)
# Builds the release binary and the bare axum "hello" (examples/hello.rs),
# installs oidc-provider and Prism from npm into target/peers, starts each on
# loopback, and runs the same wrk command (2 threads, 64 connections) against
# each in turn, RUNS times, so every target sees the same machine state.
# Prints one table: the range over the runs, and the ratios the aims use.
#   DEVPORTAL_BIN=path   measure another build of Devportal (a "before")
#   FLAMEGRAPHS=dir      also profile Devportal under the token, Accounts and
#                        store loads with perf, into dir/*.svg (needs perf and
#                        inferno: cargo install inferno) and dir/*.top.txt
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
PEERS=target/peers
# PROFILE=dev: a quick check of the harness itself (figures mean nothing).
PROFILE=${PROFILE:-release}
BIN=target/$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cargo build --profile "$PROFILE" --quiet --bin devportal --example hello
DEVPORTAL_BIN=${DEVPORTAL_BIN:-$BIN/devportal}
if [ ! -d "$PEERS/node_modules/oidc-provider" ] || [ ! -x "$PEERS/node_modules/.bin/prism" ]; then
  npm install -s --no-audit --no-fund --prefix "$PEERS" oidc-provider@9.13.3 @stoplight/prism-cli@5.14.2 >/dev/null
fi
cp benches/peers/oidc-provider.mjs "$PEERS/"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

. benches/portal.sh
peak() { awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' "/proc/$1/status"; }

start_devportal "$DEVPORTAL_BIN" 18080
set_up
curl -sf "$D/apis/accounts-sandbox/openapi.json" >"$WORK/accounts.json"

"$BIN/examples/hello" 127.0.0.1:18083 >"$WORK/hello.log" 2>&1 &
HELLO=$!
(cd "$PEERS" && PORT=18081 exec node oidc-provider.mjs) >"$WORK/oidc.log" 2>&1 &
OIDC=$!
"$PEERS/node_modules/.bin/prism" mock --host 127.0.0.1 --port 18082 "$WORK/accounts.json" >"$WORK/prism.log" 2>&1 &
PRISM=$!
wait_for http://127.0.0.1:18083/
wait_for http://127.0.0.1:18081/.well-known/openid-configuration
wait_for http://127.0.0.1:18082/Accounts

token_lua "$WORK/devportal-token.lua"
sed "s|Basic .*\"|Basic $(printf '%s' 'bench:bench-secret-bench-secret-bench-secret' | base64 -w0)\"|" \
  "$WORK/devportal-token.lua" >"$WORK/oidc-token.lua"
ACCOUNTS_HEADERS=(-H "Authorization: Bearer $ACCESS_TOKEN" -H "X-Request-ID: 0b6a1f6e-8c1e-4d39-9b7f-2f4f7b9e6c11"
  -H "PSU-IP-Address: 192.0.2.10")

# name|wrk arguments after the common ones
measure() {
  local name=$1; shift
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" >"$WORK/out.txt"
  echo "$name $(python3 benches/wrk_summary.py --raw "$WORK/out.txt")" >>"$WORK/results"
}
for run in $(seq 1 "$RUNS"); do
  echo "run $run of $RUNS" >&2
  measure hello http://127.0.0.1:18083/
  measure devportal-token -s "$WORK/devportal-token.lua" "$D/oauth2/token"
  measure oidc-token -s "$WORK/oidc-token.lua" http://127.0.0.1:18081/token
  measure devportal-accounts "${ACCOUNTS_HEADERS[@]}" "$D/sandbox/accounts/1.0.0/Accounts?withBalance=true"
  measure prism-accounts "${ACCOUNTS_HEADERS[@]}" "http://127.0.0.1:18082/Accounts?withBalance=true"
  measure devportal-store "$D/apis"
  measure devportal-docs "$D/apis/accounts-sandbox"
done
# Profiles after the measured runs, so that perf does not slow them.
# perf samples Devportal alone, with DWARF stacks (the release profile keeps
# line tables for this), while wrk loads it.
profile() {
  local name=$1; shift
  perf record -q -F 299 --call-graph dwarf,16384 -p "$DEVPORTAL" -o "$WORK/$name.data" -- sleep 5 2>/dev/null &
  local perf=$!
  wrk -t2 -c"$CONNECTIONS" -d6s "$@" >/dev/null
  wait "$perf" || true
  perf script -i "$WORK/$name.data" 2>/dev/null | inferno-collapse-perf >"$WORK/$name.folded"
  # Frames under 2 pixels are left out: the SVG stays small enough to keep.
  inferno-flamegraph --minwidth 2 --title "Devportal: $name" <"$WORK/$name.folded" >"$FLAMEGRAPHS/$name.svg"
  # Where the time went, by part (BENCHMARKS.md quotes these), and the
  # functions most often on the CPU themselves.
  python3 benches/profile_summary.py "$WORK/$name.folded" >"$FLAMEGRAPHS/$name.parts.md"
  perf report -i "$WORK/$name.data" --no-children --sort symbol --stdio 2>/dev/null \
    | grep -E '^ +[0-9.]+%' | sed -n 1,25p | cut -c1-100 | sed 's/ *$//' >"$FLAMEGRAPHS/$name.top.txt"
}
if [ -n "${FLAMEGRAPHS:-}" ]; then
  mkdir -p "$FLAMEGRAPHS"
  echo "profiling" >&2
  profile token -s "$WORK/devportal-token.lua" "$D/oauth2/token"
  profile accounts "${ACCOUNTS_HEADERS[@]}" "$D/sandbox/accounts/1.0.0/Accounts?withBalance=true"
  profile store "$D/apis"
fi
echo "peak RSS: devportal $(peak $DEVPORTAL), hello $(peak $HELLO), oidc-provider $(peak $OIDC), prism $(peak $PRISM)" >"$WORK/rss"

python3 - "$WORK/results" "$WORK/rss" <<'PY'
import sys
from collections import defaultdict
runs = defaultdict(list)
for line in open(sys.argv[1]):
    name, rps, p99, non2xx = line.split()
    runs[name].append((float(rps), float(p99), int(non2xx)))
label = {
    "hello": 'bare axum 0.8 "hello" (the ceiling)',
    "devportal-token": "Devportal POST /oauth2/token (client credentials, Basic)",
    "oidc-token": "Node oidc-provider 9.13, the same grant, in memory",
    "devportal-accounts": "Devportal sandbox GET /Accounts?withBalance=true",
    "prism-accounts": "Prism 5 mocking the same OpenAPI document",
    "devportal-store": "Devportal GET /apis (store page, anonymous)",
    "devportal-docs": "Devportal GET /apis/accounts-sandbox (API overview, anonymous)",
}
def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]
print("| what | req/s (min–max) | median | p99 (min–max) | non-2xx |")
print("|---|---|---|---|---|")
for name, text in label.items():
    r = runs[name]
    rps = [x[0] for x in r]; p99 = [x[1] for x in r]
    print(f"| {text} | {min(rps):,.0f}–{max(rps):,.0f} | {median(rps):,.0f} | "
          f"{min(p99):.1f}–{max(p99):.1f} ms | {sum(x[2] for x in r)} |")
m = {name: median([x[0] for x in r]) for name, r in runs.items()}
print()
print(f"- token endpoint / oidc-provider: {m['devportal-token'] / m['oidc-token']:.1f}× (aim ≥ 3×, and ≥ 20,000 req/s)")
print(f"- GET /Accounts / bare axum: {100 * m['devportal-accounts'] / m['hello']:.0f} % (aim ≥ 40 %)")
print(f"- store page / bare axum: {100 * m['devportal-store'] / m['hello']:.0f} % (aim ≥ 25 %)")
print(f"- API overview / bare axum: {100 * m['devportal-docs'] / m['hello']:.0f} % (aim ≥ 25 %)")
print(f"- {open(sys.argv[2]).read().strip()}")
PY
