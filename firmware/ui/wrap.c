/* wrap.c: line breaking. Works on logical text (each line is reordered for display when it is
 * drawn): breaks at spaces for alphabetic scripts, Arabic, Bengali and Korean; between two
 * CJK characters for Chinese (never before closing punctuation nor after opening one); and
 * inside a word too long for any line only between grapheme clusters, so a base letter keeps
 * its marks and a Bengali conjunct stays whole. Layouts are cached by (text, font, width,
 * language), so an unchanged screen lays out for the price of a lookup. UI thread only. */
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "ui/ui_int.h"

#define CK_LAYOUT_CACHE 256 /* 64 sets of 4 */
#define CK_LAYOUT_MAX_TEXT 16384 /* longer texts are laid out every time */

struct layout_entry {
    char *text;
    size_t len;
    int key, width;
    unsigned ctx;
    int *lines; /* offset, length pairs */
    int n;
    unsigned last_used;
};

void ck_wrap_deinit(struct ck_ui *ui)
{
    if (!ui->layouts)
        return;
    for (size_t i = 0; i < CK_LAYOUT_CACHE; i++) {
        free(ui->layouts[i].text);
        free(ui->layouts[i].lines);
    }
    free(ui->layouts);
    ui->layouts = NULL;
}

/* CJK ideographs, kana, bopomofo and their punctuation: a line may break between two of them.
 * Hangul is not here: Korean puts spaces between words and breaks there. */
static bool is_cjk(uint32_t c)
{
    return (c >= 0x2E80 && c <= 0x2FFF) || (c >= 0x3001 && c <= 0x303F) ||
           (c >= 0x3040 && c <= 0x312F) || (c >= 0x3190 && c <= 0x31FF) ||
           (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) ||
           (c >= 0xFF01 && c <= 0xFF60) || (c >= 0x20000 && c <= 0x3FFFF);
}

/* Characters that may not start a line (closing punctuation, small kana, iteration marks)... */
static bool no_start(uint32_t c)
{
    static const uint32_t NS[] = {
        '!', ')', ',', '.', ':', ';', '?', ']', '}', 0x2019, 0x201D, 0x2026, 0x2025,
        0x3001, 0x3002, 0x3005, 0x3009, 0x300B, 0x300D, 0x300F, 0x3011, 0x3015, 0x3017,
        0x3019, 0x301F, 0x303B, 0x3041, 0x3043, 0x3045, 0x3047, 0x3049, 0x3063, 0x3083,
        0x3085, 0x3087, 0x308E, 0x309D, 0x309E, 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9,
        0x30C3, 0x30E3, 0x30E5, 0x30E7, 0x30EE, 0x30F5, 0x30F6, 0x30FB, 0x30FC, 0x30FD,
        0x30FE, 0xFF01, 0xFF09, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF1F, 0xFF3D, 0xFF5D,
        0xFF60, 0xFF61, 0xFF63, 0xFF64, 0xFE50, 0xFE51, 0xFE52, 0xFE54, 0xFE55, 0xFE56, 0xFE57,
    };
    for (size_t i = 0; i < sizeof NS / sizeof NS[0]; i++)
        if (NS[i] == c)
            return true;
    return false;
}

/* ...and characters that may not end one (opening punctuation). */
static bool no_end(uint32_t c)
{
    static const uint32_t NE[] = {'(', '[', '{', 0x2018, 0x201C, 0x3008, 0x300A, 0x300C, 0x300E,
                                  0x3010, 0x3014, 0x3016, 0x3018, 0x301D, 0xFF08, 0xFF3B,
                                  0xFF5B, 0xFF5F, 0xFF62};
    for (size_t i = 0; i < sizeof NE / sizeof NE[0]; i++)
        if (NE[i] == c)
            return true;
    return false;
}

static bool is_space(uint32_t c)
{
    return c == ' ' || c == '\t' || c == 0x3000;
}

/* True if a line may break between a and b (neither a space). */
static bool cjk_break(uint32_t a, uint32_t b)
{
    return (is_cjk(a) || is_cjk(b)) && !no_start(b) && !no_end(a) && !ck_bidi_extends(a, b);
}

/* The end of the unbreakable piece that starts at p (before its spaces). */
static const char *unit_end(const char *p, const char *end)
{
    uint32_t prev = 0;
    const char *q = p;
    while (q < end) {
        uint32_t c;
        size_t n = ck_utf8_decode(q, (size_t)(end - q), &c);
        if (is_space(c) && !(prev && ck_bidi_extends(prev, c)))
            break;
        if (q > p && cjk_break(prev, c))
            break;
        prev = c;
        q += n;
    }
    return q;
}

static const char *skip_spaces(const char *p, const char *end)
{
    while (p < end) {
        uint32_t c;
        size_t n = ck_utf8_decode(p, (size_t)(end - p), &c);
        if (!is_space(c))
            break;
        p += n;
    }
    return p;
}

/* The end of the grapheme cluster that starts at p. */
static const char *cluster_end(const char *p, const char *end)
{
    uint32_t prev;
    p += ck_utf8_decode(p, (size_t)(end - p), &prev);
    while (p < end) {
        uint32_t c;
        size_t n = ck_utf8_decode(p, (size_t)(end - p), &c);
        if (!ck_bidi_extends(prev, c))
            break;
        prev = c;
        p += n;
    }
    return p;
}

struct lines {
    int *v; /* offset, length pairs */
    int n, cap;
    bool oom;
};

static void add_line(struct lines *l, const char *text, const char *s, const char *e)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 16;
        int *v = realloc(l->v, (size_t)cap * 2 * sizeof *v);
        if (!v) {
            l->oom = true;
            return;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[2 * l->n] = (int)(s - text);
    l->v[2 * l->n + 1] = (int)(e - s);
    l->n++;
}

/* Breaks a word wider than a line into pieces at cluster boundaries; the pieces but the last
 * become lines, and the last is returned to start the next line. Cluster widths are added up
 * (cached per cluster) to find each cut, which is then checked by measuring the piece. */
static const char *split_word(struct ck_ui *ui, enum ck_font f, int width, const char *text,
                              const char *q, const char *end, struct lines *out)
{
    while (q < end) {
        const char *cut = cluster_end(q, end), *best = cut;
        int sum = ck_text_measure(ui, f, q, (size_t)(cut - q));
        while (cut < end) {
            const char *next = cluster_end(cut, end);
            sum += ck_text_measure(ui, f, cut, (size_t)(next - cut));
            if (sum > width)
                break;
            cut = best = next;
        }
        if (best == end && ck_text_measure(ui, f, q, (size_t)(end - q)) <= width)
            return q;
        /* Shaping may make the piece wider than its clusters: step back until it fits. */
        while (ck_text_measure(ui, f, q, (size_t)(best - q)) > width) {
            const char *p = q, *prev = NULL;
            while (p < best) {
                const char *e = cluster_end(p, best);
                if (e == best)
                    break;
                prev = e;
                p = e;
            }
            if (!prev)
                break; /* one cluster wider than the line: it goes alone */
            best = prev;
        }
        add_line(out, text, q, best);
        q = best;
    }
    return q;
}

/* Lays out one paragraph (no newlines) into out. A line's width is the sum of its words and
 * of the spaces between them, each measured (and cached) alone: words are where shaping
 * happens, and joining never crosses a space. */
static void wrap_paragraph(struct ck_ui *ui, enum ck_font f, int width, const char *text,
                           const char *p, const char *end, struct lines *out)
{
    const char *line = p, *word_end = p;
    int line_w = 0, sep_w = 0; /* sep_w: the spaces before the word at p */
    int units = 0;             /* words on the line: each adds a pixel or two of rounding */
    bool any = false;
    while (p < end) {
        const char *we = unit_end(p, end), *next = skip_spaces(we, end);
        int ww = ck_text_measure(ui, f, p, (size_t)(we - p));
        bool fits = line_w + sep_w + ww <= width;
        /* Near the edge, the sum of the parts can be off by a few pixels (kerning, ink that
         * overhangs a word's advance): measure the line as it will be drawn. */
        if (any && fits && line_w + sep_w + ww > width - 4 - 2 * units)
            fits = ck_text_measure(ui, f, line, (size_t)(we - line)) <= width;
        if (any && !fits) { /* the word goes to the next line */
            add_line(out, text, line, word_end);
            line = p;
            line_w = units = 0;
            any = false;
        }
        if (!any && ww > width) { /* too long for any line: split it */
            line = split_word(ui, f, width, text, p, we, out);
            line_w = ck_text_measure(ui, f, line, (size_t)(we - line));
        } else {
            line_w += (any ? sep_w : 0) + ww;
        }
        any = true;
        units++;
        word_end = we;
        sep_w = next > we ? ck_text_measure(ui, f, we, (size_t)(next - we)) : 0;
        p = next;
    }
    add_line(out, text, line, end); /* the last line keeps its trailing spaces (a field's caret) */
}

static uint64_t hash_layout(const char *s, size_t len, int key, int width, unsigned ctx)
{
    uint64_t h = 1469598103934665603u ^ (uint64_t)key ^ (uint64_t)width << 16 ^ (uint64_t)ctx << 40;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

static void run_fn(struct ck_ui *ui, const char *text, const int *v, int n, ck_line_fn fn, void *ctx)
{
    if (!fn)
        return;
    for (int i = 0; i < n; i++)
        fn(ui, text + v[2 * i], (size_t)v[2 * i + 1], i, ctx);
}

int ck_ui_layout(struct ck_ui *ui, enum ck_font f, int width, const char *text, ck_line_fn fn,
                 void *ctx)
{
    size_t len = strlen(text);
    int key = ck_font_key(ck_text_spec(ui, f));
    struct layout_entry *slot = NULL;
    if (len <= CK_LAYOUT_MAX_TEXT &&
        (ui->layouts || (ui->layouts = calloc(CK_LAYOUT_CACHE, sizeof *ui->layouts)))) {
        size_t base = (size_t)(hash_layout(text, len, key, width, ui->lang.ctx) %
                               (CK_LAYOUT_CACHE / 4)) * 4;
        ui->tick++;
        slot = &ui->layouts[base];
        for (size_t i = base; i < base + 4; i++) {
            struct layout_entry *e = &ui->layouts[i];
            if (e->text && e->len == len && e->key == key && e->width == width &&
                e->ctx == ui->lang.ctx && memcmp(e->text, text, len) == 0) {
                e->last_used = ui->tick;
                run_fn(ui, text, e->lines, e->n, fn, ctx); /* lines point into the caller's text */
                return e->n;
            }
            if (!e->text || (slot->text && e->last_used < slot->last_used))
                slot = e;
        }
    }
    struct lines out = {0};
    const char *p = text;
    for (;;) {
        const char *para_end = strchr(p, '\n');
        if (!para_end)
            para_end = p + strlen(p);
        wrap_paragraph(ui, f, width, text, p, para_end, &out);
        if (!*para_end)
            break;
        p = para_end + 1;
    }
    if (out.oom) { /* no memory for the line list: one line, unwrapped */
        free(out.v);
        if (fn)
            fn(ui, text, len, 0, ctx);
        return 1;
    }
    int n = out.n;
    char *copy = slot ? malloc(len + 1) : NULL;
    if (copy) {
        memcpy(copy, text, len + 1);
        free(slot->text);
        free(slot->lines);
        *slot = (struct layout_entry){copy, len, key, width, ui->lang.ctx, out.v, n, ui->tick};
        run_fn(ui, text, slot->lines, n, fn, ctx);
    } else {
        run_fn(ui, text, out.v, n, fn, ctx);
        free(out.v);
    }
    return n;
}

int ck_text_widest_unit(struct ck_ui *ui, enum ck_font f, const char *s)
{
    int widest = 0;
    const char *end = s + strlen(s);
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *pe = nl ? nl : end;
        for (const char *p = skip_spaces(s, pe); p < pe;) {
            const char *we = unit_end(p, pe);
            int w = ck_text_measure(ui, f, p, (size_t)(we - p));
            widest = w > widest ? w : widest;
            p = skip_spaces(we, pe);
        }
        s = nl ? nl + 1 : end;
    }
    return widest;
}
