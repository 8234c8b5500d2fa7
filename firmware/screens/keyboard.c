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

static void key(const struct pad *p, const char *name, const char *label, struct ck_rect r,
                bool chosen)
{
    char id[64];
    snprintf(id, sizeof id, "key:%s", name);
    button(p, id, r, chosen ? CK_BTN_CHOSEN : CK_BTN_KEY, label);
}

/* Draws one row of character keys centred in r, key_w wide (narrower if the row would not fit). */
static void char_row(const struct pad *p, const char *row, struct ck_rect r, int key_w, int gap,
                     bool shift)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", row ? row : "");
    if (!buf[0])
        return;
    int n = 1;
    for (const char *c = buf; *c; c++)
        n += *c == ' ';
    if (n * key_w + (n - 1) * gap > r.w)
        key_w = (r.w - (n - 1) * gap) / n;
    int x = r.x + (r.w - n * key_w - (n - 1) * gap) / 2;
    char *save = NULL;
    for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char label[24];
        key_label(tok, shift, label, sizeof label);
        key(p, tok, label, (struct ck_rect){x, r.y, key_w, r.h}, false);
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
    int x = r.x + key_w + gap, end = r.x + r.w - key_w - gap;
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
        button(p, "cand:prev", (struct ck_rect){r.x, r.y, key_w, r.h}, CK_BTN_SECONDARY, "<");
    if (first + shown < n && k->cand_page + 1 < CAND_PAGES)
        button(p, "cand:next", (struct ck_rect){r.x + r.w - key_w, r.y, key_w, r.h},
               CK_BTN_SECONDARY, ">");
}

static void draw_number(struct ck_screens *sc, const struct pad *p, struct ck_rect r)
{
    struct ck_ui *ui = p->ui;
    int gap = ck_ui_px(ui, 10);
    int kh = (r.h - 3 * gap) / 4;
    int kw = (r.w > ck_ui_px(ui, 900) ? ck_ui_px(ui, 900) : r.w) / 4 - gap;
    int x0 = r.x + (r.w - 4 * kw - 3 * gap) / 2;
    for (int i = 0; i < 4; i++) {
        struct ck_rect rr = {x0, r.y + i * (kh + gap), 3 * kw + 2 * gap, kh};
        char_row(p, NUMBER_ROWS[i], rr, kw, gap, false);
    }
    key(p, "backspace", T(N_("Delete")),
        (struct ck_rect){x0 + 3 * (kw + gap), r.y, kw, 2 * kh + gap}, false);
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
    struct ck_ime *ime = NULL;
    bool can_switch = false;
    const struct kb_layout *lay = kind == KB_TEXT ? layout_now(sc, &ime, &can_switch) : NULL;
    bool cands = lay && ime && lay->candidates;
    enum kb_layer layer = s->kb;
    if (layer == KB_ACCENTS && (!lay || !lay->accents[0]))
        layer = KB_LETTERS;
    bool explicit_shift = lay && lay->shift_rows[0];
    const char *const *rowset = kind == KB_CODE              ? CODE_ROWS
                                : layer == KB_SYMBOLS        ? SYMBOLS
                                : layer == KB_ACCENTS        ? lay->accents
                                : explicit_shift && s->shift ? lay->shift_rows
                                                             : lay->rows;
    int gap = ck_ui_px(ui, 10);
    int rows = 5 + cands;
    int kh = (r.h - (rows - 1) * gap) / rows;
    /* Short of room (an error above, a script with tall lines, a small screen): the keys keep
     * a touch size. A top row of digits and symbols goes first (?123 has them), then the gaps
     * narrow. */
    int first = 0;
    if (kind == KB_TEXT && kh < KEY_MIN_PX && layer == KB_LETTERS && no_letters(rowset[0])) {
        first = 1;
        rows--;
        kh = (r.h - (rows - 1) * gap) / rows;
    }
    if (kind == KB_TEXT && kh < KEY_MIN_PX) {
        gap = ck_ui_px(ui, 3);
        kh = (r.h - (rows - 1) * gap) / rows;
    }
    if (cands) {
        candidate_row(sc, p, ime, (struct ck_rect){r.x, r.y, r.w, kh}, (r.w - 10 * gap) / 12, gap);
        r.y += kh + gap;
        r.h -= kh + gap;
    }
    bool has_shift = kind == KB_TEXT && lay->shift_label[0];
    bool upper_labels = kind == KB_TEXT && s->shift && layer != KB_SYMBOLS && !explicit_shift;
    /* Row 4 is the widest: shift, up to 9 keys and delete, the two wide keys 1.5 keys each. */
    int kw = (r.w - 10 * gap) / 12;
    for (int i = first; i < 4; i++) {
        struct ck_rect rr = {r.x, r.y + (i - first) * (kh + gap), r.w, kh};
        if (i == 3) { /* shift and delete flank the last row */
            int wide = kw * 3 / 2;
            if (has_shift)
                key(p, "shift", s->shift ? lay->shift_label[1] : lay->shift_label[0],
                    (struct ck_rect){r.x, rr.y, wide, kh}, s->shift);
            key(p, "backspace", T(N_("Delete")), (struct ck_rect){r.x + r.w - wide, rr.y, wide, kh},
                false);
            if (has_shift || kind == KB_CODE) {
                rr.x += wide + gap;
                rr.w -= 2 * (wide + gap);
            } else {
                rr.w -= wide + gap;
            }
        }
        char_row(p, rowset[i], rr, kw, gap, upper_labels);
    }
    int y = r.y + (4 - first) * (kh + gap);
    int side = kw * 2 + gap;
    if (kind == KB_CODE) {
        key(p, "-", "-", (struct ck_rect){r.x + r.w - side, y, side, kh}, false);
        return;
    }
    const char *letters = lay->latin ? "abc" : lay->name;
    char digits[32]; /* "?123" reads left to right in Arabic and Urdu too */
    key(p, layer == KB_SYMBOLS ? "letters" : "symbols",
        layer == KB_SYMBOLS ? letters : ck_ui_isolate(digits, sizeof digits, "?123"),
        (struct ck_rect){r.x, y, side, kh}, false);
    struct ck_rect second = {r.x + side + gap, y, side, kh};
    if (can_switch && lay->latin)
        key(p, "native", ck_kb_layout_native(s->lang)->name, second, false);
    else if (can_switch)
        key(p, "latin", ck_kb_layout_latin()->name, second, false);
    else
        key(p, layer == KB_ACCENTS ? "letters" : "accents",
            layer == KB_ACCENTS ? "abc" : lay->accents_label, second, false);
    int x = r.x + 2 * (side + gap);
    int enter_w = multiline ? side : 0;
    int end = r.x + r.w - (enter_w ? enter_w + gap : 0);
    if (lay->comma) { /* the language's own comma and full stop beside the space bar */
        key(p, lay->comma, lay->comma, (struct ck_rect){x, y, kw, kh}, false);
        x += kw + gap;
        end -= kw + gap;
        key(p, lay->period, lay->period, (struct ck_rect){end + gap, y, kw, kh}, false);
    } else {
        key(p, "@", "@", (struct ck_rect){x, y, kw, kh}, false);
        x += kw + gap;
    }
    key(p, "space", T(N_("Space")), (struct ck_rect){x, y, end - x, kh}, false);
    if (multiline)
        key(p, "enter", T(N_("New line")), (struct ck_rect){r.x + r.w - enter_w, y, enter_w, kh},
            false);
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
