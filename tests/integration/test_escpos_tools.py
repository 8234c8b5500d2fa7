#!/usr/bin/env python3
"""Self-test of the ESC/POS tools: tools/receipt-preview (decoder, preview, CLI) and
tools/virtual-printer (TCP and pty printer, fault modes, admin API).

Run from the repository root:  python3 tests/integration/test_escpos_tools.py
Standard library only, plus the Debian CLIs `qrencode` and `zbarimg` (packages qrencode,
zbar-tools). Printers are started on 127.0.0.1 port 0; the tests synchronise on the printer's
"ready" log line, on status replies (GS r 1 is answered only after the preceding job has been
written) and on select() with timeouts, never on sleeps.
"""

import errno
import http.client
import json
import os
import select
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
PREVIEW_DIR = os.path.join(ROOT, "tools", "receipt-preview")
PREVIEW = os.path.join(PREVIEW_DIR, "receipt-preview")
PRINTER = os.path.join(ROOT, "tools", "virtual-printer", "printer.py")
sys.path.insert(0, PREVIEW_DIR)
import escpos  # noqa: E402

URL = "https://311.example.gov/s/7K3QX9"
URL2 = "https://311.example.gov/s/Q2W8ZP"
HAVE_TOOLS = shutil.which("qrencode") and shutil.which("zbarimg")

DLE_EOT = {n: b"\x10\x04" + bytes((n,)) for n in (1, 2, 3, 4)}
GS_R1 = b"\x1dr\x01"
INIT = b"\x1b@"
CUT = b"\x1dVB\x03"                 # GS V 66 3: feed 3 and partial cut

EXPECTED = {                        # DLE EOT 1, 2, 3, 4
    "ok":         (0x16, 0x12, 0x12, 0x12),
    "near_end":   (0x16, 0x12, 0x12, 0x1E),
    "paper_out":  (0x1E, 0x32, 0x12, 0x7E),
    "cover_open": (0x1E, 0x16, 0x12, 0x12),
    "offline":    (0x1E, 0x52, 0x52, 0x12),
    "slow":       (0x16, 0x12, 0x12, 0x12),
}


def qr_raster(text, module=6):
    """GS v 0 band of a QR made by the qrencode CLI (4-module quiet zone)."""
    png = subprocess.run(["qrencode", "-t", "PNG", "-s", str(module), "-m", "4", "-o", "-", text],
                         stdout=subprocess.PIPE, check=True).stdout
    w, h, gray = escpos.read_png(png)
    wb, h, data = escpos.gray_to_raster(w, h, gray)
    return escpos.raster_command(wb, h, data), (wb, h, data)


def receipt(url=URL, native=URL2):
    band, _ = qr_raster(url)
    s = INIT + b"\x1ba\x01" + band + b"\x1bd\x02"
    if native:
        s += escpos.qr_commands(native, module_size=5, ec="M")
    return s + b"\x1bd\x03" + CUT


def zbar(path):
    r = subprocess.run(["zbarimg", "--nodbus", "-q", "--raw", path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30)
    return r.returncode, r.stdout.decode().split()


def recv_exact(sock_or_fd, n, timeout=5.0):
    """Read exactly n bytes (socket or fd) with select; returns what arrived before timeout."""
    out = b""
    deadline = time.monotonic() + timeout
    while len(out) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select([sock_or_fd], [], [], left)
        if not r:
            break
        if isinstance(sock_or_fd, int):
            chunk = os.read(sock_or_fd, n - len(out))
        else:
            chunk = sock_or_fd.recv(n - len(out))
        if not chunk:
            break
        out += chunk
    return out


def read_text(path):
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def read_json(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def read_bytes(path):
    with open(path, "rb") as fh:
        return fh.read()


def nothing_within(sock_or_fd, seconds):
    r, _, _ = select.select([sock_or_fd], [], [], seconds)
    return not r


class PrinterProc:
    """One virtual printer process; its stderr is collected so tests can wait on log lines."""

    def __init__(self, tmp, *extra, tcp=True, pty=False):
        self.tmp = tempfile.mkdtemp(dir=tmp)
        self.jobs = os.path.join(self.tmp, "jobs")
        self.port_file = os.path.join(self.tmp, "port")
        self.admin_file = os.path.join(self.tmp, "admin")
        self.pty_file = os.path.join(self.tmp, "pty")
        cmd = [sys.executable, PRINTER, "--port", "0", "--jobs-dir", self.jobs,
               "--admin-port-file", self.admin_file]
        if tcp:
            cmd += ["--port-file", self.port_file]
        if pty:
            cmd += ["--pty", self.pty_file]
        cmd += list(extra)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        self.lines = []
        self.cond = threading.Condition()
        self.eof = False
        threading.Thread(target=self._read, daemon=True).start()
        if not self.wait_log("ready:"):
            self.stop()
            raise RuntimeError("printer did not start:\n" + "".join(self.lines))
        self.port = int(read_text(self.port_file)) if tcp else None
        self.admin_port = int(read_text(self.admin_file))
        self.pty = read_text(self.pty_file).strip() if pty else None

    def _read(self):
        for raw in self.proc.stderr:
            with self.cond:
                self.lines.append(raw.decode("utf-8", "replace"))
                self.cond.notify_all()
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def wait_log(self, text, timeout=10):
        with self.cond:
            return self.cond.wait_for(lambda: self.eof or any(text in l for l in self.lines),
                                      timeout) and any(text in l for l in self.lines)

    def connect(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        return s

    def admin(self, method, path, body=None):
        c = http.client.HTTPConnection("127.0.0.1", self.admin_port, timeout=10)
        data = json.dumps(body).encode() if body is not None else None
        c.request(method, path, body=data, headers={"Content-Type": "application/json"})
        r = c.getresponse()
        out = json.loads(r.read() or b"null")
        c.close()
        return r.status, out

    def set_mode(self, mode, **kw):
        kw["mode"] = mode
        st, out = self.admin("POST", "/state", kw)
        assert st == 200, out
        return out

    def job_files(self):
        return sorted(os.listdir(self.jobs)) if os.path.isdir(self.jobs) else []

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        with self.cond:
            self.cond.wait_for(lambda: self.eof, 5)
        self.proc.stderr.close()
        return self.proc.returncode


def query(conn, n):
    """Send DLE EOT n and return the one-byte reply (or None)."""
    if isinstance(conn, int):
        os.write(conn, DLE_EOT[n])
    else:
        conn.sendall(DLE_EOT[n])
    got = recv_exact(conn, 1)
    return got[0] if got else None


def setUpModule():
    if not HAVE_TOOLS:
        raise RuntimeError("the qrencode and zbarimg CLIs are missing: apt-get install -y qrencode "
                           "zbar-tools (tools/dev deps)")


class DecoderTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="escpos-test-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_elements_in_order(self):
        band, (wb, h, _) = qr_raster(URL)
        s = (INIT + b"\x1ba\x01" + b"\x1b!\x08Hi\n" + band + b"\x1bd\x02"
             + escpos.qr_commands(URL2, module_size=5, ec="Q") + b"\x1bJ\x10" + CUT
             + DLE_EOT[1] + GS_R1)
        doc = escpos.decode(s, width=576)
        self.assertEqual(doc.errors, [])
        types = [e.type for e in doc.elements]
        self.assertEqual(types, ["init", "set", "set", "text", "feed", "raster", "feed", "set",
                                 "set", "set", "set", "qr", "feed", "cut", "status", "status"])
        r = doc.elements[5]
        self.assertEqual((r["width"], r["height"], r["width_bytes"]), (wb * 8, h, wb))
        self.assertEqual(r.offset, 2 + 3 + 3 + 2 + 1)
        q = doc.native_qr[0]
        self.assertEqual((q["payload"], q["module_size"], q["ec"], q["model"]),
                         (URL2.encode(), 5, "Q", 2))
        self.assertEqual(doc.elements[4]["dots"], 30)
        self.assertEqual(doc.elements[6]["dots"], 60)
        self.assertEqual(doc.elements[12]["dots"], 16)
        cut = doc.elements[13]
        self.assertTrue(cut["partial"])
        self.assertEqual((cut["m"], cut["n"]), (66, 3))
        self.assertEqual([(e["command"], e["n"]) for e in doc.status_queries],
                         [("DLE EOT", 1), ("GS r", 1)])
        self.assertEqual(len(doc.jobs), 1)
        self.assertEqual(doc.jobs[0].start, 0)
        info = escpos.summary(doc, 576)
        self.assertTrue(info["ok"])
        self.assertEqual(info["native_qr"][0]["payload"], URL2)
        self.assertEqual(info["status_queries"][1], {"offset": len(s) - 3, "command": "GS r",
                                                     "n": 1})
        json.dumps(info)                    # JSON-ready

    def test_raster_qr_preview_decodes(self):
        doc = escpos.decode(receipt(URL, native=None))
        png = os.path.join(self.tmp, "raster.png")
        with open(png, "wb") as fh:
            fh.write(escpos.render_png(doc, 576))
        self.assertEqual(zbar(png), (0, [URL]))
        pbm = os.path.join(self.tmp, "band.pbm")
        with open(pbm, "wb") as fh:
            fh.write(escpos.raster_to_pbm(doc.elements[2]))
        self.assertEqual(zbar(pbm), (0, [URL]))
        w, h, _ = escpos.read_png(read_bytes(png))
        band = doc.elements[2]
        self.assertEqual(w, 576)
        self.assertEqual(h, band["height"] + 2 * 30 + 3 * 30 + 3)

    def test_native_qr_preview_decodes(self):
        s = INIT + escpos.qr_commands(URL, module_size=6, ec="M") + CUT
        doc = escpos.decode(s)
        self.assertEqual(doc.errors, [])
        png = os.path.join(self.tmp, "native.png")
        lay, data = escpos.render(doc, 384)
        with open(png, "wb") as fh:
            fh.write(data)
        self.assertEqual(zbar(png), (0, [URL]))
        modules = doc.native_qr[0]["modules"]       # filled in by the layout
        self.assertEqual(modules, 29)               # version 3 at EC M (research notes, 4)
        self.assertEqual(lay.height, (29 + 8) * 6 + 3)

    def test_truncated_streams(self):
        s = receipt()
        band_at = 2 + 3
        cases = {
            "raster data": s[:band_at + 8 + 100],
            "raster header": s[:band_at + 5],
            "GS ( k": INIT + escpos.qr_commands(URL)[:-5],
            "DLE EOT": INIT + b"\x10\x04",
        }
        for name, data in cases.items():
            with self.subTest(name):
                doc = escpos.decode(data)
                kinds = [e["kind"] for e in doc.errors]
                self.assertIn("truncated", kinds)
                msg = [e["message"] for e in doc.errors if e["kind"] == "truncated"][0]
                self.assertRegex(msg, r"^truncated .* at offset \d+: needs \d+ bytes, only \d+ "
                                 r"remain$")
        doc = escpos.decode(cases["raster data"])
        self.assertIn("GS v 0 (200 x 198 dots", doc.errors[0]["message"])
        path = os.path.join(self.tmp, "trunc.bin")
        with open(path, "wb") as fh:
            fh.write(cases["raster data"])
        r = subprocess.run([sys.executable, PREVIEW, path, "-o", path + ".png"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(r.returncode, 1)
        err = r.stderr.decode()
        self.assertEqual(err.count("\n"), 1, err)
        self.assertRegex(err, r"^receipt-preview: .*trunc\.bin: truncated GS v 0 .* at offset 5")

    def test_errors_after_cut_unknown_and_width(self):
        doc = escpos.decode(INIT + b"A\n" + CUT + b"B\n")
        self.assertEqual([e["kind"] for e in doc.errors], ["after_cut"])
        self.assertIn("after the last cut", doc.errors[0]["message"])
        doc = escpos.decode(INIT + b"A\n")
        self.assertEqual([e["kind"] for e in doc.errors], ["after_cut"])
        self.assertIn("no cut", doc.errors[0]["message"])
        # status queries and NUL padding after the cut are fine
        doc = escpos.decode(INIT + b"A\n" + CUT + GS_R1 + b"\0\0\0" + DLE_EOT[1] + INIT)
        self.assertEqual(doc.errors, [])
        # unknown ESC command: recorded, decoding stops
        doc = escpos.decode(INIT + b"\x1b\x7a\x01" + b"A\n" + CUT)
        self.assertEqual(doc.errors[0]["kind"], "unknown_command")
        self.assertEqual(doc.errors[0]["offset"], 2)
        self.assertEqual(doc.stopped_at, 2)
        # unknown GS ( X function: skipped by its length, no error
        doc = escpos.decode(INIT + b"\x1d(Z\x03\x00abc" + b"A\n" + CUT)
        self.assertEqual(doc.errors, [])
        self.assertEqual([e.type for e in doc.elements],
                         ["init", "unknown", "text", "feed", "cut"])
        # raster wider than the paper; raster whose height is smaller than its data
        wide = escpos.raster_command(80, 2, b"\xff" * 160)
        doc = escpos.decode(INIT + wide + CUT, width=576)
        self.assertEqual([e["kind"] for e in doc.errors], ["raster_width"])
        short = escpos.raster_command(2, 1, b"\xff\xff") + b"\xff\x80\xff\x80"
        doc = escpos.decode(INIT + short + CUT)
        self.assertEqual([e["kind"] for e in doc.errors], ["raster_size"])

    def test_graphics_and_other_commands_skipped_by_length(self):
        gl = b"\x1d(L" + bytes((6, 0)) + b"\x30\x45\x01\x02\x03\x04"      # GS ( L, 6 bytes
        g8 = b"\x1d8L" + bytes((5, 0, 0, 0)) + b"\x30\x53\x01\x02\x03"    # GS 8 L, 5 bytes
        other = (b"\x1b\x74\x10\x1b\x33\x28\x1b\x32\x1b\x2d\x01\x1d\x21\x11\x1d\x61\x00"
                 b"\x10\x05\x02\x1b\x45\x01")
        doc = escpos.decode(INIT + gl + g8 + other + b"OK\n" + CUT)
        self.assertEqual(doc.errors, [])
        self.assertEqual([e.type for e in doc.elements][:3], ["init", "graphics", "graphics"])
        self.assertEqual(doc.elements[1].length, 11)
        self.assertEqual(doc.elements[2].length, 12)
        text = [e for e in doc.elements if e.type == "text"]
        self.assertEqual(text[0]["text"], "OK")
        names = [e.get("name") for e in doc.elements if e.type == "set"]
        self.assertEqual(names, ["code_page", "line_spacing", "line_spacing_default", "underline",
                                 "char_size", "emphasis"])
        self.assertEqual([e["command"] for e in doc.status_queries], ["GS a", "DLE ENQ"])

    def test_incremental_feed_matches_whole(self):
        s = receipt() + DLE_EOT[1] + receipt(URL2, native=None)
        whole = escpos.decode(s)
        d = escpos.Decoder()
        seen = []
        for k in range(0, len(s), 7):
            seen += d.feed(s[k:k + 7])
        doc = d.finish()
        sig = lambda els: [(e.type, e.offset, e.length) for e in els]
        self.assertEqual(sig(seen), sig(whole.elements))
        self.assertEqual(sig(doc.elements), sig(whole.elements))
        self.assertEqual(len(doc.jobs), 2)
        self.assertEqual(doc.jobs[1].start, len(receipt()) + 3)    # after the status query

    def test_cli_json_split(self):
        s = receipt() + GS_R1 + receipt(URL2, native=URL)
        path = os.path.join(self.tmp, "two.bin")
        with open(path, "wb") as fh:
            fh.write(s)
        split = os.path.join(self.tmp, "split")
        out = os.path.join(self.tmp, "two.png")
        r = subprocess.run([sys.executable, PREVIEW, path, "-o", out, "--json", "--split", split,
                            "--width", "512"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(r.returncode, 0, r.stderr)
        info = json.loads(r.stdout)
        self.assertEqual(info["width"], 512)
        self.assertEqual(info["raster_width"], 200)
        self.assertEqual(info["bytes"], len(s))
        self.assertEqual(len(info["jobs"]), 2)
        self.assertEqual([q["payload"] for q in info["native_qr"]], [URL2, URL])
        self.assertEqual(info["errors"], [])
        self.assertEqual(sorted(os.listdir(split)), ["job-0001.png", "job-0002.png"])
        self.assertEqual(sorted(zbar(os.path.join(split, "job-0002.png"))[1]),
                         sorted([URL2, URL]))
        w, h, _ = escpos.read_png(read_bytes(out))
        self.assertEqual((w, h), (512, info["height"]))
        r = subprocess.run([sys.executable, PREVIEW, os.path.join(self.tmp, "missing.bin")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(r.returncode, 2)


class PrinterTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="vprinter-test-")
        cls.job = receipt()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def start(self, *extra, tcp=True, pty=False):
        p = PrinterProc(self.tmp, *extra, tcp=tcp, pty=pty)
        self.addCleanup(p.stop)
        return p

    def open_pty(self, path):
        fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        self.addCleanup(lambda: _close(fd))
        return fd

    def test_status_bytes_every_mode_tcp_and_pty(self):
        p = self.start("--tcp", pty=True)
        conn = p.connect()
        self.addCleanup(conn.close)
        fd = self.open_pty(p.pty)
        for mode, want in EXPECTED.items():
            state = p.set_mode(mode)
            self.assertEqual(state["mode"], mode)
            self.assertEqual(state["dle_eot"],
                             {str(n): "0x%02X" % want[n - 1] for n in (1, 2, 3, 4)})
            for name, c in (("tcp", conn), ("pty", fd)):
                with self.subTest(mode=mode, transport=name):
                    got = tuple(query(c, n) for n in (1, 2, 3, 4))
                    self.assertEqual(got, want)
                    for b in got:       # every reply has the fixed DLE EOT bits 0xx1xx10
                        self.assertEqual(b & 0x93, 0x12)
        # four queries back to back are answered in order
        p.set_mode("near_end")
        conn.sendall(b"".join(DLE_EOT[n] for n in (1, 2, 3, 4)))
        self.assertEqual(recv_exact(conn, 4), bytes(EXPECTED["near_end"]))

    def test_mode_from_command_line(self):
        p = self.start("--mode", "paper_out")
        c = p.connect()
        self.addCleanup(c.close)
        self.assertEqual((query(c, 1), query(c, 2), query(c, 4)), (0x1E, 0x32, 0x7E))

    def test_jobs_written_only_when_printing(self):
        p = self.start("--tcp", pty=True)
        conn = p.connect()
        self.addCleanup(conn.close)
        fd = self.open_pty(p.pty)
        expect = 0
        for mode in ("ok", "near_end", "paper_out", "offline", "cover_open"):
            p.set_mode(mode)
            for name, c in (("tcp", conn), ("pty", fd)):
                with self.subTest(mode=mode, transport=name):
                    data = self.job + GS_R1 + DLE_EOT[1]
                    if isinstance(c, int):
                        os.write(c, data)
                    else:
                        c.sendall(data)
                    if mode in ("ok", "near_end"):
                        # GS r 1 is answered once the job before it has been printed
                        got = recv_exact(c, 2)
                        self.assertEqual(got, bytes((0x03 if mode == "near_end" else 0x00,
                                                     EXPECTED[mode][0])))
                        expect += 1
                        name_ = "job-%04d" % expect
                        self.assertIn(name_ + ".json", p.job_files())
                        info = read_json(os.path.join(p.jobs, name_ + ".json"))
                        self.assertFalse(info["partial"])
                        self.assertEqual(info["transport"], name)
                        self.assertEqual(info["printer_mode"], mode)
                        self.assertEqual([q["payload"] for q in info["native_qr"]], [URL2])
                        self.assertEqual(info["errors"], [])
                        with open(os.path.join(p.jobs, name_ + ".bin"), "rb") as fh:
                            self.assertEqual(fh.read(), self.job)
                        self.assertEqual(sorted(zbar(os.path.join(p.jobs, name_ + ".png"))[1]),
                                         [URL, URL2])
                    else:
                        # offline: GS r is not processed, DLE EOT (real time) still is
                        got = recv_exact(c, 1)
                        self.assertEqual(got, bytes((EXPECTED[mode][0],)))
                    self.assertEqual(len([f for f in p.job_files() if f.endswith(".json")]),
                                     expect)
        st, jobs = p.admin("GET", "/jobs")
        self.assertEqual([j["name"] for j in jobs], ["job-0001", "job-0002", "job-0003",
                                                     "job-0004"])
        self.assertEqual(jobs[0]["native_qr"], [URL2])
        st, one = p.admin("GET", "/jobs/2")
        self.assertEqual((st, one["name"], one["transport"]), (200, "job-0002", "pty"))
        st, state = p.admin("GET", "/state")
        self.assertGreater(state["stats"]["bytes_discarded"], 5 * len(self.job))

    def test_paper_out_after(self):
        p = self.start("--paper-out-after", "1000")
        c = p.connect()
        self.addCleanup(c.close)
        c.sendall(DLE_EOT[1] + self.job + DLE_EOT[4] + GS_R1)
        self.assertEqual(recv_exact(c, 2), b"\x16\x7e")     # paper ran out; no GS r reply
        self.assertTrue(nothing_within(c, 0.2))
        self.assertEqual(p.job_files(), ["job-0001.partial.bin", "job-0001.partial.json",
                                         "job-0001.partial.png"])
        with open(os.path.join(p.jobs, "job-0001.partial.bin"), "rb") as fh:
            self.assertEqual(fh.read(), self.job[:1000])   # the leading DLE EOT is not the job's
        info = read_json(os.path.join(p.jobs, "job-0001.partial.json"))
        self.assertTrue(info["partial"])
        self.assertIn("paper_out after 1000 bytes", info["reason"])
        self.assertEqual(info["errors"][0]["kind"], "truncated")
        # the preview shows the rows that were printed before the paper ran out
        band = [e for e in info["elements"] if e["type"] == "raster"][0]
        self.assertEqual((band["truncated"], band["declared_height"]), (True, 198))
        self.assertEqual(info["height"], (1000 - 13) // 25)
        st, state = p.admin("GET", "/state")
        self.assertEqual((state["mode"], state["paper_out_after"]), ("paper_out", None))
        # staff refill the paper: the next job prints in full
        p.set_mode("ok")
        c.sendall(self.job + GS_R1)
        self.assertEqual(recv_exact(c, 1), b"\x00")
        self.assertIn("job-0002.json", p.job_files())
        # a live fault mid-job also cuts the job short
        p.set_mode("ok", paper_out_after=300)
        c.sendall(self.job + DLE_EOT[2])
        self.assertEqual(recv_exact(c, 1), b"\x32")
        with open(os.path.join(p.jobs, "job-0003.partial.bin"), "rb") as fh:
            self.assertEqual(len(fh.read()), 300)

    def test_hang_fills_the_client_buffer(self):
        p = self.start("--mode", "hang", "--tcp", pty=True)
        c = socket.socket()
        self.addCleanup(c.close)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        c.connect(("127.0.0.1", p.port))
        c.setblocking(False)
        chunk = b"\0" * 4096
        sent, blocked = 0, False
        while sent < 64 << 20:
            try:
                sent += c.send(chunk)
            except BlockingIOError as e:
                self.assertEqual(e.errno, errno.EAGAIN)
                blocked = True
                break
        self.assertTrue(blocked, "send never blocked after %d bytes" % sent)
        self.assertLess(sent, 4 << 20)
        c.setblocking(True)
        # the status query is never answered
        _, w, _ = select.select([], [c], [], 0)
        self.assertEqual(w, [])
        # pty: writes stop being accepted too
        fd = self.open_pty(p.pty)
        os.set_blocking(fd, False)
        psent, pblocked = 0, False
        while psent < 16 << 20:
            try:
                psent += os.write(fd, chunk)
            except BlockingIOError:
                pblocked = True
                break
        self.assertTrue(pblocked)
        # the printer is alive: the admin API answers, and it recovers when told to
        st, state = p.admin("GET", "/state")
        self.assertEqual((st, state["mode"]), (200, "hang"))
        p.set_mode("ok")
        c.setblocking(False)
        _, w, _ = select.select([], [c], [], 5)
        self.assertEqual(w, [c], "printer did not resume reading")
        c.setblocking(True)
        c.sendall(DLE_EOT[1])
        self.assertEqual(recv_exact(c, 1), b"\x16")
        self.assertIsNone(p.proc.poll())

    def test_refuse(self):
        p = self.start("--mode", "refuse")
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", p.port), timeout=5)
        p.set_mode("ok")
        c = p.connect()
        self.addCleanup(c.close)
        self.assertEqual(query(c, 1), 0x16)
        p.set_mode("refuse")
        # the open connection is dropped, new ones are refused
        r, _, _ = select.select([c], [], [], 5)
        self.assertEqual(r, [c])
        try:
            self.assertEqual(c.recv(10), b"")
        except ConnectionResetError:
            pass
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", p.port), timeout=5)

    def test_refuse_pty(self):
        p = self.start(tcp=False, pty=True)
        fd = self.open_pty(p.pty)
        self.assertEqual(query(fd, 1), 0x16)
        p.set_mode("refuse")
        with self.assertRaises(OSError) as cm:
            os.write(fd, DLE_EOT[1])
        self.assertEqual(cm.exception.errno, errno.EIO)
        st = p.set_mode("ok")
        fd2 = self.open_pty(st["pty"])
        self.assertEqual(read_text(p.pty_file).strip(), st["pty"])
        self.assertEqual(query(fd2, 4), 0x12)

    def test_slow(self):
        p = self.start("--mode", "slow", "--slow-bps", "4000")
        c = p.connect()
        self.addCleanup(c.close)
        t0 = time.monotonic()
        c.sendall(b"\0" * 1200 + DLE_EOT[1])
        self.assertEqual(recv_exact(c, 1), b"\x16")
        self.assertGreater(time.monotonic() - t0, 0.2)      # 1203 bytes at 4000 B/s ~ 0.3 s

    def test_admin_api_and_clean_stop(self):
        p = self.start()
        st, state = p.admin("GET", "/state")
        self.assertEqual((st, state["mode"], state["tcp_port"]), (200, "ok", p.port))
        st, out = p.admin("POST", "/state", {"mode": "broken"})
        self.assertEqual(st, 400)
        st, out = p.admin("POST", "/state", {"slow_bps": 0})
        self.assertEqual(st, 400)
        st, out = p.admin("POST", "/state", {"mode": "near_end", "slow_bps": 500})
        self.assertEqual((st, out["mode"], out["slow_bps"]), (200, "near_end", 500))
        c = p.connect()
        self.assertEqual(query(c, 4), 0x1E)
        # ASB: GS a enables automatic status, sent again on every state change
        c.sendall(b"\x1da\xff")
        self.assertEqual(recv_exact(c, 4), b"\x14\x00\x03\x00")
        p.set_mode("cover_open")
        self.assertEqual(recv_exact(c, 4), b"\x3c\x00\x00\x00")
        st, out = p.admin("POST", "/reset")
        self.assertEqual((out["mode"], out["jobs"]), ("ok", 0))
        self.assertEqual(recv_exact(c, 4), b"\x14\x00\x00\x00")
        # a job left uncut when the connection closes is kept as partial
        c.sendall(INIT + b"uncut\n" + DLE_EOT[1])
        self.assertEqual(recv_exact(c, 1), b"\x16")
        c.close()
        self.assertTrue(p.wait_log("job-0001.partial"))
        info = read_json(os.path.join(p.jobs, "job-0001.partial.json"))
        self.assertEqual(info["reason"], "connection closed before a cut")
        self.assertEqual(p.stop(), 0)
        for f in (p.port_file, p.admin_file):
            self.assertFalse(os.path.exists(f), f)


def _close(fd):
    try:
        os.close(fd)
    except OSError:
        pass


if __name__ == "__main__":
    unittest.main(verbosity=2)
