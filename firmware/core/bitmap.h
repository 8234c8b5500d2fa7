/* bitmap.h: a 1-bit image (one byte a pixel, 0 or 1) passed from qr/ to ui/ and print/.
 * Pure C. One owner at a time. */
#ifndef CK_BITMAP_H
#define CK_BITMAP_H

#include <stdint.h>
#include <stdlib.h>

struct ck_bitmap {
    int w, h;
    uint8_t *px; /* w*h bytes, row-major, 1 = dark */
};

static inline void ck_bitmap_deinit(struct ck_bitmap *b)
{
    free(b->px);
    b->px = NULL;
    b->w = b->h = 0;
}

#endif
