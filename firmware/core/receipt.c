/* receipt.c: Crockford base32 receipt codes with a Damm check character over GF(32). */
#include "core/receipt.h"

#include <ctype.h>
#include <string.h>

static const char ALPHABET[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* Value of a Crockford character, or -1. Accepts lower case and the aliases O, I, L. */
static int value_of(char c)
{
    c = (char)toupper((unsigned char)c);
    if (c == 'O')
        c = '0';
    if (c == 'I' || c == 'L')
        c = '1';
    const char *p = c ? strchr(ALPHABET, c) : NULL;
    return p ? (int)(p - ALPHABET) : -1;
}

/* Multiplication by 2 in GF(2^5) with the primitive polynomial x^5 + x^2 + 1. */
static unsigned times2(unsigned x)
{
    x <<= 1;
    if (x & 0x20)
        x ^= 0x25;
    return x & 0x1F;
}

/* The quasigroup x*y = 2x + y (addition is XOR). It is a Latin square because multiplication by
 * 2 is invertible, and totally anti-symmetric because 2 != 1: (c*x)*y = (c*y)*x forces x = y. */
static unsigned damm_step(unsigned interim, unsigned digit)
{
    return times2(interim) ^ digit;
}

char ck_receipt_check_char(const char *data, size_t n)
{
    unsigned interim = 0;
    for (size_t i = 0; i < n; i++) {
        int v = value_of(data[i]);
        interim = damm_step(interim, v < 0 ? 0 : (unsigned)v);
    }
    /* The check c makes the final step zero: 2*interim + c = 0, so c = 2*interim. */
    return ALPHABET[times2(interim)];
}

bool ck_receipt_kiosk_id_valid(const char *kiosk_id)
{
    return kiosk_id && strlen(kiosk_id) == 2 && value_of(kiosk_id[0]) >= 0 &&
           value_of(kiosk_id[1]) >= 0;
}

void ck_receipt_make(const char *kiosk_id, const uint8_t random[CK_RECEIPT_RANDOM],
                     char out[CK_RECEIPT_LEN + 1])
{
    out[0] = ALPHABET[value_of(kiosk_id[0]) & 31];
    out[1] = ALPHABET[value_of(kiosk_id[1]) & 31];
    for (int i = 0; i < CK_RECEIPT_RANDOM; i++)
        out[2 + i] = ALPHABET[random[i] & 31];
    out[CK_RECEIPT_LEN - 1] = ck_receipt_check_char(out, CK_RECEIPT_LEN - 1);
    out[CK_RECEIPT_LEN] = '\0';
}

enum ck_receipt_check ck_receipt_parse(const char *typed, char out[CK_RECEIPT_LEN + 1])
{
    size_t n = 0;
    bool any = false;
    for (const char *p = typed; *p; p++) {
        if (*p == ' ' || *p == '-')
            continue;
        any = true;
        int v = value_of(*p);
        if (v < 0)
            return CK_RECEIPT_BAD_CHAR;
        if (n == CK_RECEIPT_LEN)
            return CK_RECEIPT_LENGTH;
        out[n++] = ALPHABET[v];
    }
    out[n] = '\0';
    if (!any)
        return CK_RECEIPT_EMPTY;
    if (n != CK_RECEIPT_LEN)
        return CK_RECEIPT_LENGTH;
    unsigned interim = 0;
    for (size_t i = 0; i < n; i++)
        interim = damm_step(interim, (unsigned)value_of(out[i]));
    return interim == 0 ? CK_RECEIPT_OK : CK_RECEIPT_MISTYPED;
}

void ck_receipt_group(const char *code, char out[CK_RECEIPT_GROUPED_LEN + 1])
{
    size_t o = 0;
    for (size_t i = 0; code[i] && i < CK_RECEIPT_LEN; i++) {
        if (i == 3 || i == 6)
            out[o++] = '-';
        out[o++] = code[i];
    }
    out[o] = '\0';
}
