#!/usr/bin/env bash
# The binaries are built hardened, as a city's IT would check with hardening-check or checksec:
# position independent (PIE, so ASLR applies), full RELRO (GOT read-only after start, BIND_NOW),
# a non-executable stack, the stack protector, and FORTIFY_SOURCE's checked libc calls (not in
# the ASan build, where FORTIFY is off on purpose).
# usage: test_hardening.sh BUILD_DIR SANITIZE(ON|OFF)
set -euo pipefail
BUILD=$1 SANITIZE=${2:-OFF}
fail=0
for bin in civic-kiosk kioskctl; do
    f="$BUILD/$bin"
    [ -x "$f" ] || { echo "$f: missing" >&2; exit 1; }
    check() { # check WHAT COMMAND...
        local what=$1
        shift
        if "$@" >/dev/null 2>&1; then echo "ok: $bin: $what"; else echo "FAIL: $bin: $what" >&2; fail=1; fi
    }
    check "PIE" bash -c "readelf -h '$f' | grep -q 'Type:.*DYN'"
    check "RELRO" bash -c "readelf -lW '$f' | grep -q GNU_RELRO"
    check "BIND_NOW (full RELRO)" bash -c "readelf -dW '$f' | grep -Eq 'BIND_NOW|FLAGS_1.*NOW'"
    check "non-executable stack" bash -c "readelf -lW '$f' | grep GNU_STACK | grep -qv RWE"
    check "stack protector" bash -c "readelf -sW --dyn-syms '$f' | grep -q __stack_chk_fail"
    if [ "$SANITIZE" != ON ]; then
        check "FORTIFY_SOURCE" bash -c "readelf -sW --dyn-syms '$f' | grep -Eq '__[a-z]+_chk@'"
    fi
done
exit $fail
