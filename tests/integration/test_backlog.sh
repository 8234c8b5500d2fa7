#!/usr/bin/env bash
# A kiosk that was offline for weeks: a backlog of 10,000 requests drains to the reference
# server, each exactly once, while a resident uses the screens: the UI answers taps and draws
# while the queue is still long (the delivery worker never blocks the UI thread).
# usage: test_backlog.sh BUILD_DIR SOURCE_DIR [N]
set -euo pipefail
BUILD=$(cd "$1" && pwd) SRC=$(cd "$2" && pwd) N=${3:-10000}
WORK=$(mktemp -d /tmp/ck-it-backlog-XXXXXX)
source "$SRC/tests/integration/lib.sh"
KIOSK_PID=""
trap '[[ -n "$KIOSK_PID" ]] && kill "$KIOSK_PID" 2>/dev/null; stop_server; rm -rf "$WORK"' EXIT
export CK_LOG_LEVEL=warn

start_server --no-idempotency
make_city 'c["upstream"]["max_in_flight"] = 8'
"$BUILD/seed_requests" "$CITY" "$WORK/data" "$N"
mkdir -p "$WORK/shots"
cat >"$WORK/script.ck" <<'CK'
tap report
expect-screen services
tap group:2
tap service:missed-trash
expect-screen form
tap toggle:trash-cart
tap next
tap back
tap cancel
tap cancel-yes
expect-screen welcome
tap check
type R7QW2BTHPN
tap lookup
expect-text typing mistake
tap back
expect-screen welcome
screenshot during-backlog
wait-sync 3
CK
"$BUILD/civic-kiosk" --headless --size 1280x800 --config "$CITY" --data-dir "$WORK/data" \
    --script "$WORK/script.ck" --screenshot-dir "$WORK/shots" 2>"$WORK/kiosk.log" &
KIOSK_PID=$!
# As soon as the resident's taps are done (the screenshot exists), the queue must still be long.
poll_until 30 alive_and "$KIOSK_PID" all_written "$WORK/shots/during-backlog.png" || true
[[ -s "$WORK/shots/during-backlog.png" ]] || { cat "$WORK/kiosk.log" >&2; fail "the UI did not get through its taps"; }
mid=$("$BUILD/kioskctl" --data-dir "$WORK/data" status --json)
wait "$KIOSK_PID" || { tail "$WORK/kiosk.log" >&2; fail "the kiosk did not drain the backlog"; }
KIOSK_PID=""
admin GET /admin/counts >"$WORK/counts.json"
"$BUILD/kioskctl" --data-dir "$WORK/data" status --json >"$WORK/status.json"
MID=$mid python3 - "$N" "$WORK" <<'PY'
import json, os, sys
n, work = int(sys.argv[1]), sys.argv[2]
mid = json.loads(os.environ["MID"])
st = json.load(open(work + "/status.json"))
counts = json.load(open(work + "/counts.json"))
assert mid["queued"] > 0, "the backlog had drained before the UI finished: %s" % mid
assert st["queued"] == 0 and st["delivered"] == n, st
dups = {k: v for k, v in counts["receipts"].items() if v["created"] != 1}
assert not dups and len(counts["receipts"]) == n, (len(counts["receipts"]), list(dups.items())[:3])
print("ok: %d delivered exactly once; %d were still queued when the resident's taps were done"
      % (n, mid["queued"]))
PY
