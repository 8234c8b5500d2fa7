/* done.c: the receipt code, large and grouped for reading aloud, the QR of its status page,
 * and a one-tap "How was this?" that stores no personal data. */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "print/print.h"
#include "qr/qr.h"
#include "screens/screen_int.h"

static void enter(struct ck_screens *sc)
{
    char url[512], err[CK_ERR_LEN];
    ck_config_status_url(sc->cfg, sc->session.receipt, url, sizeof url);
    ck_bitmap_deinit(&sc->qr);
    if (ck_qr_encode(url, &sc->qr, err, sizeof err))
        ck_warn("done", "no QR code: %s", err);
    sc->session.rating = 0;
    sc->session.print_job = 0;
    sc->session.prints = 0;
}

static void print(struct ck_screens *sc)
{
    struct ck_session *s = &sc->session;
    struct ck_receipt_facts f = {s->receipt, s->service_name, s->done_address, s->done_when,
                                 s->lang};
    char err[CK_ERR_LEN];
    int job = 0;
    if (ck_receipt_print(sc, &f, &job, err, sizeof err)) {
        ck_warn("done", "receipt %s not printed: %s", s->receipt, err);
        s->print_job = -1;
        return;
    }
    s->print_job = job;
    s->prints++;
}

static void event(struct ck_screens *sc, const struct ck_input *in)
{
    if (in->kind == CK_IN_KEY && in->key == CK_KEY_ESCAPE) {
        ck_nav_reset(sc);
        return;
    }
    if (in->kind != CK_IN_TAP)
        return;
    if (strcmp(in->id, "finish") == 0 || strcmp(in->id, "back") == 0) {
        ck_nav_reset(sc);
    } else if ((strcmp(in->id, "print") == 0 && !sc->session.prints) ||
               (strcmp(in->id, "print-again") == 0 && sc->session.prints == 1)) {
        print(sc);
    } else if (strcmp(in->id, "page-next") == 0) {
        sc->session.page++;
    } else if (strcmp(in->id, "page-prev") == 0 && sc->session.page > 0) {
        sc->session.page--;
    } else if (strncmp(in->id, "rating:", 7) == 0 && !sc->session.rating) {
        int r = in->id[7] - '0';
        char err[CK_ERR_LEN];
        if (r >= 1 && r <= 5 && ck_store_add_rating(sc->store, r, err, sizeof err) == CK_OK)
            sc->session.rating = r;
        else if (r >= 1 && r <= 5)
            ck_warn("done", "rating not stored: %s", err);
    }
}

static const char *const RATINGS[5] = {N_("Very hard"), N_("Hard"), N_("OK"), N_("Easy"),
                                       N_("Very easy")};

/* What the printer is doing for this resident: a message (msgid) and its colour, and which
 * button the footer offers ("print", "print-again" or none). Returns false when the kiosk has
 * no printer. */
static bool printing_state(struct ck_screens *sc, const char **msg, enum ck_color *col,
                           const char **button)
{
    struct ck_print_status ps;
    ck_print_status(sc->print, &ps);
    if (ps.printer == CK_PRINTER_NONE)
        return false; /* this kiosk has no printer: nothing to say */
    struct ck_session *s = &sc->session;
    bool mine = s->print_job > 0 && ps.job == s->print_job;
    *msg = NULL, *col = CK_COL_MUTED, *button = NULL;
    if (s->print_job < 0 || (mine && ps.job_state == CK_JOB_FAILED)) {
        *msg = N_("The receipt could not be printed. Please scan the QR code or write the code down.");
        *col = CK_COL_ERROR;
    } else if (mine && (ps.job_state == CK_JOB_QUEUED || ps.job_state == CK_JOB_PRINTING)) {
        *msg = N_("Printing your receipt…");
    } else if (mine && ps.job_state == CK_JOB_DONE) {
        *msg = N_("Please take your receipt from the printer.");
        if (s->prints == 1)
            *button = "print-again";
    } else if (!ck_printer_state_usable(ps.printer)) {
        *msg = N_("Printing is not available right now. Please scan the QR code or write the code down.");
        *col = CK_COL_ERROR;
    } else if (!s->prints) {
        *button = "print";
    }
    return true;
}

/* The print button in the footer's free left part; the printer's message beside it, or (when
 * it does not fit there, at a large text size) returned in *body_msg for the page to show. */
static void draw_printing(struct ck_screens *sc, struct ck_ui *ui, const struct ck_layout *l,
                          const char **body_msg, enum ck_color *body_col)
{
    const char *msg, *button;
    enum ck_color col;
    *body_msg = NULL;
    if (!printing_state(sc, &msg, &col, &button))
        return;
    struct ck_rect f = l->footer;
    int bh = ck_chrome_footer_button_height(ui), bw = (f.w - 2 * l->pad) * 3 / 10;
    if (l->footer_rows == 2) { /* Finish on the top row; the print button under it, whole */
        int y2 = f.y + (f.h - 2 * bh - ck_ui_px(ui, 10)) / 2 + bh + ck_ui_px(ui, 10);
        if (button)
            ck_ui_button(ui, button, (struct ck_rect){l->pad, y2, f.w - 2 * l->pad, bh},
                         CK_BTN_SECONDARY,
                         strcmp(button, "print") == 0 ? T(N_("Print receipt")) : T(N_("Print again")));
        if (msg)
            *body_msg = T(msg), *body_col = col;
        return;
    }
    const char *label = button && strcmp(button, "print") == 0 ? T(N_("Print receipt"))
                                                              : T(N_("Print again"));
    /* As wide as its words need, up to what Finish leaves. */
    int need = ck_ui_text_width(ui, CK_FONT_BUTTON, label) + 2 * ck_ui_px(ui, 27);
    int most = f.w - 2 * l->pad - ck_chrome_footer_primary_width(ui, l, T(N_("Finish"))) -
               ck_ui_px(ui, 24);
    bw = need > bw ? (need < most ? need : most) : bw;
    int y = f.y + (f.h - bh) / 2;
    struct ck_rect btn = {l->pad, y, bw, bh};
    struct ck_rect note = {l->pad + bw + ck_ui_px(ui, 24), y,
                           most - bw - ck_ui_px(ui, 24), bh};
    if (button)
        ck_ui_button(ui, button, btn, CK_BTN_SECONDARY, label);
    if (!msg)
        return;
    if (!button) { /* no button: the message takes its place too */
        note.w += note.x - l->pad;
        note.x = l->pad;
    }
    int th = ck_ui_text_height(ui, CK_FONT_SMALL, note.w, T(msg));
    if (th > note.h) {
        *body_msg = T(msg), *body_col = col;
        return;
    }
    ck_ui_text(ui, (struct ck_rect){note.x, note.y + (note.h - th) / 2, note.w, th},
               CK_FONT_SMALL, col, CK_ALIGN_START, T(msg));
}

/* The page's parts, top to bottom; at a large text size they flow onto pages. */
enum part { PART_INTRO, PART_CODE, PART_PROBLEM, PART_PRINTER, PART_HOWTO, PART_QR, PART_RATING,
            PART_COUNT };

struct done_ctx {
    char grouped[CK_RECEIPT_GROUPED_LEN + 1];
    char what[256];
    const char *howto, *printer_msg;
    enum ck_color printer_col;
    int qr_side, gap;
};

/* Height of a part in width w; draws it at (x, y) when draw. */
static int part(struct ck_screens *sc, struct ck_ui *ui, const struct done_ctx *d, enum part p,
                int x, int y, int w, bool draw)
{
    int h = 0;
    switch (p) {
    case PART_INTRO:
    case PART_CODE:
    case PART_PROBLEM: {
        const char *t = p == PART_INTRO ? T(N_("Your receipt code is"))
                        : p == PART_CODE ? d->grouped
                                         : d->what;
        enum ck_font f = p != PART_CODE                               ? CK_FONT_BODY
                         : ck_ui_text_width(ui, CK_FONT_HUGE, t) <= w ? CK_FONT_HUGE
                                                                      : CK_FONT_TITLE;
        /* The code on one line, never broken inside a group: smaller when it must be. */
        return draw ? ck_ui_text(ui, (struct ck_rect){x, y, w, 0}, f, CK_COL_TEXT,
                                 CK_ALIGN_START, t)
                    : ck_ui_text_height(ui, f, w, t);
    }
    case PART_PRINTER:
        if (!d->printer_msg)
            return 0;
        return draw ? ck_ui_text(ui, (struct ck_rect){x, y, w, 0}, CK_FONT_BODY, d->printer_col,
                                 CK_ALIGN_START, d->printer_msg)
                    : ck_ui_text_height(ui, CK_FONT_BODY, w, d->printer_msg);
    case PART_HOWTO:
        return draw ? ck_ui_text(ui, (struct ck_rect){x, y, w, 0}, CK_FONT_BODY, CK_COL_MUTED,
                                 CK_ALIGN_START, d->howto)
                    : ck_ui_text_height(ui, CK_FONT_BODY, w, d->howto);
    case PART_QR: {
        if (!sc->qr.px)
            return 0;
        int side = d->qr_side < w ? d->qr_side : w;
        const char *cap = T(N_("Scan to follow your request"));
        if (draw) {
            ck_ui_bitmap(ui, (struct ck_rect){x + (w - side) / 2, y, side, side}, &sc->qr, 4);
            ck_ui_text(ui, (struct ck_rect){x, y + side + d->gap / 3, w, 0}, CK_FONT_SMALL,
                       CK_COL_MUTED, CK_ALIGN_CENTER, cap);
        }
        return side + d->gap / 3 + ck_ui_text_height(ui, CK_FONT_SMALL, w, cap);
    }
    case PART_RATING: {
        if (sc->session.rating) {
            const char *t = T(N_("Thank you for your feedback."));
            return draw ? ck_ui_text(ui, (struct ck_rect){x, y, w, 0}, CK_FONT_BODY, CK_COL_TEXT,
                                     CK_ALIGN_START, t)
                        : ck_ui_text_height(ui, CK_FONT_BODY, w, t);
        }
        const char *q = T(N_("How easy was this? (optional)"));
        h = ck_ui_text_height(ui, CK_FONT_BODY, w, q);
        if (draw)
            ck_ui_text(ui, (struct ck_rect){x, y, w, h}, CK_FONT_BODY, CK_COL_TEXT,
                       CK_ALIGN_START, q);
        h += d->gap / 2;
        /* Five in a row, or, when their words do not fit a fifth of the width, a column. */
        int rgap = ck_ui_px(ui, 12), rw = (w - 4 * rgap) / 5;
        int bh = ck_ui_px(ui, 96) * 100 / ck_ui_text_size(ui);
        bool row = true;
        for (int i = 0; i < 5; i++) {
            int need = ck_ui_button_height(ui, rw, CK_BTN_OPTION, T(RATINGS[i]), NULL);
            bh = need > bh ? need : bh;
            if (ck_ui_text_width(ui, CK_FONT_SMALL, T(RATINGS[i])) > rw - ck_ui_px(ui, 48))
                row = false;
        }
        if (!row) {
            rw = w;
            bh = ck_ui_px(ui, 96) * 100 / ck_ui_text_size(ui);
            for (int i = 0; i < 5; i++) {
                int need = ck_ui_button_height(ui, rw, CK_BTN_OPTION, T(RATINGS[i]), NULL);
                bh = need > bh ? need : bh;
            }
        }
        for (int i = 0; draw && i < 5; i++) {
            char id[16];
            snprintf(id, sizeof id, "rating:%d", i + 1);
            struct ck_rect r = row ? (struct ck_rect){x + i * (rw + rgap), y + h, rw, bh}
                                   : (struct ck_rect){x, y + h + i * (bh + rgap), rw, bh};
            ck_ui_button(ui, id, r, CK_BTN_OPTION, T(RATINGS[i]));
        }
        return h + (row ? bh : 5 * bh + 4 * rgap);
    }
    default:
        return 0;
    }
}

/* Large text: the parts one under another, as many to a page as fit, with a pager. */
static void draw_flow(struct ck_screens *sc, struct ck_ui *ui, const struct done_ctx *d,
                      struct ck_rect b)
{
    int pager_h = ck_pager_height(sc, ui, b.w), avail = b.h - pager_h - d->gap;
    int page_of[PART_COUNT], y_of[PART_COUNT], page = 0, y = 0;
    for (int p = 0; p < PART_COUNT; p++) {
        int h = part(sc, ui, d, (enum part)p, 0, 0, b.w, false);
        if (y && h && y + h > avail && p != PART_CODE) /* the code stays under its intro */
            page++, y = 0;
        page_of[p] = page, y_of[p] = y;
        if (h)
            y += h + (p == PART_INTRO || p == PART_CODE ? 0 : d->gap);
    }
    int pages = page + 1;
    if (pages == 1)
        avail = b.h;
    if (sc->session.page >= pages)
        sc->session.page = pages - 1;
    for (int p = 0; p < PART_COUNT; p++)
        if (page_of[p] == sc->session.page)
            part(sc, ui, d, (enum part)p, b.x, b.y + y_of[p], b.w, true);
    ck_pager(sc, ui, (struct ck_rect){b.x, b.y + b.h - pager_h, b.w, pager_h}, sc->session.page,
             pages);
}

static void draw(struct ck_screens *sc, struct ck_ui *ui)
{
    /* The print button is sized like a Back button, so the footer gets two rows when the
     * print button and Finish do not fit one. */
    const char *msg, *button = NULL;
    enum ck_color col;
    if (!printing_state(sc, &msg, &col, &button))
        button = NULL;
    const char *print_label = !button                        ? NULL
                              : strcmp(button, "print") == 0 ? T(N_("Print receipt"))
                                                             : T(N_("Print again"));
    struct ck_layout l = ck_chrome_page(sc, ui, T(N_("Thank you. Your request is saved.")),
                                        print_label, false, T(N_("Finish")));
    ck_chrome_footer(sc, ui, &l, NULL, false, "finish", T(N_("Finish")));
    struct done_ctx d;
    draw_printing(sc, ui, &l, &d.printer_msg, &d.printer_col);
    ck_receipt_group(sc->session.receipt, d.grouped);
    snprintf(d.what, sizeof d.what, T(N_("Problem: %s")), T(sc->session.service_name));
    d.howto = T(N_("Write this code down, or scan the QR code with your phone to follow your request. The kiosk sends it to the city as soon as it is connected."));
    d.gap = ck_ui_px(ui, 24);
    bool portrait = ck_ui_height(ui) > ck_ui_width(ui);
    /* The QR code keeps its size whatever the text size: phones read it the same. */
    d.qr_side = ck_ui_px(ui, portrait ? 520 : 460) * 100 / ck_ui_text_size(ui);
    struct ck_rect b = l.body;

    /* The code and how to follow it on the left (portrait: on top), the QR beside it (under
     * it), the rating at the bottom; when that does not fit, the parts flow onto pages. */
    int left_w = portrait ? b.w : b.w - d.qr_side - 2 * d.gap;
    int text_h = 0;
    for (int p = PART_INTRO; p <= PART_HOWTO; p++) {
        int h = part(sc, ui, &d, (enum part)p, 0, 0, left_w, false);
        text_h += h && p > PART_CODE ? h + d.gap / 2 : h;
    }
    int qr_h = part(sc, ui, &d, PART_QR, 0, 0, d.qr_side + 2 * d.gap, false);
    int rating_h = part(sc, ui, &d, PART_RATING, 0, 0, left_w, false);
    int need = portrait ? text_h + d.gap + qr_h + d.gap + rating_h
                        : (text_h + d.gap + rating_h > qr_h ? text_h + d.gap + rating_h : qr_h);
    if (need > b.h || (d.printer_msg && !portrait && text_h + d.gap + rating_h > b.h)) {
        draw_flow(sc, ui, &d, b);
        return;
    }
    int y = b.y;
    for (int p = PART_INTRO; p <= PART_HOWTO; p++) {
        int h = part(sc, ui, &d, (enum part)p, b.x, y, left_w, true);
        y += h && p > PART_CODE ? h + d.gap / 2 : h;
    }
    if (portrait) {
        int qy = y + d.gap;
        part(sc, ui, &d, PART_QR, b.x, qy, b.w, true);
        part(sc, ui, &d, PART_RATING, b.x, b.y + b.h - rating_h, b.w, true);
    } else {
        part(sc, ui, &d, PART_QR, b.x + b.w - d.qr_side - d.gap, b.y, d.qr_side + 2 * d.gap, true);
        part(sc, ui, &d, PART_RATING, b.x, b.y + b.h - rating_h, left_w, true);
    }
}

/* The printer or the job changed: the footer shows it on the next frame. */
static void refresh(struct ck_screens *sc, bool status_event)
{
    (void)sc, (void)status_event;
}

const struct ck_screen ck_scr_done = {"done", enter, event, draw, refresh};
