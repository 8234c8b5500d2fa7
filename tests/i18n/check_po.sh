#!/bin/sh
# Every UI string in the code has a translation in every language's PO file, the template is
# up to date, and every translation keeps its msgid's printf conversions.
# usage: check_po.sh SOURCE_DIR
set -eu
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

cd "$src"
xgettext --from-code=UTF-8 --keyword=T --keyword=N_ --add-comments=TRANSLATORS: --sort-output \
    --package-name=civic-kiosk -o "$tmp/fresh.pot" firmware/screens/*.c
# The checked-in template must match the code (line references aside).
if ! msgcmp --use-untranslated "$tmp/fresh.pot" assets/i18n/civic-kiosk.pot >"$tmp/pot.log" 2>&1 ||
   ! msgcmp --use-untranslated assets/i18n/civic-kiosk.pot "$tmp/fresh.pot" >>"$tmp/pot.log" 2>&1; then
    echo "FAIL assets/i18n/civic-kiosk.pot is out of date; run: tools/dev update-pot"
    sed -n 1,20p "$tmp/pot.log"
    fail=1
fi
for po in assets/i18n/*.po; do
    if ! msgcmp "$po" "$tmp/fresh.pot" >"$tmp/cmp.log" 2>&1; then
        echo "FAIL $po misses translations:"
        sed -n 1,20p "$tmp/cmp.log"
        fail=1
    fi
    if ! msgfmt --check-format --check-header -o /dev/null "$po" 2>"$tmp/fmt.log"; then
        echo "FAIL $po has a broken entry:"
        sed -n 1,20p "$tmp/fmt.log"
        fail=1
    fi
done
# The demo city's catalog: every language has every string of the Spanish file (the reference
# set of msgids), and keeps its formats.
for po in assets/demo/i18n/*.po; do
    [ "$po" = assets/demo/i18n/es.po ] && continue
    if ! msgcmp "$po" assets/demo/i18n/es.po >"$tmp/cmp.log" 2>&1 ||
       ! msgfmt --check-format -o /dev/null "$po" 2>>"$tmp/cmp.log"; then
        echo "FAIL $po:"
        sed -n 1,20p "$tmp/cmp.log"
        fail=1
    fi
done
[ $fail -eq 0 ] && echo "PO files complete: $(ls assets/i18n/*.po | wc -l) languages, $(grep -c '^msgid "' "$tmp/fresh.pot") strings"
exit $fail
