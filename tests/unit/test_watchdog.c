/* Watchdog and journal: what systemd receives from the kiosk (READY, STATUS, rate-limited
 * WATCHDOG kicks, the interval it reads), that nothing is sent outside systemd, and where log
 * lines go.
 *
 * systemd reads the environment once per process, so each case runs this binary again as a
 * child (`test_watchdog --child CASE`) with the environment systemd would give it, while the
 * parent plays systemd: it binds the NOTIFY_SOCKET datagram socket and records what arrives. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "core/log.h"
#include "platform/platform.h"

extern char **environ;

#define INTERVAL_MS 400 /* WATCHDOG_USEC given to the children: kicks at most every 100 ms */
#define MAX_MSGS 256

struct msg {
    char text[512];
    uint64_t at_ms;
};

struct run {
    struct msg msgs[MAX_MSGS];
    int n;
    int status; /* the child's wait status */
};

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ------------------------------------------------------------------ the children */

static int child(const char *which)
{
    char line[128];
    if (strcmp(which, "notify") == 0) {
        ck_watchdog_ready("starting up");
        snprintf(line, sizeof line, "interval %llu", (unsigned long long)ck_watchdog_interval_ms());
        ck_watchdog_status(line);
        /* A main loop drawing a frame every 2 ms for one second. */
        uint64_t t0 = mono_ms();
        while (mono_ms() - t0 < 1000) {
            ck_watchdog_kick();
            usleep(2000);
        }
        snprintf(line, sizeof line, "elapsed %llu", (unsigned long long)(mono_ms() - t0));
        ck_watchdog_status(line);
        ck_watchdog_status("first line\nREADY=1");
        ck_watchdog_stopping("bye");
        return 0;
    }
    if (strcmp(which, "interval") == 0) {
        /* Reports what it read, then kicks (a kick must only go out when the interval is not 0). */
        snprintf(line, sizeof line, "interval %llu", (unsigned long long)ck_watchdog_interval_ms());
        ck_watchdog_status(line);
        ck_watchdog_kick();
        return 0;
    }
    if (strcmp(which, "silent") == 0) {
        /* No NOTIFY_SOCKET: every call a no-op; the exit code says what the interval was. */
        ck_watchdog_ready("ready");
        ck_watchdog_status("status");
        for (int i = 0; i < 100000; i++)
            ck_watchdog_kick();
        ck_watchdog_stopping("bye");
        return ck_watchdog_interval_ms() == 0 ? 0 : 3;
    }
    return 2;
}

/* ------------------------------------------------------------------ the parent (systemd) */

static void set_or_unset(const char *name, const char *value)
{
    if (value)
        setenv(name, value, 1);
    else
        unsetenv(name);
}

/* Runs `test_watchdog --child which` with NOTIFY_SOCKET (when notify), WATCHDOG_USEC and
 * WATCHDOG_PID as given, and records every datagram that reaches our socket. */
static void run_child(const char *self, const char *which, int notify, const char *usec,
                      const char *wd_pid, struct run *r)
{
    memset(r, 0, sizeof *r);
    static int serial;
    char name[108];
    snprintf(name, sizeof name, "@ck-test-watchdog-%d-%d", (int)getpid(), serial++);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    memcpy(sa.sun_path, name, strlen(name));
    sa.sun_path[0] = '\0'; /* abstract: nothing to clean up */
    socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name));
    CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, salen) == 0);
    struct timeval tv = {.tv_sec = 0, .tv_usec = 50000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

    set_or_unset("NOTIFY_SOCKET", notify ? name : NULL);
    set_or_unset("WATCHDOG_USEC", usec);
    set_or_unset("WATCHDOG_PID", wd_pid);
    char *argv[] = {(char *)self, "--child", (char *)which, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, self, NULL, NULL, argv, environ);
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    CHECK(rc == 0);
    if (rc) {
        close(fd);
        return;
    }
    int exited = 0;
    uint64_t deadline = mono_ms() + 20000;
    for (;;) {
        char buf[512];
        ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
        if (n >= 0 && r->n < MAX_MSGS) {
            buf[n] = '\0';
            snprintf(r->msgs[r->n].text, sizeof r->msgs[r->n].text, "%s", buf);
            r->msgs[r->n++].at_ms = mono_ms();
            continue;
        }
        /* Nothing for 50 ms: done once the child is gone (its datagrams are already queued). */
        if (exited)
            break;
        if (waitpid(pid, &r->status, WNOHANG) == pid)
            exited = 1;
        if (mono_ms() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &r->status, 0);
            CHECK(!"child did not finish in 20 s");
            break;
        }
    }
    close(fd);
}

static int count(const struct run *r, const char *text)
{
    int n = 0;
    for (int i = 0; i < r->n; i++)
        n += strcmp(r->msgs[i].text, text) == 0;
    return n;
}

static const char *find_prefix(const struct run *r, const char *prefix)
{
    for (int i = 0; i < r->n; i++)
        if (strncmp(r->msgs[i].text, prefix, strlen(prefix)) == 0)
            return r->msgs[i].text;
    return NULL;
}

static void test_notify(const char *self)
{
    static struct run r;
    run_child(self, "notify", 1, "400000", NULL, &r);
    CHECK(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    /* systemd sees ready first, with the status text, then the interval the kiosk read. */
    CHECK(r.n > 0);
    CHECK_STR(r.n ? r.msgs[0].text : NULL, "READY=1\nSTATUS=starting up");
    CHECK_STR(r.n > 1 ? r.msgs[1].text : NULL, "STATUS=interval 400");

    /* Kicks arrive, but no more than one per interval/4, however often the loop calls. */
    int kicks = count(&r, "WATCHDOG=1");
    const char *el = find_prefix(&r, "STATUS=elapsed ");
    unsigned long long elapsed = el ? strtoull(el + strlen("STATUS=elapsed "), NULL, 10) : 0;
    CHECK(el != NULL);
    printf("watchdog: %d kicks in %llu ms of a 500 Hz loop, interval %d ms\n", kicks, elapsed,
           INTERVAL_MS);
    CHECK(kicks >= 3);
    CHECK(kicks <= (int)(elapsed / (INTERVAL_MS / 4)) + 1);
    /* And they keep flowing: no gap between two of them as long as the interval, which is when
     * systemd would kill the kiosk (they are a quarter apart; slack for a busy machine). */
    uint64_t prev = 0, worst = 0;
    for (int i = 0; i < r.n; i++) {
        if (strcmp(r.msgs[i].text, "WATCHDOG=1") != 0)
            continue;
        if (prev && r.msgs[i].at_ms - prev > worst)
            worst = r.msgs[i].at_ms - prev;
        prev = r.msgs[i].at_ms;
    }
    printf("watchdog: longest gap between kicks %llu ms\n", (unsigned long long)worst);
    CHECK(worst < INTERVAL_MS);

    /* A status text cannot smuggle in another field. */
    CHECK(count(&r, "STATUS=first line") == 1);
    CHECK(count(&r, "READY=1") == 0);
    CHECK(count(&r, "STOPPING=1\nSTATUS=bye") == 1);
}

static void test_interval_owner(const char *self)
{
    static struct run r;
    char me[32];
    snprintf(me, sizeof me, "%d", (int)getpid());

    /* Under cage the service's main process is the kiosk's parent: the watchdog is ours. */
    run_child(self, "interval", 1, "400000", me, &r);
    CHECK(count(&r, "STATUS=interval 400") == 1);
    CHECK(count(&r, "WATCHDOG=1") == 1);

    /* WATCHDOG_PID naming some other process: not ours, no kicks. */
    run_child(self, "interval", 1, "400000", "1", &r);
    CHECK(count(&r, "STATUS=interval 0") == 1);
    CHECK(count(&r, "WATCHDOG=1") == 0);

    /* Type=notify without WatchdogSec: status and ready, but no watchdog. */
    run_child(self, "interval", 1, NULL, NULL, &r);
    CHECK(count(&r, "STATUS=interval 0") == 1);
    CHECK(count(&r, "WATCHDOG=1") == 0);
}

static void test_silent(const char *self)
{
    static struct run r;
    /* WATCHDOG_USEC alone (no NOTIFY_SOCKET): nowhere to send, so interval 0 and no-ops. */
    run_child(self, "silent", 0, "400000", NULL, &r);
    CHECK(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    CHECK(r.n == 0);

    /* And in this very process, with no systemd in sight. */
    unsetenv("NOTIFY_SOCKET");
    CHECK(ck_watchdog_interval_ms() == 0);
    uint64_t t0 = mono_ms();
    for (int i = 0; i < 1000000; i++)
        ck_watchdog_kick();
    ck_watchdog_ready("ready");
    ck_watchdog_status("status");
    /* A no-op kick is a load and a compare; a million of them well under a second even under
     * a sanitizer. (Not a benchmark: it only catches a kick that makes a system call.) */
    CHECK(mono_ms() - t0 < 1000);
}

/* ------------------------------------------------------------------ logs */

static int sunk;
static char sunk_line[256], sunk_module[32];
static enum ck_log_level sunk_level;

static void capture(enum ck_log_level lvl, const char *module, const char *line)
{
    sunk++;
    sunk_level = lvl;
    snprintf(sunk_module, sizeof sunk_module, "%s", module);
    snprintf(sunk_line, sizeof sunk_line, "%s", line);
}

static void test_log_sink(void)
{
    ck_log_set_sink(capture);
    ck_warn("printer", "paper low (%d%%)", 10);
    ck_debug("printer", "dropped below the level");
    ck_log_set_sink(NULL);
    CHECK(sunk == 1);
    CHECK(sunk_level == CK_LOG_WARN);
    CHECK_STR(sunk_module, "printer");
    CHECK_STR(sunk_line, "paper low (10%)");
}

/* The journal is chosen only when stderr really is systemd's stream. */
static void test_journal_choice(void)
{
    unsetenv("JOURNAL_STREAM");
    unsetenv("INVOCATION_ID");
    CHECK(!ck_journal_enable());

    /* JOURNAL_STREAM naming another stream (stderr redirected since): stay on stderr. */
    setenv("JOURNAL_STREAM", "1:1", 1);
    CHECK(!ck_journal_enable());

    /* stderr to a file whose device:inode JOURNAL_STREAM names: that is what systemd does. */
    char path[] = "/tmp/ck-test-journal-XXXXXX";
    int fd = mkstemp(path);
    int saved = dup(STDERR_FILENO);
    struct stat st;
    CHECK(fd >= 0 && saved >= 0 && fstat(fd, &st) == 0);
    char js[64];
    snprintf(js, sizeof js, "%llu:%llu", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino);
    setenv("JOURNAL_STREAM", js, 1);
    dup2(fd, STDERR_FILENO);
    int enabled = ck_journal_enable();
    ck_error("test", "journal line from test_watchdog");
    dup2(saved, STDERR_FILENO);
    close(saved);
    ck_log_set_sink(NULL);
    unsetenv("JOURNAL_STREAM");
    /* Without journald here (containers, CI), stderr is kept: sd_journal_send would drop the
     * line silently. The line is on stderr, levelled. */
    if (access("/run/systemd/journal/socket", F_OK) != 0) {
        CHECK(!enabled);
        char buf[256] = "";
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        CHECK(n > 0);
        CHECK_STR(buf, "error test: journal line from test_watchdog\n");
        printf("journal: no journald here; checked that lines stay on stderr\n");
    } else {
        CHECK(enabled);
        printf("journal: journald present; the test line went to it (journalctl -t civic-kiosk)\n");
    }
    close(fd);
    unlink(path);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--child") == 0)
        return child(argv[2]);
    const char *self = "/proc/self/exe";
    char exe[4096];
    ssize_t n = readlink(self, exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        self = exe;
    }
    test_notify(self);
    test_interval_owner(self);
    test_silent(self);
    test_log_sink();
    test_journal_choice();
    return ck_check_report();
}
