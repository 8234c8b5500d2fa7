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

/* The print button and what the printer is doing, in the footer's free left part. */
static void draw_printing(struct ck_screens *sc, struct ck_ui *ui, const struct ck_layout *l)
{
    struct ck_print_status ps;
    ck_print_status(sc->print, &ps);
    if (ps.printer == CK_PRINTER_NONE)
        return; /* this kiosk has no printer: nothing to say */
    struct ck_session *s = &sc->session;
    struct ck_rect f = l->footer;
    int bh = f.h - ck_ui_px(ui, 36), bw = (f.w - 2 * l->pad) * 3 / 10;
    int y = f.y + (f.h - bh) / 2;
    struct ck_rect btn = {l->pad, y, bw, bh};
    struct ck_rect note = {l->pad + bw + ck_ui_px(ui, 24), y, f.w - 2 * l->pad - 2 * bw - ck_ui_px(ui, 48), bh};
    bool mine = s->print_job > 0 && ps.job == s->print_job;
    const char *msg = NULL;
    enum ck_color col = CK_COL_MUTED;
    bool button = false;
    if (s->print_job < 0 || (mine && ps.job_state == CK_JOB_FAILED)) {
        msg = N_("The receipt could not be printed. Please scan the QR code or write the code down.");
        col = CK_COL_ERROR;
    } else if (mine && (ps.job_state == CK_JOB_QUEUED || ps.job_state == CK_JOB_PRINTING)) {
        msg = N_("Printing your receipt…");
    } else if (mine && ps.job_state == CK_JOB_DONE) {
        msg = N_("Please take your receipt from the printer.");
        if ((button = s->prints == 1))
            ck_ui_button(ui, "print-again", btn, CK_BTN_SECONDARY, T(N_("Print again")));
    } else if (!ck_printer_state_usable(ps.printer)) {
        msg = N_("Printing is not available right now. Please scan the QR code or write the code down.");
        col = CK_COL_ERROR;
    } else if (!s->prints) {
        ck_ui_button(ui, "print", btn, CK_BTN_SECONDARY, T(N_("Print receipt")));
    }
    if (msg) {
        if (!button) { /* no button: the message takes its place too */
            note.w += note.x - l->pad;
            note.x = l->pad;
        }
        int th = ck_ui_text_height(ui, CK_FONT_SMALL, note.w, T(msg));
        ck_ui_text(ui, (struct ck_rect){note.x, note.y + (note.h - th) / 2, note.w, th},
                   CK_FONT_SMALL, col, CK_ALIGN_START, T(msg));
    }
}

static void draw(struct ck_screens *sc, struct ck_ui *ui)
{
    struct ck_layout l = ck_chrome(sc, ui, T(N_("Thank you. Your request is saved.")));
    ck_chrome_footer(sc, ui, &l, NULL, false, "finish", T(N_("Finish")));
    draw_printing(sc, ui, &l);
    bool portrait = ck_ui_height(ui) > ck_ui_width(ui);
    struct ck_rect b = l.body;
    int gap = ck_ui_px(ui, 24);
    int qr_side = ck_ui_px(ui, portrait ? 520 : 460);
    struct ck_rect left = b, qr = b;
    if (portrait) {
        qr = (struct ck_rect){b.x + (b.w - qr_side) / 2, b.y + ck_ui_px(ui, 420), qr_side, qr_side};
    } else {
        left.w = b.w - qr_side - 2 * gap;
        qr = (struct ck_rect){b.x + b.w - qr_side, b.y, qr_side, qr_side};
    }
    int y = left.y;
    y += ck_ui_text(ui, (struct ck_rect){left.x, y, left.w, 0}, CK_FONT_BODY, CK_COL_TEXT,
                    CK_ALIGN_START, T(N_("Your receipt code is")));
    char grouped[CK_RECEIPT_GROUPED_LEN + 1];
    ck_receipt_group(sc->session.receipt, grouped);
    y += ck_ui_text(ui, (struct ck_rect){left.x, y, left.w, 0}, CK_FONT_HUGE, CK_COL_TEXT,
                    CK_ALIGN_START, grouped);
    char what[256];
    snprintf(what, sizeof what, T(N_("Problem: %s")), T(sc->session.service_name));
    y += ck_ui_text(ui, (struct ck_rect){left.x, y, left.w, 0}, CK_FONT_BODY, CK_COL_TEXT,
                    CK_ALIGN_START, what);
    y += gap / 2;
    y += ck_ui_text(ui, (struct ck_rect){left.x, y, left.w, 0}, CK_FONT_BODY, CK_COL_MUTED,
                    CK_ALIGN_START,
                    T(N_("Write this code down, or scan the QR code with your phone to follow your request. The kiosk sends it to the city as soon as it is connected.")));
    if (sc->qr.px) {
        ck_ui_bitmap(ui, qr, &sc->qr, 4);
        ck_ui_text(ui, (struct ck_rect){qr.x - gap, qr.y + qr.h + gap / 3, qr.w + 2 * gap, 0},
                   CK_FONT_SMALL, CK_COL_MUTED, CK_ALIGN_CENTER, T(N_("Scan to follow your request")));
    }
    /* the rating */
    int bh = ck_ui_px(ui, 96);
    int ry = portrait ? qr.y + qr.h + ck_ui_px(ui, 100) : b.y + b.h - bh - ck_ui_line_height(ui, CK_FONT_BODY) - gap / 2;
    struct ck_rect rr = {left.x, ry, portrait ? b.w : left.w, 0};
    if (sc->session.rating) {
        ck_ui_text(ui, rr, CK_FONT_BODY, CK_COL_TEXT, CK_ALIGN_START,
                   T(N_("Thank you for your feedback.")));
        return;
    }
    rr.y += ck_ui_text(ui, rr, CK_FONT_BODY, CK_COL_TEXT, CK_ALIGN_START,
                       T(N_("How easy was this? (optional)"))) + gap / 2;
    int rgap = ck_ui_px(ui, 12);
    int rw = (rr.w - 4 * rgap) / 5;
    for (int i = 0; i < 5; i++) {
        char id[16];
        snprintf(id, sizeof id, "rating:%d", i + 1);
        ck_ui_button(ui, id, (struct ck_rect){rr.x + i * (rw + rgap), rr.y, rw, bh},
                     CK_BTN_OPTION, T(RATINGS[i]));
    }
}

/* The printer or the job changed: the footer shows it on the next frame. */
static void refresh(struct ck_screens *sc, bool status_event)
{
    (void)sc, (void)status_event;
}

const struct ck_screen ck_scr_done = {"done", enter, event, draw, refresh};
