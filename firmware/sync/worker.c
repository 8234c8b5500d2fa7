/* worker.c: the delivery worker (sync.h).
 *
 * One thread. Deliveries run concurrently on a curl multi handle, at most max_in_flight at a
 * time, so a backlog drains over a few reused connections. The catalog and status fetches are
 * short blocking exchanges on their own easy handle between two turns of the multi loop.
 *
 * Exactly once: before a POST the row is marked `sending` with unknown_outcome set, so a crash,
 * a timeout or a dropped connection after the body left means "upstream may have it". Such a
 * request is first looked for upstream (GET requests by service and time, matched by receipt
 * code) and adopted if found; only then posted again. The receipt code also travels as an
 * attribute and as the Idempotency-Key header, for servers that honour it.
 *
 * Scheduling uses the real clock (time()), not the script-pinned one, so retries happen in
 * tests as they would live. */
#include "sync/sync.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/receipt.h"
#include "platform/platform.h"
#include "store/outbox.h"
#include "sync/open311.h"

#define MAX_JOBS 16
#define STATUS_QUEUE 8
#define BASE_DELAY_MS 1000
/* A search reply this long may be a server's page, not the whole answer (the spec's default cap
 * is 1,000, many servers page at 50 or 100): the window is halved and searched again. */
#define LOOKUP_PAGE 50
#define LOOKUP_MIN_WINDOW 60 /* seconds: a window this narrow is not halved again */
#define LOOKUP_DEPTH 24      /* windows waiting: enough to halve a month down to a minute */

enum job_kind { JOB_POST, JOB_LOOKUP, JOB_TOKEN };

struct job {
    enum job_kind kind;
    struct ck_outbox_item item;
    CURL *easy;
    struct curl_slist *headers;
    struct ck_buf reply;
    struct ck_buf form; /* the POST body: personal data, wiped by ck_buf_deinit */
    bool too_big;
    char errbuf[CURL_ERROR_SIZE];
    /* A lookup's search windows [from, to] still to search, the last one next; empty before
     * the first search. */
    time_t win[LOOKUP_DEPTH][2];
    int nwin;
};

struct ck_sync {
    struct ck_upstream up;
    enum ck_o311_format fmt;
    enum ck_o311_multi multi_style;
    char *db_path;
    char kiosk_id[3];
    void (*notify)(void *, enum ck_sync_event);
    void *ctx;

    pthread_t thread;
    pthread_mutex_t mu; /* guards the fields below it */
    bool stop, kick, catalog_now, status_busy;
    char status_q[STATUS_QUEUE][CK_RECEIPT_LEN + 1];
    size_t nstatus;
    size_t njobs_shared;  /* njobs, as the other threads may read it */
    bool reprints_shared; /* staff reprints wait for the UI to take them */
    time_t next_due_shared;

    atomic_bool online;
    CURLM *multi;
    CURL *single; /* catalog and status */
    struct job *jobs[MAX_JOBS];
    size_t njobs;
    struct ck_store *st;
    time_t next_catalog;
    /* An outbox write failed (a disk error), so a row may be in `sending` with no transfer
     * behind it, which nothing picks up before a restart: sweep (below) when none is in flight. */
    bool resweep;
};

/* ------------------------------------------------------------ helpers */

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void copy_upstream(struct ck_upstream *dst, const struct ck_upstream *src)
{
    *dst = *src;
    dst->base_url = dup_or_null(src->base_url);
    dst->format = dup_or_null(src->format);
    dst->jurisdiction_id = dup_or_null(src->jurisdiction_id);
    dst->api_key = dup_or_null(src->api_key);
    dst->multivalue_style = dup_or_null(src->multivalue_style);
    dst->receipt_attribute = dup_or_null(src->receipt_attribute ? src->receipt_attribute
                                                                : "kiosk_receipt");
    dst->ca_bundle = dup_or_null(src->ca_bundle);
    dst->pinned_pubkey = dup_or_null(src->pinned_pubkey);
}

static bool configured(const struct ck_sync *s)
{
    return s->up.base_url && s->up.base_url[0];
}

static void notify(struct ck_sync *s, enum ck_sync_event ev)
{
    if (s->notify)
        s->notify(s->ctx, ev);
}

static uint32_t random_below(uint32_t n)
{
    uint32_t r;
    ck_random_bytes(&r, sizeof r);
    return n ? r % n : 0;
}

/* Full-jitter exponential backoff (AWS architecture blog, "Exponential Backoff and Jitter"):
 * a uniform wait in [0, min(cap, base * 2^attempt)), at least a quarter second; a server's
 * Retry-After wins when it asks for longer. In milliseconds. */
static long backoff_ms(const struct ck_sync *s, int attempt, long retry_after_s)
{
    long cap = (long)s->up.retry_cap_s * 1000;
    long ceiling = BASE_DELAY_MS;
    for (int i = 0; i < attempt && ceiling < cap; i++)
        ceiling *= 2;
    if (ceiling > cap)
        ceiling = cap;
    long ms = (long)random_below((uint32_t)ceiling);
    if (ms < 250)
        ms = 250;
    if (retry_after_s > 0 && retry_after_s * 1000 > ms)
        ms = retry_after_s * 1000;
    return ms;
}

static time_t after_ms(long ms)
{
    return time(NULL) + (ms + 999) / 1000;
}

static size_t on_data(char *ptr, size_t size, size_t n, void *userdata)
{
    struct job *j = userdata;
    size_t len = size * n;
    if (j->reply.len + len > CK_O311_MAX_REPLY) {
        j->too_big = true;
        return 0; /* curl stops with CURLE_WRITE_ERROR */
    }
    return ck_buf_append(&j->reply, ptr, len) == CK_OK ? len : 0;
}

/* Options every exchange with upstream gets: bounded in time and size, no redirects, only
 * http(s), TLS verified (with the city's CA bundle and pin when given). */
static void common_options(const struct ck_sync *s, CURL *e, struct curl_slist *headers,
                           char *errbuf)
{
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long)s->up.connect_timeout_s);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)s->up.timeout_s);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (long)s->up.low_speed_s);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)CK_O311_MAX_REPLY);
    /* Explicit: some servers break on deflate (open311status: Alexandria). */
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "gzip");
    curl_easy_setopt(e, CURLOPT_USERAGENT, "civic-kiosk/0.3");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    if (s->up.ca_bundle)
        curl_easy_setopt(e, CURLOPT_CAINFO, s->up.ca_bundle);
    if (s->up.pinned_pubkey)
        curl_easy_setopt(e, CURLOPT_PINNEDPUBLICKEY, s->up.pinned_pubkey);
}

static struct curl_slist *base_headers(const struct ck_sync *s)
{
    struct curl_slist *h = curl_slist_append(NULL, s->fmt == CK_O311_XML
                                                       ? "Accept: text/xml, application/xml"
                                                       : "Accept: application/json");
    return curl_slist_append(h, "Expect:"); /* no 100-continue round trip */
}

/* Appends "&key=value" (or "key=value" first), both URL-encoded. */
static enum ck_err form_add(CURL *e, struct ck_buf *b, const char *key, const char *value)
{
    if (!value || !*value)
        return CK_OK; /* the spec: an empty parameter is the same as none */
    char *k = curl_easy_escape(e, key, 0), *v = curl_easy_escape(e, value, 0);
    enum ck_err rc = k && v ? ck_buf_printf(b, "%s%s=%s", b->len ? "&" : "", k, v) : CK_ERR_NOMEM;
    curl_free(k);
    if (v) {
        memset(v, 0, strlen(v));
        curl_free(v);
    }
    return rc;
}

static void url_for(const struct ck_sync *s, char *out, size_t outlen, const char *path,
                    const char *query)
{
    snprintf(out, outlen, "%s/%s.%s%s%s", s->up.base_url, path, ck_o311_format_ext(s->fmt),
             query && *query ? "?" : "", query ? query : "");
}

/* "jurisdiction_id=..&" when the city has one, for GET query strings. */
static void jurisdiction_query(const struct ck_sync *s, CURL *e, char *out, size_t outlen)
{
    out[0] = '\0';
    if (s->up.jurisdiction_id && *s->up.jurisdiction_id) {
        char *j = curl_easy_escape(e, s->up.jurisdiction_id, 0);
        snprintf(out, outlen, "jurisdiction_id=%s&", j ? j : "");
        curl_free(j);
    }
}

/* ------------------------------------------------------------ building a POST */

/* The form body of POST requests for one stored request (the exact fields are pinned by the
 * protocol tests in tests/protocol). */
enum ck_err ck_sync_build_post(const struct ck_upstream *up, enum ck_o311_multi style,
                               const char *kiosk_id, const struct ck_request *r, void *curl,
                               struct ck_buf *body);

enum ck_err ck_sync_build_post(const struct ck_upstream *up, enum ck_o311_multi style,
                               const char *kiosk_id, const struct ck_request *r, void *curl,
                               struct ck_buf *body)
{
    CURL *e = curl;
    char grouped[CK_RECEIPT_GROUPED_LEN + 1], num[64], key[200], device[32];
    ck_receipt_group(r->receipt, grouped);
    enum ck_err rc = form_add(e, body, "api_key", up->api_key);
    if (!rc)
        rc = form_add(e, body, "jurisdiction_id", up->jurisdiction_id);
    if (!rc)
        rc = form_add(e, body, "service_code", r->service_code);
    if (!rc && r->has_latlon) {
        snprintf(num, sizeof num, "%.7f", r->lat);
        rc = form_add(e, body, "lat", num);
        snprintf(num, sizeof num, "%.7f", r->lon);
        if (!rc)
            rc = form_add(e, body, "long", num);
    }
    if (!rc)
        rc = form_add(e, body, "address_string", r->address_string);
    /* The receipt code closes the description too, where it fits in the spec's 4,000
     * characters: city staff see it, and a lookup can match on it where a server does not
     * return attributes. */
    if (!rc) {
        struct ck_buf d;
        ck_buf_init(&d);
        const char *text = r->description ? r->description : "";
        size_t chars = 0;
        for (const char *p = text; *p; p++)
            chars += ((unsigned char)*p & 0xC0) != 0x80;
        if (chars + 40 <= 4000)
            rc = ck_buf_printf(&d, "%s%sKiosk receipt: %s", text, *text ? "\n\n" : "", grouped);
        else
            rc = ck_buf_puts(&d, text);
        if (!rc)
            rc = form_add(e, body, "description", ck_buf_str(&d));
        ck_buf_deinit(&d);
    }
    if (!rc)
        rc = form_add(e, body, "first_name", r->first_name);
    if (!rc)
        rc = form_add(e, body, "last_name", r->last_name);
    if (!rc)
        rc = form_add(e, body, "email", r->email);
    if (!rc)
        rc = form_add(e, body, "phone", r->phone);
    snprintf(device, sizeof device, "civic-kiosk-%s", kiosk_id);
    if (!rc)
        rc = form_add(e, body, "device_id", device);
    for (size_t i = 0; !rc && i < r->nattrs; i++) {
        const struct ck_request_attr *a = &r->attrs[i];
        snprintf(key, sizeof key, "attribute[%s]%s", a->code,
                 a->multi && style == CK_O311_MULTI_BRACKETS ? "[]" : "");
        rc = form_add(e, body, key, a->value);
    }
    snprintf(key, sizeof key, "attribute[%s]", up->receipt_attribute);
    if (!rc)
        rc = form_add(e, body, key, r->receipt);
    return rc;
}

/* ------------------------------------------------------------ jobs */

static void job_free(struct job *j)
{
    if (!j)
        return;
    if (j->easy)
        curl_easy_cleanup(j->easy);
    curl_slist_free_all(j->headers);
    ck_buf_deinit(&j->reply);
    ck_buf_deinit(&j->form);
    free(j);
}

static void schedule_retry(struct ck_sync *s, struct job *j, bool unknown, long retry_after,
                           const char *why)
{
    char err[CK_ERR_LEN];
    enum ck_outbox_state back = j->kind == JOB_TOKEN ? CK_OUTBOX_AWAITING_TOKEN : CK_OUTBOX_QUEUED;
    long ms = backoff_ms(s, j->item.attempts + 1, retry_after);
    ck_warn("sync", "%s: %s; next try in %ld s%s", j->item.receipt, why, (ms + 999) / 1000,
            unknown ? " (will look for it upstream first)" : "");
    if (ck_outbox_retry(s->st, j->item.id, back, unknown, after_ms(ms), why, err, sizeof err)) {
        ck_error("sync", "%s", err);
        s->resweep = true;
    }
    ck_outbox_note(s->st, false, why);
}

/* The lookup's current window in two halves, the earlier to be searched next; false when it is
 * too narrow to halve or no room is left for another window. */
static bool split_window(struct job *j)
{
    time_t *w = j->win[j->nwin - 1];
    if (w[1] - w[0] <= LOOKUP_MIN_WINDOW || j->nwin == LOOKUP_DEPTH)
        return false;
    time_t from = w[0], mid = w[0] + (w[1] - w[0]) / 2;
    w[0] = mid; /* the later half stays below */
    j->win[j->nwin][0] = from;
    j->win[j->nwin][1] = mid;
    j->nwin++;
    return true;
}

/* Prepares the easy handle of a job for its kind. */
static enum ck_err job_setup(struct ck_sync *s, struct job *j)
{
    char url[2048], q[1024], jq[300];
    if (!j->easy && !(j->easy = curl_easy_init()))
        return CK_ERR_NOMEM;
    curl_easy_reset(j->easy);
    curl_slist_free_all(j->headers);
    j->headers = base_headers(s);
    ck_buf_clear(&j->reply);
    j->too_big = false;
    j->errbuf[0] = '\0';
    jurisdiction_query(s, j->easy, jq, sizeof jq);
    switch (j->kind) {
    case JOB_POST: {
        char idem[80];
        snprintf(idem, sizeof idem, "Idempotency-Key: %s", j->item.receipt);
        j->headers = curl_slist_append(j->headers, idem);
        url_for(s, url, sizeof url, "requests", NULL);
        curl_easy_setopt(j->easy, CURLOPT_POST, 1L);
        /* A POST never rides a reused connection: when one dies before the reply, libcurl
         * silently sends the request again on a new connection ("Connection died, retrying a
         * fresh connect"), and a server that had created the request then gets a duplicate.
         * Found by tests/integration/test_faults.sh (drop_after_body with commit). */
        curl_easy_setopt(j->easy, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(j->easy, CURLOPT_POSTFIELDS, ck_buf_str(&j->form));
        curl_easy_setopt(j->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)j->form.len);
        break;
    }
    case JOB_LOOKUP: {
        /* Requests of this service filed from an hour before ours until an hour from now (a
         * server may date a request by its own clock, when it arrived); or a part of that
         * window, when a reply was too long to be the whole answer. */
        if (!j->nwin) {
            time_t t0 = 0;
            if (!ck_o311_time(j->item.requested_at, &t0))
                t0 = time(NULL) - 86400;
            j->win[0][0] = t0 - 3600;
            j->win[0][1] = time(NULL) + 3600;
            j->nwin = 1;
        }
        time_t t0 = j->win[j->nwin - 1][0], t1 = j->win[j->nwin - 1][1];
        char start[32], end[32];
        strftime(start, sizeof start, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t0));
        strftime(end, sizeof end, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t1));
        char *code = curl_easy_escape(j->easy, j->item.service_code, 0);
        snprintf(q, sizeof q, "%sservice_code=%s&start_date=%s&end_date=%s&extensions=true", jq,
                 code ? code : "", start, end);
        curl_free(code);
        url_for(s, url, sizeof url, "requests", q);
        break;
    }
    case JOB_TOKEN: {
        char *tok = curl_easy_escape(j->easy, j->item.token, 0);
        char path[400];
        snprintf(path, sizeof path, "tokens/%s", tok ? tok : "");
        curl_free(tok);
        snprintf(q, sizeof q, "%s", jq);
        if (*q)
            q[strlen(q) - 1] = '\0';
        url_for(s, url, sizeof url, path, q);
        break;
    }
    }
    common_options(s, j->easy, j->headers, j->errbuf);
    curl_easy_setopt(j->easy, CURLOPT_URL, url);
    curl_easy_setopt(j->easy, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(j->easy, CURLOPT_WRITEDATA, j);
    curl_easy_setopt(j->easy, CURLOPT_PRIVATE, j);
    return CK_OK;
}

static void job_launch(struct ck_sync *s, struct job *j)
{
    char err[CK_ERR_LEN];
    if (j->kind == JOB_POST) {
        struct ck_request r;
        ck_request_init(&r);
        enum ck_err rc = ck_store_load(s->st, j->item.receipt, &r, err, sizeof err);
        if (!rc) {
            ck_buf_clear(&j->form);
            rc = ck_sync_build_post(&s->up, s->multi_style, s->kiosk_id, &r, j->easy, &j->form);
        }
        ck_request_deinit(&r);
        if (!rc)
            rc = ck_outbox_sending(s->st, j->item.id, err, sizeof err);
        if (rc) {
            ck_error("sync", "%s: cannot prepare: %s", j->item.receipt, err);
            schedule_retry(s, j, j->item.unknown_outcome, 0, "could not prepare the request");
            job_free(j);
            return;
        }
    }
    if (job_setup(s, j) || curl_multi_add_handle(s->multi, j->easy) != CURLM_OK) {
        schedule_retry(s, j, j->item.unknown_outcome, 0, "out of memory");
        job_free(j);
        return;
    }
    s->jobs[s->njobs++] = j;
}

static void start_due(struct ck_sync *s)
{
    size_t room = (size_t)s->up.max_in_flight - s->njobs;
    if (!room || !configured(s))
        return;
    long long skip[MAX_JOBS];
    for (size_t i = 0; i < s->njobs; i++)
        skip[i] = s->jobs[i]->item.id;
    struct ck_outbox_item items[MAX_JOBS];
    size_t n = 0;
    char err[CK_ERR_LEN];
    if (ck_outbox_due(s->st, time(NULL), skip, s->njobs, items, room, &n, err, sizeof err)) {
        ck_error("sync", "%s", err);
        return;
    }
    /* One transaction marks the whole batch as sending: one sync to disk, not one a row. */
    bool tx = n > 1 && ck_store_begin(s->st, err, sizeof err) == CK_OK;
    size_t before = s->njobs;
    for (size_t i = 0; i < n; i++) {
        struct job *j = calloc(1, sizeof *j);
        if (!j)
            break;
        ck_buf_init(&j->reply);
        ck_buf_init(&j->form);
        j->item = items[i];
        j->kind = items[i].state == CK_OUTBOX_AWAITING_TOKEN ? JOB_TOKEN
                  : items[i].unknown_outcome                 ? JOB_LOOKUP
                                                             : JOB_POST;
        if (!(j->easy = curl_easy_init())) {
            job_free(j);
            break;
        }
        job_launch(s, j);
    }
    if (tx && ck_store_commit(s->st, err, sizeof err)) {
        /* Nothing was marked: stop these transfers before a byte leaves; they run again. (Unless
         * an error rolled the batch back early and later marks committed alone: swept.) */
        ck_error("sync", "%s", err);
        s->resweep = true;
        while (s->njobs > before) {
            struct job *j = s->jobs[--s->njobs];
            curl_multi_remove_handle(s->multi, j->easy);
            job_free(j);
        }
    }
}

/* The reason a reply carried, for logs and staff: the server's own error text if any. */
static void reply_reason(const struct ck_sync *s, const struct job *j, long http, char *out,
                         size_t outlen)
{
    char perr[CK_ERR_LEN], text[400] = "";
    json_t *t = ck_o311_parse(j->reply.len ? ck_buf_str(&j->reply) : "", j->reply.len, s->fmt,
                              perr, sizeof perr);
    if (!t || !ck_o311_error_text(t, text, sizeof text))
        snprintf(text, sizeof text, "no error description");
    json_decref(t);
    snprintf(out, outlen, "HTTP %ld: %s", http, text);
}

static void delivered(struct ck_sync *s, struct job *j, const char *id, const char *token)
{
    char err[CK_ERR_LEN], what[200];
    enum ck_err rc;
    if (token && *token) {
        rc = ck_outbox_awaiting_token(s->st, j->item.id, token, after_ms(1000), err, sizeof err);
        snprintf(what, sizeof what, "%s accepted, token %s", j->item.receipt, token);
    } else {
        rc = ck_outbox_delivered(s->st, j->item.id, id, err, sizeof err);
        snprintf(what, sizeof what, "%s delivered as %s", j->item.receipt,
                 id && *id ? id : "(no id: blackbox service)");
    }
    if (rc) {
        ck_error("sync", "%s: %s", j->item.receipt, err);
        s->resweep = true;
        return;
    }
    ck_info("sync", "%s", what);
    ck_outbox_note(s->st, true, what);
    notify(s, CK_SYNC_EV_DELIVERY);
}

/* A search reply the kiosk may conclude "not there" from: a list of objects whose ids, tokens,
 * codes and descriptions are text (or numbers). Anything else, such as items whose fields came
 * back as objects, is not understood: concluding "not there" from it would post a duplicate. */
static bool search_reply_sane(const json_t *tree)
{
    static const char *const FIELDS[] = {"service_request_id", "token", "service_code",
                                         "description"};
    if (!json_is_array(tree))
        return false;
    size_t i;
    const json_t *item;
    json_array_foreach(tree, i, item)
    {
        if (!json_is_object(item))
            return false;
        for (size_t k = 0; k < sizeof FIELDS / sizeof FIELDS[0]; k++) {
            const json_t *v = json_object_get(item, FIELDS[k]);
            if (v && !json_is_string(v) && !json_is_number(v) && !json_is_null(v))
                return false;
        }
    }
    return true;
}

/* Handles a finished transfer. Returns true when the job goes on (re-added as a POST). */
static bool job_done(struct ck_sync *s, struct job *j, CURLcode res)
{
    long http = 0;
    curl_off_t sent = 0;
    curl_off_t retry_after = 0;
    curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &http);
    curl_easy_getinfo(j->easy, CURLINFO_SIZE_UPLOAD_T, &sent);
    curl_easy_getinfo(j->easy, CURLINFO_RETRY_AFTER, &retry_after);
    bool post = j->kind == JOB_POST;
    /* After a POST: could upstream have created it? Only if the body left and no definite
     * "not handled" came back. */
    bool maybe = j->item.unknown_outcome || (post && sent > 0);
    char why[600], err[CK_ERR_LEN];

    if (res != CURLE_OK) {
        if (j->too_big || res == CURLE_FILESIZE_EXCEEDED)
            snprintf(why, sizeof why, "reply larger than %u bytes refused", CK_O311_MAX_REPLY);
        else
            snprintf(why, sizeof why, "%s%s%s", curl_easy_strerror(res), j->errbuf[0] ? ": " : "",
                     j->errbuf);
        if (http > 0)
            atomic_store(&s->online, true);
        /* The body left and the kiosk stopped waiting (a timeout): upstream may still be
         * working on it. Looking for it before it could have finished would find nothing and
         * post it twice, so the lookup waits at least one more reply timeout. (A server that
         * closed the connection is done with it: no wait.) */
        long floor_s = post && sent > 0 && res == CURLE_OPERATION_TIMEDOUT ? s->up.timeout_s : 0;
        schedule_retry(s, j, maybe, floor_s, why);
        return false;
    }
    atomic_store(&s->online, true);
    if (http >= 300 && http < 400) {
        char *loc = NULL;
        curl_easy_getinfo(j->easy, CURLINFO_REDIRECT_URL, &loc);
        snprintf(why, sizeof why, "HTTP %ld redirect to %s not followed", http, loc ? loc : "?");
        schedule_retry(s, j, maybe, 0, why);
        return false;
    }
    if (http == 429 || http == 408 || http >= 500) {
        reply_reason(s, j, http, why, sizeof why);
        /* 429 and 503 say the request was not handled; other 5xx may come after it was. */
        bool unknown = (http == 429 || http == 503 || http == 408) ? j->item.unknown_outcome : maybe;
        schedule_retry(s, j, unknown, (long)retry_after, why);
        return false;
    }
    if (http >= 400) {
        reply_reason(s, j, http, why, sizeof why);
        if (j->kind == JOB_LOOKUP) {
            /* The server cannot search: post again, trusting the Idempotency-Key. */
            ck_warn("sync", "%s: upstream cannot search for it (%s); posting again with the"
                    " same Idempotency-Key", j->item.receipt, why);
            j->kind = JOB_POST;
            j->item.unknown_outcome = true;
            return true;
        }
        ck_warn("sync", "%s parked: %s", j->item.receipt, why);
        if (ck_outbox_park(s->st, j->item.id, why, err, sizeof err)) {
            ck_error("sync", "%s", err);
            s->resweep = true;
        }
        ck_outbox_note(s->st, false, why);
        notify(s, CK_SYNC_EV_DELIVERY);
        return false;
    }
    /* 2xx */
    char perr[CK_ERR_LEN];
    json_t *tree = ck_o311_parse(ck_buf_str(&j->reply), j->reply.len, s->fmt, perr, sizeof perr);
    if (!tree) {
        snprintf(why, sizeof why, "HTTP %ld with a reply not understood: %s", http, perr);
        schedule_retry(s, j, maybe, 0, why);
        return false;
    }
    bool again = false;
    switch (j->kind) {
    case JOB_POST: {
        struct ck_o311_post_reply pr;
        if (ck_o311_post_reply(tree, true, &pr, perr, sizeof perr)) {
            snprintf(why, sizeof why, "HTTP %ld with a reply not understood: %s", http, perr);
            schedule_retry(s, j, true, 0, why);
        } else {
            delivered(s, j, pr.service_request_id, pr.token);
        }
        break;
    }
    case JOB_LOOKUP: {
        struct ck_o311_request *reqs = NULL;
        size_t n = 0;
        if (!search_reply_sane(tree)) {
            schedule_retry(s, j, true, 0, "search reply not understood: items are not requests");
            break;
        }
        if (ck_o311_requests(tree, s->up.receipt_attribute, &reqs, &n, perr, sizeof perr)) {
            snprintf(why, sizeof why, "search reply not understood: %s", perr);
            schedule_retry(s, j, true, 0, why);
            break;
        }
        size_t k = 0;
        while (k < n && !ck_o311_request_matches(&reqs[k], j->item.receipt))
            k++;
        if (k < n) {
            ck_info("sync", "%s was already upstream: adopting it", j->item.receipt);
            delivered(s, j, reqs[k].service_request_id, reqs[k].service_request_id[0] ? NULL
                                                                                  : reqs[k].token);
        } else if (n >= LOOKUP_PAGE && split_window(j)) {
            again = true; /* a page, perhaps: the two halves, the earlier first */
        } else if (n >= LOOKUP_PAGE) {
            ck_warn("sync", "%s: a minute of upstream's requests is more than one reply holds;"
                    " posting again with the same Idempotency-Key", j->item.receipt);
            j->nwin = 0;
            j->kind = JOB_POST;
            again = true;
        } else if (--j->nwin > 0) {
            again = true; /* the rest of the window */
        } else {
            ck_info("sync", "%s is not upstream yet: posting it", j->item.receipt);
            j->kind = JOB_POST;
            again = true;
        }
        ck_o311_requests_free(reqs, n);
        break;
    }
    case JOB_TOKEN: {
        char id[128];
        if (ck_o311_token_reply(tree, id, sizeof id, perr, sizeof perr)) {
            snprintf(why, sizeof why, "token reply not understood: %s", perr);
            schedule_retry(s, j, false, 0, why);
        } else if (id[0]) {
            delivered(s, j, id, NULL);
        } else {
            long ms = backoff_ms(s, j->item.attempts, (long)retry_after);
            if (ck_outbox_retry(s->st, j->item.id, CK_OUTBOX_AWAITING_TOKEN, false, after_ms(ms),
                                NULL, err, sizeof err))
                ck_error("sync", "%s", err);
        }
        break;
    }
    }
    json_decref(tree);
    return again;
}

static void reap(struct ck_sync *s)
{
    CURLMsg *m;
    int left;
    char err[CK_ERR_LEN];
    bool tx = false;
    while ((m = curl_multi_info_read(s->multi, &left))) {
        /* Every transfer that finished together is recorded in one transaction. */
        if (!tx && left > 0)
            tx = ck_store_begin(s->st, err, sizeof err) == CK_OK;
        if (m->msg != CURLMSG_DONE)
            continue;
        struct job *j = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&j);
        CURLcode res = m->data.result;
        curl_multi_remove_handle(s->multi, m->easy_handle);
        for (size_t i = 0; i < s->njobs; i++)
            if (s->jobs[i] == j) {
                s->jobs[i] = s->jobs[--s->njobs];
                break;
            }
        if (job_done(s, j, res))
            job_launch(s, j);
        else
            job_free(j);
    }
    if (tx && ck_store_commit(s->st, err, sizeof err)) {
        ck_error("sync", "%s", err); /* the rows stay as they were: found again upstream */
        s->resweep = true;
    }
}

/* With nothing in flight, a row in `sending` is one whose transfer ended without its outcome
 * recorded (a failed write): queued again as a restart would, to be looked for upstream once
 * the attempt is as old as the longest wait for a reply. Without this it would wait for the
 * next restart. Found by tests/integration/test_vfs_faults.sh. */
static void sweep(struct ck_sync *s)
{
    char err[CK_ERR_LEN];
    int n = 0;
    if (!s->resweep || s->njobs)
        return;
    if (ck_outbox_recover_after(s->st, time(NULL) + s->up.timeout_s, &n, err, sizeof err)) {
        ck_error("sync", "%s", err); /* still due */
        return;
    }
    s->resweep = false;
    if (n)
        ck_warn("sync", "%d request(s) left as being sent by a failed write are queued again;"
                " each is looked for upstream in %d s", n, s->up.timeout_s);
}

/* ------------------------------------------------------------ blocking fetches */

/* GET path.{fmt}?query on the single handle; the parsed tree or NULL (reason in why). */
static json_t *fetch(struct ck_sync *s, const char *path, const char *query, char *why,
                     size_t whylen)
{
    struct job j = {.kind = JOB_LOOKUP};
    ck_buf_init(&j.reply);
    if (!s->single && !(s->single = curl_easy_init())) {
        snprintf(why, whylen, "out of memory");
        return NULL;
    }
    curl_easy_reset(s->single);
    struct curl_slist *h = base_headers(s);
    char url[2048];
    url_for(s, url, sizeof url, path, query);
    common_options(s, s->single, h, j.errbuf);
    curl_easy_setopt(s->single, CURLOPT_URL, url);
    curl_easy_setopt(s->single, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(s->single, CURLOPT_WRITEDATA, &j);
    CURLcode res = curl_easy_perform(s->single);
    long http = 0;
    curl_easy_getinfo(s->single, CURLINFO_RESPONSE_CODE, &http);
    curl_slist_free_all(h);
    json_t *tree = NULL;
    if (res != CURLE_OK) {
        snprintf(why, whylen, "%s: %s", path,
                 j.too_big || res == CURLE_FILESIZE_EXCEEDED
                     ? "reply too large"
                     : (j.errbuf[0] ? j.errbuf : curl_easy_strerror(res)));
    } else if (http != 200) {
        j.easy = s->single;
        char r[500];
        reply_reason(s, &j, http, r, sizeof r);
        snprintf(why, whylen, "%s: %s", path, r);
        atomic_store(&s->online, true);
    } else {
        atomic_store(&s->online, true);
        char perr[CK_ERR_LEN];
        tree = ck_o311_parse(ck_buf_str(&j.reply), j.reply.len, s->fmt, perr, sizeof perr);
        if (!tree)
            snprintf(why, whylen, "%s: reply not understood: %s", path, perr);
    }
    ck_buf_deinit(&j.reply);
    return tree;
}

static void refresh_catalog(struct ck_sync *s)
{
    char why[600], jq[300], path[400];
    jurisdiction_query(s, s->single ? s->single : NULL, jq, sizeof jq);
    if (*jq)
        jq[strlen(jq) - 1] = '\0';
    json_t *services = fetch(s, "services", jq, why, sizeof why);
    if (!json_is_array(services)) {
        if (services)
            snprintf(why, sizeof why, "services: not a list of services");
        ck_warn("sync", "catalog not refreshed, keeping the last good one: %s", why);
        json_decref(services);
        return;
    }
    json_t *defs = json_object();
    size_t i;
    json_t *svc;
    char tmp[64];
    json_array_foreach(services, i, svc)
    {
        const char *code = ck_o311_str(svc, "service_code", tmp, sizeof tmp);
        if (!code || !ck_o311_bool(svc, "metadata"))
            continue;
        char *esc = curl_easy_escape(s->single, code, 0);
        snprintf(path, sizeof path, "services/%s", esc ? esc : "");
        curl_free(esc);
        json_t *def = fetch(s, path, jq, why, sizeof why);
        if (!json_is_object(def)) {
            ck_warn("sync", "catalog not refreshed, keeping the last good one: %s", why);
            json_decref(def);
            json_decref(defs);
            json_decref(services);
            return;
        }
        json_object_set_new(defs, code, def);
    }
    size_t nservices = json_array_size(services);
    json_t *doc = json_pack("{s:o,s:o}", "services", services, "definitions", defs);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    char err[CK_ERR_LEN];
    if (text && !ck_store_cache_put(s->st, "catalog", text, ck_clock_wall(), err, sizeof err)) {
        ck_info("sync", "catalog refreshed: %zu services", nservices);
        notify(s, CK_SYNC_EV_CATALOG);
    } else {
        ck_warn("sync", "catalog not cached: %s", text ? err : "out of memory");
    }
    free(text);
}

static void fetch_status(struct ck_sync *s, const char *receipt)
{
    struct ck_request_status st;
    char err[CK_ERR_LEN], why[600], path[300], jq[300];
    if (ck_store_lookup(s->st, receipt, &st, err, sizeof err) || !st.service_request_id[0])
        return;
    if (!s->single && !(s->single = curl_easy_init()))
        return;
    char *esc = curl_easy_escape(s->single, st.service_request_id, 0);
    snprintf(path, sizeof path, "requests/%s", esc ? esc : "");
    curl_free(esc);
    jurisdiction_query(s, s->single, jq, sizeof jq);
    if (*jq)
        jq[strlen(jq) - 1] = '\0';
    json_t *tree = fetch(s, path, jq, why, sizeof why);
    struct ck_o311_request *reqs = NULL;
    size_t n = 0;
    if (tree && !ck_o311_requests(tree, NULL, &reqs, &n, why, sizeof why) && n) {
        if (ck_outbox_set_status(s->st, receipt, reqs[0].status, reqs[0].status_notes,
                                 reqs[0].updated_datetime, err, sizeof err))
            ck_error("sync", "%s", err);
        else
            notify(s, CK_SYNC_EV_STATUS);
    } else {
        ck_warn("sync", "status of %s not fetched: %s", receipt, tree ? (n ? why : "no such request upstream") : why);
        notify(s, CK_SYNC_EV_STATUS);
    }
    ck_o311_requests_free(reqs, n);
    json_decref(tree);
}

/* ------------------------------------------------------------ the thread */

static void publish(struct ck_sync *s)
{
    time_t next = configured(s) ? ck_outbox_next_due(s->st) : 0;
    if (s->resweep && configured(s))
        next = 1; /* a sweep is due: not idle */
    bool reprints = ck_store_pending_reprints(s->st) > 0;
    pthread_mutex_lock(&s->mu);
    s->reprints_shared = reprints;
    s->njobs_shared = s->njobs;
    s->next_due_shared = next;
    pthread_mutex_unlock(&s->mu);
}

/* The kiosk is stopping with transfers under way: each row goes back to the queue now, as a
 * restart would otherwise find it, left as `sending`. One whose body had not left is simply
 * queued (the city cannot have it); one that may have reached the city is looked for upstream
 * first, once a reply timeout has passed. */
static void stop_jobs(struct ck_sync *s)
{
    char err[CK_ERR_LEN];
    bool tx = s->njobs > 1 && ck_store_begin(s->st, err, sizeof err) == CK_OK;
    for (size_t i = 0; i < s->njobs; i++) {
        struct job *j = s->jobs[i];
        curl_off_t sent = 0;
        curl_easy_getinfo(j->easy, CURLINFO_SIZE_UPLOAD_T, &sent);
        bool maybe = j->item.unknown_outcome || (j->kind == JOB_POST && sent > 0);
        enum ck_outbox_state back = j->kind == JOB_TOKEN ? CK_OUTBOX_AWAITING_TOKEN : CK_OUTBOX_QUEUED;
        time_t when = time(NULL) + (maybe ? s->up.timeout_s : 0);
        if (ck_outbox_requeue(s->st, j->item.id, back, maybe, when, err, sizeof err))
            ck_error("sync", "%s", err); /* left as sending: the next start recovers it */
        curl_multi_remove_handle(s->multi, j->easy);
        job_free(j);
    }
    if (tx && ck_store_commit(s->st, err, sizeof err))
        ck_error("sync", "%s", err);
    s->njobs = 0;
}

static void *run(void *arg)
{
    struct ck_sync *s = arg;
    char err[CK_ERR_LEN];
    int recovered = 0;
    ck_thread_background(); /* a backlog drains a little slower, the screen stays smooth */
    /* A send cut off by a crash may still be under way on the server (the kiosk's end of the
     * connection died, not the server's work): a search now would miss it and the request
     * would be posted twice. Look only once that attempt is as old as the longest the kiosk
     * ever waits for a reply. Found by tests/integration/test_crash.sh. */
    if (ck_outbox_recover_after(s->st, time(NULL) + s->up.timeout_s, &recovered, err, sizeof err)) {
        ck_error("sync", "%s", err);
        s->resweep = true;
    } else if (recovered) {
        ck_warn("sync", "%d request(s) were being sent when the kiosk stopped; each is looked"
                " for upstream in %d s, before it is sent again", recovered, s->up.timeout_s);
    }
    if (!configured(s))
        ck_warn("sync", "no upstream.base_url in the config: requests stay queued on this kiosk");
    for (;;) {
        pthread_mutex_lock(&s->mu);
        bool stop = s->stop, catalog = s->catalog_now;
        s->kick = false;
        s->catalog_now = false;
        char receipt[CK_RECEIPT_LEN + 1] = "";
        if (s->nstatus) {
            memcpy(receipt, s->status_q[0], sizeof receipt);
            memmove(s->status_q[0], s->status_q[1], (s->nstatus - 1) * sizeof s->status_q[0]);
            s->nstatus--;
            s->status_busy = true;
        }
        pthread_mutex_unlock(&s->mu);
        if (stop)
            break;
        if (configured(s)) {
            if (receipt[0])
                fetch_status(s, receipt);
            if (catalog || time(NULL) >= s->next_catalog) {
                refresh_catalog(s);
                s->next_catalog = time(NULL) + (time_t)s->up.catalog_refresh_min * 60;
            }
        } else if (receipt[0]) {
            notify(s, CK_SYNC_EV_STATUS);
        }
        if (receipt[0]) {
            pthread_mutex_lock(&s->mu);
            s->status_busy = false;
            pthread_mutex_unlock(&s->mu);
        }
        if (ck_store_pending_reprints(s->st)) /* the worker with a database looks for them */
            notify(s, CK_SYNC_EV_REPRINT);
        sweep(s);
        start_due(s);
        int running = 0;
        curl_multi_perform(s->multi, &running);
        reap(s);
        sweep(s);
        start_due(s);
        publish(s);
        /* Sleep until curl has work, a kick, or the next row falls due (at most 5 s). */
        long wait = 5000;
        pthread_mutex_lock(&s->mu);
        bool pending = s->kick || s->stop || s->nstatus || s->catalog_now;
        pthread_mutex_unlock(&s->mu);
        if (pending)
            wait = 0;
        else if (configured(s)) {
            time_t next = ck_outbox_next_due(s->st);
            if (next && s->njobs < (size_t)s->up.max_in_flight) {
                long ms = (long)(next - time(NULL)) * 1000;
                wait = ms < 0 ? 0 : ms < wait ? ms : wait;
            }
        }
        if (wait)
            curl_multi_poll(s->multi, NULL, 0, (int)wait, NULL);
    }
    stop_jobs(s);
    return NULL;
}

static void curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void wake(struct ck_sync *s)
{
    curl_multi_wakeup(s->multi);
}

struct ck_sync *ck_sync_start(const struct ck_upstream *up, const char *db_path,
                              const char *kiosk_id,
                              void (*notify_fn)(void *ctx, enum ck_sync_event ev), void *ctx,
                              char *err, size_t errlen)
{
    static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
    pthread_once(&curl_once, curl_init);
    struct ck_sync *s = calloc(1, sizeof *s);
    if (!s) {
        ck_fail(err, errlen, CK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    copy_upstream(&s->up, up);
    if (!ck_o311_format_parse(s->up.format ? s->up.format : "xml", &s->fmt))
        s->fmt = CK_O311_XML;
    if (!ck_o311_multi_parse(s->up.multivalue_style ? s->up.multivalue_style : "brackets",
                             &s->multi_style))
        s->multi_style = CK_O311_MULTI_BRACKETS;
    if (s->up.max_in_flight < 1 || s->up.max_in_flight > MAX_JOBS)
        s->up.max_in_flight = s->up.max_in_flight < 1 ? 1 : MAX_JOBS;
    snprintf(s->kiosk_id, sizeof s->kiosk_id, "%s", kiosk_id);
    s->notify = notify_fn;
    s->ctx = ctx;
    s->kick = true; /* not idle until the worker has looked at the queue once */
    s->next_due_shared = 1;
    pthread_mutex_init(&s->mu, NULL);
    s->db_path = strdup(db_path);
    s->multi = curl_multi_init();
    if (s->multi) {
        curl_multi_setopt(s->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)s->up.max_in_flight);
        curl_multi_setopt(s->multi, CURLMOPT_MAXCONNECTS, (long)s->up.max_in_flight + 1);
    }
    if (!s->db_path || !s->multi || !(s->st = ck_store_open(db_path, err, errlen)) ||
        pthread_create(&s->thread, NULL, run, s) != 0) {
        if (s->db_path && s->multi && s->st)
            ck_fail(err, errlen, CK_ERR_NOMEM, "cannot start the delivery thread");
        ck_store_close(s->st);
        if (s->multi)
            curl_multi_cleanup(s->multi);
        free(s->db_path);
        ck_upstream_free(&s->up);
        pthread_mutex_destroy(&s->mu);
        free(s);
        return NULL;
    }
    return s;
}

void ck_sync_stop(struct ck_sync *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_mutex_unlock(&s->mu);
    wake(s);
    pthread_join(s->thread, NULL);
    if (s->single)
        curl_easy_cleanup(s->single);
    curl_multi_cleanup(s->multi);
    ck_store_close(s->st);
    free(s->db_path);
    ck_upstream_free(&s->up);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

void ck_sync_kick(struct ck_sync *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->kick = true;
    s->next_due_shared = 1; /* not idle until the worker has looked */
    pthread_mutex_unlock(&s->mu);
    wake(s);
}

void ck_sync_fetch_status(struct ck_sync *s, const char *receipt)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    bool queued = false;
    for (size_t i = 0; i < s->nstatus && !queued; i++)
        queued = strcmp(s->status_q[i], receipt) == 0;
    if (!queued && s->nstatus < STATUS_QUEUE)
        snprintf(s->status_q[s->nstatus++], sizeof s->status_q[0], "%s", receipt);
    pthread_mutex_unlock(&s->mu);
    wake(s);
}

void ck_sync_refresh_catalog(struct ck_sync *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->catalog_now = true;
    pthread_mutex_unlock(&s->mu);
    wake(s);
}

bool ck_sync_idle(struct ck_sync *s, int horizon_s)
{
    if (!s)
        return true;
    pthread_mutex_lock(&s->mu);
    bool idle = !s->kick && !s->nstatus && !s->status_busy && !s->catalog_now && s->njobs_shared == 0 &&
                (s->next_due_shared == 0 || s->next_due_shared > time(NULL) + horizon_s);
    pthread_mutex_unlock(&s->mu);
    return idle;
}

bool ck_sync_online(struct ck_sync *s)
{
    return s && atomic_load(&s->online);
}
