# Sourced by peers.sh and phases.sh: Devportal started for a load run, and
# the wrk script for its token endpoint.

wait_for() { for _ in $(seq 1 100); do curl -s -o /dev/null "$1" && return; sleep 0.1; done; echo "$1 never answered" >&2; exit 1; }

# start_devportal BIN PORT: on a fresh SQLite file in $WORK, rate limits out
# of the way, logs in $WORK/devportal.log; sets DEVPORTAL (its pid) and D
# (its address) and waits until it is ready. set_up then does what a TPP
# would over HTTP (.ci/portal_setup.py: CLIENT_ID, CLIENT_SECRET, ACCESS_TOKEN).
start_devportal() {
  D="http://127.0.0.1:$2"
  DEVPORTAL_SECRET_KEY="$(openssl rand -base64 32)" DEVPORTAL_DATABASE_URL="sqlite://$WORK/bench.db" \
    DEVPORTAL_BIND="127.0.0.1:$2" DEVPORTAL_TLS_BIND=off DEVPORTAL_LOG=warn \
    DEVPORTAL_TOKEN_RATE=1000000 DEVPORTAL_SANDBOX_RATE=1000000 DEVPORTAL_SANDBOX_BURST=1000000 \
    "$1" serve >"$WORK/devportal.log" 2>&1 &
  DEVPORTAL=$!
  wait_for "$D/readyz"
}

set_up() { eval "$(python3 .ci/portal_setup.py "$D")"; }

# token_lua FILE: a client credentials request for the test user 195505063676
# with the set-up's keys (HTTP Basic).
token_lua() {
  cat >"$1" <<LUA
wrk.method = "POST"
wrk.body = "grant_type=client_credentials&scope=psd2_sandbox:195505063676"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic $(printf '%s:%s' "$CLIENT_ID" "$CLIENT_SECRET" | base64 -w0)"
LUA
}
