#!/usr/bin/env bash
# The catalog comes from upstream (services, then each definition), is cached in SQLite and
# used at once; when upstream fails or is gone, the kiosk keeps the last good one.
# usage: test_catalog.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$(cd "$1" && pwd) SRC=$(cd "$2" && pwd)
WORK=$(mktemp -d /tmp/ck-it-catalog-XXXXXX)
source "$SRC/tests/integration/lib.sh"
trap 'stop_server; rm -rf "$WORK"' EXIT
export CK_LOG_LEVEL=info

# The city's 311 system renamed a service and added an attribute since the kiosk was set up.
python3 - "$SRC/assets/demo/city.json" "$WORK/upstream-city.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1], encoding="utf-8"))
for s in c["services"]:
    if s["service_code"] == "pothole":
        s["service_name"] = "Pothole or Sinkhole"
d = c["definitions"]["pothole"] if isinstance(c["definitions"], dict) else \
    next(x for x in c["definitions"] if x["service_code"] == "pothole")
d["attributes"].append({"variable": True, "code": "near_school", "datatype": "singlevaluelist",
    "required": False, "datatype_description": "", "order": 99,
    "description": "Is it near a school?",
    "values": [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}]})
json.dump(c, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
start_server --catalog "$WORK/upstream-city.json"
make_city
mkdir -p "$WORK/shots"

kiosk "wait-sync
tap report
expect-text Pothole or Sinkhole" 2>"$WORK/kiosk.log" || { cat "$WORK/kiosk.log" >&2; fail "new catalog not shown"; }
grep -q "catalog refreshed: 20 services" "$WORK/kiosk.log" || fail "no refresh logged"

# Upstream now fails on services: the cached catalog is used from the start, and kept.
stop_server
start_server --catalog "$WORK/upstream-city.json" \
    --fault '{"kind":"status","status":500,"count":-1,"path":"/open311/v2/services"}'
make_city
kiosk "wait-sync
tap report
expect-text Pothole or Sinkhole
tap service:pothole
expect-screen form" 2>"$WORK/kiosk.log" || { cat "$WORK/kiosk.log" >&2; fail "cached catalog not used"; }
grep -q "catalog not refreshed, keeping the last good one: services: HTTP 500" "$WORK/kiosk.log" ||
    { cat "$WORK/kiosk.log" >&2; fail "no clear line for the failed refresh"; }
grep -q "catalog from upstream (20 services" "$WORK/kiosk.log" || fail "cache not loaded at start"

# Upstream is gone: the same.
stop_server
kiosk "wait-sync
tap report
expect-text Pothole or Sinkhole" 2>"$WORK/kiosk.log" || { cat "$WORK/kiosk.log" >&2; fail "offline: cached catalog not used"; }
echo "ok: upstream catalog fetched, cached, shown; kept when upstream fails or is gone"
