#!/usr/bin/env python3
"""Civic Kiosk reference Open311 (GeoReport v2) server.

A small, strict, scriptable 311 server for tests and development: it serves a city's catalog
(the kiosk's city.json), takes service requests in XML or JSON, keeps them in SQLite, answers
status queries, shows residents a status page, and can misbehave on purpose (fault switches
and real-world dialect quirks) so the kiosk's delivery code can be tested against them.

Python 3 standard library only. See README.md beside this file for the full reference.
"""

import argparse
import datetime as dt
import html
import http.server
import json
import math
import os
import random
import re
import secrets
import signal
import socket
import sqlite3
import sys
import threading
import time
import urllib.parse

try:
    import zoneinfo
except ImportError:  # pragma: no cover
    zoneinfo = None

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
API_PREFIX = "/open311/v2/"
FORMATS = ("xml", "json")
CTYPES = {
    "xml": "text/xml; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "text": "text/plain; charset=utf-8",
}
XML_DECL = '<?xml version="1.0" encoding="utf-8"?>\n'
# XML list wrapper -> item element (the spec's names).
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
SERVICE_TYPES = ("realtime", "batch", "blackbox")
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
MULTIVALUE_MODES = ("brackets", "repeat", "both")
QUIRKS = (
    "string_booleans",
    "numeric_codes",
    "wrapped_json",
    "missing_timezone",
    "empty_elements",
    "is_array",
    "first_id_zero",
    "single_object",
)
TERMINAL_KINDS = (
    "status",
    "drop_after_body",
    "malformed",
    "oversized",
    "truncated",
    "wrong_types",
    "redirect",
    "drip",
)
FAULT_KINDS = TERMINAL_KINDS + ("delay", "quirk")
NUMERIC_KEYS = ("service_code", "service_request_id", "token", "key")
MAX_BODY = 1 << 20
MAX_DESCRIPTION = 4000
DEFAULT_OVERSIZED = 10 << 20
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ATTR_KEY = re.compile(r"^attribute\[([^\[\]]*)\](\[\])?$")


def log(msg):
    try:
        sys.stderr.write("open311-server: %s\n" % msg)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


# ---------------------------------------------------------------------------------------------
# Small helpers


def truthy(v):
    """true/"true"/"True"/1/"1" -> True (catalogs written by hand use all of them)."""
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return v != 0
    if isinstance(v, str):
        return v.strip().lower() in ("true", "1", "yes")
    return False


def receipt_key(s):
    """Receipt codes compare upper-cased with hyphens and white space removed."""
    if s is None:
        return None
    k = re.sub(r"[\s\-]+", "", str(s)).upper()
    return k or None


def receipt_lookup_keys(s):
    """Keys a typed receipt may match: as typed, and with Crockford's aliases (O->0, I/L->1)."""
    k = receipt_key(s)
    if not k:
        return []
    alias = k.translate(str.maketrans("OIL", "011"))
    return [k] if alias == k else [k, alias]


def group_receipt(k):
    if k and len(k) == 10:
        return "%s-%s-%s" % (k[0:3], k[3:6], k[6:10])
    return k or ""


def numish(v):
    """A digit string as a JSON number (the numeric_codes quirk); anything else unchanged."""
    if isinstance(v, str) and v.isascii() and v.isdigit() and (v == "0" or v[0] != "0") and len(v) < 16:
        return int(v)
    return v


def parse_w3c(s, tz):
    """W3C-DTF / ISO 8601 -> epoch seconds, or None. No zone = the city's time zone."""
    if not isinstance(s, str):
        return None
    s = s.strip()
    if not s:
        return None
    # A '+' in a query string arrives as a space: "2026-11-24T09:00:00 05:00".
    s = re.sub(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$", r"\1+\2", s)
    if s[-1:] in ("z", "Z"):
        s = s[:-1] + "+00:00"
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
            d = dt.datetime.combine(dt.date.fromisoformat(s), dt.time())
        else:
            d = dt.datetime.fromisoformat(s)
    except ValueError:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=tz)
    try:
        return d.timestamp()
    except (OverflowError, OSError, ValueError):
        return None


def xml_text(s):
    s = _INVALID_XML.sub("", str(s))
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_node(tag, v, is_array=False):
    if isinstance(v, list):
        attrs = ' is_array="true"' if is_array else ""
        if not v:
            return "<%s%s/>" % (tag, attrs)
        item = ITEM_TAGS.get(tag, "item")
        return "<%s%s>%s</%s>" % (tag, attrs, "".join(xml_node(item, x, is_array) for x in v), tag)
    if isinstance(v, dict):
        if not v:
            return "<%s/>" % tag
        return "<%s>%s</%s>" % (tag, "".join(xml_node(k, x, is_array) for k, x in v.items()), tag)
    if v is None or v == "":
        return "<%s/>" % tag
    if isinstance(v, bool):
        v = "true" if v else "false"
    elif isinstance(v, float):
        v = repr(v)
    return "<%s>%s</%s>" % (tag, xml_text(v), tag)


def xml_doc(root, v, is_array=False):
    return (XML_DECL + xml_node(root, v, is_array) + "\n").encode("utf-8")


def json_doc(v):
    return (json.dumps(v, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")


def map_keys(v, keys, fn):
    if isinstance(v, list):
        return [map_keys(x, keys, fn) for x in v]
    if isinstance(v, dict):
        return {k: (fn(x) if k in keys and not isinstance(x, (list, dict)) else map_keys(x, keys, fn))
                for k, x in v.items()}
    return v


class HttpError(Exception):
    """An Open311 error reply: status and a list of (code, description)."""

    def __init__(self, status, description, errors=None):
        super().__init__(description)
        self.status = status
        self.errors = errors or [(status, description)]


class Reply:
    def __init__(self, status=200, fmt="json", body=b"", headers=None, data=None, root=None):
        self.status = status
        self.fmt = fmt
        self.body = body
        self.headers = list(headers or [])
        self.data = data  # the structure before quirks, for wrong_types
        self.root = root


def error_body(fmt, errors):
    items = [{"code": c, "description": d} for c, d in errors]
    if fmt == "xml":
        return xml_doc("errors", items)
    if fmt == "json":
        return json_doc(items)
    return ("\n".join("%s %s" % (c, d) for c, d in errors) + "\n").encode("utf-8")


def error_reply(fmt, err):
    ct = fmt if fmt in FORMATS else "text"
    return Reply(err.status, ct, error_body(ct, err.errors))


# ---------------------------------------------------------------------------------------------
# Catalog


class Catalog:
    def __init__(self, path):
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
        self.path = path
        if isinstance(doc, list):
            doc = {"services": doc}
        if not isinstance(doc, dict):
            raise ValueError("catalog: top level must be an object")
        services = doc.get("services") or []
        if not isinstance(services, list):
            raise ValueError("catalog: services must be an array")
        self.services = []
        self.by_code = {}
        for s in services:
            if not isinstance(s, dict) or s.get("service_code") in (None, ""):
                raise ValueError("catalog: every service needs a service_code")
            s = dict(s)
            s["service_code"] = str(s["service_code"])
            t = s.get("type") or "realtime"
            if t not in SERVICE_TYPES:
                raise ValueError("catalog: service %s has unknown type %r" % (s["service_code"], t))
            s["type"] = t
            self.services.append(s)
            self.by_code[s["service_code"]] = s
        defs = doc.get("definitions") or {}
        if isinstance(defs, list):
            defs = {str(d.get("service_code")): d for d in defs if isinstance(d, dict)}
        if not isinstance(defs, dict):
            raise ValueError("catalog: definitions must be an object or an array")
        self.definitions = {}
        for code, d in defs.items():
            attrs = []
            for a in (d or {}).get("attributes") or []:
                a = dict(a)
                a["code"] = str(a.get("code", ""))
                a["variable"] = truthy(a.get("variable", True))
                a["required"] = truthy(a.get("required", False))
                a["values"] = [{"key": str(v.get("key", "")), "name": v.get("name", "")}
                               for v in a.get("values") or []]
                attrs.append(a)
            attrs.sort(key=lambda a: (int(a.get("order") or 0)))
            self.definitions[str(code)] = attrs
        city = doc.get("city") if isinstance(doc.get("city"), dict) else {}
        self.city_name = city.get("name") or "City"
        self.city_phone = city.get("phone") or ""
        self.timezone = city.get("timezone") or ""
        self.mtime = os.path.getmtime(path)

    def attributes(self, code):
        return self.definitions.get(code, [])


# ---------------------------------------------------------------------------------------------
# Storage

REQUEST_COLUMNS = (
    "pk", "id", "token", "type", "receipt", "receipt_key", "idempotency_key", "service_code",
    "service_name", "status", "status_notes", "description", "agency_responsible",
    "service_notice", "address_string", "lat", "long", "address_id", "zipcode", "first_name",
    "last_name", "email", "phone", "device_id", "account_id", "media_url", "requested_datetime",
    "updated_datetime", "expected_datetime", "token_polls", "id_revealed", "attributes",
    "raw_form",
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    pk INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE,
    token TEXT UNIQUE,
    type TEXT NOT NULL,
    receipt TEXT,
    receipt_key TEXT,
    idempotency_key TEXT,
    service_code TEXT NOT NULL,
    service_name TEXT,
    status TEXT NOT NULL DEFAULT 'open',
    status_notes TEXT,
    description TEXT,
    agency_responsible TEXT,
    service_notice TEXT,
    address_string TEXT,
    lat REAL,
    long REAL,
    address_id TEXT,
    zipcode TEXT,
    first_name TEXT,
    last_name TEXT,
    email TEXT,
    phone TEXT,
    device_id TEXT,
    account_id TEXT,
    media_url TEXT,
    requested_datetime REAL NOT NULL,
    updated_datetime REAL NOT NULL,
    expected_datetime REAL,
    token_polls INTEGER NOT NULL DEFAULT 0,
    id_revealed INTEGER NOT NULL DEFAULT 0,
    attributes TEXT NOT NULL DEFAULT '{}',
    raw_form TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS requests_receipt ON requests(receipt_key);
CREATE INDEX IF NOT EXISTS requests_idem ON requests(idempotency_key);
CREATE TABLE IF NOT EXISTS counts (
    receipt TEXT PRIMARY KEY,
    posts INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL DEFAULT 0);
"""


class Store:
    """SQLite behind one lock; every public method is one short transaction."""

    def __init__(self, path):
        self.lock = threading.RLock()
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA busy_timeout = 5000")
        # WAL with NORMAL sync: a clean restart keeps everything, and a commit costs no fsync,
        # so the server is not what limits a kiosk's delivery rate in benchmarks.
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.executescript(SCHEMA)
        self.db.commit()

    def close(self):
        with self.lock:
            if self.db is not None:
                self.db.close()
                self.db = None

    def _conn(self):
        if self.db is None:
            raise HttpError(503, "The server is shutting down")
        return self.db

    def _bump(self, key, n=1):
        self._conn().execute(
            "INSERT INTO meta(key, value) VALUES(?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = value + excluded.value", (key, n))

    def count_post(self, rkey):
        with self.lock:
            db = self._conn()
            self._bump("total_posts")
            if rkey:
                db.execute("INSERT INTO counts(receipt, posts) VALUES(?, 1) "
                           "ON CONFLICT(receipt) DO UPDATE SET posts = posts + 1", (rkey,))
            db.commit()

    def find_existing(self, idem, rkey):
        with self.lock:
            db = self._conn()
            row = None
            if idem:
                row = db.execute("SELECT * FROM requests WHERE idempotency_key = ? ORDER BY pk LIMIT 1",
                                 (idem,)).fetchone()
            if row is None and rkey:
                row = db.execute("SELECT * FROM requests WHERE receipt_key = ? ORDER BY pk LIMIT 1",
                                 (rkey,)).fetchone()
            return row

    def create(self, fields, make_id, make_token):
        """Inserts a request; make_id(pk)/make_token(pk) name it. Returns the row."""
        with self.lock:
            db = self._conn()
            cols = [c for c in fields]
            cur = db.execute("INSERT INTO requests(%s) VALUES(%s)" % (",".join(cols), ",".join("?" * len(cols))),
                             [fields[c] for c in cols])
            pk = cur.lastrowid
            rid = make_id(pk, db) if fields["type"] != "blackbox" else None
            tok = make_token(pk) if fields["type"] == "batch" else None
            db.execute("UPDATE requests SET id = ?, token = ? WHERE pk = ?", (rid, tok, pk))
            self._bump("total_created")
            if fields.get("receipt_key"):
                db.execute("INSERT INTO counts(receipt, created) VALUES(?, 1) "
                           "ON CONFLICT(receipt) DO UPDATE SET created = created + 1",
                           (fields["receipt_key"],))
            db.commit()
            return db.execute("SELECT * FROM requests WHERE pk = ?", (pk,)).fetchone()

    def poll_token(self, token, polls_before_id):
        """Counts one poll; returns the row (id_revealed set once enough polls were made) or None."""
        with self.lock:
            db = self._conn()
            self._bump("tokens_polled")
            row = db.execute("SELECT * FROM requests WHERE token = ?", (token,)).fetchone()
            if row is not None:
                polls = row["token_polls"] + 1
                revealed = 1 if (row["id_revealed"] or polls > polls_before_id) else 0
                db.execute("UPDATE requests SET token_polls = ?, id_revealed = ? WHERE pk = ?",
                           (polls, revealed, row["pk"]))
                row = db.execute("SELECT * FROM requests WHERE pk = ?", (row["pk"],)).fetchone()
            db.commit()
            return row

    def get_public(self, rid):
        with self.lock:
            return self._conn().execute(
                "SELECT * FROM requests WHERE id = ? AND id_revealed = 1 AND type != 'blackbox'",
                (rid,)).fetchone()

    def query(self, ids=None, codes=None, start=None, end=None, statuses=None, limit=1000):
        sql = ["SELECT * FROM requests WHERE type != 'blackbox'"]
        args = []
        if ids is not None:
            sql.append("AND id_revealed = 1 AND id IN (%s)" % ",".join("?" * len(ids)))
            args += ids
        else:
            if codes:
                sql.append("AND service_code IN (%s)" % ",".join("?" * len(codes)))
                args += codes
            if start is not None:
                sql.append("AND requested_datetime >= ?")
                args.append(start)
            if end is not None:
                sql.append("AND requested_datetime <= ?")
                args.append(end)
            if statuses:
                sql.append("AND status IN (%s)" % ",".join("?" * len(statuses)))
                args += statuses
        sql.append("ORDER BY pk DESC LIMIT ?")
        args.append(limit)
        with self.lock:
            return self._conn().execute(" ".join(sql), args).fetchall()

    def by_receipt(self, keys):
        if not keys:
            return None
        with self.lock:
            return self._conn().execute(
                "SELECT * FROM requests WHERE receipt_key IN (%s) ORDER BY pk DESC LIMIT 1"
                % ",".join("?" * len(keys)), keys).fetchone()

    def find_admin(self, ident):
        with self.lock:
            db = self._conn()
            m = re.fullmatch(r"pk:(\d+)", ident)
            if m:
                return db.execute("SELECT * FROM requests WHERE pk = ?", (int(m.group(1)),)).fetchone()
            row = db.execute("SELECT * FROM requests WHERE id = ? OR token = ? ORDER BY pk LIMIT 1",
                             (ident, ident)).fetchone()
            if row is None:
                keys = receipt_lookup_keys(ident)
                if keys:
                    row = db.execute("SELECT * FROM requests WHERE receipt_key IN (%s) ORDER BY pk DESC LIMIT 1"
                                     % ",".join("?" * len(keys)), keys).fetchone()
            return row

    def update(self, pk, changes):
        with self.lock:
            db = self._conn()
            cols = list(changes)
            db.execute("UPDATE requests SET %s WHERE pk = ?" % ", ".join("%s = ?" % c for c in cols),
                       [changes[c] for c in cols] + [pk])
            db.commit()
            return db.execute("SELECT * FROM requests WHERE pk = ?", (pk,)).fetchone()

    def all(self):
        with self.lock:
            return self._conn().execute("SELECT * FROM requests ORDER BY pk").fetchall()

    def counts(self):
        with self.lock:
            db = self._conn()
            meta = {r["key"]: r["value"] for r in db.execute("SELECT key, value FROM meta")}
            receipts = {r["receipt"]: {"posts": r["posts"], "created": r["created"]}
                        for r in db.execute("SELECT * FROM counts ORDER BY receipt")}
            return {
                "receipts": receipts,
                "total_posts": meta.get("total_posts", 0),
                "total_created": meta.get("total_created", 0),
                "tokens_polled": meta.get("tokens_polled", 0),
            }

    def reset_data(self):
        with self.lock:
            db = self._conn()
            db.execute("DELETE FROM requests")
            db.execute("DELETE FROM counts")
            db.execute("DELETE FROM meta")
            db.commit()


# ---------------------------------------------------------------------------------------------
# Faults


def validate_fault(f):
    """Checks and normalises one fault object; raises ValueError with a reason."""
    if not isinstance(f, dict):
        raise ValueError("a fault must be a JSON object")
    f = dict(f)
    f.pop("id", None)
    f.pop("fired", None)
    kind = f.get("kind")
    if kind not in FAULT_KINDS:
        raise ValueError("unknown fault kind %r (one of %s)" % (kind, ", ".join(FAULT_KINDS)))
    if "path" in f and not (isinstance(f["path"], str) and f["path"].startswith("/")):
        raise ValueError("path must be a string starting with /")
    if "method" in f:
        if not isinstance(f["method"], str) or not f["method"]:
            raise ValueError("method must be a string")
        f["method"] = f["method"].upper()
    if "probability" in f:
        p = f["probability"]
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 < p <= 1:
            raise ValueError("probability must be a number in (0, 1]")
    default_count = -1 if (kind == "quirk" or "probability" in f) else 1
    c = f.get("count", default_count)
    if isinstance(c, bool) or not isinstance(c, int) or c == 0 or c < -1:
        raise ValueError("count must be a positive integer or -1 (forever)")
    f["count"] = c
    if "commit" in f and not isinstance(f["commit"], bool):
        raise ValueError("commit must be true or false")
    if kind == "status":
        s = f.get("status")
        if isinstance(s, bool) or not isinstance(s, int) or not 400 <= s <= 599:
            raise ValueError("status must be an HTTP status 400..599")
        if "retry_after" in f and not isinstance(f["retry_after"], (int, str)):
            raise ValueError("retry_after must be seconds or an HTTP date")
        if "body" in f and not isinstance(f["body"], str):
            raise ValueError("body must be a string")
    elif kind == "delay":
        ms = f.get("ms")
        if isinstance(ms, bool) or not isinstance(ms, (int, float)) or ms < 0 or ms > 600000:
            raise ValueError("ms must be a number of milliseconds (0..600000)")
    elif kind == "oversized":
        b = f.get("bytes", DEFAULT_OVERSIZED)
        if isinstance(b, bool) or not isinstance(b, int) or b <= 0 or b > (1 << 31):
            raise ValueError("bytes must be a positive integer")
        f["bytes"] = b
    elif kind == "truncated":
        m = f.get("missing", 1024)
        if isinstance(m, bool) or not isinstance(m, int) or m <= 0:
            raise ValueError("missing must be a positive integer")
        f["missing"] = m
    elif kind == "redirect":
        f.setdefault("location", "http://127.0.0.2:9/elsewhere")
        if not isinstance(f["location"], str):
            raise ValueError("location must be a string")
        st = f.get("status", 302)
        if st not in (301, 302, 303, 307, 308):
            raise ValueError("redirect status must be 301, 302, 303, 307 or 308")
        f["status"] = st
    elif kind == "drip":
        ms = f.get("ms", 1000)
        if isinstance(ms, bool) or not isinstance(ms, (int, float)) or not 0 < ms <= 60000:
            raise ValueError("ms must be the milliseconds between two bytes (0..60000]")
        f["ms"] = ms
    elif kind == "quirk":
        if f.get("name") not in QUIRKS:
            raise ValueError("unknown quirk %r (one of %s)" % (f.get("name"), ", ".join(QUIRKS)))
    return f


class Faults:
    def __init__(self, seed):
        self.lock = threading.Lock()
        self.seed = seed
        self.rng = random.Random(seed)
        self.active = []
        self.next_id = 1

    def add(self, f):
        f = validate_fault(f)
        with self.lock:
            f["id"] = self.next_id
            f["fired"] = 0
            self.next_id += 1
            self.active.append(f)
            return dict(f)

    def remove(self, fid):
        with self.lock:
            n = len(self.active)
            self.active = [f for f in self.active if f["id"] != fid]
            return len(self.active) != n

    def clear(self):
        with self.lock:
            self.active = []
            self.rng = random.Random(self.seed)

    def list(self):
        with self.lock:
            return [dict(f) for f in self.active]

    def pick(self, method, path):
        """-> (delay_ms, terminal fault or None, set of quirk names) for one request."""
        delay = 0
        terminal = None
        quirks = set()
        with self.lock:
            for f in self.active:
                prefix = f.get("path")
                if prefix is None:
                    if path.startswith("/admin"):
                        continue
                elif not path.startswith(prefix):
                    continue
                if f.get("method") and f["method"] != method:
                    continue
                if f["kind"] not in ("delay", "quirk") and terminal is not None:
                    continue
                if "probability" in f and self.rng.random() >= f["probability"]:
                    continue
                f["fired"] += 1
                if f["count"] > 0:
                    f["count"] -= 1
                if f["kind"] == "delay":
                    delay += f["ms"]
                elif f["kind"] == "quirk":
                    quirks.add(f["name"])
                else:
                    terminal = dict(f)
            self.active = [f for f in self.active if f["count"] != 0]
        return delay, terminal, quirks


# ---------------------------------------------------------------------------------------------
# The application: routing and Open311 semantics


class Ctx:
    """Per-request rendering context."""

    def __init__(self, app, fmt, quirks, base_url):
        self.app = app
        self.fmt = fmt
        self.quirks = quirks
        self.base_url = base_url

    def q(self, name):
        return name in self.quirks

    def dt(self, ts):
        if ts is None:
            return None
        d = dt.datetime.fromtimestamp(ts, self.app.tz).replace(microsecond=0)
        if self.q("missing_timezone"):
            return d.replace(tzinfo=None).isoformat(timespec="seconds")
        return d.isoformat(timespec="seconds")

    def boolv(self, v, capital=False):
        if self.q("string_booleans"):
            s = "true" if v else "false"
            return s.capitalize() if capital else s
        return bool(v)

    def render_list(self, root, items):
        if self.fmt == "xml":
            return Reply(200, "xml", xml_doc(root, items, self.q("is_array")), data=items, root=root)
        v = items
        if self.q("numeric_codes"):
            v = map_keys(v, NUMERIC_KEYS, numish)
        if self.q("single_object") and len(v) == 1:
            v = v[0]
        if self.q("wrapped_json"):
            v = {root: v}
        return Reply(200, "json", json_doc(v), data=items, root=root)

    def render_obj(self, root, obj):
        if self.fmt == "xml":
            return Reply(200, "xml", xml_doc(root, obj, self.q("is_array")), data=obj, root=root)
        v = obj
        if self.q("numeric_codes"):
            v = map_keys(v, NUMERIC_KEYS, numish)
        return Reply(200, "json", json_doc(v), data=obj, root=root)


class Request:
    def __init__(self, method, raw_path, headers, body):
        self.method = method
        self.raw_path = raw_path
        split = urllib.parse.urlsplit(raw_path)
        self.path = urllib.parse.unquote(split.path)
        self.query_string = split.query
        self.headers = headers
        self.body = body
        self.fmt = None
        self.endpoint = None
        self.arg = None
        self._form = None
        self._form_error = None
        if self.path.startswith(API_PREFIX):
            rest = self.path[len(API_PREFIX):]
            name, dot, ext = rest.rpartition(".")
            if dot and ext in FORMATS:
                self.fmt = ext
                parts = name.split("/", 1)
                self.endpoint = parts[0] + ("/*" if len(parts) == 2 else "")
                self.arg = parts[1] if len(parts) == 2 else None
            else:
                self.endpoint = "?"
        elif self.path == "/status" or self.path.startswith("/status/"):
            self.fmt = "html"

    @property
    def query(self):
        try:
            return urllib.parse.parse_qs(self.query_string, keep_blank_values=True, errors="strict")
        except (UnicodeDecodeError, ValueError):
            raise HttpError(400, "The query string is not valid UTF-8")

    def qget(self, name):
        v = self.query.get(name)
        return v[0].strip() if v else ""

    @property
    def is_post_request(self):
        return self.method == "POST" and self.endpoint == "requests"

    def form(self):
        """The form body as a list of (name, value); raises HttpError(400) when unreadable."""
        if self._form is None and self._form_error is None:
            try:
                text = self.body.decode("utf-8")
                self._form = urllib.parse.parse_qsl(text, keep_blank_values=True, errors="strict",
                                                    max_num_fields=2000)
            except (UnicodeDecodeError, ValueError):
                self._form_error = HttpError(400, "The form body is not valid UTF-8 form data")
        if self._form_error:
            raise self._form_error
        return self._form


class App:
    def __init__(self, args, catalog, store, faults):
        self.args = args
        self.catalog = catalog
        self.store = store
        self.faults = faults
        # Open311 requests being handled now (a delayed one included): a test waits for 0
        # before it counts what was created.
        self.in_flight = 0
        self.in_flight_lock = threading.Lock()
        self.token_polls = args.token_polls
        self.multivalue = args.multivalue
        self.service_types = dict(args.service_type_map)
        self.tz = None
        if catalog.timezone and zoneinfo is not None:
            try:
                self.tz = zoneinfo.ZoneInfo(catalog.timezone)
            except Exception:  # noqa: BLE001 - any zone trouble falls back to local time
                self.tz = None
        if self.tz is None:
            self.tz = dt.datetime.now().astimezone().tzinfo
        self.changeset = dt.datetime.fromtimestamp(int(catalog.mtime), self.tz).isoformat(timespec="seconds")

    # -- catalog views --------------------------------------------------------------------------

    def service_type(self, code):
        return self.service_types.get(code) or self.catalog.by_code[code]["type"]

    def service_item(self, ctx, s):
        return {
            "service_code": s["service_code"],
            "service_name": s.get("service_name", ""),
            "description": s.get("description", ""),
            "metadata": ctx.boolv(truthy(s.get("metadata", False)), capital=True),
            "type": self.service_type(s["service_code"]),
            "keywords": s.get("keywords", ""),
            "group": s.get("group", ""),
        }

    def attribute_item(self, ctx, a):
        return {
            "variable": ctx.boolv(a["variable"]),
            "code": a["code"],
            "datatype": a.get("datatype", "string"),
            "required": ctx.boolv(a["required"]),
            "datatype_description": a.get("datatype_description", "") or "",
            "order": a.get("order", 0),
            "description": a.get("description", "") or "",
            "values": [{"key": v["key"], "name": v["name"]} for v in a["values"]],
        }

    # -- request views --------------------------------------------------------------------------

    def request_item(self, ctx, row, extensions=False):
        empty = ctx.q("empty_elements")
        item = {}

        def put(k, v):
            if v is None or v == "":
                if empty:
                    item[k] = ""
            else:
                item[k] = v

        revealed = bool(row["id_revealed"])
        item["service_request_id"] = row["id"] if revealed else ""
        if row["type"] == "batch":
            item["token"] = row["token"]
        item["status"] = row["status"]
        put("status_notes", row["status_notes"])
        put("service_name", row["service_name"])
        item["service_code"] = row["service_code"]
        put("description", row["description"])
        put("agency_responsible", row["agency_responsible"])
        put("service_notice", row["service_notice"])
        item["requested_datetime"] = ctx.dt(row["requested_datetime"])
        if empty and row["updated_datetime"] == row["requested_datetime"]:
            item["updated_datetime"] = ""
        else:
            item["updated_datetime"] = ctx.dt(row["updated_datetime"])
        put("expected_datetime", ctx.dt(row["expected_datetime"]))
        put("address", row["address_string"])
        put("address_id", row["address_id"])
        put("zipcode", row["zipcode"])
        put("lat", row["lat"])
        put("long", row["long"])
        put("media_url", row["media_url"])
        if extensions:
            attrs = json.loads(row["attributes"] or "{}")
            flat = {k: (",".join(v) if isinstance(v, list) else v) for k, v in attrs.items()}
            if ctx.fmt == "xml":
                item["attributes"] = [{"code": k, "value": v} for k, v in flat.items()]
            else:
                item["attributes"] = flat
        return item

    def post_reply_item(self, ctx, row):
        notice = "" if ctx.q("empty_elements") else (row["service_notice"] or "")
        item = {}
        if row["type"] == "realtime":
            item["service_request_id"] = row["id"]
        elif row["type"] == "batch":
            item["token"] = row["token"]
        item["service_notice"] = notice
        item["account_id"] = "" if ctx.q("empty_elements") else None
        return item

    def admin_item(self, row):
        d = {c: row[c] for c in REQUEST_COLUMNS}
        d["attributes"] = json.loads(row["attributes"] or "{}")
        d["raw_form"] = json.loads(row["raw_form"] or "[]")
        for k in ("requested_datetime", "updated_datetime", "expected_datetime"):
            if d[k] is not None:
                d[k] = dt.datetime.fromtimestamp(d[k], self.tz).replace(microsecond=0).isoformat()
        d["id_revealed"] = bool(d["id_revealed"])
        return d

    # -- dispatch -------------------------------------------------------------------------------

    def base_url(self, req, port):
        host = req.headers.get("Host") or "%s:%s" % (self.args.host, port)
        return "http://%s%s" % (host, API_PREFIX.rstrip("/"))

    def receipt_of(self, req):
        """The receipt code a POST carries: the receipt attribute, else the Idempotency-Key."""
        try:
            form = req.form()
        except HttpError:
            form = []
        name = "attribute[%s]" % self.args.receipt_attribute
        for k, v in form:
            if (k == name or k == name + "[]") and v.strip():
                return v.strip()
        h = req.headers.get("Idempotency-Key")
        return h.strip() if h and h.strip() else None

    def count_post(self, req):
        self.store.count_post(receipt_key(self.receipt_of(req)))

    def handle(self, req, quirks, port):
        """Routes one request; returns a Reply (errors become error replies)."""
        ctx = Ctx(self, req.fmt if req.fmt in FORMATS else "xml", quirks, self.base_url(req, port))
        try:
            if req.path.startswith("/admin/") or req.path == "/admin":
                return self.admin(req)
            if req.fmt == "html":
                return self.status_page(req)
            if req.path.startswith(API_PREFIX):
                if req.fmt is None:
                    raise HttpError(404, "Unknown format: use .xml or .json")
                return self.open311(req, ctx)
            if req.path in ("/", "/open311", "/open311/", "/open311/v2", "/open311/v2/"):
                body = ("Civic Kiosk reference Open311 server. Discovery: %s/discovery.xml\n"
                        % ctx.base_url).encode()
                return Reply(200, "text", body)
            raise HttpError(404, "Not found")
        except HttpError as e:
            fmt = req.fmt if req.fmt in FORMATS else ("xml" if req.path.startswith(API_PREFIX) else "text")
            return error_reply(fmt, e)

    def open311(self, req, ctx):
        ep = req.endpoint
        jur = self.args.jurisdiction
        if jur and req.method == "GET":
            j = req.qget("jurisdiction_id")
            if j and j != jur:
                raise HttpError(404, "Jurisdiction %s not found" % j)
        if ep == "discovery":
            self.need(req, "GET")
            return ctx.render_obj("discovery", {
                "changeset": self.changeset,
                "contact": "%s 311%s" % (self.catalog.city_name,
                                          (", phone " + self.catalog.city_phone) if self.catalog.city_phone else ""),
                "key_service": "Ask the %s 311 office for an API key." % self.catalog.city_name,
                "endpoints": [{
                    "specification": SPEC_URL,
                    "url": ctx.base_url,
                    "changeset": self.changeset,
                    "type": "test",
                    "formats": ["text/xml", "application/json"],
                }],
            })
        if ep == "services":
            self.need(req, "GET")
            return ctx.render_list("services", [self.service_item(ctx, s) for s in self.catalog.services])
        if ep == "services/*":
            self.need(req, "GET")
            code = req.arg
            if code not in self.catalog.by_code:
                raise HttpError(404, "Service %s not found" % code)
            return ctx.render_obj("service_definition", {
                "service_code": code,
                "attributes": [self.attribute_item(ctx, a) for a in self.catalog.attributes(code)],
            })
        if ep == "requests":
            if req.method == "POST":
                return self.post_request(req, ctx)
            self.need(req, "GET")
            return self.get_requests(req, ctx)
        if ep == "requests/*":
            self.need(req, "GET")
            row = self.store.get_public(req.arg)
            if row is None:
                raise HttpError(404, "Service request %s not found" % req.arg)
            ext = req.qget("extensions").lower() == "true"
            return ctx.render_list("service_requests", [self.request_item(ctx, row, ext)])
        if ep == "tokens/*":
            self.need(req, "GET")
            row = self.store.poll_token(req.arg, self.token_polls)
            if row is None:
                raise HttpError(404, "Token %s not found" % req.arg)
            rid = row["id"] if row["id_revealed"] else ""
            return ctx.render_list("service_requests", [{"service_request_id": rid, "token": row["token"]}])
        raise HttpError(404, "Not found")

    @staticmethod
    def need(req, method):
        if req.method != method:
            raise HttpError(405, "Method %s not allowed here" % req.method)

    def get_requests(self, req, ctx):
        ext = req.qget("extensions").lower() == "true"
        ids = [x.strip() for x in req.qget("service_request_id").split(",") if x.strip()]
        if ids:
            rows = self.store.query(ids=ids)
        else:
            codes = [x.strip() for x in req.qget("service_code").split(",") if x.strip()]
            start = end = None
            if req.qget("start_date"):
                start = parse_w3c(req.qget("start_date"), self.tz)
                if start is None:
                    raise HttpError(400, "start_date is not a W3C datetime")
            if req.qget("end_date"):
                end = parse_w3c(req.qget("end_date"), self.tz)
                if end is None:
                    raise HttpError(400, "end_date is not a W3C datetime")
            if start is not None and end is not None and end < start:
                raise HttpError(400, "end_date is before start_date")
            statuses = [x.strip().lower() for x in req.qget("status").split(",") if x.strip()]
            for s in statuses:
                if s not in ("open", "closed"):
                    raise HttpError(400, "status must be open or closed")
            rows = self.store.query(codes=codes, start=start, end=end, statuses=statuses)
        return ctx.render_list("service_requests", [self.request_item(ctx, r, ext) for r in rows])

    def post_request(self, req, ctx):
        form = req.form()
        ctype = (req.headers.get("Content-Type") or "").split(";")
        if ctype[0].strip().lower() != "application/x-www-form-urlencoded":
            raise HttpError(400, "POST requests must be application/x-www-form-urlencoded")
        for p in ctype[1:]:
            k, _, v = p.partition("=")
            if k.strip().lower() == "charset" and v.strip().strip('"').lower() not in ("utf-8", "utf8"):
                raise HttpError(400, "The form body must be UTF-8")
        fields = {}
        for k, v in form:
            if not _ATTR_KEY.match(k):
                fields.setdefault(k, v)
        key = self.args.api_key
        if key is not None and fields.get("api_key") != key:
            raise HttpError(403, "Invalid or missing api_key")

        def val(name):
            return (fields.get(name) or "").strip()

        jur = self.args.jurisdiction
        if jur:
            if not val("jurisdiction_id"):
                raise HttpError(400, "jurisdiction_id is required")
            if val("jurisdiction_id") != jur:
                raise HttpError(404, "Jurisdiction %s not found" % val("jurisdiction_id"))
        idem = (req.headers.get("Idempotency-Key") or "").strip() or None
        # The receipt column keeps the attribute only; receipt_key falls back to the header.
        rattr = None
        name = "attribute[%s]" % self.args.receipt_attribute
        for k, v in form:
            if (k == name or k == name + "[]") and v.strip():
                rattr = v.strip()
                break
        rkey = receipt_key(rattr or idem)
        # One lock from the duplicate check to the insert: two copies of one request racing in
        # on two connections must still create one record.
        with self.store.lock:
            # --no-idempotency: behave like most real servers, which create a duplicate for
            # every copy; then exactly-once must be the client's doing.
            existing = None if self.args.no_idempotency else self.store.find_existing(idem, rkey)
            if existing is not None:
                return ctx.render_list("service_requests", [self.post_reply_item(ctx, existing)])
            return self.validate_and_create(ctx, form, fields, rattr, rkey, idem)

    def validate_and_create(self, ctx, form, fields, rattr, rkey, idem):
        def val(name):
            return (fields.get(name) or "").strip()

        code = val("service_code")
        if not code:
            raise HttpError(400, "service_code is required")
        if code not in self.catalog.by_code:
            raise HttpError(404, "Service %s not found" % code)
        service = self.catalog.by_code[code]
        errors = []
        lat, lng = val("lat"), val("long")
        latf = lngf = None
        if bool(lat) != bool(lng):
            errors.append((400, "lat and long must be sent together"))
        elif lat:
            try:
                latf, lngf = float(lat), float(lng)
                if not (math.isfinite(latf) and math.isfinite(lngf) and -90 <= latf <= 90 and -180 <= lngf <= 180):
                    raise ValueError
            except ValueError:
                errors.append((400, "lat and long must be WGS84 decimal degrees"))
        if not (lat or lng) and not val("address_string") and not val("address_id"):
            errors.append((400, "A location is required: lat and long, address_string or address_id"))
        desc = fields.get("description") or ""
        if len(desc) > MAX_DESCRIPTION:
            errors.append((400, "description is longer than %d characters" % MAX_DESCRIPTION))

        # Attributes: collect values and the wire forms used.
        attrs = {}
        order = []
        for k, v in form:
            m = _ATTR_KEY.match(k)
            if not m:
                continue
            c, br = m.group(1), bool(m.group(2))
            if c not in attrs:
                attrs[c] = {"values": [], "brackets": 0, "plain": 0}
                order.append(c)
            attrs[c]["values"].append(v)
            attrs[c]["brackets" if br else "plain"] += 1
        defs = {a["code"]: a for a in self.catalog.attributes(code)}
        stored = {}
        bad_attrs = set()
        for c in order:
            a = attrs[c]
            d = defs.get(c)
            vals = [v for v in a["values"] if v.strip() != ""]
            nerr = len(errors)
            self.check_attribute(c, a, d, vals, errors, stored)
            if len(errors) != nerr:
                bad_attrs.add(c)
        for c, d in defs.items():
            if d["required"] and d["variable"] and c not in stored and c not in bad_attrs:
                errors.append((400, "%s is required: %s" % (c, d.get("description") or c)))
        if errors:
            raise HttpError(400, errors[0][1], errors)
        return self.create_request(ctx, form, fields, code, service, stored, rattr, rkey, idem,
                                   desc, latf, lngf)

    def check_attribute(self, c, a, d, vals, errors, stored):
        """Validates one attribute's values against its definition (d is None if undefined)."""
        if d is not None and d.get("datatype") == "multivaluelist":
            if a["brackets"] and self.multivalue == "repeat":
                errors.append((400, "attribute[%s][] is not accepted: send attribute[%s]=value once per value"
                               % (c, c)))
                return
            if a["plain"] and self.multivalue == "brackets":
                errors.append((400, "attribute[%s] is not accepted for a multivaluelist: send "
                               "attribute[%s][]=value once per value" % (c, c)))
                return
        elif d is not None:
            if a["brackets"] or len(a["values"]) > 1:
                errors.append((400, "attribute[%s] takes one value: send attribute[%s]=value" % (c, c)))
                return
        if not vals:
            return
        if d is not None and d.get("datatype") in ("singlevaluelist", "multivaluelist"):
            keys = {x["key"] for x in d["values"]}
            bad = [v for v in vals if v not in keys]
            if bad:
                errors.append((400, "%s: %s is not one of the allowed values" % (c, ", ".join(bad))))
                return
        if d is not None and d.get("datatype") == "number":
            try:
                if not math.isfinite(float(vals[0])):
                    raise ValueError
            except ValueError:
                errors.append((400, "%s must be a number" % c))
                return
        if d is not None and d.get("datatype") == "datetime" and parse_w3c(vals[0], self.tz) is None:
            errors.append((400, "%s must be an ISO 8601 date and time" % c))
            return
        multi = (d is not None and d.get("datatype") == "multivaluelist") or (d is None and len(vals) > 1)
        stored[c] = vals if multi else vals[0]

    def create_request(self, ctx, form, fields, code, service, stored, rattr, rkey, idem, desc,
                       latf, lngf):
        def val(name):
            return (fields.get(name) or "").strip()

        stype = self.service_type(code)
        now = time.time()
        notice = {
            "realtime": "Thank you. %s 311 has received your request." % self.catalog.city_name,
            "batch": "Thank you. Your request is queued; its reference number follows shortly.",
            "blackbox": "Thank you. %s 311 has received your request; this service does not give "
                        "reference numbers." % self.catalog.city_name,
        }[stype]
        raw = [[k, v] for k, v in form if k != "api_key"]
        row = {
            "type": stype,
            "receipt": rattr,
            "receipt_key": rkey,
            "idempotency_key": idem,
            "service_code": code,
            "service_name": service.get("service_name", ""),
            "status": "open",
            "status_notes": None,
            "description": desc or None,
            "agency_responsible": ("%s %s" % (self.catalog.city_name, service.get("group") or "311")).strip(),
            "service_notice": notice,
            "address_string": val("address_string") or None,
            "lat": latf,
            "long": lngf,
            "address_id": val("address_id") or None,
            "zipcode": val("zipcode") or None,
            "first_name": val("first_name") or None,
            "last_name": val("last_name") or None,
            "email": val("email") or None,
            "phone": val("phone") or None,
            "device_id": val("device_id") or None,
            "account_id": val("account_id") or None,
            "media_url": val("media_url") or None,
            "requested_datetime": now,
            "updated_datetime": now,
            "expected_datetime": None,
            "token_polls": 0,
            "id_revealed": 1 if stype == "realtime" else 0,
            "attributes": json.dumps(stored, ensure_ascii=False),
            "raw_form": json.dumps(raw, ensure_ascii=False),
        }
        numeric = ctx.q("numeric_codes")
        zero = ctx.q("first_id_zero")
        prefix = self.args.id_prefix

        def make_id(pk, db):
            if zero and db.execute("SELECT 1 FROM requests WHERE id = '0'").fetchone() is None:
                return "0"
            if numeric:
                return str(100000 + pk)
            return "%s-%06d" % (prefix, pk)

        def make_token(pk):
            if numeric:
                return str(900000 + pk)
            return "TK-%06d-%s" % (pk, secrets.token_hex(3))

        created = self.store.create(row, make_id, make_token)
        return ctx.render_list("service_requests", [self.post_reply_item(ctx, created)])

    # -- resident status page -------------------------------------------------------------------

    def status_page(self, req):
        if req.method != "GET":
            raise HttpError(405, "Method not allowed")
        typed = req.path[len("/status/"):] if req.path.startswith("/status/") else req.qget("receipt")
        typed = typed.strip().strip("/")
        row = self.store.by_receipt(receipt_lookup_keys(typed))
        city = self.catalog.city_name
        if row is None:
            shown = group_receipt(receipt_key(typed)) if typed else ""
            body = page(
                "Request not found — %s 311" % city, city,
                ("<h2>Request %s</h2>" % esc(shown) if shown else "")
                + "<p class=\"big\">We have not received this request yet. Kiosks send requests as soon "
                  "as they are connected; check again later.</p>"
                + lookup_form(typed))
            return Reply(404, "html", body, headers=[("Cache-Control", "no-store")])
        shown = group_receipt(row["receipt_key"])
        closed = row["status"] == "closed"
        word = "Closed" if closed else "Open"
        explain = ("The city has finished work on this request." if closed
                   else "The city has this request and will work on it.")
        if row["type"] == "blackbox":
            ref = "None: this service does not give reference numbers."
        elif not row["id_revealed"]:
            ref = "Being assigned. Check again soon."
        else:
            ref = row["id"]
        rows = [
            ("Service", esc(row["service_name"] or row["service_code"])),
            ("Status", '<span class="status %s">%s</span> %s' % (word.lower(), word, esc(explain))),
        ]
        if row["status_notes"]:
            rows.append(("Notes from the city", esc(row["status_notes"])))
        rows.append(("Filed", self.human_time(row["requested_datetime"])))
        rows.append(("Last updated", self.human_time(row["updated_datetime"])))
        if row["expected_datetime"]:
            rows.append(("Expected by", self.human_time(row["expected_datetime"])))
        rows.append(("City reference number", esc(ref)))
        dl = "".join("<dt>%s</dt><dd>%s</dd>" % (k, v) for k, v in rows)
        body = page("Request %s — %s 311" % (shown, city), city,
                    "<h2>Request %s</h2><dl>%s</dl>" % (esc(shown), dl)
                    + ("<p>Questions? Call %s.</p>" % esc(self.catalog.city_phone) if self.catalog.city_phone else ""))
        return Reply(200, "html", body, headers=[("Cache-Control", "no-store")])

    def human_time(self, ts):
        d = dt.datetime.fromtimestamp(ts, self.tz)
        hour = d.strftime("%I").lstrip("0") or "12"
        text = "%s %d, %d, %s:%s %s" % (d.strftime("%B"), d.day, d.year, hour, d.strftime("%M"), d.strftime("%p"))
        tzname = d.strftime("%Z")
        if tzname:
            text += " " + tzname
        return '<time datetime="%s">%s</time>' % (esc(d.replace(microsecond=0).isoformat()), esc(text))

    # -- admin ----------------------------------------------------------------------------------

    def admin(self, req):
        p = req.path.rstrip("/")
        m = req.method

        def body_json(default=None):
            if not req.body.strip():
                return default
            try:
                return json.loads(req.body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                raise AdminError(400, "body is not JSON: %s" % e)

        try:
            if p == "/admin/health" and m == "GET":
                return jreply({"ok": True})
            if p == "/admin/counts" and m == "GET":
                with self.in_flight_lock:
                    busy = self.in_flight
                return jreply(dict(self.store.counts(), in_flight=busy))
            if p == "/admin/requests" and m == "GET":
                return jreply([self.admin_item(r) for r in self.store.all()])
            mm = re.fullmatch(r"/admin/requests/(.+)/status", p)
            if mm and m == "POST":
                row = self.store.find_admin(mm.group(1))
                if row is None:
                    raise AdminError(404, "no request %s" % mm.group(1))
                b = body_json({})
                if not isinstance(b, dict):
                    raise AdminError(400, "body must be a JSON object")
                changes = {}
                if "status" in b:
                    if b["status"] not in ("open", "closed"):
                        raise AdminError(400, "status must be open or closed")
                    changes["status"] = b["status"]
                if "status_notes" in b:
                    if b["status_notes"] is not None and not isinstance(b["status_notes"], str):
                        raise AdminError(400, "status_notes must be a string or null")
                    changes["status_notes"] = b["status_notes"] or None
                if "expected_datetime" in b:
                    e = b["expected_datetime"]
                    ts = None if e in (None, "") else parse_w3c(e, self.tz)
                    if e not in (None, "") and ts is None:
                        raise AdminError(400, "expected_datetime is not a W3C datetime")
                    changes["expected_datetime"] = ts
                changes["updated_datetime"] = time.time()
                return jreply(self.admin_item(self.store.update(row["pk"], changes)))
            if p == "/admin/faults" and m == "GET":
                return jreply(self.faults.list())
            if p == "/admin/faults" and m == "POST":
                b = body_json(None)
                items = b if isinstance(b, list) else [b]
                try:
                    for f in items:
                        validate_fault(f)
                except ValueError as e:
                    raise AdminError(400, str(e))
                added = [self.faults.add(f) for f in items]
                return jreply(added if isinstance(b, list) else added[0])
            mm = re.fullmatch(r"/admin/faults/(\d+)", p)
            if mm and m == "DELETE":
                if not self.faults.remove(int(mm.group(1))):
                    raise AdminError(404, "no fault %s" % mm.group(1))
                return jreply({"ok": True})
            if p == "/admin/reset" and m == "POST":
                b = body_json({})
                self.faults.clear()
                if isinstance(b, dict) and b.get("data"):
                    self.store.reset_data()
                return jreply({"ok": True})
            if p == "/admin/config" and m in ("GET", "POST"):
                if m == "POST":
                    self.configure(body_json({}))
                return jreply(self.config())
            raise AdminError(404, "no admin endpoint %s %s" % (m, p))
        except AdminError as e:
            return jreply({"error": e.message}, e.status)

    def config(self):
        return {
            "token_polls": self.token_polls,
            "multivalue": self.multivalue,
            "service_types": {s["service_code"]: self.service_type(s["service_code"]) for s in self.catalog.services},
            "api_key_required": self.args.api_key is not None,
            "jurisdiction": self.args.jurisdiction,
            "receipt_attribute": self.args.receipt_attribute,
        }

    def configure(self, b):
        if not isinstance(b, dict):
            raise AdminError(400, "body must be a JSON object")
        if "token_polls" in b:
            n = b["token_polls"]
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                raise AdminError(400, "token_polls must be an integer >= 0")
            self.token_polls = n
        if "multivalue" in b:
            if b["multivalue"] not in MULTIVALUE_MODES:
                raise AdminError(400, "multivalue must be brackets, repeat or both")
            self.multivalue = b["multivalue"]
        if "service_types" in b:
            st = b["service_types"]
            if not isinstance(st, dict):
                raise AdminError(400, "service_types must be an object code -> type")
            for c, t in st.items():
                if c not in self.catalog.by_code or t not in SERVICE_TYPES:
                    raise AdminError(400, "bad service type %s=%s" % (c, t))
            self.service_types.update(st)


class AdminError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def jreply(v, status=200):
    return Reply(status, "json", (json.dumps(v, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


def esc(s):
    return html.escape("" if s is None else str(s), quote=True)


STYLE = (
    "body{margin:0;background:#fff;color:#111;font-family:system-ui,-apple-system,'Segoe UI',"
    "Roboto,'Noto Sans',sans-serif;font-size:1.25rem;line-height:1.5}"
    "header{background:#0b3d6e;color:#fff;padding:1rem}"
    "header h1{margin:0;font-size:1.5rem}"
    "main{padding:1rem;max-width:40rem}"
    "h2{font-size:1.5rem;margin:.5rem 0 1rem}"
    "dt{font-weight:700;margin-top:1rem}dd{margin:0;overflow-wrap:anywhere}"
    ".status{display:inline-block;padding:.1rem .6rem;border:2px solid #111;border-radius:.4rem;"
    "font-weight:700}"
    ".open{background:#fff0b3}.closed{background:#d4f0d4}"
    ".big{font-size:1.4rem}"
    "label{display:block;font-weight:700;margin-top:1.5rem}"
    "input{font-size:1.25rem;padding:.5rem;border:2px solid #111;border-radius:.4rem;"
    "max-width:100%;box-sizing:border-box}"
    "button{font-size:1.25rem;padding:.5rem 1rem;margin-top:.5rem;border:2px solid #0b3d6e;"
    "border-radius:.4rem;background:#0b3d6e;color:#fff;min-height:44px}"
    "a{color:#0b3d6e}"
)


def page(title, city, content):
    doc = (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n"
        "<header><h1>%s 311</h1></header>\n<main>\n%s\n</main>\n</body>\n</html>\n"
        % (esc(title), STYLE, esc(city), content)
    )
    return doc.encode("utf-8")


def lookup_form(typed):
    return (
        "<form action=\"/status\" method=\"get\">"
        "<label for=\"receipt\">Receipt code</label>"
        "<input id=\"receipt\" name=\"receipt\" autocomplete=\"off\" autocapitalize=\"characters\" "
        "value=\"%s\"> <button type=\"submit\">Check</button></form>" % esc(typed)
    )


# ---------------------------------------------------------------------------------------------
# HTTP


def redact(raw_path):
    return re.sub(r"(?i)(api_key=)[^&]*", r"\1***", raw_path)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (BrokenPipeError, ConnectionResetError, socket.timeout, TimeoutError)):
            return
        if type(exc).__module__ == "ssl":  # a client refused our certificate: its business
            log("TLS handshake with %s:%s failed: %s" % (client_address[0], client_address[1], exc))
            return
        super().handle_error(request, client_address)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, Nagle's algorithm and the client's
    # delayed ACK hold every reply for ~40 ms, and the server, not the kiosk, sets the pace.
    disable_nagle_algorithm = True
    server_version = "CivicKioskOpen311/1.0"
    sys_version = ""
    timeout = 60
    app = None  # set by main
    quiet = False
    head_only = False

    def setup(self):
        if hasattr(self.request, "do_handshake"):  # HTTPS (--tls-cert)
            self.request.settimeout(self.timeout)
            self.request.do_handshake()
        super().setup()

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):  # noqa: A003 - our own log line instead
        pass

    def log_error(self, fmt, *args):
        if not self.quiet:
            log("%s %s" % (self.client_address[0], fmt % args))

    def do_GET(self):
        self.head_only = False
        self.dispatch("GET")

    def do_HEAD(self):
        self.head_only = True
        self.dispatch("GET")

    def handle_expect_100(self):
        """Refuses an oversized body before the client sends it."""
        try:
            too_big = int(self.headers.get("Content-Length") or 0) > MAX_BODY
        except ValueError:
            too_big = False
        if too_big:
            self.head_only = False
            self.sent_status = None
            self.send_reply(error_reply("json" if ".json" in self.path else "text",
                                        HttpError(413, "Request body too large")), close=True)
            return False
        return super().handle_expect_100()

    def do_POST(self):
        self.head_only = False
        self.dispatch("POST")

    def do_DELETE(self):
        self.head_only = False
        self.dispatch("DELETE")

    def do_PUT(self):
        self.head_only = False
        self.dispatch("PUT")

    # -- body -----------------------------------------------------------------------------------

    def read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            out = bytearray()
            while True:
                line = self.rfile.readline(1024)
                if not line:
                    raise HttpError(400, "Incomplete chunked body")
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise HttpError(400, "Bad chunk size")
                if size == 0:
                    while True:  # trailers
                        t = self.rfile.readline(8192)
                        if t in (b"\r\n", b"\n", b""):
                            break
                    return bytes(out)
                if len(out) + size > MAX_BODY:
                    raise HttpError(413, "Request body too large")
                chunk = self.rfile.read(size)
                if len(chunk) != size:
                    raise HttpError(400, "Incomplete chunked body")
                out += chunk
                self.rfile.readline(16)
        cl = self.headers.get("Content-Length")
        if cl is None:
            return b""
        try:
            n = int(cl)
            if n < 0:
                raise ValueError
        except ValueError:
            raise HttpError(400, "Bad Content-Length")
        if n > MAX_BODY:
            raise HttpError(413, "Request body too large")
        data = self.rfile.read(n)
        if len(data) != n:
            raise HttpError(400, "Incomplete body")
        return data

    # -- sending --------------------------------------------------------------------------------

    def send_reply(self, reply, content_length=None, close=False):
        body = reply.body
        self.send_response(reply.status)
        self.send_header("Content-Type", CTYPES.get(reply.fmt, CTYPES["text"]))
        self.send_header("Content-Length", str(len(body) if content_length is None else content_length))
        for k, v in reply.headers:
            self.send_header(k, v)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if not self.head_only:
            self.wfile.write(body)
        self.sent_status = reply.status
        self.sent_bytes = len(body)

    def hard_close(self):
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # -- one request ----------------------------------------------------------------------------

    def dispatch(self, method):
        t0 = time.monotonic()
        self.sent_status = None
        self.sent_bytes = 0
        note = ""
        app = self.app
        port = self.server.server_address[1]
        counted = not self.path.startswith("/admin")
        if counted:
            with app.in_flight_lock:
                app.in_flight += 1
        try:
            try:
                body = self.read_body()
            except HttpError as e:
                req = Request(method, self.path, self.headers, b"")
                self.send_reply(error_reply(req.fmt if req.fmt in FORMATS else "text", e), close=True)
                return
            req = Request(method, self.path, self.headers, body)
            if req.is_post_request:
                try:
                    app.count_post(req)
                except HttpError:
                    pass
            delay, fault, quirks = app.faults.pick(method, req.path)
            if delay:
                note += " delay=%dms" % delay
                time.sleep(delay / 1000.0)
            if fault is None:
                self.send_reply(app.handle(req, quirks, port))
            else:
                note += " fault=%s" % fault["kind"]
                self.apply_fault(fault, req, quirks, port)
            if quirks:
                note += " quirks=%s" % ",".join(sorted(quirks))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            note += " (client went away)"
        except Exception as e:  # noqa: BLE001 - a bug here must not kill the connection silently
            import traceback
            traceback.print_exc(file=sys.stderr)
            note += " (internal error: %s)" % type(e).__name__
            if self.sent_status is None:
                try:
                    self.send_reply(Reply(500, "text", b"500 Internal Server Error\n"), close=True)
                except OSError:
                    self.close_connection = True
            else:
                self.close_connection = True
        finally:
            if counted:
                with app.in_flight_lock:
                    app.in_flight -= 1
            if not self.quiet:
                log("%s %s %s %s %dB %dms%s" % (
                    self.client_address[0], method, redact(self.path),
                    self.sent_status if self.sent_status is not None else "-",
                    self.sent_bytes, (time.monotonic() - t0) * 1000, note))

    def apply_fault(self, f, req, quirks, port):
        app = self.app
        kind = f["kind"]
        commit = bool(f.get("commit", False))
        side_effects = req.is_post_request or req.endpoint == "tokens/*"
        fmt = req.fmt if req.fmt in FORMATS else ("html" if req.fmt == "html" else "text")

        def real_or_fake():
            if commit or not side_effects:
                return app.handle(req, quirks, port)
            return fake_reply(app, req, fmt)

        if kind == "status":
            if commit:
                app.handle(req, quirks, port)
            st = f["status"]
            headers = []
            if "retry_after" in f:
                headers.append(("Retry-After", str(f["retry_after"])))
            if st < 500 and fmt in FORMATS:
                desc = f.get("body") or {
                    400: "General service error: the city's system is down",
                    403: "Invalid or missing api_key",
                    404: "Not found",
                    429: "Too many requests; slow down",
                }.get(st, "Error %d" % st)
                reply = Reply(st, fmt, error_body(fmt, [(st, desc)]), headers)
            else:
                text = f.get("body") or "%d %s\n" % (st, http.server.BaseHTTPRequestHandler.responses.get(
                    st, ("Error",))[0])
                reply = Reply(st, "text", text.encode("utf-8"), headers)
            self.send_reply(reply)
        elif kind == "delay":  # pragma: no cover - delays are never terminal
            self.send_reply(app.handle(req, quirks, port))
        elif kind == "drop_after_body":
            if commit:
                app.handle(req, quirks, port)
            self.sent_status = "dropped"
            self.hard_close()
        elif kind == "redirect":
            if commit:
                app.handle(req, quirks, port)
            self.send_reply(Reply(f["status"], "text", b"", [("Location", f["location"])]))
        elif kind == "malformed":
            r = real_or_fake()
            b = r.body
            cut = max(1, len(b) // 2)
            r2 = Reply(200, r.fmt, b[:cut] + b"\x01<{\"", r.headers)
            self.send_reply(r2)
        elif kind == "truncated":
            r = real_or_fake()
            r.status = 200
            self.send_reply(r, content_length=len(r.body) + f["missing"], close=True)
            self.hard_close()
        elif kind == "wrong_types":
            r = real_or_fake()
            if r.data is None or r.root is None:
                r = fake_reply(app, req, fmt)
            self.send_reply(wrong_types_reply(r))
        elif kind == "oversized":
            r = real_or_fake()
            self.send_oversized(r, f["bytes"])
        elif kind == "drip":
            self.send_drip(real_or_fake(), f["ms"])

    def send_drip(self, r, ms):
        """The whole reply, status line and headers too, one byte every ms milliseconds, until
        it is sent or the client gives up: a server on a link that barely moves."""
        head = "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (
            r.status, http.server.BaseHTTPRequestHandler.responses.get(r.status, ("Error",))[0],
            CTYPES.get(r.fmt, CTYPES["text"]), len(r.body))
        data = head.encode("ascii") + (b"" if self.head_only else r.body)
        self.sent_status = r.status
        self.close_connection = True
        for i in range(len(data)):
            try:
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
            except OSError:
                break
            self.sent_bytes = i + 1
            time.sleep(ms / 1000.0)

    def send_oversized(self, r, total):
        head, tail = oversized_parts(r.body, r.fmt)
        pad = max(0, total - len(head) - len(tail))
        self.send_response(200)
        self.send_header("Content-Type", CTYPES.get(r.fmt, CTYPES["text"]))
        self.send_header("Content-Length", str(len(head) + pad + len(tail)))
        self.end_headers()
        self.sent_status = 200
        self.wfile.write(head)
        chunk = b"x" * 65536
        left = pad
        while left > 0:
            n = min(left, len(chunk))
            self.wfile.write(chunk[:n] if n < len(chunk) else chunk)
            left -= n
        self.wfile.write(tail)
        self.sent_bytes = len(head) + pad + len(tail)


def fake_reply(app, req, fmt):
    """A plausible reply for a faulted request whose real handling was not committed."""
    ctx = Ctx(app, fmt if fmt in FORMATS else "json", set(), "")
    if req.endpoint == "tokens/*":
        data = [{"service_request_id": "", "token": req.arg or ""}]
    else:
        data = [{"service_request_id": "%s-999999" % app.args.id_prefix,
                 "service_notice": "Thank you.", "account_id": None}]
    if fmt not in FORMATS:
        return Reply(200, fmt if fmt in CTYPES else "text", json_doc(data), data=data, root="service_requests")
    return ctx.render_list("service_requests", data)


def wrong_types(v, top=True):
    """Objects become lists of one-key objects; scalars become objects; top-level lists stay."""
    if isinstance(v, list):
        return [wrong_types(x, False) for x in v] if top else {"item": [wrong_types(x, False) for x in v]}
    if isinstance(v, dict):
        return [{k: wrong_types(x, False)} for k, x in v.items()]
    return {"value": v}


def wrong_types_xml(tag, v):
    if isinstance(v, list):
        item = ITEM_TAGS.get(tag, "item")
        return "<%s>%s</%s>" % (tag, "".join(wrong_types_xml(item, x) for x in v), tag)
    if isinstance(v, dict):
        return "<%s>%s</%s>" % (tag, "".join(wrong_types_xml(k, x) for k, x in v.items()), tag)
    return "<%s><value>%s</value><value/></%s>" % (tag, xml_text("" if v is None else v), tag)


def wrong_types_reply(r):
    if r.fmt == "xml":
        body = (XML_DECL + wrong_types_xml(r.root, r.data) + "\n").encode("utf-8")
        return Reply(200, "xml", body)
    return Reply(200, "json", json_doc(wrong_types(r.data)))


def oversized_parts(body, fmt):
    """Splits a valid body into head + tail so that padding between them keeps it valid."""
    s = body.rstrip()
    if fmt == "json":
        if s.endswith(b"]"):
            inner = s[:-1]
            sep = b"" if inner.strip() == b"[" else b","
            return inner + sep + b'{"padding":"', b'"}]\n'
        if s.endswith(b"}"):
            inner = s[:-1]
            sep = b"" if inner.strip() == b"{" else b","
            return inner + sep + b'"padding":"', b'"}\n'
        return s + b" ", b"\n"
    idx = s.rfind(b"</")
    if idx < 0:
        return s + b"\n<!-- ", b" -->\n"
    return s[:idx] + b"<!-- ", b" -->" + s[idx:] + b"\n"


# ---------------------------------------------------------------------------------------------
# Main


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="server.py",
        description="Civic Kiosk reference Open311 (GeoReport v2) server.")
    p.add_argument("--db", required=True, help="SQLite file (created if missing)")
    p.add_argument("--catalog", required=True, help="city config JSON with services and definitions")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8311, help="0 = any free port (default 8311)")
    p.add_argument("--port-file", help="write the bound port here (atomically) once listening")
    p.add_argument("--api-key", help="require this api_key on POST requests")
    p.add_argument("--jurisdiction", help="require this jurisdiction_id on POST requests")
    p.add_argument("--multivalue", choices=MULTIVALUE_MODES, default="both",
                   help="multivaluelist wire form accepted (default both)")
    p.add_argument("--token-polls", type=int, default=1,
                   help="polls of a batch token that return no id yet (default 1)")
    p.add_argument("--service-type", action="append", default=[], metavar="CODE=TYPE",
                   help="override a service's type (realtime|batch|blackbox); repeatable")
    p.add_argument("--receipt-attribute", default="kiosk_receipt",
                   help="attribute carrying the kiosk receipt code (default kiosk_receipt)")
    p.add_argument("--id-prefix", default="RVT", help="prefix of service request ids (default RVT)")
    p.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate (needs --tls-key)")
    p.add_argument("--tls-key", help="the PEM private key of --tls-cert")
    p.add_argument("--no-idempotency", action="store_true",
                   help="do not deduplicate POSTs by Idempotency-Key or receipt attribute "
                        "(like most real servers); /admin/counts still counts the copies")
    p.add_argument("--fault", action="append", default=[], metavar="JSON", help="a fault switch; repeatable")
    p.add_argument("--seed", type=int, default=1, help="seed for probabilistic faults (default 1)")
    p.add_argument("--quiet", action="store_true", help="no per-request log lines")
    a = p.parse_args(argv)
    if a.token_polls < 0:
        p.error("--token-polls must be >= 0")
    if not 0 <= a.port <= 65535:
        p.error("--port must be 0..65535")
    a.service_type_map = {}
    for st in a.service_type:
        code, eq, t = st.partition("=")
        if not eq or t not in SERVICE_TYPES:
            p.error("--service-type wants CODE=realtime|batch|blackbox, got %r" % st)
        a.service_type_map[code] = t
    a.faults = []
    for fs in a.fault:
        try:
            a.faults.append(validate_fault(json.loads(fs)))
        except ValueError as e:
            p.error("--fault %s: %s" % (fs, e))
    return a, p


def write_port_file(path, port):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w", encoding="ascii") as fh:
        fh.write("%d\n" % port)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def main(argv=None):
    args, parser = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        catalog = Catalog(args.catalog)
    except (OSError, ValueError) as e:
        parser.error("--catalog %s: %s" % (args.catalog, e))
    for code in args.service_type_map:
        if code not in catalog.by_code:
            parser.error("--service-type: unknown service %s" % code)
    try:
        store = Store(args.db)
    except sqlite3.Error as e:
        parser.error("--db %s: %s" % (args.db, e))
    faults = Faults(args.seed)
    for f in args.faults:
        faults.add(f)
    app = App(args, catalog, store, faults)
    handler = type("BoundHandler", (Handler,), {"app": app, "quiet": args.quiet})
    try:
        server = Server((args.host, args.port), handler)
    except OSError as e:
        store.close()
        log("cannot listen on %s:%s: %s" % (args.host, args.port, e))
        return 1
    port = server.server_address[1]
    if args.tls_cert:
        # HTTPS, for the kiosk's certificate and pinning tests. The handshake runs in the
        # request's own thread, so a client that refuses the certificate stalls nobody.
        import ssl
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = tls.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)

    stopping = threading.Event()

    def on_signal(signum, _frame):
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if args.port_file:
        write_port_file(args.port_file, port)
    log("listening on http://%s:%d%s (db %s, %d services)" % (
        args.host, port, API_PREFIX.rstrip("/"), args.db, len(catalog.services)))
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        store.close()
        if args.port_file:
            try:
                with open(args.port_file, encoding="ascii") as fh:
                    mine = fh.read().strip() == str(port)
                if mine:
                    os.unlink(args.port_file)
            except OSError:
                pass
        log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
