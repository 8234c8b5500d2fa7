#!/usr/bin/env bash
# A full disk: the kiosk stops taking new requests before it runs out of room, says so to
# residents, alerts staff (Health: Disk LOW, the heartbeat and the service status), and still
# delivers every request already queued, exactly once. Then, with room again, it takes requests.
# Twice: under the database's page limit (storage.max_db_mb), which needs no privileges, and on a
# real small filesystem (a tmpfs filled with a ballast file), when this machine lets us mount one.
# usage: test_full_disk.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$(cd "$1" && pwd) SRC=$(cd "$2" && pwd)
WORK=$(mktemp -d /tmp/ck-it-disk-XXXXXX)
source "$SRC/tests/integration/lib.sh"
SMALL="$WORK/small"
cleanup() {
    stop_server
    mountpoint -q "$SMALL" 2>/dev/null && umount "$SMALL"
    [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT
export CK_LOG_LEVEL=info
mkdir -p "$WORK/shots"
N=300

start_server --token-polls 1

# used_mb DATA_DIR: the pages the request database uses, in whole MiB (as the kiosk counts).
used_mb() {
    python3 -c 'import sqlite3,sys
d = sqlite3.connect(sys.argv[1])
page, pages, spare = (d.execute("PRAGMA " + p).fetchone()[0] for p in ("page_size", "page_count", "freelist_count"))
print((pages - spare) * page // (1024 * 1024))' "$1/kiosk.db"
}

# The refusal, as a resident and as staff see it, while the queue drains; all in one kiosk run.
REFUSED='expect-screen welcome
expect-text This kiosk cannot take new requests right now.
expect-no-text Report a problem
screenshot refused
tap check
expect-screen check
tap back
expect-screen welcome
hold hidden:staff
type 246810
key enter
expect-screen staff
expect-text LOW
expect-text NO NEW REQUESTS
screenshot staff-health
tap back
expect-screen welcome
wait-sync 3'

# A resident files a request: the kiosk has room again.
FILES='expect-screen welcome
expect-no-text cannot take new requests
tap report
page-to service:street-sign
tap service:street-sign
type 45 Oak Avenue
tap next
tap next
tap option:no
tap next
tap submit
expect-screen done
wait-sync 3'

# check_delivered DATA_DIR WANT: every request the kiosk holds arrived upstream exactly once,
# and there are WANT of them.
check_delivered() {
    "$BUILD/kioskctl" --data-dir "$1" requests --json >"$WORK/requests.json"
    admin GET /admin/counts >"$WORK/counts.json"
    python3 - "$WORK" "$2" <<'PY'
import json, sys
work, want = sys.argv[1], int(sys.argv[2])
reqs = json.load(open(work + "/requests.json"))["requests"]
counts = json.load(open(work + "/counts.json"))["receipts"]
assert len(reqs) == want, (len(reqs), want)
lost = [r["receipt"] for r in reqs if r["state"] != "delivered"]
assert not lost, "not delivered: %s" % lost[:5]
twice = {r["receipt"]: counts.get(r["receipt"]) for r in reqs
         if counts.get(r["receipt"], {}).get("created") != 1}
assert not twice, "not created exactly once upstream: %s" % dict(list(twice.items())[:5])
PY
}

# --- 1. the page limit -------------------------------------------------------------------------
make_city
"$BUILD/seed_requests" "$CITY" "$WORK/data" "$N"
used=$(used_mb "$WORK/data")
# Room under the limit: one MiB, less than the two kept free.
make_city "c['storage'] = {'max_db_mb': $((used + 1)), 'min_free_mb': 2}"
kiosk "$REFUSED" 2>"$WORK/k1.log" || { cat "$WORK/k1.log" >&2; fail "page limit: the refusal"; }
grep -q 'storage low: .* new requests are refused' "$WORK/k1.log" ||
    fail "page limit: staff were not told in the log"
check_delivered "$WORK/data" "$N"
echo "ok: page limit ($((used + 1)) MB, $used used): new requests refused, staff told, $N queued delivered exactly once"

# Staff give it room (a bigger limit): residents can file again.
make_city "c['storage'] = {'max_db_mb': $((used + 10)), 'min_free_mb': 2}"
kiosk "$FILES" 2>"$WORK/k2.log" || { cat "$WORK/k2.log" >&2; fail "page limit: no request after room was made"; }
check_delivered "$WORK/data" "$((N + 1))"
echo "ok: with room again a resident filed a request and it was delivered"

# --- 2. a real small filesystem ------------------------------------------------------------------
mkdir -p "$SMALL"
if ! mount -t tmpfs -o size=16m tmpfs "$SMALL" 2>/dev/null; then
    echo "note: cannot mount a small filesystem here (no privilege); the page-limit part covered the refusal"
    exit 0
fi
stop_server
rm -f "$WORK/server.db"
start_server --token-polls 1
make_city "c['storage'] = {'min_free_mb': 8}"
"$BUILD/seed_requests" "$CITY" "$SMALL/data" "$N"
# Leave 6 MiB free: under the 8 kept, with room enough for SQLite to record the deliveries.
free_kb=$(df -k --output=avail "$SMALL" | tail -1)
fallocate -l $(((free_kb - 6 * 1024) * 1024)) "$SMALL/ballast"
"$BUILD/civic-kiosk" --headless --size 1280x800 --config "$CITY" --data-dir "$SMALL/data" \
    --script <(printf '%s\n' "$REFUSED") --screenshot-dir "$WORK/shots" 2>"$WORK/k3.log" ||
    { cat "$WORK/k3.log" >&2; fail "small filesystem: the refusal"; }
check_delivered "$SMALL/data" "$N"
python3 -c 'import sqlite3,sys; r = sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0]; assert r == "ok", r' \
    "$SMALL/data/kiosk.db"
echo "ok: small filesystem ($(( $(df -m --output=avail "$SMALL" | tail -1) )) MB free of 16, 8 kept): new requests refused, $N queued delivered exactly once, integrity ok"
rm "$SMALL/ballast"
"$BUILD/civic-kiosk" --headless --size 1280x800 --config "$CITY" --data-dir "$SMALL/data" \
    --script <(printf '%s\n' "$FILES") --screenshot-dir "$WORK/shots" 2>"$WORK/k4.log" ||
    { cat "$WORK/k4.log" >&2; fail "small filesystem: no request after the ballast went"; }
check_delivered "$SMALL/data" "$((N + 1))"
echo "ok: ballast removed: a resident filed a request and it was delivered"
