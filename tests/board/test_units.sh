#!/usr/bin/env bash
# The board files check out without a board: every unit verifies with systemd-analyze, the
# config drop-ins only use keys their daemon knows, the udev rules parse, the scripts lint
# clean, civic-kiosk-display turns each setting into the right cage flags and touch matrix, and
# setup-board.sh installs everything into a staging root (and nothing at all with --dry-run).
# `systemd-analyze security` is printed for the record, not asserted.
#
# usage: test_units.sh SOURCE_DIR [BUILD_DIR]     (ctest -L board)
# Needs: systemd (systemd-analyze, systemctl), python3; udev (udevadm) and shellcheck are used
# when installed (tools/dev deps installs both). As root it also runs udevadm test and verifies
# the installed layout in a private mount namespace; it changes nothing on this machine.
set -uo pipefail
SRC=$(cd "${1:?usage: test_units.sh SOURCE_DIR [BUILD_DIR]}" && pwd)
BUILD=${2:-$SRC/build}
BOARD=$SRC/board
WORK=$(mktemp -d /tmp/ck-board-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

passed=0 failed=0
ok() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "FAIL: $*" >&2
}
check() { # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then ok; else fail "$what"; fi
}
note() { echo "note: $*"; }

command -v systemd-analyze >/dev/null || {
    echo "systemd-analyze missing: run tools/dev deps (package systemd)" >&2
    exit 1
}
as_root=0
[[ $(id -u) == 0 ]] && unshare -m true 2>/dev/null && as_root=1

# ---------------------------------------------------------------- scripts
for s in "$BOARD/setup-board.sh" "$BOARD/civic-kiosk-display" "$SRC/tests/board/test_units.sh"; do
    check "bash -n ${s#"$SRC"/}" bash -n "$s"
done
if command -v shellcheck >/dev/null; then
    check "shellcheck" shellcheck "$BOARD/setup-board.sh" "$BOARD/civic-kiosk-display" \
        "$SRC/tests/board/test_units.sh"
else
    note "shellcheck not installed: skipped (tools/dev deps installs it)"
fi
# Parsed, not byte-compiled: no __pycache__ left in the source tree.
check "python scripts parse" python3 -c 'import ast, sys; [ast.parse(open(f).read(), f) for f in sys.argv[1:]]' \
    "$SRC/tests/board/notify_listener.py" "$SRC/tests/board/check_udev_rules.py"

# ---------------------------------------------------------------- units as shipped
# verify prints warnings (an unknown key, a bad value) but still exits 0: any output fails.
verify() { # verify LABEL UNIT-or-PATH [env...]
    local label=$1 unit=$2 out
    shift 2
    out=$(cd "$WORK" && env "$@" systemd-analyze verify --man=no "$unit" 2>&1)
    local rc=$?
    if ((rc == 0)) && [[ -z $out ]]; then
        ok
    else
        fail "systemd-analyze verify $label (exit $rc): $out"
    fi
}
verify board/civic-kiosk.service "$BOARD/civic-kiosk.service"

# Does verify catch anything at all here? A unit with a typo must fail.
sed 's/^UMask=/UMsk=/' "$BOARD/civic-kiosk.service" >"$WORK/broken.service"
if out=$(cd "$WORK" && systemd-analyze verify --man=no "$WORK/broken.service" 2>&1) && [[ -z $out ]]; then
    fail "systemd-analyze verify passes a unit with an unknown key: the check is blind"
else
    ok
fi

# ---------------------------------------------------------------- setup-board.sh
dry=$WORK/dry stage=$WORK/stage
out=$("$BOARD/setup-board.sh" --dry-run --root "$dry" --from "$BUILD" 2>&1)
check "setup-board.sh --dry-run exits 0: $out" test $? -eq 0
check "--dry-run changed nothing in the root" test ! -e "$dry"
for what in "would install: /etc/systemd/system/civic-kiosk.service" \
    "would install: /etc/udev/rules.d/70-civic-kiosk.rules" \
    "would install: /opt/civic-kiosk/bin/civic-kiosk " \
    "would run: apt-get install" "would run: adduser --system" \
    "systemctl --root=$dry mask ctrl-alt-del.target getty@.service autovt@.service" \
    "systemctl --root=$dry enable civic-kiosk.service" "Left to do by hand:"; do
    grep -qF -- "$what" <<<"$out" || fail "--dry-run does not print: $what"
done

out=$("$BOARD/setup-board.sh" --root "$stage" --from "$BUILD" 2>&1)
check "setup-board.sh --root exits 0: $out" test $? -eq 0
landed() { # landed PATH MODE
    local p=$stage$1
    if [[ -f $p && $(stat -c %a "$p") == "$2" ]]; then ok; else fail "not installed as mode $2: $1"; fi
}
landed /opt/civic-kiosk/bin/civic-kiosk 755
landed /opt/civic-kiosk/bin/civic-kiosk-display 755
landed /opt/civic-kiosk/assets/demo/city.json 644
landed /opt/civic-kiosk/board/README.md 644
landed /etc/civic-kiosk/city.json 640
landed /etc/civic-kiosk/kiosk.conf 644
landed /etc/systemd/system/civic-kiosk.service 644
landed /etc/udev/rules.d/70-civic-kiosk.rules 644
landed /etc/sysctl.d/90-civic-kiosk.conf 644
landed /etc/systemd/logind.conf.d/civic-kiosk.conf 644
landed /etc/systemd/system.conf.d/civic-kiosk.conf 644
landed /etc/systemd/journald.conf.d/civic-kiosk.conf 644
landed /etc/pam.d/civic-kiosk 644
check "/etc/civic-kiosk is 0750" test "$(stat -c %a "$stage/etc/civic-kiosk")" = 750
for u in ctrl-alt-del.target getty@.service autovt@.service; do
    check "$u masked" test "$(readlink "$stage/etc/systemd/system/$u")" = /dev/null
done
check "civic-kiosk.service enabled" test -L "$stage/etc/systemd/system/graphical.target.wants/civic-kiosk.service"
check "graphical.target is the default" \
    test "$(readlink "$stage/etc/systemd/system/default.target")" = /lib/systemd/system/graphical.target
check "no KMSDRM drop-in by default" test ! -e "$stage/etc/systemd/system/civic-kiosk.service.d/kmsdrm.conf"
check "nothing skipped that should have run" grep -q "skipped in a staging root: adduser" <<<"$out"

out=$("$BOARD/setup-board.sh" --root "$stage" --from "$BUILD" 2>&1)
check "a second run changes nothing: $(grep 'done:' <<<"$out")" grep -q "done: 0 change(s)" <<<"$out"
echo "staging-local" >>"$stage/etc/civic-kiosk/kiosk.conf"
"$BOARD/setup-board.sh" --root "$stage" --from "$BUILD" >/dev/null 2>&1
check "the board's kiosk.conf is kept" grep -q staging-local "$stage/etc/civic-kiosk/kiosk.conf"

out=$("$BOARD/setup-board.sh" --root "$stage" --from "$BUILD" --display kmsdrm 2>&1)
check "--display kmsdrm installs the drop-in" test -f "$stage/etc/systemd/system/civic-kiosk.service.d/kmsdrm.conf"
cp -a "$stage" "$WORK/stage-kmsdrm"
"$BOARD/setup-board.sh" --root "$stage" --from "$BUILD" >/dev/null 2>&1
check "--display cage removes it again" test ! -e "$stage/etc/systemd/system/civic-kiosk.service.d/kmsdrm.conf"

# ---------------------------------------------------------------- units as installed
# The installed layout (unit, drop-in, /opt/civic-kiosk) on this machine's own systemd: as root,
# bind the staging root's files over /etc/systemd/system and /opt in a private mount namespace,
# so verify sees every binary the units name. Otherwise the same with the paths rewritten.
verify_installed() { # verify_installed LABEL STAGE
    local label=$1 root=$2
    if ((as_root)); then
        local out
        # shellcheck disable=SC2016 # $1 and $2 belong to the inner shell
        out=$(unshare -m --propagation private bash -c '
            set -e
            mount -t tmpfs tmpfs /opt && mkdir /opt/civic-kiosk
            mount --bind "$1/opt/civic-kiosk" /opt/civic-kiosk
            mount --bind "$1/etc/systemd/system" /etc/systemd/system
            cd "$2" && systemd-analyze verify --man=no civic-kiosk.service' _ "$root" "$WORK" 2>&1)
        local rc=$?
        if ((rc == 0)) && [[ -z $out ]]; then ok; else fail "verify $label (exit $rc): $out"; fi
    else
        local d=$WORK/rewritten-$label
        mkdir -p "$d"
        sed "s|/opt/civic-kiosk|$root/opt/civic-kiosk|g" "$root/etc/systemd/system/civic-kiosk.service" \
            >"$d/civic-kiosk.service"
        if [[ -d $root/etc/systemd/system/civic-kiosk.service.d ]]; then
            mkdir -p "$d/civic-kiosk.service.d"
            for f in "$root"/etc/systemd/system/civic-kiosk.service.d/*.conf; do
                [[ -e $f ]] || continue
                sed "s|/opt/civic-kiosk|$root/opt/civic-kiosk|g" "$f" >"$d/civic-kiosk.service.d/${f##*/}"
            done
        fi
        verify "$label (paths rewritten)" "$d/civic-kiosk.service"
    fi
}
verify_installed cage "$stage"
verify_installed kmsdrm "$WORK/stage-kmsdrm"

# ---------------------------------------------------------------- config drop-ins
# logind, journald and PID 1 ignore an unknown key with a warning at boot; check each key
# against the parser table compiled into the daemon that reads it.
keys_known() { # keys_known FILE BINARY SECTION
    local file=$1 bin=$2 section=$3 key table
    if [[ ! -x $bin ]]; then
        note "$bin missing: keys of ${file#"$SRC"/} not checked"
        return
    fi
    table=$(strings "$bin")
    while IFS='=' read -r key _; do
        [[ -z $key || $key == \#* || $key == \[* ]] && continue
        if grep -qxF "$section.$key" <<<"$table" || grep -qxF "$key" <<<"$table"; then ok; else
            fail "${file#"$SRC"/}: $bin does not know $section.$key"
        fi
    done <"$file"
}
if command -v strings >/dev/null; then
    keys_known "$BOARD/logind.conf.d/civic-kiosk.conf" /lib/systemd/systemd-logind Login
    keys_known "$BOARD/journald.conf.d/civic-kiosk.conf" /lib/systemd/systemd-journald Journal
    keys_known "$BOARD/system.conf.d/civic-kiosk.conf" /lib/systemd/systemd Manager
else
    note "strings (binutils) missing: drop-in keys not checked"
fi
missing=$(grep -E '^-?[a-z]' "$BOARD/sysctl.d/90-civic-kiosk.conf" | sed 's/^-//; s/ *=.*//' |
    while read -r k; do [[ -e /proc/sys/${k//.//} ]] || printf '%s ' "$k"; done)
[[ -n $missing ]] && note "sysctl keys this kernel lacks (fine in a container; a board must have kernel.sysrq): $missing"

# ---------------------------------------------------------------- civic-kiosk-display
display() { # display MODE ROTATION CALIBRATION -> sets cage_args, matrix
    printf 'ROTATION=%s\nTOUCH_CALIBRATION=%s\n' "$2" "$3" >"$WORK/kiosk.conf"
    rm -rf "$WORK/run" "$WORK/rules"
    CK_KIOSK_CONF=$WORK/kiosk.conf CK_RUN_DIR=$WORK/run CK_UDEV_RULES_DIR=$WORK/rules CK_NO_TRIGGER=1 \
        "$BOARD/civic-kiosk-display" "$1" 2>"$WORK/display.log"
    cage_args=$(sed -n 's/^CK_CAGE_ARGS="\(.*\)"$/\1/p' "$WORK/run/display.env")
    matrix=$(sed -n 's/.*LIBINPUT_CALIBRATION_MATRIX}="\([^"]*\)".*/\1/p' "$WORK/rules/71-civic-kiosk-touch.rules" 2>/dev/null)
}
expect_display() { # expect_display MODE ROTATION CALIBRATION CAGE_ARGS MATRIX
    display "$1" "$2" "$3"
    if [[ $cage_args == "$4" && $matrix == "$5" ]]; then ok; else
        fail "civic-kiosk-display $1 ROTATION=$2 TOUCH_CALIBRATION=$3: cage '$cage_args' matrix '$matrix', want '$4' '$5'"
    fi
}
expect_display cage 0 auto "" ""
expect_display cage 90 auto "-r" "0 1 0 -1 0 1"
expect_display cage 180 auto "-r -r" "-1 0 1 0 -1 1"
expect_display cage 270 auto "-r -r -r" "0 -1 1 1 0 0"
check "the generated touch rule parses" python3 "$SRC/tests/board/check_udev_rules.py" "$WORK/rules/71-civic-kiosk-touch.rules"
cp "$WORK/rules/71-civic-kiosk-touch.rules" "$WORK/71-civic-kiosk-touch.rules"
expect_display cage 0 "1.02 0 -0.01 0 1.03 -0.02" "" "1.02 0 -0.01 0 1.03 -0.02"
expect_display cage 45 "1 2 3" "" ""
check "bad values are reported" grep -q "ROTATION=45" "$WORK/display.log"
expect_display kmsdrm 90 auto "" ""
check "KMSDRM says rotation is ignored" grep -q "ignored on KMSDRM" "$WORK/display.log"
check "civic-kiosk-display --check" "$BOARD/civic-kiosk-display" --check "$BOARD/kiosk.conf"

# ---------------------------------------------------------------- udev rules
check "udev rules parse" python3 "$SRC/tests/board/check_udev_rules.py" \
    "$BOARD/udev/70-civic-kiosk.rules" "$WORK/71-civic-kiosk-touch.rules"
# udevadm reads rules only from its own folders: as root, show it ours alone in a private mount
# namespace and let it process a device every machine has. It names any line it cannot parse.
if ((as_root)) && command -v udevadm >/dev/null; then
    mkdir -p "$WORK/udev-rules"
    cp "$BOARD/udev/70-civic-kiosk.rules" "$WORK/71-civic-kiosk-touch.rules" "$WORK/udev-rules/"
    # shellcheck disable=SC2016 # $1 belongs to the inner shell
    out=$(unshare -m --propagation private bash -c \
        'mount --bind "$1" /etc/udev/rules.d && udevadm test --action=add /sys/class/mem/null' _ "$WORK/udev-rules" 2>&1)
    ours=$(grep -E '/etc/udev/rules.d/(70|71)-civic-kiosk' <<<"$out" | grep -v '^Reading rules file' |
        grep -v "Unknown group 'kiosk'")
    if grep -q 'Reading rules file: /etc/udev/rules.d/70-civic-kiosk.rules' <<<"$out" && [[ -z $ours ]]; then
        ok
    else
        fail "udevadm test complains about our rules: ${ours:-it did not read them}"
    fi
else
    note "udevadm test skipped (needs root and udev); the rules were parsed by check_udev_rules.py"
fi

# ---------------------------------------------------------------- for the record
echo "--- systemd-analyze security (offline; exposure 0 = locked down, 10 = unprotected) ---"
(cd "$WORK" && systemd-analyze security --offline=yes --no-pager "$BOARD/civic-kiosk.service" 2>&1 |
    grep -E '✗|Overall exposure' | cut -c1-100) || true

echo "$passed passed, $failed failed"
((failed == 0))
