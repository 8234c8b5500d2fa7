/* err.h: the one error enum of the firmware.
 *
 * Functions that do work return enum ck_err (0 is success) and put detail in a caller-given
 * buffer. Numbers are never reused: a retired code becomes CK_ERR_OBSOLETEn.
 * Pure C; includes nothing of ours. Any thread. */
#ifndef CK_ERR_H
#define CK_ERR_H

#include <stddef.h>

enum ck_err {
    CK_OK = 0,
    CK_ERR_NOMEM = 1,    /* allocation failed */
    CK_ERR_IO = 2,       /* a file or device could not be read or written */
    CK_ERR_DB = 3,       /* the database refused an operation */
    CK_ERR_PARSE = 4,    /* input is not in the expected format */
    CK_ERR_CONFIG = 5,   /* a configuration value is missing or out of bounds */
    CK_ERR_INVALID = 6,  /* a value failed validation (detail names the rule) */
    CK_ERR_NOT_FOUND = 7,/* the thing asked for does not exist */
    CK_ERR_FULL = 8,     /* a fixed capacity was reached */
    CK_ERR_SCRIPT = 9,   /* a headless script line failed */
    CK_ERR_UTF8 = 10,    /* text is not valid UTF-8 */
    CK_ERR_BUSY = 11,    /* try again later (a lock, a full queue) */
};

#define CK_ERR_LEN 256 /* size of an error detail buffer */

/* A short English name for an error code, for logs; never NULL. */
const char *ck_strerror(enum ck_err e);

/* snprintf into an error buffer that may be NULL; returns e so callers can `return ck_fail(...)`. */
enum ck_err ck_fail(char *err, size_t errlen, enum ck_err e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
