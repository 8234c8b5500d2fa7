#!/usr/bin/env bash
# Personal data at rest (DESIGN.md "Rules that protect people"; docs/privacy.md): a resident's
# contact details, typed on the real kiosk, are in the database and WAL files only sealed while
# the request waits for an unreachable city; a kiosk with another key or none keeps the request
# queued (nothing sent, nothing lost) and says why; once upstream has the request, with the
# details, neither the details nor their sealed bytes are left in the files; a session abandoned
# at the contact step and wiped by the idle timeout never wrote them; the key is beside the data
# dir (0600), never in the database; no log line holds the details.
#
# The files are read while another connection holds the database open (as kioskctl or the
# delivery worker would), so a kiosk's clean exit cannot be what tidies the WAL: what is checked
# is what a running kiosk leaves on disk.
# usage: test_privacy.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$(cd "$1" && pwd) SRC=$(cd "$2" && pwd)
WORK=$(mktemp -d /tmp/ck-it-privacy-XXXXXX)
source "$SRC/tests/integration/lib.sh"
HOLDER_PID=""
stop_holder() {
    if [[ -n "$HOLDER_PID" ]]; then
        kill "$HOLDER_PID" 2>/dev/null || true
        wait "$HOLDER_PID" 2>/dev/null || true
        HOLDER_PID=""
    fi
}
trap 'stop_holder; stop_server; [[ -n "${CK_KEEP_WORK:-}" ]] || rm -rf "$WORK"' EXIT
export CK_TEST_SEED=11 TZ=America/New_York CK_LOG_LEVEL=info
unset CK_KEY_FILE # the developer's default: a key made beside the data dir
DATA="$WORK/data" LOG="$WORK/kiosk.log"

# Canary contact details nobody else would type.
read -r FIRST LAST EMAIL PHONE FIRST2 LAST2 EMAIL2 PHONE2 < <(python3 -c '
import secrets, string
w = lambda: "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))
d = lambda: "".join(secrets.choice(string.digits) for _ in range(7))
print("Cnr" + w(), "Cnr" + w(), "canary-%s@example.org" % w(), "555" + d(),
      "Idl" + w(), "Idl" + w(), "idle-%s@example.org" % w(), "556" + d())')

# absent WHAT NEEDLE...: no file of the database holds any needle, as UTF-8, UTF-16 or hex text
# (a needle "x:HEX" is raw bytes).
absent() {
    python3 - "$DATA" "$@" <<'PY'
import os, sys
d, what, *needles = sys.argv[1:]
bad = []
for name in ("kiosk.db", "kiosk.db-wal", "kiosk.db-shm"):
    p = os.path.join(d, name)
    if not os.path.exists(p):
        continue
    data = open(p, "rb").read()
    for n in needles:
        if n.startswith("x:"):
            forms = {"bytes": bytes.fromhex(n[2:])}
        else:
            forms = {"UTF-8": n.encode(), "UTF-16LE": n.encode("utf-16le"),
                     "UTF-16BE": n.encode("utf-16be"), "hex": n.encode().hex().encode(),
                     "HEX": n.encode().hex().upper().encode()}
        for form, b in forms.items():
            if b in data:
                bad.append("%s holds %s %s (%s)" % (name, what, n[:40], form))
if bad:
    sys.exit("\n".join(bad))
PY
}

# present NEEDLE: the database files do hold it (proves the bytes looked at are the right ones).
present() {
    grep -qaF -- "$1" "$DATA"/kiosk.db* || fail "$1 is in none of the database files"
}

# row RECEIPT: typeof(email) typeof(phone) pii_key email-hex phone-hex, read on its own
# connection (no transaction left open).
row() {
    python3 - "$DATA/kiosk.db" "$1" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
r = con.execute("SELECT typeof(email), typeof(phone), coalesce(pii_key, '-'),"
                " coalesce(hex(email), '-'), coalesce(hex(phone), '-') FROM requests"
                " WHERE receipt=?", (sys.argv[2],)).fetchone()
con.close()
print(*(r or ["missing"] * 5))
PY
}

# start_holder: another connection keeps the database open, as staff tools do.
start_holder() {
    rm -f "$WORK/holder.ready"
    python3 - "$DATA/kiosk.db" "$WORK/holder.ready" <<'PY' &
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("SELECT count(*) FROM sqlite_master").fetchall()
open(sys.argv[2], "w").close()
while True:
    time.sleep(1)
PY
    HOLDER_PID=$!
    poll_until 5 test -e "$WORK/holder.ready" || fail "the holding connection did not start"
}

# run SCRIPT-TEXT: the kiosk, its log appended to $LOG; a failed line fails the test.
run() {
    kiosk "$1" 2>>"$LOG" || fail "a kiosk script failed: $(tail -5 "$LOG")"
}

receipt() {
    "$BUILD/kioskctl" --data-dir "$DATA" requests --json |
        python3 -c 'import json,sys; r=json.load(sys.stdin)["requests"]; print(r[0]["receipt"], r[0]["state"], r[0]["has_contact"], len(r))'
}

# The contact steps of a pothole report, as a resident taps and types them.
contact_journey() {
    printf '%s\n' "tap report" "tap service:pothole" "tap option:large" "tap next" "type 4.5" \
        "tap next" "tap option:travel-lane" "tap next" "tap next" "type 120 Main Street" \
        "tap next" "type Deep hole in front of the bus stop." "tap next" "tap option:yes" \
        "tap next" "type $1" "tap next" "type $2" "tap next" "type $3" "tap next" "type $4"
}

# The city is unreachable: the server's port, with nothing listening on it.
start_server
make_city
stop_server
mkdir -p "$WORK/shots"

# 0. First run: the database and, beside the data dir, a fresh key, 0600.
run "expect-screen welcome"
KEY="$WORK/civic-kiosk-keys/pii.key"
[[ -f "$KEY" ]] || fail "no key made at $KEY: $(cat "$LOG")"
[[ "$(stat -c %a "$KEY")" == 600 && "$(stat -c %s "$KEY")" == 32 ]] ||
    fail "the key is $(stat -c '%a, %s bytes' "$KEY"), not 600, 32 bytes"
[[ "$(stat -c %a "$(dirname "$KEY")")" == 700 ]] || fail "the key's folder is not 0700"
grep -q "made a new key for residents' contact details: $KEY" "$LOG" ||
    fail "no log line says a key was made: $(cat "$LOG")"
start_holder

# 1. A resident files a request with contact details while the city cannot be reached.
run "$(contact_journey "$FIRST" "$LAST" "$EMAIL" "$PHONE")
tap next
expect-screen review
expect-text Yes: $FIRST
tap submit
expect-screen done
tap finish
expect-screen welcome"
# The files first, as the kiosk left them (any other opener could change them).
[[ -s "$DATA/kiosk.db-wal" ]] || fail "no WAL to look at (the holder did not keep it)"
absent "a contact detail before delivery" "$FIRST" "$LAST" "$EMAIL" "$PHONE"
read -r RECEIPT state has_contact n <<<"$(receipt)"
[[ "$state" == queued && "$has_contact" == True && "$n" == 1 ]] ||
    fail "after filing offline: $RECEIPT $state contact=$has_contact n=$n"
present "$RECEIPT"
read -r t_email t_phone key_id sealed_email sealed_phone <<<"$(row "$RECEIPT")"
[[ "$t_email" == blob && "$t_phone" == blob && "$key_id" != - ]] ||
    fail "contact details not sealed: $t_email $t_phone key $key_id"
KEYHEX=$(od -An -tx1 -v "$KEY" | tr -d ' \n')
absent "the key" "x:$KEYHEX" "$KEYHEX"
case "$(realpath "$KEY")" in "$(realpath "$DATA")"/*) fail "the key is inside the data dir" ;; esac

# 2. The city is back, but this kiosk has another key, then none: the request waits, unsent,
# and staff are told why.
start_server --port "$PORT"
head -c 32 /dev/urandom >"$WORK/other.key"
chmod 600 "$WORK/other.key"
CK_KEY_FILE="$WORK/other.key" kiosk "wait-sync 3" 2>"$WORK/other.log"
CK_KEY_FILE="$WORK/missing.key" kiosk "wait-sync 3" 2>"$WORK/missing.log"
cat "$WORK/other.log" "$WORK/missing.log" >>"$LOG"
grep -q "1 request(s) wait for the key that sealed their contact details" "$WORK/other.log" ||
    fail "another key: no clear error: $(cat "$WORK/other.log")"
grep -q "cannot read the key file $WORK/missing.key" "$WORK/missing.log" ||
    fail "no key: no clear error: $(cat "$WORK/missing.log")"
"$BUILD/kioskctl" --data-dir "$DATA" status | grep -q "wait for the key" ||
    fail "staff do not see why the request waits: $("$BUILD/kioskctl" --data-dir "$DATA" status)"
read -r _ state has_contact _ <<<"$(receipt)"
[[ "$state" == queued && "$has_contact" == True ]] ||
    fail "without its key the request is $state (contact=$has_contact), not kept queued"
posts=$(admin GET /admin/counts | python3 -c 'import json,sys; print(json.load(sys.stdin)["receipts"].get(sys.argv[1], {}).get("posts", 0))' "$RECEIPT")
[[ "$posts" == 0 ]] || fail "a request was sent without its key ($posts posts)"

# 3. The kiosk's own key: delivered, with the details; then they are gone from the files, and so
# are their sealed bytes.
run "wait-sync 3"
read -r _ state has_contact _ <<<"$(receipt)"
[[ "$state" == delivered && "$has_contact" == False ]] ||
    fail "with its key the request is $state (contact=$has_contact)"
DATA_JSON=$(admin GET /admin/requests) python3 - "$RECEIPT" "$FIRST" "$LAST" "$EMAIL" "$PHONE" <<'PY' ||
import json, os, sys
receipt, first, last, email, phone = sys.argv[1:]
rs = [r for r in json.loads(os.environ["DATA_JSON"]) if r.get("receipt") == receipt]
assert len(rs) == 1, rs
r = rs[0]
assert (r["first_name"], r["last_name"], r["email"], r["phone"]) == (first, last, email, phone), r
PY
    fail "upstream did not get the contact details as typed"
read -r t_email t_phone key_id _ _ <<<"$(row "$RECEIPT")"
[[ "$t_email" == null && "$t_phone" == null && "$key_id" == - ]] ||
    fail "after delivery: email $t_email, phone $t_phone, key $key_id"
present "$RECEIPT"
absent "a contact detail after delivery" "$FIRST" "$LAST" "$EMAIL" "$PHONE"
absent "a sealed contact detail after delivery" "x:$sealed_email" "x:$sealed_phone"

# 4. A second resident types contact details, walks away; the idle timeout wipes the session.
run "$(contact_journey "$FIRST2" "$LAST2" "$EMAIL2" "$PHONE2")
expect-text $PHONE2
advance-clock 60
expect-screen idle-warning
advance-clock 20
expect-screen welcome
expect-no-text $EMAIL2
wait-sync 3"
read -r _ _ _ n <<<"$(receipt)"
[[ "$n" == 1 ]] || fail "the abandoned session stored a request ($n requests)"
absent "an abandoned session's detail" "$FIRST2" "$LAST2" "$EMAIL2" "$PHONE2"

# 5. The last connection closes (the WAL is checkpointed away): the main file alone, once more.
stop_holder
"$BUILD/kioskctl" --data-dir "$DATA" status >/dev/null
absent "a contact detail at the end" "$FIRST" "$LAST" "$EMAIL" "$PHONE" "$FIRST2" "$LAST2" \
    "$EMAIL2" "$PHONE2" "x:$sealed_email" "x:$sealed_phone" "x:$KEYHEX"

# Logs never hold them either.
for v in "$FIRST" "$LAST" "$EMAIL" "$PHONE" "$FIRST2" "$LAST2" "$EMAIL2" "$PHONE2"; do
    ! grep -qF -- "$v" "$LOG" || fail "the kiosk's log holds a contact detail: $v"
done
echo "privacy: contact details sealed at rest, gone after delivery and after an idle reset"
