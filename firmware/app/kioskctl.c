/* kioskctl.c: the staff and test command line: what the kiosk's database holds.
 *   kioskctl --data-dir DIR requests [--json]
 *   kioskctl --data-dir DIR status [--json]
 *   kioskctl --data-dir DIR retry RECEIPT
 *   kioskctl --data-dir DIR reprint RECEIPT
 * Never prints personal fields (name, email, phone); `retry` and `reprint` are its only writes
 * (the running kiosk acts on them within seconds). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/request.h"
#include "platform/platform.h"
#include "config/bundle.h"
#include "config/config.h"
#include "store/outbox.h"
#include "store/store.h"

static void usage(FILE *out)
{
    fputs("usage: kioskctl [--data-dir DIR] requests|status [--json]\n"
          "       kioskctl [--data-dir DIR] retry|reprint RECEIPT\n"
          "       kioskctl validate-bundle BUNDLE.json [BASE-CITY.json]\n"
          "       kioskctl pin-hash < PIN\n"
          "  requests   every request this kiosk holds, with its delivery state\n"
          "  status     the delivery queue: depth, oldest, last success and error, parked\n"
          "  retry      send a parked request again (after fixing what upstream refused)\n"
          "  reprint    print a request's receipt again on the kiosk's printer\n"
          "  validate-bundle  check a config bundle's settings and files, merged over a kiosk's\n"
          "             own city file, with the line of each mistake (no signature needed)\n"
          "  pin-hash   the staff.pin_hash for a staff PIN (6-12 digits) read from stdin\n"
          "  --json     one JSON document instead of a table\n",
          out);
}

static bool add_json(const struct ck_request *r, const struct ck_request_status *st, void *ctx)
{
    json_t *arr = ctx, *attrs = json_array();
    for (size_t i = 0; i < r->nattrs; i++)
        json_array_append_new(attrs, json_pack("{s:s, s:s}", "code", r->attrs[i].code, "value",
                                               r->attrs[i].value));
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:b, s:i}", "receipt",
                          r->receipt, "service_code", r->service_code, "service_name",
                          r->service_name, "state", ck_outbox_state_name(st->state),
                          "requested_at", r->requested_at, "lang", r->lang, "attributes", attrs,
                          "has_contact", r->email || r->phone || r->first_name || r->last_name,
                          "has_description", r->description != NULL, "attempts", st->attempts);
    if (!o)
        return true;
    json_object_set_new(o, "address_string",
                        r->address_string ? json_string(r->address_string) : json_null());
    json_object_set_new(o, "description_chars",
                        json_integer(r->description ? (json_int_t)strlen(r->description) : 0));
    json_object_set_new(o, "last_error", st->last_error[0] ? json_string(st->last_error)
                                                          : json_null());
    json_object_set_new(o, "lat", r->has_latlon ? json_real(r->lat) : json_null());
    json_object_set_new(o, "long", r->has_latlon ? json_real(r->lon) : json_null());
    json_object_set_new(o, "service_request_id",
                        st->service_request_id[0] ? json_string(st->service_request_id)
                                                  : json_null());
    json_array_append_new(arr, o);
    return true;
}

static bool print_row(const struct ck_request *r, const struct ck_request_status *st, void *ctx)
{
    (void)ctx;
    char grouped[CK_RECEIPT_GROUPED_LEN + 1];
    ck_receipt_group(r->receipt, grouped);
    printf("%-13s %-15s %-25s %s\n", grouped, ck_outbox_state_name(st->state), r->requested_at,
           r->service_code);
    return true;
}

static bool add_parked(const struct ck_request *r, const struct ck_request_status *st, void *ctx)
{
    if (st->state == CK_OUTBOX_PARKED)
        json_array_append_new(ctx, json_pack("{s:s,s:s,s:s,s:s}", "receipt", r->receipt,
                                             "service_code", r->service_code, "requested_at",
                                             r->requested_at, "message", st->last_error));
    return true;
}

static void print_when(const char *label, time_t t, const char *detail)
{
    if (!t) {
        printf("%-16s never\n", label);
        return;
    }
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", localtime(&t));
    printf("%-16s %s (%ld s ago) %s\n", label, when, (long)(time(NULL) - t), detail);
}

static int show_status(struct ck_store *st, bool json)
{
    char err[CK_ERR_LEN];
    struct ck_outbox_stats s;
    json_t *parked = json_array();
    if (ck_outbox_stats(st, &s, err, sizeof err) || ck_store_each(st, add_parked, parked, err,
                                                                  sizeof err)) {
        json_decref(parked);
        return fprintf(stderr, "kioskctl: %s\n", err), 1;
    }
    long oldest = s.oldest_queued ? (long)(time(NULL) - s.oldest_queued) : 0;
    char *cat = NULL;
    time_t cat_at = 0;
    long cat_age = ck_store_cache_get(st, "catalog", &cat, &cat_at, err, sizeof err) == CK_OK
                       ? (long)(time(NULL) - cat_at)
                       : -1;
    free(cat);
    if (json) {
        json_t *doc = json_pack("{s:i,s:i,s:i,s:i,s:I,s:o,s:o,s:o}", "queued", s.queued,
                                "awaiting_token", s.awaiting_token, "delivered", s.delivered,
                                "parked_count", s.parked, "oldest_queued_age_s", (json_int_t)oldest,
                                "last_success",
                                s.last_success ? json_pack("{s:I,s:s}", "at",
                                                           (json_int_t)s.last_success, "detail",
                                                           s.last_success_detail)
                                               : json_null(),
                                "last_error",
                                s.last_error ? json_pack("{s:I,s:s}", "at", (json_int_t)s.last_error,
                                                         "detail", s.last_error_detail)
                                             : json_null(),
                                "parked", parked);
        json_object_set_new(doc, "catalog_age_s", cat_age >= 0 ? json_integer(cat_age) : json_null());
        char config[400];
        time_t config_at = 0;
        json_object_set_new(doc, "config",
                            ck_store_get_note(st, "config", config, sizeof config, &config_at)
                                ? json_pack("{s:s,s:I}", "last_result", config, "at",
                                            (json_int_t)config_at)
                                : json_null());
        char printer[256];
        time_t at = 0;
        json_object_set_new(doc, "printer",
                            ck_store_get_note(st, "printer", printer, sizeof printer, &at)
                                ? json_pack("{s:s,s:I}", "state", printer, "at", (json_int_t)at)
                                : json_null());
        json_dumpf(doc, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(doc);
        return 0;
    }
    printf("%-16s %d (%d awaiting a number from the city)\n", "queued", s.queued,
           s.awaiting_token);
    if (s.queued)
        printf("%-16s %ld s\n", "oldest queued", oldest);
    printf("%-16s %d\n%-16s %d\n", "delivered", s.delivered, "parked", s.parked);
    print_when("last success", s.last_success, s.last_success_detail);
    print_when("last error", s.last_error, s.last_error_detail);
    char printer[256] = "";
    time_t printer_at = 0;
    if (ck_store_get_note(st, "printer", printer, sizeof printer, &printer_at))
        print_when("printer", printer_at, printer);
    char config[400] = "";
    time_t config_at = 0;
    if (ck_store_get_note(st, "config", config, sizeof config, &config_at))
        print_when("config bundle", config_at, config);
    if (cat_age >= 0)
        printf("%-16s fetched from the city %ld s ago\n", "catalog", cat_age);
    else
        printf("%-16s never fetched from the city (using the one in the config)\n", "catalog");
    size_t i;
    json_t *p;
    json_array_foreach(parked, i, p)
    {
        char grouped[CK_RECEIPT_GROUPED_LEN + 1];
        ck_receipt_group(json_string_value(json_object_get(p, "receipt")), grouped);
        printf("parked %s %s: %s\n", grouped,
               json_string_value(json_object_get(p, "service_code")),
               json_string_value(json_object_get(p, "message")));
    }
    if (s.parked)
        printf("fix what the city refused, then: kioskctl retry RECEIPT\n");
    json_decref(parked);
    return 0;
}

int main(int argc, char **argv)
{
    const char *data_dir = NULL, *cmd = NULL, *arg = NULL, *arg2 = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc)
            data_dir = argv[++i];
        else if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (strcmp(argv[i], "--help") == 0)
            return usage(stdout), 0;
        else if (!cmd && argv[i][0] != '-')
            cmd = argv[i];
        else if (cmd && !arg && argv[i][0] != '-')
            arg = argv[i];
        else if (cmd && !arg2 && argv[i][0] != '-' && strcmp(cmd, "validate-bundle") == 0)
            arg2 = argv[i];
        else
            return fprintf(stderr, "kioskctl: unexpected %s\n", argv[i]), usage(stderr), 2;
    }
    if (cmd && strcmp(cmd, "pin-hash") == 0) {
        /* From stdin, so the PIN is in no shell history or process list. */
        char pin[64] = "", hash[256], err[CK_ERR_LEN];
        if (!fgets(pin, sizeof pin, stdin))
            return fprintf(stderr, "kioskctl: pin-hash reads the PIN from stdin\n"), 2;
        pin[strcspn(pin, "\r\n")] = '\0';
        enum ck_err rc = ck_config_pin_hash(pin, hash, sizeof hash, err, sizeof err);
        explicit_bzero(pin, sizeof pin);
        if (rc)
            return fprintf(stderr, "kioskctl: %s\n", err), 1;
        printf("%s\n", hash);
        return 0;
    }
    if (cmd && strcmp(cmd, "validate-bundle") == 0) {
        const char *bundle = arg, *base = arg2;
        if (!bundle)
            return fprintf(stderr, "kioskctl: validate-bundle needs a bundle file\n"), 2;
        char err[CK_ERR_LEN];
        if (ck_bundle_check(bundle, base, err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        printf("%s: every setting and file is valid%s%s\n", bundle, base ? " over " : "",
               base ? base : "");
        return 0;
    }
    bool needs_code = cmd && (strcmp(cmd, "retry") == 0 || strcmp(cmd, "reprint") == 0);
    if (!cmd || (strcmp(cmd, "requests") != 0 && strcmp(cmd, "status") != 0 && !needs_code))
        return usage(stderr), 2;
    char code[CK_RECEIPT_LEN + 1];
    if (needs_code && (!arg || ck_receipt_parse(arg, code) != CK_RECEIPT_OK))
        return fprintf(stderr, "kioskctl: %s needs a valid receipt code\n", cmd), 2;
    char dir[4096], path[4200], err[CK_ERR_LEN];
    if (data_dir)
        snprintf(dir, sizeof dir, "%s", data_dir);
    else
        ck_fs_default_data_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/kiosk.db", dir);
    if (!ck_fs_readable(path))
        return fprintf(stderr, "kioskctl: no kiosk database at %s\n", path), 1;
    struct ck_store *st = ck_store_open(path, err, sizeof err);
    if (!st)
        return fprintf(stderr, "kioskctl: %s\n", err), 1;
    int status = 0;
    if (strcmp(cmd, "status") == 0) {
        status = show_status(st, json);
    } else if (strcmp(cmd, "retry") == 0) {
        if (ck_outbox_unpark(st, code, err, sizeof err))
            status = 1;
        else
            printf("%s queued again; the kiosk sends it within seconds\n", arg);
    } else if (strcmp(cmd, "reprint") == 0) {
        if (ck_store_ask_reprint(st, code, err, sizeof err))
            status = 1;
        else
            printf("%s: the kiosk prints it within seconds\n", arg);
    } else if (json) {
        json_t *arr = json_array();
        if (ck_store_each(st, add_json, arr, err, sizeof err))
            status = 1;
        json_t *doc = json_pack("{s:o}", "requests", arr);
        json_dumpf(doc, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(doc);
    } else {
        printf("%-13s %-15s %-25s %s\n", "RECEIPT", "STATE", "REQUESTED AT", "SERVICE");
        if (ck_store_each(st, print_row, NULL, err, sizeof err))
            status = 1;
    }
    if (status)
        fprintf(stderr, "kioskctl: %s\n", err);
    ck_store_close(st);
    return status;
}
