#!/usr/bin/env bash
# Facilities staff on a real kiosk against the reference Open311 server: the city refuses a
# request (it is parked with the city's message); staff sign in to maintenance mode, retry it
# from the Queue page, and take the kiosk out of service. Residents then see the message and
# cannot start a new request, while the retried request is still delivered.
# usage: test_staff.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$(cd "$1" && pwd) SRC=$(cd "$2" && pwd)
WORK=$(mktemp -d /tmp/ck-it-staff-XXXXXX)
source "$SRC/tests/integration/lib.sh"
trap 'stop_server; rm -rf "$WORK"' EXIT
export CK_LOG_LEVEL=info CK_TEST_SEED=7
mkdir -p "$WORK/shots"

# The city refuses the first request it is sent, once.
start_server --fault '{"kind":"status","status":400,"body":"Address is outside the city limits","count":1,"path":"/open311/v2/requests","method":"POST"}'
make_city

kiosk "$(street_sign_to_review)
tap submit
expect-screen done
wait-sync 0" 2>"$WORK/k1.log" || { cat "$WORK/k1.log" >&2; exit 1; }
receipt=$("$BUILD/kioskctl" --data-dir "$WORK/data" requests --json |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["requests"]; assert r[0]["state"] == "parked", r; print(r[0]["receipt"])')
echo "ok: $receipt parked: $("$BUILD/kioskctl" --data-dir "$WORK/data" status | grep '^parked ')"

kiosk "hold hidden:staff
type 246810
key enter
expect-screen staff
tap staff:queue
expect-text Address is outside the city limits
screenshot queue-parked
tap retry:$receipt
tap staff:service
type Please use the kiosk by the front door.
tap staff:service-off
tap back
expect-screen welcome
expect-text This kiosk is out of service.
expect-no-text Report a problem
wait-sync 0
screenshot out-of-service" 2>"$WORK/k2.log" || { cat "$WORK/k2.log" >&2; exit 1; }
"$BUILD/kioskctl" --data-dir "$WORK/data" requests --json | python3 -c '
import json, sys
r = json.load(sys.stdin)["requests"]
assert len(r) == 1 and r[0]["state"] == "delivered", r
print("ok: retried from the staff screen and delivered while out of service:", r[0]["service_request_id"])'

# Still out of service after a restart; a resident cannot begin a request.
if kiosk "tap report" 2>"$WORK/k3.log"; then
    echo "a resident could start a request while out of service" >&2; exit 1
fi
grep -q 'no widget "report"' "$WORK/k3.log"
echo "ok: out of service survives a restart; no new requests"
