/* kioskctl.c: the staff and test command line: what the kiosk's database holds.
 *   kioskctl --data-dir DIR requests [--json]
 * Reads only; never prints personal fields (name, email, phone). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/request.h"
#include "platform/platform.h"
#include "store/store.h"

static void usage(FILE *out)
{
    fputs("usage: kioskctl [--data-dir DIR] requests [--json]\n"
          "  requests   every request this kiosk holds, with its delivery state\n"
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

int main(int argc, char **argv)
{
    const char *data_dir = NULL, *cmd = NULL;
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
        else
            return fprintf(stderr, "kioskctl: unexpected %s\n", argv[i]), usage(stderr), 2;
    }
    if (!cmd || strcmp(cmd, "requests") != 0)
        return usage(stderr), 2;
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
    if (json) {
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
