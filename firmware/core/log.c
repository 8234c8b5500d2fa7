/* log.c: levelled logging to stderr, one write per line so threads do not interleave, or to the
 * sink platform installed. Any thread. Includes nothing of ours but its header. */
#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int min_level = -1;

typedef void (*sink_fn)(enum ck_log_level, const char *, const char *);
static _Atomic(sink_fn) sink;

void ck_log_set_sink(void (*fn)(enum ck_log_level lvl, const char *module, const char *line))
{
    atomic_store(&sink, fn);
}

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

/* The last lines, for maintenance mode's Log page: a small ring under a lock. */
static pthread_mutex_t recent_mu = PTHREAD_MUTEX_INITIALIZER;
static char recent[CK_LOG_RECENT][CK_LOG_RECENT_LEN];
static size_t recent_next, recent_count;

static void remember(enum ck_log_level lvl, const char *module, const char *msg)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    pthread_mutex_lock(&recent_mu);
    if (snprintf(recent[recent_next], CK_LOG_RECENT_LEN, "%s %s: %s", names[lvl], module, msg) < 0)
        recent[recent_next][0] = '\0'; /* a long line is cut: the journal has it whole */
    recent_next = (recent_next + 1) % CK_LOG_RECENT;
    if (recent_count < CK_LOG_RECENT)
        recent_count++;
    pthread_mutex_unlock(&recent_mu);
}

size_t ck_log_recent(char (*out)[CK_LOG_RECENT_LEN], size_t max)
{
    pthread_mutex_lock(&recent_mu);
    size_t n = recent_count < max ? recent_count : max;
    size_t start = (recent_next + CK_LOG_RECENT - n) % CK_LOG_RECENT;
    for (size_t i = 0; i < n; i++)
        memcpy(out[i], recent[(start + i) % CK_LOG_RECENT], CK_LOG_RECENT_LEN);
    pthread_mutex_unlock(&recent_mu);
    return n;
}

void ck_log(enum ck_log_level lvl, const char *module, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    if ((int)lvl < effective_level())
        return;
    char line[1024];
    va_list ap;
    sink_fn to = atomic_load(&sink);
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    remember(lvl, module, line);
    if (to) {
        to(lvl, module, line);
        return;
    }
    int n = snprintf(line, sizeof line, "%s %s: ", names[lvl], module);
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
