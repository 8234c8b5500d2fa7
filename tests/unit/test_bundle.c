/* test_bundle.c: config bundles that cannot be half-applied, and messages that name the line.
 *
 *   - A commit killed with SIGKILL at random moments (200 times, seeded, the seed printed)
 *     always leaves a config that loads: the old one or the new one, never neither.
 *   - ck_config_line_of finds where a setting is written; ck_bundle_check names the line.
 * Signatures, rollback, expiry and targets are tested end to end with the real minisign tool
 * in tests/integration/test_fleet.sh. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "config/bundle.h"
#include "config/config.h"
#include "platform/platform.h"

static char tmp[256];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* A city file for version v (0: the kiosk's own). */
static void city_json(char *out, size_t n, long v)
{
    snprintf(out, n,
             "{\"bundle\": {\"version\": %ld, \"expires\": \"2030-01-01T00:00:00Z\", "
             "\"targets\": {\"all\": true}},\n"
             " \"city\": {\"name\": \"Riverton v%ld\"}, \"kiosk\": {\"id\": \"R7\"},\n"
             " \"status_url_template\": \"https://example.org/{receipt}\",\n"
             " \"session\": {\"idle_seconds\": %ld},\n"
             " \"services\": [{\"service_code\": \"pothole\", \"service_name\": \"Pothole\","
             " \"type\": \"realtime\", \"metadata\": false}]}\n",
             v, v, 60 + v);
}

static void make_version_dir(const char *name, long v)
{
    char dir[512], path[600], text[600], err[CK_ERR_LEN];
    snprintf(dir, sizeof dir, "%s/config/%s", tmp, name);
    CHECK(ck_fs_mkdir_p(dir, err, sizeof err) == CK_OK);
    snprintf(path, sizeof path, "%s/city.json", dir);
    city_json(text, sizeof text, v);
    write_file(path, text);
    /* Some bulk, so the kill lands inside the commit more often. */
    for (int i = 0; i < 8; i++) {
        snprintf(path, sizeof path, "%s/filler%d", dir, i);
        write_file(path, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    }
}

/* Whatever happened, "current" names a config that loads, of version 1 or 2. */
static long running_version(void)
{
    char path[600], err[CK_ERR_LEN];
    ck_bundle_current(tmp, path, sizeof path);
    if (!*path)
        return -1;
    struct ck_config cfg;
    if (ck_config_load(path, &cfg, err, sizeof err) != CK_OK) {
        fprintf(stderr, "the config after a kill does not load: %s\n", err);
        return -1;
    }
    long v = cfg.bundle_version;
    ck_config_deinit(&cfg);
    return v;
}

static void test_commit_survives_sigkill(void)
{
    char err[CK_ERR_LEN];
    unsigned seed = (unsigned)time(NULL);
    const char *env = getenv("CK_TEST_SEED");
    if (env && *env)
        seed = (unsigned)strtoul(env, NULL, 10);
    printf("commit under SIGKILL: seed %u (CK_TEST_SEED=%u repeats it)\n", seed, seed);
    srand(seed);
    make_version_dir("v1", 1);
    CHECK(ck_bundle_set_current(tmp, 1, err, sizeof err) == CK_OK);
    int old = 0, new = 0, bad = 0;
    for (int i = 0; i < 200; i++) {
        make_version_dir("stage", 2);
        pid_t pid = fork();
        if (pid == 0) {
            char e[CK_ERR_LEN];
            _exit(ck_bundle_commit(tmp, 2, e, sizeof e) == CK_OK ? 0 : 1);
        }
        /* The fault: a kill at a random moment of the commit (not a wait for anything). */
        struct timespec ts = {0, (long)(rand() % 3000) * 1000L};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        long v = running_version();
        if (v == 1)
            old++;
        else if (v == 2)
            new++;
        else
            bad++;
        /* Back to version 1 running for the next round. */
        char path[600];
        CHECK(ck_bundle_set_current(tmp, 1, err, sizeof err) == CK_OK);
        snprintf(path, sizeof path, "%s/config/v2", tmp);
        CHECK(ck_fs_remove_tree(path, err, sizeof err) == CK_OK);
        snprintf(path, sizeof path, "%s/config/stage", tmp);
        CHECK(ck_fs_remove_tree(path, err, sizeof err) == CK_OK);
        CHECK(running_version() == 1);
    }
    printf("200 kills: %d left the old config, %d the new one, %d neither\n", old, new, bad);
    CHECK(bad == 0);
    CHECK(old + new == 200);
}

static void test_commit_keeps_one_before(void)
{
    char err[CK_ERR_LEN], path[600];
    make_version_dir("stage", 2);
    CHECK(ck_bundle_commit(tmp, 2, err, sizeof err) == CK_OK);
    make_version_dir("stage", 3);
    CHECK(ck_bundle_commit(tmp, 3, err, sizeof err) == CK_OK);
    CHECK(running_version() == 3);
    snprintf(path, sizeof path, "%s/config/v2/city.json", tmp);
    CHECK(ck_fs_readable(path)); /* the one before stays, as last known good */
    snprintf(path, sizeof path, "%s/config/v1", tmp);
    CHECK(!ck_fs_readable(path)); /* older ones go */
    CHECK(ck_bundle_set_current(tmp, 0, err, sizeof err) == CK_OK);
    ck_bundle_current(tmp, path, sizeof path);
    CHECK_STR(path, "");
}

static void test_line_of(void)
{
    const char *t = "{\n  \"city\": {\"name\": \"x\"},\n  \"session\": {\n    \"idle_seconds\": 5\n  },\n"
                    "  \"languages\": [\"en\",\n \"es\"],\n  \"s\": \"a\\\"b:c\"\n}\n";
    size_t n = strlen(t);
    CHECK(ck_config_line_of(t, n, "city.name") == 2);
    CHECK(ck_config_line_of(t, n, "session.idle_seconds") == 4);
    CHECK(ck_config_line_of(t, n, "languages[0]") == 6);
    CHECK(ck_config_line_of(t, n, "languages[1]") == 7);
    CHECK(ck_config_line_of(t, n, "s") == 8);
    CHECK(ck_config_line_of(t, n, "session.warning_seconds") == 0);
}

static void test_check_names_the_line(void)
{
    char base[600], bundle[600], text[600], err[CK_ERR_LEN];
    snprintf(base, sizeof base, "%s/base.json", tmp);
    city_json(text, sizeof text, 0);
    write_file(base, text);
    snprintf(bundle, sizeof bundle, "%s/bundle.json", tmp);
    write_file(bundle, "{\"bundle\": {\"version\": 4, \"expires\": \"2030-01-01T00:00:00Z\",\n"
                       "            \"targets\": {\"all\": true}},\n"
                       " \"session\": {\n"
                       "   \"idle_seconds\": 5}}\n");
    CHECK(ck_bundle_check(bundle, base, err, sizeof err) == CK_ERR_CONFIG);
    CHECK(strstr(err, "bundle.json:4: session.idle_seconds: 5 is outside 15..900") != NULL);
    write_file(bundle, "{\"bundle\": {\"version\": 4, \"expires\": \"soon\",\n"
                       "            \"targets\": {\"all\": true}}}\n");
    CHECK(ck_bundle_check(bundle, base, err, sizeof err) == CK_ERR_CONFIG);
    CHECK(strstr(err, "bundle.expires") != NULL);
    write_file(bundle, "{\"bundle\": {\"version\": 4, \"expires\": \"2030-01-01T00:00:00Z\",\n"
                       " \"targets\": {\"all\": true}}, \"kiosk\": {\"id\": \"Q1\"}}\n");
    CHECK(ck_bundle_check(bundle, base, err, sizeof err) == CK_ERR_CONFIG);
    CHECK(strstr(err, "kiosk: a bundle may not set") != NULL);
    write_file(bundle, "{\"bundle\": {\"version\": 4, \"expires\": \"2030-01-01T00:00:00Z\",\n"
                       " \"targets\": {\"all\": true}},\n \"files\": {\"../etc/passwd\": {\"base64\": \"eA==\"}}}\n");
    CHECK(ck_bundle_check(bundle, base, err, sizeof err) == CK_ERR_CONFIG);
    CHECK(strstr(err, "not a file a bundle may carry") != NULL);
    write_file(bundle, "{\"bundle\": {\"version\": 4, \"expires\": \"2030-01-01T00:00:00Z\",\n"
                       " \"targets\": {\"all\": true}},\n \"files\": {\"logo.svg\": {\"base64\": \"%%%\"}}}\n");
    CHECK(ck_bundle_check(bundle, base, err, sizeof err) == CK_ERR_CONFIG);
    CHECK(strstr(err, "files.logo.svg: not valid base64") != NULL);
    write_file(bundle, "{\"bundle\": {\"version\": 4, \"expires\": \"2030-01-01T00:00:00Z\",\n"
                       " \"targets\": {\"all\": true}}, \"session\": {\"idle_seconds\": 90}}\n");
    CHECK(ck_bundle_check(bundle, base, err, sizeof err) == CK_OK);
    /* A city's colour must keep white text readable. */
    write_file(bundle, "{\"bundle\": {\"version\": 4, \"expires\": \"2030-01-01T00:00:00Z\",\n"
                       " \"targets\": {\"all\": true}},\n \"branding\": {\"header\": \"#FFFF00\"}}\n");
    CHECK(ck_bundle_check(bundle, base, err, sizeof err) == CK_ERR_CONFIG);
    CHECK(strstr(err, "bundle.json:3: branding.header: white text on #FFFF00 has a contrast of 1.1:1") != NULL);
    /* Opening hours: checked, and asked. */
    write_file(bundle, "{\"bundle\": {\"version\": 4, \"expires\": \"2030-01-01T00:00:00Z\",\n"
                       " \"targets\": {\"all\": true}},\n \"hours\": {\"open\": [[\"tue\", \"17:00\", \"10:00\"]]}}\n");
    CHECK(ck_bundle_check(bundle, base, err, sizeof err) == CK_ERR_CONFIG);
    CHECK(strstr(err, "hours.open[0]") != NULL);
    write_file(bundle, "{\"bundle\": {\"version\": 4,, }\n");
    CHECK(ck_bundle_check(bundle, base, err, sizeof err) == CK_ERR_PARSE);
    CHECK(strstr(err, "bundle.json:1:") != NULL);
}

static void test_hours(void)
{
    struct ck_config cfg = {0};
    CHECK(ck_config_open_at(&cfg, 0)); /* no hours: always open */
    cfg.hours[0] = (struct ck_hours_range){2, 10 * 60, 17 * 60}; /* Tuesday 10:00-17:00 */
    cfg.nhours = 1;
    setenv("TZ", "UTC", 1);
    tzset();
    long tue_0900 = 1795510800L; /* 2026-11-24, a Tuesday, 09:00 UTC */
    CHECK(!ck_config_open_at(&cfg, tue_0900));                       /* 09:00 */
    CHECK(ck_config_open_at(&cfg, tue_0900 + 3600));                 /* 10:00 */
    CHECK(ck_config_open_at(&cfg, tue_0900 + 8 * 3600 - 60));        /* 16:59 */
    CHECK(!ck_config_open_at(&cfg, tue_0900 + 8 * 3600));            /* 17:00 */
    CHECK(!ck_config_open_at(&cfg, tue_0900 + 24 * 3600 + 3600));    /* Wednesday 10:00 */
}

int main(void)
{
    test_hours();
    snprintf(tmp, sizeof tmp, "/tmp/ck-test-bundle-XXXXXX");
    if (!mkdtemp(tmp))
        return perror("mkdtemp"), 1;
    test_line_of();
    test_check_names_the_line();
    test_commit_survives_sigkill();
    test_commit_keeps_one_before();
    char err[CK_ERR_LEN];
    ck_fs_remove_tree(tmp, err, sizeof err);
    return ck_check_report();
}
