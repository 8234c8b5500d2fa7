/* text.c: fonts found through fontconfig, rendered by SDL2_ttf (HarfBuzz), with a cache of
 * rendered strings so a redraw costs a copy, not a rasterisation. UI thread only. */
#include <fontconfig/fontconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "ui/theme.h"
#include "ui/ui_int.h"

/* Design sizes in pixels at 1080 px on the short side. */
static const int FONT_DESIGN_PX[CK_FONT_COUNT] = {
    [CK_FONT_SMALL] = 28, [CK_FONT_BODY] = 36, [CK_FONT_BUTTON] = 36,
    [CK_FONT_TITLE] = 50, [CK_FONT_HUGE] = 96,
};
static const bool FONT_BOLD[CK_FONT_COUNT] = {
    [CK_FONT_BUTTON] = true, [CK_FONT_TITLE] = true, [CK_FONT_HUGE] = true,
};

/* The file fontconfig picks for a pattern such as "Noto Sans:weight=bold". */
static char *find_font(const char *pattern)
{
    FcPattern *pat = FcNameParse((const FcChar8 *)pattern);
    if (!pat)
        return NULL;
    FcConfigSubstitute(NULL, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res;
    FcPattern *match = FcFontMatch(NULL, pat, &res);
    char *path = NULL;
    FcChar8 *file;
    if (match && FcPatternGetString(match, FC_FILE, 0, &file) == FcResultMatch)
        path = strdup((const char *)file);
    if (match)
        FcPatternDestroy(match);
    FcPatternDestroy(pat);
    return path;
}

enum ck_err ck_text_init(struct ck_ui *ui, char *err, size_t errlen)
{
    if (TTF_Init() != 0)
        return ck_fail(err, errlen, CK_ERR_IO, "SDL_ttf: %s", TTF_GetError());
    if (!FcInit())
        return ck_fail(err, errlen, CK_ERR_IO, "fontconfig could not start");
    char *regular = find_font("Noto Sans:weight=regular");
    char *bold = find_font("Noto Sans:weight=bold");
    enum ck_err rc = CK_OK;
    if (!regular || !bold) {
        rc = ck_fail(err, errlen, CK_ERR_IO,
                     "no Noto Sans font found (install the fonts-noto-core package)");
        goto out;
    }
    for (int f = 0; f < CK_FONT_COUNT; f++) {
        ui->font_px[f] = ck_ui_px(ui, FONT_DESIGN_PX[f]);
        ui->fonts[f] = TTF_OpenFont(FONT_BOLD[f] ? bold : regular, ui->font_px[f]);
        if (!ui->fonts[f]) {
            rc = ck_fail(err, errlen, CK_ERR_IO, "%s: %s", FONT_BOLD[f] ? bold : regular,
                         TTF_GetError());
            goto out;
        }
        TTF_SetFontHinting(ui->fonts[f], TTF_HINTING_LIGHT);
    }
    ck_debug("ui", "fonts: %s, %s", regular, bold);
out:
    ui->font_file[0] = regular; /* kept for receipts (raster.c) */
    ui->font_file[1] = bold;
    return rc;
}

void ck_text_deinit(struct ck_ui *ui)
{
    for (int i = 0; i < CK_TEXT_CACHE; i++) {
        free(ui->cache[i].text);
        if (ui->cache[i].tex)
            SDL_DestroyTexture(ui->cache[i].tex);
    }
    memset(ui->cache, 0, sizeof ui->cache);
    for (int f = 0; f < CK_FONT_COUNT; f++)
        if (ui->fonts[f])
            TTF_CloseFont(ui->fonts[f]);
    for (size_t i = 0; i < sizeof ui->print_fonts / sizeof ui->print_fonts[0]; i++)
        if (ui->print_fonts[i].font)
            TTF_CloseFont(ui->print_fonts[i].font);
    memset(ui->print_fonts, 0, sizeof ui->print_fonts);
    ui->fonts[CK_FONT_PRINT] = NULL;
    free(ui->font_file[0]);
    free(ui->font_file[1]);
    ui->font_file[0] = ui->font_file[1] = NULL;
    if (TTF_WasInit())
        TTF_Quit();
    FcFini(); /* frees fontconfig's caches, so leak checkers see only our own memory */
}

static size_t hash_key(const char *s, size_t len, int font, SDL_Color c)
{
    size_t h = 1469598103934665603u ^ (size_t)font ^ ((size_t)c.r << 8) ^ ((size_t)c.g << 16) ^
               ((size_t)c.b << 24);
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

/* The cached texture of a string, rendering it on a miss. Uses a small set-associative cache:
 * a string may live in one of 4 slots; the least recently used is evicted. */
static struct text_entry *lookup(struct ck_ui *ui, enum ck_font f, enum ck_color col, const char *s,
                                 size_t len)
{
    struct ck_rgba rgba = ck_theme_color(col);
    SDL_Color c = {rgba.r, rgba.g, rgba.b, rgba.a};
    size_t base = (hash_key(s, len, f, c) % (CK_TEXT_CACHE / 4)) * 4;
    struct text_entry *victim = &ui->cache[base];
    ui->tick++;
    for (size_t i = base; i < base + 4; i++) {
        struct text_entry *e = &ui->cache[i];
        if (e->text && e->font == (int)f && e->color.r == c.r && e->color.g == c.g &&
            e->color.b == c.b && strlen(e->text) == len && memcmp(e->text, s, len) == 0) {
            e->last_used = ui->tick;
            return e;
        }
        if (!e->text || e->last_used < victim->last_used)
            victim = e;
    }
    free(victim->text);
    if (victim->tex)
        SDL_DestroyTexture(victim->tex);
    memset(victim, 0, sizeof *victim);
    victim->text = strndup(s, len);
    if (!victim->text)
        return NULL;
    SDL_Surface *surf = TTF_RenderUTF8_Blended(ui->fonts[f], victim->text, c);
    if (!surf) {
        ck_warn("ui", "text render failed: %s", TTF_GetError());
        free(victim->text);
        victim->text = NULL;
        return NULL;
    }
    victim->tex = SDL_CreateTextureFromSurface(ui->r, surf);
    victim->w = surf->w;
    victim->h = surf->h;
    SDL_FreeSurface(surf);
    victim->font = f;
    victim->color = c;
    victim->last_used = ui->tick;
    return victim;
}

int ck_text_line(struct ck_ui *ui, enum ck_font f, enum ck_color c, int x, int y, const char *s,
                 size_t len)
{
    if (!len)
        return 0;
    struct text_entry *e = lookup(ui, f, c, s, len);
    if (!e || !e->tex)
        return 0;
    SDL_Rect dst = {x, y, e->w, e->h};
    SDL_RenderCopy(ui->r, e->tex, NULL, &dst);
    return e->w;
}

int ck_text_measure(struct ck_ui *ui, enum ck_font f, const char *s, size_t len)
{
    if (!len)
        return 0;
    char stack[256];
    char *tmp = len < sizeof stack ? stack : malloc(len + 1);
    if (!tmp)
        return 0;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    int w = 0, h = 0;
    TTF_SizeUTF8(ui->fonts[f], tmp, &w, &h);
    if (tmp != stack)
        free(tmp);
    return w;
}
