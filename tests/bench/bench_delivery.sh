#!/usr/bin/env bash
# Benchmark: a 10,000-request backlog delivered to the reference server over loopback, and the
# UI's frame times while it drains, against DESIGN.md's budgets (printed, never asserted).
# usage: bench_delivery.sh BUILD_DIR SOURCE_DIR [N]
set -euo pipefail
BUILD=$(cd "$1" && pwd) SRC=$(cd "$2" && pwd) N=${3:-10000}
WORK=$(mktemp -d /tmp/ck-bench-delivery-XXXXXX)
source "$SRC/tests/integration/lib.sh"
trap 'stop_server; rm -rf "$WORK"' EXIT
export CK_LOG_LEVEL=error

# A resident's tour of the screens, many times over: the frames the budget is about.
tour() {
    local i
    for ((i = 0; i < 40; i++)); do
        printf '%s\n' "tap report" "tap group:2" "tap service:missed-trash" "tap toggle:trash-cart" \
            "tap next" "tap back" "tap cancel" "tap cancel-yes" "tap check" "type R7QW2BTHPN" \
            "tap lookup" "tap back"
    done
}

start_server
make_city 'c["upstream"]["max_in_flight"] = 8'
mkdir -p "$WORK/shots"

# 1. Frames with nothing to deliver.
mkdir -p "$WORK/idle"
{ tour; } >"$WORK/tour.ck"
quiet=$(CK_FRAME_STATS=1 "$BUILD/civic-kiosk" --headless --size 1920x1080 --config "$CITY" \
    --data-dir "$WORK/idle" --script "$WORK/tour.ck" --screenshot-dir "$WORK/shots" 2>&1 | grep '^frames')

# 2. The same tour while the backlog drains, then wait until it has.
"$BUILD/seed_requests" "$CITY" "$WORK/data" "$N"
{ tour; echo "wait-sync 3"; } >"$WORK/tour-sync.ck"
t0=$(date +%s.%N)
busy=$(CK_FRAME_STATS=1 "$BUILD/civic-kiosk" --headless --size 1920x1080 --config "$CITY" \
    --data-dir "$WORK/data" --script "$WORK/tour-sync.ck" --screenshot-dir "$WORK/shots" 2>&1 | grep '^frames')
t1=$(date +%s.%N)
delivered=$("$BUILD/kioskctl" --data-dir "$WORK/data" status --json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["delivered"])')
rate=$(python3 -c "print(round($delivered / ($t1 - $t0)))")

echo "delivery of a $N-request backlog: $delivered in $(python3 -c "print(round($t1 - $t0, 1))") s = $rate requests/s (budget >= 200/s)"
echo "UI frames, nothing to deliver:      $quiet (budget p99 <= 8 ms)"
echo "UI frames, while the backlog drains: $busy (budget: p99 unchanged)"
