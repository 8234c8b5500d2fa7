#!/usr/bin/env bash
# The kiosk facing bad input from outside: a script naming a widget that does not exist, a
# catalog with broken UTF-8, a catalog with no services, a bad command line. Each gets a clear
# message and a non-zero exit (or, for an empty catalog, a kiosk that still runs and says so).
set -uo pipefail
build=$1 src=$2
work=$(mktemp -d /tmp/ck-cli-XXXXXX)
trap 'rm -rf "$work"' EXIT
export CK_LOG_LEVEL=warn
fail=0
expect() { # description, expected exit (0 or nonzero), pattern in stderr, command...
    local what=$1 want=$2 pattern=$3; shift 3
    "$@" >"$work/out" 2>"$work/err"; local rc=$?
    if { [ "$want" = 0 ] && [ $rc -ne 0 ]; } || { [ "$want" != 0 ] && [ $rc -eq 0 ]; }; then
        echo "FAIL $what: exit $rc"; cat "$work/err"; fail=1; return
    fi
    if ! grep -qE -- "$pattern" "$work/err"; then
        echo "FAIL $what: stderr lacks /$pattern/:"; cat "$work/err"; fail=1; return
    fi
    echo "ok   $what"
}
kiosk=("$build/civic-kiosk" --headless --data-dir "$work/data")

printf 'tap report\nexpect-screen services\ntap service:no-such-thing\n' >"$work/unknown.ck"
expect "unknown widget id names the line" 1 'unknown.ck:3: tap: no widget "service:no-such-thing" on screen "services"' \
    "${kiosk[@]}" --script "$work/unknown.ck"

printf 'tap report\nfly away\n' >"$work/verb.ck"
expect "unknown command names the line" 1 'verb.ck:2: unknown command "fly"' "${kiosk[@]}" --script "$work/verb.ck"

printf 'expect-screen services\n' >"$work/screen.ck"
expect "failed expectation names the line" 1 'screen.ck:1: expected screen "services", but it is "welcome"' \
    "${kiosk[@]}" --script "$work/screen.ck"

sed 's/"Pothole"/"Pot\xffhole"/' "$src/assets/demo/city.json" >"$work/bad-utf8.json"
cp "$src/assets/demo/logo.svg" "$work/"; mkdir -p "$work/i18n"; cp "$src/assets/demo/i18n/es.po" "$work/i18n/"
printf 'wait-idle\n' >"$work/idle.ck"
expect "invalid UTF-8 in the catalog" 1 'bad-utf8.json:[0-9]+:[0-9]+: .*(UTF-8|decode)' \
    "${kiosk[@]}" --config "$work/bad-utf8.json" --script "$work/idle.ck"

cat >"$work/empty.json" <<'JSON'
{"city": {"name": "Emptyville"}, "kiosk": {"id": "E1"},
 "status_url_template": "http://127.0.0.1:8311/status/{receipt}", "services": []}
JSON
printf 'tap report\nexpect-text No services are available at this kiosk right now.\ntap back\ntap check\nexpect-screen check\n' >"$work/empty.ck"
expect "a catalog with no services still runs" 0 'no services' \
    "${kiosk[@]}" --config "$work/empty.json" --script "$work/empty.ck"

expect "bad --size" 2 'size wants WIDTHxHEIGHT' "${kiosk[@]}" --size huge
expect "unknown option" 2 'unknown or incomplete option --fly' "${kiosk[@]}" --fly
expect "missing script" 2 'cannot open' "${kiosk[@]}" --script "$work/none.ck"
expect "unknown language" 1 'does not offer' "${kiosk[@]}" --lang xx --script "$work/idle.ck"
expect "kioskctl without a database" 1 'no kiosk database' "$build/kioskctl" --data-dir "$work/nothing" requests

if [ $fail -eq 0 ]; then echo "10 passed, 0 failed"; else echo "some CLI checks failed"; fi
exit $fail
