"""What a bundle would change on a kiosk (kiosk-admin diff): its settings, services, files
and version against the city file the kiosk runs, in lines an admin reads at a glance.

A kiosk merges each bundle over its own config, section by section (the catalog as one), so a
bundle's section is compared whole: a setting it leaves out goes back to the default. Read-only;
imports bundle.py.
"""

import base64
import binascii
import hashlib
import json
import os
import re

from bundle import (CATALOG, FILE_SETTINGS, Refused, describe_targets, load_json, plural,
                    read_bundle, say)

SECRET_KEYS = re.compile(r"(^|_)(hash|pin|password|secret)$")


def sha256(data):
    return hashlib.sha256(data).hexdigest()

def show(v, limit=90):
    s = json.dumps(v, ensure_ascii=False, separators=(", ", ": "))
    return s if len(s) <= limit else s[:limit - 3] + "..."


def flatten(v, prefix, out):
    """Objects become dotted paths; anything else (lists too) is one value."""
    if isinstance(v, dict) and v:
        for k, x in v.items():
            flatten(x, "%s.%s" % (prefix, k) if prefix else k, out)
    else:
        out[prefix] = v
    return out


def diff_value(path, old, new, missing):
    """One line for a setting that changes, or None."""
    if old == new:
        return None
    leaf = path.rsplit(".", 1)[-1]
    if SECRET_KEYS.search(leaf):
        return "%s: changed (not shown)" % path
    if old is missing:
        return "%s: (not set) -> %s" % (path, show(new))
    if new is missing:
        return "%s: %s -> (not set: the default applies)" % (path, show(old))
    if isinstance(old, list) and isinstance(new, list) and \
            all(isinstance(x, str) for x in old + new):
        added = [x for x in new if x not in old]
        removed = [x for x in old if x not in new]
        if added or removed:
            parts = (["added " + ", ".join(added)] if added else []) + \
                    (["removed " + ", ".join(removed)] if removed else [])
            return "%s: %s" % (path, "; ".join(parts))
        return "%s: order %s -> %s" % (path, ", ".join(old), ", ".join(new))
    return "%s: %s -> %s" % (path, show(old), show(new))


def as_definitions(d):
    """definitions as {service_code: definition} (an object, or a list of them)."""
    if isinstance(d, dict):
        return d
    if isinstance(d, list):
        return {x.get("service_code"): x for x in d if isinstance(x, dict)}
    return {}


def diff_catalog(old_doc, new_doc):
    lines = []
    old_s = old_doc.get("services") if isinstance(old_doc.get("services"), list) else []
    new_s = new_doc.get("services") if isinstance(new_doc.get("services"), list) else []
    if not old_s:
        lines.append("catalog: the kiosk's config has none (it shows the city's Open311 list); "
                     "the bundle's %s replace it" % plural(len(new_s), "service"))
    old = {s.get("service_code"): s for s in old_s if isinstance(s, dict)}
    new = {s.get("service_code"): s for s in new_s if isinstance(s, dict)}
    old_d, new_d = as_definitions(old_doc.get("definitions")), as_definitions(new_doc.get("definitions"))
    if old_s:
        for code, s in new.items():
            if code not in old:
                lines.append("service added: %s \"%s\"" % (code, s.get("service_name")))
        for code, s in old.items():
            if code not in new:
                lines.append("service removed: %s \"%s\"" % (code, s.get("service_name")))
    for code, s in new.items():
        o = old.get(code)
        if o is None:
            continue
        if o.get("service_name") != s.get("service_name"):
            lines.append("service renamed: %s: \"%s\" -> \"%s\"" % (code, o.get("service_name"),
                                                                   s.get("service_name")))
        other = sorted(k for k in set(o) | set(s) if k != "service_name" and o.get(k) != s.get(k))
        if other:
            lines.append("service changed: %s: %s" % (code, ", ".join(other)))
        od, nd = old_d.get(code), new_d.get(code)
        if od != nd:
            oa = {x.get("code"): x for x in (od or {}).get("attributes", []) if isinstance(x, dict)}
            na = {x.get("code"): x for x in (nd or {}).get("attributes", []) if isinstance(x, dict)}
            parts = ["+" + str(c) for c in na if c not in oa] + \
                    ["-" + str(c) for c in oa if c not in na] + \
                    ["~" + str(c) for c in na if c in oa and na[c] != oa[c]]
            lines.append("service definition changed: %s: questions %s" % (
                code, " ".join(parts) if parts else "(reordered or other fields)"))
    return lines


def running_file(name, running, run_dir):
    """The file a kiosk uses now in the role of a bundle file, or None."""
    p = os.path.join(run_dir, name)
    if os.path.isfile(p):
        return p
    for (sec, key), names in FILE_SETTINGS.items():
        if name in names:
            v = running.get(sec, {}).get(key) if isinstance(running.get(sec), dict) else None
            if isinstance(v, str) and v:
                p = v if v.startswith("/") else os.path.join(run_dir, v)
                if os.path.isfile(p):
                    return p
    return None


def diff_files(doc, running, run_dir):
    lines, same = [], []
    files = doc.get("files") if isinstance(doc.get("files"), dict) else {}
    for name in sorted(files):
        try:
            new = base64.b64decode(files[name].get("base64", ""))
        except (binascii.Error, AttributeError, ValueError):
            lines.append("file %s: not valid base64 (kiosks would refuse the bundle)" % name)
            continue
        p = running_file(name, running, run_dir)
        if p is None:
            lines.append("file added: %s (%d bytes, sha256 %s)" % (name, len(new), sha256(new)[:16]))
            continue
        with open(p, "rb") as fh:
            old = fh.read()
        if old == new:
            same.append(name)
        else:
            lines.append("file changed: %s: sha256 %s -> %s (%d -> %d bytes)"
                         % (name, sha256(old)[:16], sha256(new)[:16], len(old), len(new)))
    return lines, same


def dropped_sections(doc, run_dir, run_version):
    """Sections the running bundle carried and this one does not: a kiosk merges every bundle
    over its own config, not over the bundle before, so those go back to its own."""
    prev_path = os.path.join(run_dir, "bundle.json")
    if not run_version or not os.path.isfile(prev_path):
        return []
    try:
        prev, _ = load_json(prev_path, "bundle")
    except Refused:
        return []
    if not isinstance(prev, dict):
        return []
    lines = []
    for sec in prev:
        if sec in ("bundle", "files", "definitions") or sec in doc or \
                (sec == "services" and "definitions" in doc):
            continue
        lines.append("%s: back to the kiosk's own config (version %d carried it, this bundle does "
                     "not)" % ("services+definitions" if sec == "services" else sec, run_version))
    return lines


def report(bundle_path, kiosk_data=None, running_path=None):
    """Prints what the bundle would change on the kiosk whose data folder or city file is
    given; Refused when either cannot be read."""
    doc, _, meta = read_bundle(bundle_path)
    if kiosk_data:
        cur = os.path.join(kiosk_data, "config", "current")
        try:
            with open(cur, encoding="ascii") as fh:
                v = fh.read().strip()
        except FileNotFoundError:
            raise Refused("%s: no bundle applied on this kiosk (it runs its own config): compare "
                          "with its own city file, --running CITY.json" % cur)
        except (OSError, UnicodeDecodeError) as e:
            raise Refused("%s: cannot read: %s" % (cur, getattr(e, "strerror", e)))
        run_path = os.path.join(kiosk_data, "config", v, "city.json")
    else:
        run_path = running_path
    running, _ = load_json(run_path, "city file")
    if not isinstance(running, dict):
        raise Refused("%s: not a city file (a JSON object)" % run_path)
    run_dir = os.path.dirname(os.path.abspath(run_path))
    rb = running.get("bundle") if isinstance(running.get("bundle"), dict) else {}
    run_version = rb.get("version") if isinstance(rb.get("version"), int) else 0

    say("%s against %s:" % (bundle_path, run_path))
    if run_version:
        say("version: %d -> %d" % (run_version, meta.version))
    else:
        say("version: none (the kiosk's own config) -> %d" % meta.version)
    if meta.version <= run_version:
        say("  the kiosk would refuse it: rollback (version %d is not newer than %d)"
            % (meta.version, run_version))
    kiosk = running.get("kiosk") if isinstance(running.get("kiosk"), dict) else {}
    kid, group = kiosk.get("id"), kiosk.get("group")
    tg = meta.targets
    if kid and not tg.get("all") and str(kid).upper() not in tg.get("kiosks", []) and \
            not (group and group in tg.get("groups", [])):
        say("  this kiosk (%s%s) is not among the targets (%s): it would ignore the bundle"
            % (kid, ", group " + group if group else "", describe_targets(tg)))

    changes = []
    missing = object()
    for sec, new in doc.items():
        if sec in ("bundle", "files") + CATALOG:
            continue
        # A bundle's section replaces the kiosk's whole section.
        old = running.get(sec, missing)
        fo = flatten(old, sec, {}) if old is not missing else {}
        fn = flatten(new, sec, {})
        for k in list(fn) + [k for k in fo if k not in fn]:
            line = diff_value(k, fo.get(k, missing), fn.get(k, missing), missing)
            if line:
                changes.append(line)
    if any(k in doc for k in CATALOG):
        changes += diff_catalog(running, doc)
    file_lines, same = diff_files(doc, running, run_dir)
    changes += file_lines
    changes += dropped_sections(doc, run_dir, run_version)
    say("\n".join(changes) if changes else "no setting or file changes")
    if same:
        say("unchanged files: %s" % ", ".join(same))
    return 0
