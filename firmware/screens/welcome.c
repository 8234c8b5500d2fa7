/* welcome.c: the first screen: the city, the two things a resident can do, the languages. */
#include <stdio.h>
#include <string.h>

#include "screens/screen_int.h"

/* Each language's own name for itself. */
static const struct {
    const char *code, *endonym;
} ENDONYMS[] = {
    {"en", "English"},   {"es", "Español"},  {"zh", "中文"},    {"ru", "Русский"},
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

    /* The language picker: endonyms, always on the welcome screen's footer area. */
    struct ck_rect f = l.footer;
    ck_ui_fill(ui, f, CK_COL_NOTICE_BG);
    int n = (int)sc->i18n->nlangs;
    int lgap = ck_ui_px(ui, 20);
    int lh = f.h - ck_ui_px(ui, 36);
    int lw = (f.w - 2 * l.pad - (n - 1) * lgap) / (n ? n : 1);
    if (lw > ck_ui_px(ui, 360))
        lw = ck_ui_px(ui, 360);
    int lx = (f.w - n * lw - (n - 1) * lgap) / 2;
    for (int i = 0; i < n; i++) {
        const char *code = sc->i18n->langs[i];
        char id[32];
        snprintf(id, sizeof id, "lang:%s", code);
        ck_ui_button(ui, id, (struct ck_rect){lx + i * (lw + lgap), f.y + (f.h - lh) / 2, lw, lh},
                     strcmp(code, sc->session.lang) == 0 ? CK_BTN_CHOSEN : CK_BTN_OPTION,
                     endonym(code));
    }
}

const struct ck_screen ck_scr_welcome = {"welcome", enter, event, draw, NULL};
