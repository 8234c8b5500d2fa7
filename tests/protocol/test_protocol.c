/* Protocol tests as data: each tests/protocol/cases/NAME.case holds canned replies and the exact
 * requests the kiosk must send (method, path, every query parameter and form field), and the
 * outbox state the kiosk must end in. The real delivery worker runs against a small canned
 * HTTP server on 127.0.0.1 that this test starts and stops.
 *
 * Case file:
 *   # comment
 *   set format xml|json          set multivalue brackets|repeat   set jurisdiction ID
 *   set api_key KEY              set unknown_outcome 1 (the last attempt may have reached upstream)
 *   expect-state STATE [TEXT]    delivered ID | awaiting_token TOKEN | parked TEXT-IN-MESSAGE |
 *                                queued TEXT-IN-LAST-ERROR
 *   expect-cache TEXT            the cached catalog contains TEXT
 *   >>> METHOD /path             a request the kiosk must make; then its expected fields:
 *   ?name=value                    a query parameter (value * matches anything)
 *   name=value                     a form field (URL-decoded)
 *   header: Name: value            a request header
 *   <<< STATUS CONTENT-TYPE      the reply; the following lines up to the next >>> are its body
 * A request for a path no block lists gets 404 and is not an error (the catalog fetch at start).
 * Fields and parameters are compared as sorted sets: every one expected, none extra. */
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "core/buf.h"
#include "core/request.h"
#include "store/outbox.h"
#include "store/store.h"
#include "sync/sync.h"

#define MAX_EX 16

struct exchange {
    char method[8], path[256];
    struct ck_buf expect; /* sorted lines */
    int status;
    char ctype[64];
    struct ck_buf reply;
    bool served;
    struct ck_buf got; /* sorted lines, as received */
};

struct server {
    int fd, port;
    struct exchange ex[MAX_EX];
    int n;
    volatile bool stop;
    pthread_t th;
    pthread_mutex_t mu;
};

static int cmp_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts the '\n'-separated lines of b in place. */
static void sort_lines(struct ck_buf *b)
{
    char *copy = strdup(ck_buf_str(b)), *lines[256], *save = NULL;
    int n = 0;
    for (char *l = strtok_r(copy, "\n", &save); l && n < 256; l = strtok_r(NULL, "\n", &save))
        lines[n++] = l;
    qsort(lines, (size_t)n, sizeof lines[0], cmp_lines);
    struct ck_buf out;
    ck_buf_init(&out);
    for (int i = 0; i < n; i++)
        ck_buf_printf(&out, "%s\n", lines[i]);
    ck_buf_set(b, ck_buf_str(&out));
    ck_buf_deinit(&out);
    free(copy);
}

static int hex(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                        : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* URL-decodes s[0..n) onto b; newlines become the two characters \n so a field is one line. */
static void decode(struct ck_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+')
            c = ' ';
        else if (c == '%' && i + 2 < n + 0 + 1 && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            c = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        }
        if (c == '\n')
            ck_buf_puts(b, "\\n");
        else
            ck_buf_append(b, &c, 1);
    }
}

/* "a=1&b=2" -> lines "PREFIXa=1\n", "PREFIXb=2\n" */
static void add_pairs(struct ck_buf *b, const char *s, size_t n, const char *prefix)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != '&')
            j++;
        if (j > i) {
            ck_buf_puts(b, prefix);
            decode(b, s + i, j - i);
            ck_buf_puts(b, "\n");
        }
        i = j + 1;
    }
}

static void handle(struct server *sv, int c)
{
    struct ck_buf in;
    ck_buf_init(&in);
    char chunk[4096];
    ssize_t r;
    char *hend = NULL;
    while (!(hend = strstr(ck_buf_str(&in), "\r\n\r\n")) &&
           (r = read(c, chunk, sizeof chunk)) > 0)
        ck_buf_append(&in, chunk, (size_t)r);
    if (!hend) {
        ck_buf_deinit(&in);
        return;
    }
    size_t head_len = (size_t)(hend - ck_buf_str(&in)) + 4;
    const char *cl = strcasestr(ck_buf_str(&in), "\r\nContent-Length:");
    size_t want = cl && cl < hend ? strtoul(cl + 17, NULL, 10) : 0;
    while (in.len < head_len + want && (r = read(c, chunk, sizeof chunk)) > 0)
        ck_buf_append(&in, chunk, (size_t)r);
    char method[8] = "", target[2048] = "";
    sscanf(ck_buf_str(&in), "%7s %2047s", method, target);
    char *q = strchr(target, '?');
    if (q)
        *q++ = '\0';
    pthread_mutex_lock(&sv->mu);
    struct exchange *ex = NULL;
    for (int i = 0; i < sv->n && !ex; i++)
        if (!sv->ex[i].served && strcmp(sv->ex[i].method, method) == 0 &&
            strcmp(sv->ex[i].path, target) == 0)
            ex = &sv->ex[i];
    char head[512];
    const char *body = "";
    if (ex) {
        ex->served = true;
        if (q)
            add_pairs(&ex->got, q, strlen(q), "?");
        add_pairs(&ex->got, ck_buf_str(&in) + head_len, in.len - head_len, "");
        const char *idem = strcasestr(ck_buf_str(&in), "\r\nIdempotency-Key: ");
        if (idem && idem < hend) {
            const char *e = strstr(idem + 2, "\r\n");
            ck_buf_printf(&ex->got, "header: Idempotency-Key: %.*s\n", (int)(e - idem - 19),
                          idem + 19);
        }
        sort_lines(&ex->got);
        body = ck_buf_str(&ex->reply);
        snprintf(head, sizeof head,
                 "HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                 ex->status, ex->ctype, strlen(body));
    } else {
        snprintf(head, sizeof head,
                 "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }
    ssize_t w1 = write(c, head, strlen(head));
    ssize_t w2 = write(c, body, strlen(body));
    (void)w1, (void)w2;
    pthread_mutex_unlock(&sv->mu);
    ck_buf_deinit(&in);
}

static void *serve(void *arg)
{
    struct server *sv = arg;
    while (!sv->stop) {
        struct pollfd p = {.fd = sv->fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        int c = accept(sv->fd, NULL, NULL);
        if (c < 0)
            continue;
        handle(sv, c);
        close(c);
    }
    return NULL;
}

static bool server_start(struct server *sv)
{
    sv->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (sv->fd < 0 || bind(sv->fd, (struct sockaddr *)&a, sizeof a) || listen(sv->fd, 16) ||
        getsockname(sv->fd, (struct sockaddr *)&a, &len))
        return false;
    sv->port = ntohs(a.sin_port);
    pthread_mutex_init(&sv->mu, NULL);
    return pthread_create(&sv->th, NULL, serve, sv) == 0;
}

static void server_stop(struct server *sv)
{
    sv->stop = true;
    pthread_join(sv->th, NULL);
    close(sv->fd);
    for (int i = 0; i < sv->n; i++) {
        ck_buf_deinit(&sv->ex[i].expect);
        ck_buf_deinit(&sv->ex[i].reply);
        ck_buf_deinit(&sv->ex[i].got);
    }
    pthread_mutex_destroy(&sv->mu);
}

/* ------------------------------------------------------------ a case */

struct kase {
    char format[8], multi[12], jurisdiction[64], api_key[64];
    bool unknown_outcome;
    char state[24], state_text[256], cache_text[256];
};

static void trim_nl(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

static bool load_case(const char *path, struct kase *k, struct server *sv)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    char line[8192];
    struct exchange *ex = NULL;
    bool in_reply = false;
    while (fgets(line, sizeof line, f)) {
        trim_nl(line);
        if (strncmp(line, ">>> ", 4) == 0) {
            ex = &sv->ex[sv->n++];
            memset(ex, 0, sizeof *ex);
            ck_buf_init(&ex->expect);
            ck_buf_init(&ex->reply);
            ck_buf_init(&ex->got);
            sscanf(line + 4, "%7s %255s", ex->method, ex->path);
            in_reply = false;
        } else if (ex && strncmp(line, "<<< ", 4) == 0) {
            sscanf(line + 4, "%d %63s", &ex->status, ex->ctype);
            in_reply = true;
        } else if (ex && in_reply) {
            ck_buf_printf(&ex->reply, "%s%s", ex->reply.len ? "\n" : "", line);
        } else if (ex) {
            if (*line)
                ck_buf_printf(&ex->expect, "%s\n", line);
        } else if (line[0] == '#' || !line[0]) {
            continue;
        } else if (sscanf(line, "set format %7s", k->format) == 1 ||
                   sscanf(line, "set multivalue %11s", k->multi) == 1 ||
                   sscanf(line, "set jurisdiction %63s", k->jurisdiction) == 1 ||
                   sscanf(line, "set api_key %63s", k->api_key) == 1) {
        } else if (strcmp(line, "set unknown_outcome 1") == 0) {
            k->unknown_outcome = true;
        } else if (strncmp(line, "expect-state ", 13) == 0) {
            sscanf(line + 13, "%23s", k->state);
            const char *t = strchr(line + 13, ' ');
            snprintf(k->state_text, sizeof k->state_text, "%.255s", t ? t + 1 : "");
        } else if (strncmp(line, "expect-cache ", 13) == 0) {
            snprintf(k->cache_text, sizeof k->cache_text, "%.255s", line + 13);
        } else {
            fprintf(stderr, "%s: cannot read: %s\n", path, line);
            fclose(f);
            return false;
        }
    }
    fclose(f);
    for (int i = 0; i < sv->n; i++)
        sort_lines(&sv->ex[i].expect);
    return true;
}

/* The one request every case delivers: every kind of field the kiosk sends. */
static void make_request(struct ck_request *r)
{
    ck_request_init(r);
    ck_request_set(&r->service_code, "pothole");
    ck_request_set(&r->service_name, "Pothole");
    ck_request_add_attr(r, "size", "large");
    ck_request_add_attr(r, "depth", "4.5");
    ck_request_add_attr(r, "lanes", "left");
    r->attrs[r->nattrs - 1].multi = true;
    ck_request_add_attr(r, "lanes", "bike lane");
    r->attrs[r->nattrs - 1].multi = true;
    ck_request_set(&r->address_string, "120 Main Street, 08075");
    r->has_latlon = true;
    r->lat = 40.0512345;
    r->lon = -74.9512345;
    ck_request_set(&r->description, "Deep hole & cracks.\nNear the bus stop.");
    ck_request_set(&r->first_name, "Ana");
    ck_request_set(&r->last_name, "Torres");
    ck_request_set(&r->email, "ana@example.com");
    ck_request_set(&r->phone, "555-0100");
    snprintf(r->requested_at, sizeof r->requested_at, "2026-11-24T09:00:00-05:00");
    snprintf(r->lang, sizeof r->lang, "en");
}

static pthread_mutex_t ev_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ev_cond = PTHREAD_COND_INITIALIZER;

static void on_event(void *ctx, enum ck_sync_event ev)
{
    (void)ctx, (void)ev;
    pthread_mutex_lock(&ev_mu);
    pthread_cond_broadcast(&ev_cond);
    pthread_mutex_unlock(&ev_mu);
}

static bool reached(struct ck_store *st, const char *receipt, const struct kase *k,
                    struct ck_request_status *out)
{
    char err[CK_ERR_LEN];
    if (ck_store_lookup(st, receipt, out, err, sizeof err))
        return false;
    const char *state = ck_outbox_state_name(out->state);
    if (strcmp(state, k->state) != 0)
        return false;
    if (!strcmp(k->state, "queued"))
        return out->attempts > 0 && out->last_error[0];
    return true;
}

/* Lines of want missing from got, and of got missing from want (a '*' value matches any). */
static int diff_lines(const char *name, const char *path, const char *want, const char *got)
{
    int bad = 0;
    char *w = strdup(want), *g = strdup(got), *s1 = NULL;
    for (char *l = strtok_r(w, "\n", &s1); l; l = strtok_r(NULL, "\n", &s1)) {
        size_t n = strlen(l);
        bool wild = n > 1 && l[n - 1] == '*';
        const char *p = g;
        bool found = false;
        while (*p && !found) {
            const char *e = strchr(p, '\n');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            found = wild ? len >= n - 1 && strncmp(p, l, n - 1) == 0
                         : len == n && strncmp(p, l, n) == 0;
            p += len + (e != NULL);
        }
        if (!found) {
            fprintf(stderr, "%s: %s: expected but not sent: %s\n", name, path, l);
            bad++;
        }
    }
    char *s2 = NULL;
    for (char *l = strtok_r(g, "\n", &s2); l; l = strtok_r(NULL, "\n", &s2)) {
        bool found = false;
        char *s3 = NULL, *w2 = strdup(want);
        for (char *e = strtok_r(w2, "\n", &s3); e && !found; e = strtok_r(NULL, "\n", &s3)) {
            size_t n = strlen(e);
            found = (n > 1 && e[n - 1] == '*') ? strncmp(l, e, n - 1) == 0 : strcmp(l, e) == 0;
        }
        free(w2);
        if (!found) {
            fprintf(stderr, "%s: %s: sent but not expected: %s\n", name, path, l);
            bad++;
        }
    }
    free(w);
    free(g);
    return bad;
}

/* The receipt code is random: case files write it as RECEIPT, or GROUPED (R7Q-W2B-THPM). */
static void subst(struct ck_buf *b, const char *receipt)
{
    struct ck_buf out;
    ck_buf_init(&out);
    char g[CK_RECEIPT_GROUPED_LEN + 1];
    ck_receipt_group(receipt, g);
    for (const char *p = ck_buf_str(b); *p; p++) {
        if (strncmp(p, "RECEIPT", 7) == 0) {
            ck_buf_puts(&out, receipt);
            p += 6;
        } else if (strncmp(p, "GROUPED", 7) == 0) {
            ck_buf_puts(&out, g);
            p += 6;
        } else {
            ck_buf_append(&out, p, 1);
        }
    }
    ck_buf_set(b, ck_buf_str(&out));
    ck_buf_deinit(&out);
}

static void run_case(const char *dir, const char *file)
{
    char path[1024], tmp[] = "/tmp/ck-test-protocol-XXXXXX", db[256], err[CK_ERR_LEN];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    struct kase k = {.format = "xml", .multi = "brackets"};
    struct server sv = {0};
    CHECK(load_case(path, &k, &sv));
    CHECK(mkdtemp(tmp) != NULL);
    snprintf(db, sizeof db, "%s/kiosk.db", tmp);

    struct ck_store *st = ck_store_open(db, err, sizeof err);
    CHECK(st != NULL);
    struct ck_request r;
    make_request(&r);
    CHECK(ck_store_submit(st, "R7", &r, err, sizeof err) == CK_OK);
    if (k.unknown_outcome) { /* an attempt was cut off after the body left */
        int n = 0;
        CHECK(ck_outbox_sending(st, r.id, err, sizeof err) == CK_OK);
        CHECK(ck_outbox_recover(st, &n, err, sizeof err) == CK_OK && n == 1);
    }
    for (int i = 0; i < sv.n; i++) {
        subst(&sv.ex[i].reply, r.receipt);
        subst(&sv.ex[i].expect, r.receipt);
        sort_lines(&sv.ex[i].expect);
    }
    CHECK(server_start(&sv));

    char base[128];
    snprintf(base, sizeof base, "http://127.0.0.1:%d/open311/v2", sv.port);
    struct ck_upstream up = {
        .base_url = base, .format = k.format, .jurisdiction_id = k.jurisdiction,
        .api_key = k.api_key[0] ? k.api_key : NULL, .multivalue_style = k.multi,
        .receipt_attribute = "kiosk_receipt", .connect_timeout_s = 2, .timeout_s = 5,
        .low_speed_s = 5, .max_in_flight = 2, .retry_cap_s = 3600, .catalog_refresh_min = 600,
    };
    struct ck_sync *sync = ck_sync_start(&up, db, "R7", on_event, NULL, err, sizeof err);
    CHECK(sync != NULL);

    /* Wait, woken by the worker's events, until the expected state (10 s at most). */
    struct ck_request_status status = {0};
    bool ok = false;
    for (int i = 0; i < 50 && !ok; i++) {
        ok = reached(st, r.receipt, &k, &status) && ck_sync_idle(sync, 0);
        if (!ok) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 200 * 1000000L;
            if (ts.tv_nsec >= 1000000000L)
                ts.tv_sec++, ts.tv_nsec -= 1000000000L;
            pthread_mutex_lock(&ev_mu);
            pthread_cond_timedwait(&ev_cond, &ev_mu, &ts);
            pthread_mutex_unlock(&ev_mu);
        }
    }
    ck_sync_stop(sync);
    if (!ok)
        fprintf(stderr, "%s: ended as %s (id \"%s\", error \"%s\"), expected %s %s\n", file,
                ck_outbox_state_name(status.state), status.service_request_id,
                status.last_error, k.state, k.state_text);
    CHECK(ok);
    if (!strcmp(k.state, "delivered")) {
        CHECK_STR(status.service_request_id, k.state_text);
    } else if (k.state_text[0]) {
        bool has = strstr(status.last_error, k.state_text) != NULL;
        if (!has)
            fprintf(stderr, "%s: message \"%s\" lacks \"%s\"\n", file, status.last_error,
                    k.state_text);
        CHECK(has);
    }
    if (!strcmp(k.state, "delivered") || !strcmp(k.state, "awaiting_token")) {
        /* Upstream has the personal fields: they are gone from the kiosk. */
        struct ck_request back;
        ck_request_init(&back);
        CHECK(ck_store_load(st, r.receipt, &back, err, sizeof err) == CK_OK);
        CHECK(!back.first_name && !back.last_name && !back.email && !back.phone);
        CHECK(back.description != NULL);
        ck_request_deinit(&back);
    }
    if (k.cache_text[0]) {
        char *cache = NULL;
        CHECK(ck_store_cache_get(st, "catalog", &cache, NULL, err, sizeof err) == CK_OK);
        CHECK(cache && strstr(cache, k.cache_text));
        free(cache);
    }
    for (int i = 0; i < sv.n; i++) {
        struct exchange *ex = &sv.ex[i];
        if (!ex->served) {
            fprintf(stderr, "%s: the kiosk never sent %s %s\n", file, ex->method, ex->path);
            CHECK(ex->served);
            continue;
        }
        CHECK(diff_lines(file, ex->path, ck_buf_str(&ex->expect), ck_buf_str(&ex->got)) == 0);
    }
    server_stop(&sv);
    ck_request_deinit(&r);
    ck_store_close(st);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    CHECK(system(cmd) == 0);
    printf("%s: %s\n", file, ok ? "ok" : "FAILED");
    return;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_case(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return n > 5 && strcmp(d->d_name + n - 5, ".case") == 0;
}

int main(int argc, char **argv)
{
    setenv("CK_LOG_LEVEL", "error", 0);
    char dir[1024];
    const char *src = getenv("CK_SOURCE_DIR");
    snprintf(dir, sizeof dir, "%s/tests/protocol/cases", src ? src : ".");
    struct dirent **names;
    int n = scandir(dir, &names, is_case, by_name);
    CHECK(n > 0);
    for (int i = 0; i < n; i++) {
        if (argc < 2 || strstr(names[i]->d_name, argv[1]))
            run_case(dir, names[i]->d_name);
        free(names[i]);
    }
    free(names);
    return ck_check_report();
}
