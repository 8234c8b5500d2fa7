/* check.c: "Check a request": the resident types a receipt code; a typo is caught by the
 * check character; the kiosk says what it knows of the request. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "screens/screen_int.h"
#include "sync/sync.h"

static void enter(struct ck_screens *sc)
{
    sc->session.check_done = false;
}

static void lookup(struct ck_screens *sc)
{
    struct ck_session *s = &sc->session;
    char code[CK_RECEIPT_LEN + 1];
    s->check_result = ck_receipt_parse(ck_buf_str(&s->check_code), code);
    s->check_found = false;
    s->error = NULL;
    switch (s->check_result) {
    case CK_RECEIPT_EMPTY:
        s->error = N_("Type the code from your receipt first.");
        return;
    case CK_RECEIPT_LENGTH:
        s->error = N_("A receipt code has 10 letters and numbers, like R7K-M3Q-X9PZ.");
        return;
    case CK_RECEIPT_BAD_CHAR:
        s->error = N_("A receipt code has only letters and numbers.");
        return;
    case CK_RECEIPT_MISTYPED:
        s->error = N_("This code has a typing mistake. Check each character against your receipt and try again.");
        return;
    case CK_RECEIPT_OK:
        break;
    }
    char err[CK_ERR_LEN];
    enum ck_err rc = ck_store_lookup(sc->store, code, &s->check_status, err, sizeof err);
    if (rc == CK_ERR_NOT_FOUND) {
        s->error = N_("This kiosk has no request with that code. For requests made elsewhere, call 311.");
        return;
    }
    if (rc) {
        s->error = N_("The kiosk could not look up requests just now. Please ask staff for help.");
        return;
    }
    s->check_found = true;
    s->check_done = true;
    s->page = 0;
    /* Ask the city for the latest status; the screen shows what the kiosk knows meanwhile. */
    s->check_fetching = sc->sync && s->check_status.service_request_id[0];
    s->check_asked_at = s->check_status.status_fetched_at; /* unchanged after = not reached */
    if (s->check_fetching)
        ck_sync_fetch_status(sc->sync, code);
}

/* The worker stored a status (or gave up asking): show what the store now knows. */
static void refresh(struct ck_screens *sc, bool status_event)
{
    struct ck_session *s = &sc->session;
    if (!s->check_done)
        return;
    char err[CK_ERR_LEN];
    struct ck_request_status st;
    if (ck_store_lookup(sc->store, s->check_status.receipt, &st, err, sizeof err) == CK_OK)
        s->check_status = st;
    if (status_event)
        s->check_fetching = false;
}

static void event(struct ck_screens *sc, const struct ck_input *in)
{
    struct ck_session *s = &sc->session;
    if ((in->kind == CK_IN_TAP && strcmp(in->id, "back") == 0) ||
        (in->kind == CK_IN_KEY && in->key == CK_KEY_ESCAPE)) {
        if (s->check_done) {
            s->check_done = false;
            return;
        }
        ck_nav_reset(sc);
        return;
    }
    if (in->kind == CK_IN_TAP && strcmp(in->id, "lookup") == 0) {
        lookup(sc);
        return;
    }
    if (in->kind == CK_IN_TAP && strcmp(in->id, "check-again") == 0) {
        ck_buf_clear(&s->check_code);
        s->check_done = false;
        return;
    }
    if (s->check_done && in->kind == CK_IN_TAP && strcmp(in->id, "page-next") == 0)
        s->page++;
    else if (s->check_done && in->kind == CK_IN_TAP && strcmp(in->id, "page-prev") == 0 &&
             s->page > 0)
        s->page--;
    if (s->check_done)
        return;
    bool enter = false;
    if (ck_keyboard_input(sc, in, &s->check_code, KB_CODE, false, 14, &enter) && enter)
        lookup(sc);
}

static const char *state_text(enum ck_outbox_state st)
{
    switch (st) {
    case CK_OUTBOX_QUEUED:
    case CK_OUTBOX_SENDING:
        return N_("Saved at this kiosk. It will be sent to the city as soon as the kiosk is connected.");
    case CK_OUTBOX_AWAITING_TOKEN:
        return N_("Sent to the city. The city has not given it a number yet.");
    case CK_OUTBOX_DELIVERED:
        return N_("Sent to the city.");
    case CK_OUTBOX_PARKED:
        return N_("The city could not accept this request. Please ask staff for help.");
    }
    return "";
}

/* How long ago, in words: for "what the kiosk last heard". */
static void age_text(struct ck_screens *sc, time_t then, char *out, size_t outlen)
{
    long min = (long)(ck_clock_wall() - then) / 60;
    if (min < 2)
        snprintf(out, outlen, "%s", T(N_("just now")));
    else if (min < 120)
        snprintf(out, outlen, T(N_("%ld minutes ago")), min);
    else if (min < 48 * 60)
        snprintf(out, outlen, T(N_("%ld hours ago")), min / 60);
    else
        snprintf(out, outlen, T(N_("%ld days ago")), min / (24 * 60));
}

/* The result is a list of paragraphs, laid out in one or two columns and, when large text
 * makes them longer than the page, onto pages. */
struct para {
    enum ck_font font;
    enum ck_color color;
    bool boxed; /* on the notice background: the kiosk's state of the request */
    bool city;  /* the city's side: the second column on wide screens */
    char text[768];
};

#define PARAS_MAX 12

static void add(struct para *p, size_t *n, enum ck_font f, enum ck_color c, bool city,
                const char *text)
{
    if (*n < PARAS_MAX) {
        p[*n] = (struct para){f, c, false, city, ""};
        snprintf(p[*n].text, sizeof p[*n].text, "%s", text);
        (*n)++;
    }
}

/* The city's own status of the request: open or closed, its notes, when it last changed, and
 * how fresh this knowledge is. */
static void upstream_paras(struct ck_screens *sc, struct para *p, size_t *n)
{
    const struct ck_session *s = &sc->session;
    const struct ck_request_status *st = &s->check_status;
    char line[768], when[96], age[64];
    if (!st->service_request_id[0])
        return;
    if (s->check_fetching) {
        add(p, n, CK_FONT_BODY, CK_COL_MUTED, true, T(N_("Asking the city for the latest status…")));
        return;
    }
    if (!st->upstream_status[0]) {
        if (sc->sync)
            add(p, n, CK_FONT_BODY, CK_COL_MUTED, true,
                T(N_("The city could not be reached to check the status. Try again later.")));
        return;
    }
    bool closed = strcmp(st->upstream_status, "closed") == 0;
    add(p, n, CK_FONT_BUTTON, CK_COL_TEXT, true,
        closed ? T(N_("Status at the city: Closed (the work is done)"))
               : T(N_("Status at the city: Open (not finished yet)")));
    if (st->status_notes[0]) {
        snprintf(line, sizeof line, T(N_("Notes from the city: %s")), st->status_notes);
        add(p, n, CK_FONT_BODY, CK_COL_TEXT, true, line);
    }
    if (st->upstream_updated[0]) {
        ck_format_datetime(sc, st->upstream_updated, when, sizeof when);
        snprintf(line, sizeof line, T(N_("Last updated by the city: %s")), when);
        add(p, n, CK_FONT_BODY, CK_COL_TEXT, true, line);
    }
    age_text(sc, st->status_fetched_at, age, sizeof age);
    bool stale = st->status_fetched_at == s->check_asked_at;
    if (stale)
        snprintf(line, sizeof line,
                 T(N_("The city could not be reached just now. This is what the kiosk last heard from it (%s).")),
                 age);
    else
        snprintf(line, sizeof line, T(N_("Checked with the city %s.")), age);
    add(p, n, stale ? CK_FONT_BODY : CK_FONT_SMALL, stale ? CK_COL_TEXT : CK_COL_MUTED, true, line);
}

static int para_height(struct ck_ui *ui, const struct para *p, int w)
{
    int pad = p->boxed ? ck_ui_px(ui, 20) : 0;
    return ck_ui_text_height(ui, p->font, w - 2 * pad, p->text) + 2 * pad;
}

static void para_draw(struct ck_ui *ui, const struct para *p, int x, int y, int w)
{
    int pad = p->boxed ? ck_ui_px(ui, 20) : 0;
    int th = ck_ui_text_height(ui, p->font, w - 2 * pad, p->text);
    if (p->boxed)
        ck_ui_fill(ui, (struct ck_rect){x, y, w, th + 2 * pad}, CK_COL_NOTICE_BG);
    ck_ui_text(ui, (struct ck_rect){x + pad, y + pad, w - 2 * pad, th}, p->font,
               p->boxed ? CK_COL_NOTICE_TEXT : p->color, CK_ALIGN_START, p->text);
}

static void draw_result(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect b)
{
    struct ck_request_status *st = &sc->session.check_status;
    char grouped[CK_RECEIPT_GROUPED_LEN + 1], line[512], when[96];
    struct para p[PARAS_MAX];
    size_t n = 0;
    ck_receipt_group(st->receipt, grouped);
    /* The code on one line, never broken inside a group: smaller when it must be. */
    add(p, &n, ck_ui_text_width(ui, CK_FONT_HUGE, grouped) <= b.w ? CK_FONT_HUGE : CK_FONT_TITLE,
        CK_COL_TEXT, false, grouped);
    snprintf(line, sizeof line, T(N_("Problem: %s")), T(st->service_name));
    add(p, &n, CK_FONT_BODY, CK_COL_TEXT, false, line);
    ck_format_datetime(sc, st->requested_at, when, sizeof when);
    snprintf(line, sizeof line, T(N_("Filed: %s")), when);
    add(p, &n, CK_FONT_BODY, CK_COL_TEXT, false, line);
    add(p, &n, CK_FONT_BODY, CK_COL_NOTICE_TEXT, false, T(state_text(st->state)));
    p[n - 1].boxed = true;
    if (st->service_request_id[0]) {
        char iso[160];
        snprintf(line, sizeof line, T(N_("City reference number: %s")),
                 ck_ui_isolate(iso, sizeof iso, st->service_request_id));
        add(p, &n, CK_FONT_BODY, CK_COL_TEXT, false, line);
    }
    upstream_paras(sc, p, &n);

    /* Wide screens: the code across the top, the kiosk's side and the city's side in two
     * columns under it, when that fits; otherwise one column, paged. */
    int gap = ck_ui_px(ui, 20), col = (b.w - gap) / 2;
    int y0 = para_height(ui, &p[0], b.w) + gap, yk = y0, yc = y0;
    for (size_t i = 1; i < n; i++) {
        int *y = p[i].city ? &yc : &yk;
        *y += para_height(ui, &p[i], col) + gap;
    }
    if (b.w > b.h * 3 / 2 && yk <= b.h && yc <= b.h) {
        para_draw(ui, &p[0], b.x, b.y, b.w);
        yk = yc = b.y + y0;
        for (size_t i = 1; i < n; i++) {
            int *y = p[i].city ? &yc : &yk;
            para_draw(ui, &p[i], b.x + (p[i].city ? col + gap : 0), *y, col);
            *y += para_height(ui, &p[i], col) + gap;
        }
        return;
    }
    int pager_h = ck_pager_height(sc, ui, b.w), page_of[PARAS_MAX], y_of[PARAS_MAX];
    for (int pass = 0, avail = b.h; pass < 2; pass++, avail = b.h - pager_h - gap) {
        int page = 0, y = 0;
        for (size_t i = 0; i < n; i++) {
            int h = para_height(ui, &p[i], b.w);
            if (y && y + h > avail)
                page++, y = 0;
            page_of[i] = page, y_of[i] = y;
            y += h + gap;
        }
        sc->session.check_pages = page + 1;
        if (!page)
            break;
    }
    if (sc->session.page >= sc->session.check_pages)
        sc->session.page = sc->session.check_pages - 1;
    for (size_t i = 0; i < n; i++)
        if (page_of[i] == sc->session.page)
            para_draw(ui, &p[i], b.x, b.y + y_of[i], b.w);
    ck_pager(sc, ui, (struct ck_rect){b.x, b.y + b.h - pager_h, b.w, pager_h}, sc->session.page,
             sc->session.check_pages);
}

/* What the resident typed, shown in the receipt's 3-3-4 groups so it reads like the receipt. */
static void typed_grouped(const char *typed, char *out, size_t outlen)
{
    size_t n = 0, k = 0;
    for (const char *p = typed; *p && k + 2 < outlen; p++) {
        if (*p == '-' || *p == ' ')
            continue;
        if (n == 3 || n == 6)
            out[k++] = '-';
        out[k++] = *p;
        n++;
    }
    out[k] = '\0';
}

static void draw(struct ck_screens *sc, struct ck_ui *ui)
{
    struct ck_session *s = &sc->session;
    const char *primary = s->check_done ? T(N_("Check another code")) : T(N_("Check"));
    struct ck_layout l = ck_chrome_page(sc, ui, T(N_("Check a request")), T(N_("Back")), true,
                                        primary);
    ck_chrome_footer(sc, ui, &l, T(N_("Back")), true, s->check_done ? "check-again" : "lookup",
                     primary);
    struct ck_rect b = l.body;
    if (s->check_done) {
        draw_result(sc, ui, b);
        return;
    }
    int gap = ck_ui_px(ui, 16);
    /* The hint and the field above the keyboard; when that would squeeze the keyboard below
     * what its keys need (large text, landscape), the keyboard takes the right side of the
     * page at full height and the rest goes beside it. */
    struct ck_rect kb = {0};
    int kb_need = ck_keyboard_min_height(sc, ui, KB_CODE, b.w);
    const char *hint = T(N_("Type the code from your receipt, for example R7K-M3Q-X9PZ."));
    int above = ck_ui_text_height(ui, CK_FONT_BODY, b.w, hint) + gap +
                ck_ui_line_height(ui, CK_FONT_BODY) + 2 * ck_ui_px(ui, 21) + gap;
    if (b.h - above < kb_need && b.w > b.h) {
        int kw = ck_keyboard_min_width(sc, ui, KB_CODE, false);
        if (kw < b.w * 3 / 5)
            kw = b.w * 3 / 5;
        kb = (struct ck_rect){b.x + b.w - kw, b.y, kw, b.h};
        b.w -= kw + 2 * gap;
    }
    int field_h = ck_ui_line_height(ui, CK_FONT_BODY) + 2 * ck_ui_px(ui, 21);
    if (field_h < ck_ui_px(ui, 110) * 100 / ck_ui_text_size(ui))
        field_h = ck_ui_px(ui, 110) * 100 / ck_ui_text_size(ui);
    char shown[64];
    typed_grouped(ck_buf_str(&s->check_code), shown, sizeof shown);
    if (kb.w) { /* beside the keyboard: the field first, then any error, then the hint */
        ck_ui_field(ui, "field:code", (struct ck_rect){b.x, b.y, b.w, field_h}, shown, NULL,
                    false, s->error != NULL);
        b.y += field_h + gap;
        if (s->error) { /* in the small font here: the column is narrow */
            char msg[512];
            snprintf(msg, sizeof msg, T(s->error), s->error_arg);
            ck_ui_text(ui, (struct ck_rect){b.x, b.y, b.w, l.body.y + l.body.h - b.y},
                       CK_FONT_SMALL, CK_COL_ERROR, CK_ALIGN_START, msg);
        } else { /* an error says what a code looks like itself */
            ck_ui_text(ui, (struct ck_rect){b.x, b.y, b.w, l.body.y + l.body.h - b.y},
                       CK_FONT_SMALL, CK_COL_MUTED, CK_ALIGN_START, hint);
        }
        ck_keyboard_draw(sc, ui, kb, KB_CODE, false);
        return;
    }
    if (!s->error || ck_ui_text_size(ui) == 100)
        b.y += ck_ui_text(ui, (struct ck_rect){b.x, b.y, b.w, 0}, CK_FONT_BODY, CK_COL_MUTED,
                          CK_ALIGN_START, hint) + gap;
    int eh = ck_chrome_error(sc, ui, (struct ck_rect){b.x, b.y, b.w, b.h});
    b.y += eh;
    ck_ui_field(ui, "field:code", (struct ck_rect){b.x, b.y, b.w, field_h}, shown, NULL, false,
                s->error != NULL);
    int top = b.y + field_h + gap;
    int kb_h = l.body.y + l.body.h - top;
    int kb_max = ck_ui_px(ui, b.h > b.w ? 650 : 520);
    if (kb_h > kb_max)
        kb_h = kb_max;
    ck_keyboard_draw(sc, ui, (struct ck_rect){b.x, l.body.y + l.body.h - kb_h, b.w, kb_h}, KB_CODE,
                     false);
}

const struct ck_screen ck_scr_check = {"check", enter, event, draw, refresh};
