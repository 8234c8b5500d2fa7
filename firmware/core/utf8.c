/* utf8.c: a strict UTF-8 decoder (RFC 3629) and the edits text fields need. */
#include "core/utf8.h"

#include <stdlib.h>
#include <string.h>

size_t ck_utf8_decode(const char *str, size_t len, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        goto bad;
    }
    if (len < n)
        goto bad;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            goto bad;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        goto bad;
    *cp = v;
    return n;
bad:
    *cp = 0xFFFD;
    return 1;
}

bool ck_utf8_valid(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = ck_utf8_decode(s + i, len - i, &cp);
        if (cp == 0xFFFD && n == 1) /* U+FFFD itself is 3 bytes long: length 1 means malformed */
            return false;
        i += n;
    }
    return true;
}

size_t ck_utf8_count(const char *s)
{
    size_t len = strlen(s), i = 0, count = 0;
    while (i < len) {
        uint32_t cp;
        i += ck_utf8_decode(s + i, len - i, &cp);
        count++;
    }
    return count;
}

size_t ck_utf8_last_start(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    size_t i = len - 1;
    /* Step back over at most three continuation bytes to a lead byte. */
    while (i > 0 && len - i < 4 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    uint32_t cp;
    if (ck_utf8_decode(s + i, len - i, &cp) != len - i)
        return len - 1; /* malformed tail: remove one byte at a time */
    return i;
}

char *ck_utf8_sanitize(const char *s, size_t len)
{
    char *out = malloc(len * 3 + 1); /* each bad byte grows to 3 bytes at most */
    if (!out)
        return NULL;
    size_t i = 0, o = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = ck_utf8_decode(s + i, len - i, &cp);
        if (cp == 0xFFFD && n == 1) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
        } else {
            memcpy(out + o, s + i, n);
            o += n;
        }
        i += n;
    }
    out[o] = '\0';
    return out;
}

size_t ck_utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}
