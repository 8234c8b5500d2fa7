/* receipt.c: a receipt laid out as 1-bit images at the printer's width, then encoded.
 *
 * Everything, text included, goes to the printer as raster (GS v 0): printer fonts have no
 * Arabic shaping, no Bengali conjuncts and no CJK on most models (research/receipts.md 1.6).
 * The QR is drawn from the caller's module matrix at the profile's dots a module with a
 * 4-module quiet zone, or sent as GS ( k where the profile says the printer has it. */
#include <string.h>

#include "print/print.h"

int ck_receipt_style_px(enum ck_receipt_style style, int dpi, bool *bold)
{
    /* At 203 dpi, in dots; scaled for other printers. */
    static const struct {
        int px;
        bool bold;
    } STYLES[] = {
        [CK_RS_SMALL] = {21, false}, [CK_RS_BODY] = {25, false}, [CK_RS_BOLD] = {25, true},
        [CK_RS_BIG] = {36, true},    [CK_RS_HUGE] = {62, true},
    };
    *bold = STYLES[style].bold;
    return STYLES[style].px * dpi / 203;
}

/* A growing full-width 1-bit image: the receipt from the top down. */
struct canvas {
    int w, h, cap;
    uint8_t *px;
};

/* Makes room for `rows` more rows below the last one, and clears them (a canvas is reused
 * after a flush). */
static enum ck_err grow(struct canvas *c, int rows)
{
    if (c->h + rows <= c->cap) {
        memset(c->px + (size_t)c->h * (size_t)c->w, 0, (size_t)rows * (size_t)c->w);
        return CK_OK;
    }
    int cap = c->cap ? c->cap : 512;
    while (cap < c->h + rows)
        cap *= 2;
    uint8_t *px = realloc(c->px, (size_t)cap * (size_t)c->w);
    if (!px)
        return CK_ERR_NOMEM;
    memset(px + (size_t)c->h * (size_t)c->w, 0, (size_t)(cap - c->h) * (size_t)c->w);
    c->px = px;
    c->cap = cap;
    return CK_OK;
}

static enum ck_err space(struct canvas *c, int rows)
{
    enum ck_err rc = grow(c, rows);
    if (!rc)
        c->h += rows;
    return rc;
}

/* Places bm at x (or centred when x < 0), `scale` dots a pixel. */
static enum ck_err place(struct canvas *c, const struct ck_bitmap *bm, int x, int scale)
{
    int w = bm->w * scale, h = bm->h * scale;
    if (x < 0)
        x = (c->w - w) / 2;
    if (x < 0)
        x = 0;
    enum ck_err rc = grow(c, h);
    if (rc)
        return rc;
    for (int y = 0; y < h; y++) {
        uint8_t *dst = c->px + (size_t)(c->h + y) * (size_t)c->w;
        const uint8_t *src = bm->px + (size_t)(y / scale) * (size_t)bm->w;
        for (int i = 0; i < w && x + i < c->w; i++)
            dst[x + i] = src[i / scale];
    }
    c->h += h;
    return CK_OK;
}

static enum ck_err rule(struct canvas *c, int margin, int thick)
{
    enum ck_err rc = grow(c, thick);
    if (rc)
        return rc;
    for (int y = 0; y < thick; y++)
        memset(c->px + (size_t)(c->h + y) * (size_t)c->w + margin, 1, (size_t)(c->w - 2 * margin));
    c->h += thick;
    return CK_OK;
}

struct ctx {
    const struct ck_receipt_text *te;
    const struct ck_printer_profile *p;
    struct canvas page;    /* the receipt so far, for the preview */
    struct canvas pending; /* what is not yet encoded */
    struct ck_buf *out;
    int margin, gap;
};

/* Adds a block to both canvases. */
static enum ck_err add(struct ctx *x, const struct ck_bitmap *bm, int at, int scale)
{
    enum ck_err rc = place(&x->page, bm, at, scale);
    return rc ? rc : place(&x->pending, bm, at, scale);
}

static enum ck_err add_space(struct ctx *x, int rows)
{
    enum ck_err rc = space(&x->page, rows);
    return rc ? rc : space(&x->pending, rows);
}

static enum ck_err add_rule(struct ctx *x)
{
    enum ck_err rc = rule(&x->page, x->margin, 2);
    return rc ? rc : rule(&x->pending, x->margin, 2);
}

static enum ck_err add_text(struct ctx *x, enum ck_receipt_style st, enum ck_receipt_align al,
                            const char *text)
{
    if (!text || !*text)
        return CK_OK;
    struct ck_bitmap bm = {0};
    enum ck_err rc = x->te->text(x->te->ctx, st, al, text, x->page.w - 2 * x->margin, x->p->dpi,
                                 &bm);
    if (!rc)
        rc = add(x, &bm, x->margin, 1);
    ck_bitmap_deinit(&bm);
    if (!rc)
        rc = add_space(x, x->gap / 2);
    return rc;
}

/* Encodes what is pending as raster bands. */
static enum ck_err flush(struct ctx *x)
{
    if (!x->pending.h)
        return CK_OK;
    struct ck_bitmap bm = {x->pending.w, x->pending.h, x->pending.px};
    enum ck_err rc = ck_escpos_raster(x->out, &bm, x->p->band_rows);
    x->pending.h = 0;
    return rc;
}

static enum ck_err add_qr(struct ctx *x, const struct ck_bitmap *qr, const char *payload)
{
    int quiet = 4, module = x->p->qr_module;
    int modules = qr->w + 2 * quiet;
    while (module > 3 && modules * module > x->page.w) /* never wider than the paper */
        module--;
    struct ck_bitmap framed = {modules, qr->h + 2 * quiet, calloc((size_t)modules * (size_t)(qr->h + 2 * quiet), 1)};
    if (!framed.px)
        return CK_ERR_NOMEM;
    for (int y = 0; y < qr->h; y++)
        memcpy(framed.px + (size_t)(y + quiet) * (size_t)modules + quiet,
               qr->px + (size_t)y * (size_t)qr->w, (size_t)qr->w);
    enum ck_err rc;
    if (x->p->native_qr && payload) {
        /* The printer draws it: what is pending goes first, then centred GS ( k; the quiet
         * zone is ours to keep, as blank space around it. */
        rc = place(&x->page, &framed, -1, module);
        if (!rc)
            rc = flush(x);
        if (!rc)
            rc = ck_buf_append(x->out, "\x1b" "a\x01", 3);
        if (!rc)
            rc = ck_buf_append(x->out, "\x1b" "J", 2);
        if (!rc)
            rc = ck_buf_append(x->out, (const char[]){(char)(quiet * module)}, 1);
        if (!rc)
            rc = ck_escpos_qr(x->out, payload, module);
        if (!rc)
            rc = ck_buf_append(x->out, "\x1b" "J", 2);
        if (!rc)
            rc = ck_buf_append(x->out, (const char[]){(char)(quiet * module)}, 1);
        if (!rc)
            rc = ck_buf_append(x->out, "\x1b" "a\x00", 3);
    } else {
        rc = add(x, &framed, -1, module);
    }
    ck_bitmap_deinit(&framed);
    return rc;
}

enum ck_err ck_receipt_render(const struct ck_receipt *r, const struct ck_printer_profile *p,
                              const struct ck_receipt_text *te, struct ck_buf *escpos,
                              struct ck_bitmap *preview, char *err, size_t errlen)
{
    if (p->dots < 64 || p->dots % 8)
        return ck_fail(err, errlen, CK_ERR_INVALID, "printer width %d dots is not usable", p->dots);
    struct ctx x = {.te = te, .p = p, .out = escpos};
    x.page.w = x.pending.w = p->dots;
    x.margin = p->dots / 48;
    x.gap = p->dpi / 8; /* about 3 mm */
    enum ck_err rc = ck_buf_append(escpos, "\x1b@", 2); /* ESC @: initialise */
    if (!rc && r->logo_path && te->image) {
        struct ck_bitmap logo = {0};
        if (te->image(te->ctx, r->logo_path, p->dots / 3, p->dots / 3, &logo) == CK_OK) {
            rc = add(&x, &logo, -1, 1);
            if (!rc)
                rc = add_space(&x, x.gap / 2);
        }
        ck_bitmap_deinit(&logo); /* a logo that cannot be read is left out, not an error */
    }
    if (!rc)
        rc = add_text(&x, CK_RS_BIG, CK_RA_CENTER, r->city_name);
    if (!rc)
        rc = add_rule(&x);
    if (!rc)
        rc = add_space(&x, x.gap);
    if (!rc)
        rc = add_text(&x, CK_RS_BODY, CK_RA_CENTER, r->code_label);
    if (!rc)
        rc = add_text(&x, CK_RS_HUGE, CK_RA_CENTER, r->code_grouped);
    if (!rc)
        rc = add_space(&x, x.gap / 2);
    const char *lines[] = {r->service, r->location, r->when};
    for (size_t i = 0; !rc && i < sizeof lines / sizeof lines[0]; i++)
        rc = add_text(&x, CK_RS_BODY, CK_RA_START, lines[i]);
    if (!rc)
        rc = add_text(&x, CK_RS_SMALL, CK_RA_START, r->kiosk);
    if (!rc)
        rc = add_rule(&x);
    if (!rc)
        rc = add_space(&x, x.gap);
    if (!rc)
        rc = add_text(&x, CK_RS_BODY, CK_RA_START, r->next_steps);
    if (!rc)
        rc = add_space(&x, x.gap / 2);
    if (!rc)
        rc = add_text(&x, CK_RS_BOLD, CK_RA_CENTER, r->url_label);
    if (!rc && r->qr && r->qr->px)
        rc = add_qr(&x, r->qr, r->status_url);
    if (!rc)
        rc = add_text(&x, CK_RS_SMALL, CK_RA_CENTER, r->status_url);
    if (!rc)
        rc = add_space(&x, x.gap / 2);
    if (!rc)
        rc = add_text(&x, CK_RS_SMALL, CK_RA_CENTER, r->footer);
    if (!rc)
        rc = flush(&x);
    /* Feed so the last line clears the cutter, then cut (GS V 66 n: feed n and partial cut;
     * 65: full cut). */
    if (!rc) {
        char feed[3] = {0x1b, 'd', (char)p->feed_lines};
        rc = ck_buf_append(escpos, feed, sizeof feed);
    }
    if (!rc && p->cut != CK_CUT_NONE) {
        char cut[4] = {0x1d, 'V', (char)(p->cut == CK_CUT_FULL ? 65 : 66), 0};
        rc = ck_buf_append(escpos, cut, sizeof cut);
    }
    free(x.pending.px);
    if (rc) {
        free(x.page.px);
        return ck_fail(err, errlen, rc, "the receipt could not be laid out");
    }
    if (preview) {
        preview->w = x.page.w;
        preview->h = x.page.h;
        preview->px = x.page.px;
    } else {
        free(x.page.px);
    }
    return CK_OK;
}
