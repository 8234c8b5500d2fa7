/* chrome.c: what every screen shares: the header with the city's name and logo, the footer
 * with Back / Cancel / the way forward, error banners, grids and paging. UI thread only. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "screens/screen_int.h"

/* A bar's height: its design height, or what a button's words need at a large text size.
 * Header and footer grow only as far as their text needs, leaving the page the rest. */
static int bar_height(struct ck_ui *ui, int design_px, int margin_px)
{
    int base = ck_ui_px(ui, design_px) * 100 / ck_ui_text_size(ui);
    int need = ck_ui_line_height(ui, CK_FONT_BUTTON) + 2 * ck_ui_px(ui, 3) + ck_ui_px(ui, 8) +
               2 * ck_ui_px(ui, margin_px);
    return need > base ? need : base;
}

int ck_chrome_footer_height(struct ck_ui *ui)
{
    return bar_height(ui, 132, 10);
}

int ck_chrome_footer_button_height(struct ck_ui *ui)
{
    return ck_chrome_footer_height(ui) - ck_ui_px(ui, 36) * 100 / ck_ui_text_size(ui);
}

static int natural_width(struct ck_ui *ui, const char *label);

/* True when the footer's buttons cannot share one row: at a large text size on a narrow
 * screen, the way forward gets a row of its own above Back and Cancel. */
static bool footer_two_rows(struct ck_screens *sc, struct ck_ui *ui, int pad, const char *back,
                            bool cancel, const char *primary)
{
    if (ck_ui_text_size(ui) == 100 || !primary)
        return false;
    int room = ck_ui_width(ui) - 2 * pad - 2 * ck_ui_px(ui, 24) * 100 / ck_ui_text_size(ui);
    int sum = natural_width(ui, back) + natural_width(ui, cancel ? T(N_("Cancel")) : NULL) +
              natural_width(ui, primary);
    return sum > room;
}

struct ck_layout ck_chrome(struct ck_screens *sc, struct ck_ui *ui, const char *title)
{
    return ck_chrome_page(sc, ui, title, NULL, false, NULL);
}

struct ck_layout ck_chrome_page(struct ck_screens *sc, struct ck_ui *ui, const char *title,
                                const char *back_label, bool show_cancel,
                                const char *primary_label)
{
    int w = ck_ui_width(ui), h = ck_ui_height(ui);
    struct ck_layout l;
    l.pad = ck_ui_px(ui, w > h ? 56 : 40) * 100 / ck_ui_text_size(ui);
    l.footer_rows = footer_two_rows(sc, ui, l.pad, back_label, show_cancel, primary_label) ? 2 : 1;
    int hh = bar_height(ui, 104, 6), fh = ck_chrome_footer_height(ui);
    if (l.footer_rows == 2)
        fh += ck_chrome_footer_button_height(ui) + ck_ui_px(ui, 10);
    l.header = (struct ck_rect){0, 0, w, hh};
    l.footer = (struct ck_rect){0, h - fh, w, fh};
    ck_ui_fill(ui, l.header, CK_COL_HEADER);
    int logo = hh - ck_ui_px(ui, 24);
    int x = l.pad;
    if (sc->cfg->logo_path) {
        ck_ui_image(ui, (struct ck_rect){x, (hh - logo) / 2, logo, logo}, sc->cfg->logo_path);
        x += logo + ck_ui_px(ui, 20);
    }
    /* Maintenance mode's hidden corner: a 3-second press on the logo's corner. */
    ck_ui_target(ui, "hidden:staff", (struct ck_rect){0, 0, x, hh});
    int end = ck_access_buttons(sc, ui, l.header) - ck_ui_px(ui, 16);
    /* The city's name, on one line if it fits, else smaller; left out (the logo stays) when
     * a large text size leaves no room for it. */
    const char *city = T(sc->cfg->city_name);
    enum ck_font cf = ck_ui_text_width(ui, CK_FONT_BODY, city) <= end - x ? CK_FONT_BODY
                                                                        : CK_FONT_SMALL;
    int ch = ck_ui_text_height(ui, cf, end - x, city);
    if (end - x > 0 && ch <= hh && ck_ui_text_width(ui, cf, city) <= 2 * (end - x))
        ck_ui_text(ui, (struct ck_rect){x, (hh - ch) / 2, end - x, ch}, cf, CK_COL_HEADER_TEXT,
                   CK_ALIGN_START, city);
    snprintf(sc->heading, sizeof sc->heading, "%s", title && *title ? title : city);
    int y = hh + ck_ui_px(ui, 28) * 100 / ck_ui_text_size(ui);
    if (title && *title) {
        y += ck_ui_text(ui, (struct ck_rect){l.pad, y, w - 2 * l.pad, 0}, CK_FONT_TITLE,
                        CK_COL_TEXT, CK_ALIGN_START, title);
        y += ck_ui_px(ui, 16);
    }
    l.body = (struct ck_rect){l.pad, y, w - 2 * l.pad, l.footer.y - y - ck_ui_px(ui, 16)};
    return l;
}

/* The width a footer button needs for its label on one line. */
static int natural_width(struct ck_ui *ui, const char *label)
{
    return label ? ck_ui_text_width(ui, CK_FONT_BUTTON, label) + 2 * ck_ui_px(ui, 24) +
                       2 * ck_ui_px(ui, 3)
                 : 0;
}

int ck_chrome_footer_primary_width(struct ck_ui *ui, const struct ck_layout *l, const char *label)
{
    int gap = ck_ui_px(ui, 24) * 100 / ck_ui_text_size(ui);
    int bw = (l->footer.w - 2 * l->pad - 2 * gap) / 3;
    if (bw > ck_ui_px(ui, 420))
        bw = ck_ui_px(ui, 420);
    int nat = natural_width(ui, label);
    return nat > bw ? nat : bw;
}

void ck_chrome_footer(struct ck_screens *sc, struct ck_ui *ui, const struct ck_layout *l,
                      const char *back_label, bool show_cancel, const char *primary_id,
                      const char *primary_label)
{
    struct ck_rect f = l->footer;
    ck_ui_fill(ui, (struct ck_rect){0, f.y, f.w, ck_ui_px(ui, 2)}, CK_COL_BORDER);
    int bh = ck_chrome_footer_button_height(ui);
    int y = f.y + (f.h - bh * l->footer_rows - ck_ui_px(ui, 10) * (l->footer_rows - 1)) / 2;
    int gap = ck_ui_px(ui, 24) * 100 / ck_ui_text_size(ui);
    int room = f.w - 2 * l->pad - 2 * gap;
    int bw = room / 3;
    if (bw > ck_ui_px(ui, 420))
        bw = ck_ui_px(ui, 420);
    /* Three equal buttons while their words fit; at a large text size each gets what its
     * words need (Back and Cancel first, the way forward the rest) when that fits. */
    const char *cancel = show_cancel ? T(N_("Cancel")) : NULL;
    int wb = natural_width(ui, back_label), wc = natural_width(ui, cancel);
    int wp = primary_id ? natural_width(ui, primary_label) : 0;
    int bwb = bw, bwc = bw, bwp = bw;
    if ((wb > bw || wc > bw || wp > bw) && wb + wc + wp <= room) {
        bwb = wb > bw ? wb : bw;
        bwc = wc > bw ? wc : bw;
        bwp = wp > bw ? wp : bw;
        int over = bwb * !!back_label + bwc * show_cancel + bwp * !!primary_id - room;
        if (over > 0) /* grown past the room: the ones that grew give back to their need */
            bwb = wb, bwc = wc, bwp = room - (back_label ? wb : 0) - (show_cancel ? wc : 0);
    }
    if (l->footer_rows == 2) { /* the way forward across the top row, Back and Cancel under */
        if (primary_id)
            ck_ui_button(ui, primary_id, (struct ck_rect){l->pad, y, f.w - 2 * l->pad, bh},
                         CK_BTN_PRIMARY, primary_label);
        y += bh + ck_ui_px(ui, 10);
        bwb = bwc = (f.w - 2 * l->pad - gap) / 2;
        primary_id = NULL;
    }
    int x = l->pad;
    if (back_label) {
        ck_ui_button(ui, "back", (struct ck_rect){x, y, bwb, bh}, CK_BTN_SECONDARY, back_label);
        x += bwb + gap;
    }
    if (show_cancel)
        ck_ui_button(ui, "cancel", (struct ck_rect){x, y, bwc, bh}, CK_BTN_SECONDARY, cancel);
    if (primary_id)
        ck_ui_button(ui, primary_id, (struct ck_rect){f.w - l->pad - bwp, y, bwp, bh},
                     CK_BTN_PRIMARY, primary_label);
}

int ck_chrome_error(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect r)
{
    if (!sc->session.error)
        return 0;
    char msg[512];
    snprintf(msg, sizeof msg, T(sc->session.error), sc->session.error_arg);
    int pad = ck_ui_px(ui, 18);
    int th = ck_ui_text_height(ui, CK_FONT_BODY, r.w - 2 * pad - ck_ui_px(ui, 10), msg);
    struct ck_rect box = {r.x, r.y, r.w, th + 2 * pad};
    ck_ui_fill(ui, box, CK_COL_ERROR_BG);
    ck_ui_fill(ui, (struct ck_rect){r.x, r.y, ck_ui_px(ui, 10), box.h}, CK_COL_ERROR);
    ck_ui_text(ui, (struct ck_rect){r.x + pad + ck_ui_px(ui, 10), r.y + pad,
                                    r.w - 2 * pad - ck_ui_px(ui, 10), th},
               CK_FONT_BODY, CK_COL_ERROR_BG_TEXT, CK_ALIGN_START, msg);
    return box.h + ck_ui_px(ui, 16);
}

int ck_grid(struct ck_rect area, int cols, int min_h, int gap, int n, struct ck_rect *cells,
            int *pages)
{
    int rows = (area.h + gap) / (min_h + gap);
    if (rows < 1) { /* not even one row of min_h: one row as tall as there is room */
        rows = 1;
        min_h = area.h;
    }
    int per_page = rows * cols;
    *pages = n ? (n + per_page - 1) / per_page : 1;
    int cw = (area.w - (cols - 1) * gap) / cols;
    int ch = (area.h - (rows - 1) * gap) / rows;
    if (ch > min_h * 3 / 2)
        ch = min_h * 3 / 2; /* don't stretch a few items over the whole page */
    for (int i = 0; i < per_page; i++) {
        int r = i / cols, c = i % cols;
        cells[i] = (struct ck_rect){area.x + c * (cw + gap), area.y + r * (ch + gap), cw, ch};
    }
    return per_page;
}

void ck_pager(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect r, int page, int pages)
{
    if (pages <= 1)
        return;
    char label[64];
    snprintf(label, sizeof label, T(N_("Page %d of %d")), page + 1, pages);
    const char *prev = T(N_("Previous")), *next = T(N_("More"));
    int gap = ck_ui_px(ui, 16);
    int bw = ck_ui_px(ui, 300);
    int lw = ck_ui_text_width(ui, CK_FONT_BODY, label);
    /* "Page 2 of 3" between the buttons when there is room; at a large text size the buttons
     * take the width and the page number is only spoken (the buttons' speech labels). */
    bool between = r.w - 2 * bw - 2 * gap >= lw;
    if (!between)
        bw = (r.w - gap) / 2;
    if (between) {
        int lh = ck_ui_line_height(ui, CK_FONT_BODY);
        ck_ui_text(ui, (struct ck_rect){r.x, r.y + (r.h - lh) / 2, r.w, lh}, CK_FONT_BODY,
                   CK_COL_TEXT, CK_ALIGN_CENTER, label);
    }
    ck_ui_button(ui, "page-prev", (struct ck_rect){r.x, r.y, bw, r.h},
                 page > 0 ? CK_BTN_SECONDARY : CK_BTN_DISABLED, prev);
    if (page > 0)
        ck_ui_label(ui, prev, label);
    ck_ui_button(ui, "page-next", (struct ck_rect){r.x + r.w - bw, r.y, bw, r.h},
                 page + 1 < pages ? CK_BTN_SECONDARY : CK_BTN_DISABLED, next);
    if (page + 1 < pages)
        ck_ui_label(ui, next, label);
}

/* The height a pager needs at this text size. */
int ck_pager_height(struct ck_screens *sc, struct ck_ui *ui, int width)
{
    int h = ck_ui_px(ui, 96) * 100 / ck_ui_text_size(ui);
    int need = ck_ui_button_height(ui, (width - ck_ui_px(ui, 16)) / 2, CK_BTN_SECONDARY,
                                   T(N_("Previous")), NULL);
    return need > h ? need : h;
}

static const char *const MONTHS[12] = {
    N_("January"), N_("February"), N_("March"),     N_("April"),   N_("May"),      N_("June"),
    N_("July"),    N_("August"),   N_("September"), N_("October"), N_("November"), N_("December"),
};

const char *ck_month_name(struct ck_screens *sc, int month0)
{
    return T(MONTHS[month0 % 12]);
}

void ck_format_datetime(struct ck_screens *sc, const char *iso, char *out, size_t outlen)
{
    int y, mo, d, h, mi;
    if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d", &y, &mo, &d, &h, &mi) != 5 || mo < 1 || mo > 12) {
        snprintf(out, outlen, "%s", iso);
        return;
    }
    if (strcmp(sc->session.lang, "en") == 0)
        snprintf(out, outlen, "%s %d, %d, %d:%02d %s", ck_month_name(sc, mo - 1), d, y,
                 h % 12 ? h % 12 : 12, mi, h < 12 ? "AM" : "PM");
    else
        snprintf(out, outlen, T(N_("%d %s %d, %02d:%02d")), d, ck_month_name(sc, mo - 1), y, h,
                 mi);
}
