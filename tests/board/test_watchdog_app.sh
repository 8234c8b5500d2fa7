#!/usr/bin/env bash
# The kiosk keeps systemd's watchdog fed from its own loop: READY=1 once the first frame is up,
# WATCHDOG=1 at least every half interval while it runs (idle included), and none while its
# loop hangs, so systemd would restart a hung kiosk. A headless script drives the same loop.
# usage: test_watchdog_app.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$(cd "$1" && pwd) SRC=$(cd "$2" && pwd)
WORK=$(mktemp -d /tmp/ck-watchdog-XXXXXX)
LISTENER=""
trap '[ -n "$LISTENER" ] && kill "$LISTENER" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT

python3 "$SRC/tests/board/notify_listener.py" "$WORK/notify.sock" "$WORK/notify.log" \
    --ready "$WORK/ready" &
LISTENER=$!
for ((i = 0; i < 500; i++)); do [ -e "$WORK/ready" ] && break; sleep 0.02; done
[ -e "$WORK/ready" ] || { echo "the notify listener did not start" >&2; exit 1; }

# A 1 s watchdog: kicks must come at least every 0.5 s; the loop hangs for 2.5 s in the middle.
printf 'pause 2\nhang 2.5\npause 1.5\n' >"$WORK/script.ck"
CK_LOG_LEVEL=warn NOTIFY_SOCKET="$WORK/notify.sock" WATCHDOG_USEC=1000000 \
    "$BUILD/civic-kiosk" --headless --size 1280x800 --config "$SRC/assets/demo/city.json" \
    --data-dir "$WORK/data" --script "$WORK/script.ck" --screenshot-dir "$WORK" 2>"$WORK/kiosk.log" ||
    { cat "$WORK/kiosk.log" >&2; exit 1; }
kill "$LISTENER"
wait "$LISTENER" 2>/dev/null || true
LISTENER=""

python3 - "$WORK/notify.log" <<'PY'
import sys
lines = [l.rstrip("\n").split(" ", 1) for l in open(sys.argv[1])]
ready = [float(t) for t, m in lines if "READY=1" in m]
kicks = [float(t) for t, m in lines if "WATCHDOG=1" in m]
assert ready, "no READY=1"
assert kicks, "no WATCHDOG=1 at all"
gaps = [b - a for a, b in zip([ready[0]] + kicks, kicks)]
longest = max(gaps)
# One gap is the hang (2.5 s); every other gap is within the half interval (plus scheduling).
hang = [g for g in gaps if g > 0.75]
print("READY after start; %d kicks; gaps: longest %.2f s, %d over 0.75 s" % (len(kicks), longest, len(hang)))
assert len(hang) == 1, "expected exactly one long gap (the hang), got %s" % ["%.2f" % g for g in hang]
assert 2.4 <= hang[0] <= 3.5, "the hang's gap was %.2f s" % hang[0]
print("ok: kicked on time while running and idle; no kicks while the loop hung")
PY
