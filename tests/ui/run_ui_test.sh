#!/usr/bin/env bash
# One UI test: runs a headless script at one screen size against a fresh data dir, compares
# every screenshot with its reference (tests/ui/ref/<size>/<script>--<shot>.png), and runs the
# script's companion checks (<script>.check, a bash snippet) against the stored rows.
# usage: run_ui_test.sh BUILD_DIR SOURCE_DIR SCRIPT SIZE
set -euo pipefail
build=$1 src=$2 script=$3 size=$4
name=$(basename "$script" .ck)
work=$(mktemp -d "/tmp/ck-ui-$name-$size-XXXXXX")
trap '[ -n "${CK_KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
shots="$work/shots"
mkdir -p "$shots" "$src/tests/ui/ref/$size"

# Fixed clock, seed and zone: the same receipt codes and dates on every run.
export CK_TEST_NOW=1795528800 CK_TEST_SEED=7 TZ=America/New_York CK_LOG_LEVEL=warn
# What the kiosk says goes to a file, one "lang<TAB>text" a line ($SPEECH in the .check).
export CK_SPEECH_SINK="$work/speech.txt"
# The demo city, with no upstream and a printer that is a file: UI tests look at the screens of
# a kiosk that is offline, whatever runs on this machine's ports 8311 and 9100, and the .check
# can decode the receipts it printed ($RECEIPTS). Its other files are linked so paths resolve.
mkdir -p "$work/city"
for f in "$src"/assets/demo/*; do
    [ "$(basename "$f")" = city.json ] || ln -s "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")" "$work/city/"
done
python3 -c 'import json, sys
c = json.load(open(sys.argv[1], encoding="utf-8"))
c["upstream"]["base_url"] = ""
c["printer"]["uri"] = "file:" + sys.argv[3]
json.dump(c, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)' \
    "$src/assets/demo/city.json" "$work/city/city.json" "$work/receipts.bin"
config="$work/city/city.json"
[ -f "$src/tests/ui/scripts/$name.config" ] && config=$(sed "s|@SRC@|$src|g" "$src/tests/ui/scripts/$name.config")
"$build/civic-kiosk" --headless --size "$size" --config "$config" --data-dir "$work/data" \
    --script "$script" --screenshot-dir "$shots"

fail=0
# <script>.sizes lists the sizes whose screenshots have references (the language scripts keep
# one size in git); at the others the runner's own checks (glyphs, targets) still apply.
sizes_file="$src/tests/ui/scripts/$name.sizes"
if [ -f "$sizes_file" ] && ! grep -qx "$size" "$sizes_file"; then
    shots_to_compare=""
else
    shots_to_compare="$shots"
fi
for png in ${shots_to_compare:+"$shots_to_compare"/*.png}; do
    [ -e "$png" ] || continue
    ref="$src/tests/ui/ref/$size/$name--$(basename "$png")"
    if ! "$build/imgcmp" "$ref" "$png"; then
        cp "$png" "${png%.png}_err.png" "/tmp/" 2>/dev/null || true
        fail=1
    fi
done

check="$src/tests/ui/scripts/$name.check"
if [ -f "$check" ]; then
    json=$("$build/kioskctl" --data-dir "$work/data" requests --json)
    # shellcheck disable=SC1090
    ( export JSON="$json" SHOTS="$shots" RECEIPTS="$work/receipts.bin" SPEECH="$work/speech.txt" BUILD="$build" SRC="$src"; source "$check" ) || { echo "stored-row checks failed for $name" >&2; fail=1; }
fi
exit $fail
