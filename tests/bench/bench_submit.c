/* bench_submit: tap Submit to durable commit. Times ck_store_submit, the one call the review
 * screen's Submit makes before the done screen shows (review.c), on a real kiosk.db with the
 * real pragmas (WAL, synchronous=FULL): N requests of the demo city, every required answer
 * given, one in five with contact details (sealed with the kiosk's key), as residents file them.
 * Prints p50/p99/max against DESIGN.md's budget (p99 <= 20 ms). Printed, never asserted.
 *
 *   bench_submit [N [DIR [CITY BACKLOG]]]
 *     N        requests timed (default 500)
 *     DIR      where kiosk.db goes; default a new folder in the current directory: the build
 *              tree's disk, not a tmpfs, whose fsync costs nothing
 *     CITY     a city file whose upstream is a running server (tests/bench/run starts the
 *              reference server): BACKLOG requests are queued first and the real delivery
 *              worker (ck_sync_start) drains them to it while the N submissions are timed, one
 *              every 20 ms: Submit while the kiosk delivers, which shares SQLite's one write
 *              lock with the worker.
 * CK_SOURCE_DIR points at the repository (the demo city). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <time.h>

#include "config/config.h"
#include "core/request.h"
#include "platform/platform.h"
#include "store/store.h"
#include "sync/sync.h"

#define BUDGET_P99_MS 20.0

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void on_sync(void *ctx, enum ck_sync_event ev)
{
    (void)ctx;
    (void)ev;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A request for service i of the catalog, answered as seed_requests answers it. */
static void fill(struct ck_request *r, const struct ck_service *svc, int i)
{
    ck_request_set(&r->service_code, svc->code);
    ck_request_set(&r->service_name, svc->name);
    for (size_t k = 0; k < svc->nattrs; k++) {
        const struct ck_attribute *a = &svc->attrs[k];
        if (!a->variable || !a->required)
            continue;
        char v[64];
        if ((a->datatype == CK_DT_SINGLEVALUELIST || a->datatype == CK_DT_MULTIVALUELIST) &&
            a->nvalues)
            snprintf(v, sizeof v, "%s", a->values[(size_t)i % a->nvalues].key);
        else if (a->datatype == CK_DT_NUMBER)
            snprintf(v, sizeof v, "%d", 1 + i % 9);
        else if (a->datatype == CK_DT_DATETIME)
            snprintf(v, sizeof v, "2026-11-23T08:%02d:00-05:00", i % 60);
        else
            snprintf(v, sizeof v, "answer %d", i);
        ck_request_add_attr(r, a->code, v);
    }
    char addr[64];
    snprintf(addr, sizeof addr, "%d Main Street", 100 + i % 900);
    ck_request_set(&r->address_string, addr);
    r->has_latlon = i % 3 == 0;
    r->lat = 40.05;
    r->lon = -74.95;
    ck_request_set(&r->description, "Deep hole in front of the bus stop. Cars swerve around it.");
    if (i % 5 == 0) {
        ck_request_set(&r->first_name, "Ana");
        ck_request_set(&r->last_name, "Torres");
        ck_request_set(&r->email, "ana.torres@example.com");
    }
    snprintf(r->lang, sizeof r->lang, "en");
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 500;
    if (n < 1)
        n = 500;
    const char *src = getenv("CK_SOURCE_DIR");
    if (!src)
        src = CK_SOURCE_DIR;
    char dir[4096], city[4200], db[4200], err[CK_ERR_LEN];
    if (argc > 2) {
        snprintf(dir, sizeof dir, "%s", argv[2]);
        if (ck_fs_mkdir_p(dir, err, sizeof err))
            return fprintf(stderr, "bench_submit: %s\n", err), 1;
    } else {
        snprintf(dir, sizeof dir, "bench-submit-XXXXXX");
        if (!mkdtemp(dir))
            return perror("bench_submit: mkdtemp"), 1;
    }
    if (argc > 4)
        snprintf(city, sizeof city, "%s", argv[3]);
    else
        snprintf(city, sizeof city, "%s/assets/demo/city.json", src);
    int backlog = argc > 4 ? atoi(argv[4]) : 0;
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    struct ck_config cfg;
    if (ck_config_load(city, &cfg, err, sizeof err))
        return fprintf(stderr, "bench_submit: %s\n", err), 1;
    double t0 = now_ms();
    struct ck_store *st = ck_store_open(db, err, sizeof err);
    if (!st)
        return fprintf(stderr, "bench_submit: %s\n", err), 1;
    printf("open kiosk.db (new, with its key): %.1f ms\n", now_ms() - t0);
    struct ck_sync *sync = NULL;
    if (backlog > 0) {
        for (int i = 0; i < backlog && cfg.catalog.n; i++) {
            struct ck_request r;
            ck_request_init(&r);
            fill(&r, &cfg.catalog.services[(size_t)i % cfg.catalog.n], i);
            enum ck_err rc = ck_store_submit(st, cfg.kiosk_id, &r, err, sizeof err);
            ck_request_deinit(&r);
            if (rc)
                return fprintf(stderr, "bench_submit: %s\n", err), 1;
        }
        if (!(sync =
                  ck_sync_start(&cfg.upstream, db, cfg.kiosk_id, on_sync, NULL, err, sizeof err)))
            return fprintf(stderr, "bench_submit: delivery worker: %s\n", err), 1;
        printf("%d requests queued; the delivery worker drains them to %s\n", backlog,
               cfg.upstream.base_url);
    }

    double *t = malloc((size_t)n * sizeof *t);
    int status = 0;
    for (int i = 0; i < n && t && !status && cfg.catalog.n; i++) {
        struct ck_request r;
        ck_request_init(&r);
        fill(&r, &cfg.catalog.services[(size_t)i % cfg.catalog.n], i);
        double s0 = now_ms();
        if (ck_store_submit(st, cfg.kiosk_id, &r, err, sizeof err)) {
            fprintf(stderr, "bench_submit: %s\n", err);
            status = 1;
        }
        t[i] = now_ms() - s0;
        ck_request_deinit(&r);
        if (sync)
            nanosleep(&(struct timespec){0, 20 * 1000000L}, NULL);
    }
    if (sync) {
        bool busy = !ck_sync_idle(sync, 0);
        printf("the worker was %s delivering when the last one was timed\n",
               busy ? "still" : "NO LONGER");
        printf("BENCH drain_still_busy %d\n", busy);
        ck_sync_stop(sync);
    }
    ck_store_close(st);
    ck_config_deinit(&cfg);
    if (!status && t) {
        qsort(t, (size_t)n, sizeof *t, cmp_double);
        double sum = 0;
        for (int i = 0; i < n; i++)
            sum += t[i];
        struct statfs fs;
        long type = statfs(dir, &fs) == 0 ? (long)fs.f_type : 0;
        printf("submit %d requests in %s (filesystem magic 0x%lx%s): mean %.2f ms, p50 %.2f ms, "
               "p99 %.2f ms, max %.2f ms; budget p99 <= %.0f ms: %s\n",
               n, dir, type, type == 0x01021994 ? ", tmpfs: fsync is free" : "", sum / n, t[n / 2],
               t[n * 99 / 100], t[n - 1], BUDGET_P99_MS,
               t[n * 99 / 100] <= BUDGET_P99_MS ? "within" : "OVER");
        printf("BENCH submit_p50_ms %.3f\nBENCH submit_p99_ms %.3f\nBENCH submit_max_ms %.3f\n",
               t[n / 2], t[n * 99 / 100], t[n - 1]);
    }
    free(t);
    if (argc <= 2) {
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            status = 1;
    }
    return status;
}
