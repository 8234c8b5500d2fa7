#!/usr/bin/env python3
"""Self-test of the reference Open311 server (tools/open311-server/server.py).

Run from the repository root:  python3 tests/integration/test_reference_server.py
Standard library only. Starts its own servers on 127.0.0.1 with --port 0, synchronises on the
"listening" log line and the port file (no sleeps), and stops them with SIGTERM.
"""

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
import urllib.parse
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVER = os.path.join(ROOT, "tools", "open311-server", "server.py")
CATALOG = os.path.join(ROOT, "assets", "demo", "city.json")
API = "/open311/v2"
KEY = "s3cret-KEY-9f2"
XML_DECL = '<?xml version="1.0" encoding="utf-8"?>'


class ServerProc:
    """One server process; its stderr is collected by a thread so tests can wait on log lines."""

    def __init__(self, tmp, name, db=None, extra=()):
        self.port_file = os.path.join(tmp, name + ".port")
        if os.path.exists(self.port_file):
            os.unlink(self.port_file)
        self.db = db or os.path.join(tmp, name + ".sqlite")
        cmd = [sys.executable, SERVER, "--db", self.db, "--catalog", CATALOG, "--host", "127.0.0.1",
               "--port", "0", "--port-file", self.port_file] + list(extra)
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

    def wait_log(self, pred, timeout=5):
        with self.cond:
            return self.cond.wait_for(lambda: any(pred(l) for l in self.lines), timeout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(10)
        self.reader.join(5)
        self.proc.stderr.close()
        return rc

    # -- HTTP helpers ---------------------------------------------------------------------------

    def call(self, method, path, body=None, headers=None, conn=None):
        own = conn is None
        c = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            if isinstance(body, (dict, list)) and path.startswith("/admin"):
                body = json.dumps(body).encode()
                headers = dict(headers or {}, **{"Content-Type": "application/json"})
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return r.status, r, data
        finally:
            if own:
                c.close()

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def getj(self, path):
        st, r, data = self.get(path)
        return st, json.loads(data)

    def admin(self, method, path, body=None):
        st, r, data = self.call(method, "/admin" + path, body=body)
        return st, json.loads(data)

    def post(self, pairs, fmt="json", headers=None, key=KEY, conn=None):
        if key is not None:
            pairs = [("api_key", key)] + list(pairs)
        body = pairs if isinstance(pairs, (bytes, str)) else urllib.parse.urlencode(pairs)
        h = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        h.update(headers or {})
        return self.call("POST", "%s/requests.%s" % (API, fmt), body=body, headers=h, conn=conn)

    def postj(self, pairs, **kw):
        st, r, data = self.post(pairs, **kw)
        return st, json.loads(data)

    def fault(self, **f):
        st, res = self.admin("POST", "/faults", f)
        assert st == 200, res
        return res


def pothole(receipt, **extra):
    pairs = [("service_code", "pothole"), ("lat", "42.3601"), ("long", "-71.0589"),
             ("address_string", "12 Main St"), ("attribute[size]", "small"),
             ("attribute[location-in-road]", "curb"), ("attribute[kiosk_receipt]", receipt),
             ("description", "Deep hole near the bus stop")]
    pairs += list(extra.items())
    return pairs


def sidewalk(receipt, style="brackets"):
    suffix = "[]" if style == "brackets" else ""
    return [("service_code", "sidewalk-damage"), ("address_string", "40 Elm St"),
            ("attribute[damage-type]%s" % suffix, "cracked"),
            ("attribute[damage-type]%s" % suffix, "roots"),
            ("attribute[trip-hazard]", "yes"), ("attribute[kiosk_receipt]", receipt)]


_seq = [0]


def new_receipt():
    _seq[0] += 1
    return "T%dZ-%04d-%d" % (os.getpid() % 97, _seq[0], int(time.time()) % 1000)


class ReferenceServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="o311-test-")
        cls.s = ServerProc(cls.tmp, "main", extra=["--api-key", KEY, "--service-type", "street-sign=blackbox"])

    @classmethod
    def tearDownClass(cls):
        rc = cls.s.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        if rc != 0:
            raise AssertionError("server exited with %s" % rc)

    def setUp(self):
        st, _ = self.s.admin("POST", "/reset", {})
        self.assertEqual(st, 200)

    def counts(self, receipt=None):
        st, c = self.s.admin("GET", "/counts")
        self.assertEqual(st, 200)
        if receipt is None:
            return c
        key = re.sub(r"[\s-]", "", receipt).upper()
        return c["receipts"].get(key, {"posts": 0, "created": 0})

    def create(self, receipt=None, fmt="json"):
        st, body = self.s.postj(pothole(receipt or new_receipt()))
        self.assertEqual(st, 200, body)
        return body[0]["service_request_id"]

    # -- catalog --------------------------------------------------------------------------------

    def test_discovery(self):
        st, r, data = self.s.get(API + "/discovery.json")
        self.assertEqual(st, 200)
        self.assertEqual(r.getheader("Content-Type"), "application/json; charset=utf-8")
        d = json.loads(data)
        for k in ("changeset", "contact", "key_service", "endpoints"):
            self.assertIn(k, d)
        ep = d["endpoints"][0]
        self.assertEqual(ep["specification"], "http://wiki.open311.org/GeoReport_v2")
        self.assertEqual(ep["type"], "test")
        self.assertEqual(ep["formats"], ["text/xml", "application/json"])
        self.assertTrue(ep["url"].endswith("/open311/v2"), ep["url"])
        self.assertRegex(ep["changeset"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$")
        st, r, data = self.s.get(API + "/discovery.xml")
        self.assertEqual(r.getheader("Content-Type"), "text/xml; charset=utf-8")
        self.assertTrue(data.decode().startswith(XML_DECL))
        root = ET.fromstring(data)
        self.assertEqual(root.tag, "discovery")
        self.assertEqual([f.text for f in root.find("endpoints/endpoint/formats")],
                         ["text/xml", "application/json"])
        st, r, data = self.s.get(API + "/discovery.yaml")
        self.assertEqual(st, 404)

    def test_services_and_definitions(self):
        st, services = self.s.getj(API + "/services.json")
        self.assertEqual(st, 200)
        self.assertEqual(len(services), 20)
        by = {s["service_code"]: s for s in services}
        self.assertEqual(by["pothole"]["type"], "realtime")
        self.assertIs(by["pothole"]["metadata"], True)
        self.assertEqual(by["sidewalk-damage"]["type"], "batch")
        self.assertEqual(by["noise-complaint"]["type"], "blackbox")
        self.assertEqual(by["street-sign"]["type"], "blackbox")  # --service-type override
        for k in ("service_name", "description", "keywords", "group"):
            self.assertIn(k, by["pothole"])
        st, r, data = self.s.get(API + "/services.xml")
        root = ET.fromstring(data)
        self.assertEqual(root.tag, "services")
        self.assertEqual(len(root.findall("service")), 20)
        self.assertEqual(root.find("service/metadata").text, "true")

        st, d = self.s.getj(API + "/services/sidewalk-damage.json")
        self.assertEqual(st, 200)
        self.assertEqual(d["service_code"], "sidewalk-damage")
        a = {x["code"]: x for x in d["attributes"]}
        self.assertEqual(a["damage-type"]["datatype"], "multivaluelist")
        self.assertIs(a["damage-type"]["required"], True)
        self.assertEqual([v["key"] for v in a["damage-type"]["values"]], ["cracked", "raised", "missing", "roots"])
        self.assertTrue(all(v["name"] for v in a["damage-type"]["values"]))
        self.assertEqual([x["order"] for x in d["attributes"]], sorted(x["order"] for x in d["attributes"]))
        st, r, data = self.s.get(API + "/services/sidewalk-damage.xml")
        root = ET.fromstring(data)
        self.assertEqual(root.tag, "service_definition")
        self.assertEqual(root.find("attributes/attribute/values/value/key").text, "cracked")
        st, d = self.s.getj(API + "/services/street-sign.json")
        self.assertEqual((st, d["attributes"]), (200, []))

        for fmt in ("json", "xml"):
            st, r, data = self.s.get(API + "/services/no-such.%s" % fmt)
            self.assertEqual(st, 404)
            if fmt == "json":
                self.assertEqual(json.loads(data)[0]["code"], 404)
            else:
                self.assertTrue(data.decode().startswith(XML_DECL))
                self.assertEqual(ET.fromstring(data).find("error/code").text, "404")
        self.assertEqual(self.s.get(API + "/services.html")[0], 404)

    # -- POST requests --------------------------------------------------------------------------

    def test_post_realtime_json_and_xml(self):
        rc = new_receipt()
        st, body = self.s.postj(pothole(rc))
        self.assertEqual(st, 200, body)
        self.assertIsInstance(body, list)
        self.assertRegex(body[0]["service_request_id"], r"^RVT-\d{6}$")
        self.assertIn("service_notice", body[0])
        self.assertIsNone(body[0]["account_id"])
        self.assertNotIn("token", body[0])
        rid = body[0]["service_request_id"]

        st, r, data = self.s.post(pothole(new_receipt()), fmt="xml")
        self.assertEqual(st, 200)
        self.assertEqual(r.getheader("Content-Type"), "text/xml; charset=utf-8")
        self.assertTrue(data.decode().startswith(XML_DECL))
        self.assertIn(b"<account_id/>", data)
        root = ET.fromstring(data)
        self.assertEqual(root.tag, "service_requests")
        xid = root.find("request/service_request_id").text
        self.assertRegex(xid, r"^RVT-\d{6}$")
        self.assertNotEqual(xid, rid)

        st, items = self.s.getj(API + "/requests/%s.json" % rid)
        self.assertEqual(st, 200)
        self.assertEqual(len(items), 1)
        it = items[0]
        self.assertEqual((it["service_request_id"], it["status"], it["service_code"]), (rid, "open", "pothole"))
        self.assertEqual(it["address"], "12 Main St")
        self.assertEqual((it["lat"], it["long"]), (42.3601, -71.0589))
        self.assertRegex(it["requested_datetime"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$")
        st, r, data = self.s.get(API + "/requests/%s.xml" % rid)
        self.assertEqual(ET.fromstring(data).find("request/service_request_id").text, rid)
        st, r, data = self.s.get(API + "/requests/RVT-999998.json")
        self.assertEqual(st, 404)
        self.assertEqual(json.loads(data)[0]["code"], 404)

        # Raw (unencoded) brackets and UTF-8 text work too.
        body = ("api_key=%s&service_code=pothole&address_string=Caf%%C3%%A9+Ren%%C3%%A9&attribute[size]=large"
                "&attribute[location-in-road]=bike-lane&attribute[kiosk_receipt]=%s" % (KEY, new_receipt()))
        st, res = self.s.postj(body, key=None)
        self.assertEqual(st, 200, res)
        st, items = self.s.getj(API + "/requests/%s.json" % res[0]["service_request_id"])
        self.assertEqual(items[0]["address"], "Café René")

    def test_batch_token_polls(self):
        rc = new_receipt()
        st, body = self.s.postj(sidewalk(rc))
        self.assertEqual(st, 200, body)
        self.assertNotIn("service_request_id", body[0])
        token = body[0]["token"]
        self.assertTrue(token)
        polled = self.counts()["tokens_polled"]
        st, t1 = self.s.getj(API + "/tokens/%s.json" % token)
        self.assertEqual(st, 200)
        self.assertEqual(t1, [{"service_request_id": "", "token": token}])
        st, r, data = self.s.get(API + "/tokens/%s.xml" % token)
        root = ET.fromstring(data)
        self.assertEqual(root.tag, "service_requests")
        rid = root.find("request/service_request_id").text
        self.assertRegex(rid, r"^RVT-\d{6}$")
        self.assertEqual(root.find("request/token").text, token)
        st, t3 = self.s.getj(API + "/tokens/%s.json" % token)
        self.assertEqual(t3[0]["service_request_id"], rid)
        self.assertEqual(self.counts()["tokens_polled"], polled + 3)
        st, items = self.s.getj(API + "/requests/%s.json" % rid)
        self.assertEqual((st, items[0]["service_code"]), (200, "sidewalk-damage"))
        self.assertEqual(self.s.get(API + "/tokens/TK-nope.json")[0], 404)

    def test_blackbox(self):
        rc = new_receipt()
        pairs = [("service_code", "noise-complaint"), ("address_string", "5 Oak Ave"),
                 ("attribute[noise-source]", "music"), ("attribute[happening-now]", "yes"),
                 ("attribute[kiosk_receipt]", rc)]
        st, body = self.s.postj(pairs)
        self.assertEqual(st, 200, body)
        self.assertNotIn("service_request_id", body[0])
        self.assertNotIn("token", body[0])
        self.assertTrue(body[0]["service_notice"])
        st, r, data = self.s.post(pairs[:-1] + [("attribute[kiosk_receipt]", new_receipt())], fmt="xml")
        root = ET.fromstring(data)
        self.assertIsNone(root.find("request/service_request_id"))
        self.assertIsNotNone(root.find("request/service_notice"))
        st, items = self.s.getj(API + "/requests.json?service_code=noise-complaint")
        self.assertEqual(items, [])
        self.assertEqual(self.counts(rc)["created"], 1)
        st, r, page = self.s.get("/status/" + rc)
        self.assertEqual(st, 200)
        self.assertIn(b"does not give reference numbers", page)

    def test_api_key(self):
        for key in (None, "wrong"):
            for fmt in ("json", "xml"):
                st, r, data = self.s.post(pothole(new_receipt()), fmt=fmt, key=key)
                self.assertEqual(st, 403)
                if fmt == "json":
                    self.assertEqual(json.loads(data)[0]["code"], 403)
                else:
                    self.assertEqual(ET.fromstring(data).find("error/code").text, "403")

    def test_validation(self):
        def err(pairs, status=400):
            st, body = self.s.postj(pairs)
            self.assertEqual(st, status, body)
            self.assertEqual(body[0]["code"], status)
            return " | ".join(e["description"] for e in body)

        p = [x for x in pothole(new_receipt()) if x[0] != "attribute[location-in-road]"]
        self.assertIn("location-in-road", err(p))
        p = [x for x in pothole(new_receipt()) if x[0] != "attribute[size]"] + [("attribute[size]", "huge")]
        self.assertIn("huge", err(p))
        p = [x for x in pothole(new_receipt()) if x[0] not in ("lat", "long", "address_string")]
        self.assertIn("location", err(p))
        p = [x for x in pothole(new_receipt()) if x[0] not in ("long", "address_string")]
        self.assertIn("lat and long", err(p))
        p = [x for x in pothole(new_receipt()) if x[0] not in ("lat", "long")]
        self.assertEqual(self.s.postj(p)[0], 200)  # address_string alone is a location
        p = [x for x in pothole(new_receipt()) if x[0] != "description"] + [("description", "é" * 4001)]
        self.assertIn("4000", err(p))
        p = [x for x in pothole(new_receipt()) if x[0] != "description"] + [("description", "é" * 4000)]
        self.assertEqual(self.s.postj(p)[0], 200)
        p = pothole(new_receipt()) + [("attribute[depth]", "deep")]
        self.assertIn("depth", err(p))
        p = [("service_code", "no-such")] + pothole(new_receipt())[1:]
        err(p, 404)
        p = pothole(new_receipt())[1:]
        self.assertIn("service_code", err(p))
        st, r, data = self.s.call("POST", API + "/requests.json", body=json.dumps({"a": 1}),
                                  headers={"Content-Type": "application/json"})
        self.assertEqual(st, 400)

    def test_multivalue_both_styles(self):
        for style in ("brackets", "repeat"):
            rc = new_receipt()
            st, body = self.s.postj(sidewalk(rc, style))
            self.assertEqual(st, 200, body)
        st, reqs = self.s.admin("GET", "/requests")
        mine = [r for r in reqs if r["receipt"] == rc][0]
        self.assertEqual(mine["attributes"]["damage-type"], ["cracked", "roots"])
        self.assertNotIn(KEY, json.dumps(reqs))  # api_key is not stored

    def test_multivalue_modes_jurisdiction_token_polls(self):
        a = ServerProc(self.tmp, "repeat", extra=["--multivalue", "repeat", "--jurisdiction", "riverton.example",
                                                  "--token-polls", "0", "--quiet"])
        b = ServerProc(self.tmp, "brackets", extra=["--multivalue", "brackets", "--token-polls", "2", "--quiet"])
        try:
            j = [("jurisdiction_id", "riverton.example")]
            st, body = a.postj(j + sidewalk(new_receipt(), "brackets"), key=None)
            self.assertEqual(st, 400)
            self.assertIn("damage-type", body[0]["description"])
            st, body = a.postj(j + sidewalk(new_receipt(), "repeat"), key=None)
            self.assertEqual(st, 200, body)
            st, t = a.getj(API + "/tokens/%s.json" % body[0]["token"])  # --token-polls 0
            self.assertRegex(t[0]["service_request_id"], r"^RVT-\d{6}$")
            st, body = a.postj(sidewalk(new_receipt(), "repeat"), key=None)
            self.assertEqual(st, 400)
            self.assertIn("jurisdiction_id", body[0]["description"])
            st, body = a.postj([("jurisdiction_id", "elsewhere.example")] + sidewalk(new_receipt(), "repeat"),
                               key=None)
            self.assertEqual(st, 404)

            st, body = b.postj(sidewalk(new_receipt(), "repeat"), key=None)
            self.assertEqual(st, 400)
            st, body = b.postj(sidewalk(new_receipt(), "brackets"), key=None)
            self.assertEqual(st, 200, body)
            tok = body[0]["token"]
            ids = [b.getj(API + "/tokens/%s.json" % tok)[1][0]["service_request_id"] for _ in range(3)]
            self.assertEqual(ids[:2], ["", ""])
            self.assertRegex(ids[2], r"^RVT-\d{6}$")
            self.assertEqual(b.admin("GET", "/counts")[1]["tokens_polled"], 3)
            self.assertEqual(a.lines[1:], [])  # --quiet: nothing after the "listening" line
        finally:
            self.assertEqual(a.stop(), 0)
            self.assertEqual(b.stop(), 0)

    def test_idempotent_replay(self):
        rc = new_receipt()
        hdr = {"Idempotency-Key": rc}
        st, first = self.s.postj(pothole(rc), headers=hdr)
        st2, second = self.s.postj(pothole(rc), headers=hdr)
        self.assertEqual((st, st2), (200, 200))
        self.assertEqual(first, second)
        self.assertEqual(self.counts(rc), {"posts": 2, "created": 1})
        # Lacking the header, the receipt attribute alone matches; XML gives the same id.
        st, r, data = self.s.post(pothole(rc), fmt="xml")
        self.assertEqual(ET.fromstring(data).find("request/service_request_id").text,
                         first[0]["service_request_id"])
        self.assertEqual(self.counts(rc), {"posts": 3, "created": 1})
        # A batch replay returns the original token.
        rb = new_receipt()
        t1 = self.s.postj(sidewalk(rb), headers={"Idempotency-Key": rb})[1]
        t2 = self.s.postj(sidewalk(rb), headers={"Idempotency-Key": rb})[1]
        self.assertEqual(t1, t2)
        self.assertIn("token", t1[0])
        # Racing copies on parallel connections still create one record.
        rr = new_receipt()
        results = []

        def go():
            results.append(self.s.postj(pothole(rr), headers={"Idempotency-Key": rr}))
        threads = [threading.Thread(target=go) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        self.assertEqual(len({json.dumps(b) for _, b in results}), 1)
        self.assertEqual(self.counts(rr), {"posts": 6, "created": 1})

    def test_get_requests_filters(self):
        r1 = new_receipt()
        id1 = self.create(r1)
        id2 = self.create()
        st, items = self.s.getj(API + "/requests.json?service_request_id=%s,%s&service_code=graffiti" % (id1, id2))
        self.assertEqual(sorted(i["service_request_id"] for i in items), sorted([id1, id2]))
        self.assertNotIn("attributes", items[0])
        st, items = self.s.getj(API + "/requests.json?service_code=pothole,graffiti&extensions=true")
        mine = [i for i in items if i["service_request_id"] == id1]
        self.assertEqual(mine[0]["attributes"]["kiosk_receipt"], r1)
        self.assertEqual(mine[0]["attributes"]["size"], "small")
        st, items = self.s.getj(API + "/requests.json?service_code=graffiti")
        self.assertEqual(items, [])
        self.assertEqual(self.s.admin("POST", "/requests/%s/status" % id2, {"status": "closed"})[0], 200)
        st, items = self.s.getj(API + "/requests.json?status=closed&service_code=pothole")
        self.assertIn(id2, [i["service_request_id"] for i in items])
        self.assertNotIn(id1, [i["service_request_id"] for i in items])
        st, items = self.s.getj(API + "/requests.json?status=open")
        self.assertIn(id1, [i["service_request_id"] for i in items])
        q = urllib.parse.urlencode({"start_date": "2100-01-01T00:00:00-05:00"})
        self.assertEqual(self.s.getj(API + "/requests.json?" + q)[1], [])
        q = urllib.parse.urlencode({"end_date": "2000-01-01T00:00:00Z"})
        self.assertEqual(self.s.getj(API + "/requests.json?" + q)[1], [])
        q = urllib.parse.urlencode({"start_date": "2000-01-01T00:00:00Z", "end_date": "2100-01-01T00:00:00+01:00"})
        self.assertIn(id1, [i["service_request_id"] for i in self.s.getj(API + "/requests.json?" + q)[1]])
        self.assertEqual(self.s.get(API + "/requests.json?start_date=yesterday")[0], 400)
        self.assertEqual(self.s.get(API + "/requests.json?status=pending")[0], 400)
        st, r, data = self.s.get(API + "/requests.xml?extensions=true&service_request_id=" + id1)
        root = ET.fromstring(data)
        attrs = {a.find("code").text: a.find("value").text for a in root.findall("request/attributes/attribute")}
        self.assertEqual(attrs["kiosk_receipt"], r1)

    # -- status page and admin ------------------------------------------------------------------

    def test_status_page_and_admin_update(self):
        rc = "R7Q-W2B-THPM-" + new_receipt()
        rid = self.create(rc)
        st, r, page = self.s.get("/status/" + urllib.parse.quote(rc.lower().replace("-", "")))
        self.assertEqual(st, 200)
        text = page.decode()
        self.assertEqual(r.getheader("Content-Type"), "text/html; charset=utf-8")
        self.assertIn('<html lang="en">', text)
        self.assertIn('name="viewport"', text)
        self.assertIn("Pothole", text)
        self.assertIn(">Open<", text)
        self.assertIn(rid, text)
        self.assertNotIn("<script", text)
        self.assertNotIn("://", text)  # nothing external

        st, before = self.s.getj(API + "/requests/%s.json" % rid)
        notes = '<script>alert("x")</script> & Filled on Nov 25'
        st, upd = self.s.admin("POST", "/requests/%s/status" % rid, {"status": "closed", "status_notes": notes})
        self.assertEqual(st, 200, upd)
        st, after = self.s.getj(API + "/requests/%s.json" % rid)
        self.assertEqual((after[0]["status"], after[0]["status_notes"]), ("closed", notes))
        self.assertGreaterEqual(after[0]["updated_datetime"], before[0]["updated_datetime"])
        st, r, page = self.s.get("/status/" + urllib.parse.quote(rc))
        text = page.decode()
        self.assertIn(">Closed<", text)
        self.assertIn("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Filled on Nov 25", text)
        self.assertNotIn("<script", text)

        st, r, page = self.s.get("/status/" + urllib.parse.quote('<b>"nope"</b>'))
        self.assertEqual(st, 404)
        text = page.decode()
        self.assertIn("We have not received this request yet. Kiosks send requests as soon as they are "
                      "connected; check again later.", text)
        self.assertNotIn("<b>", text)
        self.assertIn("&lt;", text)
        self.assertIn('<html lang="en">', text)

        self.assertEqual(self.s.admin("POST", "/requests/RVT-999997/status", {"status": "closed"})[0], 404)
        self.assertEqual(self.s.admin("POST", "/requests/%s/status" % rid, {"status": "done"})[0], 400)
        self.assertEqual(self.s.admin("GET", "/health"), (200, {"ok": True}))

    # -- faults ---------------------------------------------------------------------------------

    def test_fault_status(self):
        self.s.fault(kind="status", status=503, retry_after=7, path=API + "/requests", method="POST")
        rc = new_receipt()
        st, r, data = self.s.post(pothole(rc))
        self.assertEqual(st, 503)
        self.assertEqual(r.getheader("Retry-After"), "7")
        self.assertEqual(self.counts(rc), {"posts": 1, "created": 0})
        self.assertEqual(self.s.get(API + "/services.json")[0], 200)  # other paths unaffected
        st, body = self.s.postj(pothole(rc))
        self.assertEqual(st, 200)  # count 1: used up
        self.assertEqual(self.counts(rc), {"posts": 2, "created": 1})
        self.s.fault(kind="status", status=429, count=2)
        st, r, data = self.s.get(API + "/services.xml")
        self.assertEqual(st, 429)
        self.assertEqual(ET.fromstring(data).find("error/code").text, "429")
        self.assertEqual(self.s.admin("GET", "/faults")[1][0]["count"], 1)
        self.assertEqual(self.s.get(API + "/services.json")[0], 429)
        self.assertEqual(self.s.admin("GET", "/faults")[1], [])
        self.assertEqual(self.s.admin("POST", "/faults", {"kind": "nope"})[0], 400)

    def test_fault_delay(self):
        self.s.fault(kind="delay", ms=250)
        t0 = time.monotonic()
        st, r, data = self.s.get(API + "/services.json")
        self.assertEqual(st, 200)
        self.assertGreaterEqual(time.monotonic() - t0, 0.25)

    def raw_post(self, pairs):
        body = urllib.parse.urlencode([("api_key", KEY)] + pairs).encode()
        s = socket.create_connection(("127.0.0.1", self.s.port), timeout=5)
        try:
            s.sendall(b"POST " + API.encode() + b"/requests.json HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                      + str(len(body)).encode() + b"\r\n\r\n" + body)
            got = b""
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    got += chunk
            except ConnectionResetError:
                pass
            return got
        finally:
            s.close()

    def test_fault_drop_after_body(self):
        for commit in (False, True):
            rc = new_receipt()
            self.s.fault(kind="drop_after_body", commit=commit, path=API + "/requests")
            self.assertEqual(self.raw_post(pothole(rc)), b"")
            self.assertEqual(self.counts(rc), {"posts": 1, "created": 1 if commit else 0})
            st, reqs = self.s.admin("GET", "/requests")
            self.assertEqual(len([r for r in reqs if r["receipt"] == rc]), 1 if commit else 0)
            # The retry: a replay when committed, a first creation when not; one record either way.
            st, body = self.s.postj(pothole(rc), headers={"Idempotency-Key": rc})
            self.assertEqual(st, 200)
            self.assertEqual(self.counts(rc), {"posts": 2, "created": 1})

    def test_fault_malformed(self):
        self.s.fault(kind="malformed", count=2)
        st, r, data = self.s.get(API + "/services.json")
        self.assertEqual(st, 200)
        self.assertEqual(int(r.getheader("Content-Length")), len(data))
        with self.assertRaises(ValueError):
            json.loads(data)
        st, r, data = self.s.get(API + "/services.xml")
        with self.assertRaises(ET.ParseError):
            ET.fromstring(data)
        # commit=true on a POST: created, but the reply is garbage.
        rc = new_receipt()
        self.s.fault(kind="malformed", commit=True)
        st, r, data = self.s.post(pothole(rc))
        with self.assertRaises(ValueError):
            json.loads(data)
        self.assertEqual(self.counts(rc), {"posts": 1, "created": 1})

    def test_fault_oversized(self):
        self.s.fault(kind="oversized", bytes=3_000_000, path=API + "/services.json")
        st, r, data = self.s.get(API + "/services.json")
        self.assertEqual((st, len(data)), (200, 3_000_000))
        self.assertEqual(len(json.loads(data)), 21)  # the services plus one padding item
        self.s.fault(kind="oversized")
        st, r, data = self.s.get(API + "/services.xml")
        self.assertEqual(len(data), 10 << 20)
        self.assertEqual(len(ET.fromstring(data).findall("service")), 20)
        rc = new_receipt()
        self.s.fault(kind="oversized", bytes=100_000)
        st, r, data = self.s.post(pothole(rc))
        self.assertEqual(len(data), 100_000)
        self.assertEqual(self.counts(rc), {"posts": 1, "created": 0})

    def test_fault_drip(self):
        # A reply a byte at a time: the status line itself arrives slowly, then the whole body.
        self.s.fault(kind="drip", ms=0.1, path=API + "/services.json")
        t0 = time.monotonic()
        st, r, data = self.s.get(API + "/services.json")
        took = time.monotonic() - t0
        self.assertEqual(st, 200)
        self.assertEqual(len(json.loads(data)), 20)
        self.assertGreater(took, 0.0001 * len(data))  # it really dripped
        # A client that hangs up early does not take the server down with it.
        self.s.fault(kind="drip", ms=50)
        c = socket.create_connection(("127.0.0.1", self.s.port), timeout=5)
        c.sendall(("GET %s/services.json HTTP/1.1\r\nHost: x\r\n\r\n" % API).encode())
        self.assertEqual(c.recv(1), b"H")
        c.close()
        st, r, data = self.s.get(API + "/services.json")
        self.assertEqual(st, 200)
        with self.assertRaises(AssertionError):  # refused with a 400 naming ms
            self.s.fault(kind="drip", ms=0)

    def test_fault_truncated(self):
        self.s.fault(kind="truncated")
        c = http.client.HTTPConnection("127.0.0.1", self.s.port, timeout=5)
        c.request("GET", API + "/services.json")
        r = c.getresponse()
        with self.assertRaises(http.client.IncompleteRead):
            r.read()
        c.close()

    def test_fault_wrong_types(self):
        self.s.fault(kind="wrong_types", count=2)
        st, body = self.s.postj(pothole(new_receipt()))
        self.assertEqual(st, 200)
        self.assertIsInstance(body, list)
        self.assertIsInstance(body[0], list)  # a list where an object belongs
        self.assertIsInstance(body[0][0]["service_request_id"], dict)  # an id that is an object
        st, r, data = self.s.get(API + "/services.xml")
        root = ET.fromstring(data)
        self.assertIsNotNone(root.find("service/service_code/value"))

    def test_fault_redirect(self):
        self.s.fault(kind="redirect", location="http://127.0.0.2:9/elsewhere")
        st, r, data = self.s.get(API + "/services.json")
        self.assertEqual(st, 302)
        self.assertEqual(r.getheader("Location"), "http://127.0.0.2:9/elsewhere")

    def test_fault_probability_is_reproducible(self):
        def run():
            self.s.admin("POST", "/reset", {})
            self.s.fault(kind="status", status=500, probability=0.5, path=API + "/services")
            return [self.s.get(API + "/services.json")[0] for _ in range(16)]
        a, b = run(), run()
        self.assertEqual(a, b)
        self.assertIn(500, a)
        self.assertIn(200, a)
        st, faults = self.s.admin("GET", "/faults")
        self.assertEqual(faults[0]["fired"], a.count(500))
        self.assertEqual(self.s.admin("DELETE", "/faults/%d" % faults[0]["id"])[0], 200)
        self.assertEqual(self.s.admin("GET", "/faults")[1], [])

    # -- quirks ---------------------------------------------------------------------------------

    def test_quirks(self):
        q = lambda name: self.s.fault(kind="quirk", name=name)  # noqa: E731

        q("string_booleans")
        st, sv = self.s.getj(API + "/services.json")
        self.assertEqual(sv[0]["metadata"], "True")
        st, d = self.s.getj(API + "/services/pothole.json")
        self.assertEqual(d["attributes"][0]["required"], "true")
        self.s.admin("POST", "/reset", {})

        q("wrapped_json")
        st, sv = self.s.getj(API + "/services.json")
        self.assertEqual(len(sv["services"]), 20)
        st, body = self.s.postj(pothole(new_receipt()))
        self.assertIn("service_requests", body)
        st, err = self.s.postj(pothole(new_receipt()), key="bad")
        self.assertIsInstance(err, list)  # errors are never wrapped
        self.s.admin("POST", "/reset", {})

        q("single_object")
        st, body = self.s.postj(pothole(new_receipt()))
        self.assertIsInstance(body, dict)
        rid = body["service_request_id"]
        st, one = self.s.getj(API + "/requests/%s.json" % rid)
        self.assertEqual(one["service_request_id"], rid)
        self.s.admin("POST", "/reset", {})

        q("numeric_codes")
        st, body = self.s.postj(pothole(new_receipt()))
        self.assertIsInstance(body[0]["service_request_id"], int)
        nid = body[0]["service_request_id"]
        st, r, data = self.s.get(API + "/requests/%d.xml" % nid)
        self.assertEqual(ET.fromstring(data).find("request/service_request_id").text, str(nid))
        self.s.admin("POST", "/reset", {})

        q("missing_timezone")
        st, items = self.s.getj(API + "/requests/%d.json" % nid)
        self.assertRegex(items[0]["requested_datetime"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")
        self.s.admin("POST", "/reset", {})

        q("empty_elements")
        st, r, data = self.s.post(pothole(new_receipt()), fmt="xml")
        self.assertIn(b"<service_notice/>", data)
        rid = ET.fromstring(data).find("request/service_request_id").text
        st, r, data = self.s.get(API + "/requests/%s.xml" % rid)
        self.assertIn(b"<updated_datetime/>", data)
        self.assertIn(b"<status_notes/>", data)
        st, items = self.s.getj(API + "/requests/%s.json" % rid)
        self.assertEqual(items[0]["updated_datetime"], "")
        self.s.admin("POST", "/reset", {})

        q("is_array")
        st, r, data = self.s.get(API + "/services.xml")
        self.assertIn(b'<services is_array="true">', data)
        self.s.admin("POST", "/reset", {})

        q("first_id_zero")
        st, body = self.s.postj(pothole(new_receipt()))
        self.assertEqual(body[0]["service_request_id"], "0")
        st, items = self.s.getj(API + "/requests/0.json")
        self.assertEqual((st, items[0]["service_request_id"]), (200, "0"))
        st, body = self.s.postj(pothole(new_receipt()))
        self.assertRegex(body[0]["service_request_id"], r"^RVT-\d{6}$")

    # -- HTTP behaviour and logging -------------------------------------------------------------

    def test_keep_alive_and_content_length(self):
        c = http.client.HTTPConnection("127.0.0.1", self.s.port, timeout=5)
        try:
            socks = []
            for path in (API + "/services.json", API + "/nope.json", "/status/NOPE", "/admin/health"):
                st, r, data = self.s.call("GET", path, conn=c)
                self.assertIsNotNone(r.getheader("Content-Length"), path)
                self.assertEqual(int(r.getheader("Content-Length")), len(data))
                socks.append(c.sock)
            st, r, data = self.s.post(pothole(new_receipt()), conn=c)
            self.assertEqual(st, 200)
            socks.append(c.sock)
            self.assertEqual(len(set(map(id, socks))), 1)
        finally:
            c.close()

    def test_log_never_shows_api_key(self):
        path = API + "/requests.json?service_code=pothole&api_key=" + KEY
        self.assertEqual(self.s.get(path)[0], 200)
        self.s.post(pothole(new_receipt()))
        self.assertTrue(self.s.wait_log(lambda l: "GET " + API + "/requests.json?service_code=pothole" in l))
        self.assertTrue(self.s.wait_log(lambda l: "POST " + API + "/requests.json 200" in l))
        self.assertFalse(any(KEY in l for l in self.s.lines))

    # -- restart --------------------------------------------------------------------------------

    def test_restart_persistence(self):
        db = os.path.join(self.tmp, "persist.sqlite")
        a = ServerProc(self.tmp, "persist", db=db, extra=["--quiet"])
        rc = new_receipt()
        try:
            st, body = a.postj(pothole(rc), key=None)
            rid = body[0]["service_request_id"]
            a.admin("POST", "/requests/%s/status" % rid, {"status": "closed", "status_notes": "Filled"})
        finally:
            self.assertEqual(a.stop(), 0)
        self.assertFalse(os.path.exists(a.port_file))
        b = ServerProc(self.tmp, "persist", db=db,
                       extra=["--quiet", "--fault", '{"kind":"status","status":503,"count":1}'])
        try:
            self.assertEqual(b.get(API + "/services.json")[0], 503)  # the --fault from the command line
            st, items = b.getj(API + "/requests/%s.json" % rid)
            self.assertEqual(st, 200)
            self.assertEqual((items[0]["status"], items[0]["status_notes"]), ("closed", "Filled"))
            self.assertEqual(b.admin("GET", "/counts")[1]["receipts"][re.sub("-", "", rc).upper()],
                             {"posts": 1, "created": 1})
            st, again = b.postj(pothole(rc), key=None)
            self.assertEqual(again[0]["service_request_id"], rid)  # replay survives a restart
            st, body = b.postj(pothole(new_receipt()), key=None)
            self.assertGreater(body[0]["service_request_id"], rid)
        finally:
            self.assertEqual(b.stop(), 0)


if __name__ == "__main__":
    unittest.main(verbosity=1)
