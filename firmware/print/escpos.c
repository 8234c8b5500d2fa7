/* escpos.c: the ESC/POS bytes the kiosk sends, and how it reads a printer's status replies.
 * Byte values from research/receipts.md (Epson's ESC/POS reference, escpos-php, python-escpos).
 * Pure functions; any thread. */
#include <string.h>

#include "print/print.h"

#define GS 0x1D

enum ck_err ck_escpos_raster(struct ck_buf *out, const struct ck_bitmap *bm, int band_rows)
{
    if (bm->w <= 0 || bm->h <= 0)
        return CK_OK;
    if (band_rows < 1)
        band_rows = 255;
    int bpr = (bm->w + 7) / 8;
    if (bpr > 0xFFFF)
        return CK_ERR_INVALID;
    uint8_t *row = calloc((size_t)bpr, 1);
    if (!row)
        return CK_ERR_NOMEM;
    enum ck_err rc = CK_OK;
    for (int y0 = 0; y0 < bm->h && !rc; y0 += band_rows) {
        int rows = bm->h - y0 < band_rows ? bm->h - y0 : band_rows;
        /* GS v 0 m xL xH yL yH: width in bytes, height in dots; MSB is the leftmost dot. */
        char head[8] = {GS, 'v', '0', 0, (char)(bpr & 0xFF), (char)(bpr >> 8),
                        (char)(rows & 0xFF), (char)(rows >> 8)};
        rc = ck_buf_append(out, head, sizeof head);
        for (int y = y0; y < y0 + rows && !rc; y++) {
            memset(row, 0, (size_t)bpr);
            const uint8_t *src = bm->px + (size_t)y * (size_t)bm->w;
            for (int x = 0; x < bm->w; x++)
                if (src[x])
                    row[x >> 3] |= (uint8_t)(0x80 >> (x & 7));
            rc = ck_buf_append(out, (const char *)row, (size_t)bpr);
        }
    }
    free(row);
    return rc;
}

/* GS ( k pL pH cn fn [params]: cn 0x31 is QR. */
static enum ck_err qr_fn(struct ck_buf *out, uint8_t fn, const char *params, size_t n)
{
    size_t len = n + 2; /* cn and fn */
    char head[7] = {GS, '(', 'k', (char)(len & 0xFF), (char)(len >> 8), 0x31, (char)fn};
    enum ck_err rc = ck_buf_append(out, head, sizeof head);
    return rc ? rc : ck_buf_append(out, params, n);
}

enum ck_err ck_escpos_qr(struct ck_buf *out, const char *payload, int module)
{
    size_t n = strlen(payload);
    if (n == 0 || n > 7000)
        return CK_ERR_INVALID;
    char model[2] = {'2', 0}, size[1] = {(char)(module < 1 ? 1 : module > 16 ? 16 : module)};
    char ec[1] = {'1'}; /* 48 L, 49 M, 50 Q, 51 H: M, as on screen */
    enum ck_err rc = qr_fn(out, 0x41, model, sizeof model);
    if (!rc)
        rc = qr_fn(out, 0x43, size, sizeof size);
    if (!rc)
        rc = qr_fn(out, 0x45, ec, sizeof ec);
    if (!rc) { /* fn 80: store, m = '0', then the data */
        char *store = malloc(n + 1);
        if (!store)
            return CK_ERR_NOMEM;
        store[0] = '0';
        memcpy(store + 1, payload, n);
        rc = qr_fn(out, 0x50, store, n + 1);
        free(store);
    }
    if (!rc)
        rc = qr_fn(out, 0x51, "0", 1); /* print */
    return rc;
}

const char *ck_printer_state_name(enum ck_printer_state s)
{
    switch (s) {
    case CK_PRINTER_NONE: return "none";
    case CK_PRINTER_UNKNOWN: return "unknown";
    case CK_PRINTER_OK: return "ok";
    case CK_PRINTER_NEAR_END: return "paper-near-end";
    case CK_PRINTER_PAPER_OUT: return "paper-out";
    case CK_PRINTER_COVER_OPEN: return "cover-open";
    case CK_PRINTER_OFFLINE: return "offline";
    case CK_PRINTER_ERROR: return "error";
    }
    return "?";
}

bool ck_printer_state_usable(enum ck_printer_state s)
{
    return s == CK_PRINTER_OK || s == CK_PRINTER_NEAR_END || s == CK_PRINTER_UNKNOWN;
}

/* A real-time status byte has the form 0xx1xx10 (bits 0, 1, 4 and 7 fixed). */
static bool valid(int b)
{
    return b >= 0 && (b & 0x93) == 0x12;
}

enum ck_printer_state ck_escpos_status(int s1, int s2, int s4)
{
    if (!valid(s1) && !valid(s2) && !valid(s4))
        return CK_PRINTER_UNKNOWN;
    if (valid(s2) && (s2 & 0x04))
        return CK_PRINTER_COVER_OPEN;
    if ((valid(s4) && (s4 & 0x60) == 0x60) || (valid(s2) && (s2 & 0x20)))
        return CK_PRINTER_PAPER_OUT;
    if (valid(s2) && (s2 & 0x40))
        return CK_PRINTER_ERROR;
    if (valid(s1) && (s1 & 0x08))
        return CK_PRINTER_OFFLINE;
    if (valid(s4) && (s4 & 0x0C) == 0x0C)
        return CK_PRINTER_NEAR_END;
    return CK_PRINTER_OK;
}
