/* buf.h: a growable NUL-terminated byte string (text fields, JSON, messages).
 * Pure C; includes nothing of ours. Not thread-safe: one owner at a time. */
#ifndef CK_BUF_H
#define CK_BUF_H

#include <stddef.h>

#include "core/err.h"

struct ck_buf {
    char *data; /* always NUL-terminated once anything was appended; NULL when empty and new */
    size_t len;
    size_t cap;
};

void ck_buf_init(struct ck_buf *b);
/* Overwrites the contents with zeros before freeing: text fields may hold personal data. */
void ck_buf_deinit(struct ck_buf *b);
/* Empties the buffer, zeroing the old bytes; keeps the allocation. */
void ck_buf_clear(struct ck_buf *b);
enum ck_err ck_buf_append(struct ck_buf *b, const char *s, size_t n);
enum ck_err ck_buf_puts(struct ck_buf *b, const char *s);
enum ck_err ck_buf_printf(struct ck_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The contents as a C string; "" when empty. */
const char *ck_buf_str(const struct ck_buf *b);
/* Removes the last UTF-8 code point (a backspace). */
void ck_buf_pop_char(struct ck_buf *b);
/* Replaces the contents with s. */
enum ck_err ck_buf_set(struct ck_buf *b, const char *s);

#endif
