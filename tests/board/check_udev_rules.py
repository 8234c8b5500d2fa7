#!/usr/bin/env python3
"""check_udev_rules.py: a syntax check for udev rules files, for systemd 252 (Debian 12), whose
udevadm has no `verify` (it came in 253). test_units.sh also runs `udevadm test` when it can;
this catches what that run does not report: a missing comma, a comment after a rule, an unknown
key or operator, a GOTO without its LABEL, an assignment in a match-only key.

usage: check_udev_rules.py FILE...   (exit 1 and one line per problem if any)
"""
import re
import sys

# udev(7), systemd 252: key -> "m" match only, "a" assign only, "ma" both.
KEYS = {
    "ACTION": "m", "DEVPATH": "m", "KERNEL": "m", "KERNELS": "m", "NAME": "ma",
    "SYMLINK": "ma", "SUBSYSTEM": "m", "SUBSYSTEMS": "m", "DRIVER": "ma", "DRIVERS": "m",
    "ATTR": "ma", "ATTRS": "m", "SYSCTL": "ma", "ENV": "ma", "CONST": "m", "TAG": "ma",
    "TAGS": "m", "TEST": "m", "PROGRAM": "ma", "RESULT": "m", "OWNER": "a", "GROUP": "a",
    "MODE": "a", "SECLABEL": "a", "RUN": "a", "LABEL": "a", "GOTO": "a", "IMPORT": "ma",
    "OPTIONS": "a", "DEVTYPE": "m",
}
WITH_ATTR = {"ATTR", "ATTRS", "SYSCTL", "ENV", "CONST", "SECLABEL", "RUN", "IMPORT", "TEST"}
MATCH_OPS = {"==", "!="}
ASSIGN_OPS = {"=", "+=", "-=", ":="}
TOKEN = re.compile(r'\s*([A-Z]+)(\{[^}]*\})?\s*(==|!=|\+=|-=|:=|=)\s*"((?:[^"\\]|\\.)*)"\s*')


def check(path):
    problems, labels, gotos = [], set(), []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        number, line = i + 1, lines[i]
        # A rule may continue on the next line after a backslash.
        while line.endswith("\\") and i + 1 < len(lines):
            i += 1
            line = line[:-1] + lines[i]
        i += 1
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        pos, first = 0, True
        while pos < len(text):
            if not first:
                if text[pos] != ",":
                    problems.append(f"{path}:{number}: expected ',' at column {pos + 1}: {text[pos:pos + 30]!r}")
                    break
                pos += 1
            first = False
            m = TOKEN.match(text, pos)
            if not m:
                problems.append(f"{path}:{number}: not KEY op \"value\" at column {pos + 1}: {text[pos:pos + 30]!r}")
                break
            key, attr, op, value = m.groups()
            if key not in KEYS:
                problems.append(f"{path}:{number}: unknown key {key}")
            elif op in MATCH_OPS and "m" not in KEYS[key]:
                problems.append(f"{path}:{number}: {key} cannot be matched with {op}")
            elif op in ASSIGN_OPS and "a" not in KEYS[key]:
                problems.append(f"{path}:{number}: {key} cannot be assigned with {op}")
            if attr and key not in WITH_ATTR:
                problems.append(f"{path}:{number}: {key} takes no {{attribute}}")
            if key in ("ATTR", "ATTRS", "ENV", "SYSCTL") and not attr:
                problems.append(f"{path}:{number}: {key} needs an {{attribute}}")
            if key == "LABEL":
                labels.add(value)
            if key == "GOTO":
                gotos.append((number, value))
            pos = m.end()
    for number, label in gotos:
        if label not in labels:
            problems.append(f"{path}:{number}: GOTO=\"{label}\" has no LABEL")
    return problems


def main(argv):
    problems = []
    for path in argv[1:]:
        problems += check(path)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
