#!/usr/bin/env bash
# The fleet dashboard as an admin sees it: the fleet server (tools/fleet-server) with a few
# kiosks (healthy, stale, paper out, config failed, a long queue), its page rendered by headless
# Chromium at 1280x900. The PNG must have those dimensions, not be blank, and show the header
# and the red flag badges (the page's CSS applied, the flags drawn). With $CK_SHOT_DIR set, the
# screenshot is copied there as fleet_dashboard.png for a person to look at.
# usage: test_dashboard.sh [SOURCE_DIR]        (needs chromium: tools/dev deps installs it)
set -euo pipefail
SRC=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
WORK=$(mktemp -d /tmp/ck-it-dashboard-XXXXXX)
source "$SRC/tests/integration/lib.sh" # stop_server, wait_ready, fail
trap 'stop_server; rm -rf "$WORK"' EXIT

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[[ -n "$CHROMIUM" ]] ||
    fail "chromium is not installed (neither chromium nor chromium-browser is on PATH): run tools/dev deps"

# --- 1. A fleet folder: a bundle, and one kiosk that went quiet two hours ago.
FLEET="$WORK/fleet"
mkdir -p "$FLEET/heartbeats" "$WORK/hb"
python3 - "$FLEET" "$WORK/hb" <<'PY'
import base64, json, os, sys, time
fleet, out = sys.argv[1], sys.argv[2]
now = time.time()
iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
json.dump({"bundle": {"version": 12, "expires": iso(now + 96 * 86400), "targets": {"all": True},
                      "note": "Winter hours; new name for the pothole service"},
           "city": {"name": "City of Riverton"}}, open(os.path.join(fleet, "bundle.json"), "w"))
sig, glob = base64.b64encode(b"ED" + bytes(72)).decode(), base64.b64encode(bytes(64)).decode()
open(os.path.join(fleet, "bundle.json.minisig"), "w").write(
    "untrusted comment: x\n%s\ntrusted comment: civic-kiosk-bundle version=12\n%s\n" % (sig, glob))

def hb(kid, group, location, **over):
    h = {"kiosk_id": kid, "group": group, "location": location, "software_version": "0.6.0",
         "sent_at": iso(now), "uptime_seconds": 3 * 86400 + 4 * 3600,
         "config": {"version": 12, "applied_at": iso(now - 86400),
                    "last_result": {"ok": True, "version": 12, "at": iso(now - 86400)}},
         "queue": {"depth": 0, "oldest_age_seconds": 0, "parked": 0},
         "printer": {"state": "ready", "paper": "ok"},
         "upstream": {"last_success": iso(now - 120), "last_error": None},
         "disk_free_bytes": 41_800_000_000,
         "cx": {"sessions_started": 412, "sessions_completed": 355, "median_seconds_to_submit": 96,
                "ratings": {"1": 3, "2": 5, "3": 21, "4": 88, "5": 140}}}
    h.update(over)
    return h

kiosks = [
    hb("R7", "city-hall", "City Hall, 1st floor"),
    hb("R8", "city-hall", "City Hall, permits counter", software_version="0.6.1"),
    hb("P2", "libraries", "Main Library, lobby", printer={"state": "ready", "paper": "out"},
       queue={"depth": 2, "oldest_age_seconds": 300, "parked": 0}),
    hb("C4", "libraries", "Eastside branch library",
       config={"version": 11, "applied_at": iso(now - 9 * 86400), "last_result": {
           "ok": False, "version": 12, "at": iso(now - 1800),
           "reason": "signature: made by an unknown key (id 1A2B3C4D5E6F7788)"}}),
    hb("Q5", "transit", "Central Station, west hall",
       queue={"depth": 64, "oldest_age_seconds": 5 * 3600, "parked": 2},
       upstream={"last_success": iso(now - 5 * 3600), "last_error": "HTTP 503 Service Unavailable"}),
    hb("H1", "senior-centers", "Oak Street Senior Center", printer={"state": "ready", "paper": "low"}),
]
for k in kiosks:
    json.dump(k, open(os.path.join(out, k["kiosk_id"] + ".json"), "w"))
stale = hb("S3", "parks", "Riverside Park visitor center", sent_at=iso(now - 7200),
           upstream={"last_success": iso(now - 7300), "last_error": None})
stale["received_at"] = iso(now - 7200)
json.dump(stale, open(os.path.join(fleet, "heartbeats", "S3.json"), "w"))
PY

# --- 2. The server, and the heartbeats of the kiosks that are still talking.
python3 "$SRC/tools/fleet-server/server.py" --folder "$FLEET" --port 0 --port-file "$WORK/port" \
    --quiet 2>>"$WORK/server.log" &
SERVER_PID=$!
wait_ready "$SERVER_PID" "$WORK/server.log" "$WORK/port" || fail "the fleet server did not start"
BASE="http://127.0.0.1:$(cat "$WORK/port")"
for f in "$WORK"/hb/*.json; do
    code=$(curl -sS -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
        --data-binary "@$f" "$BASE/heartbeat")
    [[ "$code" == 204 ]] || fail "POST /heartbeat $(basename "$f"): HTTP $code"
done
curl -sS "$BASE/" >"$WORK/page.html"
for want in STALE "PAPER OUT" "CONFIG FAILED" "LONG QUEUE" "OFFLINE UPSTREAM" PARKED; do
    grep -qF -- "$want" "$WORK/page.html" || fail "the dashboard does not show '$want'"
done
echo "ok: the dashboard lists 7 kiosks with their flags"

# --- 3. Headless Chromium renders it. Its own profile and HOME: nothing of the user's is touched.
PNG="$WORK/dashboard.png"
if ! HOME="$WORK" timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
    --disable-dev-shm-usage --hide-scrollbars --no-first-run --user-data-dir="$WORK/chromium" \
    --screenshot="$PNG" --window-size=1280,900 "$BASE/" >"$WORK/chromium.log" 2>&1; then
    tail -20 "$WORK/chromium.log" >&2
    fail "chromium could not take the screenshot"
fi
[[ -s "$PNG" ]] || { tail -20 "$WORK/chromium.log" >&2; fail "chromium wrote no screenshot"; }

# --- 4. The PNG: 1280x900, not one colour, the navy header and the red badges drawn.
python3 - "$PNG" <<'PY' || fail "the screenshot is wrong (see above)"
import struct, sys, zlib

def decode(path):
    """(width, height, rows of RGB(A) bytes) of an 8-bit, non-interlaced RGB/RGBA PNG."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, hdr = 8, bytearray(), None
    while pos + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    w, h, depth, ctype, _, _, interlace = hdr
    assert depth == 8 and ctype in (2, 6) and not interlace, "unexpected PNG format %r" % (hdr,)
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(bytes(idat)), w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f == 3:
            for i in range(stride):
                line[i] = (line[i] + ((line[i - bpp] if i >= bpp else 0) + prev[i]) // 2) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows

w, h, bpp, rows = decode(sys.argv[1])
assert (w, h) == (1280, 900), "the screenshot is %dx%d, not 1280x900" % (w, h)
colours = {}
for line in rows:
    for x in range(0, len(line), bpp):
        px = bytes(line[x:x + 3])
        colours[px] = colours.get(px, 0) + 1
assert len(colours) > 1, "the screenshot is blank (one colour: #%s)" % next(iter(colours)).hex()
assert len(colours) >= 50, "the screenshot has only %d colours: nothing much drawn" % len(colours)

def near(rgb, tol=6):
    return sum(n for px, n in colours.items() if all(abs(px[i] - rgb[i]) <= tol for i in range(3)))

header, badge = near((0x0B, 0x25, 0x45)), near((0xB3, 0x26, 0x1E))
assert header > 1280 * 30, "no navy header bar (%d pixels)" % header
assert badge > 2000, "no red flag badges drawn (%d pixels)" % badge
top = max(colours.values()) * 100 // (w * h)
print("ok: screenshot 1280x900, %d colours, background %d%%, header %d px, red badges %d px"
      % (len(colours), top, header, badge))
PY

if [[ -n "${CK_SHOT_DIR:-}" ]]; then
    mkdir -p "$CK_SHOT_DIR"
    cp "$PNG" "$CK_SHOT_DIR/fleet_dashboard.png"
    echo "screenshot: $CK_SHOT_DIR/fleet_dashboard.png"
fi
echo "PASS: fleet dashboard"
