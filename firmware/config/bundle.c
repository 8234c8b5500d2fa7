/* bundle.c: staging, checking and committing signed config bundles (bundle.h, docs/fleet.md).
 *
 * jansson parses and writes JSON, libsodium decodes base64, minisign.c verifies; every setting
 * goes through config.c's schema table. Worker thread (stage) or UI thread (commit). */
#include "config/bundle.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "config/minisign.h"
#include "core/log.h"
#include "platform/platform.h"

/* Formats a path; a path longer than PATH_MAX is cut (and then not found, which is reported). */
static void pathf(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void pathf(char *out, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, n, fmt, ap);
    va_end(ap);
}

/* "2027-03-01T00:00:00Z" to epoch seconds; -1 if it is not that form. */
static long parse_utc(const char *s)
{
    struct tm tm = {0};
    char z = 0, end = 0;
    if (!s || strlen(s) != 20 ||
        sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z, &end) != 7 ||
        z != 'Z' || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
        tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (long)timegm(&tm);
}

static bool in_list(const json_t *list, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *x = json_string_value(v);
        if (x && s && strcmp(x, s) == 0)
            return true;
    }
    return false;
}

static bool string_list(const json_t *v)
{
    if (!v)
        return true;
    if (!json_is_array(v))
        return false;
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) if (!json_is_string(x)) return false;
    return true;
}

/* The "bundle" object: version, expiry, targets, note. */
static enum ck_err read_meta(const json_t *root, const char *kiosk_id, const char *group,
                             struct ck_bundle_info *info, char *err, size_t errlen)
{
    memset(info, 0, sizeof *info);
    const json_t *b = json_object_get(root, "bundle");
    if (!json_is_object(b))
        return ck_fail(err, errlen, CK_ERR_CONFIG,
                       "bundle: missing (a bundle says its version, expiry and targets)");
    const json_t *v = json_object_get(b, "version");
    if (!json_is_integer(v) || json_integer_value(v) < 1 ||
        json_integer_value(v) > (json_int_t)1 << 52)
        return ck_fail(err, errlen, CK_ERR_CONFIG, "bundle.version: must be a whole number from 1");
    info->version = (long)json_integer_value(v);
    info->expires = parse_utc(json_string_value(json_object_get(b, "expires")));
    if (info->expires < 0)
        return ck_fail(err, errlen, CK_ERR_CONFIG,
                       "bundle.expires: must be a UTC time like \"2027-03-01T00:00:00Z\"");
    const json_t *t = json_object_get(b, "targets");
    const json_t *all = json_object_get(t, "all"), *groups = json_object_get(t, "groups"),
                 *kiosks = json_object_get(t, "kiosks");
    if (!json_is_object(t) || (all && !json_is_true(all)) || !string_list(groups) ||
        !string_list(kiosks) || (!all && !groups && !kiosks))
        return ck_fail(err, errlen, CK_ERR_CONFIG,
                       "bundle.targets: must be {\"all\": true} or {\"groups\": [...], "
                       "\"kiosks\": [...]}");
    info->for_this_kiosk = all || in_list(kiosks, kiosk_id) || (group && *group && in_list(groups, group));
    const char *note = json_string_value(json_object_get(b, "note"));
    snprintf(info->note, sizeof info->note, "%s", note ? note : "");
    if (json_object_get(root, "kiosk"))
        return ck_fail(err, errlen, CK_ERR_CONFIG,
                       "kiosk: a bundle may not set a kiosk's identity (id, group, location)");
    return CK_OK;
}

/* A file name a bundle may carry: logo.svg, logo.png, gazetteer.csv, i18n/<lang>.po. */
static bool allowed_file(const char *name)
{
    if (strcmp(name, "logo.svg") == 0 || strcmp(name, "logo.png") == 0 ||
        strcmp(name, "gazetteer.csv") == 0)
        return true;
    size_t n = strlen(name);
    if (strncmp(name, "i18n/", 5) != 0 || n < 5 + 2 + 3 || n > 5 + 7 + 3 ||
        strcmp(name + n - 3, ".po") != 0)
        return false;
    return strspn(name + 5, "abcdefghijklmnopqrstuvwxyz-") == n - 5 - 3;
}

/* Decodes one entry of "files" into a new buffer. */
static enum ck_err decode_file(const char *name, const json_t *v, unsigned char **out,
                               size_t *outlen, char *err, size_t errlen)
{
    const char *b64 = json_string_value(json_object_get(v, "base64"));
    if (!b64)
        return ck_fail(err, errlen, CK_ERR_CONFIG, "files.%s: must be {\"base64\": \"...\"}", name);
    size_t cap = strlen(b64) / 4 * 3 + 3;
    unsigned char *buf = malloc(cap ? cap : 1);
    if (!buf)
        return CK_ERR_NOMEM;
    if (sodium_init() < 0 ||
        sodium_base642bin(buf, cap, b64, strlen(b64), " \r\n", outlen, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(buf);
        return ck_fail(err, errlen, CK_ERR_CONFIG, "files.%s: not valid base64", name);
    }
    *out = buf;
    return CK_OK;
}

/* Paths in the kiosk's own config made absolute, so they still point at its files from the
 * staged folder. */
static enum ck_err absolutize(json_t *root, const char *dir)
{
    static const char *const KEYS[][2] = {
        {"city", "logo"}, {"location", "gazetteer"}, {"upstream", "ca_bundle"},
        {"upstream", "api_key_file"},
    };
    for (size_t i = 0; i < sizeof KEYS / sizeof KEYS[0]; i++) {
        json_t *sec = json_object_get(root, KEYS[i][0]);
        const char *v = json_string_value(json_object_get(sec, KEYS[i][1]));
        if (!v || !*v || v[0] == '/')
            continue;
        char abs[PATH_MAX];
        pathf(abs, sizeof abs, "%s/%s", dir, v);
        if (json_object_set_new(sec, KEYS[i][1], json_string(abs)))
            return CK_ERR_NOMEM;
    }
    return CK_OK;
}

/* The bundle's sections over a copy of the base, section by section; the catalog ("services"
 * with "definitions") as one. */
static json_t *merge(const json_t *base, const json_t *bundle)
{
    json_t *m = base ? json_deep_copy(base) : json_object();
    if (!m)
        return NULL;
    bool catalog = json_object_get(bundle, "services") || json_object_get(bundle, "definitions");
    if (catalog) {
        json_object_del(m, "services");
        json_object_del(m, "definitions");
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)bundle, key, v)
    {
        if (strcmp(key, "files") == 0)
            continue;
        if (json_object_set_new(m, key, json_deep_copy(v))) {
            json_decref(m);
            return NULL;
        }
    }
    /* The admin's catalog wins over the one the city's Open311 server lists. */
    json_t *meta = json_object_get(m, "bundle");
    if (catalog && json_is_object(meta))
        json_object_set_new(meta, "catalog", json_true());
    return m;
}

static enum ck_err mkdir_for(const char *path, char *err, size_t errlen)
{
    char dir[PATH_MAX];
    pathf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return CK_OK;
    *slash = '\0';
    return ck_fs_mkdir_p(dir, err, errlen);
}

/* The base's city translations, where the bundle brings none of its own. */
static enum ck_err copy_base_i18n(const char *base_dir, const char *stage, const json_t *files,
                                  char *err, size_t errlen)
{
    char src[PATH_MAX];
    pathf(src, sizeof src, "%s/i18n", base_dir);
    DIR *d = opendir(src);
    if (!d)
        return CK_OK;
    struct dirent *e;
    enum ck_err rc = CK_OK;
    while (!rc && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 4 || strcmp(e->d_name + n - 3, ".po") != 0)
            continue;
        char name[300];
        snprintf(name, sizeof name, "i18n/%s", e->d_name);
        if (json_object_get(files, name))
            continue;
        char from[PATH_MAX], to[PATH_MAX];
        pathf(from, sizeof from, "%s/%s", src, e->d_name);
        pathf(to, sizeof to, "%s/%s", stage, name);
        char *text = NULL;
        size_t len = 0;
        if (!(rc = ck_fs_read_all(from, 8u << 20, &text, &len, err, errlen)) &&
            !(rc = mkdir_for(to, err, errlen)))
            rc = ck_fs_write_durable(to, text, len, err, errlen);
        free(text);
    }
    closedir(d);
    return rc;
}

/* Loads the merged document through the schema table; a message about a setting gets the
 * line where the bundle writes it. */
static enum ck_err validate(const json_t *merged, const char *label, const char *dir,
                            const char *text, size_t len, char *err, size_t errlen)
{
    struct ck_config cfg;
    char detail[CK_ERR_LEN];
    enum ck_err rc = ck_config_from_json(merged, label, dir, &cfg, detail, sizeof detail);
    if (!rc) {
        ck_config_deinit(&cfg);
        return CK_OK;
    }
    char setting[128];
    size_t plen = strlen(label);
    int line = 0;
    if (strncmp(detail, label, plen) == 0 && detail[plen] == ':' &&
        sscanf(detail + plen + 1, " %127[^:]", setting) == 1)
        line = ck_config_line_of(text, len, setting);
    if (line)
        return ck_fail(err, errlen, rc, "%s:%d:%s", label, line, detail + plen + 1);
    return ck_fail(err, errlen, rc, "%s", detail);
}

/* Reads and parses the base config, with its paths made absolute. */
static json_t *load_base(const char *base_path, char *base_dir, size_t dirlen, char *err,
                         size_t errlen)
{
    char *text = NULL;
    size_t len = 0;
    if (ck_fs_read_all(base_path, CK_CONFIG_MAX_BYTES, &text, &len, err, errlen))
        return NULL;
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    free(text);
    if (!root) {
        ck_fail(err, errlen, CK_ERR_PARSE, "%s:%d:%d: %s", base_path, jerr.line, jerr.column,
                jerr.text);
        return NULL;
    }
    char tmp[PATH_MAX];
    pathf(tmp, sizeof tmp, "%s", base_path);
    pathf(base_dir, dirlen, "%s", dirname(tmp));
    if (absolutize(root, base_dir)) {
        json_decref(root);
        ck_fail(err, errlen, CK_ERR_NOMEM, "no memory");
        return NULL;
    }
    return root;
}

/* Writes the bundle's files into dir (checking their names and encoding). */
static enum ck_err write_files(const json_t *files, const char *dir, bool write, char *err,
                               size_t errlen)
{
    if (files && !json_is_object(files))
        return ck_fail(err, errlen, CK_ERR_CONFIG, "files: must be an object of name: {\"base64\": ...}");
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)files, name, v)
    {
        if (!allowed_file(name))
            return ck_fail(err, errlen, CK_ERR_CONFIG,
                           "files.%s: not a file a bundle may carry (logo.svg, logo.png, "
                           "gazetteer.csv, i18n/<language>.po)", name);
        unsigned char *data = NULL;
        size_t n = 0;
        enum ck_err rc = decode_file(name, v, &data, &n, err, errlen);
        if (!rc && write) {
            char path[PATH_MAX];
            pathf(path, sizeof path, "%s/%s", dir, name);
            if (!(rc = mkdir_for(path, err, errlen)))
                rc = ck_fs_write_durable(path, data, n, err, errlen);
        }
        free(data);
        if (rc)
            return rc;
    }
    return CK_OK;
}

/* Checks the trusted comment: exactly "civic-kiosk-bundle version=N expires=T", as in the
 * bundle. */
static enum ck_err check_comment(const char *trusted, const json_t *root,
                                 const struct ck_bundle_info *info, char *err, size_t errlen)
{
    const char *exp = json_string_value(json_object_get(json_object_get(root, "bundle"), "expires"));
    char want[160];
    snprintf(want, sizeof want, CK_BUNDLE_COMMENT_PREFIX "version=%ld expires=%s", info->version,
             exp ? exp : "");
    if (strcmp(trusted, want) != 0)
        return ck_fail(err, errlen, CK_ERR_INVALID,
                       "signature: the trusted comment \"%.80s\" does not match the bundle (it "
                       "must be \"%s\")", trusted, want);
    return CK_OK;
}

enum ck_err ck_bundle_stage(const struct ck_bundle_ctx *ctx, const uint8_t *bundle, size_t len,
                            const char *sig, size_t siglen, struct ck_bundle_info *info,
                            char *city_path, size_t pathlen, char *err, size_t errlen)
{
    memset(info, 0, sizeof *info);
    city_path[0] = '\0';
    if (len > ctx->max_bytes)
        return ck_fail(err, errlen, CK_ERR_FULL, "oversize: the bundle is %zu bytes, more than "
                       "the %zu this kiosk accepts", len, ctx->max_bytes);
    /* 1. The signature, before anything of the bundle is read. */
    struct ck_minisign_key keys[2];
    size_t nkeys = 0;
    for (size_t i = 0; i < ctx->nkeys && nkeys < 2; i++) {
        char detail[CK_ERR_LEN];
        if (ck_minisign_parse_key(ctx->public_keys[i], &keys[nkeys], detail, sizeof detail) == CK_OK)
            nkeys++;
        else
            ck_warn("bundle", "fleet.public_keys[%zu]: %s", i, detail);
    }
    char trusted[256];
    size_t which = 0;
    enum ck_err rc = ck_minisign_verify(bundle, len, sig, siglen, keys, nkeys, trusted,
                                        sizeof trusted, &which, err, errlen);
    if (rc)
        return rc;
    /* 2. What it says about itself. */
    json_error_t jerr;
    json_t *root = json_loadb((const char *)bundle, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return ck_fail(err, errlen, CK_ERR_PARSE, "bundle.json:%d:%d: %s", jerr.line,
                       jerr.column, jerr.text);
    json_t *base = NULL, *merged = NULL;
    char *text = NULL;
    char stage[PATH_MAX], base_dir[PATH_MAX], path[PATH_MAX];
    pathf(stage, sizeof stage, "%s/config/stage", ctx->data_dir);
    if (!json_is_object(root)) {
        rc = ck_fail(err, errlen, CK_ERR_CONFIG, "bundle.json: must be a JSON object");
        goto out;
    }
    if ((rc = read_meta(root, ctx->kiosk_id, ctx->group, info, err, errlen)) ||
        (rc = check_comment(trusted, root, info, err, errlen)))
        goto out;
    if (info->version <= ctx->current_version) {
        rc = ck_fail(err, errlen, CK_ERR_INVALID,
                     "rollback: version %ld is not newer than the running version %ld",
                     info->version, ctx->current_version);
        goto out;
    }
    if (info->expires <= ctx->now) {
        char when[32];
        time_t t = (time_t)info->expires;
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
        rc = ck_fail(err, errlen, CK_ERR_INVALID, "expired: bundle version %ld expired at %s",
                     info->version, when);
        goto out;
    }
    if (!info->for_this_kiosk) {
        rc = CK_ERR_NOT_FOUND;
        ck_fail(err, errlen, rc, "bundle version %ld is for other kiosks", info->version);
        goto out;
    }
    /* 3. Merged over the kiosk's own config and written out as a complete folder. */
    if (!(base = load_base(ctx->base_path, base_dir, sizeof base_dir, err, errlen))) {
        rc = CK_ERR_CONFIG;
        goto out;
    }
    if (!(merged = merge(base, root))) {
        rc = ck_fail(err, errlen, CK_ERR_NOMEM, "no memory to merge the bundle");
        goto out;
    }
    const json_t *files = json_object_get(root, "files");
    if ((rc = ck_fs_remove_tree(stage, err, errlen)) || (rc = ck_fs_mkdir_p(stage, err, errlen)) ||
        (rc = write_files(files, stage, true, err, errlen)) ||
        (rc = copy_base_i18n(base_dir, stage, files, err, errlen)))
        goto out;
    if (!(text = json_dumps(merged, JSON_INDENT(2) | JSON_ENSURE_ASCII))) {
        rc = ck_fail(err, errlen, CK_ERR_NOMEM, "no memory to write the staged config");
        goto out;
    }
    pathf(path, sizeof path, "%s/bundle.json", stage);
    if ((rc = ck_fs_write_durable(path, bundle, len, err, errlen)))
        goto out;
    pathf(path, sizeof path, "%s/bundle.json.minisig", stage);
    if ((rc = ck_fs_write_durable(path, sig, siglen, err, errlen)))
        goto out;
    pathf(path, sizeof path, "%s/city.json", stage);
    if ((rc = ck_fs_write_durable(path, text, strlen(text), err, errlen)))
        goto out;
    /* 4. Every setting through the schema table, as the kiosk will load it. */
    if ((rc = validate(merged, "bundle.json", stage, (const char *)bundle, len, err, errlen)) ||
        (rc = ck_fs_fsync_dir(stage, err, errlen)))
        goto out;
    pathf(city_path, pathlen, "%s/config/v%ld/city.json", ctx->data_dir, info->version);
    ck_info("bundle", "bundle version %ld staged (signed by key %zu): %s", info->version,
            which + 1, info->note);
out:
    free(text);
    json_decref(merged);
    json_decref(base);
    json_decref(root);
    return rc;
}

enum ck_err ck_bundle_commit(const char *data_dir, long version, char *err, size_t errlen)
{
    char dir[PATH_MAX], stage[PATH_MAX], target[PATH_MAX], current[PATH_MAX];
    pathf(dir, sizeof dir, "%s/config", data_dir);
    pathf(stage, sizeof stage, "%s/stage", dir);
    pathf(target, sizeof target, "%s/v%ld", dir, version);
    pathf(current, sizeof current, "%s/current", dir);
    /* What runs now, to keep it as the one before. */
    char previous[64] = "";
    char *cur = NULL;
    size_t n = 0;
    char ignored[CK_ERR_LEN];
    if (ck_fs_read_all(current, 64, &cur, &n, ignored, sizeof ignored) == CK_OK) {
        snprintf(previous, sizeof previous, "%.*s", (int)strcspn(cur, "\r\n"), cur);
        free(cur);
    }
    /* A crash after a rename but before "current" moved leaves a v<N> nobody runs. */
    enum ck_err rc = ck_fs_remove_tree(target, err, errlen);
    if (rc || (rc = ck_fs_rename_durable(stage, target, err, errlen)))
        return rc;
    char line[64];
    int len = snprintf(line, sizeof line, "v%ld\n", version);
    if ((rc = ck_fs_write_atomic(current, line, (size_t)len, err, errlen)))
        return rc;
    /* Keep the new one and the one before; anything older goes. */
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] != 'v' || strcmp(e->d_name, previous) == 0)
            continue;
        char keep[64];
        pathf(keep, sizeof keep, "v%ld", version);
        if (strcmp(e->d_name, keep) == 0)
            continue;
        char old[PATH_MAX];
        pathf(old, sizeof old, "%s/%s", dir, e->d_name);
        if (ck_fs_remove_tree(old, ignored, sizeof ignored))
            ck_warn("bundle", "could not remove an old config: %s", ignored);
    }
    if (d)
        closedir(d);
    ck_info("bundle", "bundle version %ld is now the running config", version);
    return CK_OK;
}

enum ck_err ck_bundle_set_current(const char *data_dir, long version, char *err, size_t errlen)
{
    char current[PATH_MAX], dir[PATH_MAX];
    pathf(dir, sizeof dir, "%s/config", data_dir);
    pathf(current, sizeof current, "%s/current", dir);
    if (!version) {
        if (remove(current) != 0 && errno != ENOENT)
            return ck_fail(err, errlen, CK_ERR_IO, "%s: %s", current, strerror(errno));
        return ck_fs_fsync_dir(dir, err, errlen);
    }
    char line[64];
    int len = snprintf(line, sizeof line, "v%ld\n", version);
    return ck_fs_write_atomic(current, line, (size_t)len, err, errlen);
}

void ck_bundle_current(const char *data_dir, char *path, size_t pathlen)
{
    char current[PATH_MAX], err[CK_ERR_LEN];
    pathf(current, sizeof current, "%s/config/current", data_dir);
    path[0] = '\0';
    char *text = NULL;
    size_t n = 0;
    if (ck_fs_read_all(current, 64, &text, &n, err, sizeof err))
        return;
    long v = 0;
    char end = 0;
    if (sscanf(text, "v%ld%c", &v, &end) >= 1 && v > 0)
        pathf(path, pathlen, "%s/config/v%ld/city.json", data_dir, v);
    free(text);
}

enum ck_err ck_bundle_check(const char *bundle_path, const char *base_path, char *err,
                            size_t errlen)
{
    char *text = NULL;
    size_t len = 0;
    enum ck_err rc = ck_fs_read_all(bundle_path, 64u << 20, &text, &len, err, errlen);
    if (rc)
        return rc;
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr), *base = NULL,
           *merged = NULL;
    char dir[PATH_MAX], base_dir[PATH_MAX];
    pathf(dir, sizeof dir, "%s", bundle_path);
    pathf(dir, sizeof dir, "%s", dirname(dir));
    struct ck_bundle_info info;
    if (!root) {
        rc = ck_fail(err, errlen, CK_ERR_PARSE, "%s:%d:%d: %s", bundle_path, jerr.line,
                     jerr.column, jerr.text);
        goto out;
    }
    char detail[CK_ERR_LEN];
    if ((rc = read_meta(root, "", "", &info, detail, sizeof detail)) ||
        (rc = write_files(json_object_get(root, "files"), NULL, false, detail, sizeof detail))) {
        char setting[128];
        int line = sscanf(detail, " %127[^:]", setting) == 1 ? ck_config_line_of(text, len, setting) : 0;
        if (line)
            ck_fail(err, errlen, rc, "%s:%d: %s", bundle_path, line, detail);
        else
            ck_fail(err, errlen, rc, "%s: %s", bundle_path, detail);
        goto out;
    }
    if (base_path && !(base = load_base(base_path, base_dir, sizeof base_dir, err, errlen))) {
        rc = CK_ERR_CONFIG;
        goto out;
    }
    if (!(merged = merge(base, root))) {
        rc = ck_fail(err, errlen, CK_ERR_NOMEM, "no memory");
        goto out;
    }
    rc = validate(merged, bundle_path, dir, text, len, err, errlen);
out:
    json_decref(merged);
    json_decref(base);
    json_decref(root);
    free(text);
    return rc;
}
