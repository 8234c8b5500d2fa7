#!/usr/bin/env python3
"""Civic Kiosk fleet server, for local testing and small fleets (docs/fleet.md).

Serves a folder's signed configuration bundle (bundle.json and bundle.json.minisig, with a
strong ETag and 304s), takes the kiosks' heartbeats (POST /heartbeat), keeps the latest one of
each kiosk in memory and in FOLDER/heartbeats/<kiosk_id>.json, and shows the fleet dashboard
at / (rendered by dashboard.py beside this file) and the same picture as JSON at /api/kiosks.

Threads: one per connection (ThreadingHTTPServer); the kiosks' state is behind Fleet.lock.
Python 3 standard library only. See README.md beside this file.
"""

import argparse
import base64
import hashlib
import http.server
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import urllib.parse

import dashboard
from heartbeat import kiosk_flags, number, parse_time, utc_iso

MAX_HEARTBEAT = 256 * 1024
MAX_DRAIN = 8 << 20  # an oversized body up to this is read and dropped, so the 413 arrives
KIOSK_ID = re.compile(r"[0-9A-Z]{2}")
DEFAULT_STALE_AFTER = 900
# A bundle file that does not look complete and changed less than this ago is being written:
# it is read again (every SETTLE_STEP) until it looks complete or this much time has passed.
SETTLE_SECONDS = 1.0
SETTLE_STEP = 0.1
BUNDLE_FILES = {
    "/bundle.json": ("bundle.json", "application/json"),
    "/bundle.json.minisig": ("bundle.json.minisig", "text/plain; charset=utf-8"),
}
CTYPES = {
    "json": "application/json; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "text": "text/plain; charset=utf-8",
}


def log(msg):
    try:
        sys.stderr.write("fleet-server: %s\n" % msg)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


# ---------------------------------------------------------------------------------------------
# Errors and replies


class HttpError(Exception):
    def __init__(self, status, message, headers=None, close=False):
        super().__init__(message)
        self.status = status
        self.headers = list(headers or [])
        self.close = close


class Reply:
    def __init__(self, status=200, ctype="text", body=b"", headers=None):
        self.status = status
        self.ctype = ctype
        self.body = body
        self.headers = list(headers or [])


def json_body(v):
    return (json.dumps(v, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def reject_constant(name):
    raise ValueError("%s is not allowed in JSON" % name)


def parse_heartbeat(body):
    """The request body -> the heartbeat object, or HttpError(400) saying what is wrong."""
    if not body.strip():
        raise HttpError(400, "heartbeat refused: the body is empty (send the heartbeat JSON object)")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise HttpError(400, "heartbeat refused: the body is not UTF-8 (byte %d)" % e.start)
    try:
        hb = json.loads(text, parse_constant=reject_constant)
    except RecursionError:
        raise HttpError(400, "heartbeat refused: the JSON is nested too deeply")
    except ValueError as e:
        raise HttpError(400, "heartbeat refused: the body is not valid JSON: %s" % e)
    if not isinstance(hb, dict):
        raise HttpError(400, "heartbeat refused: the body must be a JSON object, not %s"
                        % type(hb).__name__)
    if "kiosk_id" not in hb:
        raise HttpError(400, "heartbeat refused: kiosk_id is missing")
    kid = hb["kiosk_id"]
    if not isinstance(kid, str) or not KIOSK_ID.fullmatch(kid):
        shown = json.dumps(kid, ensure_ascii=True)
        if len(shown) > 40:
            shown = shown[:40] + "..."
        raise HttpError(400, "heartbeat refused: kiosk_id must be 2 characters, each 0-9 or A-Z "
                             "(got %s)" % shown)
    return hb


# ---------------------------------------------------------------------------------------------
# The bundle files


def read_whole(path):
    """The file's bytes and mtime, or None when it does not exist. The size and mtime are
    checked before and after the read, so a file being rewritten in place is read again."""
    for _ in range(20):
        try:
            with open(path, "rb") as fh:
                before = os.fstat(fh.fileno())
                data = fh.read()
                after = os.fstat(fh.fileno())
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None
        except OSError as e:
            raise HttpError(500, "cannot read %s: %s" % (os.path.basename(path), e.strerror))
        if (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns) \
                and len(data) == after.st_size:
            return data, after.st_mtime
        time.sleep(0.02)
    raise HttpError(503, "%s keeps changing; try again" % os.path.basename(path),
                    headers=[("Retry-After", "5")])


def looks_complete(name, data):
    """bundle.json parses as JSON; a minisig has minisign's four lines, its two signatures
    whole (74 bytes: algorithm, key id, signature; then the 64-byte global signature)."""
    if name == "bundle.json":
        try:
            json.loads(data)
            return True
        except (ValueError, RecursionError):
            return False
    lines = data.splitlines()
    if len(lines) != 4 or not lines[2].startswith(b"trusted comment: "):
        return False
    try:
        return (len(base64.b64decode(lines[1], validate=True)) == 74
                and len(base64.b64decode(lines[3], validate=True)) == 64)
    except ValueError:
        return False


def read_bundle_file(path):
    """Reads a bundle file whole, waiting (at most SETTLE_SECONDS) while it is visibly being
    written: incomplete and modified just now. An incomplete file that is not changing any more
    is served as it is; the kiosk refuses it and says why."""
    name = os.path.basename(path)
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        got = read_whole(path)
        if got is None:
            return None
        data, mtime = got
        if looks_complete(name, data):
            return data
        if time.time() - mtime > SETTLE_SECONDS or time.monotonic() >= deadline:
            log("warning: %s does not look complete (%d bytes); served as it is" % (name, len(data)))
            return data
        time.sleep(SETTLE_STEP)


def etag_of(data):
    return '"%s"' % hashlib.sha256(data).hexdigest()


def etag_matches(header, etag):
    """If-None-Match uses the weak comparison (RFC 9110 13.1.2): W/ is ignored."""
    if header is None:
        return False
    if header.strip() == "*":
        return True
    for tag in header.split(","):
        tag = tag.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag == etag:
            return True
    return False


def bundle_summary(folder):
    """What the dashboard says about the bundle the folder serves now (never raises)."""
    info = {"present": False, "valid": False, "version": None, "expires": None, "note": None,
            "size": 0, "etag": None, "signature": False, "error": None}
    try:
        got = read_whole(os.path.join(folder, "bundle.json"))
    except HttpError as e:
        info["error"] = str(e)
        return info
    info["signature"] = os.path.isfile(os.path.join(folder, "bundle.json.minisig"))
    if got is None:
        return info
    data = got[0]
    info.update(present=True, size=len(data), etag=etag_of(data))
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError) as e:
        info["error"] = "bundle.json is not valid JSON: %s" % e
        return info
    meta = doc.get("bundle") if isinstance(doc, dict) else None
    if not isinstance(meta, dict):
        info["error"] = "bundle.json has no \"bundle\" object"
        return info
    info.update(valid=True, version=number(meta.get("version")), expires=meta.get("expires"),
                note=meta.get("note") if isinstance(meta.get("note"), str) else None)
    return info


# ---------------------------------------------------------------------------------------------
# The fleet: the latest heartbeat of each kiosk


class Fleet:
    def __init__(self, folder, stale_after):
        self.folder = folder
        self.hb_dir = os.path.join(folder, "heartbeats")
        self.stale_after = stale_after
        self.lock = threading.Lock()
        self.kiosks = {}  # kiosk_id -> stored heartbeat (with received_at)
        self.save_error = None  # shown on the dashboard until a heartbeat is saved again
        self.seq = 0

    def load(self):
        """Loads FOLDER/heartbeats/*.json; returns (kiosks loaded, [(file, why skipped)])."""
        skipped = []
        try:
            os.makedirs(self.hb_dir, exist_ok=True)
            names = sorted(os.listdir(self.hb_dir))
        except OSError as e:
            self.save_error = "cannot use %s: %s" % (self.hb_dir, e.strerror)
            log("warning: " + self.save_error)
            return 0, skipped
        for name in names:
            if name.startswith(".") and ".json.tmp." in name:  # left by a crash mid-write
                try:
                    os.unlink(os.path.join(self.hb_dir, name))
                except OSError:
                    pass
                continue
            if not name.endswith(".json"):
                continue
            kid = name[:-5]
            path = os.path.join(self.hb_dir, name)
            try:
                with open(path, "rb") as fh:
                    hb = parse_heartbeat(fh.read())
                if hb["kiosk_id"] != kid:
                    raise HttpError(400, "kiosk_id %s in a file named %s" % (hb["kiosk_id"], name))
                if parse_time(hb.get("received_at")) is None:
                    hb["received_at"] = utc_iso(os.path.getmtime(path))
            except (OSError, HttpError) as e:
                skipped.append((name, str(e)))
                continue
            self.kiosks[kid] = hb
        return len(self.kiosks), skipped

    def record(self, hb, now):
        """Stores a valid heartbeat with its receipt time, in memory and on disk (atomically).
        A disk failure is logged and shown on the dashboard; the heartbeat is still kept."""
        hb = dict(hb, received_at=utc_iso(now))
        data = json.dumps(hb, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
        with self.lock:
            self.kiosks[hb["kiosk_id"]] = hb
            self.seq += 1
            try:
                self._write(hb["kiosk_id"], data)
                self.save_error = None
            except OSError as e:
                self.save_error = "cannot save heartbeats in %s: %s" % (self.hb_dir, e.strerror or e)
                log("error: " + self.save_error)

    def _write(self, kid, data):
        os.makedirs(self.hb_dir, exist_ok=True)
        final = os.path.join(self.hb_dir, kid + ".json")
        tmp = os.path.join(self.hb_dir, ".%s.json.tmp.%d.%d" % (kid, os.getpid(), self.seq))
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        fd = os.open(self.hb_dir, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def view(self, now):
        """Every kiosk's latest heartbeat plus the server's figures, flagged kiosks first."""
        with self.lock:
            items = [dict(hb) for hb in self.kiosks.values()]
            save_error = self.save_error
        out = []
        for hb in items:
            received = parse_time(hb.get("received_at"))
            hb["flags"] = kiosk_flags(hb, now, self.stale_after)
            hb["heartbeat_age_seconds"] = None if received is None else max(0, int(now - received))
            out.append(hb)
        out.sort(key=lambda k: (not k["flags"], k["kiosk_id"]))
        return out, save_error


# ---------------------------------------------------------------------------------------------
# HTTP


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (BrokenPipeError, ConnectionResetError, socket.timeout, TimeoutError)):
            return
        super().handle_error(request, client_address)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # A request line too broken to name its version still gets a status line with its 400
    # (the default, HTTP/0.9, answers with a bare page a client cannot tell from a reply).
    default_request_version = "HTTP/1.0"
    disable_nagle_algorithm = True  # headers and body are two writes; no 40 ms delayed ACK
    server_version = "CivicKioskFleet/1.0"
    sys_version = ""
    timeout = 60
    fleet = None  # set by main
    quiet = False
    head_only = False

    # path -> allowed methods (HEAD goes with GET)
    ROUTES = {
        "/": ("GET",),
        "/api/kiosks": ("GET",),
        "/heartbeat": ("POST",),
        "/bundle.json": ("GET",),
        "/bundle.json.minisig": ("GET",),
    }

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):  # noqa: A003 - our own log line instead
        pass

    def log_error(self, fmt, *args):
        if not self.quiet:
            log("%s %s" % (self.client_address[0], fmt % args))

    def do_GET(self):
        self.dispatch("GET")

    def do_HEAD(self):
        self.dispatch("GET", head_only=True)

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def handle_expect_100(self):
        """Refuses an oversized heartbeat before the client sends it."""
        try:
            too_big = int(self.headers.get("Content-Length") or 0) > MAX_HEARTBEAT
        except ValueError:
            too_big = False
        if too_big:
            self.head_only = False
            self.send_error_reply(HttpError(413, self.too_big_message(), close=True), "json")
            return False
        return super().handle_expect_100()

    @staticmethod
    def too_big_message():
        return "heartbeat refused: the body is larger than %d KiB" % (MAX_HEARTBEAT // 1024)

    # -- body -----------------------------------------------------------------------------------

    def read_body(self):
        """The request body (at most MAX_HEARTBEAT bytes), or HttpError."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            out = bytearray()
            while True:
                line = self.rfile.readline(1024)
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise HttpError(400, "bad chunked body", close=True)
                if size == 0:
                    while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return bytes(out)
                if len(out) + size > MAX_HEARTBEAT:
                    raise HttpError(413, self.too_big_message(), close=True)
                chunk = self.rfile.read(size)
                if len(chunk) != size:
                    raise HttpError(400, "incomplete chunked body", close=True)
                out += chunk
                self.rfile.readline(16)
        cl = self.headers.get("Content-Length")
        if cl is None:
            raise HttpError(411, "a Content-Length is required", close=True)
        try:
            n = int(cl)
            if n < 0:
                raise ValueError
        except ValueError:
            raise HttpError(400, "bad Content-Length %r" % cl[:40], close=True)
        if n > MAX_HEARTBEAT:
            self.drain(n)
            raise HttpError(413, self.too_big_message(), close=True)
        data = self.rfile.read(n)
        if len(data) != n:
            raise HttpError(400, "incomplete body", close=True)
        return data

    def drain(self, n):
        """Reads and drops an oversized body (up to MAX_DRAIN), so that closing the connection
        after the 413 does not reset it before the client has read the reply."""
        if n > MAX_DRAIN:
            return
        try:
            self.connection.settimeout(2)
            while n > 0:
                got = self.rfile.read(min(n, 65536))
                if not got:
                    break
                n -= len(got)
        except OSError:
            pass

    # -- sending --------------------------------------------------------------------------------

    def send_reply(self, reply, close=False):
        self.send_response(reply.status)
        if reply.status not in (204, 304):  # neither may carry a body (RFC 9110 8.6)
            self.send_header("Content-Type", CTYPES.get(reply.ctype, reply.ctype))
            self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for k, v in reply.headers:
            self.send_header(k, v)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if not self.head_only and reply.status not in (204, 304):
            self.wfile.write(reply.body)
        self.sent_status = reply.status
        self.sent_bytes = len(reply.body)

    def send_error_reply(self, err, fmt):
        msg = str(err)
        if fmt == "json":
            body = json_body({"error": msg, "status": err.status})
        else:
            body = ("%d %s: %s\n" % (err.status, self.responses.get(err.status, ("Error",))[0],
                                     msg)).encode("utf-8")
        self.send_reply(Reply(err.status, fmt, body, err.headers), close=err.close)

    # -- one request ----------------------------------------------------------------------------

    def dispatch(self, method, head_only=False):
        t0 = time.monotonic()
        self.head_only = head_only
        self.sent_status = None
        self.sent_bytes = 0
        path = urllib.parse.urlsplit(self.path).path
        fmt = "json" if path in ("/heartbeat", "/api/kiosks") else "text"
        note = ""
        try:
            try:
                allowed = self.ROUTES.get(path)
                if allowed is None:
                    # A body we do not read must not be taken for the next request.
                    raise HttpError(404, "no such page: %s" % path[:200], close=method != "GET")
                if method not in allowed:
                    shown = ", ".join(allowed + (("HEAD",) if "GET" in allowed else ()))
                    raise HttpError(405, "%s takes %s, not %s" % (
                        path, shown, "HEAD" if head_only else method),
                                    headers=[("Allow", shown)], close=method != "GET")
                self.send_reply(self.handle_route(method, path))
            except HttpError as e:
                note = " (%s)" % e
                self.send_error_reply(e, fmt)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            note += " (client went away)"
        except Exception as e:  # noqa: BLE001 - a bug here must not take the server down
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
            if not self.quiet:
                log("%s %s %s %s %dB %dms%s" % (
                    self.client_address[0], "HEAD" if head_only else method, self.path[:200],
                    self.sent_status if self.sent_status is not None else "-",
                    self.sent_bytes, (time.monotonic() - t0) * 1000, note[:300]))

    def handle_route(self, method, path):
        fleet = self.fleet
        now = time.time()
        if path == "/heartbeat":
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if ctype and ctype != "application/json":
                raise HttpError(415, "heartbeat refused: send Content-Type: application/json, "
                                     "not %s" % ctype[:60], close=True)
            hb = parse_heartbeat(self.read_body())
            fleet.record(hb, now)
            return Reply(204)
        if path in BUNDLE_FILES:
            name, ctype = BUNDLE_FILES[path]
            data = read_bundle_file(os.path.join(fleet.folder, name))
            if data is None:
                raise HttpError(404, "%s is not in the fleet folder" % name)
            etag = etag_of(data)
            headers = [("ETag", etag), ("Cache-Control", "no-cache")]
            if etag_matches(self.headers.get("If-None-Match"), etag):
                return Reply(304, ctype, b"", headers)
            return Reply(200, ctype, data, headers)
        kiosks, save_error = fleet.view(now)
        if path == "/api/kiosks":
            return Reply(200, "json", json_body(kiosks), [("Cache-Control", "no-store")])
        page = dashboard.render(kiosks, bundle_summary(fleet.folder), now=now,
                                stale_after=fleet.stale_after, save_error=save_error,
                                host=self.headers.get("Host") or "")
        return Reply(200, "html", page.encode("utf-8"), [
            ("Cache-Control", "no-store"),
            # No script, no external resource: a hostile heartbeat that got past the escaping
            # still could not run or load anything.
            ("Content-Security-Policy",
             "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
             "form-action 'none'; frame-ancestors 'none'"),
        ])


# ---------------------------------------------------------------------------------------------
# Main


def parse_args(argv):
    p = argparse.ArgumentParser(prog="server.py", description="Civic Kiosk fleet server: "
                                "serves the signed bundle, takes heartbeats, shows the dashboard.")
    p.add_argument("--folder", required=True,
                   help="the fleet folder: bundle.json, bundle.json.minisig, heartbeats/")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8312, help="0 = any free port (default 8312)")
    p.add_argument("--port-file", help="write the bound port here (atomically) once listening")
    p.add_argument("--stale-after", type=int, default=DEFAULT_STALE_AFTER, metavar="SECONDS",
                   help="flag a kiosk STALE after this long without a heartbeat (default %d)"
                        % DEFAULT_STALE_AFTER)
    p.add_argument("--quiet", action="store_true", help="no per-request log lines")
    a = p.parse_args(argv)
    if not 0 <= a.port <= 65535:
        p.error("--port must be 0..65535")
    if a.stale_after <= 0:
        p.error("--stale-after must be > 0 seconds")
    if not os.path.isdir(a.folder):
        p.error("--folder %s: not a directory" % a.folder)
    return a


def write_port_file(path, port):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w", encoding="ascii") as fh:
        fh.write("%d\n" % port)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    fleet = Fleet(os.path.abspath(args.folder), args.stale_after)
    loaded, skipped = fleet.load()
    for name, why in skipped:
        log("warning: skipped heartbeats/%s: %s" % (name, why))
    handler = type("BoundHandler", (Handler,), {"fleet": fleet, "quiet": args.quiet})
    try:
        server = Server((args.host, args.port), handler)
    except OSError as e:
        log("cannot listen on %s:%s: %s" % (args.host, args.port, e))
        return 1
    port = server.server_address[1]
    stopping = threading.Event()

    def on_signal(signum, _frame):
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if args.port_file:
        write_port_file(args.port_file, port)
    log("listening on http://%s:%d/ (folder %s, %d kiosk%s loaded, stale after %d s)" % (
        args.host, port, fleet.folder, loaded, "" if loaded == 1 else "s", args.stale_after))
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
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
