/* The city file and its catalog: the demo city loads with every Open311 datatype; real-world
 * quirks are tolerated; broken files get a message that says where and why. */
#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "config/config.h"

static char dir[] = "/tmp/ck-test-config-XXXXXX";

static enum ck_err load_text(const char *text, size_t len, struct ck_config *cfg, char *err,
                             size_t errlen)
{
    char path[256];
    snprintf(path, sizeof path, "%s/city.json", dir);
    FILE *f = fopen(path, "wb");
    fwrite(text, 1, len, f);
    fclose(f);
    return ck_config_load(path, cfg, err, errlen);
}

#define BASE "\"city\":{\"name\":\"Testville\"},\"kiosk\":{\"id\":\"T3\"}," \
             "\"status_url_template\":\"http://x/status/{receipt}\""

/* The staff PIN: checked against its crypto_pwhash hash; wrong ones lock entry for longer
 * and longer. */
static void test_staff_pin(void)
{
    char hash[256], err[CK_ERR_LEN];
    CHECK(ck_config_pin_hash("246810", hash, sizeof hash, err, sizeof err) == CK_OK);
    CHECK(strncmp(hash, "$argon2id$", 10) == 0);
    CHECK(ck_config_pin_hash("12345", hash, sizeof hash, err, sizeof err) == CK_ERR_INVALID);
    CHECK(ck_config_pin_hash("12345a", hash, sizeof hash, err, sizeof err) == CK_ERR_INVALID);
    CHECK(ck_config_pin_hash("246810", hash, sizeof hash, err, sizeof err) == CK_OK);
    struct ck_config cfg = {0};
    cfg.staff_pin_hash = hash;
    CHECK(ck_config_pin_matches(&cfg, "246810"));
    CHECK(!ck_config_pin_matches(&cfg, "246811"));
    CHECK(!ck_config_pin_matches(&cfg, ""));
    cfg.staff_pin_hash = "";
    CHECK(!ck_config_pin_matches(&cfg, "246810")); /* no PIN set: nobody gets in */
    CHECK(ck_config_pin_lockout_seconds(1) == 0 && ck_config_pin_lockout_seconds(2) == 0);
    CHECK(ck_config_pin_lockout_seconds(3) == 30);
    CHECK(ck_config_pin_lockout_seconds(4) == 60);
    CHECK(ck_config_pin_lockout_seconds(5) == 120);
    CHECK(ck_config_pin_lockout_seconds(20) == 3600);
    CHECK(ck_config_pin_lockout_seconds(1000) == 3600);
}

int main(void)
{
    test_staff_pin();
    char err[CK_ERR_LEN], path[512];
    CHECK(mkdtemp(dir) != NULL);
    const char *src = getenv("CK_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/assets/demo/city.json", src ? src : ".");

    /* the demo city */
    struct ck_config cfg;
    CHECK(ck_config_load(path, &cfg, err, sizeof err) == CK_OK);
    CHECK(cfg.catalog.n >= 12);
    bool seen[6] = {0};
    size_t groups = 0;
    const char *g[32];
    groups = ck_catalog_groups(&cfg.catalog, g, 32);
    CHECK(groups >= 3);
    for (size_t i = 0; i < cfg.catalog.n; i++)
        for (size_t j = 0; j < cfg.catalog.services[i].nattrs; j++)
            seen[cfg.catalog.services[i].attrs[j].datatype] = true;
    for (int d = 0; d < 6; d++)
        CHECK(seen[d]);
    CHECK(cfg.idle_seconds == 60 && cfg.warning_seconds == 20);
    CHECK_STR(cfg.kiosk_id, "R7");
    char url[256];
    ck_config_status_url(&cfg, "R7KM3QX9PZ", url, sizeof url);
    CHECK(strstr(url, "/status/R7KM3QX9PZ") != NULL);
    const struct ck_service *pothole = ck_catalog_find(&cfg.catalog, "pothole");
    CHECK(pothole && pothole->nattrs > 0);
    for (size_t j = 1; pothole && j < pothole->nattrs; j++) /* attributes in their order */
        CHECK(pothole->attrs[j - 1].order <= pothole->attrs[j].order);
    ck_config_deinit(&cfg);

    /* quirks of real servers: numeric codes, "True", no group, unordered attributes */
    const char *quirky = "{" BASE ",\"services\":[{\"service_code\":101,\"service_name\":\"Pothole\","
                         "\"metadata\":\"True\",\"type\":\"realtime\"}],"
                         "\"definitions\":{\"101\":{\"attributes\":["
                         "{\"code\":\"b\",\"datatype\":\"number\",\"order\":\"2\",\"required\":\"true\",\"description\":\"B?\"},"
                         "{\"code\":7,\"datatype\":\"singlevaluelist\",\"order\":1,\"required\":false,"
                         "\"description\":\"A?\",\"values\":[{\"key\":1,\"name\":\"One\"},{\"key\":\"2\",\"name\":\"\"}]}]}}}";
    CHECK(load_text(quirky, strlen(quirky), &cfg, err, sizeof err) == CK_OK);
    CHECK(cfg.catalog.n == 1);
    if (cfg.catalog.n == 1) {
        struct ck_service *s = &cfg.catalog.services[0];
        CHECK_STR(s->code, "101");
        CHECK_STR(s->group, "");
        CHECK(s->metadata && s->nattrs == 2);
        if (s->nattrs == 2) {
            CHECK_STR(s->attrs[0].code, "7");
            CHECK(s->attrs[1].required);
            CHECK_STR(s->attrs[0].values[0].key, "1");
            CHECK_STR(s->attrs[0].values[1].name, "2"); /* a missing name shows the key */
        }
    }
    ck_config_deinit(&cfg);

    /* a catalog with no services loads: residents can still check requests */
    const char *empty = "{" BASE ",\"services\":[]}";
    CHECK(load_text(empty, strlen(empty), &cfg, err, sizeof err) == CK_OK);
    CHECK(cfg.catalog.n == 0);
    ck_config_deinit(&cfg);

    /* invalid UTF-8 is refused with the line and the reason */
    const char bad_utf8[] = "{" BASE ",\n\"services\":[{\"service_code\":\"x\",\"service_name\":\"Bad \xff\"}]}";
    CHECK(load_text(bad_utf8, sizeof bad_utf8 - 1, &cfg, err, sizeof err) == CK_ERR_PARSE);
    CHECK(strstr(err, ":2:") != NULL);
    CHECK(strstr(err, "UTF-8") != NULL || strstr(err, "decode") != NULL);

    /* settings out of bounds, missing, or malformed */
    const char *idle = "{" BASE ",\"session\":{\"idle_seconds\":2},\"services\":[]}";
    CHECK(load_text(idle, strlen(idle), &cfg, err, sizeof err) == CK_ERR_CONFIG);
    CHECK(strstr(err, "session.idle_seconds") != NULL);
    const char *noname = "{\"kiosk\":{\"id\":\"T3\"},\"status_url_template\":\"http://x/{receipt}\"}";
    CHECK(load_text(noname, strlen(noname), &cfg, err, sizeof err) == CK_ERR_CONFIG);
    CHECK(strstr(err, "city.name") != NULL);
    const char *badid = "{\"city\":{\"name\":\"T\"},\"kiosk\":{\"id\":\"UU\"},\"status_url_template\":\"http://x/{receipt}\"}";
    CHECK(load_text(badid, strlen(badid), &cfg, err, sizeof err) == CK_ERR_CONFIG);
    CHECK(strstr(err, "kiosk.id") != NULL);
    const char *dup = "{" BASE ",\"services\":[{\"service_code\":\"a\"},{\"service_code\":\"a\"}]}";
    CHECK(load_text(dup, strlen(dup), &cfg, err, sizeof err) == CK_ERR_PARSE);
    CHECK(strstr(err, "duplicate") != NULL);
    const char *nolist = "{" BASE ",\"services\":[],\"definitions\":{}}";
    CHECK(load_text(nolist, strlen(nolist), &cfg, err, sizeof err) == CK_OK);
    ck_config_deinit(&cfg);
    const char *trunc = "{" BASE ",\"services\":[";
    CHECK(load_text(trunc, strlen(trunc), &cfg, err, sizeof err) == CK_ERR_PARSE);

    /* upstream: the demo city's settings and api key */
    CHECK(ck_config_load(path, &cfg, err, sizeof err) == CK_OK);
    CHECK_STR(cfg.upstream.base_url, "http://127.0.0.1:8311/open311/v2");
    CHECK_STR(cfg.upstream.format, "xml");
    CHECK_STR(cfg.upstream.multivalue_style, "brackets");
    CHECK(cfg.upstream.api_key && strcmp(cfg.upstream.api_key, "riverton-demo-key") == 0);
    CHECK(cfg.upstream.timeout_s > cfg.upstream.connect_timeout_s);
    CHECK(cfg.gazetteer_path && strstr(cfg.gazetteer_path, "gazetteer.csv"));
    ck_config_deinit(&cfg);

    /* defaults without an upstream section: no base_url, so requests stay queued */
    const char *bare = "{" BASE ",\"services\":[]}";
    CHECK(load_text(bare, strlen(bare), &cfg, err, sizeof err) == CK_OK);
    CHECK_STR(cfg.upstream.base_url, "");
    CHECK_STR(cfg.upstream.format, "xml");
    CHECK_STR(cfg.upstream.receipt_attribute, "kiosk_receipt");
    CHECK(cfg.upstream.api_key == NULL && !cfg.require_coordinates);
    ck_config_deinit(&cfg);

    /* a trailing slash on the base URL is dropped; the key file is read and trimmed */
    char keyfile[300];
    snprintf(keyfile, sizeof keyfile, "%s/secret.key", dir);
    FILE *kf = fopen(keyfile, "w");
    fputs("s3cret-KEY\n", kf);
    fclose(kf);
    const char *up = "{" BASE ",\"upstream\":{\"base_url\":\"https://311.example/v2/\","
                     "\"format\":\"json\",\"api_key_file\":\"secret.key\"},\"services\":[]}";
    CHECK(load_text(up, strlen(up), &cfg, err, sizeof err) == CK_OK);
    CHECK_STR(cfg.upstream.base_url, "https://311.example/v2");
    CHECK_STR(cfg.upstream.api_key, "s3cret-KEY");
    ck_config_deinit(&cfg);

    /* bad upstream settings: a clear message naming the setting, never the key */
    static const struct {
        const char *json, *says;
    } BAD[] = {
        {"\"upstream\":{\"format\":\"yaml\"}", "upstream.format"},
        {"\"upstream\":{\"multivalue_style\":\"commas\"}", "upstream.multivalue_style"},
        {"\"upstream\":{\"base_url\":\"ftp://x\"}", "upstream.base_url"},
        {"\"upstream\":{\"timeout_seconds\":5,\"connect_timeout_seconds\":10}", "timeout_seconds"},
        {"\"upstream\":{\"max_in_flight\":99}", "upstream.max_in_flight"},
        {"\"upstream\":{\"api_key_file\":\"missing.key\"}", "upstream.api_key_file"},
        {"\"upstream\":{\"pinned_public_key\":\"md5//x\"}", "upstream.pinned_public_key"},
        {"\"upstream\":{\"base_url\":7}", "upstream.base_url: must be text"},
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "{" BASE ",%s,\"services\":[]}", BAD[i].json);
        CHECK(load_text(text, strlen(text), &cfg, err, sizeof err) == CK_ERR_CONFIG);
        bool says = strstr(err, BAD[i].says) != NULL;
        if (!says)
            fprintf(stderr, "bad upstream %zu: \"%s\" lacks \"%s\"\n", i, err, BAD[i].says);
        CHECK(says);
        CHECK(strstr(err, "s3cret") == NULL);
    }
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    return ck_check_report();
}
