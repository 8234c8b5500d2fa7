/* log.c: levelled logging to stderr, one write per line so threads do not interleave. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int min_level = -1;

void ck_log_set_level(enum ck_log_level min)
{
    min_level = (int)min;
}

static int effective_level(void)
{
    if (min_level < 0) {
        const char *env = getenv("CK_LOG_LEVEL");
        min_level = CK_LOG_INFO;
        if (env && strcmp(env, "debug") == 0)
            min_level = CK_LOG_DEBUG;
        else if (env && strcmp(env, "warn") == 0)
            min_level = CK_LOG_WARN;
        else if (env && strcmp(env, "error") == 0)
            min_level = CK_LOG_ERROR;
    }
    return min_level;
}

void ck_log(enum ck_log_level lvl, const char *module, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    if ((int)lvl < effective_level())
        return;
    char line[1024];
    int n = snprintf(line, sizeof line, "%s %s: ", names[lvl], module);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof line)
        vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    size_t len = strlen(line);
    if (len + 1 < sizeof line) {
        line[len++] = '\n';
    } else {
        line[sizeof line - 2] = '\n';
        len = sizeof line - 1;
    }
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
