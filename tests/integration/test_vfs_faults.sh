#!/usr/bin/env bash
# Failed writes and syncs: resident after resident files one request on the real kiosk, each in
# a run of its own on the same data dir, while a fault-injecting SQLite VFS (CK_TEST_FAULT_VFS,
# firmware/store/faultvfs.c) fails writes (I/O error or disk full) and syncs at random, at
# start-up, in the migrations, in the resident's commit, in the delivery worker's bookkeeping
# and in the checkpoint at exit. What each resident saw is read from the screen itself: the QR
# code on the done screen is decoded (zbarimg) for the receipt shown, no QR is the "could not
# save" screen, and the kiosk's log must say the same (and name a fault before the refusal); a
# run that a fault stopped at start-up must have said why and shown nothing. Then, without
# faults: PRAGMA integrity_check is ok, no row is orphaned, every receipt a resident was shown
# is in the database. A backlog is added, and one run delivers it all while the faults go on:
# nothing may be left behind for a restart. A last run without faults finds nothing to do, and
# every request the kiosk holds arrived upstream exactly once (the server does not deduplicate:
# exactly-once is the kiosk's doing), and nothing else arrived.
# A request the kiosk said it could not save may still be held after a restart (its commit
# frame reached the WAL, the sync after it failed, the run's exit checkpoint failed too, and the
# next start recovered the frame; docs/reliability.md): counted as "found later", and it too
# must be delivered exactly once.
# Seeded: CK_VFS_SEED=N repeats the fault schedule (printed); faults land on the same calls,
# though the delivery worker's thread may interleave its calls differently.
# usage: test_vfs_faults.sh BUILD_DIR SOURCE_DIR [RESIDENTS] [BACKLOG]
set -euo pipefail
BUILD=$(cd "$1" && pwd) SRC=$(cd "$2" && pwd) RESIDENTS=${3:-60} BACKLOG=${4:-100}
WORK=$(mktemp -d /tmp/ck-it-vfs-XXXXXX)
source "$SRC/tests/integration/lib.sh"
trap 'stop_server; [[ -n "${CK_KEEP_WORK:-}" ]] || rm -rf "$WORK"' EXIT
export CK_LOG_LEVEL=info
command -v zbarimg >/dev/null || fail "zbarimg (zbar-tools) is needed to read the done screen's QR"

SEED=${CK_VFS_SEED:-$(( (RANDOM << 15 | RANDOM) % 1000000 ))}
RANDOM=$SEED
# Faults per write and per sync: about half the residents' commits fail with these.
WRITE_P=0.05 SYNC_P=0.15
echo "vfs faults test: seed $SEED (CK_VFS_SEED=$SEED repeats it), $RESIDENTS residents," \
    "write=$WRITE_P sync=$SYNC_P"

# noise-complaint is made realtime: a blackbox request cannot be looked for upstream, so after a
# failed write it may reach a server that does not deduplicate twice (docs/architecture.md: the
# protocol's limit, not what this test is about).
start_server --no-idempotency --seed "$SEED" --service-type noise-complaint=realtime
make_city
mkdir -p "$WORK/logs" "$WORK/shots"

# Two journeys (lib.sh), each up to Submit and what the screen shows after it.
street_sign() {
    street_sign_to_review
    printf '%s\n' "tap submit" "wait-idle" "screenshot after"
}
missed_trash() {
    missed_trash_to_review
    printf '%s\n' "tap submit" "wait-idle" "screenshot after"
}
street_sign >"$WORK/street-sign.ck"
missed_trash >"$WORK/missed-trash.ck"

KIOSK=("$BUILD/civic-kiosk" --headless --size 1280x800 --config "$CITY" --data-dir "$WORK/data")

# One run a resident; runs.txt: run, exit status, the QR's text ("-" when none was read).
t0=$SECONDS
for ((i = 0; i < RESIDENTS; i++)); do
    run=$(printf 'run-%03d' "$i")
    journey=street-sign
    ((RANDOM % 2)) && journey=missed-trash
    mkdir -p "$WORK/shots/$run"
    rc=0
    CK_TEST_SEED=$((SEED * 1000 + i)) \
        CK_TEST_FAULT_VFS="seed=$((SEED * 1000 + i)),write=$WRITE_P,sync=$SYNC_P,skip=0" \
        "${KIOSK[@]}" --script "$WORK/$journey.ck" --screenshot-dir "$WORK/shots/$run" \
        2>"$WORK/logs/$run.log" || rc=$?
    qr=-
    if [[ -f "$WORK/shots/$run/after.png" ]]; then
        qr=$(zbarimg --nodbus -q --raw "$WORK/shots/$run/after.png" 2>/dev/null || true)
        qr=${qr:--}
    fi
    echo "$run $rc $qr" >>"$WORK/runs.txt"
done
runs_s=$((SECONDS - t0))

# Without faults from here on. The file as the faults left it, before any kiosk opens it again.
DB="$WORK/data/kiosk.db"
check_db() {
    python3 - "$DB" "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
out = open(sys.argv[2], "w")
ok = db.execute("PRAGMA integrity_check").fetchall()
if ok != [("ok",)]:
    sys.exit("FAIL: PRAGMA integrity_check: %s" % ok[:5])
fk = db.execute("PRAGMA foreign_key_check").fetchall()
if fk:
    sys.exit("FAIL: PRAGMA foreign_key_check: %s" % fk[:5])
orphans = db.execute("""
SELECT 'outbox row without its request: ' || o.request_id FROM outbox o
  WHERE NOT EXISTS (SELECT 1 FROM requests r WHERE r.id = o.request_id)
UNION ALL
SELECT 'request without an outbox row: ' || r.receipt FROM requests r
  WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.request_id = r.id)
UNION ALL
SELECT 'missed-trash request of a resident without its answers: ' || r.receipt FROM requests r
  WHERE r.service_code = 'missed-trash' AND r.description = 'Skipped our side of the street.'
    AND (SELECT count(*) FROM request_attributes a WHERE a.request_id = r.id) <> 5""").fetchall()
if orphans:
    sys.exit("FAIL: orphaned rows: %s" % [o[0] for o in orphans[:5]])
for receipt, state in db.execute(
        "SELECT r.receipt, o.state FROM requests r JOIN outbox o ON o.request_id = r.id"):
    print(receipt, state, file=out)
PY
}
check_db "$WORK/held-before.txt"

# A run that only delivers, still under faults, with a backlog to get through (every service of
# the city, filed without faults): the worker must deliver every request, never leaving one
# behind for a restart (a send a run's exit cut off is looked for upstream timeout_seconds, 5 s
# here, after the restart: the horizon covers it).
CK_TEST_SEED=$((SEED * 1000 + 998)) \
    "$BUILD/seed_requests" "$CITY" "$WORK/data" "$BACKLOG" >/dev/null
printf 'wait-sync 10\n' >"$WORK/drain.ck"
if ! CK_TEST_SEED=$((SEED * 1000 + 999)) \
    CK_TEST_FAULT_VFS="seed=$((SEED * 1000 + 999)),write=$WRITE_P,sync=$SYNC_P,skip=0" \
    "${KIOSK[@]}" --script "$WORK/drain.ck" --screenshot-dir "$WORK/shots" \
    2>"$WORK/logs/drain-faults.log"; then
    tail -20 "$WORK/logs/drain-faults.log" >&2
    fail "the kiosk did not finish delivering under faults"
fi
check_db "$WORK/held-faults.txt"
# And one without faults, which finds nothing left to deliver.
if ! "${KIOSK[@]}" --script "$WORK/drain.ck" --screenshot-dir "$WORK/shots" \
    2>"$WORK/logs/drain.log"; then
    tail -20 "$WORK/logs/drain.log" >&2
    fail "the kiosk did not drain its queue without faults"
fi
check_db "$WORK/held.txt"
admin GET /admin/counts >"$WORK/counts.json"

python3 - "$WORK" "$SEED" "$runs_s" <<'PY'
import collections, glob, json, re, sys
work, seed, runs_s = sys.argv[1], sys.argv[2], int(sys.argv[3])
problems = []
shown = {}            # receipt -> run
error_runs = []       # the "could not save" screen
no_start = []         # stopped at start-up by a fault, with its reason
vfs = collections.Counter()

def held_in(name):
    return dict(line.split() for line in open(work + "/" + name))

for line in open(work + "/runs.txt"):
    run, rc, qr = line.split(" ", 2)
    rc, qr = int(rc), qr.strip()
    log = open("%s/logs/%s.log" % (work, run), encoding="utf-8", errors="replace").read()
    for m in re.finditer(r"fault-vfs: (\d+) of (\d+) writes and (\d+) of (\d+) syncs failed"
                         r" \((\d+) of the writes as disk full\)", log):
        for k, v in zip(("wfail", "writes", "sfail", "syncs", "full"), m.groups()):
            vfs[k] += int(v)
    if "fault-vfs: on over" not in log:
        problems.append("%s: the fault VFS was not on" % run)
    saved = re.findall(r"request (\S+) saved for service ", log)
    not_saved = "request not saved: " in log
    crashed = rc >= 128 or "Sanitizer" in log or "runtime error:" in log
    if crashed:
        problems.append("%s: crashed (status %d): %s" % (run, rc, log.strip()[-300:]))
        continue
    m = re.search(r"/status/([0-9A-Z]+)$", qr)
    if qr != "-" and not m:
        problems.append("%s: a QR that is not a status URL: %r" % (run, qr))
    elif m:
        receipt = m.group(1)
        if rc != 0:
            problems.append("%s: showed %s but exited with %d" % (run, receipt, rc))
        if saved != [receipt] or not_saved:
            problems.append("%s: showed receipt %s, but the log says saved %s%s"
                            % (run, receipt, saved, " and not saved" if not_saved else ""))
        if receipt in shown:
            problems.append("%s: receipt %s was shown before, in %s" % (run, receipt,
                                                                         shown[receipt]))
        shown[receipt] = run
    elif rc == 0:
        # No QR on the screen after Submit: the error, and the log must agree.
        if saved or not not_saved:
            problems.append("%s: no receipt on screen, but the log says saved %s, not saved %s"
                            % (run, saved, not_saved))
        # Refused for a fault of its own, never because the delivery worker held the database.
        fault_at = log.find("fault-vfs: a ")
        if not_saved and not 0 <= fault_at < log.find("request not saved: "):
            problems.append("%s: \"could not save\" with no fault injected before it" % run)
        if "request not saved: database is locked" in log:
            problems.append("%s: \"could not save\" because the database was locked" % run)
        error_runs.append(run)
    else:
        reason = re.search(r"^civic-kiosk: database: (.+)$", log, re.M)
        if saved or not reason or "commands ok" in log:
            problems.append("%s: exited with %d without a clear reason: %s"
                            % (run, rc, log.strip()[-300:]))
        else:
            no_start.append((run, reason.group(1)))

# The database as the residents' runs left it, after the run that delivered under faults (with
# the backlog added), and at the end.
before, faults_held, held = (held_in(n) for n in ("held-before.txt", "held-faults.txt",
                                                   "held.txt"))
lost = sorted(r for r in shown if r not in before)
if lost:
    problems.append("shown to a resident, then not in the database: %s"
                    % ["%s (%s)" % (r, shown[r]) for r in lost[:5]])
found_later = sorted(set(before) - set(shown))
# Each run filed one request at most: one held but never shown is a "could not save" run's.
if len(found_later) > len(error_runs):
    problems.append("%d requests held that no resident was shown, but only %d runs showed the "
                    "error" % (len(found_later), len(error_runs)))
backlog = set(faults_held) - set(before)
if set(held) != set(faults_held) or not set(before) <= set(held):
    problems.append("delivering changed which requests the kiosk holds: %s"
                    % sorted(set(held) ^ set(faults_held))[:5])
left = sorted("%s (%s)" % (r, s) for r, s in faults_held.items() if s != "delivered")
if left:
    problems.append("%d left undelivered by the run that delivered under faults (the worker "
                    "gave up on them until a restart): %s" % (len(left), left[:5]))
drain_log = open(work + "/logs/drain-faults.log", encoding="utf-8", errors="replace").read()
m = re.search(r"fault-vfs: (\d+) of \d+ writes and (\d+) of \d+ syncs failed", drain_log)
drain_faults = int(m.group(1)) + int(m.group(2)) if m else 0
swept = 0
for path in glob.glob(work + "/logs/*.log"):
    for m in re.finditer(r"(\d+) request\(s\) left as being sent by a failed write",
                         open(path, encoding="utf-8", errors="replace").read()):
        swept += int(m.group(1))
counts = json.load(open(work + "/counts.json"))
created = {k: v["created"] for k, v in counts["receipts"].items()}
undelivered = sorted("%s (%s)" % (r, s) for r, s in held.items() if s != "delivered")
if undelivered:
    problems.append("not delivered after the drain: %s" % undelivered[:5])
once = sum(1 for r in held if created.get(r) == 1)
never = sorted(r for r in held if not created.get(r))
twice = sorted("%s x%d" % (r, created[r]) for r in held if created.get(r, 0) > 1)
strangers = sorted(r for r, n in created.items() if n and r not in held)
if never:
    problems.append("never created upstream: %s" % never[:5])
if twice:
    problems.append("created more than once upstream: %s" % twice[:5])
if strangers:
    problems.append("created upstream, but not held by the kiosk: %s" % strangers[:5])
# Not a vacuous run: faults were injected, and residents saw both outcomes.
if not vfs["wfail"] + vfs["sfail"]:
    problems.append("no fault was injected")
if not shown:
    problems.append("no resident was shown a receipt")
if not error_runs:
    problems.append("no resident was shown the \"could not save\" screen")
if not drain_faults:
    problems.append("no fault hit the run that delivered the backlog")
for p in problems:
    print("FAIL: " + p, file=sys.stderr)
print("vfs faults test: %d residents, %d receipts shown, %d \"could not save\" shown (%d found "
      "later), %d stopped at start-up; faults injected: %d of %d writes (%d as disk full), %d of "
      "%d syncs, and %d more while delivering a backlog of %d; delivered exactly once %d of %d "
      "(%d sends swept back into the queue after a failed write); seed %s, %d s of runs"
      % (len(shown) + len(error_runs) + len(no_start), len(shown), len(error_runs),
         len(found_later), len(no_start), vfs["wfail"], vfs["writes"], vfs["full"],
         vfs["sfail"], vfs["syncs"], drain_faults, len(backlog), once, len(held), swept, seed,
         runs_s))
for run, why in no_start[:3]:
    print("  %s stopped at start-up: %s" % (run, why))
sys.exit(1 if problems else 0)
PY
