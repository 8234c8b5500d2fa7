/* watchdog.c: tells systemd the kiosk is ready and alive (sd_notify), so that a hung main loop
 * gets the service restarted (WatchdogSec= in board/civic-kiosk.service).
 *
 * Any thread; the state is read from the environment once and kept in atomics. Without
 * NOTIFY_SOCKET (a developer's run, tests, headless) every call returns at once and sends
 * nothing. The only file that includes sd-daemon.h. */
#include "platform/platform.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool notify;          /* NOTIFY_SOCKET is set: messages have somewhere to go */
static uint64_t interval_ms; /* the watchdog interval meant for this process, 0 if none */
static _Atomic uint64_t last_kick_ms;
static atomic_bool kicked;

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* systemd sets WATCHDOG_PID to the service's main process. Under cage that is cage, our parent
 * (board/README.md, "process structure"), and sd_watchdog_enabled() then says "not for you".
 * The unit sends the keep-alive on our behalf only if we answer for the main process, so accept
 * the parent's pid too and read WATCHDOG_USEC ourselves in that one case. */
static uint64_t parent_watchdog_usec(void)
{
    const char *pid = getenv("WATCHDOG_PID"), *usec = getenv("WATCHDOG_USEC");
    if (!pid || !usec)
        return 0;
    char *end;
    unsigned long long p = strtoull(pid, &end, 10);
    if (*end || p == 0 || (pid_t)p != getppid())
        return 0;
    unsigned long long u = strtoull(usec, &end, 10);
    return *end ? 0 : (uint64_t)u;
}

static void load(void)
{
    const char *sock = getenv("NOTIFY_SOCKET");
    notify = sock && *sock;
    if (!notify)
        return;
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0)
        usec = parent_watchdog_usec();
    interval_ms = usec / 1000u;
}

/* Sends one message; a STATUS text is cut at the first line break so it cannot add fields. */
static void send_state(const char *fields, const char *status)
{
    char line[256] = "";
    if (status) {
        size_t n = strcspn(status, "\r\n");
        if (n >= sizeof line)
            n = sizeof line - 1;
        memcpy(line, status, n);
        line[n] = '\0';
    }
    if (status)
        sd_notifyf(0, "%sSTATUS=%s", fields, line);
    else
        sd_notify(0, fields);
}

void ck_watchdog_ready(const char *status)
{
    pthread_once(&once, load);
    if (!notify)
        return;
    send_state("READY=1\n", status);
}

void ck_watchdog_status(const char *status)
{
    pthread_once(&once, load);
    if (!notify || !status)
        return;
    send_state("", status);
}

void ck_watchdog_stopping(const char *status)
{
    pthread_once(&once, load);
    if (!notify)
        return;
    send_state("STOPPING=1\n", status);
}

uint64_t ck_watchdog_interval_ms(void)
{
    pthread_once(&once, load);
    return interval_ms;
}

void ck_watchdog_kick(void)
{
    pthread_once(&once, load);
    if (!interval_ms)
        return;
    uint64_t now = mono_ms(), last = atomic_load(&last_kick_ms);
    if (atomic_load(&kicked) && now - last < interval_ms / 4)
        return;
    /* Two threads kicking at once: one sends, the other sees the new time and returns. */
    if (atomic_load(&kicked) && !atomic_compare_exchange_strong(&last_kick_ms, &last, now))
        return;
    atomic_store(&last_kick_ms, now);
    atomic_store(&kicked, true);
    sd_notify(0, "WATCHDOG=1");
}
