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
 *   - High contrast. All of it returns to the defaults for the next resident.
 * UI thread. */
#include <stdio.h>
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
    if (strcmp(in->id, "access:contrast") == 0) {
        ck_theme_set_high_contrast(!ck_theme_high_contrast());
        sc->dirty = true;
        return true;
    }
    if (strcmp(in->id, "access:speech") == 0) {
        bool on = !ck_ui_speech_is_on(ui);
        ck_ui_speech_on(ui, on);
        sc->explore = on; /* speech by touch comes with touch-to-hear */
        sc->said_heading[0] = '\0';
        sc->dirty = true;
        return true;
    }
    if (sc->explore && ck_ui_speech_is_on(ui) && strcmp(in->id, sc->explored) != 0) {
        /* Touch to hear: the first touch says it and puts the focus there. */
        snprintf(sc->explored, sizeof sc->explored, "%s", in->id);
        ck_ui_focus_set(ui, in->id);
        say_target(sc, in->id);
        sc->dirty = true;
        return true;
    }
    sc->explored[0] = '\0';
    return false;
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
    /* Sized to their words (in any language), right to left from the header's end; "on" is
     * the primary style, which stands out on the header. */
    int gap = ck_ui_px(ui, 16), h = header.h - ck_ui_px(ui, 24), pad = ck_ui_px(ui, 56);
    int y = header.y + (header.h - h) / 2;
    int x = header.x + header.w - ck_ui_px(ui, 24);
    const struct {
        const char *id, *label;
        bool on;
    } BUTTONS[] = {
        {"access:speech", T(N_("Speech")), ck_ui_speech_is_on(ui)},
        {"access:contrast", T(N_("High contrast")), ck_theme_high_contrast()},
    };
    for (size_t i = 0; i < sizeof BUTTONS / sizeof BUTTONS[0]; i++) {
        int w = ck_ui_text_width(ui, CK_FONT_BUTTON, BUTTONS[i].label) + pad;
        x -= w;
        ck_ui_button(ui, BUTTONS[i].id, (struct ck_rect){x, y, w, h},
                     BUTTONS[i].on ? CK_BTN_PRIMARY : CK_BTN_SECONDARY, BUTTONS[i].label);
        x -= gap;
    }
    return x;
}

void ck_access_reset(struct ck_screens *sc)
{
    ck_theme_set_high_contrast(false);
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
