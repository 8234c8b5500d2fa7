#!/usr/bin/env python3
"""Self-test of the fleet server (tools/fleet-server/server.py).

Run from the repository root:  python3 tests/integration/test_fleet_server.py
Standard library only. Starts its own servers on 127.0.0.1 with --port 0 in a temporary fleet
folder, synchronises on the "listening" log line and the port file, and stops them with SIGTERM.
"""

import base64
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVER = os.path.join(ROOT, "tools", "fleet-server", "server.py")
STALE_KIOSK = "S1"  # written into heartbeats/ before the server starts, received 2 h ago


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def bundle_bytes(version, note="", pad=0):
    doc = {"bundle": {"version": version, "expires": "2099-03-01T00:00:00Z",
                      "targets": {"all": True}, "note": note},
           "city": {"name": "City of Riverton", "phone": "311"}, "padding": "x" * pad}
    return (json.dumps(doc, indent=1) + "\n").encode()


def minisig_bytes(version):
    """A signature file of minisign's shape (the server does not verify it; kiosks do)."""
    sig = base64.b64encode(b"ED" + bytes(8) + bytes([version % 256]) * 64).decode()
    glob = base64.b64encode(bytes([version % 256]) * 64).decode()
    return ("untrusted comment: signature from minisign secret key\n%s\n"
            "trusted comment: civic-kiosk-bundle version=%d expires=2099-03-01T00:00:00Z\n%s\n"
            % (sig, version, glob)).encode()


def heartbeat(kid, **sections):
    """A healthy heartbeat (docs/fleet.md); keyword arguments replace whole sections."""
    now = time.time()
    hb = {
        "kiosk_id": kid, "group": "city-hall", "location": "City Hall, 1st floor",
        "software_version": "0.6.0", "sent_at": iso(now), "uptime_seconds": 86400,
        "config": {"version": 12, "applied_at": iso(now - 3600),
                   "last_result": {"ok": True, "version": 12, "at": iso(now - 3600)}},
        "queue": {"depth": 0, "oldest_age_seconds": 0, "parked": 0},
        "printer": {"state": "ready", "paper": "ok"},
        "upstream": {"last_success": iso(now - 60), "last_error": None},
        "disk_free_bytes": 1234567890,
        "cx": {"sessions_started": 40, "sessions_completed": 31,
               "abandoned": {"welcome": 2, "services": 3, "form": 3, "review": 1},
               "median_seconds_to_submit": 96,
               "ratings": {"1": 0, "2": 1, "3": 2, "4": 9, "5": 12}},
    }
    hb.update(sections)
    return hb


class ServerProc:
    """One server process; its stderr is collected by a thread so tests can wait on log lines."""

    def __init__(self, tmp, name, folder, extra=()):
        self.folder = folder
        self.port_file = os.path.join(tmp, name + ".port")
        if os.path.exists(self.port_file):
            os.unlink(self.port_file)
        cmd = [sys.executable, SERVER, "--folder", folder, "--host", "127.0.0.1", "--port", "0",
               "--port-file", self.port_file] + list(extra)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        self.lines = []
        self.cond = threading.Condition()
        self.eof = False
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        with self.cond:
            ok = self.cond.wait_for(lambda: self.eof or any("listening on" in l for l in self.lines), 10)
        if not ok or self.eof:
            self.proc.kill()
            self.proc.wait()
            self.reader.join(5)
            self.proc.stderr.close()
            raise RuntimeError("server did not start:\n" + "".join(self.lines))
        with open(self.port_file, encoding="ascii") as fh:
            text = fh.read()
        if not re.fullmatch(r"\d+\n", text):
            raise RuntimeError("bad port file %r" % text)
        self.port = int(text)

    def _read(self):
        for raw in self.proc.stderr:
            with self.cond:
                self.lines.append(raw.decode("utf-8", "replace"))
                self.cond.notify_all()
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(10)
        self.reader.join(5)
        self.proc.stderr.close()
        return rc

    # -- HTTP helpers ---------------------------------------------------------------------------

    def call(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, r, r.read()
        finally:
            c.close()

    def get(self, path, headers=None):
        return self.call("GET", path, headers=headers)

    def post_hb(self, hb, ctype="application/json"):
        body = hb if isinstance(hb, bytes) else json.dumps(hb).encode()
        headers = {"Content-Type": ctype} if ctype else {}
        return self.call("POST", "/heartbeat", body=body, headers=headers)

    def kiosks(self):
        st, r, data = self.get("/api/kiosks")
        assert st == 200, (st, data)
        assert r.getheader("Content-Type").startswith("application/json")
        return json.loads(data)

    def kiosk(self, kid):
        found = [k for k in self.kiosks() if k["kiosk_id"] == kid]
        return found[0] if found else None

    def page(self):
        st, r, data = self.get("/")
        assert st == 200, (st, data)
        return r, data.decode("utf-8")

    def raw(self, data, read_timeout=5):
        """Sends raw bytes on a fresh connection; returns everything read until close/timeout."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=read_timeout)
        try:
            s.sendall(data)
            out = b""
            while True:
                try:
                    got = s.recv(65536)
                except socket.timeout:
                    break
                if not got:
                    break
                out += got
            return out
        finally:
            s.close()


def write(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


class FleetServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="fleet-test-")
        cls.folder = os.path.join(cls.tmp, "fleet")
        os.makedirs(os.path.join(cls.folder, "heartbeats"))
        old = heartbeat(STALE_KIOSK, location="Library annex")
        old["received_at"] = iso(time.time() - 7200)
        old["sent_at"] = old["received_at"]
        with open(os.path.join(cls.folder, "heartbeats", STALE_KIOSK + ".json"), "w") as fh:
            json.dump(old, fh)
        cls.s = ServerProc(cls.tmp, "main", cls.folder)

    @classmethod
    def tearDownClass(cls):
        rc = cls.s.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        if rc != 0:
            raise AssertionError("server exited with %s" % rc)

    def setUp(self):
        self.bundle = bundle_bytes(12, "Winter hours")
        write(os.path.join(self.folder, "bundle.json"), self.bundle)
        write(os.path.join(self.folder, "bundle.json.minisig"), minisig_bytes(12))

    def tearDown(self):
        self.assertTrue(self.s.alive(), "the server died:\n" + "".join(self.s.lines[-20:]))

    # -- bundle ---------------------------------------------------------------------------------

    def test_bundle_etag_and_304(self):
        st, r, data = self.s.get("/bundle.json")
        self.assertEqual(st, 200)
        self.assertEqual(data, self.bundle)
        etag = r.getheader("ETag")
        self.assertEqual(etag, '"%s"' % hashlib.sha256(self.bundle).hexdigest())  # strong, sha256
        self.assertTrue(r.getheader("Content-Type").startswith("application/json"))
        for inm in (etag, 'W/' + etag, '"other", ' + etag, "*"):
            st, r, data = self.s.get("/bundle.json", headers={"If-None-Match": inm})
            self.assertEqual((st, data), (304, b""), inm)
            self.assertEqual(r.getheader("ETag"), etag)
        st, r, data = self.s.get("/bundle.json", headers={"If-None-Match": '"nope"'})
        self.assertEqual((st, data), (200, self.bundle))
        st, r, data = self.s.call("HEAD", "/bundle.json")
        self.assertEqual((st, data, r.getheader("Content-Length")), (200, b"", str(len(self.bundle))))

    def test_minisig_etag_and_304(self):
        sig = minisig_bytes(12)
        st, r, data = self.s.get("/bundle.json.minisig")
        self.assertEqual((st, data), (200, sig))
        etag = r.getheader("ETag")
        self.assertEqual(etag, '"%s"' % hashlib.sha256(sig).hexdigest())
        self.assertEqual(self.s.get("/bundle.json.minisig", headers={"If-None-Match": etag})[0], 304)

    def test_bundle_missing_is_404(self):
        os.unlink(os.path.join(self.folder, "bundle.json"))
        os.unlink(os.path.join(self.folder, "bundle.json.minisig"))
        self.assertEqual(self.s.get("/bundle.json")[0], 404)
        self.assertEqual(self.s.get("/bundle.json.minisig")[0], 404)
        self.assertIn("No <code>bundle.json</code>", self.s.page()[1])

    def test_bundle_replaced_while_running(self):
        st, r, _ = self.s.get("/bundle.json")
        old_etag = r.getheader("ETag")
        new = bundle_bytes(13, "Spring hours")
        write(os.path.join(self.folder, "bundle.json"), new)
        st, r, data = self.s.get("/bundle.json", headers={"If-None-Match": old_etag})
        self.assertEqual((st, data), (200, new))
        self.assertEqual(r.getheader("ETag"), '"%s"' % hashlib.sha256(new).hexdigest())
        self.assertIn("v13", self.s.page()[1])

    def test_bundle_polled_while_replaced(self):
        versions = [bundle_bytes(v, pad=200000 * (v % 3)) for v in range(20, 26)]
        stop = threading.Event()

        def writer():
            i = 0
            while not stop.is_set():
                write(os.path.join(self.folder, "bundle.json"), versions[i % len(versions)])
                i += 1

        t = threading.Thread(target=writer)
        t.start()
        try:
            for _ in range(40):
                st, r, data = self.s.get("/bundle.json")
                self.assertEqual(st, 200)
                # Always one whole version (or the one before the writer started), never a mix.
                self.assertTrue(data in versions or data == self.bundle, "%d bytes: %r..." % (
                    len(data), data[:60]))
                self.assertEqual(r.getheader("ETag"), '"%s"' % hashlib.sha256(data).hexdigest())
        finally:
            stop.set()
            t.join()

    def test_bundle_being_written_in_place_is_not_served_half(self):
        new = bundle_bytes(14, pad=100000)
        path = os.path.join(self.folder, "bundle.json")
        result = {}
        with open(path, "wb") as fh:  # an admin's editor or cp writing in place, slowly
            fh.write(new[:len(new) // 2])
            fh.flush()
            t = threading.Thread(target=lambda: result.update(got=self.s.get("/bundle.json")))
            t.start()
            time.sleep(0.3)
            fh.write(new[len(new) // 2:])
        t.join(10)
        st, r, data = result["got"]
        self.assertEqual((st, len(data)), (200, len(new)))
        self.assertEqual(data, new)

    # -- heartbeats -----------------------------------------------------------------------------

    def test_heartbeat_accepted_and_persisted(self):
        hb = heartbeat("R7")
        t0 = time.time()
        st, r, data = self.s.post_hb(hb)
        self.assertEqual((st, data), (204, b""))
        with open(os.path.join(self.folder, "heartbeats", "R7.json"), encoding="utf-8") as fh:
            saved = json.load(fh)
        received = saved.pop("received_at")
        self.assertEqual(saved, hb)
        got = time.mktime(time.strptime(received, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
        self.assertLessEqual(abs(got - t0), 2)
        self.assertEqual([n for n in os.listdir(os.path.join(self.folder, "heartbeats"))
                          if "tmp" in n], [])  # no temporary file left behind
        k = self.s.kiosk("R7")
        self.assertEqual((k["received_at"], k["flags"], k["location"]),
                         (received, [], "City Hall, 1st floor"))
        # A newer heartbeat replaces it; a received_at sent by the kiosk is not believed.
        hb2 = heartbeat("R7", queue={"depth": 2, "oldest_age_seconds": 30, "parked": 0},
                        received_at="1999-01-01T00:00:00Z")
        self.assertEqual(self.s.post_hb(hb2)[0], 204)
        k = self.s.kiosk("R7")
        self.assertEqual(k["queue"]["depth"], 2)
        self.assertNotEqual(k["received_at"], "1999-01-01T00:00:00Z")

    def test_bad_heartbeats_rejected_and_server_lives(self):
        cases = [
            (b"{not json", "not valid JSON"),
            (b"", "empty"),
            (b"[1, 2]", "JSON object"),
            (b'"R7"', "JSON object"),
            (b'{"group": "city-hall"}', "kiosk_id is missing"),
            (b'{"kiosk_id": "r7"}', "kiosk_id must be 2 characters"),
            (b'{"kiosk_id": "R"}', "kiosk_id must be 2 characters"),
            (b'{"kiosk_id": "R77"}', "kiosk_id must be 2 characters"),
            (b'{"kiosk_id": ".."}', "kiosk_id must be 2 characters"),
            (b'{"kiosk_id": "\\u00c91"}', "kiosk_id must be 2 characters"),
            (b'{"kiosk_id": "R7\\n"}', "kiosk_id must be 2 characters"),
            (b'{"kiosk_id": 17}', "kiosk_id must be 2 characters"),
            (b'{"kiosk_id": null}', "kiosk_id must be 2 characters"),
            (b'{"kiosk_id": "B2", "uptime_seconds": NaN}', "NaN is not allowed"),
            (b'{"kiosk_id": "B2", "x": "\xff\xfe"}', "not UTF-8"),
            (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
        ]
        for body, words in cases:
            st, r, data = self.s.post_hb(body)
            self.assertEqual(st, 400, body[:60])
            self.assertIn(words, json.loads(data)["error"], body[:60])
        st, r, data = self.s.post_hb(b'{"kiosk_id": "B3"}', ctype="application/x-www-form-urlencoded")
        self.assertEqual(st, 415)
        self.assertIn("application/json", json.loads(data)["error"])
        self.assertEqual(os.listdir(os.path.join(self.folder, "heartbeats")).count("B2.json"), 0)
        self.assertIsNone(self.s.kiosk("B2"))
        # The server is still up and still takes good heartbeats.
        self.assertEqual(self.s.post_hb(heartbeat("B4"))[0], 204)
        self.assertEqual(self.s.page()[0].status, 200)

    def test_oversize_heartbeat_is_413(self):
        big = heartbeat("B5", location="x" * (300 * 1024))
        st, r, data = self.s.post_hb(big)
        self.assertEqual(st, 413)
        self.assertIn("256 KiB", json.loads(data)["error"])
        # With Expect: 100-continue the refusal comes before the body is sent.
        reply = self.s.raw(b"POST /heartbeat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           b"Content-Length: 400000\r\nExpect: 100-continue\r\n\r\n")
        self.assertTrue(reply.startswith(b"HTTP/1.1 413 "), reply[:80])
        # Chunked, too large in total.
        chunk = b"%x\r\n%s\r\n" % (64 * 1024, b" " * (64 * 1024))
        reply = self.s.raw(b"POST /heartbeat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           b"Transfer-Encoding: chunked\r\n\r\n" + chunk * 5 + b"0\r\n\r\n")
        self.assertTrue(reply.startswith(b"HTTP/1.1 413 "), reply[:80])
        self.assertIsNone(self.s.kiosk("B5"))
        # Just under the cap is fine, chunked too.
        ok = json.dumps(heartbeat("B6", location="y" * (250 * 1024))).encode()
        self.assertLess(len(ok), 256 * 1024)
        self.assertEqual(self.s.post_hb(ok)[0], 204)
        body = json.dumps(heartbeat("B7")).encode()
        reply = self.s.raw(b"POST /heartbeat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n%x\r\n%s\r\n0\r\n\r\n"
                           % (len(body), body))
        self.assertTrue(reply.startswith(b"HTTP/1.1 204 "), reply[:80])
        self.assertIsNotNone(self.s.kiosk("B7"))

    def test_bad_requests_get_clear_4xx(self):
        self.assertEqual(self.s.get("/nope")[0], 404)
        self.assertEqual(self.s.get("/heartbeats/R7.json")[0], 404)
        self.assertEqual(self.s.get("/../bundle.json")[0], 404)
        self.assertEqual(self.s.call("POST", "/api/kiosks", body=b"{}")[0], 405)
        st, r, data = self.s.get("/heartbeat")
        self.assertEqual(st, 405)
        self.assertEqual(r.getheader("Allow"), "POST")
        self.assertIn("POST", json.loads(data)["error"])
        self.assertEqual(self.s.call("PUT", "/bundle.json", body=b"x")[0], 405)
        self.assertEqual(self.s.call("BREW", "/")[0], 501)
        self.assertEqual(self.s.raw(b"POST /heartbeat HTTP/1.1\r\nHost: x\r\n"
                                    b"Content-Type: application/json\r\nConnection: close\r\n\r\n")[:13],
                         b"HTTP/1.1 411 ")
        self.assertEqual(self.s.raw(b"POST /heartbeat HTTP/1.1\r\nHost: x\r\nContent-Length: -4\r\n\r\n")[:13],
                         b"HTTP/1.1 400 ")
        self.assertRegex(self.s.raw(b"GET / HTTP/x.y\r\n\r\n"), rb"^HTTP/1\.[01] 400 ")
        # A client that goes away in the middle of a body.
        s = socket.create_connection(("127.0.0.1", self.s.port))
        s.sendall(b"POST /heartbeat HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"kiosk")
        s.close()
        self.assertEqual(self.s.get("/api/kiosks")[0], 200)

    def test_concurrent_heartbeats(self):
        errors = []

        def send(kid):
            for i in range(10):
                st = self.s.post_hb(heartbeat(kid, uptime_seconds=i))[0]
                if st != 204:
                    errors.append((kid, i, st))

        threads = [threading.Thread(target=send, args=("M%d" % n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        for n in range(8):
            with open(os.path.join(self.folder, "heartbeats", "M%d.json" % n), encoding="utf-8") as fh:
                self.assertEqual(json.load(fh)["uptime_seconds"], 9)
            self.assertEqual(self.s.kiosk("M%d" % n)["uptime_seconds"], 9)

    # -- flags ----------------------------------------------------------------------------------

    def test_flags(self):
        now = time.time()
        cases = {
            "F1": (heartbeat("F1"), []),
            "F2": (heartbeat("F2", printer={"state": "ready", "paper": "out"}), ["paper_out"]),
            "F3": (heartbeat("F3", printer={"state": "paper_out", "paper": "ok"}), ["paper_out"]),
            "F4": (heartbeat("F4", queue={"depth": 51, "oldest_age_seconds": 60, "parked": 0}),
                   ["long_queue"]),
            "F5": (heartbeat("F5", queue={"depth": 2, "oldest_age_seconds": 3601, "parked": 0}),
                   ["long_queue"]),
            "F6": (heartbeat("F6", queue={"depth": 50, "oldest_age_seconds": 3600, "parked": 0}), []),
            "F7": (heartbeat("F7", config={"version": 12, "last_result": {
                "ok": False, "version": 13, "at": iso(now),
                "reason": "signature: made by an unknown key (id 1A2B)"}}), ["config_failed"]),
            "F8": (heartbeat("F8", queue={"depth": 1, "oldest_age_seconds": 0, "parked": 2}), ["parked"]),
            "FA": (heartbeat("FA", storage_low=True), ["storage_low"]),
            "FB": (heartbeat("FB", storage_low="yes"), []),
            "F9": (heartbeat("F9", queue={"depth": 3, "oldest_age_seconds": 600, "parked": 0},
                             upstream={"last_success": iso(now - 3700), "last_error": "HTTP 503"}),
                   ["offline_upstream"]),
            "G1": (heartbeat("G1", queue={"depth": 0, "oldest_age_seconds": 0, "parked": 0},
                             upstream={"last_success": iso(now - 86400)}), []),
            "G2": (heartbeat("G2", printer={"state": "paper_out", "paper": "out"},
                             queue={"depth": 80, "oldest_age_seconds": 7200, "parked": 1},
                             upstream={"last_success": None},
                             config={"last_result": {"ok": False, "reason": "expired"}}),
                   ["config_failed", "paper_out", "offline_upstream", "long_queue", "parked"]),
            # Wrong types from a confused kiosk raise nothing and break nothing.
            "G3": (heartbeat("G3", queue="lots", printer=["x"], config={"last_result": {"ok": "false"}},
                             upstream={"last_success": 12}, cx=7, disk_free_bytes="a lot"), []),
            # Numbers no float survives (valid JSON) are taken as missing.
            "G4": (heartbeat("G4", disk_free_bytes=10 ** 309, uptime_seconds=-10 ** 309,
                             queue={"depth": 10 ** 309, "oldest_age_seconds": 1e308, "parked": 0},
                             cx={"sessions_started": 10 ** 309, "sessions_completed": 10 ** 308,
                                 "median_seconds_to_submit": 1e308,
                                 "ratings": {"5": 10 ** 309, "4": 1e308}}), []),
        }
        for kid, (hb, _) in cases.items():
            self.assertEqual(self.s.post_hb(hb)[0], 204, kid)
        kiosks = self.s.kiosks()
        by_id = {k["kiosk_id"]: k for k in kiosks}
        for kid, (_, want) in cases.items():
            self.assertEqual(by_id[kid]["flags"], want, kid)
        stale = by_id[STALE_KIOSK]
        self.assertEqual(stale["flags"], ["stale"])
        self.assertGreaterEqual(stale["heartbeat_age_seconds"], 7190)
        # Flagged kiosks come first.
        flagged = [bool(k["flags"]) for k in kiosks]
        self.assertEqual(flagged, sorted(flagged, reverse=True))
        # The dashboard says it in words, and shows every kiosk.
        page = self.s.page()[1]
        for label in ("STALE", "PAPER OUT", "LONG QUEUE", "PARKED", "CONFIG FAILED", "OFFLINE UPSTREAM"):
            self.assertIn(">%s</span>" % label, page)
        self.assertIn("signature: made by an unknown key (id 1A2B)", page)
        for kid in list(cases) + [STALE_KIOSK]:
            self.assertIn('<span class="kid">%s</span>' % kid, page)
        self.assertLess(page.index('<span class="kid">G2</span>'), page.index('<span class="kid">F1</span>'))

    # -- dashboard ------------------------------------------------------------------------------

    def test_dashboard_escapes_hostile_strings(self):
        hostile = heartbeat("X1", location="<script>alert(1)</script>",
                            group='"><img src=x onerror=alert(1)>',
                            software_version="</td></tr></table><h1>pwned</h1>",
                            printer={"state": "<i>jam</i>", "paper": "out"},
                            config={"version": "<b>12</b>", "last_result": {
                                "ok": False, "version": 13, "reason": "<iframe src=//evil>"}},
                            upstream={"last_success": "<u>never</u>", "last_error": "<style>*{}</style>"})
        self.assertEqual(self.s.post_hb(hostile)[0], 204)
        self.assertEqual(self.s.post_hb(heartbeat("X2", location="L" * 200000))[0], 204)
        r, page = self.s.page()
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page)
        self.assertIn("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;", page)
        self.assertIn("&lt;iframe src=//evil&gt;", page)
        for bad in ("<script", "<img", "<h1>pwned", "<iframe", "<i>jam", "<b>12", "<u>never", "<style>*"):
            self.assertNotIn(bad, page)
        self.assertNotIn("L" * 1000, page)  # long strings are cut
        self.assertLess(len(page), 100000)
        csp = r.getheader("Content-Security-Policy")
        self.assertIn("default-src 'none'", csp)
        self.assertNotIn("script-src", csp)

    def test_dashboard_page(self):
        self.assertEqual(self.s.post_hb(heartbeat("D1"))[0], 204)
        self.assertEqual(self.s.post_hb(heartbeat("D2", config={"version": 11}))[0], 204)
        r, page = self.s.page()
        self.assertTrue(r.getheader("Content-Type").startswith("text/html"))
        self.assertIn('<meta http-equiv="refresh" content="10">', page)
        self.assertIn('<html lang="en">', page)
        # No script and nothing loaded from elsewhere.
        self.assertNotIn("<script", page.lower())
        self.assertIsNone(re.search(r'<[^>]*\s(src|href)\s*=', page))
        style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
        self.assertIsNone(re.search(r"url\(|@import", style))
        # The bundle the folder serves, and how many kiosks run it.
        self.assertIn('<div class="big">v12', page)
        self.assertIn("Expires 2099-03-01 00:00 UTC", page)
        self.assertIn("Winter hours", page)
        running = re.search(r"Running it</h2><div class=\"big\">(\d+) <small>of (\d+) kiosk", page)
        n_v12 = sum(1 for k in self.s.kiosks() if k.get("config", {}).get("version") == 12)
        self.assertEqual((int(running.group(1)), int(running.group(2))), (n_v12, len(self.s.kiosks())))
        # The row of a healthy kiosk: every figure the admin asked for.
        row = re.search(r'<tr><td><span class="badge ok">OK</span></td><td class="kiosk"><span class="kid">D1</span>.*?</tr>',
                        page).group(0)
        for text in ("city-hall", "City Hall, 1st floor", "0.6.0", "v12", "Last update OK", "empty",
                     "ready", "paper ok", "last OK 1 min ago", "1.2 GB free", "up 1 d", "just now",
                     "31 of 40 done (78%)", "median 1:36 to submit", "rated 4.3 / 5 (24)"):
            self.assertIn(text, row)

    # -- restart --------------------------------------------------------------------------------

    def test_restart_keeps_kiosks(self):
        folder = os.path.join(self.tmp, "restart")
        os.makedirs(folder)
        a = ServerProc(self.tmp, "restart", folder, extra=["--quiet"])
        try:
            self.assertEqual(a.post_hb(heartbeat("A1"))[0], 204)
            self.assertEqual(a.post_hb(heartbeat("A2", printer={"state": "ready", "paper": "out"}))[0], 204)
            before = {k["kiosk_id"]: k for k in a.kiosks()}
        finally:
            self.assertEqual(a.stop(), 0)
        self.assertFalse(os.path.exists(a.port_file))
        # Junk in heartbeats/ is skipped with a warning, not fatal.
        with open(os.path.join(folder, "heartbeats", "ZZ.json"), "w") as fh:
            fh.write("{broken")
        with open(os.path.join(folder, "heartbeats", "A9.json"), "w") as fh:
            json.dump(heartbeat("A8"), fh)
        b = ServerProc(self.tmp, "restart", folder, extra=["--quiet", "--stale-after", "1"])
        try:
            self.assertIn("2 kiosks loaded", "".join(b.lines))
            self.assertIn("skipped heartbeats/ZZ.json", "".join(b.lines))
            after = {k["kiosk_id"]: k for k in b.kiosks()}
            self.assertEqual(sorted(after), ["A1", "A2"])
            for kid in after:
                self.assertEqual(after[kid]["received_at"], before[kid]["received_at"])
                self.assertEqual(after[kid]["location"], before[kid]["location"])
            self.assertIn("paper_out", after["A2"]["flags"])
            self.assertIn('<span class="kid">A1</span>', b.page()[1])
            # --stale-after: a kiosk silent for longer than that is STALE.
            self.assertEqual(b.post_hb(heartbeat("A1"))[0], 204)
            self.assertEqual(b.kiosk("A1")["flags"], [])
            time.sleep(2.1)
            self.assertEqual(b.kiosk("A1")["flags"], ["stale"])
        finally:
            self.assertEqual(b.stop(), 0)


if __name__ == "__main__":
    unittest.main(verbosity=1)
