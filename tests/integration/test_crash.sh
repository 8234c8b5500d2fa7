#!/usr/bin/env bash
# Crashes and power cuts: the real kiosk files request after request (street sign, missed trash
# with answers) while its delivery worker posts them to a slow reference server, and is killed
# with SIGKILL at a random moment, KILLS times, restarted each time on the same data dir. The
# kiosk's own log is the record of what residents saw: "request R.. saved" is logged after the
# commit and before the done screen. At the end the kiosk drains its queue once more, then:
# every receipt ever saved, and every one the kiosk holds whose done screen never showed
# (killed between the commit and the screen), arrived upstream exactly once (the server's own
# count; it does not deduplicate, so exactly-once is the kiosk's doing), nothing arrived that
# the kiosk does not hold, PRAGMA integrity_check is ok and no row is orphaned.
# Seeded: the kill schedule comes from bash's RANDOM, seeded with CK_CRASH_SEED (printed).
# usage: test_crash.sh BUILD_DIR SOURCE_DIR [KILLS]
set -euo pipefail
BUILD=$(cd "$1" && pwd) SRC=$(cd "$2" && pwd) KILLS=${3:-200}
WORK=$(mktemp -d /tmp/ck-it-crash-XXXXXX)
source "$SRC/tests/integration/lib.sh"
KIOSK_PID=""
trap '[[ -n "$KIOSK_PID" ]] && kill -KILL "$KIOSK_PID" 2>/dev/null; stop_server; rm -rf "$WORK"' \
    EXIT
export CK_LOG_LEVEL=info

SEED=${CK_CRASH_SEED:-$(( (RANDOM << 15 | RANDOM) % 1000000 ))}
RANDOM=$SEED
echo "crash test: seed $SEED (CK_CRASH_SEED=$SEED repeats the kill schedule), $KILLS kills"

# Latency on posts and lookups (not on the catalog each start fetches first), so requests are in
# flight when the kill comes; the server counts a POST before its delay, creates it after.
delay() {
    printf '{"kind":"delay","ms":%d,"probability":%s,"count":-1,"path":"%s"}' \
        "$1" "$2" /open311/v2/requests
}
start_server --no-idempotency --seed "$SEED" --fault "$(delay 80 0.5)" --fault "$(delay 400 0.15)"
make_city
mkdir -p "$WORK/logs" "$WORK/shots"

# A resident after another, more than a run can get through before its kill.
{
    for ((i = 0; i < 40; i++)); do
        if ((i % 2 == 0)); then
            street_sign_to_review
        else
            missed_trash_to_review
        fi
        printf '%s\n' "tap submit" "expect-screen done" "tap finish" "expect-screen welcome"
    done
    echo "wait-sync 3"
} >"$WORK/residents.ck"

KIOSK=("$BUILD/civic-kiosk" --headless --size 1280x800 --config "$CITY" --data-dir "$WORK/data"
       --screenshot-dir "$WORK/shots")

t0=$SECONDS
kills=0
for ((k = 0; k < KILLS; k++)); do
    ms=$((50 + RANDOM % 551))
    log=$(printf '%s/logs/run-%03d.log' "$WORK" "$k")
    # Started directly (not in a function or subshell): $! is the kiosk itself.
    "${KIOSK[@]}" --script "$WORK/residents.ck" 2>"$log" &
    KIOSK_PID=$!
    sleep "$(printf '0.%03d' "$ms")" # the fault itself: a kill at a random moment
    kill -KILL "$KIOSK_PID" 2>/dev/null || true
    rc=0
    { wait "$KIOSK_PID"; } 2>/dev/null || rc=$? # no "Killed" job notice
    KIOSK_PID=""
    if ((rc != 137)); then
        tail -20 "$log" >&2
        fail "run $k (killed after ${ms} ms) exited on its own with status $rc, not by SIGKILL"
    fi
    kills=$((kills + 1))
done
crash_s=$((SECONDS - t0))

# Once more, undisturbed, until the queue has drained (a send cut off by a kill is looked for
# upstream timeout_seconds, 5 s here, after the restart: the horizon covers it).
printf 'wait-sync 10\n' >"$WORK/drain.ck"
if ! "${KIOSK[@]}" --script "$WORK/drain.ck" 2>"$WORK/logs/drain.log"; then
    tail -20 "$WORK/logs/drain.log" >&2
    fail "the kiosk did not drain its queue after the crashes"
fi

admin GET /admin/counts >"$WORK/counts.json"
admin GET /admin/requests >"$WORK/upstream.json"
DB="$WORK/data/kiosk.db"
integrity=$(sqlite3 "$DB" 'PRAGMA integrity_check')
[[ "$integrity" == ok ]] || fail "PRAGMA integrity_check: $integrity"
fk=$(sqlite3 "$DB" 'PRAGMA foreign_key_check')
[[ -z "$fk" ]] || fail "PRAGMA foreign_key_check: $fk"
orphans=$(sqlite3 "$DB" "
SELECT 'outbox row without its request: ' || o.request_id FROM outbox o
  WHERE NOT EXISTS (SELECT 1 FROM requests r WHERE r.id = o.request_id)
UNION ALL
SELECT 'request without an outbox row: ' || r.receipt FROM requests r
  WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.request_id = r.id)
UNION ALL
SELECT 'answer without a request: ' || a.request_id || '/' || a.ord FROM request_attributes a
  WHERE NOT EXISTS (SELECT 1 FROM requests r WHERE r.id = a.request_id)
UNION ALL
SELECT 'missed-trash request without its answers: ' || r.receipt FROM requests r
  WHERE r.service_code = 'missed-trash'
    AND (SELECT count(*) FROM request_attributes a WHERE a.request_id = r.id) <> 5;")
[[ -z "$orphans" ]] || fail "orphaned rows: $(head -5 <<<"$orphans")"
sqlite3 -separator ' ' "$DB" \
    "SELECT r.receipt, o.state, o.attempts FROM requests r JOIN outbox o ON o.request_id = r.id" \
    >"$WORK/held.txt"

python3 - "$WORK" "$SEED" "$kills" "$crash_s" <<'PY'
import collections, glob, json, re, sys
work, seed, kills, crash_s = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
saved = collections.Counter()
interrupted = adopted = reposted = 0
for path in sorted(glob.glob(work + "/logs/*.log")):
    for line in open(path, encoding="utf-8", errors="replace"):
        m = re.search(r"request (\S+) saved for service ", line)
        if m and "/run-" in path:
            saved[m.group(1)] += 1
        m = re.search(r"(\d+) request\(s\) were being sent when the kiosk stopped", line)
        interrupted += int(m.group(1)) if m else 0
        adopted += "was already upstream: adopting it" in line
        reposted += "is not upstream yet: posting it" in line
held = {}
for line in open(work + "/held.txt"):
    receipt, state, attempts = line.split()
    held[receipt] = (state, int(attempts))
counts = json.load(open(work + "/counts.json"))
upstream = collections.Counter(r["receipt_key"] for r in json.load(open(work + "/upstream.json")))
created = {k: v["created"] for k, v in counts["receipts"].items()}

problems = []
twice_saved = [r for r, n in saved.items() if n > 1]
if twice_saved:
    problems.append("receipts logged as saved more than once: %s" % twice_saved[:5])
lost_local = sorted(set(saved) - set(held))
if lost_local:
    problems.append("saved, then gone from the kiosk: %s" % lost_local[:5])
not_delivered = sorted(r for r, (st, _) in held.items() if st != "delivered")
if not_delivered:
    problems.append("not delivered after the drain: %s" %
                    ["%s (%s)" % (r, held[r][0]) for r in not_delivered[:5]])
lost = sorted(r for r in held if created.get(r, 0) == 0)
dups = sorted(r for r in held if created.get(r, 0) > 1)
phantom = sorted(set(created) - set(held))
if lost:
    problems.append("never created upstream: %s" % lost[:5])
if dups:
    problems.append("created more than once upstream: %s" %
                    ["%s x%d" % (r, created[r]) for r in dups[:5]])
if phantom:
    problems.append("upstream has requests the kiosk does not hold: %s" % phantom[:5])
# The server's stored requests agree with its counters.
if upstream != collections.Counter({k: v for k, v in created.items() if v}):
    problems.append("the server's stored requests disagree with its counts")
if counts["total_created"] != len(held):
    problems.append("%d created upstream for %d held" % (counts["total_created"], len(held)))
# Not a vacuous run: residents got through, and kills did cut sends off.
if len(saved) < kills // 4:
    problems.append("only %d requests saved in %d runs: the residents' script is not getting "
                    "through" % (len(saved), kills))
if kills >= 50 and interrupted == 0:
    problems.append("no kill ever cut a send off: delivery was never in flight")
unshown = sorted(set(held) - set(saved))
retried = sum(1 for v in counts["receipts"].values() if v["posts"] > 1)
delivered = sum(1 for r in held if held[r][0] == "delivered" and created.get(r) == 1)
for p in problems:
    print("FAIL: " + p, file=sys.stderr)
print("crash test: kills %d, requests saved %d (+%d held whose done screen never showed), "
      "delivered %d, duplicates %d, lost %d, seed %s" % (kills, len(saved), len(unshown), delivered,
      len(dups), len(lost) + len(lost_local), seed))
print("  %d sends cut by a kill, looked for upstream on restart: %d found and adopted, %d posted "
      "again; %d receipts needed more than one POST, %d POSTs in all; crash phase %d s"
      % (interrupted, adopted, reposted, retried, counts["total_posts"], crash_s))
sys.exit(1 if problems else 0)
PY
