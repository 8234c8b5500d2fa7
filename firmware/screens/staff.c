/* staff.c: maintenance mode, for facilities staff (docs/operations.md).
 *
 * Entry: a long press (3 s) on the header's logo corner, or Ctrl+Alt+S, then a PIN checked
 * against the config's crypto_pwhash hash. Three wrong PINs lock entry for 30 s, doubling with
 * each further one (up to an hour); the count survives a restart (kiosk.db). A staff session
 * ends by itself after two minutes without a touch.
 *
 * Pages: health (a state for each part), queue (parked requests with the city's message,
 * retry), printer (state, test print, reprint by code), display (touch and colour test),
 * network, config, log, out of service, restart. Staff screens are in English: they are for
 * the city's staff, not residents, and show no personal data beyond a receipt code and a
 * service. UI thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "print/print.h"
#include "screens/screen_int.h"
#include "store/outbox.h"
#include "sync/sync.h"

#define STAFF_IDLE_MS 120000u

enum page { P_HEALTH, P_QUEUE, P_PRINTER, P_DISPLAY, P_NETWORK, P_CONFIG, P_LOG, P_SERVICE,
            P_RESTART, P_COUNT };
static const char *const PAGE_NAMES[P_COUNT] = {
    "Health", "Queue", "Printer", "Display test", "Network", "Config", "Log", "Out of service",
    "Restart",
};
static const char *const PAGE_IDS[P_COUNT] = {
    "staff:health", "staff:queue", "staff:printer", "staff:display", "staff:network",
    "staff:config", "staff:log", "staff:service", "staff:restart",
};

/* ---------------------------------------------------------------- state kept in kiosk.db */

static void load_failures(struct ck_screens *sc)
{
    char v[64];
    time_t at;
    sc->staff.failures = 0;
    if (ck_store_get_note(sc->store, "staff_pin_failures", v, sizeof v, &at))
        sc->staff.failures = atoi(v);
    sc->staff.locked_until =
        sc->staff.failures ? (long)at + ck_config_pin_lockout_seconds(sc->staff.failures) : 0;
}

static void save_failures(struct ck_screens *sc)
{
    char v[32];
    snprintf(v, sizeof v, "%d", sc->staff.failures);
    ck_store_note(sc->store, "staff_pin_failures", v);
}

void ck_staff_load(struct ck_screens *sc)
{
    char v[400];
    time_t at;
    sc->staff.out_of_service = ck_store_get_note(sc->store, "out_of_service", v, sizeof v, &at) &&
                               strncmp(v, "on", 2) == 0;
    snprintf(sc->staff.oos_message, sizeof sc->staff.oos_message, "%.299s",
             sc->staff.out_of_service && v[2] == ':' ? v + 3 : "");
    load_failures(sc);
}

static void set_out_of_service(struct ck_screens *sc, bool on)
{
    char v[400];
    snprintf(v, sizeof v, "%s:%s", on ? "on" : "off", sc->staff.oos_message);
    ck_store_note(sc->store, "out_of_service", v);
    sc->staff.out_of_service = on;
    ck_warn("staff", "out of service %s%s%s", on ? "ON" : "off", on ? ": " : "",
            on ? sc->staff.oos_message : "");
}

/* ---------------------------------------------------------------- entering */

void ck_staff_enter(struct ck_screens *sc)
{
    ck_nav_reset(sc); /* a resident's session, if any, is wiped first */
    load_failures(sc);
    sc->staff.pin_len = 0;
    sc->staff.note[0] = '\0';
    ck_nav_go(sc, SCR_STAFF_PIN);
    ck_info("staff", "maintenance mode asked for: PIN pad shown");
}

static void leave(struct ck_screens *sc)
{
    explicit_bzero(sc->staff.pin, sizeof sc->staff.pin);
    sc->staff.pin_len = 0;
    sc->staff.active = false;
    ck_info("staff", "staff session ended");
    ck_nav_reset(sc);
}

bool ck_staff_idle_over(struct ck_screens *sc, uint64_t now)
{
    if ((sc->cur == SCR_STAFF || sc->cur == SCR_STAFF_PIN) &&
        now - sc->last_input_ms >= STAFF_IDLE_MS) {
        leave(sc);
        return true;
    }
    return false;
}

static void check_pin(struct ck_screens *sc)
{
    long now = (long)ck_clock_wall();
    if (sc->staff.locked_until > now) { /* no try while locked: what was typed is dropped */
        explicit_bzero(sc->staff.pin, sizeof sc->staff.pin);
        sc->staff.pin_len = 0;
        return;
    }
    sc->staff.pin[sc->staff.pin_len] = '\0';
    bool ok = ck_config_pin_matches(sc->cfg, sc->staff.pin);
    explicit_bzero(sc->staff.pin, sizeof sc->staff.pin);
    sc->staff.pin_len = 0;
    if (ok) {
        sc->staff.failures = 0;
        sc->staff.locked_until = 0;
        save_failures(sc);
        sc->staff.active = true;
        sc->staff.page = P_HEALTH;
        ck_warn("staff", "staff signed in to maintenance mode");
        ck_nav_go(sc, SCR_STAFF);
        return;
    }
    sc->staff.failures++;
    save_failures(sc);
    int lock = ck_config_pin_lockout_seconds(sc->staff.failures);
    sc->staff.locked_until = lock ? now + lock : 0;
    ck_warn("staff", "wrong staff PIN (%d in a row)%s", sc->staff.failures,
            lock ? "; entry locked" : "");
    snprintf(sc->staff.note, sizeof sc->staff.note, "%s",
             !*sc->cfg->staff_pin_hash ? "No staff PIN is set in this kiosk's config."
                                       : "Wrong PIN.");
}

/* ---------------------------------------------------------------- the PIN pad */

static void pin_event(struct ck_screens *sc, const struct ck_input *in)
{
    if ((in->kind == CK_IN_TAP && strcmp(in->id, "back") == 0) ||
        (in->kind == CK_IN_KEY && in->key == CK_KEY_ESCAPE)) {
        leave(sc);
        return;
    }
    const char *digits = NULL;
    if (in->kind == CK_IN_TAP && strncmp(in->id, "pin:", 4) == 0)
        digits = in->id + 4;
    else if (in->kind == CK_IN_TEXT) /* a USB keypad's digits; anything else is ignored */
        digits = in->text;
    bool enter = (in->kind == CK_IN_TAP && strcmp(in->id, "pin-ok") == 0) ||
                 (in->kind == CK_IN_KEY && in->key == CK_KEY_ENTER);
    bool del = (in->kind == CK_IN_TAP && strcmp(in->id, "pin-delete") == 0) ||
               (in->kind == CK_IN_KEY && in->key == CK_KEY_BACKSPACE);
    for (const char *d = digits; d && *d; d++)
        if (*d >= '0' && *d <= '9' && sc->staff.pin_len < sizeof sc->staff.pin - 1)
            sc->staff.pin[sc->staff.pin_len++] = *d;
    if (del && sc->staff.pin_len)
        sc->staff.pin_len--;
    else if (enter && sc->staff.pin_len)
        check_pin(sc);
}

static void pin_draw(struct ck_screens *sc, struct ck_ui *ui)
{
    struct ck_layout l = ck_chrome(sc, ui, "Staff: enter your PIN");
    ck_chrome_footer(sc, ui, &l, "Back", false, "pin-ok", "OK");
    struct ck_rect b = l.body;
    long now = (long)ck_clock_wall();
    char line[200];
    if (sc->staff.locked_until > now) {
        snprintf(line, sizeof line, "Too many wrong PINs. Try again in %ld s.",
                 sc->staff.locked_until - now);
        b.y += ck_ui_text(ui, (struct ck_rect){b.x, b.y, b.w, 0}, CK_FONT_BODY, CK_COL_ERROR,
                          CK_ALIGN_START, line) + ck_ui_px(ui, 12);
    } else if (sc->staff.note[0]) {
        b.y += ck_ui_text(ui, (struct ck_rect){b.x, b.y, b.w, 0}, CK_FONT_BODY, CK_COL_ERROR,
                          CK_ALIGN_START, sc->staff.note) + ck_ui_px(ui, 12);
    }
    char dots[64] = "";
    for (size_t i = 0; i < sc->staff.pin_len; i++)
        strcat(dots, "\xE2\x97\x8F "); /* a dot per digit, never the digits */
    int fh = ck_ui_line_height(ui, CK_FONT_TITLE) + ck_ui_px(ui, 24);
    ck_ui_field(ui, "field:pin", (struct ck_rect){b.x, b.y, b.w, fh}, dots, "", false, false);
    b.y += fh + ck_ui_px(ui, 16);
    /* 1-9, Delete 0, as on a phone */
    static const char *const KEYS[12] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "del", "0", ""};
    int gap = ck_ui_px(ui, 12), kh = (l.body.y + l.body.h - b.y - 3 * gap) / 4;
    if (kh > ck_ui_px(ui, 150))
        kh = ck_ui_px(ui, 150);
    int kw = (b.w - 2 * gap) / 3;
    if (kw > ck_ui_px(ui, 320))
        kw = ck_ui_px(ui, 320);
    int x0 = b.x + (b.w - 3 * kw - 2 * gap) / 2;
    for (int i = 0; i < 12; i++) {
        if (!*KEYS[i])
            continue;
        struct ck_rect r = {x0 + (i % 3) * (kw + gap), b.y + (i / 3) * (kh + gap), kw, kh};
        char id[16];
        bool del = strcmp(KEYS[i], "del") == 0;
        snprintf(id, sizeof id, del ? "pin-delete" : "pin:%s", KEYS[i]);
        ck_ui_button(ui, id, r, CK_BTN_KEY, del ? "Delete" : KEYS[i]);
    }
    snprintf(sc->heading, sizeof sc->heading, "Staff: enter your PIN");
}

/* ---------------------------------------------------------------- the staff pages */

struct parked {
    char receipt[CK_RECEIPT_LEN + 1];
    char service[64];
    char message[200];
};

struct parked_list {
    struct parked p[6];
    int n, total;
};

static bool collect_parked(const struct ck_request *req, const struct ck_request_status *st,
                           void *ctx)
{
    (void)req;
    struct parked_list *l = ctx;
    if (st->state != CK_OUTBOX_PARKED)
        return true;
    if (l->n < 6) {
        struct parked *p = &l->p[l->n++];
        snprintf(p->receipt, sizeof p->receipt, "%s", st->receipt);
        snprintf(p->service, sizeof p->service, "%s", st->service_code);
        snprintf(p->message, sizeof p->message, "%.199s", st->last_error);
    }
    l->total++;
    return true;
}

static void refresh_facts(struct ck_screens *sc)
{
    memset(&sc->staff.facts, 0, sizeof sc->staff.facts);
    if (sc->staff.probe)
        sc->staff.probe(sc->staff.probe_ctx, &sc->staff.facts);
}

/* One line of a health table: a part, its state in a word (coloured and spelled out), detail. */
static int row(struct ck_ui *ui, struct ck_rect *b, const char *part, bool ok, const char *state,
               const char *detail)
{
    int lh = ck_ui_line_height(ui, CK_FONT_BODY), c1 = b->w / 5, c2 = b->w / 5;
    int dh = ck_ui_text_height(ui, CK_FONT_SMALL, b->w - c1 - c2, detail);
    int h = lh > dh ? lh : dh;
    ck_ui_text(ui, (struct ck_rect){b->x, b->y, c1, 0}, CK_FONT_BODY, CK_COL_TEXT, CK_ALIGN_START,
               part);
    ck_ui_text(ui, (struct ck_rect){b->x + c1, b->y, c2, 0}, CK_FONT_BUTTON,
               ok ? CK_COL_TEXT : CK_COL_ERROR, CK_ALIGN_START, state);
    ck_ui_text(ui, (struct ck_rect){b->x + c1 + c2, b->y + (lh - ck_ui_line_height(ui, CK_FONT_SMALL)) / 2,
                                    b->w - c1 - c2, 0},
               CK_FONT_SMALL, CK_COL_MUTED, CK_ALIGN_START, detail);
    b->y += h + ck_ui_px(ui, 10);
    return h;
}

static void ago(long then, char *out, size_t n)
{
    long s = (long)ck_clock_wall() - then;
    if (then <= 0)
        snprintf(out, n, "never");
    else if (s < 120)
        snprintf(out, n, "%ld s ago", s);
    else if (s < 7200)
        snprintf(out, n, "%ld min ago", s / 60);
    else
        snprintf(out, n, "%ld h ago", s / 3600);
}

static void page_health(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect b)
{
    char err[CK_ERR_LEN], d[400], when[64];
    struct ck_outbox_stats os = {0};
    ck_outbox_stats(sc->store, &os, err, sizeof err);
    struct ck_print_status ps;
    ck_print_status(sc->print, &ps);
    const struct ck_staff_facts *f = &sc->staff.facts;

    snprintf(d, sizeof d, "%s", f->network[0] ? f->network : "no network interface is up");
    row(ui, &b, "Network", f->network_up, f->network_up ? "OK" : "DOWN", d);
    bool online = sc->sync && ck_sync_online(sc->sync);
    ago((long)os.last_success, when, sizeof when);
    snprintf(d, sizeof d, "last delivery %s%s%s", when, os.last_error ? "; last error: " : "",
             os.last_error ? os.last_error_detail : "");
    row(ui, &b, "Upstream", online || !os.queued, online ? "OK" : os.queued ? "UNREACHABLE" : "IDLE", d);
    ago((long)os.oldest_queued, when, sizeof when);
    snprintf(d, sizeof d, "%d waiting, oldest queued %s; %d parked", os.queued,
             os.queued ? when : "-", os.parked);
    row(ui, &b, "Queue", !os.parked && os.queued < 50,
        os.parked ? "PARKED" : os.queued ? "SENDING" : "EMPTY", d);
    bool pok = ps.printer == CK_PRINTER_OK || ps.printer == CK_PRINTER_NEAR_END ||
               ps.printer == CK_PRINTER_UNKNOWN;
    row(ui, &b, "Printer", pok, ck_printer_state_name(ps.printer), ps.printer_detail);
    row(ui, &b, "Paper", ps.printer != CK_PRINTER_PAPER_OUT,
        ps.printer == CK_PRINTER_PAPER_OUT   ? "OUT"
        : ps.printer == CK_PRINTER_NEAR_END ? "LOW"
        : ps.printer == CK_PRINTER_OK       ? "OK"
                                            : "UNKNOWN",
        ps.printer == CK_PRINTER_PAPER_OUT ? "load a new roll (see the operations guide)" : "");
    struct ck_store_room room;
    bool roomy = ck_store_room(sc->store, &room);
    int w = snprintf(d, sizeof d, "%ld MB free where requests are stored", room.fs_free_mb);
    if (room.db_limit_mb && w > 0 && (size_t)w < sizeof d)
        snprintf(d + w, sizeof d - (size_t)w, "; the database uses %ld of its %ld MB",
                 room.db_used_mb, room.db_limit_mb);
    if (!roomy && w > 0 && strlen(d) + 1 < sizeof d)
        snprintf(d + strlen(d), sizeof d - strlen(d),
                 ". New requests are refused below %d MB: free space (see the operations guide)",
                 sc->cfg->storage_min_free_mb);
    row(ui, &b, "Disk", roomy, roomy ? "OK" : "LOW", d);
    snprintf(d, sizeof d, "version %ld; %.300s", sc->cfg->bundle_version,
             f->config_result[0] ? f->config_result : "no bundle received yet");
    row(ui, &b, "Config", !f->config_failed, f->config_failed ? "REFUSED" : "OK", d);
    row(ui, &b, "Clock", f->clock_ok, f->clock_ok ? "OK" : "WRONG", f->clock);
    if (sc->staff.out_of_service)
        row(ui, &b, "Service", false, "OUT OF SERVICE", sc->staff.oos_message);
    else if (!roomy)
        row(ui, &b, "Service", false, "NO NEW REQUESTS", "too little room to store them (Disk)");
}

static void page_queue(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect b)
{
    char err[CK_ERR_LEN], line[400], grouped[CK_RECEIPT_GROUPED_LEN + 1], when[64];
    struct ck_outbox_stats os = {0};
    ck_outbox_stats(sc->store, &os, err, sizeof err);
    ago((long)os.oldest_queued, when, sizeof when);
    snprintf(line, sizeof line, "%d waiting (oldest queued %s), %d awaiting a city number, "
             "%d delivered, %d parked.", os.queued, os.queued ? when : "-", os.awaiting_token,
             os.delivered, os.parked);
    b.y += ck_ui_text(ui, (struct ck_rect){b.x, b.y, b.w, 0}, CK_FONT_BODY, CK_COL_TEXT,
                      CK_ALIGN_START, line) + ck_ui_px(ui, 12);
    struct parked_list pl = {.n = 0};
    ck_store_each(sc->store, collect_parked, &pl, err, sizeof err);
    if (!pl.n) {
        ck_ui_text(ui, (struct ck_rect){b.x, b.y, b.w, 0}, CK_FONT_BODY, CK_COL_MUTED,
                   CK_ALIGN_START, "Nothing is parked: the city accepted everything it was sent.");
        return;
    }
    ck_ui_text(ui, (struct ck_rect){b.x, b.y, b.w, 0}, CK_FONT_SMALL, CK_COL_MUTED, CK_ALIGN_START,
               "Parked: the city refused these. Fix the cause the city gives (often the "
               "catalog or the API key), then Retry.");
    b.y += ck_ui_line_height(ui, CK_FONT_SMALL) * 2 + ck_ui_px(ui, 8);
    int bw = ck_ui_px(ui, 200), bh = ck_ui_px(ui, 80);
    for (int i = 0; i < pl.n && b.y + bh <= b.y + b.h; i++) {
        ck_receipt_group(pl.p[i].receipt, grouped);
        snprintf(line, sizeof line, "%s  %s: %s", grouped, pl.p[i].service, pl.p[i].message);
        int th = ck_ui_text_height(ui, CK_FONT_SMALL, b.w - bw - ck_ui_px(ui, 16), line);
        int h = th > bh ? th : bh;
        ck_ui_text(ui, (struct ck_rect){b.x, b.y, b.w - bw - ck_ui_px(ui, 16), th}, CK_FONT_SMALL,
                   CK_COL_TEXT, CK_ALIGN_START, line);
        char id[48];
        snprintf(id, sizeof id, "retry:%s", pl.p[i].receipt);
        ck_ui_button(ui, id, (struct ck_rect){b.x + b.w - bw, b.y, bw, bh}, CK_BTN_SECONDARY,
                     "Retry");
        b.y += h + ck_ui_px(ui, 12);
    }
}

static void page_printer(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect b)
{
    struct ck_print_status ps;
    ck_print_status(sc->print, &ps);
    char line[400];
    snprintf(line, sizeof line, "Printer: %s%s%s", ck_printer_state_name(ps.printer),
             ps.printer_detail[0] ? " - " : "", ps.printer_detail);
    b.y += ck_ui_text(ui, (struct ck_rect){b.x, b.y, b.w, 0}, CK_FONT_SMALL, CK_COL_TEXT,
                      CK_ALIGN_START, line) + ck_ui_px(ui, 8);
    int bh = ck_ui_px(ui, 72), bw = (b.w - ck_ui_px(ui, 16)) / 2;
    ck_ui_button(ui, "staff:test-print", (struct ck_rect){b.x, b.y, bw, bh}, CK_BTN_PRIMARY,
                 "Print a test receipt");
    b.y += bh + ck_ui_px(ui, 20);
    ck_ui_text(ui, (struct ck_rect){b.x, b.y, b.w, 0}, CK_FONT_SMALL, CK_COL_MUTED,
               CK_ALIGN_START, "Reprint a resident's receipt: type its code, then Reprint.");
    b.y += ck_ui_line_height(ui, CK_FONT_SMALL) + ck_ui_px(ui, 8);
    char grouped[32] = "";
    snprintf(grouped, sizeof grouped, "%s", ck_buf_str(&sc->session.check_code));
    int fh = ck_ui_px(ui, 72);
    ck_ui_field(ui, "field:code", (struct ck_rect){b.x, b.y, bw, fh}, grouped, "R7Q-W2B-THPM",
                false, false);
    ck_ui_button(ui, "staff:reprint", (struct ck_rect){b.x + bw + ck_ui_px(ui, 16), b.y, bw, fh},
                 CK_BTN_SECONDARY, "Reprint");
    b.y += fh + ck_ui_px(ui, 8);
    if (sc->staff.note[0])
        b.y += ck_ui_text(ui, (struct ck_rect){b.x, b.y, b.w, 0}, CK_FONT_SMALL, CK_COL_TEXT,
                          CK_ALIGN_START, sc->staff.note);
    int kb_h = sc->staff.body_bottom - b.y - ck_ui_px(ui, 8);
    if (kb_h > ck_ui_px(ui, 120))
        ck_keyboard_draw(sc, ui, (struct ck_rect){b.x, b.y + ck_ui_px(ui, 8), b.w, kb_h}, KB_CODE,
                         false);
}

static void page_display(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect b)
{
    /* Colour bars on top, then a grid of cells that light up where they are touched: a dead
     * strip of the touch screen shows as cells that never light. */
    static const enum ck_color BARS[] = {CK_COL_BLACK, CK_COL_WHITE, CK_COL_PRIMARY,
                                         CK_COL_ERROR, CK_COL_FOCUS, CK_COL_HEADER};
    int bh = ck_ui_px(ui, 60), n = (int)(sizeof BARS / sizeof BARS[0]);
    for (int i = 0; i < n; i++)
        ck_ui_fill(ui, (struct ck_rect){b.x + i * b.w / n, b.y, b.w / n, bh}, BARS[i]);
    b.y += bh + ck_ui_px(ui, 12);
    b.h -= bh + ck_ui_px(ui, 12);
    int cols = 8, rows = 4, gap = ck_ui_px(ui, 6);
    int cw = (b.w - (cols - 1) * gap) / cols, ch = (b.h - (rows - 1) * gap) / rows;
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            int i = r * cols + c;
            char id[24], label[8];
            snprintf(id, sizeof id, "touch:%d", i);
            snprintf(label, sizeof label, "%d", i + 1);
            bool hit = sc->staff.touched & (1ull << i);
            ck_ui_button(ui, id, (struct ck_rect){b.x + c * (cw + gap), b.y + r * (ch + gap), cw, ch},
                         hit ? CK_BTN_CHOSEN : CK_BTN_OPTION, hit ? "OK" : label);
        }
}

static void page_text(struct ck_ui *ui, struct ck_rect b, const char *text)
{
    ck_ui_text(ui, (struct ck_rect){b.x, b.y, b.w, 0}, CK_FONT_SMALL, CK_COL_TEXT, CK_ALIGN_START,
               text);
}

static void page_network(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect b)
{
    char text[1400];
    bool online = sc->sync && ck_sync_online(sc->sync);
    snprintf(text, sizeof text,
             "Interfaces: %s\n\nCity's Open311 server: %s\nReachable: %s\n\nFleet: %s",
             sc->staff.facts.network[0] ? sc->staff.facts.network : "none up",
             *sc->cfg->upstream.base_url ? sc->cfg->upstream.base_url : "(none configured)",
             online ? "yes, it answered the last request"
                    : "no answer yet (see Queue and Log for the last error)",
             *sc->cfg->fleet.config_url ? sc->cfg->fleet.config_url : "(not managed)");
    page_text(ui, b, text);
}

static void page_config(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect b)
{
    char text[1200];
    snprintf(text, sizeof text,
             "Running: %s (bundle version %ld)\nKiosk: %s, group %s, %s\nLast bundle: %s\n"
             "Idle time: %d s; languages: %zu; services: %zu",
             sc->cfg->path, sc->cfg->bundle_version, sc->cfg->kiosk_id,
             *sc->cfg->kiosk_group ? sc->cfg->kiosk_group : "-",
             sc->cfg->kiosk_location, sc->staff.facts.config_result[0]
                                          ? sc->staff.facts.config_result
                                          : "none received yet",
             sc->cfg->idle_seconds, sc->cfg->nlangs, sc->cfg->catalog.n);
    page_text(ui, b, text);
}

static void page_log(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect b)
{
    /* The newest lines that fit, newest last. */
    const struct ck_staff_facts *f = &sc->staff.facts;
    int lh = ck_ui_line_height(ui, CK_FONT_SMALL), fit = b.h / (lh ? lh : 1);
    int first = f->nlog > fit ? f->nlog - fit : 0;
    for (int i = first; i < f->nlog; i++) {
        int h = ck_ui_text_height(ui, CK_FONT_SMALL, b.w, f->log[i]);
        if (h > lh)
            h = lh; /* one line each: the rest of a long one is in the journal */
        char one[160];
        snprintf(one, sizeof one, "%.150s", f->log[i]);
        while (ck_ui_text_width(ui, CK_FONT_SMALL, one) > b.w && strlen(one) > 10)
            one[strlen(one) - 5] = '\0';
        ck_ui_text(ui, (struct ck_rect){b.x, b.y, b.w, h}, CK_FONT_SMALL,
                   strncmp(f->log[i], "error", 5) == 0 ? CK_COL_ERROR : CK_COL_TEXT,
                   CK_ALIGN_START, one);
        b.y += lh;
    }
}

static void page_service(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect b)
{
    const char *state = sc->staff.out_of_service
                            ? "The kiosk is OUT OF SERVICE: residents see the message below and "
                              "cannot file new requests. Requests already stored are still "
                              "delivered."
                            : "The kiosk is in service.";
    b.y += ck_ui_text(ui, (struct ck_rect){b.x, b.y, b.w, 0}, CK_FONT_BODY,
                      sc->staff.out_of_service ? CK_COL_ERROR : CK_COL_TEXT, CK_ALIGN_START,
                      state) + ck_ui_px(ui, 12);
    int bh = ck_ui_px(ui, 90), bw = (b.w - ck_ui_px(ui, 16)) / 2;
    ck_ui_button(ui, sc->staff.out_of_service ? "staff:service-on" : "staff:service-off",
                 (struct ck_rect){b.x, b.y, bw, bh}, CK_BTN_PRIMARY,
                 sc->staff.out_of_service ? "Back in service" : "Take out of service");
    b.y += bh + ck_ui_px(ui, 16);
    ck_ui_text(ui, (struct ck_rect){b.x, b.y, b.w, 0}, CK_FONT_SMALL, CK_COL_MUTED, CK_ALIGN_START,
               "Message for residents (optional), e.g. \"Please use the kiosk by the front door.\"");
    b.y += ck_ui_line_height(ui, CK_FONT_SMALL) + ck_ui_px(ui, 6);
    int fh = ck_ui_px(ui, 90);
    ck_ui_field(ui, "field:message", (struct ck_rect){b.x, b.y, b.w, fh}, sc->staff.oos_message,
                "", false, false);
    b.y += fh + ck_ui_px(ui, 8);
    int kb_h = sc->staff.body_bottom - b.y;
    if (kb_h > ck_ui_px(ui, 160))
        ck_keyboard_draw(sc, ui, (struct ck_rect){b.x, b.y, b.w, kb_h}, KB_TEXT, false);
}

static void page_restart(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect b)
{
    (void)sc;
    b.y += ck_ui_text(ui, (struct ck_rect){b.x, b.y, b.w, 0}, CK_FONT_BODY, CK_COL_TEXT,
                      CK_ALIGN_START,
                      "Restart the kiosk software. It is back in a few seconds; nothing stored "
                      "is lost, and requests on their way are checked with the city first.") +
           ck_ui_px(ui, 16);
    ck_ui_button(ui, "staff:restart-now",
                 (struct ck_rect){b.x, b.y, (b.w - ck_ui_px(ui, 16)) / 2, ck_ui_px(ui, 90)},
                 CK_BTN_PRIMARY, "Restart now");
}

int l_body_bottom(struct ck_screens *sc)
{
    return sc->staff.body_bottom;
}

static void staff_draw(struct ck_screens *sc, struct ck_ui *ui)
{
    char title[96];
    snprintf(title, sizeof title, "Maintenance: %s", PAGE_NAMES[sc->staff.page]);
    struct ck_layout l = ck_chrome(sc, ui, title);
    ck_chrome_footer(sc, ui, &l, "Sign out", false, "staff:refresh", "Refresh");
    sc->staff.body_bottom = l.body.y + l.body.h;
    /* The pages down the left (along the top in portrait), the page beside. */
    bool portrait = ck_ui_height(ui) > ck_ui_width(ui);
    int gap = ck_ui_px(ui, 10);
    struct ck_rect nav = l.body, page = l.body;
    if (portrait) {
        int bh = ck_ui_px(ui, 80), per = 3, rows = (P_COUNT + per - 1) / per;
        nav.h = rows * bh + (rows - 1) * gap;
        for (int i = 0; i < P_COUNT; i++)
            ck_ui_button(ui, PAGE_IDS[i],
                         (struct ck_rect){nav.x + (i % per) * (nav.w + gap) / per,
                                          nav.y + (i / per) * (bh + gap), (nav.w - 2 * gap) / per, bh},
                         i == sc->staff.page ? CK_BTN_CHOSEN : CK_BTN_OPTION, PAGE_NAMES[i]);
        page.y += nav.h + 2 * gap;
        page.h -= nav.h + 2 * gap;
    } else {
        nav.w = l.body.w / 5;
        int bh = (nav.h - (P_COUNT - 1) * gap) / P_COUNT;
        for (int i = 0; i < P_COUNT; i++)
            ck_ui_button(ui, PAGE_IDS[i], (struct ck_rect){nav.x, nav.y + i * (bh + gap), nav.w, bh},
                         i == sc->staff.page ? CK_BTN_CHOSEN : CK_BTN_OPTION, PAGE_NAMES[i]);
        page.x += nav.w + 3 * gap;
        page.w -= nav.w + 3 * gap;
    }
    switch (sc->staff.page) {
    case P_HEALTH: page_health(sc, ui, page); break;
    case P_QUEUE: page_queue(sc, ui, page); break;
    case P_PRINTER: page_printer(sc, ui, page); break;
    case P_DISPLAY: page_display(sc, ui, page); break;
    case P_NETWORK: page_network(sc, ui, page); break;
    case P_CONFIG: page_config(sc, ui, page); break;
    case P_LOG: page_log(sc, ui, page); break;
    case P_SERVICE: page_service(sc, ui, page); break;
    case P_RESTART: page_restart(sc, ui, page); break;
    default: break;
    }
    snprintf(sc->heading, sizeof sc->heading, "%s", title);
}

static void staff_event(struct ck_screens *sc, const struct ck_input *in)
{
    struct ck_staff *st = &sc->staff;
    if ((in->kind == CK_IN_TAP && strcmp(in->id, "back") == 0) ||
        (in->kind == CK_IN_KEY && in->key == CK_KEY_ESCAPE)) {
        leave(sc);
        return;
    }
    /* Typing: the reprint code on the printer page, the message on the service page. */
    if (st->page == P_PRINTER) {
        bool enter = false;
        if (ck_keyboard_input(sc, in, &sc->session.check_code, KB_CODE, false, 14, &enter))
            return;
    } else if (st->page == P_SERVICE) {
        struct ck_buf msg;
        ck_buf_init(&msg);
        ck_buf_append(&msg, st->oos_message, strlen(st->oos_message));
        bool enter = false;
        bool used = ck_keyboard_input(sc, in, &msg, KB_TEXT, false, 200, &enter);
        snprintf(st->oos_message, sizeof st->oos_message, "%s", ck_buf_str(&msg));
        ck_buf_deinit(&msg);
        if (used)
            return;
    }
    if (in->kind != CK_IN_TAP)
        return;
    st->note[0] = '\0';
    for (int i = 0; i < P_COUNT; i++)
        if (strcmp(in->id, PAGE_IDS[i]) == 0) {
            st->page = i;
            refresh_facts(sc);
            return;
        }
    char err[CK_ERR_LEN];
    if (strcmp(in->id, "staff:refresh") == 0) {
        refresh_facts(sc);
    } else if (strncmp(in->id, "retry:", 6) == 0) {
        if (ck_outbox_unpark(sc->store, in->id + 6, err, sizeof err) == CK_OK) {
            ck_warn("staff", "staff retried parked request %s", in->id + 6);
            ck_sync_kick(sc->sync);
        } else {
            ck_warn("staff", "retry of %s: %s", in->id + 6, err);
        }
    } else if (strcmp(in->id, "staff:test-print") == 0) {
        int job = 0;
        if (ck_receipt_print_test(sc, &job, err, sizeof err) == CK_OK)
            snprintf(st->note, sizeof st->note, "Test receipt sent to the printer (job %d).", job);
        else
            snprintf(st->note, sizeof st->note, "No test receipt: %.180s", err);
    } else if (strcmp(in->id, "staff:reprint") == 0) {
        char code[CK_RECEIPT_LEN + 1];
        if (ck_receipt_parse(ck_buf_str(&sc->session.check_code), code) != CK_RECEIPT_OK)
            snprintf(st->note, sizeof st->note, "That is not a valid receipt code.");
        else if (ck_screens_reprint(sc, code, err, sizeof err) == CK_OK)
            snprintf(st->note, sizeof st->note, "Receipt %s sent to the printer.", code);
        else
            snprintf(st->note, sizeof st->note, "Not reprinted: %.180s", err);
        ck_buf_clear(&sc->session.check_code);
    } else if (strncmp(in->id, "touch:", 6) == 0) {
        int i = atoi(in->id + 6);
        if (i >= 0 && i < 64)
            st->touched |= 1ull << i;
    } else if (strcmp(in->id, "staff:service-off") == 0) {
        set_out_of_service(sc, true);
    } else if (strcmp(in->id, "staff:service-on") == 0) {
        set_out_of_service(sc, false);
    } else if (strcmp(in->id, "staff:restart-now") == 0) {
        ck_warn("staff", "staff asked for a restart");
        st->restart = true;
    }
}

static void staff_enter(struct ck_screens *sc)
{
    sc->staff.touched = 0;
    refresh_facts(sc);
}

static void refresh(struct ck_screens *sc, bool status_event)
{
    (void)status_event;
    (void)sc; /* the next frame reads the store again */
}

const struct ck_screen ck_scr_staff_pin = {"staff-pin", NULL, pin_event, pin_draw, NULL};
const struct ck_screen ck_scr_staff = {"staff", staff_enter, staff_event, staff_draw, refresh};
