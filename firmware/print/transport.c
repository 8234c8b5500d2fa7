/* transport.c: the byte pipe to a printer (usb:, tcp:, file:), never blocking for long.
 *
 * usblp blocks a write forever when the printer is out of paper or its cover is open (the
 * driver never times out, research/receipts.md 3.1), and a network printer that is off or
 * jammed may accept a connection and never read. So every descriptor is non-blocking and every
 * wait is a poll() with a timeout: a write fails when no byte has gone for `stall_ms`.
 * Print worker thread only. */
#include "print/transport.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum ck_err ck_transport_parse(const char *uri, enum ck_transport_kind *kind, char *where,
                               size_t wherelen, char *err, size_t errlen)
{
    if (!uri || !*uri || strcmp(uri, "none") == 0) {
        *kind = CK_TR_NONE;
        snprintf(where, wherelen, "none");
        return CK_OK;
    }
    static const struct {
        const char *prefix;
        enum ck_transport_kind kind;
    } KINDS[] = {{"usb:", CK_TR_USB}, {"tcp:", CK_TR_TCP}, {"file:", CK_TR_FILE}};
    for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++) {
        size_t n = strlen(KINDS[i].prefix);
        if (strncmp(uri, KINDS[i].prefix, n) == 0 && uri[n]) {
            *kind = KINDS[i].kind;
            snprintf(where, wherelen, "%s", uri + n);
            return CK_OK;
        }
    }
    return ck_fail(err, errlen, CK_ERR_CONFIG,
                   "printer \"%s\": use usb:/dev/usb/lp0, tcp:HOST:9100, file:PATH or none", uri);
}

static enum ck_err open_tcp(struct ck_transport *t, const char *where, int timeout_ms, char *err,
                            size_t errlen)
{
    char host[256], port[16] = "9100";
    snprintf(host, sizeof host, "%.255s", where);
    char *colon = strrchr(host, ':');
    if (colon && !strchr(colon, ']')) {
        snprintf(port, sizeof port, "%s", colon + 1);
        *colon = '\0';
    }
    if (host[0] == '[') { /* [::1]:9100 */
        memmove(host, host + 1, strlen(host));
        char *end = strchr(host, ']');
        if (end)
            *end = '\0';
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai = NULL;
    int gai = getaddrinfo(host, port, &hints, &ai);
    if (gai)
        return ck_fail(err, errlen, CK_ERR_IO, "tcp:%s: %s", where, gai_strerror(gai));
    enum ck_err rc = CK_ERR_IO;
    for (struct addrinfo *a = ai; a && rc; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
            t->fd = fd;
            rc = CK_OK;
            break;
        }
        if (errno == EINPROGRESS) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            int soerr = ETIMEDOUT;
            socklen_t len = sizeof soerr;
            if (poll(&p, 1, timeout_ms) == 1)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
            if (soerr == 0) {
                t->fd = fd;
                rc = CK_OK;
                break;
            }
            errno = soerr;
        }
        ck_fail(err, errlen, CK_ERR_IO, "tcp:%s: %s", where, strerror(errno));
        close(fd);
    }
    freeaddrinfo(ai);
    return rc;
}

enum ck_err ck_transport_open(struct ck_transport *t, const char *uri, int timeout_ms, char *err,
                              size_t errlen)
{
    memset(t, 0, sizeof *t);
    t->fd = -1;
    char where[512];
    enum ck_err rc = ck_transport_parse(uri, &t->kind, where, sizeof where, err, errlen);
    if (rc)
        return rc;
    switch (t->kind) {
    case CK_TR_NONE:
        return ck_fail(err, errlen, CK_ERR_NOT_FOUND, "no printer is configured");
    case CK_TR_FILE:
        t->fd = open(where, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NONBLOCK, 0600);
        break;
    case CK_TR_USB:
        /* Read and write: DLE EOT replies come back through read() on bidirectional printers. */
        t->fd = open(where, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (t->fd < 0 && (errno == EACCES || errno == EINVAL || errno == EROFS))
            t->fd = open(where, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (t->fd >= 0 && isatty(t->fd)) { /* a serial or pseudo terminal: raw bytes, please */
            struct termios tio;
            if (tcgetattr(t->fd, &tio) == 0) {
                cfmakeraw(&tio);
                tcsetattr(t->fd, TCSANOW, &tio);
            }
        }
        break;
    case CK_TR_TCP:
        return open_tcp(t, where, timeout_ms, err, errlen);
    }
    if (t->fd < 0)
        return ck_fail(err, errlen, CK_ERR_IO, "%s: %s", uri, strerror(errno));
    return CK_OK;
}

void ck_transport_close(struct ck_transport *t)
{
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
}

enum ck_err ck_transport_write(struct ck_transport *t, const void *buf, size_t n, int stall_ms,
                               char *err, size_t errlen)
{
    const char *p = buf;
    long last = now_ms();
    while (n) {
        ssize_t w = write(t->fd, p, n > 4096 ? 4096 : n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            last = now_ms();
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return ck_fail(err, errlen, CK_ERR_IO, "the printer stopped taking data: %s",
                           strerror(errno));
        long left = stall_ms - (now_ms() - last);
        if (left <= 0)
            return ck_fail(err, errlen, CK_ERR_BUSY,
                           "the printer took no data for %d s (out of paper, cover open, or jammed?)",
                           stall_ms / 1000);
        struct pollfd pf = {.fd = t->fd, .events = POLLOUT};
        int r = poll(&pf, 1, (int)left);
        if (r > 0 && (pf.revents & (POLLERR | POLLHUP)) && !(pf.revents & POLLOUT))
            return ck_fail(err, errlen, CK_ERR_IO, "the printer went away (unplugged?)");
    }
    return CK_OK;
}

enum ck_err ck_transport_drain(struct ck_transport *t, int stall_ms, char *err, size_t errlen)
{
    if (t->kind == CK_TR_FILE || t->kind == CK_TR_NONE)
        return CK_OK;
    long last = now_ms();
    int before = -1;
    for (;;) {
        int queued = 0;
        if (ioctl(t->fd, TIOCOUTQ, &queued) != 0) {
            /* usblp has no output queue to ask: a write is done when POLLOUT comes back. */
            struct pollfd pf = {.fd = t->fd, .events = POLLOUT};
            if (poll(&pf, 1, stall_ms) == 1 && (pf.revents & POLLOUT))
                return CK_OK;
            return ck_fail(err, errlen, CK_ERR_BUSY,
                           "the printer took no data for %d s (out of paper, cover open, or jammed?)",
                           stall_ms / 1000);
        }
        if (queued == 0)
            return CK_OK;
        if (queued != before) {
            before = queued;
            last = now_ms();
        } else if (now_ms() - last >= stall_ms) {
            return ck_fail(err, errlen, CK_ERR_BUSY,
                           "the printer took no data for %d s (out of paper, cover open, or jammed?)",
                           stall_ms / 1000);
        }
        struct pollfd pf = {.fd = t->fd, .events = 0}; /* wakes early only on an error */
        if (poll(&pf, 1, 20) == 1 && (pf.revents & (POLLERR | POLLHUP)))
            return ck_fail(err, errlen, CK_ERR_IO, "the printer went away (unplugged?)");
    }
}

int ck_transport_query(struct ck_transport *t, uint8_t n, int timeout_ms)
{
    if (t->kind != CK_TR_USB && t->kind != CK_TR_TCP)
        return -1;
    /* Stale bytes would answer the wrong question: drain them first. */
    uint8_t junk[64];
    while (read(t->fd, junk, sizeof junk) > 0)
        ;
    uint8_t q[3] = {0x10, 0x04, n}; /* DLE EOT n */
    char err[CK_ERR_LEN];
    if (ck_transport_write(t, q, sizeof q, timeout_ms, err, sizeof err))
        return -1;
    long deadline = now_ms() + timeout_ms;
    for (;;) {
        long left = deadline - now_ms();
        if (left <= 0)
            return -1;
        struct pollfd pf = {.fd = t->fd, .events = POLLIN};
        if (poll(&pf, 1, (int)left) <= 0)
            return -1;
        uint8_t b;
        ssize_t r = read(t->fd, &b, 1);
        if (r == 1)
            return b;
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
            return -1; /* closed, or a device that cannot be read (a one-way printer) */
    }
}
