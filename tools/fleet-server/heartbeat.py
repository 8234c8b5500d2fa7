"""What a heartbeat says: reading its fields, and the flags it raises (docs/fleet.md).

A heartbeat is untrusted input: every reader here tolerates any JSON type in any field and
answers None (or no flag) rather than raising. Pure functions, no state; any thread.
Imports nothing from server.py or dashboard.py.
"""

import datetime as dt

LONG_QUEUE_DEPTH = 50
LONG_QUEUE_AGE = 3600
UPSTREAM_OFFLINE_AFTER = 3600
MAX_NUMBER = 2 ** 63

# The flags a kiosk can raise, in the order they are shown: (code, label, severity).
FLAGS = (
    ("stale", "STALE", "alert"),
    ("config_failed", "CONFIG FAILED", "alert"),
    ("paper_out", "PAPER OUT", "alert"),
    ("storage_low", "NO NEW REQUESTS", "alert"),
    ("offline_upstream", "OFFLINE UPSTREAM", "alert"),
    ("long_queue", "LONG QUEUE", "warn"),
    ("parked", "PARKED", "warn"),
)


def utc_iso(t):
    return dt.datetime.fromtimestamp(int(t), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(s):
    """"2026-11-24T15:04:05Z" (or any ISO 8601 with an offset; none = UTC) -> epoch, or None."""
    if not isinstance(s, str) or not 10 <= len(s) <= 40:
        return None
    s = s.strip()
    if s[-1:] in ("z", "Z"):
        s = s[:-1] + "+00:00"
    try:
        d = dt.datetime.fromisoformat(s)
        if d.tzinfo is None:
            d = d.replace(tzinfo=dt.timezone.utc)
        return d.timestamp()
    except (ValueError, OverflowError, OSError):
        return None


def field(hb, *path):
    """hb[path[0]][path[1]]... or None when a step is missing or not an object."""
    v = hb
    for k in path:
        if not isinstance(v, dict):
            return None
        v = v.get(k)
    return v


def number(v):
    """A JSON number (not a boolean) of a sane size, or None. JSON allows 10**309, which no
    float arithmetic survives: such a number is treated as missing."""
    if isinstance(v, bool) or not isinstance(v, (int, float)) or abs(v) > MAX_NUMBER:
        return None
    return v


def kiosk_flags(hb, now, stale_after):
    """The flag codes (FLAGS order) a stored heartbeat raises at time now."""
    raised = set()
    received = parse_time(hb.get("received_at"))
    if received is None or now - received > stale_after:
        raised.add("stale")
    if field(hb, "config", "last_result", "ok") is False:
        raised.add("config_failed")
    if field(hb, "printer", "paper") == "out" or field(hb, "printer", "state") == "paper_out":
        raised.add("paper_out")
    if hb.get("storage_low") is True:
        raised.add("storage_low")
    depth = number(field(hb, "queue", "depth")) or 0
    oldest = number(field(hb, "queue", "oldest_age_seconds")) or 0
    if depth > LONG_QUEUE_DEPTH or oldest > LONG_QUEUE_AGE:
        raised.add("long_queue")
    if (number(field(hb, "queue", "parked")) or 0) > 0:
        raised.add("parked")
    if depth > 0:
        # Measured when the heartbeat was sent, on the kiosk's own clock (the clock that wrote
        # last_success), so a kiosk that went quiet is STALE, not also OFFLINE UPSTREAM.
        ref = parse_time(hb.get("sent_at")) or received or now
        last = parse_time(field(hb, "upstream", "last_success"))
        if (last is None and oldest > UPSTREAM_OFFLINE_AFTER) or \
                (last is not None and ref - last > UPSTREAM_OFFLINE_AFTER):
            raised.add("offline_upstream")
    return [code for code, _, _ in FLAGS if code in raised]
