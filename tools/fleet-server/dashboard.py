"""The fleet dashboard: one self-contained HTML page (no script, no external resource).

render() turns the server's view of the fleet (server.Fleet.view) and the bundle summary
(server.bundle_summary) into the page. Every string that comes from a heartbeat is untrusted:
it goes through esc() (html.escape, and a length cap) and nothing else reaches the page.
Called from any request thread; it keeps no state. Imports heartbeat.py, not server.py.
"""

import datetime as dt
import html
import json

from heartbeat import FLAGS
from heartbeat import field as get
from heartbeat import number as num
from heartbeat import parse_time

REFRESH_SECONDS = 10
MAX_TEXT = 160  # a longer heartbeat string is cut (a location of 200 KiB must not flood the page)

CSS = """
* { box-sizing: border-box; }
html { background: #eef1f5; }
body { margin: 0; color: #1b1f24; background: #eef1f5;
       font: 15px/1.4 "Noto Sans", "DejaVu Sans", Arial, sans-serif; }
header { background: #0b2545; color: #fff; padding: 12px 24px;
         display: flex; justify-content: space-between; align-items: baseline; }
header h1 { margin: 0; font-size: 22px; font-weight: 700; letter-spacing: .01em; }
header h1 span { font-weight: 400; color: #c9d6ea; }
header p { margin: 0; font-size: 14px; color: #dfe7f3; }
main { padding: 16px 24px 28px; }
.cards { display: grid; grid-template-columns: 1fr 1fr 1.6fr 1fr; gap: 12px; margin: 0 0 16px; }
.card { background: #fff; border: 1px solid #c9d1dc; border-radius: 6px; padding: 10px 14px;
        border-top: 4px solid #13315c; }
.card.attention { border-top-color: #b3261e; }
.card.calm { border-top-color: #1e6b34; }
.card h2 { margin: 0; font-size: 12px; font-weight: 700; text-transform: uppercase;
           letter-spacing: .06em; color: #3d4756; }
.card .big { font-size: 28px; font-weight: 700; line-height: 1.25; }
.card .big small { font-size: 15px; font-weight: 400; color: #3d4756; }
.card p { margin: 2px 0 0; font-size: 13px; color: #3d4756; }
.card .bad { color: #a1201a; }
.banner { background: #fdecea; border: 2px solid #b3261e; color: #5f0f0a; border-radius: 6px;
          padding: 10px 14px; margin: 0 0 16px; font-weight: 600; }
table { width: 100%; border-collapse: collapse; background: #fff; font-size: 13.5px;
        border: 1px solid #c9d1dc; }
caption { text-align: left; font-size: 17px; font-weight: 700; padding: 0 0 8px; color: #0b2545; }
caption span { font-size: 13px; font-weight: 400; color: #3d4756; }
th { text-align: left; vertical-align: bottom; background: #dfe5ee; color: #14243a;
     font-size: 12px; text-transform: uppercase; letter-spacing: .04em;
     padding: 7px 8px; border-bottom: 2px solid #9fadc0; }
td { vertical-align: top; padding: 8px; border-bottom: 1px solid #dde2e9; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
td.kiosk { min-width: 190px; }
td.config { min-width: 200px; }
td.cx { min-width: 150px; }
tr.alert td { background: #fdf0ef; }
tr.warn td { background: #fff8e0; }
tr.alert td:first-child { box-shadow: inset 6px 0 0 #b3261e; }
tr.warn td:first-child { box-shadow: inset 6px 0 0 #c99a00; }
td:first-child { padding-left: 14px; width: 1%; }
.badge { display: inline-block; font-size: 11.5px; font-weight: 700; letter-spacing: .04em;
         padding: 2px 7px; border-radius: 3px; margin: 0 4px 4px 0; white-space: nowrap; }
.badge.alert { background: #b3261e; color: #fff; }
.badge.warn { background: #f6c343; color: #2b2000; box-shadow: inset 0 0 0 1px #a07800; }
.badge.ok { background: #1e6b34; color: #fff; }
.kid { font-size: 16px; margin-right: 6px; font-weight: 700; font-family: "Noto Sans Mono", "DejaVu Sans Mono", monospace; }
.sub { color: #4a5565; font-size: 12.5px; }
.bad { color: #a1201a; font-weight: 700; }
.warnt { color: #7a5a00; font-weight: 700; }
.good { color: #1e6b34; font-weight: 700; }
.muted { color: #6b7480; }
.reason { display: block; max-width: 230px; overflow-wrap: anywhere; }
.loc { display: block; max-width: 230px; overflow-wrap: anywhere; }
.nw { white-space: nowrap; }
.empty { padding: 28px; text-align: center; color: #3d4756; font-size: 15px; }
code { font-family: "Noto Sans Mono", "DejaVu Sans Mono", monospace; font-size: 13px;
       background: #eef1f5; padding: 1px 4px; border-radius: 3px; }
.legend { margin: 14px 0 0; font-size: 13px; color: #3d4756; columns: 2; column-gap: 32px; }
.legend p { margin: 0 0 5px; break-inside: avoid; }
footer { margin: 14px 0 0; font-size: 12.5px; color: #4a5565; }
"""

COLUMNS = ("Status", "Kiosk", "Configuration", "Queue", "Printer", "Upstream", "System",
           "Last heartbeat", "Residents (CX)")
LOW_DISK = 1e9  # less free space than this is shown in amber (not a flag)


# ---------------------------------------------------------------------------------------------
# Formatting: every function takes untrusted values and returns escaped HTML.


def esc(v, limit=MAX_TEXT):
    """Any JSON value as escaped text; None as ""."""
    if v is None:
        return ""
    if isinstance(v, bool):
        s = "yes" if v else "no"
    elif isinstance(v, (str, int, float)):
        s = str(v)
    else:
        s = json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    if len(s) > limit:
        s = s[:limit] + "\u2026"
    return html.escape(s, quote=True)


def duration(seconds):
    """12 s, 5 min, 3 h 5 min, 2 d 4 h."""
    s = int(max(0, seconds))
    if s < 60:
        return "%d s" % s
    if s < 3600:
        return "%d min" % (s // 60)
    if s < 86400:
        h, m = divmod(s // 60, 60)
        return "%d h %d min" % (h, m) if m else "%d h" % h
    d, h = divmod(s // 3600, 24)
    return "%d d %d h" % (d, h) if h else "%d d" % d


def ago(t, now):
    if t is None:
        return None
    if t > now + 60:
        return "in the future (clock?)"
    return "just now" if now - t < 10 else duration(now - t) + " ago"


def size(n):
    for unit, k in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= k:
            return "%.1f %s" % (n / k, unit)
    return "%d B" % n


def utc(t):
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def line(text, cls=None):
    """One line of a cell; lines do not wrap (a cell is a few short facts)."""
    if not text:
        return ""
    return '<span class="nw%s">%s</span><br>' % (" " + cls if cls else "", text)


def dash():
    return '<span class="muted">\u2014</span>'


# ---------------------------------------------------------------------------------------------
# Cells


def cell_status(flags, labels):
    if not flags:
        return '<span class="badge ok">OK</span>'
    return "".join('<span class="badge %s">%s</span>' % (labels[f][1], labels[f][0]) for f in flags)


def cell_kiosk(hb):
    out = '<span class="kid">%s</span>' % esc(hb.get("kiosk_id"))
    out += '<span class="sub nw">%s</span><br>' % esc(hb.get("group"), 40)
    loc = esc(hb.get("location"))
    if loc:
        out += '<span class="loc">%s</span>' % loc
    return out


def cell_config(hb, flags, served):
    version = get(hb, "config", "version")
    out = ""
    if version is not None:
        behind = served is not None and num(version) != served
        out = line("v%s%s" % (esc(version, 20), ' <span class="sub">(served: v%s)</span>' % esc(served)
                               if behind else ""))
    res = get(hb, "config", "last_result")
    if not isinstance(res, dict):
        return out or dash()
    if res.get("ok") is False:
        tried = " (v%s)" % esc(res.get("version")) if res.get("version") is not None else ""
        out += '<span class="bad">Update failed%s</span>' % tried
        reason = esc(res.get("reason"), 240)
        if reason:
            out += '<span class="reason sub">%s</span>' % reason
    elif res.get("ok") is True:
        out += '<span class="good">Last update OK</span>'
    return out or dash()


def cell_queue(hb, flags):
    depth = num(get(hb, "queue", "depth"))
    oldest = num(get(hb, "queue", "oldest_age_seconds"))
    parked = num(get(hb, "queue", "parked"))
    if depth is None and parked is None:
        return dash()
    long_q = "long_queue" in flags
    out = ""
    if depth is not None:
        text = "empty" if depth == 0 else "%s waiting" % esc(depth)
        out += line(text, "warnt" if long_q else None)
    if depth and oldest is not None:
        out += line("oldest %s" % duration(oldest), "warnt" if oldest > 3600 else "sub")
    if parked:
        out += line("%s parked" % esc(parked), "warnt")
    return out


def cell_printer(hb, flags):
    state, paper = get(hb, "printer", "state"), get(hb, "printer", "paper")
    if state is None and paper is None:
        return dash()
    out = ""
    if "paper_out" in flags:
        out += line("Paper out", "bad")
    if state is not None and state != "paper_out":
        out += line(esc(state).replace("_", " "), "bad" if state not in ("ready", "ok") else None)
    if paper is not None and paper != "out":
        out += line("paper %s" % esc(paper), "warnt" if paper in ("low", "near_end") else "sub")
    return out


def cell_upstream(hb, flags, now):
    if not isinstance(hb.get("upstream"), dict) and "offline_upstream" not in flags:
        return dash()
    last = get(hb, "upstream", "last_success")
    err = get(hb, "upstream", "last_error")
    out = ""
    t = parse_time(last)
    cls = "bad" if "offline_upstream" in flags else None
    if t is not None:
        out += line("last OK %s" % ago(t, now), cls)
    elif last is not None:
        out += line(esc(last), cls)
    else:
        out += line("never reached", cls or "sub")
    if err:
        out += '<span class="reason sub">%s</span>' % esc(err)
    return out


def cell_system(hb):
    version = hb.get("software_version")
    uptime = num(hb.get("uptime_seconds"))
    disk = num(hb.get("disk_free_bytes"))
    out = line("software %s" % esc(version, 40)) if version is not None else ""
    if uptime is not None:
        out += line("up %s" % duration(uptime), "sub")
    if disk is not None and disk >= 0:
        out += line("%s free" % size(disk), "warnt" if disk < LOW_DISK else "sub")
    return out or dash()


def cell_residents(hb):
    cx = hb.get("cx")
    if not isinstance(cx, dict):
        return dash()
    started, done = num(cx.get("sessions_started")), num(cx.get("sessions_completed"))
    out = ""
    if started is not None:
        pct = " (%d%%)" % round(100 * done / started) if started and done is not None else ""
        out += line("%s of %s done%s" % (esc(done if done is not None else "?"), esc(started), pct))
    median = num(cx.get("median_seconds_to_submit"))
    if median is not None:
        took = "%d:%02d" % divmod(int(median), 60) if 0 <= median < 3600 else duration(median)
        out += '<span class="sub">median %s to submit</span><br>' % took
    ratings = cx.get("ratings")
    if isinstance(ratings, dict):
        total = weighted = 0
        for stars in ("1", "2", "3", "4", "5"):
            n = num(ratings.get(stars))
            if n and n > 0:
                total += n
                weighted += n * int(stars)
        if total:
            out += line("rated %.1f / 5 (%d)" % (weighted / total, total), "sub")
        else:
            out += line("no ratings yet", "sub")
    return out or dash()


def row(hb, labels, now, served):
    flags = hb.get("flags") or []
    severity = "alert" if any(labels[f][1] == "alert" for f in flags) else ("warn" if flags else "")
    age = hb.get("heartbeat_age_seconds")
    seen = dash() if age is None else ("just now" if age < 10 else duration(age) + " ago")
    if "stale" in flags:
        seen = '<span class="bad">%s</span>' % seen
    cells = (
        cell_status(flags, labels),
        cell_kiosk(hb),
        cell_config(hb, flags, served),
        cell_queue(hb, flags),
        cell_printer(hb, flags),
        cell_upstream(hb, flags, now),
        cell_system(hb),
        seen,
        cell_residents(hb),
    )
    classes = {1: "kiosk", 2: "config", 7: "num", 8: "cx"}
    tds = "".join('<td%s>%s</td>' % (' class="%s"' % classes[i] if i in classes else "", c)
                  for i, c in enumerate(cells))
    return '<tr%s>%s</tr>\n' % (' class="%s"' % severity if severity else "", tds)


# ---------------------------------------------------------------------------------------------
# The page


def bundle_card(bundle, kiosks, now):
    if bundle.get("error") and not bundle.get("valid"):
        return ('<div class="card attention"><h2>Bundle served</h2>'
                '<div class="big bad">Problem</div><p class="bad">%s</p></div>' % esc(bundle["error"], 300))
    if not bundle.get("present"):
        return ('<div class="card"><h2>Bundle served</h2><div class="big muted">None</div>'
                '<p>No <code>bundle.json</code> in the fleet folder: kiosks keep their config.</p></div>')
    version = bundle.get("version")
    out = '<div class="card%s"><h2>Bundle served</h2>' % ("" if bundle.get("signature") else " attention")
    out += '<div class="big">v%s <small>%s</small></div>' % (
        esc(version) if version is not None else "?", size(bundle.get("size") or 0))
    exp = bundle.get("expires")
    t = parse_time(exp)
    if t is None:
        out += '<p class="bad">No valid expiry (%s)</p>' % (esc(exp) or "missing")
    elif t <= now:
        out += '<p><span class="bad">EXPIRED</span> %s: kiosks refuse it</p>' % utc(t)
    else:
        days = (t - now) / 86400
        cls = ' class="warnt"' if days < 14 else ""
        left = "%d days" % days if days >= 2 else duration(t - now)
        out += '<p>Expires %s <span%s>(in %s)</span></p>' % (utc(t), cls, left)
    if not bundle.get("signature"):
        out += '<p class="bad">No bundle.json.minisig: kiosks refuse an unsigned bundle</p>'
    if bundle.get("note"):
        out += '<p>%s</p>' % esc(bundle["note"], 120)
    return out + "</div>"


def running_card(bundle, kiosks):
    version = bundle.get("version") if bundle.get("valid") else None
    if version is None:
        return '<div class="card"><h2>Running it</h2><div class="big muted">\u2014</div></div>'
    n = sum(1 for hb in kiosks if num(get(hb, "config", "version")) == version)
    cls = "calm" if kiosks and n == len(kiosks) else ""
    return ('<div class="card %s"><h2>Running it</h2><div class="big">%d <small>of %d kiosk%s</small></div>'
            '<p>report config v%s</p></div>' % (cls, n, len(kiosks), "" if len(kiosks) == 1 else "s",
                                              esc(version)))


def render(kiosks, bundle, now, stale_after, save_error=None, host="", flags=FLAGS):
    """The dashboard page. kiosks: heartbeats with "flags" and "heartbeat_age_seconds", flagged
    first; bundle: server.bundle_summary()."""
    labels = {code: (label, sev) for code, label, sev in flags}
    flagged = [hb for hb in kiosks if hb.get("flags")]
    counts = []
    for code, label, _ in flags:
        n = sum(1 for hb in kiosks if code in (hb.get("flags") or []))
        if n:
            counts.append("%d %s" % (n, label.lower()))
    stamp = dt.datetime.fromtimestamp(now, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    title = "Fleet: %d kiosk%s need%s attention" % (len(flagged), "" if len(flagged) == 1 else "s",
                                                    "s" if len(flagged) == 1 else "") \
        if flagged else "Fleet: all kiosks OK"
    out = ['<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
           '<meta http-equiv="refresh" content="%d">\n' % REFRESH_SECONDS,
           '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
           '<title>%s \u2013 Civic Kiosk</title>\n<style>%s</style>\n</head>\n<body>\n' % (
               esc(title), CSS),
           '<header><h1>Civic Kiosk <span>Fleet dashboard</span></h1>'
           '<p>Updated %s \u00b7 refreshes every %d s</p></header>\n<main>\n' % (stamp, REFRESH_SECONDS)]
    if save_error:
        out.append('<div class="banner" role="alert">Warning: heartbeats are not being saved: %s. '
                   'The dashboard still shows them, but a restart will lose them.</div>\n'
                   % esc(save_error, 300))
    reporting = sum(1 for hb in kiosks if "stale" not in (hb.get("flags") or []))
    out.append('<section class="cards">\n')
    out.append('<div class="card"><h2>Kiosks</h2><div class="big">%d</div><p>%d reporting, '
               '%d silent for over %s</p></div>\n' % (len(kiosks), reporting, len(kiosks) - reporting,
                                                       duration(stale_after)))
    out.append('<div class="card %s"><h2>Need attention</h2><div class="big%s">%d</div><p>%s</p></div>\n' % (
        "attention" if flagged else "calm", " bad" if flagged else "", len(flagged),
        esc(", ".join(counts)) if counts else ("Every kiosk is OK" if kiosks else "No kiosks yet")))
    out.append(bundle_card(bundle, kiosks, now) + "\n")
    out.append(running_card(bundle, kiosks) + "\n")
    out.append('</section>\n')

    out.append('<table>\n<caption>Kiosks <span>\u2014 those that need attention first</span></caption>\n'
               '<thead><tr>%s</tr></thead>\n<tbody>\n'
               % "".join('<th scope="col">%s</th>' % c for c in COLUMNS))
    served = bundle.get("version") if bundle.get("valid") else None
    for hb in kiosks:
        try:
            out.append(row(hb, labels, now, served))
        except Exception as e:  # noqa: BLE001 - one odd heartbeat must not blank the page
            out.append('<tr class="alert"><td>%s</td><td class="kiosk"><span class="kid">%s</span></td>'
                       '<td colspan="%d" class="bad">This heartbeat could not be shown (%s); see '
                       '<code>/api/kiosks</code></td></tr>\n' % (
                           cell_status(hb.get("flags") or [], labels), esc(hb.get("kiosk_id")),
                           len(COLUMNS) - 2, esc(type(e).__name__)))
    if not kiosks:
        url = "http://%s/heartbeat" % esc(host, 100) if host else "/heartbeat"
        out.append('<tr><td class="empty" colspan="%d">No heartbeats yet. Point each kiosk\'s '
                   '<code>fleet.heartbeat_url</code> at <code>%s</code>.</td></tr>\n' % (len(COLUMNS), url))
    out.append('</tbody>\n</table>\n')

    out.append('<section class="legend" aria-label="What the flags mean">\n')
    meaning = {
        "stale": "no heartbeat for more than %s" % duration(stale_after),
        "config_failed": "the last bundle was refused; the kiosk runs its previous config",
        "paper_out": "the receipt printer has no paper",
        "storage_low": "too little disk room: the kiosk takes no new requests (queued ones still go out)",
        "offline_upstream": "requests are waiting and none reached the city's 311 server for over 1 h",
        "long_queue": "more than 50 requests waiting, or the oldest waiting for over 1 h",
        "parked": "requests the 311 server refused; staff must look at them",
    }
    for code, label, sev in flags:
        out.append('<p><span class="badge %s">%s</span> %s</p>\n' % (sev, label, meaning.get(code, "")))
    out.append('</section>\n<footer>Civic Kiosk fleet server \u00b7 the same data as JSON: '
               '<code>/api/kiosks</code> \u00b7 bundle: <code>/bundle.json</code> and '
               '<code>/bundle.json.minisig</code></footer>\n</main>\n</body>\n</html>\n')
    return "".join(out)
