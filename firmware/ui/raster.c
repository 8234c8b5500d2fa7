/* raster.c: text and pictures set into 1-bit images for receipts, by the same fonts, shaping
 * and line breaking as the screen, at printer sizes. UI thread only (SDL_ttf is not shared
 * between threads). */
#include <SDL2/SDL_image.h>
#include <string.h>

#include "core/log.h"
#include "ui/ui_int.h"

struct raster_ctx {
    struct ck_bitmap *out;
    int width, lh;
    bool center, right;
    enum ck_err rc;
};

/* A line rendered as for the screen (runs, bidi, fonts), thresholded to ink or paper. */
static void raster_line(struct ck_ui *ui, const char *s, size_t len, int lineno, void *vctx)
{
    struct raster_ctx *c = vctx;
    if (!len || c->rc)
        return;
    struct ck_line_info info;
    SDL_Surface *surf = ck_text_render(ui, ck_text_spec(ui, CK_FONT_PRINT),
                                       (SDL_Color){0, 0, 0, 255}, s, len, &info);
    ck_text_note_missing(ui, info.missing, info.missing_cp, s, len);
    if (!surf)
        return; /* nothing visible */
    int x0 = c->center ? (c->width - surf->w) / 2 : c->right ? c->width - surf->w : 0;
    if (x0 < 0)
        x0 = 0;
    int y0 = lineno * c->lh + info.top;
    SDL_LockSurface(surf);
    for (int y = 0; y < surf->h; y++) {
        if (y0 + y < 0 || y0 + y >= c->out->h)
            continue;
        const Uint32 *src = (const Uint32 *)((const uint8_t *)surf->pixels +
                                             (size_t)y * (size_t)surf->pitch);
        uint8_t *dst = c->out->px + (size_t)(y0 + y) * (size_t)c->out->w;
        for (int x = 0; x < surf->w && x0 + x < c->width; x++)
            if (((src[x] & surf->format->Amask) >> surf->format->Ashift) >= 128)
                dst[x0 + x] = 1;
    }
    SDL_UnlockSurface(surf);
    SDL_FreeSurface(surf);
}

enum ck_err ck_ui_raster_text(struct ck_ui *ui, int px, bool bold, bool center, const char *utf8,
                              int width, struct ck_bitmap *out)
{
    memset(out, 0, sizeof *out);
    if (px < 1 || px > 4000 || width < 1)
        return CK_ERR_INVALID;
    ui->font_spec[CK_FONT_PRINT] = (struct ck_fontspec){px, bold, true};
    int lh = ck_text_line_height(ui, CK_FONT_PRINT, NULL);
    int lines = ck_ui_layout(ui, CK_FONT_PRINT, width, utf8, NULL, NULL);
    out->w = width;
    out->h = lines * lh;
    out->px = calloc((size_t)out->w * (size_t)(out->h ? out->h : 1), 1);
    if (!out->px)
        return CK_ERR_NOMEM;
    /* Right-to-left receipts set their START lines on the right; centred stays centred. */
    struct raster_ctx c = {out, width, lh, center, ck_ui_rtl(ui), CK_OK};
    ck_ui_layout(ui, CK_FONT_PRINT, width, utf8, raster_line, &c);
    if (c.rc)
        ck_bitmap_deinit(out);
    return c.rc;
}

enum ck_err ck_ui_raster_image(struct ck_ui *ui, const char *path, int max_w, int max_h,
                               struct ck_bitmap *out)
{
    (void)ui;
    memset(out, 0, sizeof *out);
    SDL_Surface *img = NULL;
    size_t n = strlen(path);
    if (n > 4 && strcmp(path + n - 4, ".svg") == 0) { /* vectors: draw at the size we need */
        SDL_RWops *rw = SDL_RWFromFile(path, "rb");
        img = rw ? IMG_LoadSizedSVG_RW(rw, max_w, max_h) : NULL;
        if (rw)
            SDL_RWclose(rw);
    } else {
        img = IMG_Load(path);
    }
    if (!img)
        return CK_ERR_IO;
    double k = img->w > max_w || img->h > max_h
                   ? SDL_min((double)max_w / img->w, (double)max_h / img->h)
                   : 1.0;
    int w = (int)(img->w * k), h = (int)(img->h * k);
    SDL_Surface *rgba = SDL_CreateRGBSurfaceWithFormat(0, w > 0 ? w : 1, h > 0 ? h : 1, 32,
                                                       SDL_PIXELFORMAT_ABGR8888);
    enum ck_err rc = CK_ERR_NOMEM;
    if (rgba) {
        SDL_FillRect(rgba, NULL, SDL_MapRGBA(rgba->format, 255, 255, 255, 255));
        SDL_SetSurfaceBlendMode(img, SDL_BLENDMODE_BLEND);
        SDL_BlitScaled(img, NULL, rgba, NULL);
        out->w = rgba->w;
        out->h = rgba->h;
        out->px = malloc((size_t)out->w * (size_t)out->h);
        if (out->px) {
            SDL_LockSurface(rgba);
            for (int y = 0; y < out->h; y++) {
                const uint8_t *row = (const uint8_t *)rgba->pixels + (size_t)y * (size_t)rgba->pitch;
                for (int x = 0; x < out->w; x++) {
                    const uint8_t *p = row + 4 * x; /* R, G, B, A in memory */
                    int lum = (299 * p[0] + 587 * p[1] + 114 * p[2]) / 1000;
                    out->px[(size_t)y * (size_t)out->w + x] = lum < 140;
                }
            }
            SDL_UnlockSurface(rgba);
            rc = CK_OK;
        }
        SDL_FreeSurface(rgba);
    }
    SDL_FreeSurface(img);
    return rc;
}
