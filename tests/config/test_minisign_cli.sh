#!/usr/bin/env bash
# The fixtures cannot go stale against the real tool: a fresh key pair and fresh signatures
# from the installed minisign CLI, checked by our verifier (test_minisign --verify).
# usage: test_minisign_cli.sh PATH/TO/test_minisign
set -euo pipefail
VERIFY=$1
command -v minisign >/dev/null || { echo "minisign not installed: run tools/dev deps" >&2; exit 1; }
WORK=$(mktemp -d /tmp/ck-minisign-cli-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL: $*" >&2; exit 1; }

minisign -G -W -p a.pub -s a.key >/dev/null
minisign -G -W -p b.pub -s b.key >/dev/null
head -c 100000 /dev/urandom >bundle.json
T="civic-kiosk-bundle version=12 expires=2027-03-01T00:00:00Z"
minisign -S -m bundle.json -s a.key -t "$T" >/dev/null

# good, with either key position; the trusted comment comes back exactly
out=$("$VERIFY" --verify bundle.json bundle.json.minisig a.pub b.pub) || fail "good signature refused"
[[ $out == "key 0"$'\n'"$T" ]] || fail "unexpected output: $out"
out=$("$VERIFY" --verify bundle.json bundle.json.minisig b.pub a.pub) || fail "good signature refused"
[[ $out == "key 1"$'\n'"$T" ]] || fail "unexpected output: $out"
# the bare "RW..." line as pasted into fleet.public_keys
tail -n 1 a.pub | tr -d '\n' >a.line
"$VERIFY" --verify bundle.json bundle.json.minisig a.line >/dev/null || fail "bare key line refused"
# minisign itself agrees
minisign -V -q -m bundle.json -p a.pub || fail "minisign -V refused its own signature"

# a changed bundle, the other key, a legacy signature: refused with their messages
expect_refusal() { # WANT-IN-MESSAGE verify-args...
    local want=$1 msg
    shift
    if msg=$("$VERIFY" --verify "$@" 2>&1); then fail "accepted: $*"; fi
    [[ $msg == *"$want"* ]] || fail "message for $*: $msg (wanted: $want)"
}
cp bundle.json tampered.json
printf 'x' | dd of=tampered.json bs=1 seek=5000 conv=notrunc status=none
expect_refusal "does not match the bundle" tampered.json bundle.json.minisig a.pub
expect_refusal "unknown key (key id $(head -n 1 a.pub | awk '{print $NF}'))" \
    bundle.json bundle.json.minisig b.pub
minisign -S -l -m bundle.json -s a.key -x legacy.minisig -t "$T" >/dev/null
expect_refusal "legacy (non-prehashed)" bundle.json legacy.minisig a.pub
sed 's/version=12/version=13/' bundle.json.minisig >edited.minisig
expect_refusal "trusted comment was altered" bundle.json edited.minisig a.pub

# an empty file signs and verifies too
: >empty
minisign -S -m empty -s b.key -t "$T" >/dev/null
"$VERIFY" --verify empty empty.minisig a.pub b.pub >/dev/null || fail "empty file refused"
echo "minisign $(minisign -v | awk '{print $2}'): CLI signatures verify; tampering refused"
