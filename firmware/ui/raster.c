/* raster.c: text and pictures set into 1-bit images for receipts, by the same fonts, shaping
 * and line breaking as the screen, at printer sizes. UI thread only (SDL_ttf is not shared
 * between threads). */
#include <SDL2/SDL_image.h>
#include <string.h>

#include "core/log.h"
#include "ui/ui_int.h"

/* The receipt font of this size and weight, opened once and kept. */
static TTF_Font *print_font(struct ck_ui *ui, int px, bool bold)
{
    size_t n = sizeof ui->print_fonts / sizeof ui->print_fonts[0], free_slot = n;
    for (size_t i = 0; i < n; i++) {
        if (ui->print_fonts[i].font && ui->print_fonts[i].px == px && ui->print_fonts[i].bold == bold)
            return ui->print_fonts[i].font;
        if (!ui->print_fonts[i].font && free_slot == n)
            free_slot = i;
    }
    if (free_slot == n) { /* full: reuse the first slot */
        TTF_CloseFont(ui->print_fonts[0].font);
        ui->print_fonts[0].font = NULL;
        free_slot = 0;
    }
    const char *file = ui->font_file[bold ? 1 : 0];
    TTF_Font *f = file ? TTF_OpenFont(file, px) : NULL;
    if (!f)
        return NULL;
    TTF_SetFontHinting(f, TTF_HINTING_MONO); /* crisp edges for a 1-bit printer */
    ui->print_fonts[free_slot] = (struct print_font){px, bold, f};
    return f;
}

struct raster_ctx {
    struct ck_bitmap *out;
    int width, lh;
    bool center;
    enum ck_err rc;
};

static void raster_line(struct ck_ui *ui, const char *s, size_t len, int lineno, void *vctx)
{
    struct raster_ctx *c = vctx;
    if (!len || c->rc)
        return;
    char *line = strndup(s, len);
    if (!line) {
        c->rc = CK_ERR_NOMEM;
        return;
    }
    SDL_Color black = {0, 0, 0, 255}, white = {255, 255, 255, 255};
    SDL_Surface *surf = TTF_RenderUTF8_Shaded(ui->fonts[CK_FONT_PRINT], line, black, white);
    free(line);
    if (!surf) {
        c->rc = CK_ERR_IO;
        return;
    }
    /* Shaded surfaces are 8-bit: index 0 is the background, 255 the ink. */
    int x0 = c->center ? (c->width - surf->w) / 2 : 0;
    if (x0 < 0)
        x0 = 0;
    int y0 = lineno * c->lh;
    SDL_LockSurface(surf);
    for (int y = 0; y < surf->h && y0 + y < c->out->h; y++) {
        const uint8_t *src = (const uint8_t *)surf->pixels + (size_t)y * (size_t)surf->pitch;
        uint8_t *dst = c->out->px + (size_t)(y0 + y) * (size_t)c->out->w;
        for (int x = 0; x < surf->w && x0 + x < c->width; x++)
            dst[x0 + x] = src[x] >= 128;
    }
    SDL_UnlockSurface(surf);
    SDL_FreeSurface(surf);
}

enum ck_err ck_ui_raster_text(struct ck_ui *ui, int px, bool bold, bool center, const char *utf8,
                              int width, struct ck_bitmap *out)
{
    memset(out, 0, sizeof *out);
    TTF_Font *f = print_font(ui, px, bold);
    if (!f)
        return CK_ERR_IO;
    ui->fonts[CK_FONT_PRINT] = f;
    int lh = TTF_FontLineSkip(f);
    int lines = ck_ui_layout(ui, CK_FONT_PRINT, width, utf8, NULL, NULL);
    out->w = width;
    out->h = lines * lh;
    out->px = calloc((size_t)out->w * (size_t)(out->h ? out->h : 1), 1);
    if (!out->px) {
        ui->fonts[CK_FONT_PRINT] = NULL;
        return CK_ERR_NOMEM;
    }
    struct raster_ctx c = {out, width, lh, center, CK_OK};
    ck_ui_layout(ui, CK_FONT_PRINT, width, utf8, raster_line, &c);
    ui->fonts[CK_FONT_PRINT] = NULL;
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
