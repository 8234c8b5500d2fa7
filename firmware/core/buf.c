/* buf.c: growable strings that wipe what they held. */
#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

void ck_buf_init(struct ck_buf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void ck_buf_clear(struct ck_buf *b)
{
    if (b->data) {
        explicit_bzero(b->data, b->cap);
        b->data[0] = '\0';
    }
    b->len = 0;
}

void ck_buf_deinit(struct ck_buf *b)
{
    ck_buf_clear(b);
    free(b->data);
    ck_buf_init(b);
}

static enum ck_err reserve(struct ck_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return CK_OK;
    size_t cap = b->cap ? b->cap : 32;
    while (cap < b->len + extra + 1)
        cap *= 2;
    /* No realloc: the old block may hold personal data and must be wiped, not left behind. */
    char *p = malloc(cap);
    if (!p)
        return CK_ERR_NOMEM;
    if (b->data) {
        memcpy(p, b->data, b->len + 1);
        explicit_bzero(b->data, b->cap);
        free(b->data);
    } else {
        p[0] = '\0';
    }
    b->data = p;
    b->cap = cap;
    return CK_OK;
}

enum ck_err ck_buf_append(struct ck_buf *b, const char *s, size_t n)
{
    enum ck_err rc = reserve(b, n);
    if (rc)
        return rc;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return CK_OK;
}

enum ck_err ck_buf_puts(struct ck_buf *b, const char *s)
{
    return ck_buf_append(b, s, strlen(s));
}

enum ck_err ck_buf_printf(struct ck_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return CK_ERR_INVALID;
    enum ck_err rc = reserve(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return CK_OK;
}

const char *ck_buf_str(const struct ck_buf *b)
{
    return b->data ? b->data : "";
}

void ck_buf_pop_char(struct ck_buf *b)
{
    if (!b->len)
        return;
    size_t start = ck_utf8_last_start(b->data, b->len);
    explicit_bzero(b->data + start, b->len - start);
    b->len = start;
    b->data[b->len] = '\0';
}

enum ck_err ck_buf_set(struct ck_buf *b, const char *s)
{
    ck_buf_clear(b);
    return ck_buf_puts(b, s ? s : "");
}
