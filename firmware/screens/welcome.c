/* welcome.c: the first screen: the city, the two things a resident can do, the languages. */
#include <stdio.h>
#include <string.h>

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
    if (in->kind != CK_IN_TAP)
        return;
    if (strcmp(in->id, "report") == 0)
        ck_nav_go(sc, SCR_SERVICES);
    else if (strcmp(in->id, "check") == 0)
        ck_nav_go(sc, SCR_CHECK);
}

static void draw(struct ck_screens *sc, struct ck_ui *ui)
{
    struct ck_layout l = ck_chrome(sc, ui, NULL);
    int w = ck_ui_width(ui), h = ck_ui_height(ui);
    bool portrait = h > w;
    struct ck_rect b = l.body;
    b.y += ck_ui_px(ui, portrait ? 80 : 24);
    if (sc->cfg->logo_path) {
        int logo = ck_ui_px(ui, portrait ? 260 : 170);
        ck_ui_image(ui, (struct ck_rect){b.x, b.y, b.w, logo}, sc->cfg->logo_path);
        b.y += logo + ck_ui_px(ui, 24);
    }
    b.y += ck_ui_text(ui, (struct ck_rect){b.x, b.y, b.w, 0}, CK_FONT_TITLE, CK_COL_TEXT,
                      CK_ALIGN_CENTER, T(N_("How can we help you today?")));
    b.y += ck_ui_px(ui, portrait ? 60 : 36);

    int bh = ck_ui_px(ui, portrait ? 220 : 190), gap = ck_ui_px(ui, 40);
    int bw = portrait ? b.w : (b.w - gap) / 2;
    if (!portrait && bw > ck_ui_px(ui, 760))
        bw = ck_ui_px(ui, 760);
    int x = portrait ? b.x : b.x + (b.w - 2 * bw - gap) / 2;
    ck_ui_button2(ui, "report", (struct ck_rect){x, b.y, bw, bh}, CK_BTN_PRIMARY,
                  T(N_("Report a problem")),
                  T(N_("A pothole, a broken streetlight, missed trash and more")));
    struct ck_rect check = portrait ? (struct ck_rect){x, b.y + bh + gap, bw, bh}
                                    : (struct ck_rect){x + bw + gap, b.y, bw, bh};
    ck_ui_button2(ui, "check", check, CK_BTN_SECONDARY, T(N_("Check a request")),
                  T(N_("Use the code on your receipt")));
    b.y = check.y + bh + ck_ui_px(ui, 32);

    char privacy[256];
    snprintf(privacy, sizeof privacy,
             T(N_("For your privacy, this kiosk clears what you typed after %d seconds without a touch.")),
             sc->cfg->idle_seconds);
    ck_ui_text(ui, (struct ck_rect){b.x, b.y, b.w, 0}, CK_FONT_SMALL, CK_COL_MUTED,
               CK_ALIGN_CENTER, privacy);

    /* The language picker: endonyms in a band at the bottom, in rows of up to six (four in
     * portrait), so eleven languages fit with targets well over 44 px. */
    int n = (int)sc->i18n->nlangs;
    int per_row = portrait ? 4 : 6;
    int rows = (n + per_row - 1) / per_row;
    int lgap = ck_ui_px(ui, 20), lh = ck_ui_px(ui, 96);
    int band_h = rows * lh + (rows + 1) * lgap;
    struct ck_rect f = {0, h - band_h, w, band_h};
    ck_ui_fill(ui, f, CK_COL_NOTICE_BG);
    int cols = n < per_row ? n : per_row;
    int lw = (f.w - 2 * l.pad - (cols - 1) * lgap) / (cols ? cols : 1);
    if (lw > ck_ui_px(ui, 360))
        lw = ck_ui_px(ui, 360);
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
    snprintf(sc->heading, sizeof sc->heading, "%s", T(N_("How can we help you today?")));
}

const struct ck_screen ck_scr_welcome = {"welcome", enter, event, draw, NULL};
