/* fuzz_open311.c: Open311 replies from a server we do not control (sync/open311.h).
 *
 * Each input is parsed twice, as XML and as JSON (so the seeds are plain reply files), and every
 * tree that comes out goes through every reader the delivery worker and the catalog refresh use:
 * errors, POST and token replies, requests, datetimes, and the catalog (services list and
 * service definitions, config/config.h). */
#include <jansson.h>
#include <string.h>

#include "config/config.h"
#include "fuzz.h"
#include "sync/open311.h"

static void read_requests(const json_t *tree)
{
    struct ck_o311_request *reqs = NULL;
    size_t n = 0;
    char err[CK_ERR_LEN];
    if (ck_o311_requests(tree, "receipt_code", &reqs, &n, err, sizeof err) == CK_OK) {
        for (size_t i = 0; i < n; i++) {
            time_t t;
            ck_o311_time(reqs[i].requested_datetime, &t);
            ck_o311_time(reqs[i].updated_datetime, &t);
            FUZZ_CHECK(strlen(reqs[i].status) < sizeof reqs[i].status);
            ck_o311_request_matches(&reqs[i], "R7Q-W2B-THPM");
        }
    }
    ck_o311_requests_free(reqs, n);
}

/* The catalog refresh: a list is the services, an object one service's definition. */
static void read_catalog(const json_t *tree)
{
    struct ck_catalog cat;
    char err[CK_ERR_LEN];
    if (json_is_array(tree)) {
        if (ck_catalog_from_json(tree, NULL, &cat, err, sizeof err) == CK_OK)
            ck_catalog_free(&cat);
        return;
    }
    json_t *services =
        json_pack("[{s:s,s:s,s:b}]", "service_code", "x", "service_name", "X", "metadata", 1);
    json_t *defs = json_pack("{s:O}", "x", tree);
    if (services && defs && ck_catalog_from_json(services, defs, &cat, err, sizeof err) == CK_OK)
        ck_catalog_free(&cat);
    json_decref(defs);
    json_decref(services);
}

static void read_tree(const json_t *tree)
{
    char text[512], err[CK_ERR_LEN], id[128], tmp[64];
    ck_o311_error_text(tree, text, sizeof text);
    struct ck_o311_post_reply post;
    ck_o311_post_reply(tree, false, &post, err, sizeof err);
    ck_o311_post_reply(tree, true, &post, err, sizeof err);
    ck_o311_token_reply(tree, id, sizeof id, err, sizeof err);
    read_requests(tree);
    read_catalog(tree);
    /* The generic readers on the first item, as the worker reads a services list. */
    const json_t *first = json_is_array(tree) ? json_array_get(tree, 0) : tree;
    ck_o311_str(first, "service_code", tmp, sizeof tmp);
    ck_o311_bool(first, "metadata");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum ck_o311_format FORMATS[] = {CK_O311_XML, CK_O311_JSON};
    static bool quiet;
    if (!quiet) {
        fuzz_quiet();
        quiet = true;
    }
    for (size_t i = 0; i < sizeof FORMATS / sizeof FORMATS[0]; i++) {
        char err[CK_ERR_LEN];
        json_t *tree = ck_o311_parse((const char *)data, size, FORMATS[i], err, sizeof err);
        FUZZ_CHECK(tree || err[0]); /* a refusal always says why */
        if (tree)
            read_tree(tree);
        json_decref(tree);
    }
    /* The input as one datetime, as servers write requested_datetime. */
    char *s = fuzz_strndup(data, size < 64 ? size : 64);
    time_t t;
    ck_o311_time(s, &t);
    free(s);
    return 0;
}
