/* chrome.c: what every screen shares: the header with the city's name and logo, the footer
 * with Back / Cancel / the way forward, error banners, grids and paging. UI thread only. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "screens/screen_int.h"

struct ck_layout ck_chrome(struct ck_screens *sc, struct ck_ui *ui, const char *title)
{
    int w = ck_ui_width(ui), h = ck_ui_height(ui);
    struct ck_layout l;
    l.pad = ck_ui_px(ui, w > h ? 56 : 40);
    int hh = ck_ui_px(ui, 104), fh = ck_ui_px(ui, 132);
    l.header = (struct ck_rect){0, 0, w, hh};
    l.footer = (struct ck_rect){0, h - fh, w, fh};
    ck_ui_fill(ui, l.header, CK_COL_HEADER);
    int logo = hh - ck_ui_px(ui, 24);
    int x = l.pad;
    if (sc->cfg->logo_path) {
        ck_ui_image(ui, (struct ck_rect){x, (hh - logo) / 2, logo, logo}, sc->cfg->logo_path);
        x += logo + ck_ui_px(ui, 20);
    }
    int lh = ck_ui_line_height(ui, CK_FONT_BODY);
    int end = ck_access_buttons(sc, ui, l.header);
    ck_ui_text(ui, (struct ck_rect){x, (hh - lh) / 2, end - x, lh}, CK_FONT_BODY,
               CK_COL_HEADER_TEXT, CK_ALIGN_START, T(sc->cfg->city_name));
    snprintf(sc->heading, sizeof sc->heading, "%s", title && *title ? title : T(sc->cfg->city_name));
    int y = hh + ck_ui_px(ui, 28);
    if (title && *title) {
        y += ck_ui_text(ui, (struct ck_rect){l.pad, y, w - 2 * l.pad, 0}, CK_FONT_TITLE,
                        CK_COL_TEXT, CK_ALIGN_START, title);
        y += ck_ui_px(ui, 16);
    }
    l.body = (struct ck_rect){l.pad, y, w - 2 * l.pad, l.footer.y - y - ck_ui_px(ui, 16)};
    return l;
}

void ck_chrome_footer(struct ck_screens *sc, struct ck_ui *ui, const struct ck_layout *l,
                      const char *back_label, bool show_cancel, const char *primary_id,
                      const char *primary_label)
{
    struct ck_rect f = l->footer;
    ck_ui_fill(ui, (struct ck_rect){0, f.y, f.w, ck_ui_px(ui, 2)}, CK_COL_BORDER);
    int bh = f.h - ck_ui_px(ui, 36);
    int y = f.y + (f.h - bh) / 2;
    int bw = (f.w - 2 * l->pad - 2 * ck_ui_px(ui, 24)) / 3;
    if (bw > ck_ui_px(ui, 420))
        bw = ck_ui_px(ui, 420);
    int x = l->pad;
    if (back_label) {
        ck_ui_button(ui, "back", (struct ck_rect){x, y, bw, bh}, CK_BTN_SECONDARY, back_label);
        x += bw + ck_ui_px(ui, 24);
    }
    if (show_cancel)
        ck_ui_button(ui, "cancel", (struct ck_rect){x, y, bw, bh}, CK_BTN_SECONDARY,
                     T(N_("Cancel")));
    if (primary_id)
        ck_ui_button(ui, primary_id, (struct ck_rect){f.w - l->pad - bw, y, bw, bh},
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
    if (rows < 1)
        rows = 1;
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
    int bw = ck_ui_px(ui, 300), bh = r.h;
    char label[64];
    snprintf(label, sizeof label, T(N_("Page %d of %d")), page + 1, pages);
    int lh = ck_ui_line_height(ui, CK_FONT_BODY);
    ck_ui_text(ui, (struct ck_rect){r.x, r.y + (bh - lh) / 2, r.w, lh}, CK_FONT_BODY,
               CK_COL_TEXT, CK_ALIGN_CENTER, label);
    ck_ui_button(ui, "page-prev", (struct ck_rect){r.x, r.y, bw, bh},
                 page > 0 ? CK_BTN_SECONDARY : CK_BTN_DISABLED, T(N_("Previous")));
    ck_ui_button(ui, "page-next", (struct ck_rect){r.x + r.w - bw, r.y, bw, bh},
                 page + 1 < pages ? CK_BTN_SECONDARY : CK_BTN_DISABLED, T(N_("More")));
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
