#!/usr/bin/env bash
# Hostile replies and broken TLS are refused with a clear log line, and lose nothing: the
# request stays queued and arrives, exactly once, when the server behaves.
# usage: test_hostile.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$(cd "$1" && pwd) SRC=$(cd "$2" && pwd)
WORK=$(mktemp -d /tmp/ck-it-hostile-XXXXXX)
source "$SRC/tests/integration/lib.sh"
trap 'stop_server; rm -rf "$WORK"' EXIT
export CK_LOG_LEVEL=debug # every line the kiosk can write: none may hold the api_key

# --- 1. Over HTTP: six bad replies to POST in a row, then a good one.
post='"path":"/open311/v2/requests","method":"POST","count":1'
start_server --no-idempotency \
    --fault "{\"kind\":\"oversized\",\"bytes\":6000000,$post}" \
    --fault "{\"kind\":\"truncated\",$post}" \
    --fault "{\"kind\":\"wrong_types\",$post}" \
    --fault "{\"kind\":\"redirect\",\"location\":\"http://127.0.0.2:9/elsewhere\",$post}" \
    --fault "{\"kind\":\"malformed\",$post}" \
    --fault "{\"kind\":\"drop_after_body\",\"commit\":true,$post}"
make_city 'c["upstream"]["retry_cap_seconds"] = 1'
"$BUILD/seed_requests" "$CITY" "$WORK/data" 1
kiosk "wait-sync 2" 2>"$WORK/kiosk.log" || { cat "$WORK/kiosk.log" >&2; fail "kiosk"; }
for line in "reply larger than 4194304 bytes refused" "Transferred a partial file" \
    "reply not understood" "redirect to http://127.0.0.2:9/elsewhere not followed" \
    "Empty reply from server" "was already upstream: adopting it"; do
    grep -qF "$line" "$WORK/kiosk.log" || { cat "$WORK/kiosk.log" >&2; fail "no log line: $line"; }
done
counts=$(admin GET /admin/counts)
python3 -c 'import json,sys; c=json.loads(sys.argv[1]); assert c["total_created"]==1, c' "$counts" ||
    fail "created upstream more or less than once: $counts"
"$BUILD/kioskctl" --data-dir "$WORK/data" status | grep -q "delivered        1" || fail "not delivered"
echo "ok: oversized, truncated, wrongly typed, redirected, malformed and dropped replies refused; delivered once"
stop_server
no_api_key "$WORK/kiosk.log"
rm -rf "$WORK/data" "$WORK/server.db" "$WORK/kiosk.log"

# --- 1b. A server slower than the kiosk's patience: the POST times out (5 s) and the server
# creates it 3 s later. Looking for it at once would find nothing and post it again; the kiosk
# waits a reply timeout before it looks, finds it, and adopts it.
start_server --no-idempotency \
    --fault '{"kind":"delay","ms":8000,"count":1,"path":"/open311/v2/requests","method":"POST"}'
make_city
"$BUILD/seed_requests" "$CITY" "$WORK/data" 1
kiosk "wait-sync 6" 2>"$WORK/kiosk.log" || { cat "$WORK/kiosk.log" >&2; fail "kiosk"; }
grep -q "Operation timed out" "$WORK/kiosk.log" || { cat "$WORK/kiosk.log" >&2; fail "the POST did not time out"; }
server_settled # the delayed POST has been handled: created, or not
counts=$(admin GET /admin/counts)
python3 -c 'import json,sys; c=json.loads(sys.argv[1]); assert c["total_created"]==1, c' "$counts" ||
    fail "a POST that outlived the timeout was created more or less than once: $counts"
echo "ok: a POST that outlived the kiosk's timeout was found upstream, not posted twice"
stop_server
no_api_key "$WORK/kiosk.log"
rm -rf "$WORK/data" "$WORK/server.db" "$WORK/kiosk.log"

# --- 2. Over HTTPS with a self-signed certificate.
TLS=1 start_server
pin=$(openssl x509 -in "$WORK/cert.pem" -pubkey -noout | openssl pkey -pubin -outform der |
    openssl dgst -sha256 -binary | base64)
"$BUILD/seed_requests" "$SRC/assets/demo/city.json" "$WORK/data" 1

make_city # the system's CAs do not know this certificate: refused, kept
wait_for_error "certificate"
make_city 'c["upstream"]["ca_bundle"] = "'"$WORK/cert.pem"'"; c["upstream"]["pinned_public_key"] = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="'
wait_for_error "pinned public key"
"$BUILD/kioskctl" --data-dir "$WORK/data" status | grep -q "queued           1" || fail "the request was lost"
make_city 'c["upstream"]["ca_bundle"] = "'"$WORK/cert.pem"'"; c["upstream"]["pinned_public_key"] = "sha256//'"$pin"'"'
kiosk "wait-sync 3" 2>>"$WORK/kiosk.log"
"$BUILD/kioskctl" --data-dir "$WORK/data" status | grep -q "delivered        1" || fail "not delivered over TLS"
no_api_key "$WORK/kiosk.log"
echo "ok: an unknown certificate and a wrong pin refused and the request kept; the city's CA and pin deliver it"
