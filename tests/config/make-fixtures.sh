#!/usr/bin/env bash
# Makes the minisign fixtures of tests/unit/test_minisign.c with the real minisign CLI
# (Debian 12: minisign 0.11). Run from anywhere; rewrites the files next to this script.
# Secret keys live only in a temp dir and are thrown away: re-running makes new keys, so every
# fixture is regenerated together.
#
#   key1.pub key2.pub unknown.pub     public keys (minisign -G -W, no password)
#   bundle.json                       the signed message
#   bundle.json.minisig               signed by key 1 (prehashed "ED", minisign's default)
#   bundle.json.key2.minisig          signed by key 2
#   bundle.json.unknown.minisig       signed by a key the tests do not pin
#   bundle.json.legacy.minisig        signed by key 1 with -l (legacy "Ed" type, to be refused)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
command -v minisign >/dev/null || { echo "minisign not installed: run tools/dev deps" >&2; exit 1; }
TMP=$(mktemp -d /tmp/ck-minisign-fixtures-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
TRUSTED="civic-kiosk-bundle version=3 expires=2030-01-01T00:00:00Z"

for k in key1 key2 unknown; do
    minisign -G -W -p "$HERE/$k.pub" -s "$TMP/$k.key" -f >/dev/null
done

cat >"$HERE/bundle.json" <<'JSON'
{
  "bundle": {"version": 3, "expires": "2030-01-01T00:00:00Z"},
  "city": {"name": "Testville"},
  "session": {"idle_seconds": 60}
}
JSON

sign() { # KEY OUTPUT [minisign args...]
    local key=$1 out=$2
    shift 2
    minisign -S -m "$HERE/bundle.json" -s "$TMP/$key.key" -x "$HERE/$out" -t "$TRUSTED" "$@" >/dev/null
}
sign key1 bundle.json.minisig
sign key2 bundle.json.key2.minisig
sign unknown bundle.json.unknown.minisig
sign key1 bundle.json.legacy.minisig -l
echo "fixtures written to $HERE" >&2
