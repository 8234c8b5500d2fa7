/* fuzz_config.c: config bundles, their minisign signatures, and city files
 * (config/minisign.h, config/bundle.h, config/config.h).
 *
 * The input is a signature file and a message separated by the first NUL byte:
 * "<.minisig text>\0<bundle.json>". Without a NUL, the whole input is the message and the
 * signature is empty (so a plain city.json is a seed too). The signature part is also read as a
 * public key. The message is verified against two pinned keys (the fixtures' key1 and key2, so
 * the seeds signed with them get through to the trusted comment), searched for settings by line,
 * loaded as a city file through the schema table, and checked as a bundle merged over a small
 * city file. */
#include <jansson.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "config/bundle.h"
#include "config/config.h"
#include "config/minisign.h"
#include "fuzz.h"

/* tests/config/key1.pub and key2.pub, as they were when the seeds were signed. */
static const char *const PINNED[] = {
    "RWR7ORir9krPbq/+YXZfX1ktB6h/gLuobsyerSkcFGOcfyBZ7SBVbkov",
    "RWSs5TfC5/c7TUJPYhrbE7VQVGlnaqMYz/Xj/Nt2Te9z/0tSlw2kqmTG",
};

static const char BASE[] =
    "{\"city\": {\"name\": \"Fuzzville\"}, \"kiosk\": {\"id\": \"F7\"},\n"
    " \"status_url_template\": \"https://example.org/{receipt}\",\n"
    " \"services\": [{\"service_code\": \"pothole\", \"service_name\": \"Pothole\"}]}\n";

static char dir[PATH_MAX], base_path[PATH_MAX + 16], bundle_path[PATH_MAX + 16];

static void remove_dir(void)
{
    unlink(base_path);
    unlink(bundle_path);
    rmdir(dir);
}

static void write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    FUZZ_CHECK(f != NULL);
    FUZZ_CHECK(fwrite(data, 1, size, f) == size || size == 0);
    fclose(f);
}

/* Once: a scratch folder holding the base city file, in memory when there is a /dev/shm (ext4
 * flushes a rewritten file on close, which would cost most of the time); the config's warnings
 * go nowhere. */
static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(dir, sizeof dir, "%s/ck-fuzz-config-XXXXXX", tmp);
    FUZZ_CHECK(mkdtemp(dir) != NULL);
    snprintf(base_path, sizeof base_path, "%s/base.json", dir);
    snprintf(bundle_path, sizeof bundle_path, "%s/bundle.json", dir);
    write_file(base_path, BASE, strlen(BASE));
    atexit(remove_dir);
    fuzz_quiet();
}

static void signature(const uint8_t *msg, size_t len, const char *sig, size_t siglen)
{
    char err[CK_ERR_LEN], trusted[256], hex[CK_MINISIGN_KEY_ID_HEX];
    struct ck_minisign_key key, keys[2];
    if (ck_minisign_parse_key(sig, &key, err, sizeof err) == CK_OK)
        ck_minisign_key_id_hex(key.id, hex);
    for (size_t i = 0; i < 2; i++)
        FUZZ_CHECK(ck_minisign_parse_key(PINNED[i], &keys[i], err, sizeof err) == CK_OK);
    size_t which = 99;
    if (ck_minisign_verify(msg, len, sig, siglen, keys, 2, trusted, sizeof trusted, &which, err,
                           sizeof err) == CK_OK)
        FUZZ_CHECK(which < 2 && memchr(trusted, '\0', sizeof trusted));
}

static void city_file(const char *text, size_t len)
{
    /* One setting an input (the walk over a big city file is not cheap). */
    static const char *const SETTINGS[] = {"session.idle_seconds", "languages[1]",
                                           "services[0].service_code", "bundle.version"};
    int line = ck_config_line_of(text, len, SETTINGS[len % 4]);
    FUZZ_CHECK(line >= 0 && (size_t)line <= len + 1);
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    struct ck_config cfg;
    char err[CK_ERR_LEN];
    if (root && ck_config_from_json(root, "fuzz.json", dir, &cfg, err, sizeof err) == CK_OK)
        ck_config_deinit(&cfg);
    json_decref(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0])
        setup();
    const uint8_t *nul = memchr(data, '\0', size);
    size_t siglen = nul ? (size_t)(nul - data) : 0;
    const uint8_t *msg = nul ? nul + 1 : data;
    size_t len = size - (size_t)(msg - data);
    char *sig = fuzz_strndup(data, siglen);

    signature(msg, len, sig, siglen);
    city_file((const char *)msg, len);
    write_file(bundle_path, msg, len);
    char err[CK_ERR_LEN];
    ck_bundle_check(bundle_path, base_path, err, sizeof err);
    free(sig);
    return 0;
}
