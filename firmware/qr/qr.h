/* qr.h: QR codes for status URLs, on screen and on paper. The only code that includes
 * qrencode.h. Any thread (libqrencode is reentrant). */
#ifndef CK_QR_H
#define CK_QR_H

#include <stddef.h>

#include "core/bitmap.h"
#include "core/err.h"

/* Encodes text (8-bit mode, error correction level M) into a bitmap of modules without a quiet
 * zone: out->w == out->h == the symbol's module count. Caller owns out->px. */
enum ck_err ck_qr_encode(const char *text, struct ck_bitmap *out, char *err, size_t errlen);

#endif
