#!/usr/bin/env bash
# Benchmark: a 10,000-request backlog delivered to the reference server over loopback, and the
# UI's frame times while it drains, against DESIGN.md's budgets (printed, never asserted).
# usage: bench_delivery.sh BUILD_DIR SOURCE_DIR [N]
# The last lines, `BENCH <name> <value>`, are for tests/bench/run.
set -euo pipefail
BUILD=$(cd "$1" && pwd) SRC=$(cd "$2" && pwd) N=${3:-10000}
WORK=$(mktemp -d /tmp/ck-bench-delivery-XXXXXX)
source "$SRC/tests/integration/lib.sh"
trap 'stop_server; rm -rf "$WORK"' EXIT
export CK_LOG_LEVEL=error

# A resident's tour of the screens, many times over: the frames the budget is about.
TOURS=${CK_BENCH_TOURS:-60}
tour() {
    local i
    for ((i = 0; i < TOURS; i++)); do
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

# Each line the kiosk prints, with the time it came (s since the epoch): when the tour ended.
stamp() { while IFS= read -r l; do printf '%s %s\n' "$(date +%s.%N)" "$l"; done; }

# 2. The same tour while the backlog drains, then wait until it has.
"$BUILD/seed_requests" "$CITY" "$WORK/data" "$N"
# frame-stats right after the tour: the frames of the tour alone, not the one after wait-sync
# (whose gap would be the whole wait).
{ tour; echo "frame-stats"; echo "wait-sync 3"; } >"$WORK/tour-sync.ck"
t0=$(date +%s.%N)
CK_FRAME_STATS=1 "$BUILD/civic-kiosk" --headless --size 1920x1080 --config "$CITY" \
    --data-dir "$WORK/data" --script "$WORK/tour-sync.ck" --screenshot-dir "$WORK/shots" 2>&1 |
    stamp >"$WORK/busy.log"
t1=$(date +%s.%N)
busy=$(grep -m1 ' frames' "$WORK/busy.log" | cut -d' ' -f2-)
t_tour=$(grep -m1 ' frames' "$WORK/busy.log" | cut -d' ' -f1)
delivered=$("$BUILD/kioskctl" --data-dir "$WORK/data" status --json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["delivered"])')
rate=$(python3 -c "print(round($delivered / ($t1 - $t0)))")

echo "delivery of a $N-request backlog: $delivered in $(python3 -c "print(round($t1 - $t0, 1))") s = $rate requests/s (budget >= 200/s)"
echo "UI frames, nothing to deliver:      $quiet (budget p99 <= 8 ms)"
echo "UI frames, while the backlog drains: $busy (budget: p99 unchanged)"
echo "  (the tour ran during the first $(python3 -c "print(round($t_tour - $t0, 1))") s of the drain)"
# For tests/bench/run: frames lines as "p50 p99 max gap" in ms.
fields() { sed -E 's/^frames ([0-9]+): p50 ([0-9.]+) ms, p99 ([0-9.]+) ms, max ([0-9.]+) ms, longest gap ([0-9.]+) ms$/\2 \3 \4 \5/'; }
read -r q50 q99 qmax qgap < <(fields <<<"$quiet")
read -r b50 b99 bmax bgap < <(fields <<<"$busy")
printf 'BENCH %s %s\n' delivery_n "$N" delivery_delivered "$delivered" \
    delivery_seconds "$(python3 -c "print(round($t1 - $t0, 2))")" delivery_rps "$rate" \
    tour_seconds "$(python3 -c "print(round($t_tour - $t0, 2))")" \
    idle_frame_p50_ms "$q50" idle_frame_p99_ms "$q99" idle_frame_max_ms "$qmax" idle_gap_ms "$qgap" \
    drain_frame_p50_ms "$b50" drain_frame_p99_ms "$b99" drain_frame_max_ms "$bmax" drain_gap_ms "$bgap"
