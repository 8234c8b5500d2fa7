/* keyboard.c: on-screen keyboards for text, numbers and receipt codes. Each key is a tap
 * target "key:<character>" or "key:<name>" (shift, backspace, space, enter, symbols, letters,
 * accents). Physical keyboards and scripts type through the same edit path. UI thread only. */
#include <stdio.h>
#include <string.h>

#include "core/utf8.h"
#include "screens/screen_int.h"

/* Rows of character keys, space-separated. Letters are lower case; shift upper-cases them. */
static const char *const LETTERS_EN[] = {"1 2 3 4 5 6 7 8 9 0", "q w e r t y u i o p",
                                         "a s d f g h j k l '", "z x c v b n m , ."};
static const char *const LETTERS_ES[] = {"1 2 3 4 5 6 7 8 9 0", "q w e r t y u i o p",
                                         "a s d f g h j k l ñ", "z x c v b n m , ."};
static const char *const SYMBOLS[] = {"1 2 3 4 5 6 7 8 9 0", "@ # $ % & * ( ) / ?",
                                      "- _ + = : ; \" ! ' ,", "< > [ ] { } ~ . °"};
static const char *const ACCENTS[] = {"á é í ó ú ü ñ ç", "à è ì ò ù â ê ô", "ä ë ï ö ¿ ¡ « »",
                                      "ą ę ł ń ś ź ż ć"};
static const char *const CODE_ROWS[] = {"1 2 3 4 5 6 7 8 9 0", "Q W E R T Y U I O P",
                                        "A S D F G H J K L", "Z X C V B N M"};
static const char *const NUMBER_ROWS[] = {"1 2 3", "4 5 6", "7 8 9", "- 0 ."};

static const char *const *letter_rows(const struct ck_screens *sc)
{
    return strcmp(sc->session.lang, "es") == 0 ? LETTERS_ES : LETTERS_EN;
}

/* Upper-cases one UTF-8 character for the shifted keyboard (Latin-1 and Latin Extended-A). */
static void upper(const char *in, char *out, size_t outlen)
{
    uint32_t cp;
    size_t n = ck_utf8_decode(in, strlen(in), &cp);
    if (cp >= 'a' && cp <= 'z')
        cp -= 32;
    else if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7)
        cp -= 32;
    else if (cp >= 0x100 && cp <= 0x17F && (cp & 1) && cp != 0x131 && cp != 0x149)
        cp -= 1; /* Latin Extended-A pairs: odd is lower case */
    else if (cp >= 0x100 && cp <= 0x17F && !(cp & 1) && (cp == 0x142 || cp == 0x144 || cp == 0x17A || cp == 0x17C || cp == 0x15B))
        cp -= 1;
    else {
        snprintf(out, outlen, "%.*s", (int)n, in);
        return;
    }
    if (cp < 0x80)
        snprintf(out, outlen, "%c", (char)cp);
    else
        snprintf(out, outlen, "%c%c", (char)(0xC0 | (cp >> 6)), (char)(0x80 | (cp & 0x3F)));
}

static void key(struct ck_screens *sc, struct ck_ui *ui, const char *name, const char *label,
                struct ck_rect r, bool chosen)
{
    (void)sc;
    char id[64];
    snprintf(id, sizeof id, "key:%s", name);
    ck_ui_button(ui, id, r, chosen ? CK_BTN_CHOSEN : CK_BTN_KEY, label);
}

/* Draws one row of character keys centred in r, with `slots` key widths available. */
static void char_row(struct ck_screens *sc, struct ck_ui *ui, const char *row, struct ck_rect r,
                     int key_w, int gap, bool shift)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", row);
    int n = 1;
    for (const char *p = buf; *p; p++)
        n += *p == ' ';
    int x = r.x + (r.w - n * key_w - (n - 1) * gap) / 2;
    char *save = NULL;
    for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char label[8];
        if (shift)
            upper(tok, label, sizeof label);
        else
            snprintf(label, sizeof label, "%s", tok);
        key(sc, ui, tok, label, (struct ck_rect){x, r.y, key_w, r.h}, false);
        x += key_w + gap;
    }
}

void ck_keyboard_draw(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect r, enum kb_kind kind,
                      bool multiline)
{
    int gap = ck_ui_px(ui, 10);
    int rows = kind == KB_NUMBER ? 4 : 5;
    int kh = (r.h - (rows - 1) * gap) / rows;
    if (kind == KB_NUMBER) {
        int kw = (r.w > ck_ui_px(ui, 900) ? ck_ui_px(ui, 900) : r.w) / 4 - gap;
        int x0 = r.x + (r.w - 4 * kw - 3 * gap) / 2;
        for (int i = 0; i < 4; i++) {
            struct ck_rect rr = {x0, r.y + i * (kh + gap), 3 * kw + 2 * gap, kh};
            char_row(sc, ui, NUMBER_ROWS[i], rr, kw, gap, false);
        }
        key(sc, ui, "backspace", T(N_("Delete")),
            (struct ck_rect){x0 + 3 * (kw + gap), r.y, kw, 2 * kh + gap}, false);
        return;
    }
    const char *const *rowset = kind == KB_CODE                 ? CODE_ROWS
                                : sc->session.kb == KB_SYMBOLS ? SYMBOLS
                                : sc->session.kb == KB_ACCENTS ? ACCENTS
                                                               : letter_rows(sc);
    /* Row 4 is the widest: shift, up to 9 keys and delete, the two wide keys 1.5 keys each. */
    int kw = (r.w - 10 * gap) / 12;
    for (int i = 0; i < 4; i++) {
        struct ck_rect rr = {r.x, r.y + i * (kh + gap), r.w, kh};
        if (i == 3) { /* shift and delete flank the last row */
            int wide = kw * 3 / 2;
            if (kind != KB_CODE)
                key(sc, ui, "shift", sc->session.shift ? "abc" : "ABC",
                    (struct ck_rect){r.x, rr.y, wide, kh}, sc->session.shift);
            key(sc, ui, "backspace", T(N_("Delete")),
                (struct ck_rect){r.x + r.w - wide, rr.y, wide, kh}, false);
            rr.x += wide + gap;
            rr.w -= 2 * (wide + gap);
        }
        char_row(sc, ui, rowset[i], rr, kw, gap,
                 kind == KB_TEXT && sc->session.shift && sc->session.kb != KB_SYMBOLS);
    }
    int y = r.y + 4 * (kh + gap);
    int side = kw * 2 + gap;
    if (kind == KB_CODE) {
        key(sc, ui, "-", "-", (struct ck_rect){r.x + r.w - side, y, side, kh}, false);
        return;
    }
    key(sc, ui, sc->session.kb == KB_SYMBOLS ? "letters" : "symbols",
        sc->session.kb == KB_SYMBOLS ? "abc" : "?123", (struct ck_rect){r.x, y, side, kh}, false);
    key(sc, ui, sc->session.kb == KB_ACCENTS ? "letters" : "accents",
        sc->session.kb == KB_ACCENTS ? "abc" : "áéñ",
        (struct ck_rect){r.x + side + gap, y, side, kh}, false);
    key(sc, ui, "@", "@", (struct ck_rect){r.x + 2 * (side + gap), y, kw, kh}, false);
    int space_x = r.x + 2 * (side + gap) + kw + gap;
    int enter_w = multiline ? side : 0;
    int space_w = r.x + r.w - space_x - (enter_w ? enter_w + gap : 0);
    key(sc, ui, "space", T(N_("Space")), (struct ck_rect){space_x, y, space_w, kh}, false);
    if (multiline)
        key(sc, ui, "enter", T(N_("New line")), (struct ck_rect){r.x + r.w - enter_w, y, enter_w, kh},
            false);
}

/* Is this character allowed in a field of this kind? */
static bool allowed(enum kb_kind kind, uint32_t cp, bool multiline)
{
    if (cp == '\n')
        return multiline;
    if (cp < 0x20 || cp == 0x7F)
        return false;
    if (kind == KB_NUMBER)
        return (cp >= '0' && cp <= '9') || cp == '.' || cp == ',' || cp == '-';
    if (kind == KB_CODE)
        return (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
               cp == '-' || cp == ' ';
    return true;
}

/* Appends typed text, dropping characters the field does not take and stopping at max_chars. */
static bool type_text(struct ck_screens *sc, struct ck_buf *buf, const char *text,
                      enum kb_kind kind, bool multiline, size_t max_chars)
{
    size_t count = ck_utf8_count(ck_buf_str(buf));
    size_t len = strlen(text);
    bool truncated = false;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = ck_utf8_decode(text + i, len - i, &cp);
        if (cp == 0xFFFD && n == 1) { /* a broken byte never reaches the field */
            i++;
            continue;
        }
        if (allowed(kind, cp, multiline)) {
            if (count >= max_chars) {
                truncated = true;
                break;
            }
            if (kind == KB_CODE && cp >= 'a' && cp <= 'z') {
                char c = (char)(cp - 32);
                ck_buf_append(buf, &c, 1);
            } else {
                ck_buf_append(buf, text + i, n);
            }
            count++;
        }
        i += n;
    }
    if (truncated) {
        sc->session.error = N_("That is the most this field can hold (%s characters).");
        snprintf(sc->session.error_arg, sizeof sc->session.error_arg, "%zu", max_chars);
    }
    return truncated;
}

bool ck_keyboard_input(struct ck_screens *sc, const struct ck_input *in, struct ck_buf *buf,
                       enum kb_kind kind, bool multiline, size_t max_chars, bool *enter)
{
    *enter = false;
    if (in->kind == CK_IN_TEXT) {
        sc->session.error = NULL;
        type_text(sc, buf, in->text, kind, multiline, max_chars);
        return true;
    }
    if (in->kind == CK_IN_KEY) {
        if (in->key == CK_KEY_BACKSPACE) {
            ck_buf_pop_char(buf);
            sc->session.error = NULL;
            return true;
        }
        if (in->key == CK_KEY_ENTER) {
            if (multiline)
                type_text(sc, buf, "\n", kind, multiline, max_chars);
            else
                *enter = true;
            return true;
        }
        if (in->key == CK_KEY_SPACE) {
            type_text(sc, buf, " ", kind, multiline, max_chars);
            return true;
        }
        return false;
    }
    if (in->kind != CK_IN_TAP || strncmp(in->id, "key:", 4) != 0)
        return false;
    const char *k = in->id + 4;
    sc->session.error = NULL;
    if (strcmp(k, "backspace") == 0) {
        ck_buf_pop_char(buf);
    } else if (strcmp(k, "space") == 0) {
        type_text(sc, buf, " ", kind, multiline, max_chars);
    } else if (strcmp(k, "enter") == 0) {
        if (multiline)
            type_text(sc, buf, "\n", kind, multiline, max_chars);
        else
            *enter = true;
    } else if (strcmp(k, "shift") == 0) {
        sc->session.shift = !sc->session.shift;
    } else if (strcmp(k, "symbols") == 0) {
        sc->session.kb = KB_SYMBOLS;
    } else if (strcmp(k, "accents") == 0) {
        sc->session.kb = KB_ACCENTS;
    } else if (strcmp(k, "letters") == 0) {
        sc->session.kb = KB_LETTERS;
    } else {
        char ch[8];
        if (kind == KB_TEXT && sc->session.shift && sc->session.kb != KB_SYMBOLS) {
            upper(k, ch, sizeof ch);
            sc->session.shift = false; /* one capital, like a phone keyboard */
        } else {
            snprintf(ch, sizeof ch, "%s", k);
        }
        type_text(sc, buf, ch, kind, multiline, max_chars);
    }
    return true;
}
