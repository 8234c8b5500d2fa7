# lib.sh: what the integration tests share: a reference Open311 server on a free loopback
# port, and a copy of the demo city pointed at it. Sourced by bash scripts with set -euo pipefail.
# Needs: $BUILD (the build dir), $SRC (the source dir), $WORK (a temp dir the caller removes).

SERVER_PID="" PRINTER_PID=""

# start_server [server options...]: starts tools/open311-server on 127.0.0.1, sets $PORT and
# $BASE. Waits for the port file the server writes once it is listening (15 s at most).
# poll_until SECONDS CMD...: the one bounded wait of these tests. Runs CMD every 20 ms until it
# succeeds (status 0: returns 0) or gives up (status 2: returns 1), for at most SECONDS (then 1).
poll_until() {
    local i n=$(($1 * 50)) rc
    shift
    for ((i = 0; i < n; i++)); do
        if "$@"; then return 0; else rc=$?; fi
        ((rc == 2)) && return 1
        sleep 0.02
    done
    return 1
}

# alive_and PID CMD...: CMD's status while process PID runs; 2 (give up) once it has exited.
alive_and() {
    local pid=$1
    shift
    "$@" && return 0
    kill -0 "$pid" 2>/dev/null || return 2
    return 1
}

# all_written FILE...: every FILE exists and is not empty.
all_written() {
    local f
    for f in "$@"; do [[ -s "$f" ]] || return 1; done
}

# wait_ready PID LOG FILE...: polls (bounded: 15 s) until every FILE a companion writes once
# it listens is non-empty; fails, showing the companion's LOG, if it exits first or never does.
wait_ready() {
    local pid=$1 log=$2
    shift 2
    poll_until 15 alive_and "$pid" all_written "$@" && return 0
    kill -0 "$pid" 2>/dev/null || cat "$log" >&2
    return 1
}

start_server() {
    rm -f "$WORK/port"
    local scheme=http tls=()
    if [[ -n "${TLS:-}" ]]; then # HTTPS with a fresh self-signed certificate for 127.0.0.1
        [[ -f "$WORK/cert.pem" ]] || openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
            -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
            -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
        scheme=https tls=(--tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem")
    fi
    python3 "$SRC/tools/open311-server/server.py" --db "$WORK/server.db" \
        --catalog "$SRC/assets/demo/city.json" --port 0 --port-file "$WORK/port" \
        --api-key test-key --quiet "${tls[@]}" "$@" 2>>"$WORK/server.log" &
    SERVER_PID=$!
    wait_ready "$SERVER_PID" "$WORK/server.log" "$WORK/port" ||
        { echo "the reference server did not start" >&2; return 1; }
    PORT=$(cat "$WORK/port")
    BASE="$scheme://127.0.0.1:$PORT"
}

stop_server() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}

# start_printer [printer options...]: the virtual receipt printer on a free port (or a pty
# with --pty); sets $PRINTER_URI, $PADMIN (its admin API) and $JOBS (where its jobs land).
start_printer() {
    JOBS="$WORK/jobs"
    mkdir -p "$JOBS"
    rm -f "$WORK/pport" "$WORK/padmin" "$WORK/pty"
    local ready="$WORK/pport" tcp=(--port 0 --port-file "$WORK/pport")
    [[ " $* " == *" --pty "* ]] && ready="$WORK/pty" tcp=()
    python3 "$SRC/tools/virtual-printer/printer.py" --jobs-dir "$JOBS" "${tcp[@]}" \
        --admin-port-file "$WORK/padmin" --quiet "$@" 2>>"$WORK/printer.log" &
    PRINTER_PID=$!
    wait_ready "$PRINTER_PID" "$WORK/printer.log" "$ready" "$WORK/padmin" ||
        { echo "the virtual printer did not start" >&2; return 1; }
    PADMIN="http://127.0.0.1:$(cat "$WORK/padmin")"
    if [[ "$ready" == "$WORK/pty" ]]; then
        PRINTER_URI="usb:$(cat "$WORK/pty")"
    else
        PRINTER_URI="tcp:127.0.0.1:$(cat "$WORK/pport")"
    fi
}

stop_printer() {
    if [[ -n "$PRINTER_PID" ]]; then
        kill "$PRINTER_PID" 2>/dev/null || true
        wait "$PRINTER_PID" 2>/dev/null || true
        PRINTER_PID=""
    fi
}

# printer_state JSON: changes the virtual printer's state live.
printer_state() {
    curl -sS -X POST -H 'Content-Type: application/json' --data "$1" "$PADMIN/state" >/dev/null
}

# make_city [json-patch-python]: $WORK/city/city.json, the demo city pointed at the server
# ($BASE) and the printer ($PRINTER_URI, default none); every other file of assets/demo is
# linked, so relative paths still resolve. Extra python statements may change `c` (the parsed
# config) before it is written.
make_city() {
    mkdir -p "$WORK/city"
    local f
    for f in "$SRC"/assets/demo/*; do
        [[ "$(basename "$f")" == city.json ]] || ln -sf "$f" "$WORK/city/"
    done
    printf 'test-key\n' >"$WORK/city/api.key"
    python3 - "$SRC/assets/demo/city.json" "$WORK/city/city.json" "${BASE:-http://127.0.0.1:9}" \
        "${1:-}" "${PRINTER_URI:-none}" <<'PY'
import json, sys
src, dst, base, patch, printer = sys.argv[1:6]
c = json.load(open(src, encoding="utf-8"))
c["printer"]["uri"] = printer
up = c.setdefault("upstream", {})
up.update({"base_url": base + "/open311/v2", "api_key_file": "api.key",
           "connect_timeout_seconds": 2, "timeout_seconds": 5, "low_speed_seconds": 3,
           "retry_cap_seconds": 2, "max_in_flight": 4})
c["status_url_template"] = base + "/status/{receipt}"
exec(patch)
json.dump(c, open(dst, "w", encoding="utf-8"), ensure_ascii=False, indent=1)
PY
    CITY="$WORK/city/city.json"
}

# admin METHOD PATH [JSON]: the server's admin API, printing the reply body.
admin() {
    if [[ $# -ge 3 ]]; then
        curl -sS -X "$1" -H 'Content-Type: application/json' --data "$3" "$BASE$2"
    else
        curl -sS -X "$1" "$BASE$2"
    fi
}

# kiosk SCRIPT-TEXT: runs the real kiosk headless on $CITY and $WORK/data with the script.
kiosk() {
    printf '%s\n' "$1" >"$WORK/script.ck"
    "$BUILD/civic-kiosk" --headless --size 1280x800 --config "$CITY" --data-dir "$WORK/data" \
        --script "$WORK/script.ck" --screenshot-dir "$WORK/shots"
}

# wait_for_error TEXT: runs the kiosk in the background until its last delivery error contains
# TEXT (20 s at most), then stops it. For failures that are retried forever (wait-sync would
# wait for ever-due retries).
wait_for_error() {
    printf 'wait-sync 30\n' >"$WORK/script.ck"
    "$BUILD/civic-kiosk" --headless --size 1280x800 --config "$CITY" --data-dir "$WORK/data" \
        --script "$WORK/script.ck" --screenshot-dir "$WORK/shots" 2>>"$WORK/kiosk.log" &
    local pid=$!
    poll_until 20 status_says "$1" || true
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    local st
    st=$("$BUILD/kioskctl" --data-dir "$WORK/data" status 2>/dev/null || true)
    grep -qF -- "$1" <<<"$st" || fail "no delivery error with \"$1\": $st"
}

# status_says TEXT: kioskctl status (of $WORK/data) contains TEXT.
status_says() {
    "$BUILD/kioskctl" --data-dir "$WORK/data" status 2>/dev/null | grep -qF -- "$1"
}

# server_settled: waits (bounded: 30 s) until the server is handling no Open311 request (a
# delayed POST the kiosk gave up on may still be creating its record), so its counts are final.
server_settled() {
    poll_until 30 server_idle || fail "the server is still handling requests after 30 s"
}

server_idle() {
    [[ "$(admin GET /admin/counts | python3 -c 'import json,sys; print(json.load(sys.stdin)["in_flight"])')" == 0 ]]
}

# Two residents' journeys from welcome to the review screen, as script lines on stdout, for the
# tests that file requests: a street sign (an address, no description, no updates) and missed
# trash (choices, a day, a time, a description, an address).
street_sign_to_review() {
    cat <<'CK'
tap report
page-to service:street-sign
tap service:street-sign
type 45 Oak Avenue
tap next
tap next
tap option:no
tap next
expect-screen review
CK
}
missed_trash_to_review() {
    cat <<'CK'
tap report
tap group:2
tap service:missed-trash
tap toggle:trash-cart
tap toggle:extra-bags
tap next
tap option:tuesday
tap next
tap now
tap next
type Skipped our side of the street.
tap next
type 12 Elm Street
tap next
tap next
tap option:no
tap next
expect-screen review
CK
}

# no_api_key FILE...: fails naming the file if the api_key make_city gives the kiosk
# ("test-key") is in any of them: it goes to the city and nowhere else.
no_api_key() {
    local f
    for f in "$@"; do
        ! grep -qF "test-key" "$f" || fail "the api_key is in $(basename "$f")"
    done
}

fail() {
    echo "FAIL: $*" >&2
    exit 1
}
