"""What a bundle is, for kiosk-admin: reading and writing the files, and the fields a bundle
says about itself (version, expiry, targets) checked the way a kiosk reads them (docs/fleet.md).

Everything the kiosk checks beyond these fields is its own schema table's (kioskctl
validate-bundle), not a copy here. Pure functions and file I/O; no subprocesses. Imported by
kiosk-admin and diff.py.
"""

import datetime as dt
import json
import os
import re
import sys

PROG = "kiosk-admin"
MAX_BUNDLE = 16 << 20  # docs/fleet.md: a kiosk refuses more (fleet.max_bundle_bytes may lower it)
SOON_DAYS = 7
COMMENT = "civic-kiosk-bundle version=%d expires=%s"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
# The files a bundle may carry (bundle.c allowed_file).
TOP_FILES = ("logo.svg", "logo.png", "gazetteer.csv")
PO_RE = re.compile(r"i18n/[a-z-]{2,7}\.po")
# The catalog travels as one section: a bundle's services replace the kiosk's with its
# definitions.
CATALOG = ("services", "definitions")
# Settings that name a file: a relative name is a file of the bundle on the kiosk (bundle.c
# absolutize() makes only the kiosk's own paths absolute), with the files it may be.
FILE_SETTINGS = {
    ("city", "logo"): ("logo.svg", "logo.png"),
    ("location", "gazetteer"): ("gazetteer.csv",),
    ("upstream", "api_key_file"): (),
    ("upstream", "ca_bundle"): (),
}

class Refused(Exception):
    """What went wrong, written for the admin; main() prints it and exits 1."""


def say(msg=""):
    print(msg, flush=True)


def warn(msg):
    print("%s: warning: %s" % (PROG, msg), file=sys.stderr, flush=True)


def utc(t):
    return t.strftime(TIME_FORMAT)


def now_utc():
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def parse_utc(s):
    """"2027-03-01T00:00:00Z" -> aware datetime, or None when it is not exactly that form."""
    if not isinstance(s, str) or not TIME_RE.fullmatch(s):
        return None
    try:
        return dt.datetime.strptime(s, TIME_FORMAT).replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None


def plural(n, word):
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


def days_left(t):
    left = (t - now_utc()).total_seconds()
    if left >= 2 * 86400:
        return "in %d days" % (left // 86400)
    return "in %d hours" % max(0, left // 3600)


# ---------------------------------------------------------------------------------------------
# Files


def no_duplicates(pairs):
    seen = set()
    for k, _ in pairs:
        if k in seen:
            raise ValueError("the key \"%s\" appears twice in one object (the kiosk refuses "
                             "that)" % k)
        seen.add(k)
    return dict(pairs)


def reject_constant(name):
    raise ValueError("%s is not JSON" % name)


def load_json(path, what="file"):
    """The parsed file and its bytes; Refused with path:line:column when it is not valid JSON."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(64 << 20)
    except OSError as e:
        raise Refused("%s: cannot read this %s: %s" % (path, what, e.strerror or e))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Refused("%s: not UTF-8 (byte %d)" % (path, e.start))
    try:
        return json.loads(text, object_pairs_hook=no_duplicates,
                          parse_constant=reject_constant), data
    except json.JSONDecodeError as e:
        raise Refused("%s:%d:%d: %s" % (path, e.lineno, e.colno, e.msg))
    except (ValueError, RecursionError) as e:
        raise Refused("%s: %s" % (path, e))


def write_atomic(path, data, mode=0o644):
    """Temp file beside it, fsync, rename, fsync the folder: a reader sees the old file or the
    new one, never half of one."""
    folder = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(folder, ".%s.tmp.%d" % (os.path.basename(path), os.getpid()))
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise Refused("cannot write %s: %s" % (path, e.strerror or e))


def line_of(text, *keys):
    """The line where the keys appear in this order in the JSON text (a good guess, for
    messages); 0 when not found."""
    pos = 0
    for k in keys:
        m = re.compile(r'"%s"\s*:' % re.escape(k)).search(text, pos)
        if not m:
            return 0
        pos = m.start()
    return text.count("\n", 0, pos) + 1


# ---------------------------------------------------------------------------------------------
# What a bundle says about itself


class Meta:
    def __init__(self, version, expires, comment, targets):
        self.version = version
        self.expires = expires
        self.comment = comment
        self.targets = targets


def check_meta(doc, text, path, size):
    """The fields the trusted comment and the kiosk's first checks rely on. Returns (Meta or
    None, [errors], [warnings]); errors name the line where they can."""
    errors, warnings = [], []

    def at(*keys):
        n = line_of(text, *keys)
        return "%s:%d" % (path, n) if n else path

    if not isinstance(doc, dict):
        return None, ["%s: a bundle is a JSON object" % path], warnings
    meta = doc.get("bundle")
    if not isinstance(meta, dict):
        return None, ["%s: bundle: missing (a bundle says its version, expiry and targets)"
                      % path], warnings
    v = meta.get("version")
    if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 1 << 52:
        errors.append("%s: bundle.version: must be a whole number from 1 (not %s)"
                      % (at("bundle", "version"), json.dumps(v)))
        v = None
    exp = meta.get("expires")
    t = parse_utc(exp)
    if t is None:
        errors.append("%s: bundle.expires: must be a UTC time like \"2027-03-01T00:00:00Z\" "
                      "(not %s)" % (at("bundle", "expires"), json.dumps(exp)))
    elif t <= now_utc():
        errors.append("%s: bundle.expires: %s is in the past: kiosks refuse an expired bundle "
                      "(build it again with a later --expires)" % (at("bundle", "expires"), exp))
    elif t - now_utc() < dt.timedelta(days=SOON_DAYS):
        warnings.append("%s: bundle.expires: %s is %s: kiosks refuse the bundle after that; "
                        "publish a newer one before then" % (at("bundle", "expires"), exp,
                                                             days_left(t)))
    tg = meta.get("targets")
    ok = isinstance(tg, dict) and set(tg) <= {"all", "groups", "kiosks"} and bool(tg)
    if ok and "all" in tg:
        ok = tg["all"] is True
    for k in ("groups", "kiosks"):
        if ok and k in tg:
            ok = isinstance(tg[k], list) and all(isinstance(x, str) for x in tg[k])
    if not ok:
        errors.append("%s: bundle.targets: must be {\"all\": true} or {\"groups\": [...], "
                      "\"kiosks\": [...]}" % at("bundle", "targets"))
    if "note" in meta and not isinstance(meta["note"], str):
        errors.append("%s: bundle.note: must be a string" % at("bundle", "note"))
    if "kiosk" in doc:
        errors.append("%s: kiosk: a bundle may not set a kiosk's identity (id, group, location)"
                      % at("kiosk"))
    if size > MAX_BUNDLE:
        errors.append("%s: oversize: %d bytes, more than the %d kiosks accept"
                      % (path, size, MAX_BUNDLE))
    if errors or v is None or t is None:
        return None, errors, warnings
    return Meta(v, exp, COMMENT % (v, exp), tg), errors, warnings


def read_bundle(path):
    """(doc, bytes, Meta) of a bundle whose own fields are right; Refused otherwise."""
    doc, data = load_json(path, "bundle")
    meta, errors, warnings = check_meta(doc, data.decode("utf-8"), path, len(data))
    for w in warnings:
        warn(w)
    if errors:
        raise Refused("\n".join(errors))
    return doc, data, meta


def bundle_version_of(path):
    """The version in an existing file, None when it is no bundle (not JSON, no bundle.version)."""
    try:
        if os.path.getsize(path) > 64 << 20:
            return None
        with open(path, "rb") as fh:
            doc = json.loads(fh.read())
    except (OSError, ValueError, RecursionError):
        return None
    v = doc.get("bundle", {}).get("version") if isinstance(doc, dict) and \
        isinstance(doc.get("bundle"), dict) else None
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def describe_targets(tg):
    if tg.get("all"):
        return "all kiosks"
    parts = []
    if tg.get("groups"):
        parts.append("group%s %s" % ("s" if len(tg["groups"]) > 1 else "", ", ".join(tg["groups"])))
    if tg.get("kiosks"):
        parts.append("kiosk%s %s" % ("s" if len(tg["kiosks"]) > 1 else "", ", ".join(tg["kiosks"])))
    return " and ".join(parts) or "no kiosk"
