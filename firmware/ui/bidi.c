/* bidi.c: a logical line of text becomes runs that SDL_ttf (HarfBuzz) can shape: each run has
 * one bidi level, one script and one font. FriBidi resolves the levels (UAX #9, with isolates,
 * in the paragraph direction of the UI language); HarfBuzz's Unicode tables give each code
 * point its script; the face comes from the script and the language, and when that font lacks
 * a code point, from the first other face that has it. Runs are then put in visual order (rule
 * L2), left to right. A line whose strong characters all run against the UI's direction takes
 * theirs (line_rtl). UI thread only; the scratch lives in ui->bidi. */
#include <fribidi.h>
#include <hb.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "ui/ui_int.h"

struct ck_bidi {
    size_t cap; /* code points the arrays hold */
    uint32_t *cp;
    FriBidiCharType *types;
    FriBidiBracketType *brackets;
    FriBidiLevel *levels;
    hb_script_t *script;
    signed char *face; /* -1: dropped (a bidi control or a control character) */
    size_t runcap;
    struct ck_run *runs, *vis;
    size_t *run_off;   /* each run's offset in text, fixed into pointers at the end */
    int *run_level;
    size_t *order;
    char *text; /* the runs' UTF-8, each followed by a NUL: 5 bytes a code point at most */
};

void ck_bidi_deinit(struct ck_ui *ui)
{
    struct ck_bidi *b = ui->bidi;
    if (!b)
        return;
    free(b->cp);
    free(b->types);
    free(b->brackets);
    free(b->levels);
    free(b->script);
    free(b->face);
    free(b->runs);
    free(b->vis);
    free(b->run_off);
    free(b->run_level);
    free(b->order);
    free(b->text);
    free(b);
    ui->bidi = NULL;
}

static bool grow(struct ck_bidi *b, size_t n)
{
    if (n <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < n)
        cap *= 2;
    void *ptrs[] = {
        realloc(b->cp, cap * sizeof *b->cp),         realloc(b->types, cap * sizeof *b->types),
        realloc(b->brackets, cap * sizeof *b->brackets), realloc(b->levels, cap * sizeof *b->levels),
        realloc(b->script, cap * sizeof *b->script), realloc(b->face, cap * sizeof *b->face),
        realloc(b->text, cap * 5 + 1),
    };
    /* realloc leaves the old block alone on failure, so keep whichever pointer is valid. */
    if (ptrs[0]) b->cp = ptrs[0];
    if (ptrs[1]) b->types = ptrs[1];
    if (ptrs[2]) b->brackets = ptrs[2];
    if (ptrs[3]) b->levels = ptrs[3];
    if (ptrs[4]) b->script = ptrs[4];
    if (ptrs[5]) b->face = ptrs[5];
    if (ptrs[6]) b->text = ptrs[6];
    for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++)
        if (!ptrs[i])
            return false;
    b->cap = cap;
    return true;
}

static bool grow_runs(struct ck_bidi *b, size_t n)
{
    if (n <= b->runcap)
        return true;
    size_t cap = b->runcap ? b->runcap * 2 : 32;
    while (cap < n)
        cap *= 2;
    struct ck_run *runs = realloc(b->runs, cap * sizeof *runs);
    if (runs)
        b->runs = runs;
    struct ck_run *vis = realloc(b->vis, cap * sizeof *vis);
    if (vis)
        b->vis = vis;
    size_t *off = realloc(b->run_off, cap * sizeof *off);
    if (off)
        b->run_off = off;
    int *lev = realloc(b->run_level, cap * sizeof *lev);
    if (lev)
        b->run_level = lev;
    size_t *order = realloc(b->order, cap * sizeof *order);
    if (order)
        b->order = order;
    if (!runs || !vis || !off || !lev || !order)
        return false;
    b->runcap = cap;
    return true;
}

/* Explicit bidi formatting characters: they steer FriBidi and are then removed (X9). */
static bool bidi_control(uint32_t c)
{
    return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2066 && c <= 0x2069);
}

/* Characters that need no glyph: controls and default-ignorables (joiners, variation
 * selectors, invisible operators). HarfBuzz hides them; they are never "missing". */
static bool ignorable(uint32_t c)
{
    return c < 0x20 || (c >= 0x7F && c < 0xA0) || c == 0xAD || c == 0x034F || c == 0x061C ||
           (c >= 0x115F && c <= 0x1160) || (c >= 0x180B && c <= 0x180F) ||
           (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2060 && c <= 0x206F) || c == 0x3164 || (c >= 0xFE00 && c <= 0xFE0F) ||
           c == 0xFEFF || c == 0xFFA0 || (c >= 0xFFF0 && c <= 0xFFF8) ||
           (c >= 0x1D173 && c <= 0x1D17A) || (c >= 0xE0000 && c <= 0xE0FFF);
}

static bool is_virama(uint32_t c)
{
    switch (c) {
    case 0x094D: case 0x09CD: case 0x0A4D: case 0x0ACD: case 0x0B4D:
    case 0x0BCD: case 0x0C4D: case 0x0CCD: case 0x0D4D: case 0x0DCA:
        return true;
    default:
        return false;
    }
}

static bool is_mark(hb_unicode_general_category_t cat)
{
    return cat == HB_UNICODE_GENERAL_CATEGORY_NON_SPACING_MARK ||
           cat == HB_UNICODE_GENERAL_CATEGORY_SPACING_MARK ||
           cat == HB_UNICODE_GENERAL_CATEGORY_ENCLOSING_MARK;
}

bool ck_bidi_extends(uint32_t prev, uint32_t cp)
{
    if (cp == 0x200C || cp == 0x200D || prev == 0x200D)
        return true; /* ZWNJ/ZWJ belong to the cluster before; ZWJ also joins the next one */
    if ((cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF))
        return true;
    if (cp < 0x300)
        return false;
    hb_unicode_funcs_t *uf = hb_unicode_funcs_get_default();
    hb_unicode_general_category_t cat = hb_unicode_general_category(uf, cp);
    if (is_mark(cat))
        return true;
    /* A consonant after a virama forms a conjunct with the one before (UAX #29 GB9c). */
    if (is_virama(prev) && cat == HB_UNICODE_GENERAL_CATEGORY_OTHER_LETTER)
        return true;
    /* Conjoining Hangul jamo: vowels and finals after a leading consonant or a syllable. */
    if (cp >= 0x1160 && cp <= 0x11FF &&
        ((prev >= 0x1100 && prev <= 0x11FF) || (prev >= 0xAC00 && prev <= 0xD7A3)))
        return true;
    return cp >= 0x1100 && cp <= 0x115F && prev >= 0x1100 && prev <= 0x115F;
}

static enum ck_face face_of_script(const struct ck_ui *ui, hb_script_t sc)
{
    switch (sc) {
    case HB_SCRIPT_ARABIC: return ui->lang.arabic;
    case HB_SCRIPT_BENGALI: return CK_FACE_BENGALI;
    case HB_SCRIPT_HAN:
    case HB_SCRIPT_HIRAGANA:
    case HB_SCRIPT_KATAKANA:
    case HB_SCRIPT_BOPOMOFO: return ui->lang.han;
    case HB_SCRIPT_HANGUL: return ui->lang.hangul;
    default: return CK_FACE_LATIN;
    }
}

/* The face that draws cp: the script's own if its font has the glyph, else the first face
 * (in the language's preference) that has it; -1 if none does. */
static int find_face(struct ck_ui *ui, struct ck_fontspec spec, enum ck_face primary, uint32_t cp)
{
    if (primary == CK_FACE_LATIN && cp >= 0x20 && cp < 0x7F)
        return CK_FACE_LATIN; /* printable ASCII: always in Noto Sans */
    TTF_Font *f = ck_font_get(ui, spec, primary);
    if (f && TTF_GlyphIsProvided32(f, cp))
        return (int)primary;
    enum ck_face order[] = {CK_FACE_LATIN,  ui->lang.arabic, CK_FACE_BENGALI, ui->lang.han,
                            ui->lang.hangul, CK_FACE_ARABIC,  CK_FACE_NASTALIQ, CK_FACE_CJK_TC,
                            CK_FACE_CJK_SC,  CK_FACE_CJK_KR};
    unsigned tried = 1u << primary;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (tried & (1u << order[i]))
            continue;
        tried |= 1u << order[i];
        /* Ask fontconfig's cached charset first: no font is opened only to lack the glyph. */
        if (!ck_font_covers(ui, order[i], cp))
            continue;
        f = ck_font_get(ui, spec, order[i]);
        if (f && TTF_GlyphIsProvided32(f, cp))
            return (int)order[i];
    }
    return -1;
}

/* The paragraph direction of a line: the UI language's, unless every strong character of the
 * line (outside isolates) runs the other way. A translated sentence always has letters of
 * its language, so it follows the UI; a resident's Latin address or e-mail shown alone in an
 * Arabic UI stays "120 Main Street" rather than "Main Street 120", and an Arabic name alone
 * in an English UI reads right to left. */
static bool line_rtl(const struct ck_ui *ui, const struct ck_bidi *b, size_t n)
{
    size_t ltr = 0, rtl = 0;
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        FriBidiCharType t = b->types[i];
        if (t == FRIBIDI_TYPE_PDI)
            depth -= depth > 0;
        else if (FRIBIDI_IS_ISOLATE(t))
            depth++;
        else if (!depth && t == FRIBIDI_TYPE_LTR)
            ltr++;
        else if (!depth && (t == FRIBIDI_TYPE_RTL || t == FRIBIDI_TYPE_AL))
            rtl++;
    }
    return ui->lang.rtl ? !(ltr && !rtl) : (rtl && !ltr);
}

/* Levels by FriBidi when the line needs them: a right-to-left paragraph, or any right-to-left
 * character, Arabic number, or explicit embedding or isolate. Otherwise everything is 0. */
static void resolve_levels(const struct ck_ui *ui, struct ck_bidi *b, size_t n)
{
    fribidi_get_bidi_types(b->cp, (FriBidiStrIndex)n, b->types);
    bool rtl = line_rtl(ui, b, n), need = rtl;
    for (size_t i = 0; i < n && !need; i++) {
        FriBidiCharType t = b->types[i];
        need = t == FRIBIDI_TYPE_RTL || t == FRIBIDI_TYPE_AL || t == FRIBIDI_TYPE_AN ||
               FRIBIDI_IS_EXPLICIT(t) || FRIBIDI_IS_ISOLATE(t);
    }
    if (need) {
        fribidi_get_bracket_types(b->cp, (FriBidiStrIndex)n, b->types, b->brackets);
        FriBidiParType dir = rtl ? FRIBIDI_PAR_RTL : FRIBIDI_PAR_LTR;
        if (fribidi_get_par_embedding_levels_ex(b->types, b->brackets, (FriBidiStrIndex)n, &dir,
                                                b->levels))
            return;
    }
    memset(b->levels, rtl ? 1 : 0, n * sizeof *b->levels);
}

/* Common code points (spaces, digits, punctuation) take the script of the text after them at
 * the same bidi level, else of the text before them: "120 Main St" inside Arabic is drawn in
 * one Latin run, the spaces of an Arabic sentence in its Arabic runs. Inherited ones
 * (combining marks) take their base's. A line of nothing but common characters is Latin. */
static void resolve_scripts(struct ck_bidi *b, size_t n)
{
    hb_unicode_funcs_t *uf = hb_unicode_funcs_get_default();
    for (size_t i = 0; i < n; i++) {
        uint32_t c = b->cp[i];
        hb_script_t sc = ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ? HB_SCRIPT_LATIN
                         : c < 0x80                               ? HB_SCRIPT_COMMON
                                                                  : hb_unicode_script(uf, c);
        if (sc == HB_SCRIPT_UNKNOWN)
            sc = HB_SCRIPT_COMMON;
        b->script[i] = sc;
    }
    for (size_t i = n; i-- > 0;) {
        if (b->script[i] != HB_SCRIPT_COMMON || i + 1 == n || b->levels[i + 1] != b->levels[i])
            continue;
        hb_script_t next = b->script[i + 1];
        if (next != HB_SCRIPT_COMMON && next != HB_SCRIPT_INHERITED)
            b->script[i] = next;
    }
    hb_script_t last = HB_SCRIPT_INVALID;
    for (size_t i = 0; i < n; i++) {
        if (b->script[i] == HB_SCRIPT_COMMON || b->script[i] == HB_SCRIPT_INHERITED)
            b->script[i] = last;
        else
            last = b->script[i];
    }
    hb_script_t first = HB_SCRIPT_LATIN;
    for (size_t i = 0; i < n; i++)
        if (b->script[i] != HB_SCRIPT_INVALID) {
            first = b->script[i];
            break;
        }
    for (size_t i = 0; i < n && b->script[i] == HB_SCRIPT_INVALID; i++)
        b->script[i] = first;
}

/* Chooses each code point's face and counts the ones no font can draw. */
static void resolve_faces(struct ck_ui *ui, struct ck_fontspec spec, struct ck_bidi *b, size_t n,
                          struct ck_runs *out)
{
    hb_unicode_funcs_t *uf = hb_unicode_funcs_get_default();
    int prev = -1;
    uint32_t prev_cp = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = b->cp[i];
        if (bidi_control(c) || (c < 0x20 && c != '\t') || (c >= 0x7F && c < 0xA0)) {
            b->face[i] = -1;
            continue;
        }
        enum ck_face primary = face_of_script(ui, b->script[i]);
        int face;
        if (ignorable(c)) {
            face = prev >= 0 ? prev : (int)primary;
        } else if (c < 0x80) {
            face = find_face(ui, spec, primary, c);
        } else {
            hb_unicode_general_category_t cat = hb_unicode_general_category(uf, c);
            bool bad = cat == HB_UNICODE_GENERAL_CATEGORY_PRIVATE_USE ||
                       cat == HB_UNICODE_GENERAL_CATEGORY_UNASSIGNED ||
                       cat == HB_UNICODE_GENERAL_CATEGORY_SURROGATE;
            if (bad) {
                face = -1;
            } else if (prev >= 0 && (is_mark(cat) || ck_bidi_extends(prev_cp, c))) {
                /* Marks and conjunct parts stay in their base's font, or they cannot attach. */
                TTF_Font *f = ck_font_get(ui, spec, (enum ck_face)prev);
                if (f && TTF_GlyphIsProvided32(f, c))
                    face = prev;
                else if (is_mark(cat))
                    face = -1; /* a mark its base's font lacks: drawn as a box */
                else
                    face = find_face(ui, spec, primary, c);
            } else {
                face = find_face(ui, spec, primary, c);
            }
        }
        if (face < 0) {
            if (!out->missing)
                out->missing_cp = c;
            out->missing++;
            face = prev >= 0 ? prev : (int)primary; /* drawn as the font's "no glyph" box */
        }
        b->face[i] = (signed char)face;
        prev = face;
        prev_cp = c;
    }
}

/* Rule L2: from the highest level down to the lowest odd one, reverse every maximal sequence
 * of runs at that level or above. */
static void reorder(struct ck_bidi *b, size_t n)
{
    int hi = 0, lo_odd = 1000;
    for (size_t i = 0; i < n; i++) {
        b->order[i] = i;
        hi = b->run_level[i] > hi ? b->run_level[i] : hi;
        if ((b->run_level[i] & 1) && b->run_level[i] < lo_odd)
            lo_odd = b->run_level[i];
    }
    for (int lev = hi; lev >= lo_odd; lev--) {
        for (size_t i = 0; i < n;) {
            if (b->run_level[b->order[i]] < lev) {
                i++;
                continue;
            }
            size_t j = i;
            while (j < n && b->run_level[b->order[j]] >= lev)
                j++;
            for (size_t a = i, z = j - 1; a < z; a++, z--) {
                size_t t = b->order[a];
                b->order[a] = b->order[z];
                b->order[z] = t;
            }
            i = j;
        }
    }
}

enum ck_err ck_bidi_runs(struct ck_ui *ui, struct ck_fontspec spec, const char *s, size_t len,
                         struct ck_runs *out)
{
    memset(out, 0, sizeof *out);
    ck_font_next_epoch(ui);
    if (!ui->bidi && !(ui->bidi = calloc(1, sizeof *ui->bidi)))
        return CK_ERR_NOMEM;
    struct ck_bidi *b = ui->bidi;
    if (!grow(b, len + 1))
        return CK_ERR_NOMEM;
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        i += ck_utf8_decode(s + i, len - i, &b->cp[n]);
        n++;
    }
    if (!n)
        return CK_OK;
    resolve_levels(ui, b, n);
    resolve_scripts(b, n);
    resolve_faces(ui, spec, b, n, out);

    /* Logical runs: a new one wherever the level, the face or the script changes. */
    size_t nruns = 0, tlen = 0;
    for (size_t i = 0; i < n; i++) {
        if (b->face[i] < 0)
            continue;
        bool same = nruns && b->run_level[nruns - 1] == b->levels[i] &&
                    b->runs[nruns - 1].face == (enum ck_face)b->face[i];
        if (same && b->script[i] != HB_SCRIPT_INVALID) {
            char tag[5];
            hb_tag_to_string(hb_script_to_iso15924_tag(b->script[i]), tag);
            same = memcmp(tag, b->runs[nruns - 1].script, 4) == 0;
        }
        if (!same) {
            if (!grow_runs(b, nruns + 1))
                return CK_ERR_NOMEM;
            if (nruns)
                b->text[tlen++] = '\0'; /* each run's text is a C string for SDL_ttf */
            struct ck_run *r = &b->runs[nruns];
            memset(r, 0, sizeof *r);
            r->face = (enum ck_face)b->face[i];
            r->spec = spec;
            r->rtl = b->levels[i] & 1;
            hb_tag_to_string(hb_script_to_iso15924_tag(b->script[i]), r->script);
            r->script[4] = '\0';
            b->run_level[nruns] = b->levels[i];
            b->run_off[nruns] = tlen;
            nruns++;
        }
        tlen += ck_utf8_encode(b->cp[i] == '\t' ? ' ' : b->cp[i], b->text + tlen);
        b->runs[nruns - 1].len = tlen - b->run_off[nruns - 1];
    }
    if (!nruns)
        return CK_OK;
    b->text[tlen] = '\0';
    for (size_t r = 0; r < nruns; r++) {
        b->runs[r].text = b->text + b->run_off[r];
        b->runs[r].font = ck_font_get(ui, spec, b->runs[r].face);
        if (!b->runs[r].font) { /* the face is not installed: its code points were counted */
            b->runs[r].face = CK_FACE_LATIN;
            b->runs[r].font = ck_font_get(ui, spec, CK_FACE_LATIN);
        }
    }
    b->runs[nruns - 1].has_end = true; /* runs are still in logical order here */
    reorder(b, nruns);
    for (size_t i = 0; i < nruns; i++)
        b->vis[i] = b->runs[b->order[i]];
    out->run = b->vis;
    out->n = nruns;
    return CK_OK;
}

void ck_bidi_prepare(struct ck_ui *ui, const struct ck_run *r)
{
    ck_font_get(ui, r->spec, r->face); /* a shared font may have been resized since */
    TTF_SetFontDirection(r->font, r->rtl ? TTF_DIRECTION_RTL : TTF_DIRECTION_LTR);
    TTF_SetFontScriptName(r->font, r->script);
}
