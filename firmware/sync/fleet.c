/* fleet.c: the fleet worker: bundle polling and heartbeats (fleet.h). Its own thread and curl
 * handle; a mutex and a condition guard what the UI thread hands over. */
#include "sync/fleet.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "platform/platform.h"

struct ck_fleet {
    struct ck_fleet_opts o;
    char *config_url, *sig_url, *heartbeat_url, *ca_bundle;
    ck_fleet_bundle_fn on_bundle;
    void *ctx;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, poll_now, busy;
    char *heartbeat;   /* waiting to be sent */
    char etag[160];    /* the bundle's, from the last 200 */
    CURL *curl;
};

/* ---------------------------------------------------------------- HTTP */

struct body {
    struct ck_buf buf;
    size_t cap;
    bool too_big;
};

static size_t on_data(char *p, size_t size, size_t n, void *vb)
{
    struct body *b = vb;
    size_t len = size * n;
    if (b->buf.len + len > b->cap) {
        b->too_big = true;
        return 0; /* curl stops: CURLE_WRITE_ERROR */
    }
    return ck_buf_append(&b->buf, p, len) == CK_OK ? len : 0;
}

struct head {
    char etag[160];
};

static size_t on_header(char *p, size_t size, size_t n, void *vh)
{
    struct head *h = vh;
    size_t len = size * n;
    if (len > 5 && strncasecmp(p, "etag:", 5) == 0) {
        size_t i = 5;
        while (i < len && (p[i] == ' ' || p[i] == '\t'))
            i++;
        size_t e = len;
        while (e > i && (p[e - 1] == '\r' || p[e - 1] == '\n' || p[e - 1] == ' '))
            e--;
        snprintf(h->etag, sizeof h->etag, "%.*s", (int)(e - i), p + i);
    }
    return len;
}

static void common_opts(struct ck_fleet *f)
{
    CURL *e = f->curl;
    curl_easy_reset(e);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)f->o.timeout_s);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 15L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "civic-kiosk/" CK_SOFTWARE_VERSION);
    if (f->ca_bundle)
        curl_easy_setopt(e, CURLOPT_CAINFO, f->ca_bundle);
}

/* GET url into b (at most cap bytes). Returns the HTTP status, or 0 with the reason in why. */
static long get(struct ck_fleet *f, const char *url, const char *if_none_match, struct body *b,
                struct head *h, char *why, size_t whylen)
{
    common_opts(f);
    struct curl_slist *hdrs = NULL;
    char line[200];
    if (if_none_match && *if_none_match) {
        snprintf(line, sizeof line, "If-None-Match: %s", if_none_match);
        hdrs = curl_slist_append(hdrs, line);
    }
    curl_easy_setopt(f->curl, CURLOPT_URL, url);
    curl_easy_setopt(f->curl, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(f->curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(f->curl, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(f->curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(f->curl, CURLOPT_HEADERDATA, h);
    curl_easy_setopt(f->curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)b->cap);
    CURLcode rc = curl_easy_perform(f->curl);
    curl_slist_free_all(hdrs);
    long status = 0;
    curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &status);
    if (b->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
        snprintf(why, whylen, "oversize: %s is larger than %zu bytes", url, b->cap);
        return 0;
    }
    if (rc != CURLE_OK) {
        snprintf(why, whylen, "%s: %s", url, curl_easy_strerror(rc));
        return 0;
    }
    return status;
}

/* One poll: the bundle if it changed, then its signature, handed to on_bundle. */
static void poll_bundle(struct ck_fleet *f)
{
    struct body b = {.cap = f->o.max_bundle_bytes};
    struct body s = {.cap = 64 * 1024};
    struct head h = {""}, hs = {""};
    char why[512] = "";
    ck_buf_init(&b.buf);
    ck_buf_init(&s.buf);
    long st = get(f, f->config_url, f->etag, &b, &h, why, sizeof why);
    if (st == 304) {
        ck_debug("fleet", "bundle unchanged (%s)", f->etag);
    } else if (st != 200) {
        if (st)
            snprintf(why, sizeof why, "%s: HTTP %ld", f->config_url, st);
        ck_warn("fleet", "bundle not fetched: %s", why);
        f->on_bundle(f->ctx, NULL, 0, NULL, 0, why);
    } else if ((st = get(f, f->sig_url, NULL, &s, &hs, why, sizeof why)) != 200) {
        if (st)
            snprintf(why, sizeof why, "%s: HTTP %ld", f->sig_url, st);
        ck_warn("fleet", "signature not fetched: %s", why);
        f->on_bundle(f->ctx, NULL, 0, NULL, 0, why);
    } else {
        f->on_bundle(f->ctx, (const uint8_t *)(b.buf.data ? b.buf.data : ""), b.buf.len,
                     s.buf.data ? s.buf.data : "", s.buf.len, NULL);
        snprintf(f->etag, sizeof f->etag, "%s", h.etag); /* only once it was looked at */
    }
    ck_buf_deinit(&b.buf);
    ck_buf_deinit(&s.buf);
}

static void send_heartbeat(struct ck_fleet *f, const char *json)
{
    common_opts(f);
    struct body b = {.cap = 64 * 1024};
    struct head h = {""};
    ck_buf_init(&b.buf);
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(f->curl, CURLOPT_URL, f->heartbeat_url);
    curl_easy_setopt(f->curl, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(f->curl, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(f->curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(f->curl, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(f->curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(f->curl, CURLOPT_HEADERDATA, &h);
    CURLcode rc = curl_easy_perform(f->curl);
    long status = 0;
    curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdrs);
    ck_buf_deinit(&b.buf);
    if (rc != CURLE_OK)
        ck_warn("fleet", "heartbeat not sent: %s", curl_easy_strerror(rc));
    else if (status / 100 != 2)
        ck_warn("fleet", "heartbeat refused: HTTP %ld", status);
}

/* ---------------------------------------------------------------- the thread */

static uint64_t next_poll_ms(const struct ck_fleet *f)
{
    uint64_t base = (uint64_t)f->o.poll_minutes * 60000u;
    uint32_t r;
    ck_random_bytes(&r, sizeof r);
    return base * 8 / 10 + (base * 4 / 10) * (r % 1000) / 1000; /* +-20% */
}

static void *run(void *arg)
{
    struct ck_fleet *f = arg;
    /* The first poll within a minute of starting, at a random moment: a building's kiosks
     * that come back together after a power cut do not all ask at once. */
    uint32_t r;
    ck_random_bytes(&r, sizeof r);
    uint64_t first = (uint64_t)f->o.poll_minutes * 60000u;
    first = first < 60000u ? first : 60000u;
    uint64_t due = ck_clock_mono_ms() + first * (r % 1000) / 1000;
    pthread_mutex_lock(&f->mu);
    while (!f->stop) {
        uint64_t now = ck_clock_mono_ms();
        if (f->heartbeat) {
            char *hb = f->heartbeat;
            f->heartbeat = NULL;
            f->busy = true;
            pthread_mutex_unlock(&f->mu);
            send_heartbeat(f, hb);
            free(hb);
            pthread_mutex_lock(&f->mu);
            f->busy = false;
            continue;
        }
        if (f->config_url && (f->poll_now || now >= due)) {
            f->poll_now = false;
            f->busy = true;
            pthread_mutex_unlock(&f->mu);
            poll_bundle(f);
            pthread_mutex_lock(&f->mu);
            f->busy = false;
            due = ck_clock_mono_ms() + next_poll_ms(f);
            pthread_cond_broadcast(&f->cv);
            continue;
        }
        pthread_cond_broadcast(&f->cv); /* idle: wake anyone waiting for that */
        if (!f->config_url) {
            pthread_cond_wait(&f->cv, &f->mu);
        } else {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            uint64_t wait = due > now ? due - now : 0;
            ts.tv_sec += (time_t)(wait / 1000);
            ts.tv_nsec += (long)(wait % 1000) * 1000000L;
            if (ts.tv_nsec >= 1000000000L)
                ts.tv_sec++, ts.tv_nsec -= 1000000000L;
            pthread_cond_timedwait(&f->cv, &f->mu, &ts);
        }
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

static char *dup_or_null(const char *s)
{
    return s && *s ? strdup(s) : NULL;
}

struct ck_fleet *ck_fleet_start(const struct ck_fleet_opts *opts, ck_fleet_bundle_fn on_bundle,
                                void *ctx, char *err, size_t errlen)
{
    struct ck_fleet *f = calloc(1, sizeof *f);
    if (!f) {
        ck_fail(err, errlen, CK_ERR_NOMEM, "no memory for the fleet worker");
        return NULL;
    }
    f->o = *opts;
    if (f->o.timeout_s <= 0)
        f->o.timeout_s = 60;
    if (f->o.poll_minutes <= 0)
        f->o.poll_minutes = 15;
    f->config_url = dup_or_null(opts->config_url);
    f->heartbeat_url = dup_or_null(opts->heartbeat_url);
    f->ca_bundle = dup_or_null(opts->ca_bundle);
    if (f->config_url && (f->sig_url = malloc(strlen(f->config_url) + 9)))
        sprintf(f->sig_url, "%s.minisig", f->config_url);
    f->on_bundle = on_bundle;
    f->ctx = ctx;
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    if (!(f->curl = curl_easy_init()) || (f->config_url && !f->sig_url) ||
        pthread_create(&f->thread, NULL, run, f)) {
        ck_fail(err, errlen, CK_ERR_NOMEM, "the fleet worker could not start");
        if (f->curl)
            curl_easy_cleanup(f->curl);
        free(f->config_url), free(f->sig_url), free(f->heartbeat_url), free(f->ca_bundle);
        free(f);
        return NULL;
    }
    return f;
}

void ck_fleet_stop(struct ck_fleet *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&f->mu);
    f->stop = true;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->thread, NULL);
    curl_easy_cleanup(f->curl);
    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cv);
    free(f->heartbeat);
    free(f->config_url), free(f->sig_url), free(f->heartbeat_url), free(f->ca_bundle);
    free(f);
}

void ck_fleet_heartbeat(struct ck_fleet *f, const char *json)
{
    if (!f || !f->heartbeat_url)
        return;
    char *copy = strdup(json);
    pthread_mutex_lock(&f->mu);
    free(f->heartbeat);
    f->heartbeat = copy;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

void ck_fleet_poll_now(struct ck_fleet *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&f->mu);
    f->poll_now = true;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

int ck_fleet_idle(struct ck_fleet *f)
{
    if (!f)
        return 1;
    pthread_mutex_lock(&f->mu);
    int idle = !f->busy && !f->heartbeat && !f->poll_now;
    pthread_mutex_unlock(&f->mu);
    return idle;
}
