/* fleet.c (app): bundles from the fleet, verified and staged on the worker's thread, and the
 * heartbeat built on the UI thread (fleet.h). */
#include "app/fleet.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

#include "config/bundle.h"
#include "core/clock.h"
#include "core/i18n.h"
#include "core/log.h"
#include "platform/platform.h"
#include "print/print.h"
#include "store/gazetteer.h"
#include "store/outbox.h"
#include "store/store.h"
#include "sync/fleet.h"

struct ck_app_fleet {
    struct ck_fleet *client;
    void (*wake)(void);
    /* Set at start, then read-only. */
    char *base_path, *data_dir, *ui_dir, *group, *metrics_file;
    char kiosk_id[3];
    size_t max_bytes;
    int heartbeat_minutes;
    bool heartbeats;
    /* Staging runs under `stage_mu`; the UI thread commits only when it can take it at once. */
    pthread_mutex_t stage_mu;
    /* The rest is guarded by mu. */
    pthread_mutex_t mu;
    char *keys[2];
    size_t nkeys;
    long running;  /* the bundle version the kiosk runs */
    long pending;  /* staged, waiting for a moment without a resident */
    struct ck_fleet_result result;
    bool result_changed;
    /* UI thread only. */
    uint64_t next_heartbeat_ms;
};

static void set_keys(struct ck_app_fleet *f, const struct ck_config *cfg)
{
    for (size_t i = 0; i < 2; i++) {
        free(f->keys[i]);
        f->keys[i] = i < cfg->fleet.nkeys ? strdup(cfg->fleet.public_keys[i]) : NULL;
    }
    f->nkeys = cfg->fleet.nkeys;
    f->running = cfg->bundle_version;
}

static void set_result(struct ck_app_fleet *f, bool ok, long version, const char *reason)
{
    pthread_mutex_lock(&f->mu);
    f->result = (struct ck_fleet_result){.any = true, .ok = ok, .version = version,
                                         .at = (long)ck_clock_wall()};
    snprintf(f->result.reason, sizeof f->result.reason, "%s", reason ? reason : "");
    f->result_changed = true;
    pthread_mutex_unlock(&f->mu);
    if (ok)
        ck_info("fleet", "bundle version %ld: %s", version, reason ? reason : "applied");
    else
        ck_error("fleet", "bundle refused, the running config stays: %s", reason);
    f->wake();
}

/* True when these are the bytes of the bundle the kiosk runs (a restart polls it again). */
static bool is_running(struct ck_app_fleet *f, long running, const uint8_t *b, size_t len)
{
    if (!running)
        return false;
    char path[4200], err[CK_ERR_LEN];
    snprintf(path, sizeof path, "%s/config/v%ld/bundle.json", f->data_dir, running);
    char *text = NULL;
    size_t n = 0;
    if (ck_fs_read_all(path, f->max_bytes, &text, &n, err, sizeof err))
        return false;
    bool same = n == len && memcmp(text, b, len) == 0;
    free(text);
    return same;
}

/* What the staged folder holds must work as the kiosk will use it: the config loads, every
 * language's translations load, the gazetteer builds (into the folder, ready to open). */
static enum ck_err check_staged(struct ck_app_fleet *f, char *err, size_t errlen)
{
    char stage[4200], city[4300], i18n_dir[4300], gaz[4300];
    snprintf(stage, sizeof stage, "%s/config/stage", f->data_dir);
    snprintf(city, sizeof city, "%s/city.json", stage);
    snprintf(i18n_dir, sizeof i18n_dir, "%s/i18n", stage);
    snprintf(gaz, sizeof gaz, "%s/gazetteer.db", stage);
    struct ck_config cfg;
    enum ck_err rc = ck_config_load(city, &cfg, err, errlen);
    if (rc)
        return rc;
    struct ck_i18n i18n;
    char detail[CK_ERR_LEN];
    if ((rc = ck_i18n_load(&i18n, cfg.langs, cfg.nlangs, f->ui_dir, i18n_dir, detail,
                           sizeof detail))) {
        ck_fail(err, errlen, rc, "translations: %s", detail);
    } else {
        ck_i18n_deinit(&i18n);
        if (cfg.gazetteer_path) {
            struct ck_gazetteer *g = ck_gazetteer_open(gaz, cfg.gazetteer_path, detail, sizeof detail);
            if (!g)
                rc = ck_fail(err, errlen, CK_ERR_CONFIG, "gazetteer: %s", detail);
            ck_gazetteer_close(g);
        }
    }
    ck_config_deinit(&cfg);
    return rc;
}

/* On the fleet worker's thread. */
static void on_bundle(void *ctx, const uint8_t *bundle, size_t len, const char *sig,
                      size_t siglen, const char *fetch_error)
{
    struct ck_app_fleet *f = ctx;
    if (fetch_error) {
        /* The network comes and goes; only a bundle too large is the bundle's fault. */
        if (strncmp(fetch_error, "oversize", 8) == 0)
            set_result(f, false, 0, fetch_error);
        return;
    }
    pthread_mutex_lock(&f->stage_mu);
    pthread_mutex_lock(&f->mu);
    const char *keys[2] = {f->keys[0], f->keys[1]};
    char *held[2] = {keys[0] ? strdup(keys[0]) : NULL, keys[1] ? strdup(keys[1]) : NULL};
    long running = f->running;
    pthread_mutex_unlock(&f->mu);
    if (is_running(f, running, bundle, len)) {
        pthread_mutex_unlock(&f->stage_mu);
        free(held[0]), free(held[1]);
        return;
    }
    const char *kp[2] = {held[0], held[1]};
    struct ck_bundle_ctx bc = {f->data_dir, f->base_path, kp, f->nkeys, running,
                               (long)ck_clock_wall(), f->kiosk_id, f->group, f->max_bytes};
    struct ck_bundle_info info;
    char city[4300], err[CK_ERR_LEN];
    enum ck_err rc = ck_bundle_stage(&bc, bundle, len, sig, siglen, &info, city, sizeof city,
                                     err, sizeof err);
    if (!rc)
        rc = check_staged(f, err, sizeof err);
    free(held[0]), free(held[1]);
    if (rc == CK_ERR_NOT_FOUND) {
        ck_info("fleet", "%s", err); /* for other kiosks: nothing to do */
    } else if (rc) {
        set_result(f, false, info.version, err);
    } else {
        pthread_mutex_lock(&f->mu);
        f->pending = info.version;
        pthread_mutex_unlock(&f->mu);
        ck_info("fleet", "bundle version %ld is ready; it applies when no resident is using the "
                         "kiosk", info.version);
        f->wake();
    }
    pthread_mutex_unlock(&f->stage_mu);
}

struct ck_app_fleet *ck_app_fleet_start(const struct ck_config *cfg, const char *base_path,
                                        const char *data_dir, const char *ui_i18n_dir,
                                        void (*wake)(void))
{
    struct ck_app_fleet *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    pthread_mutex_init(&f->mu, NULL);
    pthread_mutex_init(&f->stage_mu, NULL);
    f->wake = wake;
    f->base_path = strdup(base_path);
    f->data_dir = strdup(data_dir);
    f->ui_dir = strdup(ui_i18n_dir);
    f->group = strdup(cfg->kiosk_group ? cfg->kiosk_group : "");
    f->metrics_file = *cfg->fleet.metrics_file ? strdup(cfg->fleet.metrics_file) : NULL;
    memcpy(f->kiosk_id, cfg->kiosk_id, sizeof f->kiosk_id);
    f->max_bytes = (size_t)cfg->fleet.max_bundle_bytes;
    f->heartbeat_minutes = cfg->fleet.heartbeat_minutes;
    f->heartbeats = *cfg->fleet.heartbeat_url || f->metrics_file;
    set_keys(f, cfg);
    if (*cfg->fleet.config_url || *cfg->fleet.heartbeat_url) {
        struct ck_fleet_opts o = {cfg->fleet.config_url, cfg->fleet.heartbeat_url,
                                  cfg->fleet.poll_minutes, f->max_bytes, 60,
                                  cfg->upstream.ca_bundle};
        char err[CK_ERR_LEN];
        if (!(f->client = ck_fleet_start(&o, on_bundle, f, err, sizeof err)))
            ck_error("fleet", "no fleet updates or heartbeats: %s", err);
    }
    return f;
}

void ck_app_fleet_stop(struct ck_app_fleet *f)
{
    if (!f)
        return;
    ck_fleet_stop(f->client);
    free(f->keys[0]), free(f->keys[1]);
    free(f->base_path), free(f->data_dir), free(f->ui_dir), free(f->group), free(f->metrics_file);
    pthread_mutex_destroy(&f->mu);
    pthread_mutex_destroy(&f->stage_mu);
    free(f);
}

long ck_app_fleet_pending(struct ck_app_fleet *f)
{
    if (!f)
        return 0;
    /* Not while a newer bundle is being staged over the folder. */
    if (pthread_mutex_trylock(&f->stage_mu))
        return 0;
    pthread_mutex_lock(&f->mu);
    long v = f->pending;
    pthread_mutex_unlock(&f->mu);
    if (!v)
        pthread_mutex_unlock(&f->stage_mu);
    return v; /* with stage_mu held when non-zero: ck_app_fleet_applied releases it */
}

void ck_app_fleet_applied(struct ck_app_fleet *f, const struct ck_config *cfg, long version,
                          bool ok, const char *reason)
{
    pthread_mutex_lock(&f->mu);
    f->pending = 0;
    if (ok)
        set_keys(f, cfg);
    pthread_mutex_unlock(&f->mu);
    pthread_mutex_unlock(&f->stage_mu);
    set_result(f, ok, version, ok ? "applied" : reason);
    f->next_heartbeat_ms = 0; /* tell the fleet at once */
}

bool ck_app_fleet_result(struct ck_app_fleet *f, struct ck_fleet_result *out)
{
    pthread_mutex_lock(&f->mu);
    *out = f->result;
    bool changed = f->result_changed;
    f->result_changed = false;
    pthread_mutex_unlock(&f->mu);
    return changed;
}

/* ---------------------------------------------------------------- the heartbeat */

static json_t *iso_or_null(long t)
{
    if (t <= 0)
        return json_null();
    char buf[32];
    time_t tt = (time_t)t;
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", gmtime(&tt));
    return json_string(buf);
}

static const char *paper_of(enum ck_printer_state s)
{
    switch (s) {
    case CK_PRINTER_PAPER_OUT: return "out";
    case CK_PRINTER_NEAR_END: return "low";
    case CK_PRINTER_OK: return "ok";
    default: return "unknown";
    }
}

/* The figures in node_exporter's textfile format, written atomically. */
static void write_metrics(const struct ck_app_fleet *f, json_t *hb)
{
    char text[4096];
    size_t n = 0;
    const char *k = f->kiosk_id;
#define M(name, help, value)                                                                  \
    n += (size_t)snprintf(text + n, n < sizeof text ? sizeof text - n : 0,                    \
                          "# HELP civic_kiosk_" name " " help "\n# TYPE civic_kiosk_" name    \
                          " gauge\ncivic_kiosk_" name "{kiosk=\"%s\"} %lld\n",                \
                          k, (long long)(value))
    json_t *q = json_object_get(hb, "queue"), *cx = json_object_get(hb, "cx");
    json_t *cfg = json_object_get(hb, "config");
    M("queue_depth", "Requests stored and not yet delivered.", json_integer_value(json_object_get(q, "depth")));
    M("queue_oldest_age_seconds", "Age of the oldest undelivered request.",
      json_integer_value(json_object_get(q, "oldest_age_seconds")));
    M("queue_parked", "Requests the city refused, waiting for staff.",
      json_integer_value(json_object_get(q, "parked")));
    M("config_version", "The signed bundle version the kiosk runs.",
      json_integer_value(json_object_get(cfg, "version")));
    json_t *last = json_object_get(cfg, "last_result");
    M("config_last_ok", "1 when the last bundle applied, 0 when it was refused.",
      last ? json_is_true(json_object_get(last, "ok")) : 1);
    const char *paper = json_string_value(json_object_get(json_object_get(hb, "printer"), "paper"));
    M("printer_paper_out", "1 when the printer is out of paper.", paper && !strcmp(paper, "out"));
    M("disk_free_bytes", "Free space where the kiosk keeps its data.",
      json_integer_value(json_object_get(hb, "disk_free_bytes")));
    M("storage_low", "1 while too little room is left to take new requests.",
      json_is_true(json_object_get(hb, "storage_low")));
    M("uptime_seconds", "Seconds since the kiosk started.",
      json_integer_value(json_object_get(hb, "uptime_seconds")));
    M("sessions_started_total", "Resident sessions that began a request.",
      json_integer_value(json_object_get(cx, "sessions_started")));
    M("sessions_completed_total", "Resident sessions that stored a request.",
      json_integer_value(json_object_get(cx, "sessions_completed")));
    M("median_seconds_to_submit", "Median time to submit, last 100 requests (-1: none).",
      json_integer_value(json_object_get(cx, "median_seconds_to_submit")));
#undef M
    if (n >= sizeof text)
        return;
    char err[CK_ERR_LEN];
    if (ck_fs_write_atomic(f->metrics_file, text, n, err, sizeof err))
        ck_warn("fleet", "metrics not written: %s", err);
}

char *ck_app_fleet_heartbeat(struct ck_app_fleet *f, const struct ck_config *cfg,
                             struct ck_store *store, struct ck_print *print, uint64_t uptime_ms)
{
    if (!f)
        return NULL;
    f->next_heartbeat_ms = ck_clock_mono_ms() + (uint64_t)f->heartbeat_minutes * 60000u;
    char err[CK_ERR_LEN];
    long now = (long)ck_clock_wall();
    json_t *hb = json_object();
    json_object_set_new(hb, "kiosk_id", json_string(cfg->kiosk_id));
    json_object_set_new(hb, "group", json_string(cfg->kiosk_group ? cfg->kiosk_group : ""));
    json_object_set_new(hb, "location", json_string(cfg->kiosk_location ? cfg->kiosk_location : ""));
    json_object_set_new(hb, "software_version", json_string(CK_SOFTWARE_VERSION));
    json_object_set_new(hb, "sent_at", iso_or_null(now));
    json_object_set_new(hb, "uptime_seconds", json_integer((json_int_t)(uptime_ms / 1000)));

    struct ck_fleet_result r;
    pthread_mutex_lock(&f->mu);
    r = f->result;
    pthread_mutex_unlock(&f->mu);
    json_t *c = json_object();
    json_object_set_new(c, "version", json_integer(cfg->bundle_version));
    if (r.any)
        json_object_set_new(c, "last_result",
                            json_pack("{s:b, s:I, s:o, s:s}", "ok", r.ok, "version",
                                      (json_int_t)r.version, "at", iso_or_null(r.at), "reason",
                                      r.reason));
    json_object_set_new(hb, "config", c);

    struct ck_outbox_stats os;
    if (ck_outbox_stats(store, &os, err, sizeof err) == CK_OK) {
        json_object_set_new(hb, "queue",
                            json_pack("{s:i, s:I, s:i}", "depth", os.queued, "oldest_age_seconds",
                                      (json_int_t)(os.oldest_queued ? now - os.oldest_queued : 0),
                                      "parked", os.parked));
        json_object_set_new(hb, "upstream",
                            json_pack("{s:o, s:s}", "last_success", iso_or_null(os.last_success),
                                      "last_error", os.last_error_detail));
    }
    struct ck_print_status ps;
    ck_print_status(print, &ps);
    json_object_set_new(hb, "printer", json_pack("{s:s, s:s}", "state",
                                                 ck_printer_state_name(ps.printer), "paper",
                                                 paper_of(ps.printer)));
    struct statvfs vfs;
    if (statvfs(f->data_dir, &vfs) == 0)
        json_object_set_new(hb, "disk_free_bytes",
                            json_integer((json_int_t)vfs.f_bavail * (json_int_t)vfs.f_frsize));
    /* Too little room for new requests: residents are turned away until staff act. */
    struct ck_store_room room;
    json_object_set_new(hb, "storage_low", json_boolean(!ck_store_room(store, &room)));
    struct ck_cx_stats cx;
    if (ck_store_cx_stats(store, &cx, err, sizeof err) == CK_OK) {
        json_t *ab = json_object(), *ratings = json_object();
        for (size_t i = 0; i < cx.nscreens; i++)
            json_object_set_new(ab, cx.abandoned[i].screen, json_integer(cx.abandoned[i].count));
        for (int i = 0; i < 5; i++) {
            char k[2] = {(char)('1' + i), 0};
            json_object_set_new(ratings, k, json_integer(cx.ratings[i]));
        }
        json_object_set_new(hb, "cx",
                            json_pack("{s:i, s:i, s:o, s:i, s:o}", "sessions_started", cx.started,
                                      "sessions_completed", cx.completed, "abandoned", ab,
                                      "median_seconds_to_submit", cx.median_seconds, "ratings",
                                      ratings));
    }
    char *text = json_dumps(hb, JSON_COMPACT);
    if (f->metrics_file)
        write_metrics(f, hb);
    json_decref(hb);
    if (text)
        ck_fleet_heartbeat(f->client, text);
    return text;
}

int ck_app_fleet_next_heartbeat_ms(struct ck_app_fleet *f, uint64_t now_ms)
{
    if (!f || !f->heartbeats)
        return -1;
    return f->next_heartbeat_ms > now_ms ? (int)(f->next_heartbeat_ms - now_ms) : 0;
}

bool ck_app_fleet_idle(struct ck_app_fleet *f)
{
    return !f || ck_fleet_idle(f->client);
}

void ck_app_fleet_poll_now(struct ck_app_fleet *f)
{
    if (f)
        ck_fleet_poll_now(f->client);
}
