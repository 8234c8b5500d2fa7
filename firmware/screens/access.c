/* access.c: using the kiosk without seeing the screen well or without touching it.
 *
 *   - Keypad (EZ Access-style up, down, select, back, help, or any USB keypad): up/left and
 *     down/right move a visible focus ring through every target of the screen, Enter selects,
 *     Escape goes back, Help speaks where you are and tells staff. Touching a key turns speech
 *     on, as on EZ Access kiosks.
 *   - Speech (espeak-ng): each new screen says its title and how to go on; each focus move says
 *     what is focused; each error is said. What the resident typed into a field is never said
 *     aloud (only how many characters it holds): contact details and codes stay private.
 *   - Touch to hear: a first touch says what is under the finger, a second one acts.
 *   - Large text (150% and 200%: the layout reflows) and high contrast. All of it returns to the defaults for the next resident.
 * UI thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/utf8.h"
#include "screens/screen_int.h"
#include "store/outbox.h"

static void say(struct ck_screens *sc, const char *text, bool interrupt)
{
    ck_ui_say(sc->ui, sc->session.lang, text, interrupt);
}

/* What speech says for a focused target: its label, but for a field only how full it is. */
static void say_target(struct ck_screens *sc, const char *id)
{
    if (!id)
        return;
    if (strncmp(id, "field:", 6) == 0) {
        size_t n = 0;
        for (size_t i = 0; i < sc->session.nfields; i++)
            if (i == sc->session.step)
                n = ck_utf8_count(ck_buf_str(&sc->session.fields[i].value));
        if (sc->cur == SCR_CHECK)
            n = ck_utf8_count(ck_buf_str(&sc->session.check_code));
        char line[160];
        if (n)
            snprintf(line, sizeof line, T(N_("Text field, %zu characters typed.")), n);
        else
            snprintf(line, sizeof line, "%s", T(N_("Text field, empty.")));
        say(sc, line, true);
        return;
    }
    const char *label = ck_ui_target_label(sc->ui, id);
    if (label && *label)
        say(sc, label, true);
}

static bool panel_input(struct ck_screens *sc, const char *id);

static void speak_here(struct ck_screens *sc)
{
    char line[800];
    size_t n = strlen(sc->heading);
    bool stop = n && strchr(".?!:。？！؟।", sc->heading[n - 1]); /* ASCII ends; others vary */
    snprintf(line, sizeof line, "%s%s %s", sc->heading, stop ? "" : ".",
             T(N_("Use the up and down keys to move, and Select to choose. Press Help at any time.")));
    say(sc, line, true);
}

bool ck_access_input(struct ck_screens *sc, const struct ck_input *in)
{
    struct ck_ui *ui = sc->ui;
    if (in->kind == CK_IN_KEY) {
        int step = in->key == CK_KEY_UP || in->key == CK_KEY_LEFT     ? -1
                   : in->key == CK_KEY_DOWN || in->key == CK_KEY_RIGHT ? 1
                                                                       : 0;
        if (step || in->key == CK_KEY_HELP) {
            if (!ck_ui_speech_is_on(ui)) {
                ck_ui_speech_on(ui, true);
                sc->said_heading[0] = '\0';
            }
            ck_ui_focus_show(ui, true);
            sc->dirty = true;
        }
        if (step) {
            say_target(sc, ck_ui_focus_move(ui, step));
            return true;
        }
        if (in->key == CK_KEY_VOLUME_UP || in->key == CK_KEY_VOLUME_DOWN) {
            ck_access_volume(sc, in->key == CK_KEY_VOLUME_UP ? 10 : -10);
            return true;
        }
        if (in->key == CK_KEY_HELP) {
            /* Help: where am I, what can I do, and a person is on the way. */
            ck_store_note(sc->store, "help", "a resident pressed Help");
            ck_warn("access", "a resident pressed Help: staff are asked to come");
            speak_here(sc);
            say(sc, T(N_("Staff have been asked to help you.")), false);
            return true;
        }
        if (in->key == CK_KEY_ENTER && ck_ui_focus_shown(ui)) {
            const char *id = ck_ui_focused(ui);
            if (id && strncmp(id, "field:", 6) != 0) {
                char copy[96];
                snprintf(copy, sizeof copy, "%s", id);
                struct ck_input tap = {.kind = CK_IN_TAP, .id = copy};
                sc->explore = false; /* a keypad select acts at once */
                ck_screens_input(sc, &tap);
                return true;
            }
        }
        return false;
    }
    if (in->kind != CK_IN_TAP)
        return false;
    /* Speech off by the same button that turned it on, without a touch to hear it first. */
    if (strcmp(in->id, "access:speech") == 0 && ck_ui_speech_is_on(ui))
        return panel_input(sc, in->id);
    if (sc->explore && ck_ui_speech_is_on(ui) && strcmp(in->id, sc->explored) != 0) {
        /* Touch to hear: the first touch says it and puts the focus there. */
        snprintf(sc->explored, sizeof sc->explored, "%s", in->id);
        ck_ui_focus_set(ui, in->id);
        say_target(sc, in->id);
        sc->dirty = true;
        return true;
    }
    sc->explored[0] = '\0';
    return panel_input(sc, in->id);
}

void ck_access_after_draw(struct ck_screens *sc)
{
    if (!ck_ui_speech_is_on(sc->ui))
        return;
    if (strcmp(sc->heading, sc->said_heading) != 0) {
        snprintf(sc->said_heading, sizeof sc->said_heading, "%s", sc->heading);
        sc->said_error = NULL;
        ck_ui_focus_set(sc->ui, NULL); /* a new screen: the first Down goes to its first item */
        speak_here(sc);
    }
    if (sc->session.error && sc->session.error != sc->said_error) {
        sc->said_error = sc->session.error;
        say(sc, T(sc->session.error), false);
    }
    if (!sc->session.error)
        sc->said_error = NULL;
}

int ck_access_buttons(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect header)
{
    /* One button, sized to its word in any language, at the header's end; the primary style
     * (which stands out on the header) while any setting differs from the default. */
    int h = header.h - ck_ui_px(ui, 12);
    int y = header.y + (header.h - h) / 2;
    int end = header.x + header.w - ck_ui_px(ui, 24) * 100 / ck_ui_text_size(ui);
    if (sc->cur == SCR_STAFF || sc->cur == SCR_STAFF_PIN)
        return end; /* maintenance mode is not the residents' */
    const char *label = T(N_("Accessibility"));
    int w = ck_ui_text_width(ui, CK_FONT_BUTTON, label) + ck_ui_px(ui, 56);
    if (w > header.w / 2) /* a long word at a large size: the small font, still whole */
        w = ck_ui_text_width(ui, CK_FONT_SMALL, label) + ck_ui_px(ui, 56);
    bool changed = ck_ui_speech_is_on(ui) || ck_theme_high_contrast() || ck_ui_text_size(ui) > 100;
    ck_ui_button(ui, "access", (struct ck_rect){end - w, y, w, h},
                 changed || sc->dialog == DLG_ACCESS ? CK_BTN_PRIMARY : CK_BTN_SECONDARY, label);
    return end - w;
}

/* ---- the accessibility panel (a dialog over the page) ---- */

struct panel_item {
    const char *id, *label, *detail;
    bool chosen;
};

/* A row of buttons sharing the width, or, when a word of a label would not fit its share, a
 * column of them; returns the height it took. */
static int panel_row(struct ck_ui *ui, struct ck_rect r, const struct panel_item *it, int n,
                     bool draw)
{
    int gap = ck_ui_px(ui, 16), w = (r.w - (n - 1) * gap) / n;
    bool column = false;
    for (int i = 0; i < n; i++)
        if (ck_ui_text_width(ui, CK_FONT_SMALL, it[i].label) > w - 2 * ck_ui_px(ui, 28))
            column = true;
    if (column)
        w = r.w;
    int h = ck_ui_px(ui, 88) * 100 / ck_ui_text_size(ui);
    for (int i = 0; i < n; i++) {
        int need = ck_ui_button_height(ui, w, CK_BTN_OPTION, it[i].label, it[i].detail);
        h = need > h ? need : h;
    }
    for (int i = 0; draw && i < n; i++) {
        struct ck_rect c = column ? (struct ck_rect){r.x, r.y + i * (h + gap), w, h}
                                  : (struct ck_rect){r.x + i * (w + gap), r.y, w, h};
        ck_ui_button2(ui, it[i].id, c, it[i].chosen ? CK_BTN_CHOSEN : CK_BTN_OPTION, it[i].label,
                      it[i].detail);
    }
    return column ? n * h + (n - 1) * gap : h;
}

/* Lays the panel out in box (draw false: only measures); returns the height it needs. In two
 * columns (text size beside contrast, speech and volume) when one is too tall for the screen
 * and the box is wide enough. */
static int panel_layout(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect box, bool two,
                        int chosen, bool draw)
{
    int pad = ck_ui_px(ui, 32) * 100 / ck_ui_text_size(ui), gap = ck_ui_px(ui, 20);
    struct ck_rect r = {box.x + pad, box.y + pad, box.w - 2 * pad, 0};
    int size = ck_ui_text_size(ui);
    const char *title = T(N_("Accessibility"));
    if (draw)
        ck_ui_text(ui, r, CK_FONT_TITLE, CK_COL_TEXT, CK_ALIGN_START, title);
    r.y += ck_ui_text_height(ui, CK_FONT_TITLE, r.w, title) + gap;
    struct ck_rect c1 = r, c2 = r;
    if (two) {
        c1.w = c2.w = (r.w - 2 * gap) / 2;
        c2.x = r.x + c1.w + 2 * gap;
    }

    const char *ts = T(N_("Text size"));
    if (draw)
        ck_ui_text(ui, c1, CK_FONT_BODY, CK_COL_TEXT, CK_ALIGN_START, ts);
    c1.y += ck_ui_text_height(ui, CK_FONT_BODY, c1.w, ts) + gap / 2;
    const struct panel_item sizes[] = {
        {"access:text-100", T(N_("Standard")), NULL, chosen == 100},
        {"access:text-150", T(N_("Large")), NULL, chosen == 150},
        {"access:text-200", T(N_("Largest")), NULL, chosen == 200},
    };
    c1.y += panel_row(ui, c1, sizes, 3, draw) + gap;
    if (!two)
        c2.y = c1.y;

    const char *on = T(N_("On")), *off = T(N_("Off"));
    bool speech = ck_ui_speech_is_on(ui), hc = ck_theme_high_contrast();
    char vol[96];
    snprintf(vol, sizeof vol, T(N_("Volume %d%%")), ck_ui_speech_get_volume(ui));
    const struct panel_item toggles[] = {
        {"access:contrast", T(N_("High contrast")), hc ? on : off, hc},
        {"access:speech", T(N_("Speech")), speech ? on : off, speech},
    };
    c2.y += panel_row(ui, c2, toggles, 2, draw) + gap;
    if (draw)
        ck_ui_text(ui, c2, CK_FONT_SMALL, CK_COL_TEXT, CK_ALIGN_START, vol);
    c2.y += ck_ui_text_height(ui, CK_FONT_SMALL, c2.w, vol) + gap / 2;
    const struct panel_item volume[] = {
        {"access:volume-down", T(N_("Quieter")), NULL, false},
        {"access:volume-up", T(N_("Louder")), NULL, false},
    };
    c2.y += panel_row(ui, c2, volume, 2, draw) + gap;

    /* Done: under the text sizes in two columns, at the end otherwise. */
    struct ck_rect *dc = two ? &c1 : &c2;
    const char *done = T(N_("Done"));
    int dw = two ? dc->w : r.w / 2;
    if (ck_ui_text_width(ui, CK_FONT_BUTTON, done) > dw - 2 * ck_ui_px(ui, 28))
        dw = r.w;
    int bh = ck_ui_button_height(ui, dw, CK_BTN_PRIMARY, done, NULL);
    if (bh < ck_ui_px(ui, 88) * 100 / size)
        bh = ck_ui_px(ui, 88) * 100 / size;
    if (draw)
        ck_ui_button(ui, "access:close", (struct ck_rect){dc->x + dc->w - dw, dc->y, dw, bh},
                     CK_BTN_PRIMARY, done);
    dc->y += bh + gap;
    r.y = (c1.y > c2.y ? c1.y : c2.y) - gap + pad;
    return r.y - box.y;
}

void ck_access_panel_draw(struct ck_screens *sc, struct ck_ui *ui)
{
    int w = ck_ui_width(ui), h = ck_ui_height(ui);
    /* At the resident's text size if the panel fits the screen there (in one column, or two
     * on a wide screen); else at the largest size that fits: it is where the size is chosen,
     * so it must always be whole. */
    int chosen = ck_ui_text_size(ui), size = chosen, need = 0;
    bool two = false;
    struct ck_rect box;
    for (;;) {
        ck_ui_set_text_size(ui, size);
        int margin = ck_ui_px(ui, 40) * 100 / size;
        int bw = w - 2 * margin;
        if (bw > ck_ui_px(ui, 1100))
            bw = ck_ui_px(ui, 1100);
        box = (struct ck_rect){(w - bw) / 2, 0, bw, h};
        two = false;
        need = panel_layout(sc, ui, box, false, chosen, false);
        if (need > h && w > h) { /* too tall: two columns across the whole width */
            box.x = 0, box.w = w;
            two = true;
            need = panel_layout(sc, ui, box, true, chosen, false);
        }
        if (need <= h || size == 100)
            break;
        size = size > 150 ? 150 : 100;
    }
    int margin = ck_ui_px(ui, 40) * 100 / size;
    box.h = need < h - 2 * margin ? need : h;
    box.y = (h - box.h) / 2;
    ck_ui_fill(ui, box, CK_COL_SURFACE);
    ck_ui_outline(ui, box, CK_COL_BORDER, ck_ui_px(ui, 3));
    panel_layout(sc, ui, box, two, chosen, true);
    ck_ui_set_text_size(ui, chosen);
    snprintf(sc->heading, sizeof sc->heading, "%s", T(N_("Accessibility")));
}

/* The panel's buttons; true when in was one of them. */
static bool panel_input(struct ck_screens *sc, const char *id)
{
    struct ck_ui *ui = sc->ui;
    if (strcmp(id, "access") == 0) {
        sc->dialog = sc->dialog == DLG_ACCESS ? DLG_NONE : DLG_ACCESS;
    } else if (strcmp(id, "access:close") == 0) {
        sc->dialog = DLG_NONE;
    } else if (strncmp(id, "access:text-", 12) == 0) {
        ck_ui_set_text_size(ui, atoi(id + 12));
        sc->session.page = 0; /* what a page holds changed */
    } else if (strcmp(id, "access:contrast") == 0) {
        ck_theme_set_high_contrast(!ck_theme_high_contrast());
    } else if (strcmp(id, "access:speech") == 0) {
        bool on = !ck_ui_speech_is_on(ui);
        ck_ui_speech_on(ui, on);
        sc->explore = on; /* speech by touch comes with touch-to-hear */
        sc->said_heading[0] = '\0';
    } else if (strcmp(id, "access:volume-down") == 0 || strcmp(id, "access:volume-up") == 0) {
        return ck_access_volume(sc, id[14] == 'u' ? 10 : -10), true;
    } else {
        return false;
    }
    sc->dirty = true;
    return true;
}

void ck_access_volume(struct ck_screens *sc, int step)
{
    int v = ck_ui_speech_get_volume(sc->ui) + step;
    ck_ui_speech_volume(sc->ui, v < 10 ? 10 : v > 100 ? 100 : v);
    char line[96];
    snprintf(line, sizeof line, T(N_("Volume %d%%")), ck_ui_speech_get_volume(sc->ui));
    say(sc, line, true);
    sc->dirty = true;
}

void ck_access_reset(struct ck_screens *sc)
{
    ck_theme_set_high_contrast(false);
    ck_ui_set_text_size(sc->ui, 100);
    ck_ui_speech_stop(sc->ui);
    ck_ui_speech_on(sc->ui, false);
    ck_ui_speech_volume(sc->ui, 70);
    ck_ui_focus_show(sc->ui, false);
    ck_ui_focus_set(sc->ui, NULL);
    sc->explore = false;
    sc->explored[0] = '\0';
    sc->said_heading[0] = '\0';
    sc->said_error = NULL;
}
