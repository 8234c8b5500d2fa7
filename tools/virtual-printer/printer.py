#!/usr/bin/env python3
"""Virtual ESC/POS receipt printer for Civic Kiosk development and tests.

Emulates a network printer (raw TCP, like port 9100) and/or a USB printer (a pseudo-terminal
whose slave path the kiosk opens like /dev/usb/lp0), answers real-time status queries with
Epson bytes for its current state, writes every printed job as .bin/.png/.json, and can
misbehave on purpose (paper out, cover open, offline, hang, refuse, slow, paper out mid-job).
An admin HTTP API on 127.0.0.1 reads and changes the state live.

Python 3 standard library only; the decoder is tools/receipt-preview/escpos.py.
See README.md beside this file.
"""

import argparse
import datetime as dt
import fcntl
import http.server
import json
import os
import pty
import queue
import re
import select
import signal
import socket
import sys
import threading
import time
import tty

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "receipt-preview"))
import escpos  # noqa: E402

MODES = ("ok", "near_end", "paper_out", "cover_open", "offline", "hang", "refuse", "slow")
PRINTING = ("ok", "near_end", "slow")           # modes in which data is printed
DEFAULT_SLOW_BPS = 2000
SMALL_RCVBUF = 2048                             # hang/slow: so the client feels backpressure
NORMAL_RCVBUF = 212992                          # restored when leaving hang/slow

# DLE EOT n replies (Epson form 0xx1xx10b). n=1 printer (0x08 offline, 0x04 drawer pin 3 high),
# n=2 offline cause (0x04 cover open, 0x20 stopped by paper end, 0x40 error), n=3 error cause
# (0x40 auto-recoverable), n=4 roll paper (0x0C near end, 0x60 paper not present).
DLE_EOT = {
    "ok":         {1: 0x16, 2: 0x12, 3: 0x12, 4: 0x12},
    "slow":       {1: 0x16, 2: 0x12, 3: 0x12, 4: 0x12},
    "near_end":   {1: 0x16, 2: 0x12, 3: 0x12, 4: 0x1E},
    "paper_out":  {1: 0x1E, 2: 0x32, 3: 0x12, 4: 0x7E},
    "cover_open": {1: 0x1E, 2: 0x16, 3: 0x12, 4: 0x12},
    "offline":    {1: 0x1E, 2: 0x52, 3: 0x52, 4: 0x12},
}
# GS r 1 (paper sensor, processed in order with print data; only while printing): 0x03 near end.
GS_R1 = {"ok": 0x00, "slow": 0x00, "near_end": 0x03}
# GS a (automatic status back) 4-byte status per state.
ASB = {
    "ok":         bytes((0x14, 0x00, 0x00, 0x00)),
    "slow":       bytes((0x14, 0x00, 0x00, 0x00)),
    "near_end":   bytes((0x14, 0x00, 0x03, 0x00)),
    "paper_out":  bytes((0x1C, 0x00, 0x0F, 0x00)),
    "cover_open": bytes((0x3C, 0x00, 0x00, 0x00)),
    "offline":    bytes((0x1C, 0x40, 0x00, 0x00)),
}
# GS I n (printer ID), answered while printing.
GS_I = {1: b"\x20", 2: b"\x02", 3: b"\x10", 49: b"\x20", 50: b"\x02", 51: b"\x10",
        65: b"_1.00 VP\0", 66: b"_CivicKiosk\0", 67: b"_VirtualPrinter\0", 68: b"_VP000001\0",
        69: b"_ANK\0"}


def now_iso():
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def write_atomic(path, data):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


class Session:
    """One byte stream from the kiosk: a TCP connection or the pty."""

    def __init__(self, transport, name, fileobj):
        self.transport = transport      # "tcp" or "pty"
        self.name = name                # peer address or pty path
        self.f = fileobj                # socket, or the master fd (int)
        self.dec = escpos.Decoder(resync=True, keep=False)
        self.stream = bytearray()       # received bytes from stream offset self.stream_base
        self.stream_base = 0
        self.region_start = 0           # stream offset where the current job's bytes begin
        self.job_open = False           # a non-status element of the current job was seen
        self.asb = False
        self.out = bytearray()          # replies not yet sent
        self.tokens = 0.0
        self.last_tick = time.monotonic()
        self.closed = False

    @property
    def received(self):
        return self.stream_base + len(self.stream)

    def fileno(self):
        return self.f if isinstance(self.f, int) else self.f.fileno()

    def job_bytes(self):
        return self.received - self.region_start

    def region(self, end=None):
        end = self.received if end is None else end
        return bytes(self.stream[self.region_start - self.stream_base:end - self.stream_base])

    def new_region(self, start):
        # Never backwards: an element that began before a forced region start (a fault in
        # the middle of it) ends inside the new region.
        start = max(start, self.region_start)
        self.region_start = start
        self.job_open = False
        cut = start - self.stream_base
        if cut > 0:
            del self.stream[:cut]
            self.stream_base = start


class Printer:
    def __init__(self, args):
        self.args = args
        self.mode = args.mode
        self.slow_bps = args.slow_bps
        self.paper_out_after = args.paper_out_after
        self.width = args.width
        self.jobs_dir = args.jobs_dir
        self.quiet = args.quiet
        self.lock = threading.Lock()
        self.jobs = []                  # job summaries (GET /jobs)
        self.next_job = self._first_job_number()
        self.sessions = []
        self.listener = None
        self.tcp_port = None
        self.tcp_enabled = args.port_file is not None or args.pty is None or args.tcp
        self.pty_master = None
        self.pty_slave = None
        self.pty_path = None
        self.pty_session = None
        self.wake_r, self.wake_w = os.pipe()
        for fd in (self.wake_r, self.wake_w):
            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)
        self.requests = queue.Queue()   # (callable, result dict, threading.Event) from admin
        self.stopping = False
        self.stats = {"bytes_received": 0, "bytes_discarded": 0, "status_replies": 0,
                      "connections": 0}
        self.admin = None
        self.admin_port = None
        self.rcvbuf_touched = False

    # -- logging / files ----------------------------------------------------------------------

    def log(self, msg):
        if not self.quiet:
            print("printer: " + msg, file=sys.stderr, flush=True)

    def _first_job_number(self):
        os.makedirs(self.jobs_dir, exist_ok=True)
        top = 0
        for name in os.listdir(self.jobs_dir):
            m = re.match(r"job-(\d+)(\.partial)?\.(bin|json|png)$", name)
            if m:
                top = max(top, int(m.group(1)))
        return top + 1

    def write_job(self, sess, data, partial, reason):
        n = self.next_job
        self.next_job += 1
        name = "job-%04d%s" % (n, ".partial" if partial else "")
        base = os.path.join(self.jobs_dir, name)
        doc = escpos.decode(data, width=self.width, resync=True)
        try:
            lay, png = escpos.render(doc, self.width)
        except Exception as e:              # a preview must never kill the printer
            lay, png = None, escpos.encode_png(self.width, 1, b"\xff" * self.width)
            doc.errors.append({"offset": 0, "kind": "render", "message": "preview failed: %s" % e})
        info = escpos.summary(doc, self.width, lay=lay) if lay is not None else {
            "errors": doc.errors, "native_qr": [], "height": 0, "rasters": 0}
        info.update({
            "job": n, "name": name, "partial": partial, "reason": reason,
            "transport": sess.transport, "peer": sess.name, "printer_mode": self.mode,
            "received_at": now_iso(),
            "files": {"bin": name + ".bin", "png": name + ".png", "json": name + ".json"},
        })
        write_atomic(base + ".bin", data)
        write_atomic(base + ".png", png)
        write_atomic(base + ".json", (json.dumps(info, indent=1) + "\n").encode("utf-8"))
        short = {"job": n, "name": name, "partial": partial, "reason": reason,
                 "bytes": len(data), "height": info.get("height"),
                 "native_qr": [q["payload"] for q in info.get("native_qr", [])],
                 "rasters": info.get("rasters"), "errors": info.get("errors"),
                 "transport": sess.transport, "received_at": info["received_at"],
                 "files": info["files"]}
        with self.lock:
            self.jobs.append(short)
        self.log("%s %s: %d bytes, %s dots high, %d native QR%s" % (
            name, "PARTIAL (%s)" % reason if partial else "printed", len(data), info.get("height"),
            len(short["native_qr"]), ", %d error(s)" % len(short["errors"]) if short["errors"]
            else ""))

    # -- sockets and pty ----------------------------------------------------------------------

    def _rcvbuf_for_mode(self, sock):
        small = self.mode in ("hang", "slow")
        if not small and not self.rcvbuf_touched:
            return
        self.rcvbuf_touched = True
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF,
                            SMALL_RCVBUF if small else NORMAL_RCVBUF)
        except OSError:
            pass

    def open_listener(self):
        s = socket.socket(socket.AF_INET6 if ":" in self.args.host else socket.AF_INET,
                          socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._rcvbuf_for_mode(s)
        s.bind((self.args.host, self.tcp_port if self.tcp_port is not None else self.args.port))
        self.tcp_port = s.getsockname()[1]
        if self.mode == "refuse":
            s.close()               # keep the port number; connects get ECONNREFUSED
            return
        s.listen(8)
        s.setblocking(False)
        self.listener = s

    def close_listener(self):
        if self.listener is not None:
            self.listener.close()
            self.listener = None

    def open_pty(self):
        master, slave = pty.openpty()
        tty.setraw(slave)
        fcntl.fcntl(master, fcntl.F_SETFL, fcntl.fcntl(master, fcntl.F_GETFL) | os.O_NONBLOCK)
        self.pty_master, self.pty_slave = master, slave
        self.pty_path = os.ttyname(slave)
        self.pty_session = Session("pty", self.pty_path, master)
        self.sessions.append(self.pty_session)
        write_atomic(self.args.pty, (self.pty_path + "\n").encode())
        self.log("usb printer emulated on %s (written to %s)" % (self.pty_path, self.args.pty))

    def close_pty(self):
        if self.pty_session is not None:
            self.end_session(self.pty_session, "printer refused (pty closed)")
            self.pty_session = None
        for fd in (self.pty_master, self.pty_slave):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.pty_master = self.pty_slave = None

    def accept(self):
        try:
            conn, addr = self.listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        except OSError as e:
            self.log("accept failed: %s" % e)
            return
        conn.setblocking(False)
        self._rcvbuf_for_mode(conn)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        name = "%s:%d" % (addr[0], addr[1])
        self.sessions.append(Session("tcp", name, conn))
        self.stats["connections"] += 1
        self.log("connection from %s" % name)

    def end_session(self, sess, why):
        """Connection closed (or printer turned off): an open job becomes partial."""
        if sess.closed:
            return
        sess.closed = True
        if sess in self.sessions:
            self.sessions.remove(sess)
        if self.mode in PRINTING + ("hang",) and self.has_job(sess):
            self.write_job(sess, sess.region(), True, why)
        if sess.transport == "tcp":
            try:
                sess.f.close()
            except OSError:
                pass
            self.log("connection from %s closed (%s)" % (sess.name, why))

    # -- the byte stream ----------------------------------------------------------------------

    def send(self, sess, data):
        if sess.closed:
            return
        sess.out += data
        self.flush(sess)

    def flush(self, sess):
        while sess.out and not sess.closed:
            try:
                if sess.transport == "tcp":
                    k = sess.f.send(sess.out)
                else:
                    k = os.write(sess.f, sess.out)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                if sess.transport == "tcp":
                    self.end_session(sess, "send failed: %s" % e.strerror)
                else:
                    sess.out.clear()        # nobody reads the pty: drop the replies
                return
            del sess.out[:k]

    def process(self, sess, data):
        """Feed received bytes through the decoder, honouring --paper-out-after exactly."""
        self.stats["bytes_received"] += len(data)
        sess.stream += data
        fed = sess.received - len(data)     # stream offset of data[0]
        view = memoryview(bytes(data))
        pos = 0
        while pos < len(view):
            take = len(view) - pos
            if self.mode in PRINTING and self.paper_out_after is not None:
                left = self.paper_out_after - (fed + pos - sess.region_start)
                if left <= 0:
                    self.fault_mid_job(sess, fed + pos)
                    continue
                take = min(take, left)
            chunk = view[pos:pos + take]
            pos += take
            for el in sess.dec.feed(chunk):
                self.handle(sess, el)
                if sess.closed:
                    return

    def fault_mid_job(self, sess, at):
        n = self.paper_out_after
        self.paper_out_after = None
        self.write_job(sess, sess.region(at), True, "paper_out after %d bytes of the job "
                       "(--paper-out-after)" % n)
        sess.new_region(at)
        self.set_mode("paper_out", "paper ran out after %d bytes of a job" % n, skip=sess)

    def has_job(self, sess):
        """True if the bytes of the current job region hold anything but status queries."""
        if sess.job_open:
            return True
        if sess.job_bytes() <= 0:
            return False
        doc = escpos.decode(sess.region(), resync=True)
        return bool(doc.errors) or any(e.type not in ("status", "control") for e in doc.elements)

    def handle(self, sess, el):
        end = el.offset + el.length
        printing = self.mode in PRINTING
        if el.type == "status":
            self.answer(sess, el, printing)
            if not sess.job_open:
                sess.new_region(end)
            return
        if el.type == "control" and not sess.job_open:
            sess.new_region(end)
            return
        if not printing:
            self.stats["bytes_discarded"] += el.length
            sess.new_region(end)
            return
        sess.job_open = True
        if el.type == "cut":
            self.write_job(sess, sess.region(end), False, None)
            sess.new_region(end)

    def answer(self, sess, el, printing):
        cmd, n = el["command"], el.get("n")
        reply = None
        if cmd == "DLE EOT":
            v = DLE_EOT.get(self.mode, {}).get(n)
            reply = bytes((v,)) if v is not None else None
        elif not printing:
            reply = None                    # offline: only real-time commands are processed
        elif cmd == "GS r":
            if n in (1, 49):
                reply = bytes((GS_R1.get(self.mode, 0),))
            elif n in (2, 50, 4, 52):
                reply = b"\x00"
        elif cmd == "GS a":
            sess.asb = n != 0
            if sess.asb:
                reply = ASB.get(self.mode)
        elif cmd == "GS I":
            reply = GS_I.get(n)
        if reply:
            self.stats["status_replies"] += 1
            self.send(sess, reply)

    def set_mode(self, mode, why, skip=None):
        """Switch state (main-loop thread only)."""
        old = self.mode
        if mode == old:
            return
        # A job open on a printing printer that stops printing is cut short ("hang" only
        # pauses reading: the job goes on when reading resumes).
        holds = PRINTING + ("hang",)
        if old in holds and mode not in holds:
            for s in list(self.sessions):
                if s is not skip and self.has_job(s):
                    self.write_job(s, s.region(), True, "printer switched to %s mid-job" % mode)
                    s.new_region(s.received)
        self.mode = mode
        self.log("mode %s -> %s (%s)" % (old, mode, why))
        if self.tcp_enabled:
            if mode == "refuse":
                self.close_listener()
                for s in [s for s in self.sessions if s.transport == "tcp"]:
                    try:
                        s.f.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    except OSError:
                        pass
                    self.end_session(s, "printer refused")
            elif self.listener is None:
                self.open_listener()
            else:
                self._rcvbuf_for_mode(self.listener)
        for s in self.sessions:
            if s.transport == "tcp":
                self._rcvbuf_for_mode(s.f)
        if self.args.pty:
            if mode == "refuse":
                self.close_pty()
            elif self.pty_master is None:
                self.open_pty()
        for s in self.sessions:
            if s.asb and mode in ASB:
                self.send(s, ASB[mode])

    # -- admin requests (run on the main loop) ------------------------------------------------

    def state(self):
        with self.lock:
            njobs = len(self.jobs)
        st = DLE_EOT.get(self.mode)
        return {
            "mode": self.mode, "slow_bps": self.slow_bps, "paper_out_after": self.paper_out_after,
            "width": self.width, "tcp_port": self.tcp_port if self.tcp_enabled else None,
            "pty": self.pty_path if self.pty_master is not None else None,
            "jobs": njobs, "next_job": self.next_job,
            "sessions": [{"transport": s.transport, "peer": s.name, "received": s.received,
                          "job_bytes": s.job_bytes(), "job_open": s.job_open}
                         for s in self.sessions],
            "dle_eot": {str(k): "0x%02X" % v for k, v in st.items()} if st else None,
            "stats": dict(self.stats),
        }

    def admin_call(self, fn, timeout=10):
        box = {}
        ev = threading.Event()
        self.requests.put((fn, box, ev))
        try:
            os.write(self.wake_w, b"a")
        except OSError:
            pass
        if not ev.wait(timeout):
            raise TimeoutError("printer main loop did not answer")
        if "error" in box:
            raise box["error"]
        return box["result"]

    def apply_state(self, body):
        mode = body.get("mode", self.mode)
        if mode not in MODES:
            raise ValueError("mode must be one of: " + ", ".join(MODES))
        if "slow_bps" in body:
            v = body["slow_bps"]
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError("slow_bps must be a positive integer")
            self.slow_bps = v
        if "paper_out_after" in body:
            v = body["paper_out_after"]
            if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 1):
                raise ValueError("paper_out_after must be a positive integer or null")
            self.paper_out_after = v
        self.set_mode(mode, "admin")
        return self.state()

    def reset(self, body):
        self.paper_out_after = None
        self.slow_bps = DEFAULT_SLOW_BPS
        self.set_mode("ok", "admin reset")
        with self.lock:
            self.jobs = []
        self.stats = {"bytes_received": 0, "bytes_discarded": 0, "status_replies": 0,
                      "connections": 0}
        return self.state()

    # -- main loop ----------------------------------------------------------------------------

    def run(self):
        self.start_admin()
        if self.tcp_enabled:
            self.open_listener()
            if self.args.port_file:
                write_atomic(self.args.port_file, b"%d\n" % self.tcp_port)
            self.log("%s on %s:%d (tcp)" % ("refusing" if self.mode == "refuse" else "listening",
                                             self.args.host, self.tcp_port))
        if self.args.pty:
            self.open_pty()
            if self.mode == "refuse":
                self.close_pty()
        self.log("ready: mode %s, width %d dots, jobs in %s" % (self.mode, self.width,
                                                               self.jobs_dir))
        while not self.stopping:
            self.step()
        self.shutdown()

    def step(self):
        rl = [self.wake_r]
        wl = []
        timeout = None
        if self.listener is not None:
            rl.append(self.listener)
        now = time.monotonic()
        for s in self.sessions:
            if s.out:
                wl.append(s)
            if self.mode == "hang":
                continue
            if self.mode == "slow":
                s.tokens = min(max(1.0, self.slow_bps / 10.0),
                               s.tokens + (now - s.last_tick) * self.slow_bps)
                s.last_tick = now
                if s.tokens < 1:
                    wait = (1 - s.tokens) / self.slow_bps
                    timeout = wait if timeout is None else min(timeout, wait)
                    continue
            rl.append(s)
        try:
            r, w, _ = select.select(rl, wl, [], timeout)
        except InterruptedError:
            return
        if self.wake_r in r:
            try:
                while os.read(self.wake_r, 512):
                    pass
            except BlockingIOError:
                pass
            self.run_requests()
        for s in w:
            self.flush(s)
        if self.listener is not None and self.listener in r:
            self.accept()
        for s in r:
            if isinstance(s, Session) and not s.closed and s in self.sessions:
                self.read(s)

    def read(self, s):
        limit = 65536
        if self.mode == "slow":
            s.last_tick = time.monotonic()
            limit = max(1, int(s.tokens))
        elif self.mode == "hang":
            return
        try:
            if s.transport == "tcp":
                data = s.f.recv(limit)
            else:
                data = os.read(s.f, limit)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as e:
            if s.transport == "tcp":
                self.end_session(s, "read failed: %s" % e.strerror)
            return
        if not data:
            if s.transport == "tcp":
                self.end_session(s, "connection closed before a cut")
            return
        if self.mode == "slow":
            s.tokens -= len(data)
        self.process(s, data)

    def run_requests(self):
        while True:
            try:
                fn, box, ev = self.requests.get_nowait()
            except queue.Empty:
                return
            try:
                box["result"] = fn()
            except Exception as e:          # reported to the admin client
                box["error"] = e
            ev.set()

    def stop(self, *_):
        self.stopping = True
        try:
            os.write(self.wake_w, b"s")
        except OSError:
            pass

    def shutdown(self):
        for s in list(self.sessions):
            self.end_session(s, "printer stopped")
        self.close_listener()
        self.close_pty()
        if self.admin is not None:
            self.admin.shutdown()
            self.admin.server_close()
        for f in (self.args.port_file, self.args.admin_port_file, self.args.pty):
            if f:
                try:
                    os.unlink(f)
                except OSError:
                    pass
        self.log("stopped")

    # -- admin HTTP ---------------------------------------------------------------------------

    def start_admin(self):
        printer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *a):
                pass

            def reply(self, code, obj):
                body = (json.dumps(obj, indent=1) + "\n").encode("utf-8")
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def body(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n) if n else b""
                if not raw.strip():
                    return {}
                obj = json.loads(raw)
                if not isinstance(obj, dict):
                    raise ValueError("body must be a JSON object")
                return obj

            def do_GET(self):
                path = self.path.split("?")[0].rstrip("/") or "/"
                if path == "/state":
                    return self.reply(200, printer.admin_call(printer.state))
                if path == "/jobs":
                    with printer.lock:
                        return self.reply(200, list(printer.jobs))
                m = re.fullmatch(r"/jobs/(\d+)", path)
                if m:
                    want = int(m.group(1))
                    with printer.lock:
                        hit = [j for j in printer.jobs if j["job"] == want]
                    if hit:
                        with open(os.path.join(printer.jobs_dir, hit[0]["files"]["json"]),
                                  "rb") as fh:
                            return self.reply(200, json.load(fh))
                return self.reply(404, {"error": "not found: GET /state, /jobs, /jobs/N"})

            def do_POST(self):
                path = self.path.split("?")[0].rstrip("/")
                try:
                    body = self.body()
                    if path == "/state":
                        return self.reply(200, printer.admin_call(
                            lambda: printer.apply_state(body)))
                    if path == "/reset":
                        return self.reply(200, printer.admin_call(lambda: printer.reset(body)))
                except (ValueError, TypeError) as e:
                    return self.reply(400, {"error": str(e)})
                return self.reply(404, {"error": "not found: POST /state, /reset"})

        srv = http.server.ThreadingHTTPServer(("127.0.0.1", self.args.admin_port), Handler)
        srv.daemon_threads = True
        self.admin = srv
        self.admin_port = srv.server_address[1]
        threading.Thread(target=srv.serve_forever, args=(0.05,), name="admin", daemon=True).start()
        if self.args.admin_port_file:
            write_atomic(self.args.admin_port_file, b"%d\n" % self.admin_port)
        self.log("admin API on http://127.0.0.1:%d/state" % self.admin_port)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Virtual ESC/POS printer (TCP and/or pty) with "
                                 "job capture, fault modes and an admin HTTP API.")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=9100, help="TCP port (0 = any free port)")
    ap.add_argument("--port-file", help="write the bound TCP port here (atomically)")
    ap.add_argument("--tcp", action="store_true", help="serve TCP too when --pty is given")
    ap.add_argument("--pty", metavar="F", help="emulate a USB printer on a pseudo-terminal; "
                    "write its slave path (e.g. /dev/pts/3) to F. TCP is then off unless "
                    "--port-file or --tcp is given")
    ap.add_argument("--jobs-dir", required=True, help="where job-NNNN.{bin,png,json} go")
    ap.add_argument("--admin-port", type=int, default=0, help="admin HTTP port (default: any)")
    ap.add_argument("--admin-port-file", help="write the admin HTTP port here")
    ap.add_argument("--mode", choices=MODES, default="ok")
    ap.add_argument("--slow-bps", type=int, default=DEFAULT_SLOW_BPS,
                    help="bytes per second read in slow mode (default %d)" % DEFAULT_SLOW_BPS)
    ap.add_argument("--paper-out-after", type=int, metavar="BYTES",
                    help="switch to paper_out after BYTES bytes of a job (once)")
    ap.add_argument("--width", type=int, default=576, help="printable dots per line (576)")
    ap.add_argument("--quiet", action="store_true", help="log errors only")
    args = ap.parse_args(argv)
    if args.slow_bps < 1:
        ap.error("--slow-bps must be >= 1")
    if args.paper_out_after is not None and args.paper_out_after < 1:
        ap.error("--paper-out-after must be >= 1")
    printer = Printer(args)
    signal.signal(signal.SIGTERM, printer.stop)
    signal.signal(signal.SIGINT, printer.stop)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    try:
        printer.run()
    except OSError as e:
        print("printer: error: %s" % e, file=sys.stderr)
        printer.shutdown()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
