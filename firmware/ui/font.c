/* font.c: which font draws which script. Faces (a family per script) are found through
 * fontconfig when first needed, and a font is opened on first use per (face, size, weight,
 * screen or paper), so startup opens nothing but asks fontconfig for Noto Sans, and memory
 * holds only the scripts a session shows. UI thread only. */
#include <fcntl.h>
#include <fontconfig/fontconfig.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "ui/ui_int.h"

static const char *const FAMILY[CK_FACE_COUNT] = {
    [CK_FACE_LATIN] = "Noto Sans",
    [CK_FACE_ARABIC] = "Noto Sans Arabic",
    [CK_FACE_NASTALIQ] = "Noto Nastaliq Urdu",
    [CK_FACE_BENGALI] = "Noto Sans Bengali",
    [CK_FACE_CJK_TC] = "Noto Sans CJK TC",
    [CK_FACE_CJK_SC] = "Noto Sans CJK SC",
    [CK_FACE_CJK_KR] = "Noto Sans CJK KR",
};

/* Faces whose fonts cost megabytes each (a CJK collection's cmap and CFF tables, ~3 MB a
 * font): one font per weight, set to the size and hinting of each use, instead of one per
 * size, screen and paper. Resizing empties SDL_ttf's glyph cache, which only matters when a
 * line is not in the text caches (measured: +0.3 ms median on first draws, -11 MB in a
 * Chinese or Korean session). Nastaliq (0.5 MB a font) is faster kept per size. */
static const bool SHARED_SIZES[CK_FACE_COUNT] = {
    [CK_FACE_CJK_TC] = true, [CK_FACE_CJK_SC] = true,
    [CK_FACE_CJK_KR] = true,
};

int ck_font_key(struct ck_fontspec spec)
{
    return (spec.px & 0xFFF) | (spec.bold ? 1 << 12 : 0) | (spec.print ? 1 << 13 : 0);
}

/* True if the matched pattern is of the family asked for (fontconfig always answers with some
 * font; a substitute would draw the script in the wrong style or not at all). */
static bool is_family(FcPattern *match, const char *family)
{
    FcChar8 *name;
    for (int i = 0; FcPatternGetString(match, FC_FAMILY, i, &name) == FcResultMatch; i++)
        if (strcasecmp((const char *)name, family) == 0)
            return true;
    return false;
}

/* Looks up the file of a face in one weight; bold falls back to regular where the family has
 * no bold (fontconfig then matches the regular file). */
static void look_up(struct ck_face_file *ff, enum ck_face face, int bold)
{
    ff->looked_up[bold] = true;
    FcPattern *pat = FcPatternCreate();
    if (!pat)
        return;
    FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)FAMILY[face]);
    FcPatternAddInteger(pat, FC_WEIGHT, bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR);
    FcPatternAddInteger(pat, FC_SLANT, FC_SLANT_ROMAN);
    FcConfigSubstitute(NULL, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res;
    FcPattern *match = FcFontMatch(NULL, pat, &res);
    FcChar8 *file;
    int index = 0;
    if (match && is_family(match, FAMILY[face]) &&
        FcPatternGetString(match, FC_FILE, 0, &file) == FcResultMatch) {
        FcPatternGetInteger(match, FC_INDEX, 0, &index);
        ff->path[bold] = strdup((const char *)file);
        ff->index[bold] = index;
        FcCharSet *cs;
        if (!bold && FcPatternGetCharSet(match, FC_CHARSET, 0, &cs) == FcResultMatch)
            ff->charset = FcCharSetCopy(cs);
        ck_debug("ui", "font %s%s: %s #%d", FAMILY[face], bold ? " bold" : "", file, index);
    } else {
        ck_warn("ui", "font %s%s is not installed; its script falls back to other fonts",
                FAMILY[face], bold ? " bold" : "");
    }
    if (match)
        FcPatternDestroy(match);
    FcPatternDestroy(pat);
}

enum ck_err ck_font_init(struct ck_ui *ui, char *err, size_t errlen)
{
    if (TTF_Init() != 0)
        return ck_fail(err, errlen, CK_ERR_IO, "SDL_ttf: %s", TTF_GetError());
    if (!FcInit())
        return ck_fail(err, errlen, CK_ERR_IO, "fontconfig could not start");
    /* Latin is the face every screen needs: find it now, so a kiosk without it says so. */
    struct ck_face_file *latin = &ui->faces[CK_FACE_LATIN];
    look_up(latin, CK_FACE_LATIN, 0);
    look_up(latin, CK_FACE_LATIN, 1);
    if (!latin->path[0] || !latin->path[1])
        return ck_fail(err, errlen, CK_ERR_IO,
                       "no Noto Sans font found (install the fonts-noto-core package)");
    return CK_OK;
}

void ck_font_deinit(struct ck_ui *ui)
{
    for (size_t i = 0; i < CK_OPEN_FONTS; i++)
        if (ui->open_fonts[i].font)
            TTF_CloseFont(ui->open_fonts[i].font);
    memset(ui->open_fonts, 0, sizeof ui->open_fonts);
    for (size_t f = 0; f < CK_FACE_COUNT; f++) {
        for (int b = 0; b < 2; b++) {
            free(ui->faces[f].path[b]);
            if (ui->faces[f].map[b])
                munmap(ui->faces[f].map[b], ui->faces[f].map_len[b]);
        }
        if (ui->faces[f].charset)
            FcCharSetDestroy(ui->faces[f].charset);
    }
    memset(ui->faces, 0, sizeof ui->faces);
    if (TTF_WasInit())
        TTF_Quit();
    FcFini(); /* frees fontconfig's caches, so leak checkers see only our own memory */
}

void ck_font_next_epoch(struct ck_ui *ui)
{
    ui->font_epoch++;
}

bool ck_font_covers(struct ck_ui *ui, enum ck_face face, uint32_t cp)
{
    struct ck_face_file *ff = &ui->faces[face];
    if (!ff->looked_up[0])
        look_up(ff, face, 0);
    return ff->charset && FcCharSetHasChar(ff->charset, cp);
}

/* Maps a face's file (a CJK collection is 20 MB: only the pages read come in). On failure the
 * font is opened from its path instead. */
static void map_face(struct ck_face_file *ff, int b)
{
    int fd = open(ff->path[b], O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0)
        return;
    if (fstat(fd, &sb) == 0 && sb.st_size > 0 && sb.st_size < INT_MAX) {
        void *p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) {
            ff->map[b] = p;
            ff->map_len[b] = (size_t)sb.st_size;
        }
    }
    close(fd);
}

TTF_Font *ck_font_get(struct ck_ui *ui, struct ck_fontspec spec, enum ck_face face)
{
    /* Shared fonts are keyed by weight alone: size and hinting are set for each use. */
    int key = ck_font_key(spec) & (SHARED_SIZES[face] ? 1 << 12 : ~0);
    int hinting = spec.print ? TTF_HINTING_MONO : TTF_HINTING_LIGHT;
    struct ck_open_font *slot = NULL;
    for (size_t i = 0; i < CK_OPEN_FONTS; i++) {
        struct ck_open_font *o = &ui->open_fonts[i];
        if (o->font && o->key == key && o->face == face) {
            o->used = ui->font_epoch;
            if (o->px != spec.px && TTF_SetFontSize(o->font, spec.px) == 0)
                o->px = spec.px;
            if (TTF_GetFontHinting(o->font) != hinting)
                TTF_SetFontHinting(o->font, hinting);
            return o->font;
        }
        /* An empty slot, else the least recently used one not needed by the line at hand. */
        if (!o->font) {
            if (!slot || slot->font)
                slot = o;
        } else if (o->used != ui->font_epoch && (!slot || (slot->font && o->used < slot->used))) {
            slot = o;
        }
    }
    if (!slot)
        return NULL;
    struct ck_face_file *ff = &ui->faces[face];
    int b = spec.bold ? 1 : 0;
    if (!ff->looked_up[b])
        look_up(ff, face, b);
    if (!ff->path[b] && b && !ff->looked_up[0])
        look_up(ff, face, 0);
    if (!ff->path[b])
        b = 0;
    if (!ff->path[b])
        return NULL;
    if (!ff->map[b])
        map_face(ff, b);
    TTF_Font *font = ff->map[b] ? TTF_OpenFontIndexRW(SDL_RWFromConstMem(ff->map[b],
                                                                         (int)ff->map_len[b]),
                                                      1, spec.px, ff->index[b])
                                : TTF_OpenFontIndex(ff->path[b], spec.px, ff->index[b]);
    if (!font) {
        ck_warn("ui", "%s: %s", ff->path[b], TTF_GetError());
        return NULL;
    }
    /* Paper is 1-bit: hint for crisp edges there; light hinting keeps screen shapes true. */
    TTF_SetFontHinting(font, hinting);
    if (slot->font)
        TTF_CloseFont(slot->font);
    *slot = (struct ck_open_font){font, key, face, spec.px, ui->font_epoch};
    return font;
}
