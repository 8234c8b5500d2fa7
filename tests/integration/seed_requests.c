/* seed_requests: fills a kiosk database with N valid requests, as residents would file them,
 * through the same ck_store_submit the Submit button uses: every service of the city file in
 * turn, every required attribute answered, some with contact details, some with coordinates.
 * For the delivery tests and benchmarks, which need a backlog faster than a script can type.
 * usage: seed_requests CITY.json DATA_DIR N */
#include <stdio.h>
#include <stdlib.h>

#include "config/config.h"
#include "core/request.h"
#include "platform/platform.h"
#include "store/store.h"

static void answer(struct ck_request *r, const struct ck_attribute *a, int i)
{
    char v[64];
    switch (a->datatype) {
    case CK_DT_SINGLEVALUELIST:
        if (a->nvalues)
            ck_request_add_attr(r, a->code, a->values[(size_t)i % a->nvalues].key);
        return;
    case CK_DT_MULTIVALUELIST:
        for (size_t k = 0; k < a->nvalues && k < 2; k++) {
            ck_request_add_attr(r, a->code, a->values[k].key);
            r->attrs[r->nattrs - 1].multi = true;
        }
        return;
    case CK_DT_NUMBER: snprintf(v, sizeof v, "%d", 1 + i % 9); break;
    case CK_DT_DATETIME: snprintf(v, sizeof v, "2026-11-23T08:%02d:00-05:00", i % 60); break;
    default: snprintf(v, sizeof v, "answer %d", i); break;
    }
    ck_request_add_attr(r, a->code, v);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: seed_requests CITY.json DATA_DIR N\n");
        return 2;
    }
    char err[CK_ERR_LEN], path[4200];
    struct ck_config cfg;
    if (ck_config_load(argv[1], &cfg, err, sizeof err))
        return fprintf(stderr, "seed_requests: %s\n", err), 1;
    if (ck_fs_mkdir_p(argv[2], err, sizeof err))
        return fprintf(stderr, "seed_requests: %s\n", err), 1;
    snprintf(path, sizeof path, "%s/kiosk.db", argv[2]);
    struct ck_store *st = ck_store_open(path, err, sizeof err);
    if (!st)
        return fprintf(stderr, "seed_requests: %s\n", err), 1;
    int n = atoi(argv[3]), status = 0;
    for (int i = 0; i < n && !status && cfg.catalog.n; i++) {
        const struct ck_service *svc = &cfg.catalog.services[(size_t)i % cfg.catalog.n];
        struct ck_request r;
        ck_request_init(&r);
        ck_request_set(&r.service_code, svc->code);
        ck_request_set(&r.service_name, svc->name);
        for (size_t k = 0; k < svc->nattrs; k++)
            if (svc->attrs[k].variable && (svc->attrs[k].required || i % 2))
                answer(&r, &svc->attrs[k], i);
        char addr[64];
        snprintf(addr, sizeof addr, "%d Main Street", 100 + i % 900);
        ck_request_set(&r.address_string, addr);
        if (i % 3 == 0) {
            r.has_latlon = true;
            r.lat = 40.05 + (i % 100) * 0.0001;
            r.lon = -74.95 - (i % 100) * 0.0001;
        }
        ck_request_set(&r.description, i % 4 ? "Seen on the way to work." : NULL);
        if (i % 5 == 0) {
            ck_request_set(&r.first_name, "Ana");
            ck_request_set(&r.email, "ana@example.com");
        }
        snprintf(r.lang, sizeof r.lang, "%s", i % 7 ? "en" : "es");
        if (ck_store_submit(st, cfg.kiosk_id, &r, err, sizeof err)) {
            fprintf(stderr, "seed_requests: %s\n", err);
            status = 1;
        }
        ck_request_deinit(&r);
    }
    ck_store_close(st);
    ck_config_deinit(&cfg);
    return status;
}
