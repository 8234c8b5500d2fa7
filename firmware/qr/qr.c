/* qr.c: libqrencode behind a 1-bit bitmap. */
#include "qr/qr.h"

#include <qrencode.h>
#include <string.h>

enum ck_err ck_qr_encode(const char *text, struct ck_bitmap *out, char *err, size_t errlen)
{
    QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (!q)
        return ck_fail(err, errlen, CK_ERR_INVALID, "QR encoding failed for a %zu-byte text",
                       strlen(text));
    out->w = out->h = q->width;
    out->px = malloc((size_t)q->width * (size_t)q->width);
    if (!out->px) {
        QRcode_free(q);
        return CK_ERR_NOMEM;
    }
    for (int i = 0; i < q->width * q->width; i++)
        out->px[i] = q->data[i] & 1;
    QRcode_free(q);
    return CK_OK;
}
