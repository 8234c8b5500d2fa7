#!/usr/bin/env bash
# A resident files a request on the real kiosk; it reaches the reference Open311 server once,
# with every answer; the personal fields leave the kiosk; the QR on the done screen opens the
# server's status page for it; "Check a request" shows the city's status, then what the kiosk
# last heard (with its age) when the city cannot be reached; staff see it all in kioskctl.
# usage: test_delivery.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$(cd "$1" && pwd) SRC=$(cd "$2" && pwd)
WORK=$(mktemp -d /tmp/ck-it-delivery-XXXXXX)
source "$SRC/tests/integration/lib.sh"
trap 'stop_server; rm -rf "$WORK"' EXIT
export CK_TEST_SEED=7 TZ=America/New_York CK_LOG_LEVEL=warn

start_server
make_city
mkdir -p "$WORK/shots"

kiosk "tap report
tap service:pothole
tap next
tap option:large
tap next
type 4.5
tap next
tap option:travel-lane
tap next
tap next
type 120 Main Street
tap next
type Deep hole in front of the bus stop.
tap next
tap option:yes
tap next
type Ana
tap next
type Torres
tap next
type ana.torres@example.com
tap next
tap next
tap submit
expect-screen done
screenshot done
wait-sync 3
tap finish
expect-screen welcome"

json=$("$BUILD/kioskctl" --data-dir "$WORK/data" requests --json)
receipt=$(python3 -c 'import json,sys; r=json.load(sys.stdin)["requests"]; assert len(r)==1; print(r[0]["receipt"])' <<<"$json")
state=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"][0]["state"])' <<<"$json")
[[ "$state" == delivered ]] || fail "request $receipt is $state, not delivered: $json"
grep -q '"has_contact": false' <<<"$json" || fail "personal fields still on the kiosk after delivery"
sr_id=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"][0]["service_request_id"])' <<<"$json")
[[ "$sr_id" == RVT-* ]] || fail "no upstream id recorded: $sr_id"

# Upstream got it exactly once, with every answer.
counts=$(admin GET /admin/counts)
DATA=$counts python3 - "$receipt" <<'PY' || fail "server counts: $counts"
import json, os, sys
c = json.loads(os.environ["DATA"])["receipts"][sys.argv[1]]
assert c["posts"] == 1 and c["created"] == 1, c
PY
stored=$(admin GET /admin/requests)
DATA=$stored python3 - "$receipt" <<'PY' || fail "stored upstream: $stored"
import json, os, sys
rs = [r for r in json.loads(os.environ["DATA"]) if r.get("receipt") == sys.argv[1]]
assert len(rs) == 1, rs
r = rs[0]
assert r["service_code"] == "pothole", r
assert r["address_string"] == "120 Main Street", r
assert r["email"] == "ana.torres@example.com" and r["first_name"] == "Ana", r
attrs = r["attributes"] if isinstance(r["attributes"], dict) else json.loads(r["attributes"])
assert attrs.get("size") in ("large", ["large"]), attrs
assert "Deep hole in front of the bus stop." in r["description"], r
PY

# The QR, read the way a phone reads it, opens this request's status page on the server.
qr=$(zbarimg -q --raw "$WORK/shots/done.png" 2>/dev/null)
[[ "$qr" == "$BASE/status/$receipt" ]] || fail "QR reads '$qr'"
page=$(curl -sS "$qr")
grep -q "Pothole" <<<"$page" || fail "status page lacks the service: $page"
grep -q "$sr_id" <<<"$page" || fail "status page lacks the city's reference $sr_id"

# The city closes it; "Check a request" on the kiosk shows that.
admin POST "/admin/requests/$sr_id/status" '{"status":"closed","status_notes":"Filled on Nov 25"}' >/dev/null
check_script="tap check
type $receipt
tap lookup
wait-sync 3
expect-text Closed
expect-text Filled on Nov 25
expect-text Checked with the city
screenshot check-status"
kiosk "$check_script"

# The city cannot be reached: the kiosk shows what it last heard, and how long ago.
stop_server
kiosk "tap check
type $receipt
tap lookup
wait-sync 3
expect-text Closed
expect-text could not be reached
screenshot check-offline"

status=$("$BUILD/kioskctl" --data-dir "$WORK/data" status)
grep -q "delivered        1" <<<"$status" || fail "kioskctl status: $status"
[[ -n "${CK_KEEP_SHOTS:-}" ]] && cp -r "$WORK/shots/." "$CK_KEEP_SHOTS/"
echo "ok: $receipt delivered once as $sr_id; QR, status page and check-a-request agree"
