/* app.c: start-up wiring (config, translations, store, UI, screens), the event loop, and the
 * headless script runner. Main thread; the only file that sees every layer. */
#include <errno.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/script.h"
#include "platform/platform.h"
#include "print/print.h"
#include "screens/screens.h"
#include "app/fleet.h"
#include "config/bundle.h"
#include "store/gazetteer.h"
#include "store/outbox.h"
#include "store/store.h"
#include "sync/sync.h"

struct app {
    const struct ck_options *opts;
    struct ck_config cfg;
    struct ck_i18n i18n;
    struct ck_store *store;
    struct ck_gazetteer *gazetteer; /* address suggestions; NULL: addresses are free text */
    struct ck_ui *ui;
    struct ck_screens *screens;
    struct ck_sync *sync;
    struct ck_print *print;
    enum ck_printer_state printer_noted; /* what staff were last told (kiosk.db) */
    atomic_uint sync_events; /* bits of enum ck_sync_event, set by the worker */
    bool catalog_pending;    /* a newer catalog is cached; swap it in at rest */
    struct ck_app_fleet *fleet; /* signed bundles in, heartbeats out */
    char data_dir[4096], base_path[4096], ui_dir[4096];
    uint64_t started_ms;
    int told_oos; /* what the service manager's status line says: 0 serving, 1 out of service
                   * (staff), 2 no room for new requests */
    double *frame_ms;        /* CK_FRAME_STATS: every frame's draw time, for benchmarks */
    size_t nframes, frame_cap;
    double last_frame_end;   /* CK_FRAME_STATS: when the last frame was done (ms, monotonic) */
    double longest_gap;      /* the longest time from one frame's end to the next one's end */
};

/* Draws a frame; with CK_FRAME_STATS set, also records how long it took. */
static void draw(struct app *a)
{
    if (!a->frame_cap) {
        ck_screens_draw(a->screens);
        return;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_screens_draw(a->screens);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (a->nframes == a->frame_cap) {
        double *more = realloc(a->frame_ms, 2 * a->frame_cap * sizeof *more);
        if (!more)
            return;
        a->frame_ms = more;
        a->frame_cap *= 2;
    }
    a->frame_ms[a->nframes++] =
        (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    double end = (double)t1.tv_sec * 1e3 + (double)t1.tv_nsec / 1e6;
    if (a->last_frame_end > 0 && end - a->last_frame_end > a->longest_gap)
        a->longest_gap = end - a->last_frame_end;
    a->last_frame_end = end;
    /* Cold start (benchmarks): the launcher's CLOCK_MONOTONIC in CK_BENCH_T0_NS, to the end
     * of the first present. */
    static bool first_told;
    const char *t0_ns = getenv("CK_BENCH_T0_NS");
    if (!first_told && t0_ns && *t0_ns) {
        first_told = true;
        double since = end - (double)strtoll(t0_ns, NULL, 10) / 1e6;
        fprintf(stderr, "first frame presented %.1f ms after launch\n", since);
    }
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Prints the frames drawn since the last call (or the start) and starts counting afresh. The
 * longest gap is the time between two consecutive frames: how long the loop was away. */
static void print_frame_stats(struct app *a)
{
    if (!a->nframes)
        return;
    qsort(a->frame_ms, a->nframes, sizeof a->frame_ms[0], cmp_double);
    size_t n = a->nframes;
    fprintf(stderr, "frames %zu: p50 %.2f ms, p99 %.2f ms, max %.2f ms, longest gap %.1f ms\n", n,
            a->frame_ms[n / 2], a->frame_ms[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1],
            a->frame_ms[n - 1], a->longest_gap);
    a->nframes = 0;
    a->longest_gap = 0;
    a->last_frame_end = 0;
}

/* ---------------------------------------------------------------- delivery worker */

/* On the worker thread: note what changed and wake the UI loop. */
static void on_sync(void *ctx, enum ck_sync_event ev)
{
    struct app *a = ctx;
    atomic_fetch_or(&a->sync_events, 1u << ev);
    ck_ui_wake();
}

#define EV_PRINT 8u /* a bit of sync_events: the print worker changed something */

/* On the print worker's thread. */
static void on_print(void *ctx)
{
    struct app *a = ctx;
    atomic_fetch_or(&a->sync_events, 1u << EV_PRINT);
    ck_ui_wake();
}

/* The printer's state goes in kiosk.db for staff (kioskctl status) when it changes. */
static void note_printer(struct app *a)
{
    struct ck_print_status ps;
    ck_print_status(a->print, &ps);
    if (ps.printer == a->printer_noted)
        return;
    a->printer_noted = ps.printer;
    char detail[256];
    snprintf(detail, sizeof detail, "%s%s%s", ck_printer_state_name(ps.printer),
             ps.printer_detail[0] ? ": " : "", ps.printer_detail);
    ck_store_note(a->store, "printer", detail);
}

static void take_reprints(struct app *a)
{
    char receipts[8][CK_RECEIPT_LEN + 1], err[CK_ERR_LEN];
    size_t n = 0;
    if (ck_store_take_reprints(a->store, receipts, 8, &n, err, sizeof err)) {
        ck_error("app", "%s", err);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (ck_screens_reprint(a->screens, receipts[i], err, sizeof err))
            ck_warn("app", "reprint of %s: %s", receipts[i], err);
    if (n)
        ck_sync_kick(a->sync); /* so the worker sees they were taken */
}

/* Replaces the catalog with the one upstream last gave, if there is one and it parses. */
static void load_cached_catalog(struct app *a)
{
    char *text = NULL, err[CK_ERR_LEN];
    time_t at = 0;
    if (ck_store_cache_get(a->store, "catalog", &text, &at, err, sizeof err))
        return;
    json_error_t jerr;
    json_t *doc = json_loads(text, 0, &jerr);
    free(text);
    struct ck_catalog cat = {0};
    if (doc && !ck_catalog_from_json(json_object_get(doc, "services"),
                                     json_object_get(doc, "definitions"), &cat, err, sizeof err) &&
        cat.n > 0) {
        ck_catalog_free(&a->cfg.catalog);
        a->cfg.catalog = cat;
        ck_info("app", "catalog from upstream (%zu services, fetched %ld s ago)", cat.n,
                (long)(ck_clock_wall() - at));
    } else {
        ck_catalog_free(&cat);
        ck_warn("app", "the cached catalog cannot be used (%s); keeping the current one",
                doc ? err : jerr.text);
    }
    json_decref(doc);
}

/* Maintenance mode asks what only the app knows: the machine, the log, the fleet. */
static void staff_probe(void *ctx, struct ck_staff_facts *f)
{
    struct app *a = ctx;
    f->network_up = ck_net_describe(f->network, sizeof f->network);
    time_t at = 0;
    if (ck_store_get_note(a->store, "config", f->config_result, sizeof f->config_result, &at))
        f->config_failed = strncmp(f->config_result, "refused", 7) == 0;
    /* A clock before this software was built is not set (no network time yet). */
    time_t now = (time_t)ck_clock_wall();
    struct tm tm;
    localtime_r(&now, &tm);
    f->clock_ok = tm.tm_year + 1900 >= 2025;
    strftime(f->clock, sizeof f->clock, "%Y-%m-%d %H:%M:%S %Z", &tm);
    f->nlog = (int)ck_log_recent(f->log, sizeof f->log / sizeof f->log[0]);
}

/* ---------------------------------------------------------------- the fleet */

/* The config, translations and address index of one city file: all or nothing. */
static enum ck_err load_city(struct app *a, const char *path, struct ck_config *cfg,
                             struct ck_i18n *i18n, struct ck_gazetteer **gaz, char *err,
                             size_t errlen)
{
    *gaz = NULL;
    enum ck_err rc = ck_config_load(path, cfg, err, errlen);
    if (rc)
        return rc;
    char city_dir[4200];
    snprintf(city_dir, sizeof city_dir, "%s/i18n", cfg->dir);
    char detail[CK_ERR_LEN];
    if ((rc = ck_i18n_load(i18n, cfg->langs, cfg->nlangs, a->ui_dir, city_dir, detail,
                           sizeof detail))) {
        ck_fail(err, errlen, rc, "translations: %s", detail);
        ck_config_deinit(cfg);
        return rc;
    }
    /* A bundle's folder has its own index, built when it was staged. */
    char db[4300];
    if (cfg->bundle_version)
        snprintf(db, sizeof db, "%s/gazetteer.db", cfg->dir);
    else
        snprintf(db, sizeof db, "%s/gazetteer.db", a->data_dir);
    if (cfg->gazetteer_path && !(*gaz = ck_gazetteer_open(db, cfg->gazetteer_path, detail,
                                                          sizeof detail)))
        ck_error("app", "no address suggestions, addresses are typed freely: %s", detail);
    return CK_OK;
}

/* Swaps a new config in between residents: the screens are made again for it, and the
 * delivery and print workers restarted on its settings. */
/* The room kept for residents' requests, from the config (store.h). */
static void set_storage_limits(struct app *a)
{
    char err[CK_ERR_LEN];
    if (ck_store_set_limits(a->store, a->cfg.storage_max_db_mb, a->cfg.storage_min_free_mb, err,
                            sizeof err))
        ck_error("app", "storage limits not set: %s", err);
}

static void swap_config(struct app *a, struct ck_config *cfg, struct ck_i18n *i18n,
                        struct ck_gazetteer *gaz)
{
    char err[CK_ERR_LEN], db_path[4200];
    bool new_printer = !a->opts->printer && strcmp(cfg->printer_uri, a->cfg.printer_uri) != 0;
    ck_sync_stop(a->sync);
    a->sync = NULL;
    ck_screens_free(a->screens);
    a->screens = NULL;
    if (new_printer) {
        ck_print_stop(a->print);
        a->print = NULL;
    }
    ck_gazetteer_close(a->gazetteer);
    ck_i18n_deinit(&a->i18n);
    ck_config_deinit(&a->cfg);
    a->cfg = *cfg;
    a->i18n = *i18n;
    a->gazetteer = gaz;
    if (!a->cfg.bundle_catalog)
        load_cached_catalog(a);
    if (new_printer && !(a->print = ck_print_start(a->cfg.printer_uri, 5000, on_print, a, err,
                                                   sizeof err)))
        ck_error("app", "printer %s: %s", a->cfg.printer_uri, err);
    ck_theme_set_brand(a->cfg.brand_header, a->cfg.brand_primary);
    set_storage_limits(a);
    a->screens = ck_screens_new(a->ui, &a->cfg, &a->i18n, a->store);
    if (a->screens)
        ck_screens_set_probe(a->screens, staff_probe, a);
    snprintf(db_path, sizeof db_path, "%s/kiosk.db", a->data_dir);
    if (!(a->sync = ck_sync_start(&a->cfg.upstream, db_path, a->cfg.kiosk_id, on_sync, a, err,
                                  sizeof err)))
        ck_error("app", "requests will stay queued: the delivery worker did not start: %s", err);
    if (a->screens) {
        ck_screens_set_sync(a->screens, a->sync);
        ck_screens_set_print(a->screens, a->print);
        ck_screens_set_gazetteer(a->screens, a->gazetteer);
        ck_screens_invalidate(a->screens);
    }
}

/* A staged bundle becomes the running config when no resident is using the kiosk. */
static void apply_bundle(struct app *a)
{
    if (!ck_screens_at_rest(a->screens))
        return;
    long v = ck_app_fleet_pending(a->fleet);
    if (!v)
        return;
    long was = a->cfg.bundle_version;
    char err[CK_ERR_LEN], path[4300], ignored[CK_ERR_LEN];
    struct ck_config cfg;
    struct ck_i18n i18n;
    struct ck_gazetteer *gaz = NULL;
    enum ck_err rc = ck_bundle_commit(a->data_dir, v, err, sizeof err);
    if (!rc) {
        ck_bundle_current(a->data_dir, path, sizeof path);
        rc = load_city(a, path, &cfg, &i18n, &gaz, err, sizeof err);
        if (rc && ck_bundle_set_current(a->data_dir, was, ignored, sizeof ignored))
            ck_error("app", "could not point the config back at version %ld: %s", was, ignored);
    }
    if (rc) {
        ck_app_fleet_applied(a->fleet, &a->cfg, v, false, err);
        return;
    }
    swap_config(a, &cfg, &i18n, gaz);
    ck_app_fleet_applied(a->fleet, &a->cfg, v, true, NULL);
}

/* Heartbeats when due and at once when a bundle's fate changed; the result also goes in
 * kiosk.db for staff (kioskctl status). */
static void fleet_tick(struct app *a)
{
    if (!a->fleet)
        return;
    apply_bundle(a);
    struct ck_fleet_result r;
    bool changed = ck_app_fleet_result(a->fleet, &r);
    if (changed) {
        char detail[400];
        if (r.version)
            snprintf(detail, sizeof detail, "%s version %ld: %s", r.ok ? "applied" : "refused",
                     r.version, r.reason);
        else
            snprintf(detail, sizeof detail, "refused: %s", r.reason);
        ck_store_note(a->store, "config", detail);
    }
    if (changed || ck_app_fleet_next_heartbeat_ms(a->fleet, ck_clock_mono_ms()) == 0)
        free(ck_app_fleet_heartbeat(a->fleet, &a->cfg, a->store, a->print,
                                    ck_clock_mono_ms() - a->started_ms));
}

/* UI thread: act on what the worker reported. */
static void take_sync_events(struct app *a)
{
    fleet_tick(a);
    unsigned ev = atomic_exchange(&a->sync_events, 0u);
    if (ev & (1u << CK_SYNC_EV_CATALOG))
        a->catalog_pending = true;
    if (a->catalog_pending && ck_screens_at_rest(a->screens)) {
        load_cached_catalog(a);
        a->catalog_pending = false;
        ck_screens_invalidate(a->screens);
    }
    if (ev & ((1u << CK_SYNC_EV_DELIVERY) | (1u << CK_SYNC_EV_STATUS)))
        ck_screens_sync_changed(a->screens, (ev & (1u << CK_SYNC_EV_STATUS)) != 0);
    if (ev & (1u << CK_SYNC_EV_REPRINT))
        take_reprints(a);
    if (ev & (1u << EV_PRINT)) {
        note_printer(a);
        ck_screens_sync_changed(a->screens, false);
    }
}

static const char *assets_dir(void)
{
    const char *env = getenv("CK_ASSETS_DIR");
    return env && *env ? env : CK_SOURCE_DIR "/assets";
}

/* Brings the frame up to date: timers first, then a redraw if anything changed. */
static void take_sync_events(struct app *a);

static void settle(struct app *a)
{
    ck_watchdog_kick(); /* scripts drive the same loop: the watchdog sees them too */
    take_sync_events(a);
    ck_screens_tick(a->screens, ck_clock_mono_ms());
    if (ck_screens_dirty(a->screens))
        draw(a);
}

/* ---------------------------------------------------------------- the loop */

/* What `systemctl status` says the kiosk is doing. */
static void tell_service_manager(struct app *a)
{
    int oos = ck_screens_out_of_service(a->screens) ? 1
              : ck_screens_storage_full(a->screens) ? 2
                                                     : 0;
    if (oos != a->told_oos) {
        a->told_oos = oos;
        ck_watchdog_status(oos == 1   ? "out of service (staff)"
                           : oos == 2 ? "taking no new requests: storage low"
                                      : "serving residents");
    }
}

static int run_loop(struct app *a)
{
    draw(a);
    a->told_oos = -1; /* say it once at start */
    tell_service_manager(a);
    ck_watchdog_ready(NULL);
    /* The watchdog: kicked from this loop only, after each wake-up, so a hung loop stops the
     * kicks and systemd restarts the kiosk; an idle kiosk wakes at half the interval for it. */
    int watchdog_ms = (int)(ck_watchdog_interval_ms() / 2);
    for (;;) {
        ck_watchdog_kick();
        tell_service_manager(a);
        uint64_t now = ck_clock_mono_ms();
        take_sync_events(a);
        ck_screens_tick(a->screens, now);
        if (ck_ui_take_damage(a->ui))
            ck_screens_invalidate(a->screens);
        if (ck_screens_dirty(a->screens))
            draw(a);
        /* Sleep until input or the next timer: no CPU while nobody touches the kiosk. */
        int timeout = ck_screens_next_timer_ms(a->screens, now);
        int hb = ck_app_fleet_next_heartbeat_ms(a->fleet, now);
        if (hb >= 0 && (timeout < 0 || hb < timeout))
            timeout = hb;
        if (watchdog_ms > 0 && (timeout < 0 || watchdog_ms < timeout))
            timeout = watchdog_ms;
        struct ck_input in;
        bool quit;
        if (ck_ui_wait(a->ui, timeout, &in, &quit))
            ck_screens_input(a->screens, &in);
        if (quit)
            return 0;
        if (ck_screens_restart_requested(a->screens)) {
            ck_warn("app", "restarting at staff's request");
            ck_watchdog_stopping("restarting at staff's request");
            return 0; /* systemd starts the kiosk again (Restart=always) */
        }
    }
}

/* ---------------------------------------------------------------- scripts */

static const struct {
    const char *name;
    enum ck_key key;
} KEYS[] = {
    {"enter", CK_KEY_ENTER}, {"backspace", CK_KEY_BACKSPACE}, {"escape", CK_KEY_ESCAPE},
    {"tab", CK_KEY_TAB},     {"up", CK_KEY_UP},               {"down", CK_KEY_DOWN},
    {"left", CK_KEY_LEFT},   {"right", CK_KEY_RIGHT},         {"space", CK_KEY_SPACE},
    {"help", CK_KEY_HELP},
    {"volume-up", CK_KEY_VOLUME_UP},
    {"volume-down", CK_KEY_VOLUME_DOWN},
    {"staff", CK_KEY_STAFF},
};

struct id_list {
    char buf[1024];
    size_t len;
};

static void collect_id(const char *id, struct ck_rect r, void *ctx)
{
    (void)r;
    struct id_list *l = ctx;
    int n = snprintf(l->buf + l->len, sizeof l->buf - l->len, "%s%s", l->len ? " " : "", id);
    if (n > 0 && l->len + (size_t)n < sizeof l->buf)
        l->len += (size_t)n;
}

/* Touch targets must be at least this big, in screen pixels, at every size (WCAG 2.5.8's
 * 24 px is the floor; 44 px is what the issue and Apple's guidance ask for). */
enum { MIN_TARGET_PX = 44, CK_KEY_TO_MAX = 200 };

struct small_target {
    char id[64];
    struct ck_rect r;
};

static void find_small(const char *id, struct ck_rect r, void *ctx)
{
    struct small_target *s = ctx;
    if (!s->id[0] && (r.w < MIN_TARGET_PX || r.h < MIN_TARGET_PX)) {
        snprintf(s->id, sizeof s->id, "%s", id);
        s->r = r;
    }
}

static enum ck_err run_command(struct app *a, const struct ck_script_cmd *cmd, char *err,
                               size_t errlen)
{
    settle(a);
    struct ck_input in = {0};
    switch (cmd->verb) {
    case CK_SCRIPT_NONE:
        return CK_OK;
    case CK_SCRIPT_HOLD:
        if (!ck_ui_find(a->ui, cmd->arg, NULL))
            return ck_fail(err, errlen, CK_ERR_SCRIPT, "hold: no widget \"%s\" on screen \"%s\"",
                           cmd->arg, ck_screens_name(a->screens));
        in.kind = CK_IN_HOLD;
        in.id = cmd->arg;
        break;
    case CK_SCRIPT_TAP:
        if (!ck_ui_find(a->ui, cmd->arg, NULL)) {
            struct id_list ids = {.len = 0};
            ids.buf[0] = '\0';
            ck_ui_each_target(a->ui, collect_id, &ids);
            return ck_fail(err, errlen, CK_ERR_SCRIPT,
                           "tap: no widget \"%s\" on screen \"%s\" (there are: %s)", cmd->arg,
                           ck_screens_name(a->screens), ids.buf);
        }
        in.kind = CK_IN_TAP;
        in.id = cmd->arg;
        break;
    case CK_SCRIPT_TYPE:
        in.kind = CK_IN_TEXT;
        in.text = cmd->arg;
        break;
    case CK_SCRIPT_KEY:
        in.kind = CK_IN_KEY;
        for (size_t i = 0; i < sizeof KEYS / sizeof KEYS[0]; i++)
            if (strcmp(KEYS[i].name, cmd->arg) == 0)
                in.key = KEYS[i].key;
        if (in.key == CK_KEY_NONE)
            return ck_fail(err, errlen, CK_ERR_SCRIPT, "key: unknown key \"%s\"", cmd->arg);
        break;
    case CK_SCRIPT_EXPECT_SCREEN:
        if (strcmp(ck_screens_name(a->screens), cmd->arg) != 0)
            return ck_fail(err, errlen, CK_ERR_SCRIPT, "expected screen \"%s\", but it is \"%s\"",
                           cmd->arg, ck_screens_name(a->screens));
        return CK_OK;
    case CK_SCRIPT_EXPECT_TEXT:
        if (!ck_ui_frame_has_text(a->ui, cmd->arg))
            return ck_fail(err, errlen, CK_ERR_SCRIPT, "expected text \"%.200s\" on screen \"%s\"",
                           cmd->arg, ck_screens_name(a->screens));
        return CK_OK;
    case CK_SCRIPT_EXPECT_NO_TEXT:
        if (ck_ui_frame_has_text(a->ui, cmd->arg))
            return ck_fail(err, errlen, CK_ERR_SCRIPT, "did not expect text \"%.200s\" on screen \"%s\"",
                           cmd->arg, ck_screens_name(a->screens));
        return CK_OK;
    case CK_SCRIPT_SCREENSHOT: {
        if (strchr(cmd->arg, '/') || cmd->arg[0] == '.')
            return ck_fail(err, errlen, CK_ERR_SCRIPT, "screenshot: \"%s\" is not a plain name",
                           cmd->arg);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.png", a->opts->screenshot_dir, cmd->arg);
        /* Written first, so a failing check leaves the picture to look at. */
        enum ck_err rc = ck_ui_screenshot(a->ui, path, err, errlen);
        if (rc)
            return rc;
        /* Every screen a script looks at is also checked: targets too small to touch,
         * characters no font could draw (a box where a letter should be), text cut off. */
        char problem[400] = "";
        struct small_target small = {.id = ""};
        char example[160];
        ck_ui_each_target(a->ui, find_small, &small);
        if (small.id[0])
            snprintf(problem, sizeof problem, "target \"%s\" is %dx%d px, smaller than %d px",
                     small.id, small.r.w, small.r.h, MIN_TARGET_PX);
        else if (ck_ui_missing_glyphs(a->ui, example, sizeof example))
            snprintf(problem, sizeof problem, "a character has no glyph in any font: %s", example);
        else if (ck_ui_overflows(a->ui, example, sizeof example))
            snprintf(problem, sizeof problem, "text is cut off: %s", example);
        if (!problem[0])
            return CK_OK;
        /* CK_SHOT_CHECKS=warn: report and go on, to look at every broken screen of a run. */
        const char *mode = getenv("CK_SHOT_CHECKS");
        if (mode && strcmp(mode, "warn") == 0) {
            ck_warn("script", "screenshot %s: %s", cmd->arg, problem);
            return CK_OK;
        }
        return ck_fail(err, errlen, CK_ERR_SCRIPT, "screenshot %s: %s", cmd->arg, problem);
    }
    case CK_SCRIPT_WAIT_IDLE:
        return CK_OK; /* settle() above ran every timer and redraw that was due */
    case CK_SCRIPT_KEY_TO: {
        /* What a resident does with a keypad: Down until the ring is on it; on a paged list,
         * once round the page without finding it, Down to More and Select, and on. */
        char first[96] = "";
        bool paging = false;
        for (int presses = 0; presses <= CK_KEY_TO_MAX; presses++) {
            const char *f = ck_ui_focused(a->ui);
            if (f && strcmp(f, cmd->arg) == 0)
                return CK_OK;
            if (f && paging && strcmp(f, "page-next") == 0) {
                struct ck_input sel = {.kind = CK_IN_KEY, .key = CK_KEY_ENTER};
                ck_screens_input(a->screens, &sel);
                settle(a);
                first[0] = '\0';
                paging = false;
                continue;
            }
            if (f && !first[0])
                snprintf(first, sizeof first, "%s", f);
            else if (f && strcmp(f, first) == 0 && ck_ui_find(a->ui, "page-next", NULL))
                paging = true; /* round the page once: it is on another */
            struct ck_input down = {.kind = CK_IN_KEY, .key = CK_KEY_DOWN};
            ck_screens_input(a->screens, &down);
            settle(a);
        }
        return ck_fail(err, errlen, CK_ERR_SCRIPT,
                       "key-to: \"%s\" cannot be reached with the keypad on screen \"%s\"",
                       cmd->arg, ck_screens_name(a->screens));
    }
    case CK_SCRIPT_FLEET_POLL: {
        /* Ask the fleet for a bundle now and wait until it was fetched and staged (or
         * refused); a staged one applies when the kiosk is at rest, as always. */
        ck_app_fleet_poll_now(a->fleet);
        uint64_t until = ck_clock_mono_ms() + 120000;
        while (!ck_app_fleet_idle(a->fleet)) {
            if (ck_clock_mono_ms() > until)
                return ck_fail(err, errlen, CK_ERR_SCRIPT, "fleet-poll: no answer in 120 s");
            struct ck_input ignored;
            bool quit = false;
            ck_ui_wait(a->ui, 50, &ignored, &quit);
            if (quit)
                return ck_fail(err, errlen, CK_ERR_SCRIPT, "fleet-poll: interrupted");
        }
        settle(a);
        return CK_OK;
    }
    case CK_SCRIPT_PAGE_TO: {
        /* What a resident does on a paged list: More until it shows. */
        for (int pages = 0; pages <= CK_KEY_TO_MAX; pages++) {
            if (ck_ui_find(a->ui, cmd->arg, NULL))
                return CK_OK;
            if (!ck_ui_find(a->ui, "page-next", NULL))
                break;
            struct ck_input more = {.kind = CK_IN_TAP, .id = "page-next"};
            ck_screens_input(a->screens, &more);
            settle(a);
        }
        return ck_fail(err, errlen, CK_ERR_SCRIPT, "page-to: \"%s\" is on no page of screen \"%s\"",
                       cmd->arg, ck_screens_name(a->screens));
    }
    case CK_SCRIPT_WAIT_SYNC: {
        /* Block on the UI's event queue, which the worker's notifications wake. */
        /* Idle: nothing printing, nothing in flight and no retry due within the horizon. */
        uint64_t until = ck_clock_mono_ms() + 300000;
        int horizon = (int)cmd->seconds;
        while (!ck_sync_idle(a->sync, horizon) || !ck_print_idle(a->print) ||
               !ck_app_fleet_idle(a->fleet)) {
            if (ck_clock_mono_ms() > until)
                return ck_fail(err, errlen, CK_ERR_SCRIPT,
                               "wait-sync: the delivery worker is still busy after 300 s");
            struct ck_input ignored;
            bool quit = false;
            ck_ui_wait(a->ui, 200, &ignored, &quit);
            if (quit) /* SIGTERM or SIGINT, which SDL turns into a quit event */
                return ck_fail(err, errlen, CK_ERR_SCRIPT, "wait-sync: interrupted");
        }
        settle(a);
        return CK_OK;
    }
    case CK_SCRIPT_PAUSE: {
        /* Real time passes as it would on a kiosk nobody touches: events, timers, workers'
         * news and the watchdog, nothing else. */
        uint64_t until = ck_clock_mono_ms() + (uint64_t)(cmd->seconds * 1000.0 + 0.5);
        int wd = (int)(ck_watchdog_interval_ms() / 2);
        for (uint64_t now; (now = ck_clock_mono_ms()) < until;) {
            int ms = (int)(until - now);
            if (wd > 0 && wd < ms)
                ms = wd;
            struct ck_input ignored;
            bool quit = false;
            ck_ui_wait(a->ui, ms, &ignored, &quit);
            if (quit)
                return ck_fail(err, errlen, CK_ERR_SCRIPT, "pause: interrupted");
            settle(a);
        }
        return CK_OK;
    }
    case CK_SCRIPT_MEM_STATS: {
        /* For the soak test: the same counts after session 100 and session 1,000. */
        long heap, rss;
        ck_mem_usage(&heap, &rss);
        fprintf(stderr, "memory: heap in use %ld bytes, resident %ld KiB\n", heap, rss);
        return CK_OK;
    }
    case CK_SCRIPT_FRAME_STATS:
        /* The frames since the last frame-stats (with CK_FRAME_STATS set), then afresh. */
        print_frame_stats(a);
        return CK_OK;
    case CK_SCRIPT_REDRAW:
        /* One screen's frame time (benchmarks): the whole frame again, as if it had changed. */
        for (int i = 0; i < cmd->count; i++) {
            ck_screens_invalidate(a->screens);
            draw(a);
        }
        return CK_OK;
    case CK_SCRIPT_HANG: {
        /* The UI thread stuck for that long (a test of the watchdog): nothing runs. */
        struct timespec ts = {(time_t)cmd->seconds,
                              (long)((cmd->seconds - (double)(time_t)cmd->seconds) * 1e9)};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
        return CK_OK;
    }
    case CK_SCRIPT_ADVANCE_CLOCK: {
        /* Advance in one-second steps so each timer fires at its own moment, as it would live. */
        uint64_t ms = (uint64_t)(cmd->seconds * 1000.0 + 0.5);
        while (ms) {
            uint64_t step = ms > 1000 ? 1000 : ms;
            ck_clock_advance_ms(step);
            ms -= step;
            settle(a);
        }
        return CK_OK;
    }
    }
    ck_screens_input(a->screens, &in);
    settle(a);
    return CK_OK;
}

static int run_script(struct app *a, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
        return 2;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0, status = 0, commands = 0;
    draw(a);
    ck_watchdog_ready("running a script");
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (n && line[n - 1] == '\n')
            line[n - 1] = '\0';
        struct ck_script_cmd cmd;
        char err[CK_ERR_LEN + 1024];
        enum ck_err rc = ck_script_parse_line(line, &cmd, err, sizeof err);
        if (!rc)
            rc = run_command(a, &cmd, err, sizeof err);
        if (rc) {
            fprintf(stderr, "%s:%d: %s\n", path, lineno, err);
            status = 1;
            break;
        }
        commands += cmd.verb != CK_SCRIPT_NONE;
    }
    free(line);
    if (f != stdin)
        fclose(f);
    if (!status)
        fprintf(stderr, "%s: %d commands ok\n", path, commands);
    return status;
}

/* ---------------------------------------------------------------- start-up */

int ck_app_run(const struct ck_options *opts)
{
    struct app a = {.opts = opts};
    a.started_ms = ck_clock_mono_ms();
    const char *fs = getenv("CK_FRAME_STATS");
    if (fs && *fs && (a.frame_ms = malloc(1024 * sizeof *a.frame_ms)))
        a.frame_cap = 1024;
    char err[CK_ERR_LEN];
    int status = 1;
    if (opts->data_dir)
        snprintf(a.data_dir, sizeof a.data_dir, "%s", opts->data_dir);
    else
        ck_fs_default_data_dir(a.data_dir, sizeof a.data_dir);
    snprintf(a.base_path, sizeof a.base_path, "%s", opts->config_path);
    snprintf(a.ui_dir, sizeof a.ui_dir, "%s/i18n", assets_dir());
    if (ck_fs_mkdir_p(a.data_dir, err, sizeof err)) {
        fprintf(stderr, "civic-kiosk: data dir: %s\n", err);
        return 1;
    }
    /* The last bundle the fleet sent, over the kiosk's own config; the own config alone if
     * that cannot be used. */
    char bundle_city[4300];
    ck_bundle_current(a.data_dir, bundle_city, sizeof bundle_city);
    bool loaded = false;
    if (*bundle_city) {
        if (load_city(&a, bundle_city, &a.cfg, &a.i18n, &a.gazetteer, err, sizeof err) == CK_OK)
            loaded = true;
        else
            ck_error("app", "the last config bundle cannot be used, running the kiosk's own "
                            "config: %s", err);
    }
    if (!loaded && load_city(&a, opts->config_path, &a.cfg, &a.i18n, &a.gazetteer, err,
                             sizeof err)) {
        fprintf(stderr, "civic-kiosk: the configuration cannot be used: %s\n", err);
        return 1;
    }
    /* Times are the city's: on a board without TZ set, use the config's timezone. */
    if (a.cfg.timezone && *a.cfg.timezone && !getenv("TZ")) {
        setenv("TZ", a.cfg.timezone, 1);
        tzset();
    }
    char db_path[4200];
    snprintf(db_path, sizeof db_path, "%s/kiosk.db", a.data_dir);
    const char *data_dir = a.data_dir;
    if (!(a.store = ck_store_open(db_path, err, sizeof err))) {
        fprintf(stderr, "civic-kiosk: database: %s\n", err);
        goto out;
    }
    set_storage_limits(&a);
    /* The key for residents' contact details (docs/privacy.md): without it the kiosk still
     * serves, but staff must hear why some requests wait or cannot be saved. */
    char key_why[CK_ERR_LEN + 200];
    if (!ck_store_key_ok(a.store, key_why, sizeof key_why)) {
        ck_error("app", "%s", key_why);
        ck_outbox_note(a.store, false, key_why);
    }
    if (!(a.ui = ck_ui_new(opts->mode, opts->width, opts->height, err, sizeof err))) {
        fprintf(stderr, "civic-kiosk: display: %s\n", err);
        if (opts->mode != CK_UI_HEADLESS)
            fprintf(stderr, "civic-kiosk: without a display, run it headless: civic-kiosk "
                            "--headless --script FILE --screenshot-dir DIR\n");
        goto out;
    }
    if (!a.cfg.bundle_catalog)
        load_cached_catalog(&a);
    ck_theme_set_brand(a.cfg.brand_header, a.cfg.brand_primary);
    if (!(a.screens = ck_screens_new(a.ui, &a.cfg, &a.i18n, a.store)))
        goto out;
    if (!(a.sync = ck_sync_start(&a.cfg.upstream, db_path, a.cfg.kiosk_id, on_sync, &a, err,
                                 sizeof err)))
        ck_error("app", "requests will stay queued: the delivery worker did not start: %s", err);
    ck_screens_set_sync(a.screens, a.sync);
    const char *printer = opts->printer ? opts->printer : a.cfg.printer_uri;
    a.printer_noted = CK_PRINTER_UNKNOWN;
    if (!(a.print = ck_print_start(printer, 5000, on_print, &a, err, sizeof err))) {
        fprintf(stderr, "civic-kiosk: printer: %s\n", err);
        goto out;
    }
    ck_screens_set_print(a.screens, a.print);
    ck_screens_set_gazetteer(a.screens, a.gazetteer);
    ck_screens_set_probe(a.screens, staff_probe, &a);
    if (opts->lang && !ck_screens_set_lang(a.screens, opts->lang)) {
        fprintf(stderr, "civic-kiosk: --lang %s: this city does not offer that language\n",
                opts->lang);
        goto out;
    }
    a.fleet = ck_app_fleet_start(&a.cfg, a.base_path, a.data_dir, a.ui_dir, ck_ui_wake);
    char which[64];
    if (a.cfg.bundle_version)
        snprintf(which, sizeof which, "config bundle version %ld", a.cfg.bundle_version);
    else
        snprintf(which, sizeof which, "its own config (no bundle)");
    ck_info("app", "%s kiosk %s ready: %zu services, %zu languages, %s, data in %s",
            a.cfg.city_name, a.cfg.kiosk_id, a.cfg.catalog.n, a.cfg.nlangs, which, data_dir);
    if (opts->script)
        status = run_script(&a, opts->script);
    else if (opts->mode == CK_UI_HEADLESS)
        fprintf(stderr, "civic-kiosk: --headless needs --script FILE to drive it\n"), status = 2;
    else
        status = run_loop(&a);
out:
    print_frame_stats(&a);
    free(a.frame_ms);
    ck_app_fleet_stop(a.fleet);
    ck_print_stop(a.print);
    ck_sync_stop(a.sync);
    ck_screens_free(a.screens);
    ck_gazetteer_close(a.gazetteer);
    ck_ui_free(a.ui);
    ck_store_close(a.store);
    ck_i18n_deinit(&a.i18n);
    ck_config_deinit(&a.cfg);
    return status;
}
