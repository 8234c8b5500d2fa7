#!/usr/bin/env bash
# tools/kiosk-admin, the admin's side of signed config bundles, with the real minisign tool:
#   - keys makes a key pair (and refuses to overwrite it);
#   - build makes a bundle from a source folder (a service renamed, the idle time changed);
#     validate passes it over the demo city and names the line of an out-of-bounds setting;
#   - sign writes a signature minisign verifies, with exactly the trusted comment kiosks want;
#   - diff shows what would change; --version auto counts up; a rollback build is refused;
#   - publish refuses unsigned and wrongly signed bundles, and what it publishes comes back
#     through the fleet server (kiosk-admin serve) and is applied by the real kiosk.
# usage: test_kiosk_admin.sh BUILD_DIR SOURCE_DIR   (KEEP=1 keeps its temp folder, to look at)
set -euo pipefail
BUILD=$(cd "$1" && pwd) SRC=$(cd "$2" && pwd)
WORK=$(mktemp -d /tmp/ck-it-kiosk-admin-XXXXXX)
source "$SRC/tests/integration/lib.sh"
FLEET_PID=""
stop_fleet() {
    if [[ -n "$FLEET_PID" ]]; then
        kill "$FLEET_PID" 2>/dev/null || true
        wait "$FLEET_PID" 2>/dev/null || true
        FLEET_PID=""
    fi
}
trap 'stop_fleet; [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"' EXIT
command -v minisign >/dev/null || { echo "minisign is missing: run tools/dev deps" >&2; exit 1; }
ADMIN="$SRC/tools/kiosk-admin/kiosk-admin"
export KIOSKCTL="$BUILD/kioskctl"
DEMO="$SRC/assets/demo/city.json"

# admin_ok ARGS...: runs kiosk-admin, which must succeed; its output (both streams) in $OUT.
admin_ok() {
    OUT=$("$ADMIN" "$@" 2>&1) || { printf '%s\n' "$OUT" >&2; fail "kiosk-admin $1 failed"; }
}
# admin_refused ARGS...: kiosk-admin must fail (exit 1); its output in $OUT.
admin_refused() {
    local rc=0
    OUT=$("$ADMIN" "$@" 2>&1) || rc=$?
    [[ $rc == 1 ]] || { printf '%s\n' "$OUT" >&2; fail "kiosk-admin $1 should be refused (exit $rc)"; }
}
has() { grep -qF -- "$1" <<<"$OUT" || { printf '%s\n' "$OUT" >&2; fail "no \"$1\" in the output"; }; }
version_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bundle"]["version"])' "$1"; }

# 1. Keys.
admin_ok keys admin --dir "$WORK/keys" --no-password
[[ -s "$WORK/keys/admin.pub" && -s "$WORK/keys/admin.key" ]] || fail "no key pair written"
PUB=$(tail -1 "$WORK/keys/admin.pub")
has "$PUB"
has "fleet.public_keys"
admin_refused keys admin --dir "$WORK/keys" --no-password
has "already exist"
[[ "$(tail -1 "$WORK/keys/admin.pub")" == "$PUB" ]] || fail "keys overwrote the public key"
admin_ok keys stranger --dir "$WORK/keys" --no-password
echo "ok: keys made with minisign, not overwritten"

# 2. A source folder: the pothole service renamed, a longer idle time, the city's own logo.
# source_dir DIR IDLE: writes DIR/settings.json (the demo catalog), DIR/logo.svg, DIR/i18n/es.po.
source_dir() {
    mkdir -p "$1/i18n"
    cp "$SRC/assets/demo/i18n/es.po" "$1/i18n/es.po"
    sed 's/<\/svg>/<!-- winter --><\/svg>/' "$SRC/assets/demo/logo.svg" >"$1/logo.svg"
    python3 - "$DEMO" "$1/settings.json" "$2" <<'PY'
import json, sys
c = json.load(open(sys.argv[1], encoding="utf-8"))
for s in c["services"]:
    if s["service_code"] == "pothole":
        s["service_name"] = "Road Hole"
settings = {"city": c["city"], "session": {"idle_seconds": int(sys.argv[3]), "warning_seconds": 20},
            "services": c["services"], "definitions": c["definitions"]}
json.dump(settings, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False, indent=1)
PY
}
source_dir "$WORK/src" 90
mkdir -p "$WORK/out"
B="$WORK/out/bundle.json"
admin_ok build "$WORK/src" -o "$B" --version 1 --note "Road Hole; idle 90 s"
EXP=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bundle"]["expires"])' "$B")
has "expires $EXP (90 days from now"
python3 - "$B" <<'PY'
import base64, datetime as dt, json, sys
b = json.load(open(sys.argv[1], encoding="utf-8"))
meta = b["bundle"]
assert meta["version"] == 1 and meta["targets"] == {"all": True}, meta
left = dt.datetime.strptime(meta["expires"], "%Y-%m-%dT%H:%M:%SZ") - dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
assert 89 <= left.days <= 90, left
assert b["session"] == {"idle_seconds": 90, "warning_seconds": 20}, b["session"]
assert sorted(b["files"]) == ["i18n/es.po", "logo.svg"], sorted(b["files"])
assert b"winter" in base64.b64decode(b["files"]["logo.svg"]["base64"])
assert "kiosk" not in b
PY
echo "ok: built version 1, expiring $EXP"

# 3. Validate: over the demo city it passes; idle_seconds 5 fails, naming its line.
admin_ok validate "$B" --base "$DEMO"
has "is valid over"
has "trusted comment to sign with: civic-kiosk-bundle version=1 expires=$EXP"
source_dir "$WORK/bad" 5
mkdir -p "$WORK/badout"
admin_ok build "$WORK/bad" -o "$WORK/badout/bundle.json" --version 1
admin_refused validate "$WORK/badout/bundle.json" --base "$DEMO"
LINE=$(grep -n '"idle_seconds": 5' "$WORK/badout/bundle.json" | cut -d: -f1)
has "$WORK/badout/bundle.json:$LINE: session.idle_seconds: 5 is outside 15..900"
admin_refused sign "$WORK/badout/bundle.json" --key "$WORK/keys/admin.key" --base "$DEMO"
[[ ! -e "$WORK/badout/bundle.json.minisig" ]] || fail "an invalid bundle was signed"
echo "ok: validate passes a good bundle and names line $LINE of a bad one; sign refuses it"

# 4. Sign: minisign verifies it, and the trusted comment is exactly the kiosks' form.
admin_ok sign "$B" --key "$WORK/keys/admin.key" --base "$DEMO"
has "verified with $WORK/keys/admin.pub"
V=$(minisign -V -m "$B" -x "$B.minisig" -p "$WORK/keys/admin.pub") || fail "minisign -V refused the signature"
grep -qx "Trusted comment: civic-kiosk-bundle version=1 expires=$EXP" <<<"$V" || fail "trusted comment: $V"
[[ "$(sed -n 3p "$B.minisig")" == "trusted comment: civic-kiosk-bundle version=1 expires=$EXP" ]] ||
    fail "trusted comment line: $(sed -n 3p "$B.minisig")"
echo "ok: signed; minisign verifies; trusted comment exact"

# 5. Diff against the demo city.
admin_ok diff "$B" --running "$DEMO"
has "session.idle_seconds: 60 -> 90"
has 'service renamed: pothole: "Pothole" -> "Road Hole"'
has "version: none (the kiosk's own config) -> 1"
has "file changed: logo.svg"
has "unchanged files: i18n/es.po"
grep -q "warning_seconds" <<<"$OUT" && fail "an unchanged setting is listed: $OUT"
echo "ok: diff shows the idle time, the rename, the logo"

# 6. Publish: refused unsigned or with a key that did not sign; then served and fetched back.
mkdir -p "$WORK/unsigned" "$WORK/fleet"
cp "$B" "$WORK/unsigned/bundle.json"
admin_refused publish "$WORK/unsigned/bundle.json" "$WORK/fleet" --pub "$WORK/keys/admin.pub"
has "is not signed"
admin_refused publish "$B" "$WORK/fleet" --pub "$WORK/keys/stranger.pub"
has "does not verify"
[[ ! -e "$WORK/fleet/bundle.json" && ! -e "$WORK/fleet/bundle.json.minisig" ]] || fail "a refused bundle was published"
admin_ok publish "$B" "$WORK/fleet" --pub "$WORK/keys/admin.pub"
has "published version 1"
cmp "$B" "$WORK/fleet/bundle.json" && cmp "$B.minisig" "$WORK/fleet/bundle.json.minisig"
[[ -z "$(find "$WORK/fleet" -name '.*tmp*')" ]] || fail "temp files left in the fleet folder"

"$ADMIN" serve "$WORK/fleet" --port 0 --port-file "$WORK/fport" >>"$WORK/fleet.log" 2>&1 &
FLEET_PID=$!
wait_ready "$FLEET_PID" "$WORK/fleet.log" "$WORK/fport" || fail "kiosk-admin serve did not start"
FLEET="http://127.0.0.1:$(cat "$WORK/fport")"
curl -fsS "$FLEET/bundle.json" -o "$WORK/fetched.json"
curl -fsS "$FLEET/bundle.json.minisig" -o "$WORK/fetched.json.minisig"
cmp "$B" "$WORK/fetched.json" || fail "the served bundle differs"
minisign -V -m "$WORK/fetched.json" -x "$WORK/fetched.json.minisig" -p "$WORK/keys/admin.pub" -q ||
    fail "the served bundle does not verify"
echo "ok: published, served by kiosk-admin serve, fetched back, verified"

# The real kiosk (the demo city, offline upstream) takes it.
BASE=http://127.0.0.1:9 make_city "
c['fleet'] = {'config_url': '$FLEET/bundle.json', 'heartbeat_url': '$FLEET/heartbeat',
              'public_keys': ['$PUB'], 'poll_minutes': 600, 'heartbeat_minutes': 60}
c['upstream']['base_url'] = ''
"
mkdir -p "$WORK/shots"
kiosk "fleet-poll
wait-idle
tap report
expect-text Road Hole" 2>"$WORK/kiosk.log" || { cat "$WORK/kiosk.log" >&2; fail "the kiosk did not apply the bundle"; }
ST=$("$BUILD/kioskctl" --data-dir "$WORK/data" status)
grep -q "applied version 1" <<<"$ST" || fail "kioskctl status: $ST"
echo "ok: the kiosk applied version 1"

# 7. --version auto gives 2 after 1 (the old signature goes: it no longer matches); diff
# against the kiosk's data folder; a rollback build is refused.
source_dir "$WORK/src" 120
admin_ok build "$WORK/src" -o "$B" --version auto
has "version 2 (auto: one more than 1"
[[ "$(version_of "$B")" == 2 ]] || fail "auto version: $(version_of "$B")"
[[ ! -e "$B.minisig" ]] || fail "the stale signature of version 1 was kept"
admin_ok diff "$B" --kiosk-data "$WORK/data"
has "version: 1 -> 2"
has "session.idle_seconds: 90 -> 120"
grep -q "service renamed" <<<"$OUT" && fail "the rename is already on the kiosk: $OUT"
admin_refused build "$WORK/src" -o "$B" --version 1
has "rollback"
admin_refused build "$WORK/src" -o "$B" --version 2
has "is not newer"
[[ "$(version_of "$B")" == 2 ]] || fail "a refused build changed the bundle"
echo "ok: auto version 2; diff against the kiosk's data; rollback builds refused"

# A version the fleet folder already passed is not published.
admin_ok sign "$B" --key "$WORK/keys/admin.key" --base "$DEMO"
admin_ok publish "$B" "$WORK/fleet" --pub "$WORK/keys/admin.pub"
mkdir -p "$WORK/old"
cp "$WORK/fetched.json" "$WORK/old/bundle.json"
cp "$WORK/fetched.json.minisig" "$WORK/old/bundle.json.minisig"
admin_refused publish "$WORK/old/bundle.json" "$WORK/fleet" --pub "$WORK/keys/admin.pub"
has "rollback"
[[ "$(version_of "$WORK/fleet/bundle.json")" == 2 ]] || fail "the fleet folder went back"
stop_fleet
echo "ok: kiosk-admin keys, build, validate, sign, diff, publish, serve"
