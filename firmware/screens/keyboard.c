/* keyboard.c: on-screen keyboards for text, numbers and receipt codes. Each key is a tap
 * target "key:<character>" or "key:<name>" (shift, backspace, space, enter, symbols, letters,
 * accents, latin, native); conversion candidates are "cand:1".."cand:8", "cand:prev",
 * "cand:next". Text fields show the letters of the session language (keyboard_layouts.c), and
 * every language can switch to Latin letters for an address or an email. Physical keyboards and
 * scripts type through the same edit path. UI thread only.
 *
 * Korean and Chinese go through an input method (ui/ime.c). Its composition is shown at the end
 * of the field as part of the field's text, so what the resident sees is what is kept: leaving
 * the field (Next, Back, another layout, a tapped suggestion, typing on a physical keyboard)
 * commits it as shown, and the session wipe drops it with everything else. */
#include <stdio.h>
#include <string.h>

#include "core/utf8.h"
#include "screens/keyboard_layouts.h"
#include "screens/screen_int.h"

/* Rows of character keys, space-separated. */
static const char *const SYMBOLS[] = {"1 2 3 4 5 6 7 8 9 0", "@ # $ % & * ( ) / ?",
                                      "- _ + = : ; \" ! ' ,", "< > [ ] { } ~ . °"};
static const char *const CODE_ROWS[] = {"1 2 3 4 5 6 7 8 9 0", "Q W E R T Y U I O P",
                                        "A S D F G H J K L", "Z X C V B N M"};
static const char *const NUMBER_ROWS[] = {"1 2 3", "4 5 6", "7 8 9", "- 0 ."};

#define CAND_PER_PAGE 8 /* at most, on a wide screen */
#define KEY_MIN_PX 48   /* screen pixels: the 44 px touch target and a margin */
#define KEYS_MAX 16     /* keys in a row of a layout, at most */
/* pages of candidates the resident can reach: as many as the session remembers starts of */
#define CAND_PAGES (sizeof((struct kb_state *)0)->cand_start / sizeof(unsigned short))

/* ---- characters ---- */

/* Upper-cases one UTF-8 character for the shifted keyboard (Latin-1, Latin Extended-A,
 * Cyrillic); anything else is returned as it is. */
static void upper(const char *in, char *out, size_t outlen)
{
    uint32_t cp;
    size_t len = strlen(in);
    size_t n = len ? ck_utf8_decode(in, len, &cp) : 0;
    uint32_t up = 0;
    if (n == len && n) {
        if (cp >= 'a' && cp <= 'z')
            up = cp - 32;
        else if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7)
            up = cp - 32;
        else if (cp == 0xFF)
            up = 0x178;
        else if ((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177))
            up = (cp & 1) ? cp - 1 : 0; /* pairs: upper case even, lower case odd */
        else if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E))
            up = (cp & 1) ? 0 : cp - 1; /* here the pairs start on an odd code point */
        else if (cp >= 0x430 && cp <= 0x44F)
            up = cp - 0x20;
        else if (cp >= 0x450 && cp <= 0x45F)
            up = cp - 0x50;
    }
    if (!up || outlen < 4) {
        snprintf(out, outlen, "%s", in);
        return;
    }
    out[ck_utf8_encode(up, out)] = '\0';
}

/* Combining marks (vowel signs, hasanta, harakat) are shown on a base, as printed keyboards do,
 * so they can be seen and told apart: a dotted circle, or for Arabic script the tatweel, which
 * keeps the mark in the Arabic font's run (the text engine gives a dotted circle's run Latin). */
static bool is_mark(uint32_t cp)
{
    return (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x610 && cp <= 0x61A) ||
           (cp >= 0x64B && cp <= 0x65F) || cp == 0x670 || (cp >= 0x6D6 && cp <= 0x6ED) ||
           (cp >= 0x981 && cp <= 0x983) || cp == 0x9BC || (cp >= 0x9BE && cp <= 0x9CD) ||
           cp == 0x9D7 || (cp >= 0x9E2 && cp <= 0x9E3);
}

static void key_label(const char *key, bool shift, char *out, size_t outlen)
{
    uint32_t cp;
    size_t len = strlen(key);
    if (len && ck_utf8_decode(key, len, &cp) && is_mark(cp))
        snprintf(out, outlen, "%s%s", cp >= 0x600 && cp <= 0x6FF ? "\u0640" : "\u25CC", key);
    else if (shift)
        upper(key, out, outlen);
    else
        snprintf(out, outlen, "%s", key);
}

/* A row of digits and symbols only, which the ?123 layer repeats. */
static bool no_letters(const char *row)
{
    size_t len = strlen(row);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        i += ck_utf8_decode(row + i, len - i, &cp);
        bool other = cp < 0x80 ? ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
                               : !((cp >= 0x660 && cp <= 0x669) || (cp >= 0x6F0 && cp <= 0x6F9) ||
                                   (cp >= 0x9E6 && cp <= 0x9EF) || cp == 0x9F3);
        if (other)
            return false;
    }
    return true;
}

/* ---- which layout ---- */

/* The current step asks for an address or an email: Latin letters first, whatever the
 * language, since the city's address list and email addresses are written in them (the
 * resident can still switch to their own letters). */
static bool wants_latin(const struct ck_screens *sc)
{
    const struct ck_session *s = &sc->session;
    if (sc->cur != SCR_FORM || s->step >= s->nfields)
        return false;
    enum ck_field_kind kind = s->fields[s->step].kind;
    return kind == FIELD_ADDRESS || kind == FIELD_EMAIL;
}

/* The session language's input method, made when first needed and remade when the language
 * changed; NULL for languages typed letter by letter. */
static struct ck_ime *session_ime(struct ck_screens *sc)
{
    struct kb_state *k = &sc->session.kbs;
    if (strcmp(k->ime_lang, sc->session.lang) != 0) {
        ck_ime_free(k->ime);
        k->ime = ck_ime_new(sc->session.lang);
        snprintf(k->ime_lang, sizeof k->ime_lang, "%s", sc->session.lang);
        k->field = NULL;
        k->preedit[0] = '\0';
        k->cand_page = k->cand_shown = 0;
    }
    return k->ime;
}

/* The letters shown now; *ime is the input method they type through (or NULL), *can_switch
 * whether a key switches between the language's letters and Latin. */
static const struct kb_layout *layout_now(struct ck_screens *sc, struct ck_ime **ime,
                                          bool *can_switch)
{
    const struct kb_layout *native = ck_kb_layout_native(sc->session.lang);
    *ime = NULL;
    *can_switch = false;
    if (native->latin)
        return native;
    struct ck_ime *m = session_ime(sc);
    if (native->ime && !m)
        return ck_kb_layout_latin(); /* the engine is missing (logged): Latin still works */
    *can_switch = true;
    enum kb_script script = sc->session.kbs.script;
    if (script == KB_SCRIPT_LATIN || (script == KB_SCRIPT_AUTO && wants_latin(sc)))
        return ck_kb_layout_latin();
    *ime = m;
    return native;
}

/* ---- drawing ---- */

/* Where a keyboard is drawn. In a right-to-left language the UI mirrors every box; a keyboard
 * is flipped back within its area, so its keys stay where printed keyboards and phones put them
 * (ض at the top left, Delete at the right, 1 2 3 left to right). */
struct pad {
    struct ck_ui *ui;
    struct ck_rect area;
    bool flip;
};

static void button(const struct pad *p, const char *id, struct ck_rect r,
                   enum ck_button_style style, const char *label)
{
    if (p->flip)
        r.x = 2 * p->area.x + p->area.w - r.x - r.w;
    ck_ui_button(p->ui, id, r, style, label);
}

static bool label_fits(struct ck_ui *ui, const char *label, int w, int h, bool chosen);

static void key(const struct pad *p, const char *name, const char *label, struct ck_rect r,
                bool chosen)
{
    char id[64];
    snprintf(id, sizeof id, "key:%s", name);
    /* Delete's word too tall for a squeezed row (Nastaliq at a large size): an arrow, and the
     * word for speech. */
    if (strcmp(name, "backspace") == 0 && !label_fits(p->ui, label, r.w, r.h, chosen)) {
        button(p, id, r, chosen ? CK_BTN_CHOSEN : CK_BTN_KEY, "\xE2\x86\x90"); /* U+2190 */
        ck_ui_label(p->ui, label, NULL);
        return;
    }
    button(p, id, r, chosen ? CK_BTN_CHOSEN : CK_BTN_KEY, label);
}

/* The least height of a row of keys: a touch target, and room for a label whole in the small
 * font (ck_ui_button sets a label that does not fit the key's own font in the small one).
 * Tall scripts (Nastaliq) and large text sizes need more than the touch size. */
static int key_h_min(struct ck_ui *ui)
{
    int label = ck_ui_line_height(ui, CK_FONT_SMALL) + 2 * ck_ui_px(ui, 3);
    return label > KEY_MIN_PX ? label : KEY_MIN_PX;
}

/* The margin ck_ui_button leaves beside a label: narrow on a key, wide on a chosen one (shift
 * while it is on). */
static int label_pad(struct ck_ui *ui, bool chosen)
{
    return ck_ui_px(ui, chosen ? 24 : 4);
}

/* True when label shows whole on a key of w x h, as ck_ui_button sets it: in the small font at
 * worst, with no word broken across lines and no line below the key. */
static bool label_fits(struct ck_ui *ui, const char *label, int w, int h, bool chosen)
{
    int inner = w - 2 * label_pad(ui, chosen);
    if (ck_ui_text_height(ui, CK_FONT_SMALL, inner, label) > h - 2 * ck_ui_px(ui, 3))
        return false;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", label);
    char *save = NULL;
    for (char *word = strtok_r(buf, " ", &save); word; word = strtok_r(NULL, " ", &save))
        if (ck_ui_text_width(ui, CK_FONT_SMALL, word) > inner)
            return false;
    return true;
}

/* The width of a key with a word on it (Delete, New line, a layout's name): w when its label
 * fits there, else the label's width on one line in the small font. Translations and large
 * text sizes make words longer than the key and a half the layout gives them. */
static int key_w_for(struct ck_ui *ui, const char *label, int w, int h, bool chosen)
{
    if (label_fits(ui, label, w, h, chosen))
        return w;
    /* +2: a word is measured as a whole here, and in pieces where it is drawn */
    int need = ck_ui_text_width(ui, CK_FONT_SMALL, label) + 2 * label_pad(ui, chosen) + 2;
    return need > w ? need : w;
}

/* A key's width, or the touch size when that is more. */
static int at_least_touch(int w)
{
    return w > KEY_MIN_PX ? w : KEY_MIN_PX;
}

/* The keys of a row (space-separated in row), their labels, and the width the widest label
 * needs (a touch size at least). */
struct row_keys {
    char buf[256];
    const char *names[KEYS_MAX];
    char labels[KEYS_MAX][24];
    int n, need;
};

static void row_keys(struct ck_ui *ui, const char *row, bool shift, struct row_keys *k)
{
    snprintf(k->buf, sizeof k->buf, "%s", row ? row : "");
    k->n = 0;
    k->need = KEY_MIN_PX;
    char *save = NULL;
    for (char *tok = strtok_r(k->buf, " ", &save); tok && k->n < KEYS_MAX;
         tok = strtok_r(NULL, " ", &save), k->n++) {
        k->names[k->n] = tok;
        key_label(tok, shift, k->labels[k->n], sizeof k->labels[k->n]);
        int w = ck_ui_text_width(ui, CK_FONT_SMALL, k->labels[k->n]) + 2 * label_pad(ui, false) + 2;
        k->need = w > k->need ? w : k->need;
    }
}

/* Draws one row of character keys centred in r, key_w wide: narrower if the row would not fit,
 * and with narrow gaps when the keys would be narrower than a touch size or their labels. */
static void char_row(const struct pad *p, const char *row, struct ck_rect r, int key_w, int gap,
                     bool shift)
{
    struct row_keys k;
    row_keys(p->ui, row, shift, &k);
    int n = k.n;
    if (!n)
        return;
    if (n * key_w + (n - 1) * gap > r.w)
        key_w = (r.w - (n - 1) * gap) / n;
    if (key_w < k.need) { /* as wide as the labels need, as far as the row allows */
        if (n * k.need + (n - 1) * gap > r.w && gap > ck_ui_px(p->ui, 3))
            gap = ck_ui_px(p->ui, 3);
        int w = (r.w - (n - 1) * gap) / n;
        key_w = w < k.need ? w : k.need;
    }
    int x = r.x + (r.w - n * key_w - (n - 1) * gap) / 2;
    for (int i = 0; i < n; i++) {
        key(p, k.names[i], k.labels[i], (struct ck_rect){x, r.y, key_w, r.h}, false);
        x += key_w + gap;
    }
}

/* The row of conversion candidates, each as wide as it needs, "<" and ">" page at its ends.
 * The page on screen is remembered, so that "cand:3" is the third candidate shown. */
static void candidate_row(struct ck_screens *sc, const struct pad *p, struct ck_ime *ime,
                          struct ck_rect r, int key_w, int gap)
{
    struct kb_state *k = &sc->session.kbs;
    size_t n = ck_ime_candidates(ime);
    if (k->cand_page >= CAND_PAGES || k->cand_start[k->cand_page] >= n)
        k->cand_page = k->cand_shown = 0;
    k->cand_start[0] = 0;
    size_t first = k->cand_start[k->cand_page];
    int pad = ck_ui_px(p->ui, 24);
    int arrow_w = key_w_for(p->ui, "<", key_w, r.h, true); /* a paging button's wide margins */
    int x = r.x + arrow_w + gap, end = r.x + r.w - arrow_w - gap;
    size_t shown = 0;
    while (shown < CAND_PER_PAGE && first + shown < n) {
        char id[16];
        const char *c = ck_ime_candidate(ime, first + shown);
        int w = ck_ui_text_width(p->ui, CK_FONT_BODY, c) + 2 * pad;
        if (w < key_w)
            w = key_w;
        if (x + w > end) {
            if (shown)
                break;
            w = end - x; /* one long phrase: it gets the row */
        }
        snprintf(id, sizeof id, "cand:%zu", shown + 1);
        button(p, id, (struct ck_rect){x, r.y, w, r.h}, CK_BTN_KEY, c);
        x += w + gap;
        shown++;
    }
    k->cand_shown = shown;
    if (k->cand_page + 1 < CAND_PAGES)
        k->cand_start[k->cand_page + 1] = (unsigned short)(first + shown);
    if (k->cand_page > 0)
        button(p, "cand:prev", (struct ck_rect){r.x, r.y, arrow_w, r.h}, CK_BTN_SECONDARY, "<");
    if (first + shown < n && k->cand_page + 1 < CAND_PAGES)
        button(p, "cand:next", (struct ck_rect){r.x + r.w - arrow_w, r.y, arrow_w, r.h},
               CK_BTN_SECONDARY, ">");
}

/* The number pad short of height (large text on a wide screen): two rows of six, then Delete
 * two keys tall. */
static const char *const NUMBER_WIDE_ROWS[] = {"1 2 3 4 5 6", "7 8 9 0 - ."};

/* The least width of that pad with keys kh tall. */
static int number_wide_w(struct ck_screens *sc, struct ck_ui *ui, int kh)
{
    int gap = ck_ui_px(ui, 3), need = KEY_MIN_PX;
    for (int i = 0; i < 2; i++) {
        struct row_keys k;
        row_keys(ui, NUMBER_WIDE_ROWS[i], false, &k);
        need = k.need > need ? k.need : need;
    }
    return 6 * (need + gap) + key_w_for(ui, T(N_("Delete")), 0, 2 * kh + gap, false);
}

static void draw_number_wide(struct ck_screens *sc, const struct pad *p, struct ck_rect r)
{
    struct ck_ui *ui = p->ui;
    int gap = ck_ui_px(ui, 3), kh = (r.h - gap) / 2;
    const char *del = T(N_("Delete"));
    int w = r.w > ck_ui_px(ui, 1200) ? ck_ui_px(ui, 1200) : r.w;
    int kw = (w - 6 * gap) / 7;
    int dw = key_w_for(ui, del, kw, 2 * kh + gap, false);
    kw = (w - dw - 6 * gap) / 6;
    int x0 = r.x + (r.w - 6 * (kw + gap) - dw) / 2;
    for (int i = 0; i < 2; i++)
        char_row(p, NUMBER_WIDE_ROWS[i],
                 (struct ck_rect){x0, r.y + i * (kh + gap), 6 * kw + 5 * gap, kh}, kw, gap, false);
    key(p, "backspace", del, (struct ck_rect){x0 + 6 * (kw + gap), r.y, dw, 2 * kh + gap}, false);
}

/* The number pad: three columns of digits and Delete, two keys tall, at the end. Short of room
 * the gaps narrow, then (on a wide screen) the pad takes two rows; a Delete whose word is wider
 * than a key takes width from the digits. */
static void draw_number(struct ck_screens *sc, const struct pad *p, struct ck_rect r)
{
    struct ck_ui *ui = p->ui;
    int gap = ck_ui_px(ui, 10);
    int kh = (r.h - 3 * gap) / 4;
    if (kh < key_h_min(ui)) {
        gap = ck_ui_px(ui, 3);
        kh = (r.h - 3 * gap) / 4;
    }
    if (kh < key_h_min(ui) && number_wide_w(sc, ui, key_h_min(ui)) <= r.w) {
        draw_number_wide(sc, p, r);
        return;
    }
    int kw = (r.w > ck_ui_px(ui, 900) ? ck_ui_px(ui, 900) : r.w) / 4 - gap;
    int x0 = r.x + (r.w - 4 * kw - 3 * gap) / 2;
    const char *del = T(N_("Delete"));
    int dw = key_w_for(ui, del, kw, 2 * kh + gap, false);
    if (dw > kw) {
        int span = 4 * kw + 3 * gap;
        kw = (span - dw - 3 * gap) / 3;
        if (kw < KEY_MIN_PX) /* no room for the word: Delete keeps a key's width */
            kw = dw = (span - 3 * gap) / 4;
    }
    for (int i = 0; i < 4; i++) {
        struct ck_rect rr = {x0, r.y + i * (kh + gap), 3 * kw + 2 * gap, kh};
        char_row(p, NUMBER_ROWS[i], rr, kw, gap, false);
    }
    key(p, "backspace", del, (struct ck_rect){x0 + 3 * (kw + gap), r.y, dw, 2 * kh + gap}, false);
}

/* The letters shown on a text or code keyboard and how they are laid out. */
struct kb_view {
    enum kb_kind kind;
    const struct kb_layout *lay; /* NULL for the code keyboard */
    struct ck_ime *ime;
    bool can_switch, cands;
    enum kb_layer layer;
    const char *const *rows; /* KB_ROWS rows of character keys */
    bool explicit_shift;
};

static struct kb_view view_of(struct ck_screens *sc, enum kb_kind kind)
{
    struct ck_session *s = &sc->session;
    struct kb_view v = {.kind = kind, .layer = s->kb};
    if (kind == KB_TEXT)
        v.lay = layout_now(sc, &v.ime, &v.can_switch);
    v.cands = v.lay && v.ime && v.lay->candidates;
    if (v.layer == KB_ACCENTS && (!v.lay || !v.lay->accents[0]))
        v.layer = KB_LETTERS;
    v.explicit_shift = v.lay && v.lay->shift_rows[0];
    v.rows = kind == KB_CODE                  ? CODE_ROWS
             : v.layer == KB_SYMBOLS          ? SYMBOLS
             : v.layer == KB_ACCENTS          ? v.lay->accents
             : v.explicit_shift && s->shift   ? v.lay->shift_rows
                                              : v.lay->rows;
    return v;
}

/* The last row of characters, flanked by shift (when the layout has one) and Delete (unless it
 * went to the top row), each a key and a half wide or as wide as its word needs; the code
 * keyboard centres its row. */
static void last_row(struct ck_screens *sc, const struct pad *p, const struct kb_view *v,
                     const char *letters_row, struct ck_rect rr, int kw, int gap,
                     bool upper_labels, bool with_delete)
{
    struct ck_ui *ui = p->ui;
    struct ck_session *s = &sc->session;
    bool has_shift = v->kind == KB_TEXT && v->lay->shift_label[0];
    int wide = kw * 3 / 2;
    const char *del = T(N_("Delete"));
    const char *shift = has_shift ? v->lay->shift_label[s->shift] : "";
    int dw = with_delete ? key_w_for(ui, del, wide, rr.h, false) : 0;
    int sw = has_shift ? key_w_for(ui, shift, wide, rr.h, s->shift) : 0;
    /* Wide keys that grew leave the letters less room: the gaps beside them narrow too. */
    struct row_keys k;
    row_keys(ui, letters_row, upper_labels, &k);
    int flanks = has_shift || v->kind == KB_CODE ? 2 : 1;
    int letters = rr.w - sw - dw - flanks * gap;
    if (k.n * k.need + (k.n - 1) * gap > letters)
        gap = ck_ui_px(ui, 3);
    if (has_shift)
        key(p, "shift", shift, (struct ck_rect){rr.x, rr.y, sw, rr.h}, s->shift);
    if (with_delete)
        key(p, "backspace", del, (struct ck_rect){rr.x + rr.w - dw, rr.y, dw, rr.h}, false);
    if (has_shift) {
        rr.x += sw + gap;
        rr.w -= sw + gap + (with_delete ? dw + gap : 0);
    } else if (v->kind == KB_CODE) { /* the same margin on both sides */
        rr.x += dw + gap;
        rr.w -= 2 * (dw + gap);
    } else if (with_delete) {
        rr.w -= dw + gap;
    }
    char_row(p, letters_row, rr, kw, gap, upper_labels);
}

/* True when Delete goes to the end of the top row shown, where computers have it: its word
 * leaves the last row's letters too little room (a long translation at a large text size),
 * and the top row, shorter, has room for it. */
static bool delete_on_top(struct ck_screens *sc, struct ck_ui *ui, const struct kb_view *v,
                          const char *const *rows, int first, int w, int kw, int kh,
                          bool upper_labels)
{
    if (v->kind != KB_TEXT)
        return false;
    int gap = ck_ui_px(ui, 3);
    int dw = key_w_for(ui, T(N_("Delete")), kw * 3 / 2, kh, false);
    int sw = v->lay->shift_label[0]
                 ? key_w_for(ui, v->lay->shift_label[sc->session.shift], kw * 3 / 2, kh,
                             sc->session.shift)
                 : 0;
    struct row_keys last, top;
    row_keys(ui, rows[3], upper_labels, &last);
    row_keys(ui, rows[first], upper_labels, &top);
    return sw + dw + last.n * last.need + (last.n + 1) * gap > w &&
           top.n * top.need + top.n * gap + dw <= w;
}

/* The rows of letters as drawn: each row of the layer on one line, or on two (the first half
 * above) when its keys' labels need more width than the keyboard has, as a script with wide
 * letters at a large text size on a narrow screen does. */
struct kb_lines {
    char text[2 * KB_ROWS][256]; /* each line's keys, space-separated */
    int n;
    int last;     /* the line with shift and Delete */
    bool del_top; /* Delete at the end of the first line instead */
};

/* Adds row to the lines, split in two halves when its keys need more than room px. */
static void add_row(struct ck_ui *ui, const char *row, int room, int extra_keys, bool upper,
                    struct kb_lines *l)
{
    struct row_keys k;
    row_keys(ui, row, upper, &k);
    int halves = k.n > 1 && k.n * k.need + (k.n - 1 + extra_keys) * ck_ui_px(ui, 3) > room ? 2 : 1;
    int split = halves == 2 ? (k.n + 1) / 2 : k.n;
    for (int h = 0; h < halves; h++) {
        char *out = l->text[l->n++];
        out[0] = '\0';
        for (int i = h ? split : 0; i < (h ? k.n : split); i++) {
            size_t len = strlen(out);
            snprintf(out + len, sizeof l->text[0] - len, "%s%s", len ? " " : "", k.names[i]);
        }
    }
}

/* Plans the lines of rows [first, 4) of a layer in width w, with Delete on the top line when
 * it has no room beside the last. */
static void plan_lines(struct ck_screens *sc, struct ck_ui *ui, const struct kb_view *v,
                       const char *const *rows, int first, int w, int kw, int kh, bool upper,
                       struct kb_lines *l)
{
    l->n = 0;
    l->del_top = delete_on_top(sc, ui, v, rows, first, w, kw, kh, upper);
    int dw = key_w_for(ui, T(N_("Delete")), kw * 3 / 2, kh, false);
    bool has_shift = v->kind == KB_TEXT && v->lay->shift_label[0];
    int sw = has_shift ? key_w_for(ui, v->lay->shift_label[sc->session.shift], kw * 3 / 2, kh,
                                   sc->session.shift)
                       : 0;
    for (int i = first; i < 3; i++)
        add_row(ui, rows[i], w - (i == first && l->del_top ? dw : 0), i == first && l->del_top,
                upper, l);
    int flanks = v->kind == KB_CODE ? 2 * dw : sw + (l->del_top ? 0 : dw);
    int extra = v->kind == KB_CODE || (has_shift && !l->del_top) ? 2 : 1;
    add_row(ui, rows[3], w - flanks, extra, upper, l);
    l->last = l->n - 1;
}

/* The words on the bottom row's first two keys: symbols or letters, and the other layout. */
struct bottom_words {
    const char *first_id, *first, *second_id, *second;
    char digits[32];
};

static void bottom_words(struct ck_screens *sc, const struct kb_view *v, struct bottom_words *b)
{
    const struct kb_layout *lay = v->lay;
    b->first_id = v->layer == KB_SYMBOLS ? "letters" : "symbols";
    /* "?123" reads left to right in Arabic and Urdu too */
    b->first = v->layer == KB_SYMBOLS ? lay->latin ? "abc" : lay->name
                                      : ck_ui_isolate(b->digits, sizeof b->digits, "?123");
    if (v->can_switch && lay->latin)
        b->second_id = "native", b->second = ck_kb_layout_native(sc->session.lang)->name;
    else if (v->can_switch)
        b->second_id = "latin", b->second = ck_kb_layout_latin()->name;
    else
        b->second_id = v->layer == KB_ACCENTS ? "letters" : "accents",
        b->second = v->layer == KB_ACCENTS ? "abc" : lay->accents_label;
}

/* The bottom row: the symbols or letters key, a second layout (Latin, the language's own
 * letters, or accents), "@" or the language's comma and full stop, the space bar, and New line
 * in a text of several lines. The keys with words get the width their words need; the space
 * bar has the rest. */
static void bottom_row(struct ck_screens *sc, const struct pad *p, const struct kb_view *v,
                       struct ck_rect r, int kw, int gap, bool multiline)
{
    struct ck_ui *ui = p->ui;
    const struct kb_layout *lay = v->lay;
    int side = kw * 2 + gap, y = r.y, kh = r.h;
    if (v->kind == KB_CODE) {
        key(p, "-", "-", (struct ck_rect){r.x + r.w - side, y, side, kh}, false);
        return;
    }
    struct bottom_words b;
    bottom_words(sc, v, &b);
    int w1 = key_w_for(ui, b.first, side, kh, false), w2 = key_w_for(ui, b.second, side, kh, false);
    const char *enter = T(N_("New line")), *space = T(N_("Space"));
    int enter_w = multiline ? key_w_for(ui, enter, side, kh, false) : 0;
    const char *mark = lay->comma ? lay->comma : "@"; /* beside the space bar, at its start */
    int mw = key_w_for(ui, mark, kw, kh, false);
    int pw = lay->comma ? key_w_for(ui, lay->period, kw, kh, false) : 0; /* and at its end */
    int keys = 4 + (pw > 0) + multiline;
    int space_w = r.w - w1 - w2 - mw - pw - enter_w - (keys - 1) * gap;
    if (!label_fits(ui, space, space_w, kh, false) && gap > ck_ui_px(ui, 3)) {
        /* the words on the other keys leave the space bar too little: the gaps narrow, */
        space_w += (keys - 1) * (gap - ck_ui_px(ui, 3));
        gap = ck_ui_px(ui, 3);
    }
    if (!label_fits(ui, space, space_w, kh, false)) { /* then the other keys' margins */
        int n1 = at_least_touch(key_w_for(ui, b.first, 0, kh, false));
        int n2 = at_least_touch(key_w_for(ui, b.second, 0, kh, false));
        int nm = at_least_touch(key_w_for(ui, mark, 0, kh, false));
        int np = pw ? at_least_touch(key_w_for(ui, lay->period, 0, kh, false)) : 0;
        space_w += w1 - n1 + w2 - n2 + mw - nm + pw - np;
        w1 = n1, w2 = n2, mw = nm, pw = np;
    }
    int x = r.x;
    key(p, b.first_id, b.first, (struct ck_rect){x, y, w1, kh}, false);
    x += w1 + gap;
    key(p, b.second_id, b.second, (struct ck_rect){x, y, w2, kh}, false);
    x += w2 + gap;
    key(p, mark, mark, (struct ck_rect){x, y, mw, kh}, false);
    x += mw + gap;
    key(p, "space", space, (struct ck_rect){x, y, space_w, kh}, false);
    x += space_w + gap;
    if (pw) {
        key(p, lay->period, lay->period, (struct ck_rect){x, y, pw, kh}, false);
        x += pw + gap;
    }
    if (multiline)
        key(p, "enter", enter, (struct ck_rect){x, y, enter_w, kh}, false);
}

/* The least height a keyboard of this kind needs in width w for every row at a touch size with
 * labels whole (narrow gaps). */
int ck_keyboard_min_height(struct ck_screens *sc, struct ck_ui *ui, enum kb_kind kind, int w)
{
    int kh = key_h_min(ui), rows = number_wide_w(sc, ui, kh) <= w ? 2 : 4;
    if (kind != KB_NUMBER) { /* the most lines any layer takes, the bottom row, candidates */
        struct kb_view v = view_of(sc, kind);
        const char *const *sets[] = {v.rows, v.lay ? v.lay->rows : NULL,
                                     v.lay ? v.lay->shift_rows : NULL,
                                     v.lay ? v.lay->accents : NULL,
                                     kind == KB_CODE ? NULL : SYMBOLS};
        int kw = (w - 10 * ck_ui_px(ui, 3)) / 12, lines = 4;
        for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
            struct kb_lines l;
            if (!sets[i] || !sets[i][0])
                continue;
            plan_lines(sc, ui, &v, sets[i], 0, w, kw, kh, false, &l);
            lines = l.n > lines ? l.n : lines;
        }
        rows = lines + 1 + v.cands;
    }
    return rows * kh + (rows - 1) * ck_ui_px(ui, 3);
}

/* The width of a row of keys, at least: each label whole, narrow gaps, plus extra px. */
static int row_min_w(struct ck_ui *ui, const char *row, bool shift, int extra, int extra_keys)
{
    struct row_keys k;
    row_keys(ui, row, shift, &k);
    return k.n ? k.n * k.need + (k.n - 1 + extra_keys) * ck_ui_px(ui, 3) + extra : 0;
}

/* The least width of the rows of letters in any layer of the layout (so that the keyboard
 * keeps its size as the resident switches layers), the last with shift and Delete. */
static int letters_min_w(struct ck_screens *sc, struct ck_ui *ui, const struct kb_view *v)
{
    int kh = key_h_min(ui), w = 0;
    const char *const *sets[] = {v->rows, v->lay ? v->lay->rows : NULL,
                                 v->lay ? v->lay->shift_rows : NULL,
                                 v->lay ? v->lay->accents : NULL,
                                 v->kind == KB_CODE ? NULL : SYMBOLS};
    int dw = key_w_for(ui, T(N_("Delete")), 0, kh, false);
    bool has_shift = v->kind == KB_TEXT && v->lay->shift_label[0];
    int sw = has_shift ? key_w_for(ui, v->lay->shift_label[1], 0, kh, true) : 0;
    int flanks = has_shift || v->kind == KB_CODE ? 2 : 1;
    for (size_t set = 0; set < sizeof sets / sizeof sets[0]; set++) {
        for (int i = 0; sets[set] && sets[set][0] && i < KB_ROWS; i++) {
            for (int up = 0; up < 2; up++) {
                int extra = i < 3 ? 0 : v->kind == KB_CODE ? 2 * dw : sw + dw;
                int rw = row_min_w(ui, sets[set][i], up, extra, i < 3 ? 0 : flanks);
                w = rw > w ? rw : w;
            }
        }
    }
    return w;
}

/* The least width a keyboard of this kind needs: every key a touch size, its label whole on
 * one line, narrow gaps. */
int ck_keyboard_min_width(struct ck_screens *sc, struct ck_ui *ui, enum kb_kind kind,
                          bool multiline)
{
    int kh = key_h_min(ui), gap = ck_ui_px(ui, 3);
    if (kind == KB_NUMBER) {
        int w = 0;
        for (int i = 0; i < 4; i++) {
            int rw = row_min_w(ui, NUMBER_ROWS[i], false, 0, 0);
            w = rw > w ? rw : w;
        }
        return w + gap + key_w_for(ui, T(N_("Delete")), 0, 2 * kh + gap, false);
    }
    struct kb_view v = view_of(sc, kind);
    int w = letters_min_w(sc, ui, &v);
    if (kind == KB_CODE)
        return w;
    struct bottom_words b;
    bottom_words(sc, &v, &b);
    int bottom = key_w_for(ui, b.first, 0, kh, false) + key_w_for(ui, b.second, 0, kh, false) +
                 (v.lay->comma ? 2 : 1) * KEY_MIN_PX + key_w_for(ui, T(N_("Space")), 0, kh, false) +
                 (multiline ? key_w_for(ui, T(N_("New line")), 0, kh, false) + gap : 0) +
                 (v.lay->comma ? 4 : 3) * gap;
    return bottom > w ? bottom : w;
}

void ck_keyboard_draw(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect r, enum kb_kind kind,
                      bool multiline)
{
    struct pad pad = {ui, r, ck_ui_rtl(ui)}, *p = &pad;
    if (kind == KB_NUMBER) {
        draw_number(sc, p, r);
        return;
    }
    struct ck_session *s = &sc->session;
    struct kb_view v = view_of(sc, kind);
    int gap = ck_ui_px(ui, 10);
    int kw = (r.w - 10 * gap) / 12;
    /* Short of room (an error above, a script with tall lines, a small screen, large text): the
     * keys keep a touch size and their labels whole. The gaps narrow first, then a top row of
     * digits and symbols goes (?123 has them): house numbers are typed on it. */
    int first = 0, h_min = key_h_min(ui);
    bool upper_labels = kind == KB_TEXT && s->shift && v.layer != KB_SYMBOLS && !v.explicit_shift;
    struct kb_lines lines;
    plan_lines(sc, ui, &v, v.rows, first, r.w, kw, h_min, upper_labels, &lines);
    int rows = lines.n + 1 + v.cands; /* the lines of letters, the bottom row, candidates */
    int kh = (r.h - (rows - 1) * gap) / rows;
    if (kh < h_min || kw < KEY_MIN_PX) {
        gap = ck_ui_px(ui, 3);
        kh = (r.h - (rows - 1) * gap) / rows;
    }
    if (kind == KB_TEXT && kh < h_min && v.layer == KB_LETTERS && no_letters(v.rows[0])) {
        first = 1;
        plan_lines(sc, ui, &v, v.rows, first, r.w, kw, h_min, upper_labels, &lines);
        rows = lines.n + 1 + v.cands;
        kh = (r.h - (rows - 1) * gap) / rows;
    }
    if (v.cands) {
        candidate_row(sc, p, v.ime, (struct ck_rect){r.x, r.y, r.w, kh}, (r.w - 10 * gap) / 12,
                      gap);
        r.y += kh + gap;
        r.h -= kh + gap;
    }
    /* The last row is the widest: shift, up to 9 keys and delete, the two wide keys 1.5 keys
     * each. */
    kw = (r.w - 10 * gap) / 12;
    for (int i = 0; i < lines.n; i++) {
        struct ck_rect rr = {r.x, r.y + i * (kh + gap), r.w, kh};
        if (i == 0 && lines.del_top) {
            const char *del = T(N_("Delete"));
            int dw = key_w_for(ui, del, kw * 3 / 2, kh, false);
            key(p, "backspace", del, (struct ck_rect){rr.x + rr.w - dw, rr.y, dw, kh}, false);
            rr.w -= dw + ck_ui_px(ui, 3);
        }
        if (i == lines.last)
            last_row(sc, p, &v, lines.text[i], rr, kw, gap, upper_labels, !lines.del_top);
        else
            char_row(p, lines.text[i], rr, kw, gap, upper_labels);
    }
    bottom_row(sc, p, &v, (struct ck_rect){r.x, r.y + lines.n * (kh + gap), r.w, kh}, kw, gap,
               multiline);
}

/* ---- typing ---- */

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

/* One field being typed in, and how. */
struct typing {
    struct ck_screens *sc;
    struct ck_buf *buf;
    enum kb_kind kind;
    bool multiline;
    size_t max_chars;
    bool *enter;
};

/* Forgets the composition without touching the field: what shows there stays, as typed. */
static void settle(struct kb_state *k)
{
    ck_ime_reset(k->ime);
    k->field = NULL;
    explicit_bzero(k->preedit, sizeof k->preedit);
    k->cand_page = k->cand_shown = 0;
}

/* The composition is the end of this field's text, or something else changed the field (a
 * suggestion was tapped, another field is typed in): then what shows stays, as typed. */
static void check_composition(struct kb_state *k, const struct ck_buf *buf)
{
    size_t n = strlen(k->preedit);
    if (!n)
        return;
    if (k->field != buf || buf->len < n || memcmp(buf->data + buf->len - n, k->preedit, n) != 0)
        settle(k);
}

/* Replaces the composition at the end of the field with the committed text and the new
 * composition. */
static void apply(const struct typing *t, const char *commit, const char *preedit)
{
    struct kb_state *k = &t->sc->session.kbs;
    size_t old = strlen(k->preedit);
    if (old && k->field == t->buf && t->buf->len >= old) {
        size_t keep = t->buf->len - old;
        while (t->buf->len > keep)
            ck_buf_pop_char(t->buf);
    }
    explicit_bzero(k->preedit, sizeof k->preedit);
    k->field = NULL;
    k->cand_page = k->cand_shown = 0;
    type_text(t->sc, t->buf, commit, t->kind, t->multiline, t->max_chars);
    if (!*preedit)
        return;
    if (ck_utf8_count(ck_buf_str(t->buf)) + ck_utf8_count(preedit) > t->max_chars) {
        /* No room for all that is being composed: what fits stays, as typed, and the
         * resident is told the field is full. */
        type_text(t->sc, t->buf, preedit, t->kind, t->multiline, t->max_chars);
        ck_ime_reset(k->ime);
        return;
    }
    ck_buf_append(t->buf, preedit, strlen(preedit));
    snprintf(k->preedit, sizeof k->preedit, "%s", preedit);
    k->field = t->buf;
}

/* A key without an input method (or one it left): the character, or an edit. */
static void plain(const struct typing *t, const char *k)
{
    if (strcmp(k, "backspace") == 0)
        ck_buf_pop_char(t->buf);
    else if (strcmp(k, "space") == 0)
        type_text(t->sc, t->buf, " ", t->kind, t->multiline, t->max_chars);
    else if (strcmp(k, "enter") == 0 && t->multiline)
        type_text(t->sc, t->buf, "\n", t->kind, t->multiline, t->max_chars);
    else if (strcmp(k, "enter") == 0)
        *t->enter = true;
    else
        type_text(t->sc, t->buf, k, t->kind, t->multiline, t->max_chars);
}

/* A character or "backspace", "space", "enter", through the input method when there is one. */
static void press(const struct typing *t, struct ck_ime *ime, const char *k)
{
    if (ime) {
        char commit[128], preedit[sizeof t->sc->session.kbs.preedit];
        bool taken = ck_ime_key(ime, k, commit, sizeof commit, preedit, sizeof preedit);
        apply(t, commit, preedit);
        explicit_bzero(commit, sizeof commit);
        explicit_bzero(preedit, sizeof preedit);
        if (taken)
            return;
    }
    plain(t, k);
}

/* A tap on a candidate ("cand:3") or on paging ("cand:next"). */
static void candidate(const struct typing *t, struct ck_ime *ime, const char *c)
{
    struct kb_state *k = &t->sc->session.kbs;
    size_t n = ck_ime_candidates(ime);
    size_t first = k->cand_start[k->cand_page < CAND_PAGES ? k->cand_page : 0];
    if (strcmp(c, "next") == 0) {
        if (first + k->cand_shown < n && k->cand_page + 1 < CAND_PAGES)
            k->cand_page++;
        return;
    }
    if (strcmp(c, "prev") == 0) {
        if (k->cand_page > 0)
            k->cand_page--;
        return;
    }
    unsigned i;
    if (sscanf(c, "%u", &i) != 1 || i < 1 || i > k->cand_shown)
        return;
    size_t at = first + i - 1;
    if (at >= n)
        return;
    char commit[128], preedit[sizeof k->preedit];
    ck_ime_choose(ime, at, commit, sizeof commit, preedit, sizeof preedit);
    apply(t, commit, preedit);
    explicit_bzero(commit, sizeof commit);
}

static bool switch_key(struct ck_session *s, const char *k)
{
    if (strcmp(k, "shift") == 0) {
        s->shift = !s->shift;
    } else if (strcmp(k, "symbols") == 0) {
        s->kb = KB_SYMBOLS;
    } else if (strcmp(k, "accents") == 0) {
        s->kb = KB_ACCENTS;
    } else if (strcmp(k, "letters") == 0) {
        s->kb = KB_LETTERS;
    } else if (strcmp(k, "latin") == 0 || strcmp(k, "native") == 0) {
        settle(&s->kbs); /* the composition is done: it stays in the field */
        s->kbs.script = k[0] == 'l' ? KB_SCRIPT_LATIN : KB_SCRIPT_NATIVE;
        s->kb = KB_LETTERS;
        s->shift = false;
    } else {
        return false;
    }
    return true;
}

bool ck_keyboard_input(struct ck_screens *sc, const struct ck_input *in, struct ck_buf *buf,
                       enum kb_kind kind, bool multiline, size_t max_chars, bool *enter)
{
    struct ck_session *s = &sc->session;
    struct typing t = {sc, buf, kind, multiline, max_chars, enter};
    *enter = false;
    struct ck_ime *ime = NULL;
    bool can_switch = false;
    const struct kb_layout *lay = kind == KB_TEXT ? layout_now(sc, &ime, &can_switch) : NULL;
    check_composition(&s->kbs, buf);
    if (in->kind == CK_IN_TEXT) {
        /* A physical keyboard or a script types finished text: the composition is done. */
        settle(&s->kbs);
        s->error = NULL;
        type_text(sc, buf, in->text, kind, multiline, max_chars);
        return true;
    }
    if (in->kind == CK_IN_KEY) {
        const char *name = in->key == CK_KEY_BACKSPACE ? "backspace"
                           : in->key == CK_KEY_ENTER   ? "enter"
                           : in->key == CK_KEY_SPACE   ? "space"
                                                       : NULL;
        if (!name)
            return false;
        if (in->key == CK_KEY_BACKSPACE)
            s->error = NULL;
        press(&t, ime, name);
        return true;
    }
    if (in->kind != CK_IN_TAP)
        return false;
    if (strncmp(in->id, "cand:", 5) == 0 && ime) {
        s->error = NULL;
        candidate(&t, ime, in->id + 5);
        return true;
    }
    if (strncmp(in->id, "key:", 4) != 0)
        return false;
    const char *k = in->id + 4;
    s->error = NULL;
    if (switch_key(s, k))
        return true;
    if (strcmp(k, "backspace") == 0 || strcmp(k, "space") == 0 || strcmp(k, "enter") == 0) {
        press(&t, ime, k);
        return true;
    }
    char ch[16];
    if (kind == KB_TEXT && s->shift && s->kb != KB_SYMBOLS) {
        if (lay && lay->shift_rows[0])
            snprintf(ch, sizeof ch, "%s", k); /* the shifted layer's keys type themselves */
        else
            upper(k, ch, sizeof ch);
        s->shift = false; /* one capital, like a phone keyboard */
    } else {
        snprintf(ch, sizeof ch, "%s", k);
    }
    press(&t, ime, ch);
    return true;
}

bool ck_keyboard_cased(struct ck_screens *sc)
{
    struct ck_ime *ime;
    bool can_switch;
    const struct kb_layout *lay = layout_now(sc, &ime, &can_switch);
    return lay->shift_label[0] && !lay->shift_rows[0];
}

void ck_keyboard_leave(struct ck_screens *sc)
{
    settle(&sc->session.kbs);
    sc->session.kbs.script = KB_SCRIPT_AUTO;
}

void ck_keyboard_wipe(struct ck_session *s)
{
    ck_ime_free(s->kbs.ime);
    explicit_bzero(&s->kbs, sizeof s->kbs);
}
