/* receipt.h: receipt codes, the resident's handle on a request and our idempotency key upstream.
 *
 * A code is 10 Crockford base32 characters: the kiosk's 2-character id, 7 random characters and
 * a check character. The check is Damm's algorithm over the quasigroup x*y = 2x + y in GF(32),
 * which is totally anti-symmetric, so it catches every single-character typo and every swap of
 * neighbours. Shown grouped 3-3-4 for reading aloud ("R7K-M3Q-X9PZ").
 * Pure C; includes nothing of ours. Any thread. */
#ifndef CK_RECEIPT_H
#define CK_RECEIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CK_RECEIPT_LEN 10       /* characters in a code, without separators */
#define CK_RECEIPT_GROUPED_LEN 12 /* with the two hyphens */
#define CK_RECEIPT_RANDOM 7     /* random characters in a code */

enum ck_receipt_check {
    CK_RECEIPT_OK,
    CK_RECEIPT_EMPTY,     /* nothing typed */
    CK_RECEIPT_LENGTH,    /* too few or too many characters */
    CK_RECEIPT_BAD_CHAR,  /* a character that is not in the alphabet */
    CK_RECEIPT_MISTYPED,  /* the check character does not match: a typo */
};

/* The check character for `n` base32 characters (case-insensitive, Crockford aliases accepted). */
char ck_receipt_check_char(const char *data, size_t n);

/* True if `kiosk_id` is exactly two characters of the alphabet. */
bool ck_receipt_kiosk_id_valid(const char *kiosk_id);

/* Builds a code from the kiosk id and CK_RECEIPT_RANDOM random bytes (only 5 bits of each are
 * used). `out` receives CK_RECEIPT_LEN characters and a NUL. */
void ck_receipt_make(const char *kiosk_id, const uint8_t random[CK_RECEIPT_RANDOM],
                     char out[CK_RECEIPT_LEN + 1]);

/* Parses what a resident typed: ignores spaces and hyphens, folds case, maps O->0 and I/L->1.
 * On CK_RECEIPT_OK, `out` holds the canonical code. */
enum ck_receipt_check ck_receipt_parse(const char *typed, char out[CK_RECEIPT_LEN + 1]);

/* Writes the code grouped 3-3-4 with hyphens into `out`. */
void ck_receipt_group(const char *code, char out[CK_RECEIPT_GROUPED_LEN + 1]);

#endif
