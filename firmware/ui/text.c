/* text.c: the text engine's front: a line of logical text is split into runs (bidi.c), each
 * run shaped and rendered by SDL2_ttf (HarfBuzz) in its own font, direction and script, and the
 * runs put side by side in visual order on a common baseline. Rendered lines and measured
 * widths are cached, so a redraw is a copy. Also: the UI language (direction, fonts), the
 * count of glyphs no font has, and isolating codes inside sentences. UI thread only. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "ui/theme.h"
#include "core/utf8.h"
#include "ui/ui_int.h"

/* Design sizes in pixels at 1080 px on the short side. */
static const int FONT_DESIGN_PX[CK_FONT_COUNT] = {
    [CK_FONT_SMALL] = 28, [CK_FONT_BODY] = 36, [CK_FONT_BUTTON] = 36,
    [CK_FONT_TITLE] = 50, [CK_FONT_HUGE] = 96,
};
static const bool FONT_BOLD[CK_FONT_COUNT] = {
    [CK_FONT_BUTTON] = true, [CK_FONT_TITLE] = true, [CK_FONT_HUGE] = true,
};

/* How far, in ems, a script's ink rises above and falls below the baseline in running text
 * (measured on sample sentences): a line box is made tall enough for the language's own
 * script. Noto Sans's own metrics already hold Bengali and CJK; Arabic descends further, and
 * Nastaliq slopes far above and below. Other fonts' declared metrics are much larger than
 * their ink and would space lines needlessly wide. */
static const struct {
    float asc, desc;
} FACE_EM[CK_FACE_COUNT] = {
    [CK_FACE_ARABIC] = {1.0f, 0.42f},  [CK_FACE_NASTALIQ] = {1.65f, 0.55f},
    [CK_FACE_BENGALI] = {1.05f, 0.3f}, [CK_FACE_CJK_TC] = {0.95f, 0.22f},
    [CK_FACE_CJK_SC] = {0.95f, 0.22f}, [CK_FACE_CJK_KR] = {0.95f, 0.22f},
};

#define CK_MEASURE_CACHE 4096

struct measure_entry {
    uint64_t hash;
    size_t len;
    int key;
    unsigned ctx;
    int w;
    unsigned last_used;
};

static uint64_t hash_bytes(const char *s, size_t len, uint64_t h)
{
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

static void drop_entry(struct ck_ui *ui, struct text_entry *e)
{
    free(e->text);
    if (e->tex) {
        SDL_DestroyTexture(e->tex);
        ui->cache_bytes -= (size_t)e->w * (size_t)e->h * 4;
    }
    memset(e, 0, sizeof *e);
}

/* ------------------------------------------------------------------ language */

void ck_ui_set_language(struct ck_ui *ui, const char *lang)
{
    struct ck_textlang l = {.arabic = CK_FACE_ARABIC, .han = CK_FACE_CJK_TC,
                            .hangul = CK_FACE_CJK_TC, .main = CK_FACE_LATIN};
    snprintf(l.code, sizeof l.code, "%s", lang && *lang ? lang : "en");
    for (char *p = l.code; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p == '_' ? '-' : *p);
    char primary[8];
    size_t n = strcspn(l.code, "-");
    snprintf(primary, sizeof primary, "%.*s", (int)(n < 7 ? n : 7), l.code);
    static const char *const RTL[] = {"ar", "ur", "fa", "he", "iw", "ps", "sd", "ug", "yi", "dv", "ckb"};
    for (size_t i = 0; i < sizeof RTL / sizeof RTL[0]; i++)
        l.rtl |= strcmp(primary, RTL[i]) == 0;
    if (strcmp(primary, "ur") == 0)
        l.arabic = CK_FACE_NASTALIQ;
    if (strcmp(primary, "zh") == 0) {
        const char *region = l.code + n;
        bool simplified = strstr(region, "hans") || strstr(region, "-cn") || strstr(region, "-sg");
        l.han = l.hangul = simplified ? CK_FACE_CJK_SC : CK_FACE_CJK_TC;
        l.main = l.han;
    } else if (strcmp(primary, "ko") == 0) {
        l.han = l.hangul = l.main = CK_FACE_CJK_KR;
    } else if (strcmp(primary, "ar") == 0 || strcmp(primary, "ur") == 0 ||
               strcmp(primary, "fa") == 0) {
        l.main = l.arabic;
    } else if (strcmp(primary, "bn") == 0) {
        l.main = CK_FACE_BENGALI;
    }
    l.ctx = (unsigned)l.rtl | (unsigned)l.arabic << 1 | (unsigned)l.han << 4 |
            (unsigned)l.hangul << 7 | (unsigned)l.main << 10;
    ui->lang = l;
}

bool ck_ui_rtl(const struct ck_ui *ui)
{
    return ui->lang.rtl;
}

const char *ck_ui_language(const struct ck_ui *ui)
{
    return ui->lang.code;
}

const char *ck_ui_isolate(char *buf, size_t buflen, const char *s)
{
    if (buflen < 7) { /* room for FSI, PDI and the NUL, or nothing at all */
        if (buflen)
            buf[0] = '\0';
        return buf;
    }
    size_t n = strlen(s ? s : ""), room = buflen - 7;
    if (n > room) {
        n = room;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80) /* cut at a code point */
            n--;
    }
    memcpy(buf, "\xE2\x81\xA8", 3); /* U+2068 FIRST STRONG ISOLATE */
    if (n)
        memcpy(buf + 3, s, n);
    memcpy(buf + 3 + n, "\xE2\x81\xA9", 4); /* U+2069 POP DIRECTIONAL ISOLATE, NUL */
    return buf;
}

/* ------------------------------------------------------------------ lifecycle */

enum ck_err ck_text_init(struct ck_ui *ui, char *err, size_t errlen)
{
    enum ck_err rc = ck_font_init(ui, err, errlen);
    if (rc)
        return rc;
    ck_text_rescale(ui);
    ck_ui_set_language(ui, "en");
    ui->measures = calloc(CK_MEASURE_CACHE, sizeof *ui->measures);
    if (!ui->measures)
        return ck_fail(err, errlen, CK_ERR_NOMEM, "no memory for the text cache");
    /* Open the body font now: a broken font file shows at startup, not on the first frame. */
    if (!ck_font_get(ui, ui->font_spec[CK_FONT_BODY], CK_FACE_LATIN))
        return ck_fail(err, errlen, CK_ERR_IO, "Noto Sans: %s", TTF_GetError());
    return CK_OK;
}

void ck_text_rescale(struct ck_ui *ui)
{
    /* Large text: text grows with the layout, but what is already large (titles, the receipt
     * code) grows half as much, as headings do in phones' large-text settings, so a title
     * does not take the page. */
    double z = ui->scale / ui->base_scale;
    for (int f = 0; f < CK_FONT_COUNT; f++) {
        double k = FONT_DESIGN_PX[f] >= 48 ? 1 + (z - 1) / 2 : z;
        int px = (int)(FONT_DESIGN_PX[f] * ui->base_scale * k + 0.5);
        ui->font_spec[f] = (struct ck_fontspec){px < 1 ? 1 : px, FONT_BOLD[f], false};
    }
}

void ck_text_deinit(struct ck_ui *ui)
{
    for (int i = 0; i < CK_TEXT_CACHE; i++)
        drop_entry(ui, &ui->cache[i]);
    free(ui->measures);
    ui->measures = NULL;
    ck_wrap_deinit(ui);
    ck_bidi_deinit(ui);
    ck_font_deinit(ui);
}

struct ck_fontspec ck_text_spec(const struct ck_ui *ui, enum ck_font f)
{
    return ui->font_spec[f];
}

/* True when s has no letter of the scripts whose faces set taller lines (Hebrew, Arabic and
 * Urdu, the Indic scripts): a key "q", an arrow, a code or a number. */
static bool latin_line(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = ck_utf8_decode(s + i, len - i, &cp);
        if (!n)
            return false;
        if ((cp >= 0x0590 && cp <= 0x0DFF) || (cp >= 0xFB1D && cp <= 0xFDFF) ||
            (cp >= 0xFE70 && cp <= 0xFEFF))
            return false;
        i += n;
    }
    return true;
}

/* A line's ascent and height: the Latin font's, or the language's main face's where that is
 * taller (Nastaliq) — unless the text has no letter of such a script (a key "q", an arrow, a
 * code, a number): it is set in the Latin font and needs only its room. s may be NULL: the language's line. */
static void line_metrics(struct ck_ui *ui, struct ck_fontspec spec, const char *s, size_t len,
                         int *ascent, int *height)
{
    TTF_Font *latin = ck_font_get(ui, spec, CK_FACE_LATIN);
    int a = latin ? TTF_FontAscent(latin) : spec.px;
    int d = latin ? TTF_FontLineSkip(latin) - a : spec.px / 3;
    if (FACE_EM[ui->lang.main].asc > 0 && !(s && latin_line(s, len))) {
        int fa = (int)ceilf(FACE_EM[ui->lang.main].asc * (float)spec.px);
        int fd = (int)ceilf(FACE_EM[ui->lang.main].desc * (float)spec.px);
        a = fa > a ? fa : a;
        d = fd > d ? fd : d;
    }
    *ascent = a;
    *height = a + d;
}

int ck_text_line_height(struct ck_ui *ui, enum ck_font f, int *ascent)
{
    int a, h;
    line_metrics(ui, ck_text_spec(ui, f), NULL, 0, &a, &h);
    if (ascent)
        *ascent = a;
    return h;
}

int ck_text_line_height_for(struct ck_ui *ui, enum ck_font f, const char *s)
{
    int a, h;
    line_metrics(ui, ck_text_spec(ui, f), s, s ? strlen(s) : 0, &a, &h);
    return h;
}

/* ------------------------------------------------------------------ missing glyphs */

void ck_text_frame_begin(struct ck_ui *ui)
{
    ui->frame_tick = ++ui->tick;
    ui->missing = 0;
    ui->missing_example[0] = '\0';
}

void ck_text_note_missing(struct ck_ui *ui, size_t n, uint32_t cp, const char *s, size_t len)
{
    if (!n)
        return;
    if (!ui->missing) {
        size_t show = len > 60 ? 60 : len;
        while (show < len && show && ((unsigned char)s[show] & 0xC0) == 0x80)
            show--;
        snprintf(ui->missing_example, sizeof ui->missing_example, "U+%04X in \"%.*s%s\"",
                 (unsigned)cp, (int)show, s, show < len ? "\xE2\x80\xA6" : "");
    }
    ui->missing += n;
}

size_t ck_ui_missing_glyphs(const struct ck_ui *ui, char *example, size_t examplelen)
{
    if (example && examplelen)
        snprintf(example, examplelen, "%s", ui->missing ? ui->missing_example : "");
    return ui->missing;
}

/* ------------------------------------------------------------------ rendering */

static bool row_has_ink(SDL_Surface *s, int y)
{
    const Uint32 *row = (const Uint32 *)((const Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch);
    for (int x = 0; x < s->w; x++)
        if (row[x] & s->format->Amask)
            return true;
    return false;
}

/* Where the baseline is in a run's surface. SDL_ttf puts it at the font's ascent, unless a
 * glyph rises above the ascent (the surface then grows at the top) or falls below the
 * descent (it grows at the bottom); which one happened shows in the first and last rows. */
static int baseline_in(SDL_Surface *s, TTF_Font *f)
{
    int extra = s->h - TTF_FontHeight(f), asc = TTF_FontAscent(f);
    if (extra <= 0)
        return asc;
    SDL_LockSurface(s);
    bool top = row_has_ink(s, 0), bottom = row_has_ink(s, s->h - 1);
    SDL_UnlockSurface(s);
    return asc + (top && !bottom ? extra : top && bottom ? extra / 2 : 0);
}

SDL_Surface *ck_text_render(struct ck_ui *ui, struct ck_fontspec spec, SDL_Color c, const char *s,
                            size_t len, struct ck_line_info *info)
{
    memset(info, 0, sizeof *info);
    struct ck_runs runs;
    if (ck_bidi_runs(ui, spec, s, len, &runs) || !runs.n)
        return NULL;
    info->missing = runs.missing;
    info->missing_cp = runs.missing_cp;
    int ascent, height;
    line_metrics(ui, spec, s, len, &ascent, &height);
    SDL_Surface *one[8], **surf = runs.n <= 8 ? one : calloc(runs.n, sizeof *surf);
    int yone[8], *y = runs.n <= 8 ? yone : calloc(runs.n, sizeof *y);
    if (!surf || !y) {
        if (surf != one)
            free(surf);
        if (y != yone)
            free(y);
        return NULL;
    }
    int w = 0, lo = INT_MAX, hi = INT_MIN, drawn = 0, last = -1;
    for (size_t i = 0; i < runs.n; i++) {
        const struct ck_run *r = &runs.run[i];
        surf[i] = NULL;
        if (!r->font || !r->len)
            continue;
        ck_bidi_prepare(ui, r);
        surf[i] = TTF_RenderUTF8_Blended(r->font, r->text, c);
        if (r->has_end) { /* the caret: after the logical end, on the run's reading side */
            info->caret = w + (surf[i] && !r->rtl ? surf[i]->w : 0);
            info->caret_rtl = r->rtl;
        }
        if (!surf[i])
            continue; /* nothing visible (only joiners, say) */
        y[i] = ascent - baseline_in(surf[i], r->font);
        lo = y[i] < lo ? y[i] : lo;
        hi = y[i] + surf[i]->h > hi ? y[i] + surf[i]->h : hi;
        w += surf[i]->w;
        drawn++;
        last = (int)i;
    }
    SDL_Surface *out = NULL;
    if (drawn == 1) { /* the usual case: one run is the line */
        out = surf[last];
        surf[last] = NULL;
        info->top = y[last];
    } else if (drawn > 1) {
        out = SDL_CreateRGBSurfaceWithFormat(0, w, hi - lo, 32, SDL_PIXELFORMAT_ARGB8888);
        if (out) {
            /* Transparent pixels of the text colour, so blending the runs in keeps edges true. */
            SDL_FillRect(out, NULL, SDL_MapRGBA(out->format, c.r, c.g, c.b, 0));
            for (size_t i = 0, x = 0; i < runs.n; i++) {
                if (!surf[i])
                    continue;
                SDL_SetSurfaceBlendMode(surf[i], SDL_BLENDMODE_BLEND);
                SDL_BlitSurface(surf[i], NULL, out, &(SDL_Rect){(int)x, y[i] - lo, 0, 0});
                x += (size_t)surf[i]->w;
            }
            info->top = lo;
        }
    }
    for (size_t i = 0; i < runs.n; i++)
        if (surf[i])
            SDL_FreeSurface(surf[i]);
    if (surf != one)
        free(surf);
    if (y != yone)
        free(y);
    return out;
}

/* Keeps the rendered lines under their byte budget (tall lines of Nastaliq, wide screens),
 * dropping the least recently used ones; never those of the frame being drawn, so a screen
 * with more text than the budget redraws as copies all the same. */
static void trim_cache(struct ck_ui *ui)
{
    while (ui->cache_bytes > CK_TEXT_CACHE_BYTES) {
        struct text_entry *lru = NULL;
        for (size_t i = 0; i < CK_TEXT_CACHE; i++) {
            struct text_entry *e = &ui->cache[i];
            if (e->tex && e->last_used < ui->frame_tick && (!lru || e->last_used < lru->last_used))
                lru = e;
        }
        if (!lru)
            return;
        drop_entry(ui, lru);
    }
}

/* The cached texture of a line, rendering it on a miss. A set-associative cache: a line may
 * live in one of 4 slots; the least recently used is evicted. */
static struct text_entry *lookup(struct ck_ui *ui, enum ck_font f, enum ck_color col, const char *s,
                                 size_t len)
{
    struct ck_rgba rgba = ck_theme_color(col);
    SDL_Color c = {rgba.r, rgba.g, rgba.b, rgba.a};
    struct ck_fontspec spec = ck_text_spec(ui, f);
    int key = ck_font_key(spec);
    uint64_t h = hash_bytes(s, len, 1469598103934665603u ^ (uint64_t)key ^
                                        (uint64_t)ui->lang.ctx << 14 ^ (uint64_t)c.r << 24 ^
                                        (uint64_t)c.g << 32 ^ (uint64_t)c.b << 40);
    size_t base = (size_t)(h % (CK_TEXT_CACHE / 4)) * 4;
    struct text_entry *victim = &ui->cache[base];
    ui->tick++;
    for (size_t i = base; i < base + 4; i++) {
        struct text_entry *e = &ui->cache[i];
        if (e->text && e->key == key && e->ctx == ui->lang.ctx && e->color.r == c.r &&
            e->color.g == c.g && e->color.b == c.b && strlen(e->text) == len &&
            memcmp(e->text, s, len) == 0) {
            e->last_used = ui->tick;
            return e;
        }
        if (!e->text || (victim->text && e->last_used < victim->last_used))
            victim = e;
    }
    drop_entry(ui, victim);
    victim->text = strndup(s, len);
    if (!victim->text)
        return NULL;
    SDL_Surface *surf = ck_text_render(ui, spec, c, s, len, &victim->info);
    if (surf) {
        victim->tex = SDL_CreateTextureFromSurface(ui->r, surf);
        if (victim->tex) {
            victim->w = surf->w;
            victim->h = surf->h;
            ui->cache_bytes += (size_t)victim->w * (size_t)victim->h * 4;
        }
        SDL_FreeSurface(surf);
    }
    victim->key = key;
    victim->ctx = ui->lang.ctx;
    victim->color = c;
    victim->last_used = ui->tick;
    trim_cache(ui);
    return victim;
}

int ck_text_line(struct ck_ui *ui, enum ck_font f, enum ck_color c, int x, int y, const char *s,
                 size_t len)
{
    if (!len)
        return 0;
    struct text_entry *e = lookup(ui, f, c, s, len);
    if (!e)
        return 0;
    ck_text_note_missing(ui, e->info.missing, e->info.missing_cp, s, len);
    if (e->tex) {
        SDL_Rect dst = ck_ui_screen_rect(ui, x, y + e->info.top, e->w, e->h);
        SDL_RenderCopy(ui->r, e->tex, NULL, &dst);
    }
    return e->w;
}

int ck_text_caret(struct ck_ui *ui, enum ck_font f, enum ck_color c, const char *s, size_t len,
                  bool *rtl)
{
    struct text_entry *e = len ? lookup(ui, f, c, s, len) : NULL;
    *rtl = e ? e->info.caret_rtl : ui->lang.rtl;
    return e ? e->info.caret : 0;
}

int ck_text_measure(struct ck_ui *ui, enum ck_font f, const char *s, size_t len)
{
    if (!len)
        return 0;
    struct ck_fontspec spec = ck_text_spec(ui, f);
    int key = ck_font_key(spec);
    uint64_t h = hash_bytes(s, len, 1469598103934665603u ^ (uint64_t)key ^ (uint64_t)ui->lang.ctx << 14);
    size_t base = (size_t)(h % (CK_MEASURE_CACHE / 4)) * 4;
    struct measure_entry *victim = &ui->measures[base];
    ui->tick++;
    for (size_t i = base; i < base + 4; i++) {
        struct measure_entry *e = &ui->measures[i];
        if (e->last_used && e->hash == h && e->len == len && e->key == key && e->ctx == ui->lang.ctx) {
            e->last_used = ui->tick;
            return e->w;
        }
        if (!e->last_used || (victim->last_used && e->last_used < victim->last_used))
            victim = e;
    }
    struct ck_runs runs;
    int total = 0;
    if (!ck_bidi_runs(ui, spec, s, len, &runs)) {
        for (size_t i = 0; i < runs.n; i++) {
            int w = 0;
            if (!runs.run[i].font || !runs.run[i].len)
                continue;
            ck_bidi_prepare(ui, &runs.run[i]);
            if (TTF_SizeUTF8(runs.run[i].font, runs.run[i].text, &w, NULL) == 0)
                total += w;
        }
    }
    *victim = (struct measure_entry){h, len, key, ui->lang.ctx, total, ui->tick};
    return total;
}
