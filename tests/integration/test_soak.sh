#!/usr/bin/env bash
# The soak: 1,000 residents in a row on one kiosk under valgrind's memcheck, each filing a
# request (the form, review, submit, done) and checking one, while the delivery worker sends
# them all to the reference server. Passes when memcheck finds no memory error and no leak
# (definitely or indirectly lost), when the heap in use after the last session is no larger
# than after session 500 give or take 256 KiB (caches fill during the first few hundred
# sessions, then stay), and when every request arrived upstream exactly once.
# Not under ASan (valgrind and ASan do not mix): CMake registers it for build/ only.
# usage: test_soak.sh BUILD_DIR SOURCE_DIR [SESSIONS]
set -euo pipefail
BUILD=$(cd "$1" && pwd) SRC=$(cd "$2" && pwd) SESSIONS=${3:-1000}
WORK=$(mktemp -d /tmp/ck-it-soak-XXXXXX)
source "$SRC/tests/integration/lib.sh"
trap 'stop_server; [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"' EXIT
export CK_LOG_LEVEL=warn
command -v valgrind >/dev/null || fail "valgrind is not installed (tools/dev installs it)"

start_server --no-idempotency --token-polls 1
make_city
# The heap is counted after the first session, then at each tenth of the run, each time once
# the worker has delivered everything filed so far.
for ((i = 1; i <= SESSIONS; i++)); do
    street_sign_to_review
    cat <<'CK'
tap submit
expect-screen done
tap finish
expect-screen welcome
tap check
type R7QW2BTHPN
tap lookup
tap back
CK
    if ((i == 1 || i % (SESSIONS / 10 > 0 ? SESSIONS / 10 : 1) == 0)); then
        # Counted at rest, every request so far delivered: no transfer's buffers in the count.
        echo "wait-sync 3"
        echo "mem-stats"
    fi
done >"$WORK/soak.ck"
echo "wait-sync 3" >>"$WORK/soak.ck"

start=$(date +%s)
valgrind --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --num-callers=30 \
    "$BUILD/civic-kiosk" --headless --size 800x480 --config "$CITY" --data-dir "$WORK/data" \
    --script "$WORK/soak.ck" --screenshot-dir "$WORK/shots" 2>"$WORK/valgrind.log" || {
    grep -v '^warn ' "$WORK/valgrind.log" | tail -60 >&2
    fail "memcheck found errors or leaks (exit $?)"
}
took=$(($(date +%s) - start))

"$BUILD/kioskctl" --data-dir "$WORK/data" requests --json >"$WORK/requests.json"
admin GET /admin/counts >"$WORK/counts.json"
python3 - "$WORK" "$SESSIONS" "$took" <<'PY'
import json, re, sys
work, n, took = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
log = open(work + "/valgrind.log").read()
heap = [int(h) for h in re.findall(r"^memory: heap in use (\d+) bytes", log, re.M)]
assert len(heap) >= 2, "no mem-stats lines"
summary = re.search(r"ERROR SUMMARY: (\d+) errors", log)
assert summary and summary.group(1) == "0", summary and summary.group(0)
final = log[log.rindex("HEAP SUMMARY"):]  # at exit; the mid-run counts are estimates
for kind in ("definitely", "indirectly"):
    m = re.search(kind + r" lost: ([\d,]+) bytes", final)
    assert not m or m.group(1) == "0", m.group(0)
reqs = json.load(open(work + "/requests.json"))["requests"]
counts = json.load(open(work + "/counts.json"))["receipts"]
assert len(reqs) == n, (len(reqs), n)
left = [r["receipt"] for r in reqs if r["state"] != "delivered"]
assert not left, "not delivered: %s" % left[:5]
twice = [r["receipt"] for r in reqs if counts.get(r["receipt"], {}).get("created") != 1]
assert not twice, "not created exactly once: %s" % twice[:5]
mid, last = heap[len(heap) // 2], heap[-1]
curve = ", ".join("%.1f" % (h / 1048576) for h in heap)
assert last - mid <= 256 * 1024, "the heap grew by %d KiB from mid-run to the end: %s MiB" % (
    (last - mid) // 1024, curve)
print("ok: %d sessions under memcheck in %d s: 0 errors, 0 bytes leaked; heap in use (MiB) %s; "
      "end minus mid-run %+d KiB; %d requests delivered exactly once"
      % (n, took, curve, (last - mid) // 1024, n))
PY
