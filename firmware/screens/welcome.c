/* welcome.c: the first screen: the city, the two things a resident can do, the languages. */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "screens/screen_int.h"

/* Each language's own name for itself. */
static const struct {
    const char *code, *endonym;
} ENDONYMS[] = {
    {"en", "English"},   {"es", "Español"},  {"zh-hant", "繁體中文"},    {"ru", "Русский"},
    {"bn", "বাংলা"},     {"ht", "Kreyòl ayisyen"}, {"ko", "한국어"}, {"ar", "العربية"},
    {"ur", "اردو"},      {"fr", "Français"}, {"pl", "Polski"},
};

static const char *endonym(const char *code)
{
    for (size_t i = 0; i < sizeof ENDONYMS / sizeof ENDONYMS[0]; i++)
        if (strcmp(ENDONYMS[i].code, code) == 0)
            return ENDONYMS[i].endonym;
    return code;
}

static void enter(struct ck_screens *sc)
{
    (void)sc;
}

static void event(struct ck_screens *sc, const struct ck_input *in)
{
    struct ck_session *s = &sc->session;
    if (s->lang_list && in->kind == CK_IN_KEY && in->key == CK_KEY_ESCAPE)
        s->lang_list = false;
    if (in->kind != CK_IN_TAP)
        return;
    if (strcmp(in->id, "languages") == 0)
        s->lang_list = true, s->page = 0;
    else if (strcmp(in->id, "back") == 0)
        s->lang_list = false;
    else if (strcmp(in->id, "page-next") == 0)
        s->page++;
    else if (strcmp(in->id, "page-prev") == 0 && s->page > 0)
        s->page--;
    else if (strcmp(in->id, "report") == 0)
        ck_nav_go(sc, SCR_SERVICES);
    else if (strcmp(in->id, "check") == 0)
        ck_nav_go(sc, SCR_CHECK);
}

/* The language picker: endonyms in a band at the bottom, in rows as wide as the longest name
 * allows (at most six, four in portrait). Returns the band's height; draws it when draw. */
static int language_band(struct ck_screens *sc, struct ck_ui *ui, const struct ck_layout *l,
                         bool draw)
{
    int w = ck_ui_width(ui), h = ck_ui_height(ui);
    int n = (int)sc->i18n->nlangs, lgap = ck_ui_px(ui, 20);
    /* The widest word of a name: "Kreyòl ayisyen" may take two lines, "Kreyòl" may not break. */
    int widest = 0;
    for (int i = 0; i < n; i++) {
        const char *name = endonym(sc->i18n->langs[i]);
        while (*name) {
            char word[64];
            size_t len = strcspn(name, " ");
            snprintf(word, sizeof word, "%.*s", (int)(len < sizeof word ? len : sizeof word - 1),
                     name);
            int tw = ck_ui_text_width(ui, CK_FONT_BUTTON, word);
            widest = tw > widest ? tw : widest;
            name += len + (name[len] == ' ');
        }
    }
    int room = w - 2 * l->pad;
    int per_row = h > w ? 4 : 6;
    while (per_row > 1 && per_row * (widest + ck_ui_px(ui, 56)) + (per_row - 1) * lgap > room)
        per_row--;
    int rows = (n + per_row - 1) / per_row;
    int cols = n < per_row ? n : per_row;
    int lw = (room - (cols - 1) * lgap) / (cols ? cols : 1);
    if (lw > ck_ui_px(ui, 360))
        lw = ck_ui_px(ui, 360);
    int lh = ck_ui_px(ui, 96) * 100 / ck_ui_text_size(ui);
    for (int i = 0; i < n; i++) {
        int need = ck_ui_button_height(ui, lw, CK_BTN_OPTION, endonym(sc->i18n->langs[i]), NULL);
        lh = need > lh ? need : lh;
    }
    int band_h = rows * lh + (rows + 1) * lgap;
    if (!draw)
        return band_h;
    struct ck_rect f = {0, h - band_h, w, band_h};
    ck_ui_fill(ui, f, CK_COL_NOTICE_BG);
    for (int i = 0; i < n; i++) {
        int row = i / per_row, col = i % per_row;
        int in_row = row == rows - 1 ? n - row * per_row : per_row;
        int lx = (f.w - in_row * lw - (in_row - 1) * lgap) / 2;
        const char *code = sc->i18n->langs[i];
        char id[32];
        snprintf(id, sizeof id, "lang:%s", code);
        ck_ui_button(ui, id,
                     (struct ck_rect){lx + col * (lw + lgap), f.y + lgap + row * (lh + lgap), lw, lh},
                     strcmp(code, sc->session.lang) == 0 ? CK_BTN_CHOSEN : CK_BTN_OPTION,
                     endonym(code));
    }
    return band_h;
}

/* Large text on a small screen: the languages on a page of their own, paged. */
static void draw_language_list(struct ck_screens *sc, struct ck_ui *ui)
{
    struct ck_layout l = ck_chrome(sc, ui, T(N_("Language")));
    ck_chrome_footer(sc, ui, &l, T(N_("Back")), false, NULL, NULL);
    int n = (int)sc->i18n->nlangs, gap = ck_ui_px(ui, 20), cols = l.body.w > l.body.h ? 2 : 1;
    int cw = (l.body.w - (cols - 1) * gap) / cols, min_h = ck_ui_px(ui, 96) * 100 / ck_ui_text_size(ui);
    for (int i = 0; i < n; i++) {
        int need = ck_ui_button_height(ui, cw, CK_BTN_OPTION, endonym(sc->i18n->langs[i]), NULL);
        min_h = need > min_h ? need : min_h;
    }
    int pager_h = ck_pager_height(sc, ui, l.body.w), pages;
    struct ck_rect area = l.body, cells[64];
    area.h -= pager_h + gap;
    int per = ck_grid(area, cols, min_h, gap, n, cells, &pages);
    if (sc->session.page >= pages)
        sc->session.page = pages - 1;
    for (int i = 0; i < per && i < 64; i++) {
        int k = sc->session.page * per + i;
        if (k >= n)
            break;
        char id[32];
        snprintf(id, sizeof id, "lang:%s", sc->i18n->langs[k]);
        ck_ui_button(ui, id, cells[i],
                     strcmp(sc->i18n->langs[k], sc->session.lang) == 0 ? CK_BTN_CHOSEN
                                                                       : CK_BTN_OPTION,
                     endonym(sc->i18n->langs[k]));
    }
    ck_pager(sc, ui, (struct ck_rect){l.body.x, l.body.y + l.body.h - pager_h, l.body.w, pager_h},
             sc->session.page, pages);
}

/* The one button that stands for the language band when it does not fit: this language's
 * name, and "Language" under it. Returns its height; draws it when draw. */
static int language_button(struct ck_screens *sc, struct ck_ui *ui, const struct ck_layout *l,
                           bool draw)
{
    int w = ck_ui_width(ui), h = ck_ui_height(ui), gap = ck_ui_px(ui, 16);
    const char *name = endonym(sc->session.lang), *what = T(N_("Language"));
    int bw = w - 2 * l->pad, bh = ck_ui_button_height(ui, bw, CK_BTN_OPTION, name, what);
    if (draw) {
        ck_ui_fill(ui, (struct ck_rect){0, h - bh - 2 * gap, w, bh + 2 * gap}, CK_COL_NOTICE_BG);
        ck_ui_button2(ui, "languages", (struct ck_rect){l->pad, h - bh - gap, bw, bh},
                      CK_BTN_OPTION, name, what);
    }
    return bh + 2 * gap;
}

static void draw(struct ck_screens *sc, struct ck_ui *ui)
{
    if (sc->session.lang_list) {
        draw_language_list(sc, ui);
        return;
    }
    struct ck_layout l = ck_chrome(sc, ui, NULL);
    int w = ck_ui_width(ui), h = ck_ui_height(ui);
    bool portrait = h > w;
    struct ck_rect b = l.body;
    /* Out of service (staff set it), or outside the city's opening hours (requests are still
     * taken): a message on top. */
    char oos[600];
    bool out = sc->staff.out_of_service || sc->storage_full;
    if (sc->staff.out_of_service)
        snprintf(oos, sizeof oos, "%s%s%s",
                 T(N_("This kiosk is out of service. You can still check a request you made.")),
                 *sc->staff.oos_message ? " " : "", sc->staff.oos_message);
    else if (out) /* short of room: nothing queued is lost, and staff have been told */
        snprintf(oos, sizeof oos, "%s",
                 T(N_("This kiosk cannot take new requests right now. Staff have been told. "
                      "You can still check a request you made.")));
    if (out || (*sc->cfg->after_hours_message && !ck_config_open_at(sc->cfg, (long)ck_clock_wall()))) {
        const char *msg = out ? oos : T(sc->cfg->after_hours_message);
        int pad = ck_ui_px(ui, 16);
        int th = ck_ui_text_height(ui, CK_FONT_BODY, b.w - 2 * pad, msg);
        ck_ui_fill(ui, (struct ck_rect){0, b.y - ck_ui_px(ui, 12), w, th + 2 * pad},
                   out ? CK_COL_ERROR_BG : CK_COL_NOTICE_BG);
        ck_ui_text(ui, (struct ck_rect){b.x + pad, b.y - ck_ui_px(ui, 12) + pad, b.w - 2 * pad, th},
                   CK_FONT_BODY, out ? CK_COL_ERROR_BG_TEXT : CK_COL_NOTICE_TEXT, CK_ALIGN_CENTER,
                   msg);
        b.y += th + 2 * pad;
        b.h -= th + 2 * pad;
    }
    int z = ck_ui_text_size(ui);
    const char *title = T(N_("How can we help you today?"));
    const char *report = T(N_("Report a problem")), *check = T(N_("Check a request"));
    const char *report_d = T(N_("A pothole, a broken streetlight, missed trash and more"));
    const char *check_d = T(N_("Use the code on your receipt"));
    char privacy[256];
    snprintf(privacy, sizeof privacy,
             T(N_("For your privacy, this kiosk clears what you typed after %d seconds without a touch.")),
             sc->cfg->idle_seconds);

    /* Measured first; at a large text size the logo shrinks or goes, then the buttons' second
     * lines, so that the two choices, the privacy note and the languages stay whole. */
    int band_h = language_band(sc, ui, &l, false);
    /* The band may take at most half of the page; beyond that, one button opens the list. */
    bool band = band_h <= (h - l.body.y) / 2;
    if (!band)
        band_h = language_button(sc, ui, &l, false);
    int top = ck_ui_px(ui, portrait ? 80 : 24) * 100 / z, gap = ck_ui_px(ui, 40) * 100 / z;
    int after_title = ck_ui_px(ui, portrait ? 60 : 36) * 100 / z;
    int bw = portrait ? b.w : (b.w - gap) / 2;
    if (!portrait && bw > ck_ui_px(ui, 760))
        bw = ck_ui_px(ui, 760);
    /* What gives way, in turn, when the page is short: the buttons' second lines, then the
     * privacy note (the idle warning says it again when it matters). */
    bool details = true, note = true;
    int bh = 0, used = 0;
    for (int pass = 0; pass < 3; pass++) {
        bh = ck_ui_px(ui, portrait ? 220 : 190) * 100 / z;
        const char *rd = details ? report_d : NULL, *cd = details ? check_d : NULL;
        int need = ck_ui_button_height(ui, bw, CK_BTN_PRIMARY, report, rd);
        bh = need > bh ? need : bh;
        need = ck_ui_button_height(ui, bw, CK_BTN_SECONDARY, check, cd);
        bh = need > bh ? need : bh;
        used = top + ck_ui_text_height(ui, CK_FONT_TITLE, b.w, title) + after_title +
               (portrait ? 2 * bh + gap : bh) +
               (note ? ck_ui_px(ui, 32) + ck_ui_text_height(ui, CK_FONT_SMALL, b.w, privacy) : 0);
        if (b.y + used <= h - band_h - ck_ui_px(ui, 16))
            break;
        if (details)
            details = false;
        else
            note = false;
    }
    int spare = h - band_h - ck_ui_px(ui, 16) - b.y - used;

    b.y += top;
    if (sc->cfg->logo_path) {
        int logo = ck_ui_px(ui, portrait ? 260 : 170) * 100 / z;
        if (logo > spare - ck_ui_px(ui, 24))
            logo = spare - ck_ui_px(ui, 24);
        if (logo >= ck_ui_px(ui, 120) * 100 / z) { /* too small to be worth showing: none */
            ck_ui_image(ui, (struct ck_rect){b.x, b.y, b.w, logo}, sc->cfg->logo_path);
            b.y += logo + ck_ui_px(ui, 24);
        }
    }
    b.y += ck_ui_text(ui, (struct ck_rect){b.x, b.y, b.w, 0}, CK_FONT_TITLE, CK_COL_TEXT,
                      CK_ALIGN_CENTER, title);
    b.y += after_title;

    int x = portrait ? b.x : b.x + (b.w - 2 * bw - gap) / 2;
    if (!out)
        ck_ui_button2(ui, "report", (struct ck_rect){x, b.y, bw, bh}, CK_BTN_PRIMARY, report,
                      details ? report_d : NULL);
    struct ck_rect cr = out        ? (struct ck_rect){portrait ? x : b.x + (b.w - bw) / 2, b.y, bw, bh}
                        : portrait ? (struct ck_rect){x, b.y + bh + gap, bw, bh}
                                   : (struct ck_rect){x + bw + gap, b.y, bw, bh};
    ck_ui_button2(ui, "check", cr, CK_BTN_SECONDARY, check, details ? check_d : NULL);
    b.y = cr.y + bh + ck_ui_px(ui, 32);
    if (note)
        ck_ui_text(ui, (struct ck_rect){b.x, b.y, b.w, h - band_h - b.y}, CK_FONT_SMALL,
                   CK_COL_MUTED, CK_ALIGN_CENTER, privacy);
    if (band)
        language_band(sc, ui, &l, true);
    else
        language_button(sc, ui, &l, true);
    snprintf(sc->heading, sizeof sc->heading, "%s", title);
}

const struct ck_screen ck_scr_welcome = {"welcome", enter, event, draw, NULL};
