/* ui.h: the drawing and input surface that screens use. The only layer that includes SDL.
 *
 * Immediate mode: a screen's draw function lays out and draws every widget each time the frame
 * is redrawn, and each interactive widget registers a stable id ("service:pothole", "next").
 * Input is turned into struct ck_input events (a tap on an id, typed text, a key), so screens
 * never see SDL and a headless script drives exactly what a finger would.
 * Everything here runs on the UI thread only. */
#ifndef CK_UI_H
#define CK_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bitmap.h"
#include "core/err.h"

struct ck_ui;

struct ck_rect {
    int x, y, w, h;
};

enum ck_font {
    CK_FONT_SMALL,   /* hints, counters */
    CK_FONT_BODY,    /* questions, body text */
    CK_FONT_BUTTON,  /* button labels */
    CK_FONT_TITLE,   /* screen titles */
    CK_FONT_HUGE,    /* the receipt code */
    CK_FONT_COUNT
};

enum ck_align { CK_ALIGN_START, CK_ALIGN_CENTER, CK_ALIGN_END };

/* Theme colours; values in theme.c, contrast-checked by tests. */
enum ck_color {
    CK_COL_BG,           /* page background */
    CK_COL_TEXT,         /* body text on BG */
    CK_COL_MUTED,        /* secondary text on BG */
    CK_COL_HEADER,       /* header bar */
    CK_COL_HEADER_TEXT,  /* text on the header bar */
    CK_COL_PRIMARY,      /* primary button */
    CK_COL_PRIMARY_TEXT, /* text on a primary button */
    CK_COL_SURFACE,      /* secondary buttons, fields */
    CK_COL_SURFACE_TEXT, /* text on SURFACE */
    CK_COL_BORDER,       /* outlines of fields and buttons */
    CK_COL_SELECTED,     /* a chosen option */
    CK_COL_SELECTED_TEXT,
    CK_COL_ERROR,        /* error text on BG */
    CK_COL_ERROR_BG,     /* error banner */
    CK_COL_ERROR_BG_TEXT,
    CK_COL_NOTICE_BG,    /* information banner */
    CK_COL_NOTICE_TEXT,
    CK_COL_OVERLAY,      /* dims the page behind a dialog */
    CK_COL_FOCUS,        /* the focus ring */
    CK_COL_WHITE,
    CK_COL_BLACK,
    CK_COL_COUNT
};

enum ck_button_style {
    CK_BTN_PRIMARY,   /* the way forward */
    CK_BTN_SECONDARY, /* back, change, other choices */
    CK_BTN_OPTION,    /* one of several answers, not chosen */
    CK_BTN_CHOSEN,    /* one of several answers, chosen */
    CK_BTN_KEY,       /* a key of an on-screen keyboard */
    CK_BTN_DISABLED,  /* shown but not tappable */
};

enum ck_key {
    CK_KEY_NONE,
    CK_KEY_ENTER,
    CK_KEY_BACKSPACE,
    CK_KEY_ESCAPE,
    CK_KEY_TAB,
    CK_KEY_UP,
    CK_KEY_DOWN,
    CK_KEY_LEFT,
    CK_KEY_RIGHT,
    CK_KEY_SPACE,
    CK_KEY_HELP,
    CK_KEY_VOLUME_UP,   /* speech louder */
    CK_KEY_VOLUME_DOWN, /* speech quieter */
    CK_KEY_STAFF,       /* Ctrl+Alt+S: maintenance mode's PIN pad */
};

enum ck_input_kind {
    CK_IN_TAP,  /* id: the widget that was pressed and released */
    CK_IN_TEXT, /* text: UTF-8 typed on a physical keyboard or by a script */
    CK_IN_KEY,  /* key */
    CK_IN_HOLD, /* id: the widget was held down for CK_HOLD_MS or more, then released */
};

#define CK_HOLD_MS 3000 /* a long press (maintenance mode's hidden corner) */

struct ck_input {
    enum ck_input_kind kind;
    const char *id;   /* CK_IN_TAP, CK_IN_HOLD */
    const char *text; /* CK_IN_TEXT */
    enum ck_key key;  /* CK_IN_KEY */
};

/* How the UI shows itself. */
enum ck_ui_mode { CK_UI_WINDOWED, CK_UI_FULLSCREEN, CK_UI_HEADLESS };

/* Creates the UI: a window (or, headless, an off-screen surface with no video driver at all),
 * the software renderer, and the fonts found through fontconfig. Returns NULL with the reason
 * in err. */
struct ck_ui *ck_ui_new(enum ck_ui_mode mode, int w, int h, char *err, size_t errlen);
void ck_ui_free(struct ck_ui *ui);

/* ---- frame ---- */

/* Starts a frame: clears the widget registry and the list of drawn text, paints the background. */
void ck_ui_begin(struct ck_ui *ui);
/* Ends a frame and shows it (a no-op present when headless). */
void ck_ui_end(struct ck_ui *ui);

int ck_ui_width(const struct ck_ui *ui);
int ck_ui_height(const struct ck_ui *ui);
/* A length in design pixels (at 1080 px on the short side) scaled to this screen. */
int ck_ui_px(const struct ck_ui *ui, int design_px);

/* Large text: the whole layout (text, buttons, spacing) at percent of its normal size, 100 to
 * 200 (the kiosk offers 100, 150 and 200). Every length from ck_ui_px and every font grows, so
 * a screen reflows into the room that leaves and pages what no longer fits. Call it between
 * frames. */
void ck_ui_set_text_size(struct ck_ui *ui, int percent);
int ck_ui_text_size(const struct ck_ui *ui);
/* How many texts drawn since the frame began were cut off: taller than the box they were
 * given (a rect with h > 0, or a button), or partly off the screen. example gets the first. */
size_t ck_ui_overflows(const struct ck_ui *ui, char *example, size_t examplelen);

/* ---- drawing ---- */

void ck_ui_fill(struct ck_ui *ui, struct ck_rect r, enum ck_color c);
void ck_ui_outline(struct ck_ui *ui, struct ck_rect r, enum ck_color c, int thickness);
/* Draws text wrapped to r.w starting at r.y; returns the height used. Long words break. A box
 * with r.h > 0 is the room the text has: needing more counts as cut off (ck_ui_overflows). */
int ck_ui_text(struct ck_ui *ui, struct ck_rect r, enum ck_font f, enum ck_color c,
               enum ck_align align, const char *utf8);
/* Height that ck_ui_text would use, without drawing. */
int ck_ui_text_height(struct ck_ui *ui, enum ck_font f, int width, const char *utf8);
/* Width of one line of text. */
int ck_ui_text_width(struct ck_ui *ui, enum ck_font f, const char *utf8);
/* Height of one line in a font. */
int ck_ui_line_height(struct ck_ui *ui, enum ck_font f);
/* Draws a 1-bit bitmap (a QR code) scaled by an integer factor, centred in r, on white with a
 * quiet zone of `quiet` modules. */
void ck_ui_bitmap(struct ck_ui *ui, struct ck_rect r, const struct ck_bitmap *bm, int quiet);
/* Draws an image file (PNG or SVG) fitted into r, centred; cached by path. */
void ck_ui_image(struct ck_ui *ui, struct ck_rect r, const char *path);

/* ---- widgets ---- */

/* A button: draws it and registers id as a tap target (unless disabled). */
void ck_ui_button(struct ck_ui *ui, const char *id, struct ck_rect r, enum ck_button_style style,
                  const char *label);
/* A button with a second line of smaller text under the label. */
void ck_ui_button2(struct ck_ui *ui, const char *id, struct ck_rect r, enum ck_button_style style,
                   const char *label, const char *detail);
/* The height a button of width w needs to show its label and detail whole. */
int ck_ui_button_height(struct ck_ui *ui, int w, enum ck_button_style style, const char *label,
                        const char *detail);
/* Registers a tap target without drawing anything. An id starting "hidden:" is left out of
 * keypad focus (maintenance mode's long-press corner). */
void ck_ui_target(struct ck_ui *ui, const char *id, struct ck_rect r);
/* A text field showing value (or the placeholder in muted colour when empty) with a caret. */
void ck_ui_field(struct ck_ui *ui, const char *id, struct ck_rect r, const char *value,
                 const char *placeholder, bool multiline, bool error);

/* ---- input ---- */

/* Waits for input for at most timeout_ms (-1: forever). Returns true and fills *in when there
 * is an input for the screen; false on timeout or when the event was consumed (a press, a
 * window change). *quit is set when the window was closed. Strings in *in stay valid until the
 * next call. */
bool ck_ui_wait(struct ck_ui *ui, int timeout_ms, struct ck_input *in, bool *quit);
/* True if the last drawn frame registered a target with this id; its rect in *r. */
bool ck_ui_find(const struct ck_ui *ui, const char *id, struct ck_rect *r);
/* Calls fn with every registered target id of the last frame (for error messages and tests). */
void ck_ui_each_target(const struct ck_ui *ui, void (*fn)(const char *id, struct ck_rect r, void *),
                       void *ctx);
/* True if some text drawn in the last frame contains needle. */
bool ck_ui_frame_has_text(const struct ck_ui *ui, const char *needle);
/* Set when something changed the window (expose, resize); the app redraws. */
bool ck_ui_take_damage(struct ck_ui *ui);

/* ---- output ---- */

/* Writes the last frame as a PNG. */
enum ck_err ck_ui_screenshot(struct ck_ui *ui, const char *path, char *err, size_t errlen);

/* Posts a wake-up to the UI thread from any thread (a worker has news). */
void ck_ui_wake(void);

/* ---- keypad focus (focus.c) ---- */

/* Gives the target registered last the words speech uses for it (label, then detail). */
void ck_ui_label(struct ck_ui *ui, const char *label, const char *detail);
const char *ck_ui_target_label(const struct ck_ui *ui, const char *id);
/* Shows or hides the focus ring (shown once someone uses the keypad). */
void ck_ui_focus_show(struct ck_ui *ui, bool on);
bool ck_ui_focus_shown(const struct ck_ui *ui);
/* The focused target's id, if it is on the last frame; NULL otherwise. */
const char *ck_ui_focused(const struct ck_ui *ui);
void ck_ui_focus_set(struct ck_ui *ui, const char *id);
/* Moves the focus by step targets in drawing order (wrapping); returns the new id or NULL. */
const char *ck_ui_focus_move(struct ck_ui *ui, int step);

/* ---- speech (speech.c): espeak-ng, offline, in the session's language ---- */

/* Speaks text in lang ("en", "ar", ...). interrupt: stop what is being said first. Nothing
 * happens while speech is off. With CK_SPEECH_SINK=FILE set, each utterance is appended to
 * FILE as "lang<TAB>text" instead of being heard (for tests). */
void ck_ui_say(struct ck_ui *ui, const char *lang, const char *text, bool interrupt);
void ck_ui_speech_on(struct ck_ui *ui, bool on);
bool ck_ui_speech_is_on(const struct ck_ui *ui);
/* Stops speaking now; pause/resume; says the last utterance again. */
void ck_ui_speech_stop(struct ck_ui *ui);
void ck_ui_speech_pause(struct ck_ui *ui, bool paused);
void ck_ui_speech_repeat(struct ck_ui *ui);
/* Volume 0..100 (the default, 70, for each new resident). */
void ck_ui_speech_volume(struct ck_ui *ui, int volume);
int ck_ui_speech_get_volume(const struct ck_ui *ui);

/* High contrast: the whole UI switches to a white-on-black palette with every text pair at
 * 7:1 or more (theme.c). Takes effect on the next frame. */
void ck_theme_set_high_contrast(bool on);
bool ck_theme_high_contrast(void);
/* The city's colours ("#RRGGBB", or ""/NULL for the built-in ones) for the header and the
 * primary buttons; a colour on which white text would not reach 4.5:1 is ignored. */
void ck_theme_set_brand(const char *header, const char *primary);

/* Receipts: utf8 set in the screen's fonts at `px` pixels (bold or not), wrapped to `width`,
 * into a new 1-bit image of that width (out->px allocated; 1 = ink). Centred lines or not. */
enum ck_err ck_ui_raster_text(struct ck_ui *ui, int px, bool bold, bool center, const char *utf8,
                              int width, struct ck_bitmap *out);
/* A picture file (PNG, SVG drawn at the size needed) scaled to fit max_w x max_h, as 1-bit. */
enum ck_err ck_ui_raster_image(struct ck_ui *ui, const char *path, int max_w, int max_h,
                               struct ck_bitmap *out);

/* ---- languages, scripts and direction (text.c) ---- */

/* Sets the language the UI is shown in ("en", "es", "zh-hant", "ru", "bn", "ht", "ko", "ar",
 * "ur", "fr", "pl"; any BCP 47 code): paragraph direction (right to left for ar, ur, fa, he...)
 * and font preferences (Nastaliq for Urdu; CJK TC, SC or KR for Han and Hangul). A line whose
 * letters all run the other way (a Latin address alone in Arabic) keeps its own order. In a
 * right-to-left language the layout mirrors: every drawing primitive and tap target maps a
 * rect's x to width - x - r.w, CK_ALIGN_START is the right edge and CK_ALIGN_END the left, and
 * a field's caret follows the text; screens keep laying out as for left to right. Text still
 * has to be translated. Receipts follow it too (ck_ui_raster_text: lines not centred go to
 * the right edge in a right-to-left language). The default is "en". Call it before drawing
 * a frame (it changes line heights), not in the middle of one. */
void ck_ui_set_language(struct ck_ui *ui, const char *lang);
/* True if the language set runs right to left. */
bool ck_ui_rtl(const struct ck_ui *ui);
/* The language set (lower case), "en" by default. */
const char *ck_ui_language(const struct ck_ui *ui);
/* Maps a rect between layout coordinates (what screens pass to drawing functions) and screen
 * coordinates (what ck_ui_find and ck_ui_each_target give back): the identity left to right,
 * the mirror image right to left. It is its own inverse. */
struct ck_rect ck_ui_mirror(const struct ck_ui *ui, struct ck_rect r);
/* Wraps s in U+2068 FIRST STRONG ISOLATE ... U+2069 POP DIRECTIONAL ISOLATE into buf and
 * returns buf (strlen(s) + 7 bytes hold it all; s is cut at a code point if buf is short).
 * Put every receipt code, number, address, phone number, e-mail or URL that goes into a
 * translated sentence through it: "R7Q-W2B-THPM" and "120 Main Street" then read left to
 * right, in place, inside Arabic and Urdu, and the sentence is not reordered around them.
 * The isolate marks are invisible and never drawn. Any thread. */
const char *ck_ui_isolate(char *buf, size_t buflen, const char *s);
/* How many code points drawn since the frame began (ck_ui_begin), or set on a receipt since,
 * had no glyph in any font (private-use and unassigned code points included): a tofu box on
 * screen. example gets the first as "U+XXXX in \"...\"" (empty when none). */
size_t ck_ui_missing_glyphs(const struct ck_ui *ui, char *example, size_t examplelen);

/* ---- input methods (ime.c): Korean (libhangul, dubeolsik) and Chinese (libchewing, zhuyin) ---- */

struct ck_ime;
/* The input method a language types through: "ko" composes jamo into syllables, "zh-hant"
 * (any "zh") converts zhuyin to characters. NULL for languages typed letter by letter, or when
 * the engine cannot start (logged). Learns nothing on disk; free it when the session is wiped,
 * so nothing one resident typed reaches the next. */
struct ck_ime *ck_ime_new(const char *lang);
void ck_ime_free(struct ck_ime *ime);
/* Hands one key to the input method: a character (a jamo, a zhuyin symbol or tone mark, or any
 * other character) or "backspace", "space", "enter". Fills commit with text that is finished
 * (append it to the field first, whatever this returns) and preedit with the composition as it
 * now stands (show it after the committed text). Returns true when the key was used up; false
 * when the caller must still apply the key itself (type the character, delete a character,
 * type a space or a new line), after the commit. */
bool ck_ime_key(struct ck_ime *ime, const char *key, char *commit, size_t commitlen,
                char *preedit, size_t preeditlen);
/* True while something is being composed (a preedit shows). */
bool ck_ime_composing(const struct ck_ime *ime);
/* The conversion candidates for what was composed last (Chinese; none for Korean): how many,
 * and the i-th (0-based; valid until the next call that changes the composition). */
size_t ck_ime_candidates(const struct ck_ime *ime);
const char *ck_ime_candidate(const struct ck_ime *ime, size_t i);
/* Chooses candidate i and commits the whole composition with it (commit/preedit as for
 * ck_ime_key). False if there is no such candidate (what was composed is committed anyway). */
bool ck_ime_choose(struct ck_ime *ime, size_t i, char *commit, size_t commitlen, char *preedit,
                   size_t preeditlen);
/* Drops the composition and the candidates; the next key starts afresh. */
void ck_ime_reset(struct ck_ime *ime);

#endif
