/* color.c: WCAG 2 relative luminance and contrast. */
#include "core/color.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static double luminance(uint8_t r, uint8_t g, uint8_t b)
{
    double ch[3] = {r / 255.0, g / 255.0, b / 255.0};
    for (int i = 0; i < 3; i++)
        ch[i] = ch[i] <= 0.03928 ? ch[i] / 12.92 : pow((ch[i] + 0.055) / 1.055, 2.4);
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
}

double ck_contrast_ratio(uint8_t r1, uint8_t g1, uint8_t b1, uint8_t r2, uint8_t g2, uint8_t b2)
{
    double la = luminance(r1, g1, b1), lb = luminance(r2, g2, b2);
    if (la < lb) {
        double t = la;
        la = lb;
        lb = t;
    }
    return (la + 0.05) / (lb + 0.05);
}

bool ck_color_parse(const char *hex, uint8_t rgb[3])
{
    if (!hex || strlen(hex) != 7 || hex[0] != '#' ||
        strspn(hex + 1, "0123456789abcdefABCDEF") != 6)
        return false;
    unsigned v;
    if (sscanf(hex + 1, "%6x", &v) != 1)
        return false;
    rgb[0] = (uint8_t)(v >> 16), rgb[1] = (uint8_t)(v >> 8), rgb[2] = (uint8_t)v;
    return true;
}
