/* utf8.h: UTF-8 checks and edits used by text fields, the catalog loader and the store.
 * Pure C; includes nothing of ours. Any thread. */
#ifndef CK_UTF8_H
#define CK_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True if s[0..len) is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF). */
bool ck_utf8_valid(const char *s, size_t len);

/* Decodes one code point at s (at most len bytes). Returns its byte length (>= 1) and stores the
 * code point in *cp, or U+FFFD with length 1 for a malformed sequence. len must be > 0. */
size_t ck_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Encodes one code point (<= U+10FFFF) at out, which has room for 4 bytes; returns its length.
 * Not NUL-terminated. */
size_t ck_utf8_encode(uint32_t cp, char *out);

/* Number of code points in the NUL-terminated s (malformed bytes count one each). */
size_t ck_utf8_count(const char *s);

/* Byte offset of the start of the last code point in s[0..len), or 0 when len is 0. */
size_t ck_utf8_last_start(const char *s, size_t len);

/* Returns a newly allocated copy of s[0..len) where every malformed sequence is replaced by
 * U+FFFD, or NULL on allocation failure. Caller frees. */
char *ck_utf8_sanitize(const char *s, size_t len);

#endif
