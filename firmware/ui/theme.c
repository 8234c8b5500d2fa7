/* theme.c: the kiosk's palette: calm, high-contrast, readable at arm's length. */
#include "ui/theme.h"

#include <string.h>

#include "core/color.h"

/* The everyday palette (AA: 4.5:1 for text). */
static const struct ck_rgba NORMAL[CK_COL_COUNT] = {
    [CK_COL_BG] = {0xF3, 0xF5, 0xF7, 0xFF},
    [CK_COL_TEXT] = {0x17, 0x1C, 0x22, 0xFF},
    [CK_COL_MUTED] = {0x46, 0x51, 0x5C, 0xFF},
    [CK_COL_HEADER] = {0x0B, 0x25, 0x45, 0xFF},
    [CK_COL_HEADER_TEXT] = {0xFF, 0xFF, 0xFF, 0xFF},
    [CK_COL_PRIMARY] = {0x0A, 0x58, 0x94, 0xFF},
    [CK_COL_PRIMARY_TEXT] = {0xFF, 0xFF, 0xFF, 0xFF},
    [CK_COL_SURFACE] = {0xFF, 0xFF, 0xFF, 0xFF},
    [CK_COL_SURFACE_TEXT] = {0x17, 0x1C, 0x22, 0xFF},
    [CK_COL_BORDER] = {0x5B, 0x67, 0x70, 0xFF},
    [CK_COL_SELECTED] = {0x0B, 0x25, 0x45, 0xFF},
    [CK_COL_SELECTED_TEXT] = {0xFF, 0xFF, 0xFF, 0xFF},
    [CK_COL_ERROR] = {0xA8, 0x00, 0x1D, 0xFF},
    [CK_COL_ERROR_BG] = {0xFC, 0xE8, 0xEA, 0xFF},
    [CK_COL_ERROR_BG_TEXT] = {0x80, 0x00, 0x16, 0xFF},
    [CK_COL_NOTICE_BG] = {0xE3, 0xEE, 0xF8, 0xFF},
    [CK_COL_NOTICE_TEXT] = {0x0B, 0x25, 0x45, 0xFF},
    [CK_COL_OVERLAY] = {0x00, 0x00, 0x00, 0xA0},
    [CK_COL_FOCUS] = {0xC2, 0x41, 0x0C, 0xFF},
    [CK_COL_WHITE] = {0xFF, 0xFF, 0xFF, 0xFF},
    [CK_COL_BLACK] = {0x00, 0x00, 0x00, 0xFF},
};

/* High contrast (AAA: 7:1 for every text pair): white on black, yellow for what is chosen. */
static const struct ck_rgba HIGH[CK_COL_COUNT] = {
    [CK_COL_BG] = {0x00, 0x00, 0x00, 0xFF},
    [CK_COL_TEXT] = {0xFF, 0xFF, 0xFF, 0xFF},
    [CK_COL_MUTED] = {0xE6, 0xE6, 0xE6, 0xFF},
    [CK_COL_HEADER] = {0x00, 0x00, 0x00, 0xFF},
    [CK_COL_HEADER_TEXT] = {0xFF, 0xFF, 0x00, 0xFF},
    [CK_COL_PRIMARY] = {0xFF, 0xFF, 0x00, 0xFF},
    [CK_COL_PRIMARY_TEXT] = {0x00, 0x00, 0x00, 0xFF},
    [CK_COL_SURFACE] = {0x00, 0x00, 0x00, 0xFF},
    [CK_COL_SURFACE_TEXT] = {0xFF, 0xFF, 0xFF, 0xFF},
    [CK_COL_BORDER] = {0xFF, 0xFF, 0xFF, 0xFF},
    [CK_COL_SELECTED] = {0x00, 0xFF, 0xFF, 0xFF},
    [CK_COL_SELECTED_TEXT] = {0x00, 0x00, 0x00, 0xFF},
    [CK_COL_ERROR] = {0xFF, 0x99, 0x99, 0xFF},
    [CK_COL_ERROR_BG] = {0x30, 0x00, 0x00, 0xFF},
    [CK_COL_ERROR_BG_TEXT] = {0xFF, 0xFF, 0xFF, 0xFF},
    [CK_COL_NOTICE_BG] = {0x00, 0x00, 0x30, 0xFF},
    [CK_COL_NOTICE_TEXT] = {0xFF, 0xFF, 0xFF, 0xFF},
    [CK_COL_OVERLAY] = {0x00, 0x00, 0x00, 0xD0},
    [CK_COL_FOCUS] = {0xFF, 0x66, 0xFF, 0xFF},
    [CK_COL_WHITE] = {0xFF, 0xFF, 0xFF, 0xFF},
    [CK_COL_BLACK] = {0x00, 0x00, 0x00, 0xFF},
};

static struct ck_rgba branded[CK_COL_COUNT]; /* NORMAL with the city's colours (UI thread) */
static const struct ck_rgba *palette = NORMAL; /* UI thread */

void ck_theme_set_high_contrast(bool on)
{
    palette = on ? HIGH : branded[CK_COL_BG].a ? branded : NORMAL;
}

bool ck_theme_high_contrast(void)
{
    return palette == HIGH;
}

static const struct ck_theme_pair PAIRS[] = {
    {CK_COL_TEXT, CK_COL_BG, "body text"},
    {CK_COL_MUTED, CK_COL_BG, "hints"},
    {CK_COL_HEADER_TEXT, CK_COL_HEADER, "header"},
    {CK_COL_PRIMARY_TEXT, CK_COL_PRIMARY, "primary button"},
    {CK_COL_SURFACE_TEXT, CK_COL_SURFACE, "secondary button, field"},
    {CK_COL_MUTED, CK_COL_SURFACE, "placeholder, button detail"},
    {CK_COL_SELECTED_TEXT, CK_COL_SELECTED, "chosen option"},
    {CK_COL_ERROR, CK_COL_BG, "field error"},
    {CK_COL_ERROR_BG_TEXT, CK_COL_ERROR_BG, "error banner"},
    {CK_COL_NOTICE_TEXT, CK_COL_NOTICE_BG, "notice banner"},
    {CK_COL_TEXT, CK_COL_SURFACE, "dialog text"},
};

struct ck_rgba ck_theme_color(enum ck_color c)
{
    return palette[c];
}

const struct ck_theme_pair *ck_theme_text_pairs(size_t *n)
{
    *n = sizeof PAIRS / sizeof PAIRS[0];
    return PAIRS;
}

double ck_theme_contrast(struct ck_rgba a, struct ck_rgba b)
{
    return ck_contrast_ratio(a.r, a.g, a.b, b.r, b.g, b.b);
}

void ck_theme_set_brand(const char *header, const char *primary)
{
    /* The city's colours in place of the header's and the primary button's, each only if
     * white text stays readable on it (config.c checked; this is the last guard). */
    memcpy(branded, NORMAL, sizeof branded);
    uint8_t rgb[3];
    if (ck_color_parse(header, rgb) && ck_contrast_ratio(rgb[0], rgb[1], rgb[2], 255, 255, 255) >= 4.5) {
        branded[CK_COL_HEADER] = branded[CK_COL_SELECTED] =
            (struct ck_rgba){rgb[0], rgb[1], rgb[2], 0xFF};
    }
    if (ck_color_parse(primary, rgb) && ck_contrast_ratio(rgb[0], rgb[1], rgb[2], 255, 255, 255) >= 4.5)
        branded[CK_COL_PRIMARY] = (struct ck_rgba){rgb[0], rgb[1], rgb[2], 0xFF};
    if (palette != HIGH)
        palette = branded;
}
