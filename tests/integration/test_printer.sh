#!/usr/bin/env bash
# Receipts on a (virtual) ESC/POS printer, over TCP and as a USB device, at every width, with
# a native QR; and everything that goes wrong with printers: paper out before and in the middle
# of a job, cover open, unplugged, a printer that stops reading, a slow one. The UI stays
# responsive, says what is wrong, and staff see it and can reprint.
# usage: test_printer.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$(cd "$1" && pwd) SRC=$(cd "$2" && pwd)
WORK=$(mktemp -d /tmp/ck-it-printer-XXXXXX)
source "$SRC/tests/integration/lib.sh"
trap 'stop_printer; rm -rf "$WORK"' EXIT
export CK_LOG_LEVEL=info CK_TEST_SEED=7
mkdir -p "$WORK/shots"

# A short journey to the done screen (a street sign: three steps).
journey="tap report
tap service:street-sign
type 45 Oak Avenue
tap next
tap next
tap option:no
tap next
tap submit
expect-screen done"

url_of() { # the status URL of the newest request
    local r
    r=$("$BUILD/kioskctl" --data-dir "$WORK/data" requests --json |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"][-1]["receipt"])')
    echo "http://127.0.0.1:9/status/$r"
}

last_job() { ls "$JOBS"/job-*.json 2>/dev/null | grep -v partial | tail -1; }

# --- 1. Every width, over TCP: the receipt decodes, is as wide as the profile, its QR reads.
for profile in 58mm:384 80mm:576 80mm-180dpi:512 80mm-native-qr:576; do
    name=${profile%%:*} dots=${profile##*:}
    start_printer --width "$dots"
    make_city "c['printer']['profile'] = '$name'"
    kiosk "$journey
tap print
wait-sync
expect-text Please take your receipt" 2>>"$WORK/kiosk.log" || { tail "$WORK/kiosk.log" >&2; fail "$name: not printed"; }
    job=$(last_job)
    [[ -n "$job" ]] || fail "$name: the printer got no job"
    want=$(url_of)
    python3 - "$job" "$dots" "$want" "$name" <<'PY' || fail "$name: $(head -c 400 "$job")"
import json, sys
j = json.load(open(sys.argv[1]))
dots, want, name = int(sys.argv[2]), sys.argv[3], sys.argv[4]
assert j["raster_width"] == dots, j["raster_width"]
assert not j["errors"], j["errors"]
if name.endswith("native-qr"):
    assert [q["payload"] for q in j["native_qr"]] == [want], j["native_qr"]
PY
    got=$(zbarimg --nodbus -q --raw "${job%.json}.png")
    [[ "$got" == "$want" ]] || fail "$name: the printed QR reads '$got', not $want"
    echo "ok: $name receipt, $dots dots, QR reads"
    stop_printer
    rm -rf "$JOBS" "$WORK/data"
done

# --- 2. As a USB printer (usb:/dev/pts/N standing in for /dev/usb/lp0).
start_printer --pty "$WORK/pty"
make_city
kiosk "$journey
tap print
wait-sync
expect-text Please take your receipt" 2>>"$WORK/kiosk.log" || { tail "$WORK/kiosk.log" >&2; fail "usb: not printed"; }
[[ -n "$(last_job)" ]] || fail "usb: no job"
echo "ok: usb printer"
stop_printer
rm -rf "$JOBS" "$WORK/data"

# --- 3. Paper out before printing: the done screen says so at once, offers the QR; staff see it.
start_printer --mode paper_out
make_city
kiosk "$journey
wait-sync
expect-text Printing is not available right now
expect-no-text Print receipt
screenshot paper-out" 2>>"$WORK/kiosk.log" || { tail "$WORK/kiosk.log" >&2; fail "paper out not shown"; }
"$BUILD/kioskctl" --data-dir "$WORK/data" status | grep -q "printer.*paper-out" ||
    fail "staff do not see paper out: $("$BUILD/kioskctl" --data-dir "$WORK/data" status)"
[[ -n "${CK_KEEP_SHOTS:-}" ]] && cp "$WORK/shots/paper-out.png" "$CK_KEEP_SHOTS/"
echo "ok: paper out shown to the resident and to staff"

# --- 4. Paper runs out in the middle of the receipt: reported, then a staff reprint after refill.
printer_state '{"mode":"ok","paper_out_after":3000}'
kiosk "$journey
tap print
wait-sync
expect-text could not be printed
tap rating:4
expect-text Thank you for your feedback" 2>>"$WORK/kiosk.log" || { tail "$WORK/kiosk.log" >&2; fail "mid-job paper out"; }
ls "$JOBS"/job-*.partial.json >/dev/null 2>&1 || fail "the printer did not see a cut-off job"
printer_state '{"mode":"ok","paper_out_after":null}'
code=$("$BUILD/kioskctl" --data-dir "$WORK/data" requests --json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"][-1]["receipt"])')
"$BUILD/kioskctl" --data-dir "$WORK/data" reprint "$code" >/dev/null
kiosk "wait-sync" 2>>"$WORK/kiosk.log"
job=$(last_job)
[[ -n "$job" ]] || fail "no reprint"
got=$(zbarimg --nodbus -q --raw "${job%.json}.png")
[[ "$got" == "http://127.0.0.1:9/status/$code" ]] || fail "the reprint's QR reads '$got'"
echo "ok: paper out mid-job reported; staff reprint after refill"

# --- 5. Cover open; then unplugged: shown, nothing hangs.
printer_state '{"mode":"cover_open"}'
kiosk "$journey
wait-sync
expect-text Printing is not available" 2>>"$WORK/kiosk.log" || fail "cover open not shown"
"$BUILD/kioskctl" --data-dir "$WORK/data" status | grep -q "printer.*cover-open" || fail "staff: cover open"
stop_printer
kiosk "$journey
wait-sync
expect-text Printing is not available" 2>>"$WORK/kiosk.log" || fail "unplugged not shown"
"$BUILD/kioskctl" --data-dir "$WORK/data" status | grep -q "printer.*offline" || fail "staff: offline"
echo "ok: cover open and unplugged shown"

# --- 6. A printer that stops reading: the UI answers taps while the job is stuck, then says so.
start_printer --mode hang
make_city
kiosk "$journey
tap print
expect-text Printing your receipt
tap rating:5
expect-text Thank you for your feedback
wait-sync
expect-text could not be printed" 2>>"$WORK/kiosk.log" || { tail "$WORK/kiosk.log" >&2; fail "hung printer"; }
grep -q "took no data" "$WORK/kiosk.log" || fail "no clear log line for the stuck printer"
echo "ok: a printer that stops reading does not hang the kiosk"
stop_printer
rm -rf "$JOBS" "$WORK/data"

# --- 7. A slow printer: the receipt takes seconds, the UI shows it printing, and it prints.
start_printer --mode slow --slow-bps 40000
make_city
kiosk "$journey
tap print
expect-text Printing your receipt
wait-sync
expect-text Please take your receipt" 2>>"$WORK/kiosk.log" || { tail "$WORK/kiosk.log" >&2; fail "slow printer"; }
[[ -n "$(last_job)" ]] || fail "slow: no job"
echo "ok: slow printer"
