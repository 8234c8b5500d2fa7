/* bench_gazetteer: address suggestions must keep up with typing. Generates a 100,000-row
 * gazetteer with tools/gazetteer/make_gazetteer.py into a temp dir, times the import, then
 * replays what residents type, one keystroke at a time (about 2,000 searches), and prints the
 * p50/p99/max search time against one frame (16 ms). Printed, never asserted.
 *
 *   bench_gazetteer [ROWS]      (CK_SOURCE_DIR points at the repository; default 100000 rows) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/gazetteer.h"

#define BUDGET_MS 16.0

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Addresses picked from the CSV itself, typed the ways residents type them. */
static size_t pick_addresses(const char *csv, char (*out)[CK_ADDRESS_LEN], size_t max)
{
    FILE *f = fopen(csv, "r");
    if (!f)
        return 0;
    char line[512];
    size_t n = 0, row = 0;
    while (n < max && fgets(line, sizeof line, f)) {
        if (row++ == 0 || row % 2411 != 0)
            continue;
        char *comma = strchr(line, ',');
        if (comma && line[0] != '"' && comma - line < CK_ADDRESS_LEN) {
            memcpy(out[n], line, (size_t)(comma - line));
            out[n++][comma - line] = '\0';
        }
    }
    fclose(f);
    return n;
}

int main(int argc, char **argv)
{
    int rows = argc > 1 ? atoi(argv[1]) : 100000;
    const char *src = getenv("CK_SOURCE_DIR");
    if (!src)
        src = CK_SOURCE_DIR;
    char dir[] = "/tmp/ck-bench-gazetteer-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char csv[256], db[256], cmd[1024];
    snprintf(csv, sizeof csv, "%s/gazetteer.csv", dir);
    snprintf(db, sizeof db, "%s/gazetteer.db", dir);
    snprintf(cmd, sizeof cmd, "python3 '%s/tools/gazetteer/make_gazetteer.py' --count %d -o '%s'",
             src, rows, csv);
    double t0 = now_ms();
    if (system(cmd) != 0) {
        fprintf(stderr, "bench_gazetteer: %s failed\n", cmd);
        return 1;
    }
    printf("generate %d rows: %.0f ms\n", rows, now_ms() - t0);

    char err[CK_ERR_LEN];
    t0 = now_ms();
    struct ck_gazetteer *g = ck_gazetteer_open(db, csv, err, sizeof err);
    double import_ms = now_ms() - t0;
    if (!g) {
        fprintf(stderr, "bench_gazetteer: %s\n", err);
        return 1;
    }
    struct ck_gazetteer_info info;
    ck_gazetteer_info(g, &info);
    printf("import %lld rows: %.0f ms\n", info.rows, import_ms);
    ck_gazetteer_close(g);
    t0 = now_ms();
    g = ck_gazetteer_open(db, csv, err, sizeof err);
    printf("open again, unchanged (every start): %.1f ms\n", now_ms() - t0);

    /* Each address typed three ways: as written, street first, and lower case with "st". */
    static char addrs[40][CK_ADDRESS_LEN];
    size_t naddr = pick_addresses(csv, addrs, 40);
    enum { MAXQ = 4000 };
    static double times[MAXQ];
    size_t nq = 0, hits = 0, top = 0, typed_full = 0;
    double worst = 0;
    char worst_q[CK_ADDRESS_LEN] = "";
    for (size_t i = 0; i < naddr && nq < MAXQ; i++) {
        char ways[3][CK_ADDRESS_LEN];
        const char *sp = strchr(addrs[i], ' ');
        snprintf(ways[0], sizeof ways[0], "%s", addrs[i]);
        snprintf(ways[1], sizeof ways[1], "%s %.*s", sp ? sp + 1 : "",
                 sp ? (int)(sp - addrs[i]) : 0, addrs[i]);
        snprintf(ways[2], sizeof ways[2], "%s", addrs[i]);
        for (char *p = ways[2]; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p + 32);
        for (int w = 0; w < 3; w++) {
            size_t len = strlen(ways[w]);
            bool found_it = false;
            for (size_t k = 2; k <= len && nq < MAXQ; k++) {
                if ((ways[w][k - 1] & 0xC0) == 0x80 && k < len && (ways[w][k] & 0xC0) == 0x80)
                    continue; /* inside a UTF-8 sequence */
                char typed[CK_ADDRESS_LEN];
                snprintf(typed, sizeof typed, "%.*s", (int)k, ways[w]);
                struct ck_address out[5];
                size_t found = 0;
                double s0 = now_ms();
                ck_gazetteer_search(g, typed, out, 5, &found);
                double dt = now_ms() - s0;
                times[nq++] = dt;
                if (dt > worst) {
                    worst = dt;
                    snprintf(worst_q, sizeof worst_q, "%s", typed);
                }
                hits += found > 0;
                if (k == len) {
                    typed_full++;
                    for (size_t r = 0; r < found; r++)
                        found_it = found_it || strcmp(out[r].address, addrs[i]) == 0;
                }
            }
            top += found_it;
        }
    }
    qsort(times, nq, sizeof times[0], cmp_double);
    double sum = 0;
    for (size_t i = 0; i < nq; i++)
        sum += times[i];
    printf("search: %zu keystrokes (%zu found something); whole address in the suggestions"
           " %zu of %zu times\n",
           nq, hits, top, typed_full);
    printf("search: mean %.2f ms, p50 %.2f ms, p99 %.2f ms, max %.2f ms (\"%s\"); budget %.0f ms"
           " (one frame): %s\n",
           sum / (double)nq, times[nq / 2], times[nq * 99 / 100], worst, worst_q, BUDGET_MS,
           times[nq * 99 / 100] <= BUDGET_MS ? "within" : "OVER");
    ck_gazetteer_close(g);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
