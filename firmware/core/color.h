/* color.h: WCAG 2 contrast, for the theme's palettes and for a city's branding colours, which
 * must keep white text readable. Pure C; any thread. */
#ifndef CK_COLOR_H
#define CK_COLOR_H

#include <stdbool.h>
#include <stdint.h>

/* The contrast ratio of two opaque sRGB colours (1..21). */
double ck_contrast_ratio(uint8_t r1, uint8_t g1, uint8_t b1, uint8_t r2, uint8_t g2, uint8_t b2);
/* Parses "#RRGGBB"; false if it is not that. */
bool ck_color_parse(const char *hex, uint8_t rgb[3]);

#endif
