#!/usr/bin/env bash
# Network and server faults never stall the screen, and the queue drains once upstream is back.
# For each fault a resident taps through the screens (and checks a request, which asks the
# city) while 20 queued requests meet the fault; the kiosk measures the longest gap between two
# frames of that tour (CK_FRAME_STATS, the frame-stats verb). Then upstream comes back and every
# request arrives exactly once (the server does not deduplicate: exactly-once is the kiosk's).
# The faults: every fault kind of the reference server at once; a server that answers a byte a
# second; connection refused (no server, then one starts on that port); an unknown TLS
# certificate with verification on (then the server restarts with one from the city's CA); and
# a name that does not resolve (then the kiosk starts again with the city's real address: a
# resolver cannot be mended from a test).
# usage: test_net_faults.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$(cd "$1" && pwd) SRC=$(cd "$2" && pwd)
WORK=$(mktemp -d /tmp/ck-it-net-XXXXXX)
source "$SRC/tests/integration/lib.sh"
KIOSK_PID=""
trap '[[ -n "$KIOSK_PID" ]] && kill -KILL "$KIOSK_PID" 2>/dev/null; stop_server; [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"' EXIT
export CK_LOG_LEVEL=warn CK_FRAME_STATS=1
N=20
STALL_MS=1500 # a stall: the UI thread waiting on the network would take a timeout (2 s or more)
mkdir -p "$WORK/shots"

# A resident's taps, without pauses, so frames follow each other; "lookup" asks the city.
for ((i = 0; i < 25; i++)); do
    printf '%s\n' "tap report" "tap group:2" "tap service:missed-trash" "tap toggle:trash-cart" \
        "tap next" "tap back" "tap cancel" "tap cancel-yes" "tap check" "type R7QW2BTHPN" \
        "tap lookup" "tap back"
done >"$WORK/tour.ck"
{ cat "$WORK/tour.ck"; echo frame-stats; echo "wait-sync 3"; } >"$WORK/tour-then-drain.ck"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# run_kiosk NAME SCRIPT: the kiosk in the background on a fresh data dir with N requests queued.
run_kiosk() {
    rm -rf "$WORK/data"
    "$BUILD/seed_requests" "$CITY" "$WORK/data" "$N" 2>/dev/null
    "$BUILD/civic-kiosk" --headless --size 1280x800 --config "$CITY" --data-dir "$WORK/data" \
        --script "$2" --screenshot-dir "$WORK/shots" 2>"$WORK/$1.log" &
    KIOSK_PID=$!
}

# tour_done NAME: waits (bounded) until the kiosk has printed the tour's frame line.
tour_done() {
    poll_until 60 alive_and "$KIOSK_PID" grep -qs '^frames ' "$WORK/$1.log" && return 0
    cat "$WORK/$1.log" >&2
    fail "$1: the tour did not finish"
}

# finish NAME LOG-REGEX: waits for the kiosk, checks that it met the fault (its log has a line
# matching LOG-REGEX), that every request arrived exactly once, and reports the gap.
finish() {
    if [[ -n "$KIOSK_PID" ]]; then
        wait "$KIOSK_PID" || { tail -20 "$WORK/$1.log" >&2; fail "$1: the kiosk failed"; }
        KIOSK_PID=""
    fi
    grep -Eq "$2" "$WORK/$1.log" || { cat "$WORK/$1.log" >&2; fail "$1: the kiosk never met the fault"; }
    no_api_key "$WORK/$1.log"
    "$BUILD/kioskctl" --data-dir "$WORK/data" requests --json >"$WORK/requests.json"
    admin GET /admin/counts >"$WORK/counts.json"
    python3 - "$1" "$WORK" "$N" "$STALL_MS" <<'PY'
import json, re, sys
name, work, n, stall = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
line = next(l for l in open("%s/%s.log" % (work, name)) if l.startswith("frames "))
frames, p99, gap = (float(x) for x in re.search(r"frames (\d+):.*p99 ([\d.]+) ms.*longest gap ([\d.]+) ms", line).groups())
reqs = json.load(open(work + "/requests.json"))["requests"]
counts = json.load(open(work + "/counts.json"))["receipts"]
mine = [r for r in reqs]
assert len(mine) == n, len(mine)
left = [r["receipt"] for r in mine if r["state"] != "delivered"]
assert not left, "%s: not delivered once upstream was back: %s" % (name, left)
bad = {r["receipt"]: counts.get(r["receipt"]) for r in mine if counts.get(r["receipt"], {}).get("created") != 1}
assert not bad, "%s: not created exactly once upstream: %s" % (name, bad)
assert gap < stall, "%s: the screen froze for %.0f ms during the fault" % (name, gap)
print("ok: %-26s %4d frames, p99 %6.2f ms, longest gap %6.1f ms; %d queued, delivered exactly once after"
      % (name, frames, p99, gap, n))
PY
}

# --- 1. every fault of the reference server at once --------------------------------------------
start_server --no-idempotency --seed 3
make_city
p=0.15
for f in '{"kind":"status","status":500}' '{"kind":"status","status":503,"retry_after":1}' \
    '{"kind":"status","status":429,"retry_after":1}' '{"kind":"delay","ms":1500}' \
    '{"kind":"drop_after_body","commit":true}' '{"kind":"drop_after_body","commit":false}' \
    '{"kind":"malformed"}' '{"kind":"truncated"}' '{"kind":"wrong_types"}' \
    '{"kind":"oversized","bytes":5000000}' '{"kind":"redirect"}'; do
    admin POST /admin/faults "${f%\}},\"probability\":$p,\"path\":\"/open311/v2/\"}" >/dev/null
done
run_kiosk server-faults "$WORK/tour-then-drain.ck"
tour_done server-faults
admin GET /admin/faults | python3 -c 'import json,sys; [print(f["id"]) for f in json.load(sys.stdin)]' |
    while read -r id; do admin DELETE "/admin/faults/$id" >/dev/null; done
finish server-faults "HTTP 50[03]|HTTP 429|not understood|Empty reply"
stop_server

# --- 2. a byte a second ---------------------------------------------------------------------------
rm -f "$WORK/server.db"
start_server --no-idempotency
make_city
id=$(admin POST /admin/faults '{"kind":"drip","ms":1000,"count":-1,"path":"/open311/v2/requests"}' |
    python3 -c 'import json,sys; r=json.load(sys.stdin); print((r[0] if isinstance(r, list) else r)["id"])')
run_kiosk byte-a-second "$WORK/tour-then-drain.ck"
tour_done byte-a-second
admin DELETE "/admin/faults/$id" >/dev/null
finish byte-a-second "Operation timed out"
stop_server

# --- 3. connection refused, then a server on that port ------------------------------------------
rm -f "$WORK/server.db"
port=$(free_port)
BASE="http://127.0.0.1:$port" make_city
run_kiosk connection-refused "$WORK/tour-then-drain.ck"
tour_done connection-refused
start_server --no-idempotency --port "$port"
finish connection-refused "Couldn.t connect to server"
stop_server

# --- 4. an unknown TLS certificate, then one from the city's CA -----------------------------------
rm -f "$WORK/server.db"
port=$(free_port)
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=Riverton-test-CA \
    -keyout "$WORK/ca.key" -out "$WORK/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$WORK/good.key" \
    -out "$WORK/good.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$WORK/san.ext"
openssl x509 -req -in "$WORK/good.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial \
    -days 2 -extfile "$WORK/san.ext" -out "$WORK/good.pem" 2>/dev/null
# The first server's certificate is self-signed: nobody the kiosk trusts vouches for it.
TLS=1 start_server --no-idempotency --port "$port"
make_city "c['upstream']['ca_bundle'] = '$WORK/ca.pem'"
run_kiosk unknown-certificate "$WORK/tour-then-drain.ck"
tour_done unknown-certificate
stop_server
TLS=1 start_server --no-idempotency --port "$port" --tls-cert "$WORK/good.pem" --tls-key "$WORK/good.key"
CURL_CA_BUNDLE="$WORK/ca.pem" finish unknown-certificate "SSL certificate problem: self-signed"
stop_server

# --- 5. a name that does not resolve -------------------------------------------------------------
rm -f "$WORK/server.db"
start_server --no-idempotency
good=$BASE
BASE="http://kiosk-test.invalid:$PORT" make_city
{ cat "$WORK/tour.ck"; echo frame-stats; } >"$WORK/tour-only.ck"
run_kiosk dns-failure "$WORK/tour-only.ck"
tour_done dns-failure
wait "$KIOSK_PID" || { tail -20 "$WORK/dns-failure.log" >&2; fail "dns-failure: the kiosk failed"; }
KIOSK_PID=""
[[ "$(admin GET /admin/counts | python3 -c 'import json,sys; print(json.load(sys.stdin)["total_posts"])')" == 0 ]] ||
    fail "dns-failure: something reached the server through a name that does not resolve"
BASE=$good make_city
"$BUILD/civic-kiosk" --headless --size 1280x800 --config "$CITY" --data-dir "$WORK/data" \
    --script <(echo "wait-sync 3") --screenshot-dir "$WORK/shots" 2>>"$WORK/dns-failure.log" ||
    fail "dns-failure: the queue did not drain with the right address"
finish dns-failure "Could not resolve host: kiosk-test.invalid"
