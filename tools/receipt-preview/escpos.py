#!/usr/bin/env python3
"""ESC/POS stream decoder, paper layout and PNG preview for Civic Kiosk receipts.

Python 3 standard library only. Used by the `receipt-preview` CLI beside this file, by the
virtual printer (tools/virtual-printer/printer.py) and by tests. See README.md beside this file.

Public API
    decode(data, width=None) -> Document       whole stream at once (errors for truncation etc.)
    Decoder(resync=False)                       incremental: .feed(bytes) -> [Element], .finish()
    render_png(doc_or_job, width_dots) -> bytes PNG (8-bit grayscale) of the paper
    summary(doc_or_job, width_dots) -> dict     the JSON summary (elements, jobs, errors, ...)
    raster_to_pbm(band) -> bytes                binary PBM (P4) of one GS v 0 band
    encode_png(w, h, gray) / read_png(data)     tiny PNG writer and reader
    qr_modules(payload, ec="M") -> [[bool]]     QR matrix via the Debian `qrencode` CLI

Conventions: offsets are byte offsets into the decoded stream; sizes are printer dots; a raster
bit of 1 is a black dot and the MSB of each byte is the leftmost dot.
"""

import shutil
import struct
import subprocess
import zlib

__all__ = [
    "Element", "Job", "Document", "Decoder", "PrintState", "decode", "layout", "render_png",
    "summary", "raster_to_pbm", "encode_png", "read_png", "qr_modules", "QRUnavailable",
    "DEFAULT_LINE_SPACING", "CONTENT_TYPES", "STATUS_TYPES",
]

DEFAULT_LINE_SPACING = 30       # dots fed by LF after ESC @ / ESC 2
DEFAULT_QR_MODULE = 3           # GS ( k fn 67 default
DEFAULT_BARCODE_HEIGHT = 162    # GS h default
QUIET_ZONE = 4                  # modules drawn around a native QR in the preview
MAX_TEXT_RUN = 4096             # an incremental text run is emitted after this many bytes
MAX_RENDER_HEIGHT = 100000      # dots (12 m of paper at 203 dpi): longer previews are clipped

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10
EC_NAMES = {48: "L", 49: "M", 50: "Q", 51: "H"}
QR_MODELS = {49: 1, 50: 2, 51: "micro"}

# Element types that put something on paper (or move it). Anything of these types after the
# last cut is reported as print data left uncut.
CONTENT_TYPES = frozenset(("text", "raster", "qr", "feed", "graphics", "barcode"))
# Element types that ask the printer for a reply (or are real-time requests).
STATUS_TYPES = frozenset(("status",))


class Element:
    """One decoded command (or text run). `attrs` holds the type-specific fields."""

    __slots__ = ("type", "offset", "length", "attrs")

    def __init__(self, type, offset, length, **attrs):
        self.type = type
        self.offset = offset
        self.length = length
        self.attrs = attrs

    def __getitem__(self, key):
        return self.attrs[key]

    def get(self, key, default=None):
        return self.attrs.get(key, default)

    def __repr__(self):
        shown = {k: v for k, v in self.attrs.items() if k != "data"}
        return "Element(%s @%d+%d %r)" % (self.type, self.offset, self.length, shown)

    def to_json(self):
        d = {"type": self.type, "offset": self.offset, "length": self.length}
        for k, v in self.attrs.items():
            if k == "data":
                continue
            if isinstance(v, (bytes, bytearray)):
                d[k] = _bytes_text(v)
                d[k + "_hex"] = bytes(v).hex()
            else:
                d[k] = v
        return d


def _bytes_text(b):
    try:
        return bytes(b).decode("utf-8")
    except UnicodeDecodeError:
        return bytes(b).decode("latin-1")


class PrintState:
    """Formatting state that ESC @ resets; tracked while decoding and while laying out."""

    FIELDS = ("justify", "line_spacing", "print_mode", "emphasis", "underline", "char_w", "char_h",
              "code_page", "qr_model", "qr_module_size", "qr_ec", "qr_data", "barcode_height",
              "barcode_module", "graphics")

    def __init__(self):
        self.reset()

    def reset(self):
        self.justify = 0
        self.line_spacing = DEFAULT_LINE_SPACING
        self.print_mode = 0
        self.emphasis = 0
        self.underline = 0
        self.char_w = 1
        self.char_h = 1
        self.code_page = 0
        self.qr_model = 50
        self.qr_module_size = DEFAULT_QR_MODULE
        self.qr_ec = 48
        self.qr_data = None
        self.barcode_height = DEFAULT_BARCODE_HEIGHT
        self.barcode_module = 3
        self.graphics = None      # (width, height, data) stored by GS ( L / GS 8 L fn 112

    def copy(self):
        s = PrintState.__new__(PrintState)
        for f in self.FIELDS:
            setattr(s, f, getattr(self, f))
        return s

    def apply(self, el):
        """Update the state from a 'init' or 'set' element."""
        if el.type == "init":
            self.reset()
            return
        if el.type != "set":
            return
        name, v = el["name"], el.get("value")
        if name == "justify":
            self.justify = v if v in (0, 1, 2) else (v - 48 if v in (48, 49, 50) else self.justify)
        elif name == "line_spacing":
            self.line_spacing = v
        elif name == "line_spacing_default":
            self.line_spacing = DEFAULT_LINE_SPACING
        elif name == "print_mode":
            self.print_mode = v
            self.emphasis = 1 if v & 0x08 else 0
            self.underline = 1 if v & 0x80 else 0
        elif name == "emphasis":
            self.emphasis = v & 1
        elif name == "underline":
            self.underline = v if v in (0, 1, 2) else (v - 48 if v in (48, 49, 50) else 0)
        elif name == "char_size":
            self.char_w = ((v >> 4) & 7) + 1
            self.char_h = (v & 7) + 1
        elif name == "code_page":
            self.code_page = v
        elif name == "qr_model":
            self.qr_model = v
        elif name == "qr_module_size":
            self.qr_module_size = v
        elif name == "qr_ec":
            self.qr_ec = v
        elif name == "qr_store":
            self.qr_data = bytes(el["data"])
        elif name == "barcode_height":
            self.barcode_height = v
        elif name == "barcode_module":
            self.barcode_module = v
        elif name == "graphics_store":
            self.graphics = (el["width"], el["height"], el["data"]) if el.get("width") else None


class Job:
    """The elements from just after one cut (or the stream start) up to and including a cut."""

    def __init__(self, index, elements, initial_state, start, end, cut):
        self.index = index
        self.elements = elements
        self.initial_state = initial_state
        self.start = start          # offset of the first element that is not a status query
        self.end = end              # offset just past the cut
        self.cut = cut              # True for a job ended by a cut (False: the uncut tail)
        self.errors = []
        self.warnings = []
        self.status_queries = [e for e in elements if e.type in STATUS_TYPES]

    @property
    def has_content(self):
        return any(e.type in CONTENT_TYPES for e in self.elements)


class Document:
    def __init__(self, size):
        self.size = size
        self.elements = []
        self.jobs = []
        self.tail = None            # Job(cut=False) for elements after the last cut, if any
        self.errors = []
        self.warnings = []
        self.status_queries = []
        self.initial_state = PrintState()
        self.stopped_at = None      # offset where decoding stopped on a fatal error

    @property
    def native_qr(self):
        return [e for e in self.elements if e.type == "qr"]


class _NeedMore(Exception):
    def __init__(self, what, offset, needed, have, partial=None):
        super().__init__(what)
        self.what, self.offset, self.needed, self.have = what, offset, needed, have
        self.partial = partial      # element for what did arrive (a truncated raster's rows)


class _Fatal(Exception):
    def __init__(self, kind, offset, message, skip=2):
        super().__init__(message)
        self.kind, self.offset, self.message, self.skip = kind, offset, message, skip


def _err(kind, offset, message):
    return {"offset": offset, "kind": kind, "message": message}


# Commands of fixed length: (prefix byte, command byte) -> (length, label, type, set-name)
_FIXED = {}


def _fixed(prefix, cmd, length, label, etype="command", setname=None):
    _FIXED[(prefix, cmd)] = (length, label, etype, setname)


for _c, _l, _label, _t, _s in [
    (0x20, 3, "ESC SP", "command", None), (0x21, 3, "ESC !", "set", "print_mode"),
    (0x24, 4, "ESC $", "command", None), (0x25, 3, "ESC %", "command", None),
    (0x2D, 3, "ESC -", "set", "underline"), (0x32, 2, "ESC 2", "set", "line_spacing_default"),
    (0x33, 3, "ESC 3", "set", "line_spacing"), (0x3C, 2, "ESC <", "command", None),
    (0x3D, 3, "ESC =", "command", None), (0x3F, 3, "ESC ?", "command", None),
    (0x40, 2, "ESC @", "init", None), (0x45, 3, "ESC E", "set", "emphasis"),
    (0x47, 3, "ESC G", "command", None), (0x4B, 3, "ESC K", "command", None),
    (0x4C, 2, "ESC L", "command", None), (0x4D, 3, "ESC M", "command", None),
    (0x52, 3, "ESC R", "command", None), (0x53, 2, "ESC S", "command", None),
    (0x54, 3, "ESC T", "command", None), (0x55, 3, "ESC U", "command", None),
    (0x56, 3, "ESC V", "command", None), (0x57, 10, "ESC W", "command", None),
    (0x5C, 4, "ESC \\", "command", None), (0x61, 3, "ESC a", "set", "justify"),
    (0x63, 4, "ESC c", "command", None), (0x65, 3, "ESC e", "command", None),
    (0x70, 5, "ESC p", "command", None), (0x72, 3, "ESC r", "command", None),
    (0x74, 3, "ESC t", "set", "code_page"), (0x75, 3, "ESC u", "command", None),
    (0x76, 2, "ESC v", "command", None), (0x7B, 3, "ESC {", "command", None),
    (0x0C, 2, "ESC FF", "command", None),
]:
    _fixed(ESC, _c, _l, _label, _t, _s)

for _c, _l, _label, _t, _s in [
    (0x21, 3, "GS !", "set", "char_size"), (0x24, 4, "GS $", "command", None),
    (0x2F, 3, "GS /", "command", None), (0x3A, 2, "GS :", "command", None),
    (0x42, 3, "GS B", "command", None), (0x48, 3, "GS H", "command", None),
    (0x4C, 4, "GS L", "command", None), (0x50, 4, "GS P", "command", None),
    (0x54, 3, "GS T", "command", None), (0x57, 4, "GS W", "command", None),
    (0x5C, 4, "GS \\", "command", None), (0x5E, 5, "GS ^", "command", None),
    (0x62, 3, "GS b", "command", None), (0x63, 2, "GS c", "command", None),
    (0x66, 3, "GS f", "command", None), (0x68, 3, "GS h", "set", "barcode_height"),
    (0x77, 3, "GS w", "set", "barcode_module"),
]:
    _fixed(GS, _c, _l, _label, _t, _s)

for _c, _l, _label in [(0x21, 3, "FS !"), (0x26, 2, "FS &"), (0x2D, 3, "FS -"), (0x2E, 2, "FS ."),
                       (0x43, 3, "FS C"), (0x53, 4, "FS S"), (0x57, 3, "FS W"), (0x70, 4, "FS p")]:
    _fixed(FS, _c, _l, _label)


class Decoder:
    """Incremental ESC/POS decoder.

    feed(data) parses every complete command and returns the new elements in stream order; an
    incomplete command (or a text run that may go on) stays buffered. finish() parses what is
    left, reports truncation, splits jobs and returns the Document.
    resync=True keeps going after a command of unknown length (skipping its two bytes), as a
    printer would; the default stops there, as a checker should. keep=False forgets elements,
    jobs and errors once returned (for a long-lived stream such as the virtual printer's).
    """

    def __init__(self, resync=False, width=None, keep=True):
        self.resync = resync
        self.width = width
        self.keep = keep
        self.buf = bytearray()
        self.base = 0               # stream offset of buf[0]
        self.pos = 0                # parse position in buf
        self.state = PrintState()
        self.doc = Document(0)
        self.stopped = False
        self._job_first = 0         # index in doc.elements of the first element of the open job
        self._job_state = self.state.copy()
        self._last_raster = None    # raster element immediately preceding, for overrun checks

    @property
    def offset(self):
        """Stream offset of the first byte not yet decoded."""
        return self.base + self.pos

    @property
    def received(self):
        return self.base + len(self.buf)

    def feed(self, data):
        if self.stopped:
            self.base += len(data)
            return []
        self.buf += data
        out = self._run(final=False)
        if self.pos:
            del self.buf[:self.pos]
            self.base += self.pos
            self.pos = 0
        return out

    def finish(self):
        if not self.stopped:
            self._run(final=True)
        doc = self.doc
        doc.size = self.received
        self._close_jobs()
        self._check_after_cut()
        return doc

    # -- internals ----------------------------------------------------------------------------

    def _run(self, final):
        out = []
        buf = self.buf
        while self.pos < len(buf) and not self.stopped:
            start = self.pos
            try:
                els, end = self._parse(buf, start, final)
            except _NeedMore as e:
                if final:
                    self._error("truncated", e.offset,
                                "truncated %s at offset %d: needs %d bytes, only %d remain"
                                % (e.what, e.offset, e.needed, e.have))
                    self.stopped = True
                    self.doc.stopped_at = e.offset
                    if e.partial is not None:
                        self._emit(e.partial)
                        out.append(e.partial)
                break
            except _Fatal as e:
                self._error(e.kind, e.offset, e.message)
                if self.resync:
                    self.pos = min(len(buf), start + e.skip)
                    continue
                self.stopped = True
                self.doc.stopped_at = e.offset
                break
            self.pos = end
            for el in els:
                self._emit(el)
                out.append(el)
        return out

    def _add(self, where, item):
        if self.keep:
            where.append(item)

    def _error(self, kind, offset, message):
        if self.keep:
            self.doc.errors.append(_err(kind, offset, message))

    def _emit(self, el):
        doc = self.doc
        if not self.keep:
            if el.type in ("init", "set"):
                self.state.apply(el)
            return
        if el.type == "raster":
            if el["width"] == 0 or el["height"] == 0:
                doc.errors.append(_err("raster_size", el.offset, "GS v 0 at offset %d is empty "
                                       "(%d x %d dots)" % (el.offset, el["width"], el["height"])))
            if self.width and el["width"] * el["scale_x"] > self.width:
                doc.errors.append(_err("raster_width", el.offset,
                                       "GS v 0 at offset %d is %d dots wide, wider than the paper "
                                       "(%d dots)" % (el.offset, el["width"] * el["scale_x"],
                                                      self.width)))
        elif el.type == "text" and self._last_raster is not None:
            junk = sum(1 for b in el["data"] if b > 0x7E)
            r = self._last_raster
            if junk:
                doc.errors.append(_err("raster_size", el.offset,
                                       "%d bytes of binary text right after the GS v 0 at "
                                       "offset %d "
                                       "(%d x %d dots): its declared height is probably smaller "
                                       "than its data" % (len(el["data"]), r.offset, r["width"],
                                                          r["height"])))
        self._last_raster = el if el.type == "raster" else None
        if el.type in ("init", "set"):
            self.state.apply(el)
        if el.type in STATUS_TYPES:
            doc.status_queries.append(el)
        doc.elements.append(el)
        if el.type == "cut":
            self._close_job(cut=True)

    def _close_job(self, cut):
        doc = self.doc
        els = doc.elements[self._job_first:]
        if not els:
            return
        body = [e for e in els if e.type not in STATUS_TYPES and e.type != "control"]
        start = body[0].offset if body else els[0].offset
        last = els[-1]
        job = Job(len(doc.jobs) + 1, els, self._job_state, start, last.offset + last.length, cut)
        if cut:
            doc.jobs.append(job)
        else:
            doc.tail = job
        self._job_first = len(doc.elements)
        self._job_state = self.state.copy()

    def _close_jobs(self):
        if self._job_first < len(self.doc.elements):
            self._close_job(cut=False)

    def _check_after_cut(self):
        doc = self.doc
        tail = doc.tail
        if tail is None or not tail.has_content:
            return
        first = next(e for e in tail.elements if e.type in CONTENT_TYPES)
        kinds = sorted({e.type for e in tail.elements if e.type in CONTENT_TYPES})
        n = doc.size - first.offset
        if doc.jobs:
            msg = ("%d bytes of print data (%s) after the last cut, from offset %d: they would "
                   "stay in the printer uncut" % (n, ", ".join(kinds), first.offset))
        else:
            msg = ("no cut in the stream: %d bytes of print data (%s) from offset %d are never cut"
                   % (n, ", ".join(kinds), first.offset))
        doc.errors.append(_err("after_cut", first.offset, msg))

    def _parse(self, buf, i, final):
        """Parse one element at buf[i]; return ([elements], end). Offsets are stream offsets."""
        n = len(buf)
        off = self.base + i
        b = buf[i]

        def need(count, what):
            if i + count > n:
                raise _NeedMore(what, off, count, n - i)

        if b >= 0x20 or b == 0x09:
            j = i
            while j < n and (buf[j] >= 0x20 or buf[j] == 0x09) and j - i < MAX_TEXT_RUN:
                j += 1
            if j == n and not final and j - i < MAX_TEXT_RUN:
                raise _NeedMore("text", off, j - i + 1, j - i)
            data = bytes(buf[i:j])
            return [Element("text", off, j - i, text=data.decode("latin-1"), data=data)], j
        if b == 0x0A:
            return [Element("feed", off, 1, command="LF", lines=1,
                            dots=self.state.line_spacing)], i + 1
        if b == 0x00:
            j = i
            while j < n and buf[j] == 0:
                j += 1
            if j == n and not final:
                raise _NeedMore("NUL run", off, j - i + 1, j - i)
            return [Element("control", off, j - i, command="NUL", count=j - i)], j
        if b in (0x0D, 0x0C, 0x18, 0x0B, 0x11, 0x13):
            names = {0x0D: "CR", 0x0C: "FF", 0x18: "CAN", 0x0B: "VT", 0x11: "XON", 0x13: "XOFF"}
            return [Element("control", off, 1, command=names[b])], i + 1
        if b == DLE:
            return self._parse_dle(buf, i, off, need)
        if b in (ESC, GS, FS):
            need(2, {ESC: "ESC", GS: "GS", FS: "FS"}[b] + " command")
            c = buf[i + 1]
            fixed = _FIXED.get((b, c))
            if fixed is not None:
                length, label, etype, setname = fixed
                need(length, label)
                return [self._fixed_element(b, c, off, length, label, etype, setname,
                                            bytes(buf[i:i + length]))], i + length
            if b == ESC:
                return self._parse_esc(buf, i, off, c, need, final)
            if b == GS:
                return self._parse_gs(buf, i, off, c, need, final)
            return self._parse_fs(buf, i, off, c, need)
        return [Element("control", off, 1, command="0x%02X" % b)], i + 1

    def _fixed_element(self, prefix, c, off, length, label, etype, setname, raw):
        if etype == "init":
            return Element("init", off, length, command=label)
        value = raw[2] if length >= 3 else None
        if etype == "set":
            if setname == "line_spacing_default":
                return Element("set", off, length, command=label, name=setname)
            return Element("set", off, length, command=label, name=setname, value=value)
        attrs = {"command": label}
        if length > 2:
            attrs["params"] = raw[2:].hex()
        return Element("command", off, length, **attrs)

    def _parse_dle(self, buf, i, off, need):
        need(2, "DLE command")
        c = buf[i + 1]
        if c == 0x04:                               # DLE EOT n [a]
            need(3, "DLE EOT")
            n = buf[i + 2]
            length = 4 if n in (7, 8, 18) else 3
            need(length, "DLE EOT")
            return [Element("status", off, length, command="DLE EOT", n=n)], i + length
        if c == 0x05:                               # DLE ENQ n
            need(3, "DLE ENQ")
            return [Element("status", off, 3, command="DLE ENQ", n=buf[i + 2])], i + 3
        if c == 0x14:                               # DLE DC4 fn ...
            need(3, "DLE DC4")
            fn = buf[i + 2]
            length = {1: 5, 2: 5, 3: 8, 7: 4, 8: 10}.get(fn)
            if length is None:
                raise _Fatal("unknown_command", off, "DLE DC4 fn %d at offset %d: unknown "
                             "function, length cannot be determined" % (fn, off), skip=2)
            need(length, "DLE DC4")
            return [Element("command", off, length, command="DLE DC4", fn=fn)], i + length
        # A lone DLE followed by something else: a data byte of no meaning here.
        return [Element("control", off, 1, command="DLE")], i + 1

    def _parse_paren(self, buf, i, off, need, prefix_name):
        """ESC ( X / GS ( X / FS ( X pL pH ...: returns (X, body bytes, total length)."""
        need(5, prefix_name + " (")
        x = buf[i + 2]
        plen = buf[i + 3] | (buf[i + 4] << 8)
        label = "%s ( %s" % (prefix_name, chr(x) if 0x20 < x < 0x7F else "0x%02X" % x)
        need(5 + plen, label)
        return x, bytes(buf[i + 5:i + 5 + plen]), 5 + plen, label

    def _parse_esc(self, buf, i, off, c, need, final):
        if c == 0x4A:                               # ESC J n: feed n dots
            need(3, "ESC J")
            return [Element("feed", off, 3, command="ESC J", dots=buf[i + 2])], i + 3
        if c == 0x64:                               # ESC d n: feed n lines
            need(3, "ESC d")
            n = buf[i + 2]
            return [Element("feed", off, 3, command="ESC d", lines=n,
                            dots=n * self.state.line_spacing)], i + 3
        if c in (0x69, 0x6D):                       # ESC i / ESC m: old full / partial cut
            return [Element("cut", off, 2, command="ESC " + chr(c), m=None, n=None,
                            partial=(c == 0x6D), feed=0)], i + 2
        if c == 0x2A:                               # ESC * m nL nH d: bit image
            need(5, "ESC *")
            m = buf[i + 2]
            cols = buf[i + 3] | (buf[i + 4] << 8)
            k = cols * (3 if m in (32, 33) else 1)
            need(5 + k, "ESC *")
            return [Element("graphics", off, 5 + k, command="ESC *", m=m, columns=cols,
                            rendered=False)], i + 5 + k
        if c == 0x26:                               # ESC & y c1 c2 [x d1..d(y*x)]...
            need(5, "ESC &")
            y, c1, c2 = buf[i + 2], buf[i + 3], buf[i + 4]
            j = i + 5
            for _ in range(max(0, c2 - c1 + 1)):
                need(j - i + 1, "ESC &")
                x = buf[j]
                need(j - i + 1 + y * x, "ESC &")
                j += 1 + y * x
            return [Element("command", off, j - i, command="ESC &")], j
        if c == 0x44:                               # ESC D n1..nk NUL
            j = i + 2
            while True:
                need(j - i + 1, "ESC D")
                if buf[j] == 0 or j - i > 34:
                    break
                j += 1
            return [Element("command", off, j + 1 - i, command="ESC D")], j + 1
        if c == 0x28:                               # ESC ( X pL pH ...
            x, body, length, label = self._parse_paren(buf, i, off, need, "ESC")
            return [Element("unknown", off, length, command=label, bytes=body[:16].hex())], \
                i + length
        raise _Fatal("unknown_command", off, "unknown command ESC 0x%02X at offset %d: its length "
                     "cannot be determined" % (c, off))

    def _parse_gs(self, buf, i, off, c, need, final):
        if c == 0x76:                               # GS v 0 m xL xH yL yH d...
            need(3, "GS v")
            if buf[i + 2] not in (0x30, 0x00):
                raise _Fatal("unknown_command", off, "GS v 0x%02X at offset %d: unknown, its "
                             "length cannot be determined" % (buf[i + 2], off))
            need(8, "GS v 0 header")
            m = buf[i + 3]
            xb = buf[i + 4] | (buf[i + 5] << 8)
            h = buf[i + 6] | (buf[i + 7] << 8)
            k = xb * h
            sx, sy = {0: (1, 1), 48: (1, 1), 1: (2, 1), 49: (2, 1), 2: (1, 2), 50: (1, 2),
                      3: (2, 2), 51: (2, 2)}.get(m, (1, 1))
            if i + 8 + k > len(buf):
                rows = (len(buf) - i - 8) // xb if xb else 0
                part = None
                if final and rows > 0:      # the rows that did arrive (e.g. paper ran out)
                    part = Element("raster", off, len(buf) - i, command="GS v 0", mode=m,
                                   width_bytes=xb, width=xb * 8, height=rows, scale_x=sx,
                                   scale_y=sy, truncated=True, declared_height=h,
                                   data=bytes(buf[i + 8:i + 8 + rows * xb]))
                raise _NeedMore("GS v 0 (%d x %d dots, %d data bytes)" % (xb * 8, h, k), off,
                                8 + k, len(buf) - i, part)
            el = Element("raster", off, 8 + k, command="GS v 0", mode=m, width_bytes=xb,
                         width=xb * 8, height=h, scale_x=sx, scale_y=sy,
                         data=bytes(buf[i + 8:i + 8 + k]))
            if m not in (0, 48, 1, 49, 2, 50, 3, 51):
                self._add(self.doc.warnings, _err(
                    "raster_mode", off, "GS v 0 at offset %d has mode %d (not 0-3/48-51); "
                    "previewed at 1:1" % (off, m)))
            return [el], i + 8 + k
        if c == 0x56:                               # GS V m [n]
            need(3, "GS V")
            m = buf[i + 2]
            if m in (0, 1, 48, 49):
                return [Element("cut", off, 3, command="GS V", m=m, n=None,
                                partial=m in (1, 49), feed=0)], i + 3
            if m in (65, 66, 97, 98, 103, 104):
                need(4, "GS V")
                nn = buf[i + 3]
                return [Element("cut", off, 4, command="GS V", m=m, n=nn,
                                partial=m in (66, 98, 104), feed=nn)], i + 4
            raise _Fatal("unknown_command", off, "GS V with m=%d at offset %d: unknown cut mode, "
                         "length cannot be determined" % (m, off), skip=3)
        if c == 0x28:                               # GS ( X pL pH ...
            x, body, length, label = self._parse_paren(buf, i, off, need, "GS")
            return self._gs_paren(off, x, body, length, label), i + length
        if c == 0x38:                               # GS 8 X p1 p2 p3 p4 ...
            need(7, "GS 8")
            x = buf[i + 2]
            plen = buf[i + 3] | (buf[i + 4] << 8) | (buf[i + 5] << 16) | (buf[i + 6] << 24)
            label = "GS 8 " + (chr(x) if 0x20 < x < 0x7F else "0x%02X" % x)
            need(7 + plen, label)
            body = bytes(buf[i + 7:i + 7 + plen])
            if x == 0x4C:
                return self._graphics(off, 7 + plen, label, body), i + 7 + plen
            return [Element("unknown", off, 7 + plen, command=label, bytes=body[:16].hex())], \
                i + 7 + plen
        if c == 0x6B:                               # GS k m ...: barcode
            need(3, "GS k")
            m = buf[i + 2]
            if m <= 6:
                j = i + 3
                while j < len(buf) and buf[j] != 0:
                    j += 1
                if j >= len(buf):
                    raise _NeedMore("GS k (NUL-terminated data)", off, j - i + 1, len(buf) - i)
                data = bytes(buf[i + 3:j])
                end = j + 1
            else:
                need(4, "GS k")
                k = buf[i + 3]
                need(4 + k, "GS k")
                data = bytes(buf[i + 4:i + 4 + k])
                end = i + 4 + k
            return [Element("barcode", off, end - i, command="GS k", symbology=m,
                            payload=data)], end
        if c == 0x72:                               # GS r n
            need(3, "GS r")
            return [Element("status", off, 3, command="GS r", n=buf[i + 2])], i + 3
        if c == 0x61:                               # GS a n (automatic status back)
            need(3, "GS a")
            return [Element("status", off, 3, command="GS a", n=buf[i + 2])], i + 3
        if c == 0x49:                               # GS I n (printer ID)
            need(3, "GS I")
            return [Element("status", off, 3, command="GS I", n=buf[i + 2])], i + 3
        if c == 0x6A:                               # GS j n (ink ASB)
            need(3, "GS j")
            return [Element("status", off, 3, command="GS j", n=buf[i + 2])], i + 3
        if c == 0x2A:                               # GS * x y d(x*y*8)
            need(4, "GS *")
            k = buf[i + 2] * buf[i + 3] * 8
            need(4 + k, "GS *")
            return [Element("command", off, 4 + k, command="GS *")], i + 4 + k
        if c == 0x67:                               # GS g 0 m nL nH / GS g 2 m nL nH
            need(6, "GS g")
            return [Element("command", off, 6, command="GS g")], i + 6
        raise _Fatal("unknown_command", off, "unknown command GS 0x%02X at offset %d: its length "
                     "cannot be determined" % (c, off))

    def _parse_fs(self, buf, i, off, c, need):
        if c == 0x28:
            x, body, length, label = self._parse_paren(buf, i, off, need, "FS")
            return [Element("unknown", off, length, command=label, bytes=body[:16].hex())], \
                i + length
        if c == 0x71:                               # FS q n [xL xH yL yH d(x*y*8)]...
            need(3, "FS q")
            j = i + 3
            for _ in range(buf[i + 2]):
                need(j - i + 4, "FS q")
                x = buf[j] | (buf[j + 1] << 8)
                y = buf[j + 2] | (buf[j + 3] << 8)
                need(j - i + 4 + x * y * 8, "FS q")
                j += 4 + x * y * 8
            return [Element("command", off, j - i, command="FS q")], j
        raise _Fatal("unknown_command", off, "unknown command FS 0x%02X at offset %d: its length "
                     "cannot be determined" % (c, off))

    def _gs_paren(self, off, x, body, length, label):
        if x == 0x6B and len(body) >= 2:            # GS ( k: 2D codes
            cn, fn = body[0], body[1]
            if cn != 0x31:
                return [Element("unknown", off, length, command="GS ( k", cn=cn, fn=fn,
                                note="2D symbol other than QR (cn %d): not previewed" % cn)]
            if fn == 65 and len(body) >= 3:
                return [Element("set", off, length, command="GS ( k", name="qr_model",
                                value=body[2])]
            if fn == 67 and len(body) >= 3:
                return [Element("set", off, length, command="GS ( k", name="qr_module_size",
                                value=body[2])]
            if fn == 69 and len(body) >= 3:
                return [Element("set", off, length, command="GS ( k", name="qr_ec",
                                value=body[2])]
            if fn == 80 and len(body) >= 3:
                data = body[3:]
                return [Element("set", off, length, command="GS ( k", name="qr_store",
                                value=len(data), payload=data, data=data)]
            if fn == 81:
                st = self.state
                if st.qr_data is None:
                    self._add(self.doc.errors, _err(
                        "qr", off, "GS ( k print (fn 81) at offset %d with no stored QR data"
                        % off))
                    return [Element("command", off, length, command="GS ( k", fn=fn,
                                    note="QR print with no stored data")]
                size = st.qr_module_size
                if not 1 <= size <= 16:
                    self._add(self.doc.warnings, _err(
                        "qr", off, "QR module size %d outside 1..16" % size))
                    size = max(1, min(16, size))
                return [Element("qr", off, length, command="GS ( k", payload=st.qr_data,
                                module_size=size, ec=EC_NAMES.get(st.qr_ec, str(st.qr_ec)),
                                model=QR_MODELS.get(st.qr_model, st.qr_model))]
            if fn == 82:
                return [Element("status", off, length, command="GS ( k", n=fn,
                                note="QR size information request")]
            return [Element("unknown", off, length, command="GS ( k", cn=cn, fn=fn)]
        if x == 0x4C:                               # GS ( L: graphics
            return self._graphics(off, length, label, body)
        return [Element("unknown", off, length, command=label, bytes=body[:16].hex())]

    def _graphics(self, off, length, label, body):
        """GS ( L / GS 8 L. fn 112 (store monochrome raster) and fn 50 (print) are previewed."""
        m = body[0] if body else None
        fn = body[1] if len(body) >= 2 else None
        if fn == 112 and len(body) >= 10 and body[2] == 48:
            bx, by = body[3], body[4]
            w = body[6] | (body[7] << 8)
            h = body[8] | (body[9] << 8)
            data = body[10:]
            ok = len(data) >= ((w + 7) // 8) * h and w > 0 and h > 0
            return [Element("set", off, length, command=label, name="graphics_store", fn=fn,
                            width=w if ok else 0, height=h if ok else 0, scale_x=bx, scale_y=by,
                            data=data)]
        if fn in (2, 50):
            g = self.state.graphics
            if g is not None:
                w, h, data = g
                return [Element("graphics", off, length, command=label, fn=fn, width=w,
                                height=h, rendered=True, data=data)]
        return [Element("graphics", off, length, command=label, m=m, fn=fn, rendered=False)]


def decode(data, width=None, resync=False):
    """Decode a whole ESC/POS stream. width (dots) enables the paper-width checks."""
    d = Decoder(resync=resync, width=width)
    d.feed(bytes(data))
    return d.finish()


# ---------------------------------------------------------------------------------------------
# QR via the qrencode CLI

class QRUnavailable(Exception):
    pass


_QR_CACHE = {}


def qr_modules(payload, ec="M", micro=False):
    """The QR matrix (rows of bools, True = dark, no quiet zone) for payload, via `qrencode`."""
    key = (bytes(payload), ec, micro)
    if key in _QR_CACHE:
        return _QR_CACHE[key]
    exe = shutil.which("qrencode")
    if exe is None:
        raise QRUnavailable("the qrencode CLI is not installed (Debian package qrencode)")
    cmd = [exe, "-t", "PNG", "-s", "1", "-m", "0", "-l", ec if ec in "LMQH" else "M", "-o", "-"]
    if micro:
        cmd.append("-M")
    if b"\0" in payload:
        cmd.append("-8")
    try:
        r = subprocess.run(cmd, input=bytes(payload), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise QRUnavailable("qrencode failed: %s" % e)
    if r.returncode != 0:
        raise ValueError("qrencode cannot encode the %d-byte payload: %s"
                         % (len(payload), r.stderr.decode("utf-8", "replace").strip()))
    w, h, gray = read_png(r.stdout)
    rows = [[gray[y * w + x] < 128 for x in range(w)] for y in range(h)]
    _QR_CACHE[key] = rows
    return rows


def _pack_rows(rows, quiet=0):
    """Pack a bool matrix (plus a quiet zone) into MSB-first bytes: (width, height, data)."""
    w = len(rows[0]) + 2 * quiet if rows else 2 * quiet
    h = len(rows) + 2 * quiet
    wb = (w + 7) // 8
    out = bytearray(wb * h)
    for y, row in enumerate(rows):
        base = (y + quiet) * wb
        for x, dark in enumerate(row):
            if dark:
                xx = x + quiet
                out[base + (xx >> 3)] |= 0x80 >> (xx & 7)
    return w, h, bytes(out)


# ---------------------------------------------------------------------------------------------
# Layout and rendering

class Layout:
    def __init__(self, width):
        self.width = width
        self.height = 0
        self.ops = []               # drawing operations, see _draw
        self.places = {}            # id(element) -> (x, y, w, h)
        self.errors = []
        self.warnings = []
        self.cuts = []              # y of each cut


_CELL = {False: (12, 24), True: (9, 17)}    # font A / font B placeholder cells


def layout(elements, width, initial_state=None):
    """Place elements on paper `width` dots wide. Returns a Layout (ops, height, places)."""
    L = Layout(width)
    st = initial_state.copy() if initial_state is not None else PrintState()
    y = 0
    row = []                        # pending text: (char, cw, ch, dark, underline)
    row_w = 0

    def xpos(w):
        if st.justify == 1:
            return max(0, (width - w) // 2)
        if st.justify == 2:
            return max(0, width - w)
        return 0

    def flush(advance_min):
        nonlocal y, row, row_w
        if not row:
            return False
        rh = max(c[2] for c in row)
        x = xpos(row_w)
        for ch, cw, chh, dark, ul in row:
            if ch not in (0x20, 0x09):
                L.ops.append(("box", x, y + rh - chh, cw, chh, dark))
            if ul:
                L.ops.append(("fill", x, y + rh - 1, cw, ul, 0))
            x += cw
        y += max(rh, advance_min)
        row = []
        row_w = 0
        return True

    for el in elements:
        t = el.type
        if t in ("init", "set"):
            st.apply(el)
            continue
        if t == "text":
            y0 = y
            font_b = bool(st.print_mode & 1)
            cw, ch = _CELL[font_b]
            mw = max(st.char_w, 2 if st.print_mode & 0x20 else 1)
            mh = max(st.char_h, 2 if st.print_mode & 0x10 else 1)
            cw, ch = cw * mw, ch * mh
            for b in el["data"]:
                if row_w + cw > width:
                    flush(st.line_spacing)
                row.append((b, cw, ch, 0 if st.emphasis else 96, st.underline))
                row_w += cw
            L.places[id(el)] = (0, y0, width, ch)
            continue
        if t == "feed":
            y0 = y
            if el["command"] == "LF":
                if not flush(st.line_spacing):
                    y += st.line_spacing
            elif el["command"] == "ESC d":
                lines = el["lines"]
                if lines and flush(st.line_spacing):
                    lines -= 1
                elif not lines:
                    flush(0)
                y += lines * st.line_spacing
            else:                   # ESC J: dots
                flush(0)
                y += el["dots"]
            L.places[id(el)] = (0, y0, width, y - y0)
            continue
        if t == "raster":
            flush(0)
            sx, sy = el["scale_x"], el["scale_y"]
            w, h = el["width"] * sx, el["height"] * sy
            x = xpos(w)
            if h and w:
                L.ops.append(("bits", x, y, el["width_bytes"], el["height"], el["data"], sx, sy))
            L.places[id(el)] = (x, y, w, h)
            y += h
            continue
        if t == "graphics":
            flush(0)
            if el.get("rendered"):
                w, h = el["width"], el["height"]
                x = xpos(w)
                L.ops.append(("bits", x, y, (w + 7) // 8, h, el["data"], 1, 1))
            else:
                w, h = min(width, 96), 96
                x = xpos(w)
                L.ops.append(("hatch", x, y, w, h))
                L.warnings.append(_err("graphics", el.offset, "%s at offset %d is not previewed "
                                       "(placeholder drawn)" % (el["command"], el.offset)))
            L.places[id(el)] = (x, y, w, h)
            y += h
            continue
        if t == "qr":
            flush(0)
            size = el["module_size"]
            try:
                rows = qr_modules(el["payload"], el["ec"], micro=el["model"] == "micro")
                qw, qh, data = _pack_rows(rows, QUIET_ZONE)
                w, h = qw * size, qh * size
                x = xpos(w)
                L.ops.append(("bits", x, y, (qw + 7) // 8, qh, data, size, size))
                el.attrs["modules"] = len(rows)
                el.attrs["version"] = (len(rows) - 17) // 4 if el["model"] != "micro" else None
            except QRUnavailable as e:
                w = h = (25 + 2 * QUIET_ZONE) * size
                x = xpos(w)
                L.ops.append(("hatch", x, y, w, h))
                L.warnings.append(_err("qr", el.offset, "native QR at offset %d not drawn: %s"
                                       % (el.offset, e)))
            except ValueError as e:
                w = h = (25 + 2 * QUIET_ZONE) * size
                x = xpos(w)
                L.ops.append(("hatch", x, y, w, h))
                L.errors.append(_err("qr", el.offset, "native QR at offset %d: %s"
                                     % (el.offset, e)))
            if w > width:
                L.errors.append(_err("qr", el.offset, "native QR at offset %d is %d dots wide "
                                     "(with its quiet zone), wider than the paper (%d dots)"
                                     % (el.offset, w, width)))
            L.places[id(el)] = (x, y, w, h)
            y += h
            continue
        if t == "barcode":
            flush(0)
            w = min(width, (len(el["payload"]) * 11 + 35) * max(1, st.barcode_module))
            h = st.barcode_height
            x = xpos(w)
            L.ops.append(("hatch", x, y, w, h))
            L.places[id(el)] = (x, y, w, h)
            y += h
            continue
        if t == "cut":
            flush(0)
            y += el["feed"] or 0
            L.cuts.append(y)
            L.places[id(el)] = (0, y, width, 0)
            continue
    flush(0)
    L.height = y
    return L


_EXPAND = [bytes(0 if (b >> (7 - k)) & 1 else 255 for k in range(8)) for b in range(256)]


def _draw(L, height):
    width = L.width
    canvas = bytearray(b"\xff") * (width * height)

    def put_row(yy, x, pixels):
        if yy < 0 or yy >= height or x >= width:
            return
        if x < 0:
            pixels = pixels[-x:]
            x = 0
        pixels = pixels[:width - x]
        base = yy * width + x
        canvas[base:base + len(pixels)] = pixels

    for op in L.ops:
        kind = op[0]
        if kind == "bits":
            _, x, y, wb, h, data, sx, sy = op
            for r in range(h):
                row = b"".join(_EXPAND[b] for b in data[r * wb:(r + 1) * wb])
                if sx > 1:
                    row = b"".join(bytes((p,)) * sx for p in row)
                for k in range(sy):
                    put_row(y + r * sy + k, x, row)
        elif kind == "box":
            _, x, y, w, h, shade = op
            if w < 3 or h < 3:
                continue
            edge = bytes((shade,)) * (w - 2)
            side = bytes((shade,)) + b"\xff" * (w - 4) + bytes((shade,))
            put_row(y + 1, x + 1, edge)
            for yy in range(y + 2, y + h - 2):
                put_row(yy, x + 1, side)
            put_row(y + h - 2, x + 1, edge)
        elif kind == "fill":
            _, x, y, w, h, shade = op
            for yy in range(y, y + h):
                put_row(yy, x, bytes((shade,)) * w)
        elif kind == "hatch":
            _, x, y, w, h = op
            for yy in range(y, y + h):
                if yy in (y, y + h - 1):
                    put_row(yy, x, b"\x60" * w)
                else:
                    put_row(yy, x, bytes(0xA0 if (xx + yy) % 8 == 0 else 0xE8 for xx in range(w)))
    for cy in L.cuts:
        if 0 < cy < height:
            put_row(cy, 0, bytes(0x90 if (xx // 6) % 2 == 0 else 255 for xx in range(width)))
    return canvas


def _elements_and_state(obj):
    if isinstance(obj, (Document, Job)):
        return obj.elements, getattr(obj, "initial_state", None)
    return list(obj), None


def render_png(obj, width_dots=576):
    """PNG (8-bit grayscale) preview of a Document, a Job or a list of elements."""
    return render(obj, width_dots)[1]


def render(obj, width_dots=576):
    """(Layout, png bytes) of a Document, Job or element list."""
    elements, state = _elements_and_state(obj)
    L = layout(elements, width_dots, state)
    height = max(1, L.height)
    if height > MAX_RENDER_HEIGHT:
        L.warnings.append(_err("height", 0, "the paper is %d dots long; the preview shows the "
                               "first %d" % (height, MAX_RENDER_HEIGHT)))
        height = MAX_RENDER_HEIGHT
    return L, encode_png(width_dots, height, _draw(L, height))


def summary(obj, width_dots=576, lay=None):
    """The JSON-ready summary of a Document (or Job): see README.md for the format."""
    elements, state = _elements_and_state(obj)
    L = lay if lay is not None else layout(elements, width_dots, state)
    els = []
    for e in elements:
        d = e.to_json()
        p = L.places.get(id(e))
        if p is not None:
            d["x"], d["y"], d["w"], d["h"] = p
        els.append(d)
    out = {
        "width": width_dots,
        "height": L.height,
        "elements": els,
        "status_queries": [{"offset": e.offset, "command": e["command"], "n": e.get("n")}
                           for e in elements if e.type in STATUS_TYPES],
        "native_qr": [{"offset": e.offset, "payload": _bytes_text(e["payload"]),
                       "payload_hex": bytes(e["payload"]).hex(), "module_size": e["module_size"],
                       "ec": e["ec"], "model": e["model"],
                       "y": L.places.get(id(e), (0, 0, 0, 0))[1]}
                      for e in elements if e.type == "qr"],
        "rasters": sum(1 for e in elements if e.type == "raster"),
        "raster_width": max((e["width"] * e["scale_x"] for e in elements if e.type == "raster"),
                            default=0),
    }
    if isinstance(obj, Document):
        out["bytes"] = obj.size
        out["jobs"] = [_job_summary(j, L, elements) for j in obj.jobs]
        out["uncut_tail"] = (_job_summary(obj.tail, L, elements)
                             if obj.tail is not None and obj.tail.has_content else None)
        out["errors"] = list(obj.errors) + L.errors
        out["warnings"] = list(obj.warnings) + L.warnings
        out["stopped_at"] = obj.stopped_at
    else:
        out["errors"] = list(getattr(obj, "errors", [])) + L.errors
        out["warnings"] = list(getattr(obj, "warnings", [])) + L.warnings
    out["ok"] = not out["errors"]
    return out


def _job_summary(job, L, all_elements):
    ys = [L.places[id(e)] for e in job.elements if id(e) in L.places]
    top = min((p[1] for p in ys), default=0)
    bottom = max((p[1] + p[3] for p in ys), default=0)
    first = all_elements.index(job.elements[0]) if job.elements else None
    return {"index": job.index, "start": job.start, "end": job.end, "cut": job.cut,
            "first_element": first, "elements": len(job.elements), "y": top,
            "height": bottom - top}


def raster_to_pbm(band):
    """Binary PBM (P4) of a GS v 0 raster element (or a (width_bytes, height, data) tuple)."""
    if isinstance(band, Element):
        wb, h, data = band["width_bytes"], band["height"], band["data"]
    else:
        wb, h, data = band
    return b"P4\n%d %d\n" % (wb * 8, h) + bytes(data)


# ---------------------------------------------------------------------------------------------
# PNG

def _chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def encode_png(width, height, gray, bit_depth=8):
    """PNG of a grayscale image. gray: width*height bytes (bit_depth 8), or packed MSB-first rows
    of (width+7)//8 bytes with 1 = white (bit_depth 1)."""
    stride = width if bit_depth == 8 else (width + 7) // 8
    if len(gray) != stride * height:
        raise ValueError("image data is %d bytes, expected %d" % (len(gray), stride * height))
    raw = bytearray()
    mv = memoryview(bytes(gray))
    for y in range(height):
        raw.append(0)
        raw += mv[y * stride:(y + 1) * stride]
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(raw, 6))
            + _chunk(b"IEND", b""))


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def read_png(data):
    """Decode a non-interlaced PNG into (width, height, gray) with gray = width*height bytes of
    luminance (alpha composited on white). Any bit depth and colour type."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos = 8
    idat = bytearray()
    palette = None
    trns = None
    hdr = None
    while pos + 8 <= len(data):
        (ln,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + ln]
        pos += 12 + ln
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = [tuple(body[k:k + 3]) for k in range(0, len(body), 3)]
        elif kind == b"tRNS":
            trns = body
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    if hdr is None:
        raise ValueError("PNG without IHDR")
    w, h, depth, ctype, _, _, interlace = hdr
    if interlace:
        raise ValueError("interlaced PNG not supported")
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    bpp_bits = channels * depth
    stride = (w * bpp_bits + 7) // 8
    bpp = max(1, bpp_bits // 8)
    raw = zlib.decompress(bytes(idat))
    prev = bytearray(stride)
    out = bytearray(w * h)
    p = 0
    maxv = (1 << depth) - 1
    for y in range(h):
        ft = raw[p]
        line = bytearray(raw[p + 1:p + 1 + stride])
        p += 1 + stride
        if ft == 1:
            for k in range(bpp, stride):
                line[k] = (line[k] + line[k - bpp]) & 255
        elif ft == 2:
            for k in range(stride):
                line[k] = (line[k] + prev[k]) & 255
        elif ft == 3:
            for k in range(stride):
                left = line[k - bpp] if k >= bpp else 0
                line[k] = (line[k] + ((left + prev[k]) >> 1)) & 255
        elif ft == 4:
            for k in range(stride):
                left = line[k - bpp] if k >= bpp else 0
                ul = prev[k - bpp] if k >= bpp else 0
                line[k] = (line[k] + _paeth(left, prev[k], ul)) & 255
        prev = line
        if depth < 8:
            per = 8 // depth
            samples = [(line[x // per] >> (8 - depth * (x % per + 1))) & maxv for x in range(w)]
        elif depth == 8:
            samples = line
        else:
            samples = [line[k] for k in range(0, stride, 2)]
        for x in range(w):
            if ctype == 3:
                idx = samples[x]
                r, g, b = palette[idx]
                a = trns[idx] if trns is not None and idx < len(trns) else 255
            elif ctype == 0:
                v = samples[x] * 255 // maxv
                r = g = b = v
                a = 255
            elif ctype == 4:
                v = samples[2 * x] * 255 // maxv
                r = g = b = v
                a = samples[2 * x + 1] * 255 // maxv
            else:
                r, g, b = (samples[channels * x + k] * 255 // maxv for k in range(3))
                a = samples[channels * x + 3] * 255 // maxv if ctype == 6 else 255
            lum = (r * 299 + g * 587 + b * 114) // 1000
            out[y * w + x] = (lum * a + 255 * (255 - a)) // 255
    return w, h, out


def gray_to_raster(w, h, gray, threshold=128):
    """Pack a grayscale image into GS v 0 rows: (width_bytes, height, data), dark = 1."""
    wb = (w + 7) // 8
    data = bytearray(wb * h)
    for y in range(h):
        base = y * w
        for x in range(w):
            if gray[base + x] < threshold:
                data[y * wb + (x >> 3)] |= 0x80 >> (x & 7)
    return wb, h, bytes(data)


def raster_command(wb, h, data, mode=0):
    """The GS v 0 bytes for one band."""
    return bytes((GS, 0x76, 0x30, mode, wb & 255, wb >> 8, h & 255, h >> 8)) + bytes(data)


def qr_commands(payload, module_size=6, ec="M", model=2):
    """The GS ( k bytes that store and print a native QR (model 2), Epson function order."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    ecb = {"L": 48, "M": 49, "Q": 50, "H": 51}[ec]
    k = len(payload) + 3
    return (b"\x1d(k\x04\x001A" + bytes((48 + model, 0))
            + b"\x1d(k\x03\x001C" + bytes((module_size,))
            + b"\x1d(k\x03\x001E" + bytes((ecb,)) + b"\x1d(k" + bytes((k & 255, k >> 8))
            + b"1P0" + payload + b"\x1d(k\x03\x001Q0")
