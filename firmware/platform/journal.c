/* journal.c: routes ck_log lines to journald as structured, levelled entries when the kiosk runs
 * as a systemd service; otherwise the lines stay on stderr.
 *
 * Any thread (sd_journal_send is thread-safe). The only file that includes sd-journal.h. */
#include "platform/platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
/* CODE_FILE/LINE/FUNC would always name to_journal below, never the caller: leave them out. */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "core/log.h"

/* syslog priorities, as journalctl -p reads them, by enum ck_log_level. */
static const int priority[] = {7 /* debug */, 6 /* info */, 4 /* warning */, 3 /* err */};

static void to_journal(enum ck_log_level lvl, const char *module, const char *line)
{
    int rc = sd_journal_send("MESSAGE=%s", line, "PRIORITY=%d", priority[lvl],
                             "SYSLOG_IDENTIFIER=civic-kiosk", "CK_MODULE=%s", module, NULL);
    if (rc >= 0)
        return;
    /* journald refused it (stopped, restarting, its queue full): stderr rather than nowhere. */
    static const char *names[] = {"debug", "info", "warn", "error"};
    char buf[1200];
    int n = snprintf(buf, sizeof buf, "%s %s: %s\n", names[lvl], module, line);
    if (n > 0) {
        size_t len = (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
        ssize_t w = write(STDERR_FILENO, buf, len);
        (void)w;
    }
}

/* $JOURNAL_STREAM is "device:inode" of the stream systemd connected to stdout/stderr
 * (systemd.exec(5)); it only counts if stderr is still that stream (not redirected since). */
static bool stderr_is_journal(void)
{
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;
    if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) != 0)
        return false;
    return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

bool ck_journal_enable(void)
{
    /* sd_journal_send() drops a line silently when journald's socket is missing, so without it
     * (a container, an early boot without journald) the lines stay on stderr. */
    if (access("/run/systemd/journal/socket", F_OK) != 0)
        return false;
    bool service = getenv("INVOCATION_ID") && !isatty(STDERR_FILENO);
    if (!stderr_is_journal() && !service)
        return false;
    ck_log_set_sink(to_journal);
    return true;
}
