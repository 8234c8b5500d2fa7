/* err.c: names of error codes and the error-buffer helper. Pure C, any thread. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>

const char *ck_strerror(enum ck_err e)
{
    switch (e) {
    case CK_OK: return "ok";
    case CK_ERR_NOMEM: return "out of memory";
    case CK_ERR_IO: return "input/output error";
    case CK_ERR_DB: return "database error";
    case CK_ERR_PARSE: return "parse error";
    case CK_ERR_CONFIG: return "configuration error";
    case CK_ERR_INVALID: return "invalid value";
    case CK_ERR_NOT_FOUND: return "not found";
    case CK_ERR_FULL: return "full";
    case CK_ERR_SCRIPT: return "script error";
    case CK_ERR_UTF8: return "invalid UTF-8";
    case CK_ERR_BUSY: return "busy";
    }
    return "unknown error";
}

enum ck_err ck_fail(char *err, size_t errlen, enum ck_err e, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return e;
}
