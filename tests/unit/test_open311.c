/* Open311 replies as real servers send them (tests/protocol/replies, one file per case): the ids,
 * codes, names, booleans and error texts the kiosk reads out of them, and hostile replies
 * refused with a reason instead of a crash. Run under ASan; fixtures are found through
 * CK_SOURCE_DIR (set by ctest). */
#ifndef _GNU_SOURCE /* the build defines it; opendir needs POSIX otherwise */
#define _POSIX_C_SOURCE 200809L
#endif

#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <time.h>

#include "check.h"
#include "core/clock.h"
#include "core/utf8.h"
#include "sync/open311.h"

static char dir[1024];

static char *slurp(const char *name, size_t *len)
{
    char path[1400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(n > 0 ? (size_t)n : 1);
    *len = buf ? fread(buf, 1, (size_t)n, f) : 0;
    fclose(f);
    return buf;
}

static enum ck_o311_format fmt_of(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".json") == 0 ? CK_O311_JSON : CK_O311_XML;
}

/* Parses a fixture; err receives the reason on failure. */
static json_t *load(const char *name, char *err, size_t errlen)
{
    size_t len = 0;
    char *body = slurp(name, &len);
    if (!body) {
        ck_fail(err, errlen, CK_ERR_IO, "missing fixture %s", name);
        return NULL;
    }
    json_t *t = ck_o311_parse(body, len, fmt_of(name), err, errlen);
    free(body);
    return t;
}

static json_t *must_load(const char *name)
{
    char err[CK_ERR_LEN] = "";
    json_t *t = load(name, err, sizeof err);
    if (!t)
        fprintf(stderr, "%s: %s\n", name, err);
    CHECK(t != NULL);
    return t;
}

static const char *str_at(const json_t *arr, size_t i, const char *key)
{
    static char tmp[64];
    return ck_o311_str(json_array_get(arr, i), key, tmp, sizeof tmp);
}

#define CHECK_CONTAINS(hay, needle)                                                                \
    do {                                                                                           \
        const char *h_ = (hay);                                                                    \
        if (h_ && strstr(h_, needle)) {                                                            \
            ck_checks_passed++;                                                                    \
        } else {                                                                                   \
            ck_checks_failed++;                                                                    \
            fprintf(stderr, "%s:%d: \"%s\" lacks \"%s\"\n", __FILE__, __LINE__,                    \
                    h_ ? h_ : "(null)", needle);                                                   \
        }                                                                                          \
    } while (0)

static void test_names(void)
{
    enum ck_o311_format f;
    enum ck_o311_multi m;
    CHECK_STR(ck_o311_format_ext(CK_O311_XML), "xml");
    CHECK_STR(ck_o311_format_ext(CK_O311_JSON), "json");
    CHECK(ck_o311_format_parse("json", &f) && f == CK_O311_JSON);
    CHECK(ck_o311_format_parse("xml", &f) && f == CK_O311_XML);
    CHECK(!ck_o311_format_parse("yaml", &f) && !ck_o311_format_parse(NULL, &f));
    CHECK(ck_o311_multi_parse("brackets", &m) && m == CK_O311_MULTI_BRACKETS);
    CHECK(ck_o311_multi_parse("repeat", &m) && m == CK_O311_MULTI_REPEAT);
    CHECK(!ck_o311_multi_parse("comma", &m));
}

/* The spec's services in XML and in JSON read the same through the getters. */
static void test_spec_services(void)
{
    static const struct {
        const char *code, *name, *group;
        bool metadata;
    } want[] = {{"001", "Cans left out 24x7", "sanitation", true},
                {"002", "Construction plate shifted", "street", true},
                {"003", "Curb or curb ramp defect", "street", false}};
    const char *files[] = {"spec_services.xml", "spec_services.json"};
    for (int f = 0; f < 2; f++) {
        json_t *t = must_load(files[f]);
        CHECK(json_is_array(t) && json_array_size(t) == 3);
        for (size_t i = 0; i < 3; i++) {
            json_t *s = json_array_get(t, i);
            CHECK_STR(str_at(t, i, "service_code"), want[i].code);
            CHECK_STR(str_at(t, i, "service_name"), want[i].name);
            CHECK_STR(str_at(t, i, "group"), want[i].group);
            CHECK_STR(str_at(t, i, "type"), "realtime");
            CHECK_STR(str_at(t, i, "keywords"), "lorem, ipsum, dolor");
            CHECK(ck_o311_bool(s, "metadata") == want[i].metadata);
        }
        json_decref(t);
    }
    /* The spec's own JSON example writes "service_code":001, which is not JSON: refused with the
     * place, not misread. */
    char err[CK_ERR_LEN];
    CHECK(load("spec_services_literal.json", err, sizeof err) == NULL);
    CHECK(strncmp(err, "JSON: ", 6) == 0);
    CHECK_CONTAINS(err, "line 3");
}

static void test_city_services(void)
{
    /* San Francisco: namespaces declared on the root, descriptions ending in "\n", <keywords/>. */
    json_t *t = must_load("sf_services.xml");
    CHECK(json_array_size(t) == 4);
    CHECK_STR(str_at(t, 0, "service_code"), "001");
    CHECK_STR(str_at(t, 1, "service_code"), "018");
    CHECK_STR(str_at(t, 3, "service_code"), "379");
    CHECK_STR(str_at(t, 1, "service_name"), "Missing_Side_Sewer_Vent_Cover");
    CHECK_STR(json_string_value(json_object_get(json_array_get(t, 1), "description")),
              "The 4\" side sewer vent cover (http://bit.ly/57BlOv) is missing from the sidewalk");
    CHECK_CONTAINS(json_string_value(json_object_get(json_array_get(t, 2), "description")),
                   "be trimmed.  To check"); /* inner spacing kept verbatim */
    CHECK(str_at(t, 0, "keywords") == NULL);
    CHECK(json_is_string(json_object_get(json_array_get(t, 0), "keywords")));
    CHECK(!ck_o311_bool(json_array_get(t, 0), "metadata"));
    CHECK(json_object_get(t, "xmlns:m") == NULL && json_object_size(json_array_get(t, 0)) == 7);
    json_decref(t);

    /* Prefixed element names read by their local name. */
    t = must_load("ns_prefixed_services.xml");
    CHECK(json_array_size(t) == 1);
    CHECK_STR(str_at(t, 0, "service_code"), "021");
    CHECK_STR(str_at(t, 0, "service_name"), "Pavement_Defect");
    CHECK_STR(str_at(t, 0, "group"), "Street Defects");
    json_decref(t);

    /* Gießen: <services is_array="true">, umlauts, empty descriptions. */
    t = must_load("giessen_services.xml");
    CHECK(json_is_array(t) && json_array_size(t) == 6);
    CHECK_STR(str_at(t, 0, "service_code"), "015");
    CHECK_STR(str_at(t, 2, "service_name"), "Verkehrsschild beschädigt");
    CHECK_STR(str_at(t, 3, "service_name"), "Straßen- und Gehwegschäden");
    CHECK_STR(str_at(t, 4, "service_name"), "Wilde Müllkippe, Sperrmüll");
    CHECK_STR(str_at(t, 5, "service_name"), "Grünflächen und Spielplätze");
    CHECK(str_at(t, 0, "description") == NULL);
    json_decref(t);

    /* mySociety: booleans as the strings "true"/"false"/"True". */
    t = must_load("mysociety_services.json");
    CHECK(json_array_size(t) == 3);
    CHECK(ck_o311_bool(json_array_get(t, 0), "metadata"));
    CHECK(!ck_o311_bool(json_array_get(t, 1), "metadata"));
    CHECK(ck_o311_bool(json_array_get(t, 2), "metadata"));
    CHECK_STR(str_at(t, 2, "type"), "batch");
    CHECK(str_at(t, 2, "keywords") == NULL);
    json_decref(t);

    /* Boston-shaped services wrapped in {"services": [...]}: unwrapped, paging dropped. */
    t = must_load("boston_services_wrapped.json");
    CHECK(json_is_array(t) && json_array_size(t) == 2);
    CHECK_STR(str_at(t, 0, "service_code"), "4f38920fe75084437f0001b3");
    CHECK_STR(str_at(t, 0, "service_name"), "Illegal Graffiti");
    CHECK(ck_o311_bool(json_array_get(t, 0), "metadata"));  /* "True" */
    CHECK(!ck_o311_bool(json_array_get(t, 1), "metadata")); /* "False" */
    CHECK_STR(str_at(t, 0, "version"), "1");
    json_decref(t);
}

static void check_dmv66(const json_t *t, size_t nattrs)
{
    char tmp[64];
    CHECK(json_is_object(t));
    CHECK_STR(ck_o311_str(t, "service_code", tmp, sizeof tmp), "DMV66");
    json_t *attrs = json_object_get(t, "attributes");
    CHECK(json_is_array(attrs) && json_array_size(attrs) == nattrs);
    json_t *a = json_array_get(attrs, 0);
    CHECK_STR(ck_o311_str(a, "code", tmp, sizeof tmp), "WHISHETN");
    CHECK_STR(ck_o311_str(a, "datatype", tmp, sizeof tmp), "singlevaluelist");
    CHECK(ck_o311_bool(a, "variable") && ck_o311_bool(a, "required"));
    CHECK_STR(ck_o311_str(a, "order", tmp, sizeof tmp), "1");
    CHECK(ck_o311_str(a, "datatype_description", tmp, sizeof tmp) == NULL);
    CHECK_STR(ck_o311_str(a, "description", tmp, sizeof tmp), "What is the ticket/tag/DL number?");
    json_t *values = json_object_get(a, "values");
    CHECK(json_is_array(values) && json_array_size(values) == 2);
    CHECK_STR(str_at(values, 0, "key"), "123");
    CHECK_STR(str_at(values, 0, "name"), "Ford");
    CHECK_STR(str_at(values, 1, "key"), "124");
    CHECK_STR(str_at(values, 1, "name"), "Chrysler");
}

static void test_definitions(void)
{
    json_t *t = must_load("spec_service_definition.xml");
    check_dmv66(t, 1);
    json_decref(t);
    t = must_load("spec_service_definition.json"); /* "key":123 as a number */
    check_dmv66(t, 1);
    json_decref(t);
    /* <attribute> right under <service_definition>, text padded with tabs, an empty <values/>. */
    t = must_load("definition_bare_attributes.xml");
    check_dmv66(t, 2);
    json_t *a = json_array_get(json_object_get(t, "attributes"), 1);
    CHECK(!ck_o311_bool(a, "variable") && !ck_o311_bool(a, "required"));
    CHECK_STR(json_string_value(json_object_get(a, "description")),
              "Bring the ticket with you & your licence.");
    CHECK(json_is_array(json_object_get(a, "values")) &&
          json_array_size(json_object_get(a, "values")) == 0);
    json_decref(t);
    /* JSON wrapped as {"service_definition": {...}} is opened; a bare definition gets []. */
    const char *wrapped = "{\"service_definition\":{\"service_code\":\"X1\"}}";
    char err[CK_ERR_LEN];
    t = ck_o311_parse(wrapped, strlen(wrapped), CK_O311_JSON, err, sizeof err);
    CHECK(json_is_object(t) && json_is_array(json_object_get(t, "attributes")));
    CHECK_STR(json_string_value(json_object_get(t, "service_code")), "X1");
    json_decref(t);
    /* mySociety: "required":"true"/"false", "order":"2", values as a list. */
    t = must_load("mysociety_definition.json");
    json_t *attrs = json_object_get(t, "attributes");
    CHECK(json_array_size(attrs) == 2);
    CHECK(ck_o311_bool(json_array_get(attrs, 0), "required"));
    CHECK(!ck_o311_bool(json_array_get(attrs, 1), "required"));
    CHECK_STR(str_at(attrs, 1, "order"), "2");
    json_t *values = json_object_get(json_array_get(attrs, 1), "values");
    CHECK(json_array_size(values) == 3);
    CHECK_STR(str_at(values, 1, "key"), "circle");
    CHECK_STR(str_at(values, 1, "name"), "Circle");
    json_decref(t);
}

static void test_discovery(void)
{
    json_t *t = must_load("spec_discovery.xml");
    CHECK(json_is_object(t));
    CHECK_STR(json_string_value(json_object_get(t, "changeset")), "2011-04-05T17:48:34Z");
    CHECK_STR(json_string_value(json_object_get(t, "key_service")),
              "To get an API_KEY please visit this website:  http://apps.sfgov.org/Open311API/");
    json_t *eps = json_object_get(t, "endpoints");
    CHECK(json_is_array(eps) && json_array_size(eps) == 2);
    json_t *f0 = json_object_get(json_array_get(eps, 0), "formats");
    json_t *f1 = json_object_get(json_array_get(eps, 1), "formats");
    CHECK(json_is_array(f0) && json_array_size(f0) == 1); /* one item is still a list */
    CHECK_STR(json_string_value(json_array_get(f0, 0)), "text/xml");
    CHECK(json_array_size(f1) == 2);
    CHECK_STR(json_string_value(json_array_get(f1, 1)), "application/json");
    CHECK_STR(str_at(eps, 1, "type"), "production");
    json_decref(t);
}

static enum ck_err post(const char *file, bool blackbox, struct ck_o311_post_reply *r, char *err)
{
    json_t *t = must_load(file);
    enum ck_err rc = ck_o311_post_reply(t, blackbox, r, err, CK_ERR_LEN);
    json_decref(t);
    return rc;
}

static void test_post_replies(void)
{
    struct ck_o311_post_reply r;
    char err[CK_ERR_LEN];
    static const char notice[] =
        "The City will inspect and require the responsible party to correct within 24 hours "
        "and/or issue a Correction Notice or Notice of Violation of the Public Works Code";
    CHECK(post("spec_post_reply.xml", false, &r, err) == CK_OK);
    CHECK_STR(r.service_request_id, "293944");
    CHECK_STR(r.token, "");
    CHECK_STR(r.service_notice, notice); /* the indentation around it is gone */
    CHECK(post("spec_post_reply.json", false, &r, err) == CK_OK);
    CHECK_STR(r.service_request_id, "293944"); /* a number */
    CHECK_STR(r.service_notice, notice);

    CHECK(post("spec_post_token.xml", false, &r, err) == CK_OK);
    CHECK_STR(r.service_request_id, "");
    CHECK_STR(r.token, "12345");

    /* mySociety's first id is 0: an id, not "nothing". */
    CHECK(post("mysociety_post_reply.xml", false, &r, err) == CK_OK);
    CHECK_STR(r.service_request_id, "0");
    CHECK_STR(r.service_notice, "This is a test service");
    CHECK(post("post_reply_id_zero.json", false, &r, err) == CK_OK);
    CHECK_STR(r.service_request_id, "0");
    CHECK_STR(r.service_notice, "");

    /* Blackbox: neither id nor token is fine only when the service says so. */
    CHECK(post("blackbox_post_reply.xml", false, &r, err) == CK_ERR_PARSE);
    CHECK_CONTAINS(err, "neither a service_request_id nor a token");
    CHECK(post("blackbox_post_reply.xml", true, &r, err) == CK_OK);
    CHECK_STR(r.service_request_id, "");
    CHECK_STR(r.service_notice, "Thank you. Your report will be reviewed within 3 business days.");
    CHECK(post("empty_requests.xml", false, &r, err) == CK_ERR_PARSE);
    CHECK_CONTAINS(err, "empty");
    CHECK(post("empty_requests.xml", true, &r, err) == CK_OK);

    /* An error body (even under 200) is never a success, blackbox or not. */
    CHECK(post("errors_several.xml", true, &r, err) == CK_ERR_PARSE);
    CHECK_CONTAINS(err, "403: Invalid api_key received -- can't proceed with create_request.");
    CHECK(post("error_bare.xml", true, &r, err) == CK_ERR_PARSE);
    CHECK_CONTAINS(err, "Invalid api_key");

    /* Wrong shapes and types. */
    CHECK(post("bad_types_post_reply.json", false, &r, err) == CK_ERR_PARSE);
    CHECK_CONTAINS(err, "service_request_id is an object");
    CHECK_STR(r.service_request_id, "");
    CHECK(post("spec_services.json", false, &r, err) == CK_ERR_PARSE);
    CHECK(post("spec_discovery.xml", false, &r, err) == CK_ERR_PARSE);
    char big[400];
    snprintf(big, sizeof big, "[{\"service_request_id\":\"%0200d\"}]", 7);
    json_t *t = ck_o311_parse(big, strlen(big), CK_O311_JSON, err, sizeof err);
    CHECK(ck_o311_post_reply(t, false, &r, err, sizeof err) == CK_ERR_PARSE);
    CHECK_CONTAINS(err, "too long");
    json_decref(t);
}

static void test_tokens(void)
{
    char id[128], err[CK_ERR_LEN];
    const char *files[] = {"spec_token.xml", "spec_token.json"};
    for (int i = 0; i < 2; i++) {
        json_t *t = must_load(files[i]);
        CHECK(ck_o311_token_reply(t, id, sizeof id, err, sizeof err) == CK_OK);
        CHECK_STR(id, "638344");
        json_decref(t);
    }
    json_t *t = must_load("token_pending.json");
    strcpy(id, "stale");
    CHECK(ck_o311_token_reply(t, id, sizeof id, err, sizeof err) == CK_OK);
    CHECK_STR(id, "");
    json_decref(t);
    t = must_load("empty_requests.xml");
    CHECK(ck_o311_token_reply(t, id, sizeof id, err, sizeof err) == CK_OK && id[0] == '\0');
    json_decref(t);
    t = must_load("spec_services.xml");
    CHECK(ck_o311_token_reply(t, id, sizeof id, err, sizeof err) == CK_ERR_PARSE);
    CHECK_CONTAINS(err, "neither a token nor a service_request_id");
    json_decref(t);
    t = must_load("error_not_found.json");
    CHECK(ck_o311_token_reply(t, id, sizeof id, err, sizeof err) == CK_ERR_PARSE);
    CHECK_CONTAINS(err, "404: Resource not found");
    json_decref(t);
    t = must_load("spec_token.xml");
    char small[4];
    CHECK(ck_o311_token_reply(t, small, sizeof small, err, sizeof err) == CK_ERR_PARSE);
    CHECK_CONTAINS(err, "too long");
    json_decref(t);
}

static struct ck_o311_request *reqs(const char *file, const char *code, size_t *n)
{
    char err[CK_ERR_LEN] = "";
    struct ck_o311_request *r = NULL;
    json_t *t = must_load(file);
    enum ck_err rc = ck_o311_requests(t, code, &r, n, err, sizeof err);
    if (rc)
        fprintf(stderr, "%s: %s\n", file, err);
    CHECK(rc == CK_OK);
    json_decref(t);
    return r;
}

static void test_requests(void)
{
    size_t n;
    struct ck_o311_request *r = reqs("spec_requests.xml", NULL, &n);
    CHECK(n == 2);
    CHECK_STR(r[0].service_request_id, "638344");
    CHECK_STR(r[0].status, "closed");
    CHECK_STR(r[0].status_notes, "Duplicate request.");
    CHECK_STR(r[0].service_code, "006");
    CHECK(r[0].description == NULL && r[0].receipt_attr == NULL);
    CHECK_STR(r[0].requested_datetime, "2010-04-14T06:37:38-08:00");
    CHECK_STR(r[1].service_request_id, "638349");
    CHECK_STR(r[1].status, "open");
    CHECK_STR(r[1].status_notes, "");
    ck_o311_requests_free(r, n);

    r = reqs("numeric_requests.json", NULL, &n); /* ids and codes as numbers */
    CHECK(n == 2);
    CHECK_STR(r[0].service_request_id, "638344");
    CHECK_STR(r[0].service_code, "6");
    CHECK_STR(r[1].service_request_id, "638349");
    CHECK_STR(r[1].status_notes, "");
    ck_o311_requests_free(r, n);

    /* Chicago: 24-hex codes; two items with neither id nor token are dropped; a token-only item
     * (batch, not yet assigned) is kept; a datetime without a zone. */
    r = reqs("chicago_requests.json", NULL, &n);
    CHECK(n == 3);
    CHECK_STR(r[0].service_request_id, "14-01100669");
    CHECK_STR(r[0].service_code, "4ffa9cad6018277d4000007b");
    CHECK_STR(r[1].service_request_id, "14-01100627");
    CHECK_STR(r[1].status, "closed");
    CHECK_STR(r[1].status_notes, "Locked");
    CHECK_STR(r[2].service_request_id, "");
    CHECK_STR(r[2].token, "53c1604b2bcb8d07e9002f79");
    CHECK_STR(r[2].service_code, "4fd3b167e750846744000005");
    time_t when, local;
    CHECK(ck_o311_time(r[2].requested_datetime, &when));
    struct tm tm = {.tm_year = 114,
                    .tm_mon = 6,
                    .tm_mday = 12,
                    .tm_hour = 10,
                    .tm_min = 59,
                    .tm_sec = 12,
                    .tm_isdst = -1};
    local = mktime(&tm);
    CHECK(when == local);
    ck_o311_requests_free(r, n);
    json_t *t = must_load("chicago_requests.json");
    CHECK(json_is_array(json_object_get(json_array_get(t, 0), "notes")));
    CHECK_STR(str_at(t, 0, "lat"), "41.858724777757864"); /* reals print back exactly */
    json_decref(t);

    /* Toronto: empty <updated_datetime/>, <description/>, an &amp; in the address. */
    r = reqs("toronto_request.xml", NULL, &n);
    CHECK(n == 1);
    CHECK_STR(r[0].service_request_id, "101005420892");
    CHECK_STR(r[0].service_code, "CSROWR-12");
    CHECK_STR(r[0].updated_datetime, "");
    CHECK(r[0].description == NULL);
    CHECK_STR(r[0].status_notes, "In progress - The request has been scheduled.");
    ck_o311_requests_free(r, n);
    t = must_load("toronto_request.xml");
    CHECK_STR(str_at(t, 0, "address"), "Warden Ave & Freeman St, Scarborough");
    CHECK(str_at(t, 0, "updated_datetime") == NULL);
    json_decref(t);

    /* One object where the list belongs, in JSON and in XML; "Open" read as "open". */
    t = must_load("single_object_request.json");
    CHECK(json_is_array(t) && json_array_size(t) == 1);
    json_decref(t);
    r = reqs("single_object_request.json", NULL, &n);
    CHECK(n == 1);
    CHECK_STR(r[0].service_request_id, "101005420892");
    CHECK_STR(r[0].status, "open");
    ck_o311_requests_free(r, n);
    r = reqs("single_request_root.xml", NULL, &n);
    CHECK(n == 1);
    CHECK_STR(r[0].service_request_id, "101005420892");
    ck_o311_requests_free(r, n);

    /* JSON converted naively from XML: {"service_requests":{"request":[...]}}. */
    r = reqs("xmlish_requests.json", "kiosk_receipt", &n);
    CHECK(n == 2);
    CHECK_STR(r[0].service_request_id, "2026-000117");
    CHECK_STR(r[0].receipt_attr, "R7QW2BTHPM");
    CHECK_STR(r[1].status, "closed");
    ck_o311_requests_free(r, n);

    r = reqs("empty_requests.xml", NULL, &n);
    CHECK(n == 0);
    ck_o311_requests_free(r, n);

    /* Wrong types: the bad items are skipped, the good ones kept, nothing crashes. */
    r = reqs("bad_types_requests.json", NULL, &n);
    CHECK(n == 2);
    CHECK_STR(r[0].service_request_id, "5");
    CHECK_STR(r[0].status, "");
    CHECK_STR(r[0].service_code, "");
    CHECK_STR(r[0].status_notes, "");
    CHECK_STR(r[0].requested_datetime, "");
    CHECK_STR(r[0].description, "42");
    CHECK_STR(r[1].service_request_id, "6");
    ck_o311_requests_free(r, n);

    char err[CK_ERR_LEN];
    struct ck_o311_request *none = NULL;
    t = must_load("errors_several.json");
    CHECK(ck_o311_requests(t, NULL, &none, &n, err, sizeof err) == CK_ERR_PARSE);
    CHECK(none == NULL && n == 0);
    CHECK_CONTAINS(err, "400: Invalid request data");
    json_decref(t);
    t = json_string("x");
    CHECK(ck_o311_requests(t, NULL, &none, &n, err, sizeof err) == CK_ERR_PARSE);
    json_decref(t);
}

static void test_receipts(void)
{
    const char *files[] = {"requests_with_receipt.json", "requests_with_receipt.xml"};
    for (int f = 0; f < 2; f++) {
        size_t n;
        struct ck_o311_request *r = reqs(files[f], "kiosk_receipt", &n);
        CHECK(n == (f == 0 ? 4u : 3u));
        if (n < 3)
            continue;
        CHECK_STR(r[0].receipt_attr, "R7QW2BTHPM"); /* a list of {code, value} */
        CHECK(ck_o311_request_matches(&r[0], "R7Q-W2B-THPM"));
        CHECK(ck_o311_request_matches(&r[0], "r7qw2bthpm"));
        CHECK(!ck_o311_request_matches(&r[0], "K3M-9XP-Z4AE"));
        CHECK_STR(r[1].receipt_attr, "K3M-9XP-Z4AE"); /* extended_attributes as a map */
        CHECK(ck_o311_request_matches(&r[1], "K3M9XPZ4AE"));
        CHECK(r[2].receipt_attr == NULL); /* only in the description footer */
        CHECK(ck_o311_request_matches(&r[2], "A1B2C3D4E9"));
        CHECK(ck_o311_request_matches(&r[2], "A1B-2C3-D4E9"));
        CHECK(!ck_o311_request_matches(&r[2], "A1B2C3D4E8"));
        CHECK(!ck_o311_request_matches(&r[2], ""));
        if (f == 0) {
            CHECK(!ck_o311_request_matches(&r[3], "A1B2C3D4E9")); /* inside a longer word */
        } else {
            CHECK_STR(r[0].description, "Pothole <30 cm> deep by the bus stop");
            CHECK_STR(r[2].description,
                      "Broken bench & loose slats.\n\n--\nKiosk receipt: A1B-2C3-D4E9");
        }
        ck_o311_requests_free(r, n);
        r = reqs(files[f], NULL, &n);
        CHECK(r && r[0].receipt_attr == NULL && !ck_o311_request_matches(&r[0], "R7QW2BTHPM"));
        ck_o311_requests_free(r, n);
    }
}

static void check_error(const char *file, const char *want)
{
    char out[512];
    json_t *t = must_load(file);
    CHECK(ck_o311_error_text(t, out, sizeof out));
    CHECK_STR(out, want);
    json_decref(t);
}

static void test_errors(void)
{
    /* Served with HTTP 400 but the first error says 403: the body's code is what staff see. */
    check_error("errors_several.xml",
                "403: Invalid api_key received -- can't proceed with create_request.");
    check_error("errors_several.json", "400: Invalid request data: no value given for required "
                                       "entry api_key no value given for required entry lat");
    check_error("error_not_found.json", "404: Resource not found");
    check_error("errors_wrapped.json", "400: jurisdiction_id was not provided");
    check_error("error_bare.xml", "Invalid api_key received -- can't proceed with create_request.");

    char out[64], err[CK_ERR_LEN];
    const char *bodies[] = {"[{\"code\":500}]", "[{\"description\":\"CRM is down\"}]",
                            "{\"code\":\"403\",\"description\":\"bad key\"}",
                            "[{\"code\":400,\"description\":\"a\\u0007b\\r\\n\\tc\\u0085d \"}]"};
    const char *want[] = {"500", "CRM is down", "403: bad key", "400: a b c d"};
    for (int i = 0; i < 4; i++) {
        json_t *t = ck_o311_parse(bodies[i], strlen(bodies[i]), CK_O311_JSON, err, sizeof err);
        CHECK(ck_o311_error_text(t, out, sizeof out));
        CHECK_STR(out, want[i]);
        json_decref(t);
    }
    /* Clipped on a character boundary: "ü" does not fit in 10 bytes after "400: Ung". */
    const char *de = "[{\"code\":400,\"description\":\"Ungültige Straße\"}]";
    json_t *t = ck_o311_parse(de, strlen(de), CK_O311_JSON, err, sizeof err);
    CHECK(ck_o311_error_text(t, out, 10));
    CHECK_STR(out, "400: Ung");
    CHECK(ck_utf8_valid(out, strlen(out)));
    json_decref(t);

    /* Replies that are not errors. */
    const char *not_errors[] = {"spec_services.json",          "chicago_requests.json",
                                "spec_requests.xml",           "empty_requests.xml",
                                "spec_service_definition.xml", "spec_post_reply.xml",
                                "spec_discovery.xml"};
    for (size_t i = 0; i < sizeof not_errors / sizeof not_errors[0]; i++) {
        t = must_load(not_errors[i]);
        CHECK(!ck_o311_error_text(t, out, sizeof out));
        CHECK_STR(out, "");
        json_decref(t);
    }
    const char *texts = "[\"text/xml\",\"application/json\"]";
    t = ck_o311_parse(texts, strlen(texts), CK_O311_JSON, err, sizeof err);
    CHECK(!ck_o311_error_text(t, out, sizeof out));
    json_decref(t);
    CHECK(!ck_o311_error_text(NULL, out, sizeof out));
}

static void test_getters(void)
{
    const char *body =
        "[{\"s\":\"x\",\"e\":\"\",\"i\":42,\"neg\":-7,\"r\":2.5,\"t\":true,\"f\":false,"
        "\"n\":null,\"o\":{},\"a\":[],\"T\":\"True\",\"U\":\"TRUE\",\"one\":1,"
        "\"sone\":\"1\",\"yes\":\"yes\",\"zero\":0,\"sf\":\"false\"}]";
    char err[CK_ERR_LEN], tmp[32];
    json_t *t = ck_o311_parse(body, strlen(body), CK_O311_JSON, err, sizeof err);
    json_t *o = json_array_get(t, 0);
    CHECK_STR(ck_o311_str(o, "s", tmp, sizeof tmp), "x");
    CHECK(ck_o311_str(o, "e", tmp, sizeof tmp) == NULL);
    CHECK_STR(ck_o311_str(o, "i", tmp, sizeof tmp), "42");
    CHECK_STR(ck_o311_str(o, "neg", tmp, sizeof tmp), "-7");
    CHECK_STR(ck_o311_str(o, "r", tmp, sizeof tmp), "2.5");
    CHECK_STR(ck_o311_str(o, "t", tmp, sizeof tmp), "true");
    CHECK_STR(ck_o311_str(o, "f", tmp, sizeof tmp), "false");
    CHECK(ck_o311_str(o, "n", tmp, sizeof tmp) == NULL);
    CHECK(ck_o311_str(o, "o", tmp, sizeof tmp) == NULL);
    CHECK(ck_o311_str(o, "a", tmp, sizeof tmp) == NULL);
    CHECK(ck_o311_str(o, "missing", tmp, sizeof tmp) == NULL);
    CHECK(ck_o311_str(t, "s", tmp, sizeof tmp) == NULL); /* not an object */
    CHECK(ck_o311_str(NULL, "s", tmp, sizeof tmp) == NULL);
    const char *yes[] = {"t", "T", "U", "one", "sone"};
    const char *no[] = {"f", "sf", "zero", "yes", "n", "o", "missing", "e", "i"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        CHECK(ck_o311_bool(o, yes[i]));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        CHECK(!ck_o311_bool(o, no[i]));
    json_decref(t);
}

static void test_time(void)
{
    time_t t = 0;
    CHECK(ck_o311_time("2026-11-24T09:00:00-05:00", &t) && t == 1795528800);
    CHECK(ck_o311_time("2026-11-24T14:00:00Z", &t) && t == 1795528800);
    CHECK(ck_o311_time("2026-11-24T15:00:00+0100", &t) && t == 1795528800);
    CHECK(ck_o311_time("2026-11-24T15:00:00+01", &t) && t == 1795528800);
    CHECK(ck_o311_time("2026-11-24T14:00:00.123Z", &t) && t == 1795528800);
    CHECK(ck_o311_time("2026-11-24T14:00Z", &t) && t == 1795528800);
    CHECK(ck_o311_time("2026-11-24 14:00:00z", &t) && t == 1795528800);
    CHECK(ck_o311_time("2010-04-14T06:37:38-08:00", &t) && t == 1271255858);
    CHECK(ck_o311_time("2024-02-29T00:00:00Z", &t) && t == 1709164800);
    struct tm tm = {.tm_year = 126, .tm_mon = 10, .tm_mday = 24, .tm_hour = 9, .tm_isdst = -1};
    time_t local = mktime(&tm);
    CHECK(ck_o311_time("2026-11-24T09:00:00", &t) && t == local); /* no zone: local time */
    char iso[40]; /* what the kiosk itself writes reads back to the same second */
    ck_clock_iso8601(1795528800, iso, sizeof iso);
    CHECK(ck_o311_time(iso, &t) && t == 1795528800);
    const char *bad[] = {"",
                         "yesterday",
                         "2026-11-24",
                         "2026-02-29T10:00:00Z",
                         "2026-13-01T10:00:00Z",
                         "2026-11-24T24:00:00Z",
                         "2026-11-24T09:60:00Z",
                         "2026-11-24T09:00:00+05:00 junk",
                         "2026-11-24T09:00:00.Z",
                         "2026-11-24T09:00:00+5",
                         "26-11-24T09:00:00Z",
                         "2026/11/24T09:00:00Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (ck_o311_time(bad[i], &t))
            fprintf(stderr, "accepted bad time \"%s\"\n", bad[i]);
        CHECK(!ck_o311_time(bad[i], &t));
    }
    CHECK(!ck_o311_time(NULL, &t));
}

static void expect_refused(const char *file, const char *reason)
{
    char err[CK_ERR_LEN] = "";
    json_t *t = load(file, err, sizeof err);
    CHECK(t == NULL);
    CHECK_CONTAINS(err, reason);
    CHECK(strchr(err, '\n') == NULL);
    json_decref(t);
}

static json_t *parse_str(const char *s, enum ck_o311_format f, char *err)
{
    return ck_o311_parse(s, strlen(s), f, err, CK_ERR_LEN);
}

static void test_hostile(void)
{
    expect_refused("hostile_truncated.xml", "XML: ");
    expect_refused("hostile_truncated.xml", "line 15");
    expect_refused("hostile_truncated.json", "JSON: ");
    expect_refused("hostile_billion_laughs.xml", "XML: a DOCTYPE is not allowed");
    expect_refused("hostile_billion_laughs.xml", "line 2");
    expect_refused("hostile_xxe.xml", "DOCTYPE");
    expect_refused("hostile_external_dtd.xml", "DOCTYPE");
    expect_refused("hostile_undefined_entity.xml", "undefined entity");
    expect_refused("hostile_invalid_utf8.xml", "XML: invalid UTF-8 at byte 121, line 5");
    expect_refused("hostile_invalid_utf8.json", "JSON: invalid UTF-8 at byte 43, line 1");
    expect_refused("hostile_deep.xml", "XML: nesting deeper than 32");
    expect_refused("hostile_deep.json", "JSON: nesting deeper than 32");

    /* The depth limit is exactly 32 in both formats. */
    char buf[1024], err[CK_ERR_LEN];
    for (int depth = 32; depth <= 33; depth++) {
        size_t o = 0;
        for (int i = 0; i < depth; i++)
            o += (size_t)snprintf(buf + o, sizeof buf - o, "<e%d>", i);
        for (int i = depth - 1; i >= 0; i--)
            o += (size_t)snprintf(buf + o, sizeof buf - o, "</e%d>", i);
        json_t *t = parse_str(buf, CK_O311_XML, err);
        CHECK((t != NULL) == (depth == 32));
        json_decref(t);
        memset(buf, '[', (size_t)depth);
        memset(buf + depth, ']', (size_t)depth);
        buf[2 * depth] = '\0';
        t = parse_str(buf, CK_O311_JSON, err);
        CHECK((t != NULL) == (depth == 32));
        json_decref(t);
    }

    CHECK(parse_str("", CK_O311_XML, err) == NULL);
    CHECK_STR(err, "XML: empty reply");
    CHECK(parse_str(" \r\n", CK_O311_JSON, err) == NULL);
    CHECK_STR(err, "JSON: empty reply");
    CHECK(ck_o311_parse(NULL, 0, CK_O311_JSON, err, sizeof err) == NULL);
    CHECK(ck_o311_parse("[]", CK_O311_MAX_REPLY + 1u, CK_O311_JSON, err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "larger than");
    CHECK(parse_str("42", CK_O311_JSON, err) == NULL);
    CHECK(ck_o311_parse("[\"a\0b\"]", 7, CK_O311_JSON, err, sizeof err) == NULL);
    CHECK(ck_o311_parse("<a>x\0y</a>", 10, CK_O311_XML, err, sizeof err) == NULL);
    CHECK(parse_str("<a><b></a>", CK_O311_XML, err) == NULL);
    CHECK_CONTAINS(err, "mismatched tag");
    CHECK(parse_str("<a/><b/>", CK_O311_XML, err) == NULL);
    CHECK(parse_str("[1] [2]", CK_O311_JSON, err) == NULL);
    /* A leading newline before the XML declaration (common from PHP) is forgiven, and errors
     * still name the right line. */
    json_t *t = parse_str("\n<?xml version=\"1.0\"?><errors/>", CK_O311_XML, err);
    CHECK(json_is_array(t) && json_array_size(t) == 0);
    json_decref(t);
    CHECK(parse_str("\n\n<?xml version=\"1.0\"?>\n<errors>", CK_O311_XML, err) == NULL);
    CHECK_CONTAINS(err, "at line 4");
    /* A UTF-8 byte order mark is skipped in both formats. */
    t = parse_str("\xEF\xBB\xBF[{\"code\":400,\"description\":\"x\"}]", CK_O311_JSON, err);
    CHECK(json_array_size(t) == 1);
    json_decref(t);
    t = parse_str("\xEF\xBB\xBF<?xml version=\"1.0\"?><errors/>", CK_O311_XML, err);
    CHECK(json_is_array(t));
    json_decref(t);
    /* A document that declares Latin-1 is read as Latin-1, not refused as bad UTF-8. */
    t = parse_str("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><services><service>"
                  "<service_name>Stra\xdf"
                  "e</service_name></service></services>",
                  CK_O311_XML, err);
    CHECK_STR(str_at(t, 0, "service_name"), "Straße");
    json_decref(t);
    /* A caller without an error buffer is fine, and a tiny one is not overrun. */
    CHECK(parse_str("<a>", CK_O311_XML, NULL) == NULL);
    CHECK(ck_o311_parse("<a>", 3, CK_O311_XML, NULL, 0) == NULL);
    char tiny[6];
    CHECK(ck_o311_parse("<a>", 3, CK_O311_XML, tiny, sizeof tiny) == NULL);
    CHECK_STR(tiny, "XML: ");
}

/* Every reader on any tree: must not crash whatever the tree is. */
static void read_everything(const json_t *t)
{
    struct ck_o311_post_reply pr;
    struct ck_o311_request *r = NULL;
    char id[128], out[256], err[CK_ERR_LEN], tmp[64];
    size_t n = 0;
    ck_o311_post_reply(t, false, &pr, err, sizeof err);
    ck_o311_post_reply(t, true, &pr, err, sizeof err);
    ck_o311_token_reply(t, id, sizeof id, err, sizeof err);
    ck_o311_error_text(t, out, sizeof out);
    if (ck_o311_requests(t, "kiosk_receipt", &r, &n, err, sizeof err) == CK_OK) {
        for (size_t i = 0; i < n; i++)
            ck_o311_request_matches(&r[i], "R7Q-W2B-THPM");
        ck_o311_requests_free(r, n);
    }
    const json_t *first = json_is_array(t) ? json_array_get(t, 0) : t;
    ck_o311_str(first, "service_code", tmp, sizeof tmp);
    ck_o311_bool(first, "metadata");
}

/* Every fixture parses or is refused as its name says; every fixture cut at every 7th byte, and
 * read in the wrong format, parses or fails cleanly. Each cut is copied into a buffer of exactly
 * its size so ASan sees any read past the end. */
static void test_all_fixtures(void)
{
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d)
        return;
    int files = 0, cuts = 0, failed_cleanly = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *name = e->d_name;
        if (name[0] == '.')
            continue;
        files++;
        size_t len;
        char *body = slurp(name, &len);
        if (!body)
            continue;
        char err[CK_ERR_LEN] = "";
        enum ck_o311_format f = fmt_of(name);
        json_t *t = ck_o311_parse(body, len, f, err, sizeof err);
        bool refused =
            strncmp(name, "hostile_", 8) == 0 || strcmp(name, "spec_services_literal.json") == 0;
        if ((t == NULL) != refused)
            fprintf(stderr, "%s: %s\n", name, t ? "parsed but should be refused" : err);
        CHECK((t == NULL) == refused);
        CHECK(t || err[0]);
        if (t)
            read_everything(t);
        json_decref(t);
        for (size_t cut = 0; cut <= len; cut += 7) {
            char *part = malloc(cut ? cut : 1);
            memcpy(part, body, cut);
            err[0] = '\0';
            t = ck_o311_parse(part, cut, f, err, sizeof err);
            if (t) {
                read_everything(t);
            } else {
                failed_cleanly += err[0] != '\0';
                CHECK(err[0] != '\0');
            }
            json_decref(t);
            t = ck_o311_parse(part, cut, f == CK_O311_XML ? CK_O311_JSON : CK_O311_XML, err,
                              sizeof err);
            if (t)
                read_everything(t);
            json_decref(t);
            free(part);
            cuts++;
        }
        free(body);
    }
    closedir(d);
    CHECK(files >= 40);
    printf("fixtures: %d files, %d cuts, %d refused with a reason\n", files, cuts, failed_cleanly);
}

int main(void)
{
    const char *src = getenv("CK_SOURCE_DIR");
#ifdef CK_SOURCE_DIR /* the build's own source path, for running the binary by hand */
    if (!src)
        src = CK_SOURCE_DIR;
#endif
    snprintf(dir, sizeof dir, "%s/tests/protocol/replies", src ? src : ".");
    test_names();
    test_spec_services();
    test_city_services();
    test_definitions();
    test_discovery();
    test_post_replies();
    test_tokens();
    test_requests();
    test_receipts();
    test_errors();
    test_getters();
    test_time();
    test_hostile();
    test_all_fixtures();
    return ck_check_report();
}
