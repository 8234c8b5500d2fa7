/* clock.c: monotonic and wall clocks with a script-controlled advance. */
#include "core/clock.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static _Atomic uint64_t advance_ms;

uint64_t ck_clock_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u + atomic_load(&advance_ms);
}

static pthread_once_t pin_once = PTHREAD_ONCE_INIT;
static time_t pinned; /* CK_TEST_NOW, or 0: read once, before any thread asks */

static void read_pin(void)
{
    const char *env = getenv("CK_TEST_NOW");
    pinned = env && *env ? (time_t)strtoll(env, NULL, 10) : 0;
}

time_t ck_clock_wall(void)
{
    pthread_once(&pin_once, read_pin);
    if (pinned > 0) /* a pinned clock still moves with script advances, but not on its own */
        return pinned + (time_t)(atomic_load(&advance_ms) / 1000u);
    return time(NULL) + (time_t)(atomic_load(&advance_ms) / 1000u);
}

void ck_clock_advance_ms(uint64_t ms)
{
    atomic_fetch_add(&advance_ms, ms);
}

void ck_clock_iso8601(time_t t, char *out, size_t outlen)
{
    struct tm tm;
    localtime_r(&t, &tm);
    long off = tm.tm_gmtoff / 60;
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 60, off % 60);
}
