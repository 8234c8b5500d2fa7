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
    double *frame_ms;        /* CK_FRAME_STATS: every frame's draw time, for benchmarks */
    size_t nframes, frame_cap;
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
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static void print_frame_stats(struct app *a)
{
    if (!a->nframes)
        return;
    qsort(a->frame_ms, a->nframes, sizeof a->frame_ms[0], cmp_double);
    size_t n = a->nframes;
    fprintf(stderr, "frames %zu: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", n,
            a->frame_ms[n / 2], a->frame_ms[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1],
            a->frame_ms[n - 1]);
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

/* UI thread: act on what the worker reported. */
static void take_sync_events(struct app *a)
{
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
    take_sync_events(a);
    ck_screens_tick(a->screens, ck_clock_mono_ms());
    if (ck_screens_dirty(a->screens))
        draw(a);
}

/* ---------------------------------------------------------------- the loop */

static int run_loop(struct app *a)
{
    draw(a);
    for (;;) {
        uint64_t now = ck_clock_mono_ms();
        take_sync_events(a);
        ck_screens_tick(a->screens, now);
        if (ck_ui_take_damage(a->ui))
            ck_screens_invalidate(a->screens);
        if (ck_screens_dirty(a->screens))
            draw(a);
        /* Sleep until input or the next timer: no CPU while nobody touches the kiosk. */
        int timeout = ck_screens_next_timer_ms(a->screens, now);
        struct ck_input in;
        bool quit;
        if (ck_ui_wait(a->ui, timeout, &in, &quit))
            ck_screens_input(a->screens, &in);
        if (quit)
            return 0;
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
        /* Every screen a script looks at is also checked for targets too small to touch. */
        struct small_target small = {.id = ""};
        ck_ui_each_target(a->ui, find_small, &small);
        if (small.id[0])
            return ck_fail(err, errlen, CK_ERR_SCRIPT,
                           "screenshot %s: target \"%s\" is %dx%d px, smaller than %d px",
                           cmd->arg, small.id, small.r.w, small.r.h, MIN_TARGET_PX);
        /* ...and for characters no font could draw (a box where a letter should be). */
        char example[160];
        if (ck_ui_missing_glyphs(a->ui, example, sizeof example))
            return ck_fail(err, errlen, CK_ERR_SCRIPT,
                           "screenshot %s: a character has no glyph in any font: %s", cmd->arg,
                           example);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.png", a->opts->screenshot_dir, cmd->arg);
        return ck_ui_screenshot(a->ui, path, err, errlen);
    }
    case CK_SCRIPT_WAIT_IDLE:
        return CK_OK; /* settle() above ran every timer and redraw that was due */
    case CK_SCRIPT_KEY_TO: {
        /* What a resident does with a keypad: Down until the ring is on it. */
        for (int presses = 0; presses <= CK_KEY_TO_MAX; presses++) {
            const char *f = ck_ui_focused(a->ui);
            if (f && strcmp(f, cmd->arg) == 0)
                return CK_OK;
            struct ck_input down = {.kind = CK_IN_KEY, .key = CK_KEY_DOWN};
            ck_screens_input(a->screens, &down);
            settle(a);
        }
        return ck_fail(err, errlen, CK_ERR_SCRIPT,
                       "key-to: \"%s\" cannot be reached with the keypad on screen \"%s\"",
                       cmd->arg, ck_screens_name(a->screens));
    }
    case CK_SCRIPT_WAIT_SYNC: {
        /* Block on the UI's event queue, which the worker's notifications wake. */
        /* Idle: nothing printing, nothing in flight and no retry due within the horizon. */
        uint64_t until = ck_clock_mono_ms() + 300000;
        int horizon = (int)cmd->seconds;
        while (!ck_sync_idle(a->sync, horizon) || !ck_print_idle(a->print)) {
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
    const char *fs = getenv("CK_FRAME_STATS");
    if (fs && *fs && (a.frame_ms = malloc(1024 * sizeof *a.frame_ms)))
        a.frame_cap = 1024;
    char err[CK_ERR_LEN];
    int status = 1;
    if (ck_config_load(opts->config_path, &a.cfg, err, sizeof err)) {
        fprintf(stderr, "civic-kiosk: the configuration cannot be used: %s\n", err);
        return 1;
    }
    /* Times are the city's: on a board without TZ set, use the config's timezone. */
    if (a.cfg.timezone && *a.cfg.timezone && !getenv("TZ")) {
        setenv("TZ", a.cfg.timezone, 1);
        tzset();
    }
    char ui_dir[4096], city_dir[4096];
    snprintf(ui_dir, sizeof ui_dir, "%s/i18n", assets_dir());
    snprintf(city_dir, sizeof city_dir, "%s/i18n", a.cfg.dir);
    if (ck_i18n_load(&a.i18n, a.cfg.langs, a.cfg.nlangs, ui_dir, city_dir, err, sizeof err)) {
        fprintf(stderr, "civic-kiosk: translations: %s\n", err);
        goto out;
    }
    char data_dir[4096], db_path[4200];
    if (opts->data_dir)
        snprintf(data_dir, sizeof data_dir, "%s", opts->data_dir);
    else
        ck_fs_default_data_dir(data_dir, sizeof data_dir);
    if (ck_fs_mkdir_p(data_dir, err, sizeof err)) {
        fprintf(stderr, "civic-kiosk: data dir: %s\n", err);
        goto out;
    }
    snprintf(db_path, sizeof db_path, "%s/kiosk.db", data_dir);
    if (!(a.store = ck_store_open(db_path, err, sizeof err))) {
        fprintf(stderr, "civic-kiosk: database: %s\n", err);
        goto out;
    }
    char gazetteer_db[4200];
    snprintf(gazetteer_db, sizeof gazetteer_db, "%s/gazetteer.db", data_dir);
    if (a.cfg.gazetteer_path && !(a.gazetteer = ck_gazetteer_open(
                                      gazetteer_db, a.cfg.gazetteer_path, err, sizeof err)))
        ck_error("app", "no address suggestions, addresses are typed freely: %s", err);
    if (!(a.ui = ck_ui_new(opts->mode, opts->width, opts->height, err, sizeof err))) {
        fprintf(stderr, "civic-kiosk: display: %s\n", err);
        if (opts->mode != CK_UI_HEADLESS)
            fprintf(stderr, "civic-kiosk: without a display, run it headless: civic-kiosk "
                            "--headless --script FILE --screenshot-dir DIR\n");
        goto out;
    }
    load_cached_catalog(&a);
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
    if (opts->lang && !ck_screens_set_lang(a.screens, opts->lang)) {
        fprintf(stderr, "civic-kiosk: --lang %s: this city does not offer that language\n",
                opts->lang);
        goto out;
    }
    ck_info("app", "%s kiosk %s ready: %zu services, %zu languages, data in %s",
            a.cfg.city_name, a.cfg.kiosk_id, a.cfg.catalog.n, a.cfg.nlangs, data_dir);
    if (opts->script)
        status = run_script(&a, opts->script);
    else if (opts->mode == CK_UI_HEADLESS)
        fprintf(stderr, "civic-kiosk: --headless needs --script FILE to drive it\n"), status = 2;
    else
        status = run_loop(&a);
out:
    print_frame_stats(&a);
    free(a.frame_ms);
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
