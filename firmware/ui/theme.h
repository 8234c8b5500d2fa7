/* theme.h: colours and the text/background pairs the UI draws, so tests can hold every pair to
 * WCAG contrast (4.5:1 for text). UI thread; the table is constant. */
#ifndef CK_THEME_H
#define CK_THEME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ui/ui.h"

struct ck_rgba {
    uint8_t r, g, b, a;
};

/* The colour in the current palette. */
struct ck_rgba ck_theme_color(enum ck_color c);

/* Every (text, background) pair the widgets use. */
struct ck_theme_pair {
    enum ck_color fg, bg;
    const char *where;
};
const struct ck_theme_pair *ck_theme_text_pairs(size_t *n);

/* WCAG 2 contrast ratio of two opaque colours (1..21). */
double ck_theme_contrast(struct ck_rgba a, struct ck_rgba b);

#endif
