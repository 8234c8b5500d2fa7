#!/usr/bin/env bash
# Signed config bundles from the fleet, end to end, with the real minisign tool and the fleet
# server over loopback:
#   - a good bundle (a service renamed, the idle time changed) is fetched during a resident's
#     session and applies only when the session ends;
#   - tampered, rolled back, expired, wrong-key, legacy-signature, mismatched-comment,
#     oversized, malformed and out-of-bounds bundles are each refused with a clear reason
#     (kioskctl status, the heartbeat) while the running config stays;
#   - the heartbeat carries what docs/fleet.md says and no personal data; the Prometheus
#     textfile is written; a restart runs the last good bundle.
# usage: test_fleet.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$(cd "$1" && pwd) SRC=$(cd "$2" && pwd)
WORK=$(mktemp -d /tmp/ck-it-fleet-XXXXXX)
source "$SRC/tests/integration/lib.sh"
FLEET_PID=""
stop_fleet() {
    if [[ -n "$FLEET_PID" ]]; then
        kill "$FLEET_PID" 2>/dev/null || true
        wait "$FLEET_PID" 2>/dev/null || true
    fi
}
trap 'stop_fleet; rm -rf "$WORK"' EXIT
export CK_LOG_LEVEL=info
command -v minisign >/dev/null || { echo "minisign is missing: run tools/dev deps" >&2; exit 1; }

# Keys: two the kiosk trusts (rotation), one it does not.
for k in admin spare stranger; do
    minisign -G -W -p "$WORK/$k.pub" -s "$WORK/$k.key" >/dev/null
done
pub() { tail -1 "$WORK/$1.pub"; }

# The fleet server serves $WORK/fleet.
mkdir -p "$WORK/fleet"
python3 "$SRC/tools/fleet-server/server.py" --folder "$WORK/fleet" --port 0 \
    --port-file "$WORK/fport" --quiet 2>>"$WORK/fleet.log" &
FLEET_PID=$!
wait_ready "$FLEET_PID" "$WORK/fleet.log" "$WORK/fport" || { echo "the fleet server did not start" >&2; exit 1; }
FLEET="http://127.0.0.1:$(cat "$WORK/fport")"

# The kiosk: the demo city, offline upstream (the catalog is the config's), a fleet.
BASE=http://127.0.0.1:9 make_city "
c['fleet'] = {'config_url': '$FLEET/bundle.json', 'heartbeat_url': '$FLEET/heartbeat',
              'public_keys': ['$(pub admin)', '$(pub spare)'], 'poll_minutes': 600,
              'heartbeat_minutes': 60, 'max_bundle_bytes': 200000,
              'metrics_file': '$WORK/metrics/civic_kiosk.prom'}
c['kiosk']['group'] = 'city-hall'
c['upstream']['base_url'] = ''
"
mkdir -p "$WORK/shots" "$WORK/metrics"

# bundle VERSION EXPIRES PYTHON-PATCH: writes $WORK/b.json; the patch edits dict b.
bundle() {
    python3 - "$SRC/assets/demo/city.json" "$WORK/b.json" "$1" "$2" "$3" <<'PY'
import json, sys
src, dst, version, expires, patch = sys.argv[1:6]
c = json.load(open(src, encoding="utf-8"))
b = {"bundle": {"version": int(version), "expires": expires, "targets": {"all": True},
                "note": "test"},
     "session": {"idle_seconds": 90, "warning_seconds": 20},
     "services": c["services"], "definitions": c["definitions"]}
for s in b["services"]:
    if s["service_code"] == "pothole":
        s["service_name"] = "Road Hole"
exec(patch)
json.dump(b, open(dst, "w", encoding="utf-8"), ensure_ascii=False, indent=1)
PY
}
# sign KEY [COMMENT-VERSION] [EXTRA-FLAGS]: signs $WORK/b.json with the bundle's own comment.
sign() {
    local v e
    v=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bundle"]["version"])' "$WORK/b.json")
    e=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bundle"]["expires"])' "$WORK/b.json")
    minisign -S -m "$WORK/b.json" -s "$WORK/$1.key" -x "$WORK/b.json.minisig" \
        -t "civic-kiosk-bundle version=${2:-$v} expires=$e" ${3:-} >/dev/null
}
publish() {
    cp "$WORK/b.json.minisig" "$WORK/fleet/bundle.json.minisig.tmp"
    cp "$WORK/b.json" "$WORK/fleet/bundle.json.tmp"
    mv "$WORK/fleet/bundle.json.minisig.tmp" "$WORK/fleet/bundle.json.minisig"
    mv "$WORK/fleet/bundle.json.tmp" "$WORK/fleet/bundle.json"
}
status() { "$BUILD/kioskctl" --data-dir "$WORK/data" status --json; }
last_result() { status | python3 -c 'import json,sys; c=json.load(sys.stdin)["config"]; print(c["last_result"] if c else "")'; }

# 1. A good bundle arrives during a session and applies when the session ends.
bundle 2 2030-01-01T00:00:00Z ""
sign admin
publish
kiosk "tap report
fleet-poll
expect-text Pothole
expect-no-text Road Hole
tap service:pothole
tap cancel
expect-screen welcome
wait-idle
tap report
expect-text Road Hole
screenshot services-after
tap back
advance-clock 80
expect-screen welcome
tap report
advance-clock 60
expect-screen services" 2>"$WORK/k1.log" || { cat "$WORK/k1.log" >&2; exit 1; }
grep -q "bundle version 2 is now the running config" "$WORK/k1.log"
[[ "$(cat "$WORK/data/config/current")" == v2 ]]
[[ "$(last_result)" == "applied version 2: applied" ]] || { echo "last result: $(last_result)" >&2; exit 1; }
echo "ok: version 2 applied between sessions; idle time now 90 s"

# The heartbeat went at once: config version 2, no personal data, CX figures.
python3 - "$FLEET" <<'PY'
import json, sys, urllib.request
kiosks = json.load(urllib.request.urlopen(sys.argv[1] + "/api/kiosks"))
ks = kiosks["kiosks"] if isinstance(kiosks, dict) else kiosks
k = next(x for x in ks if x["kiosk_id"] == "R7")
hb = k.get("heartbeat", k)
assert hb["config"]["version"] == 2, hb["config"]
assert hb["config"]["last_result"]["ok"] is True
assert hb["group"] == "city-hall" and hb["software_version"]
for key in ("queue", "printer", "upstream", "disk_free_bytes", "uptime_seconds", "cx"):
    assert key in hb, key
assert hb["cx"]["sessions_started"] >= 1, hb["cx"]
assert hb["cx"]["abandoned"].get("form", 0) >= 1, hb["cx"]
print("ok: heartbeat", json.dumps(hb)[:160], "...")
PY
grep -q '^civic_kiosk_config_version{kiosk="R7"} 2$' "$WORK/metrics/civic_kiosk.prom"
echo "ok: Prometheus textfile written"

# 2. Bad bundles: each refused with its reason; version 2 keeps running.
refused() { # refused WHAT EXPECTED-REASON
    kiosk "fleet-poll
tap report
expect-text Road Hole" 2>"$WORK/k.log" || { cat "$WORK/k.log" >&2; exit 1; }
    local r
    r=$(last_result)
    [[ "$r" == *"$2"* ]] || { echo "$1: expected '$2', the kiosk says: $r" >&2; cat "$WORK/k.log" >&2; exit 1; }
    [[ "$(cat "$WORK/data/config/current")" == v2 ]]
    echo "ok: $1 refused: $r"
}
bundle 3 2030-01-01T00:00:00Z ""
sign admin
sed -i 's/Road Hole/Road Hold/' "$WORK/b.json"
publish
refused tampered "does not match"

bundle 2 2030-01-01T00:00:00Z "b['session']['idle_seconds'] = 120"
sign admin
publish
refused "rolled back" "rollback: version 2 is not newer than the running version 2"

bundle 3 2020-01-01T00:00:00Z ""
sign admin
publish
refused expired "expired"

bundle 3 2030-01-01T00:00:00Z ""
sign stranger
publish
refused "wrong key" "unknown key"

bundle 3 2030-01-01T00:00:00Z ""
sign admin "" -l
publish
refused "legacy signature" "legacy"

bundle 3 2030-01-01T00:00:00Z ""
sign admin 9
publish
refused "mismatched trusted comment" "trusted comment"

bundle 3 2030-01-01T00:00:00Z "b['files'] = {'gazetteer.csv': {'base64': 'QQ==' * 60000}}"
sign admin
publish
refused oversized "oversize"

bundle 3 2030-01-01T00:00:00Z ""
printf '{"bundle": {"version": 3,' >"$WORK/b.json"
minisign -S -m "$WORK/b.json" -s "$WORK/admin.key" -x "$WORK/b.json.minisig" \
    -t "civic-kiosk-bundle version=3 expires=2030-01-01T00:00:00Z" >/dev/null
publish
refused malformed "bundle.json:1:"

bundle 3 2030-01-01T00:00:00Z "b['session']['idle_seconds'] = 5"
sign admin
publish
refused "out of bounds" "session.idle_seconds: 5 is outside 15..900"

# 3. The second pinned key works (rotation), and a restart runs the last good bundle.
bundle 3 2030-01-01T00:00:00Z "b['city'] = {'name': 'City of Riverton', 'phone': '311-0003', 'logo': 'logo.svg'}"
sign spare
publish
kiosk "fleet-poll
wait-idle" 2>"$WORK/k3.log" || { cat "$WORK/k3.log" >&2; exit 1; }
[[ "$(cat "$WORK/data/config/current")" == v3 ]]
kiosk "tap report
expect-text Road Hole" 2>"$WORK/k4.log" || { cat "$WORK/k4.log" >&2; exit 1; }
grep -q "config bundle version 3" "$WORK/k4.log" || { cat "$WORK/k4.log" >&2; exit 1; }
echo "ok: a bundle signed by the second key applied; after a restart version 3 runs"
