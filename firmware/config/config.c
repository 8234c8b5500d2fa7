/* config.c: loading and validating the city file against one table of settings.
 *
 * Main thread, at start. jansson parses; every setting is described once in SETTINGS with its
 * JSON path, type, bounds and default, so validation and error messages are uniform. */
#include "config/config.h"

#include <jansson.h>
#include <sodium.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/color.h"
#include "core/log.h"
#include "core/receipt.h"
#include "core/utf8.h"
#include "platform/platform.h"

enum setting_type { S_STRING, S_INT, S_BOOL };

struct setting {
    const char *section, *key;
    enum setting_type type;
    size_t offset; /* into struct ck_config */
    long min, max; /* bounds for ints, lengths for strings */
    long def;      /* default for ints and bools */
    const char *def_str; /* default for strings; NULL makes the setting required */
};

#define OFF(f) offsetof(struct ck_config, f)

static const struct setting SETTINGS[] = {
    {"city", "name", S_STRING, OFF(city_name), 1, 120, 0, NULL},
    {"city", "phone", S_STRING, OFF(city_phone), 0, 40, 0, ""},
    {"city", "timezone", S_STRING, OFF(timezone), 0, 64, 0, ""},
    {"kiosk", "location", S_STRING, OFF(kiosk_location), 0, 200, 0, ""},
    {"kiosk", "group", S_STRING, OFF(kiosk_group), 0, 64, 0, ""},
    {"fleet", "config_url", S_STRING, OFF(fleet.config_url), 0, 400, 0, ""},
    {"fleet", "heartbeat_url", S_STRING, OFF(fleet.heartbeat_url), 0, 400, 0, ""},
    {"fleet", "poll_minutes", S_INT, OFF(fleet.poll_minutes), 1, 1440, 15, NULL},
    {"fleet", "heartbeat_minutes", S_INT, OFF(fleet.heartbeat_minutes), 1, 60, 5, NULL},
    {"fleet", "max_bundle_bytes", S_INT, OFF(fleet.max_bundle_bytes), 4096, 16 << 20, 16 << 20, NULL},
    {"fleet", "metrics_file", S_STRING, OFF(fleet.metrics_file), 0, 400, 0, ""},
    {"hours", "after_hours_message", S_STRING, OFF(after_hours_message), 0, 300, 0, ""},
    {"staff", "pin_hash", S_STRING, OFF(staff_pin_hash), 0, 256, 0, ""},
    {"branding", "header", S_STRING, OFF(brand_header), 0, 7, 0, ""},
    {"branding", "primary", S_STRING, OFF(brand_primary), 0, 7, 0, ""},
    {NULL, "status_url_template", S_STRING, OFF(status_url_template), 1, 400, 0, NULL},
    {"session", "idle_seconds", S_INT, OFF(idle_seconds), 15, 900, 60, NULL},
    {"session", "warning_seconds", S_INT, OFF(warning_seconds), 10, 120, 20, NULL},
    {"storage", "min_free_mb", S_INT, OFF(storage_min_free_mb), 1, 100000, 200, NULL},
    {"storage", "max_db_mb", S_INT, OFF(storage_max_db_mb), 0, 1000000, 0, NULL},
    {"location", "require_address", S_BOOL, OFF(require_address), 0, 1, 1, NULL},
    {"location", "require_coordinates", S_BOOL, OFF(require_coordinates), 0, 1, 0, NULL},
    {"printer", "uri", S_STRING, OFF(printer_uri), 0, 300, 0, "none"},
    {"upstream", "base_url", S_STRING, OFF(upstream.base_url), 0, 400, 0, ""},
    {"upstream", "format", S_STRING, OFF(upstream.format), 3, 4, 0, "xml"},
    {"upstream", "jurisdiction_id", S_STRING, OFF(upstream.jurisdiction_id), 0, 200, 0, ""},
    {"upstream", "multivalue_style", S_STRING, OFF(upstream.multivalue_style), 6, 8, 0, "brackets"},
    {"upstream", "receipt_attribute", S_STRING, OFF(upstream.receipt_attribute), 1, 64, 0,
     "kiosk_receipt"},
    {"upstream", "connect_timeout_seconds", S_INT, OFF(upstream.connect_timeout_s), 1, 60, 10, NULL},
    {"upstream", "timeout_seconds", S_INT, OFF(upstream.timeout_s), 2, 300, 30, NULL},
    {"upstream", "low_speed_seconds", S_INT, OFF(upstream.low_speed_s), 1, 120, 15, NULL},
    {"upstream", "max_in_flight", S_INT, OFF(upstream.max_in_flight), 1, 16, 4, NULL},
    {"upstream", "retry_cap_seconds", S_INT, OFF(upstream.retry_cap_s), 1, 86400, 1800, NULL},
    {"upstream", "catalog_refresh_minutes", S_INT, OFF(upstream.catalog_refresh_min), 1, 10080,
     60, NULL},
};

static enum ck_err apply_setting(const struct setting *s, const json_t *root, struct ck_config *cfg,
                                 char *err, size_t errlen)
{
    const json_t *obj = s->section ? json_object_get(root, s->section) : root;
    const json_t *v = json_is_object(obj) ? json_object_get(obj, s->key) : NULL;
    char name[96];
    snprintf(name, sizeof name, "%s%s%s", s->section ? s->section : "", s->section ? "." : "",
             s->key);
    char *base = (char *)cfg + s->offset;
    switch (s->type) {
    case S_STRING: {
        const char *str = json_string_value(v);
        if (!v) {
            if (!s->def_str)
                return ck_fail(err, errlen, CK_ERR_CONFIG, "%s: missing", name);
            str = s->def_str;
        } else if (!str) {
            return ck_fail(err, errlen, CK_ERR_CONFIG, "%s: must be text", name);
        }
        size_t n = ck_utf8_count(str);
        if ((long)n < s->min || (long)n > s->max)
            return ck_fail(err, errlen, CK_ERR_CONFIG, "%s: must be %ld to %ld characters long",
                           name, s->min, s->max);
        char **dst = (char **)base;
        *dst = strdup(str);
        return *dst ? CK_OK : CK_ERR_NOMEM;
    }
    case S_INT: {
        long x = s->def;
        if (v && !json_is_integer(v))
            return ck_fail(err, errlen, CK_ERR_CONFIG, "%s: must be a whole number", name);
        if (v)
            x = (long)json_integer_value(v);
        if (x < s->min || x > s->max)
            return ck_fail(err, errlen, CK_ERR_CONFIG, "%s: %ld is outside %ld..%ld", name, x,
                           s->min, s->max);
        *(int *)base = (int)x;
        return CK_OK;
    }
    case S_BOOL:
        if (v && !json_is_boolean(v))
            return ck_fail(err, errlen, CK_ERR_CONFIG, "%s: must be true or false", name);
        *(bool *)base = v ? json_is_true(v) : s->def;
        return CK_OK;
    }
    return CK_ERR_CONFIG;
}

static char *resolve(const char *dir, const char *rel)
{
    char buf[PATH_MAX];
    if (rel[0] == '/')
        snprintf(buf, sizeof buf, "%s", rel);
    else
        snprintf(buf, sizeof buf, "%s/%s", dir, rel);
    return strdup(buf);
}

/* The upstream settings SETTINGS cannot check alone: choices, URLs, files. */
static enum ck_err load_upstream(const json_t *root, struct ck_config *cfg, char *err,
                                 size_t errlen)
{
    struct ck_upstream *u = &cfg->upstream;
    if (strcmp(u->format, "xml") != 0 && strcmp(u->format, "json") != 0)
        return ck_fail(err, errlen, CK_ERR_CONFIG, "upstream.format: must be \"xml\" or \"json\"");
    if (strcmp(u->multivalue_style, "brackets") != 0 && strcmp(u->multivalue_style, "repeat") != 0)
        return ck_fail(err, errlen, CK_ERR_CONFIG,
                       "upstream.multivalue_style: must be \"brackets\" or \"repeat\"");
    size_t n = strlen(u->base_url);
    if (n && strncmp(u->base_url, "https://", 8) != 0 && strncmp(u->base_url, "http://", 7) != 0)
        return ck_fail(err, errlen, CK_ERR_CONFIG,
                       "upstream.base_url: must start with https:// (or http:// on a private network)");
    while (n && u->base_url[n - 1] == '/')
        u->base_url[--n] = '\0';
    if (u->timeout_s <= u->connect_timeout_s)
        return ck_fail(err, errlen, CK_ERR_CONFIG,
                       "upstream.timeout_seconds: must be longer than connect_timeout_seconds");
    const json_t *up = json_object_get(root, "upstream");
    const char *ca = json_string_value(json_object_get(up, "ca_bundle"));
    if (ca && *ca && !(u->ca_bundle = resolve(cfg->dir, ca)))
        return CK_ERR_NOMEM;
    const char *pin = json_string_value(json_object_get(up, "pinned_public_key"));
    if (pin && *pin) {
        if (strncmp(pin, "sha256//", 8) != 0)
            return ck_fail(err, errlen, CK_ERR_CONFIG,
                           "upstream.pinned_public_key: must be sha256//BASE64");
        if (!(u->pinned_pubkey = strdup(pin)))
            return CK_ERR_NOMEM;
    }
    const char *keyfile = json_string_value(json_object_get(up, "api_key_file"));
    if (keyfile && *keyfile) {
        char *kp = resolve(cfg->dir, keyfile), *key = NULL;
        size_t len = 0;
        char detail[CK_ERR_LEN];
        enum ck_err rc = kp ? ck_fs_read_all(kp, 4096, &key, &len, detail, sizeof detail)
                            : CK_ERR_NOMEM;
        free(kp);
        if (rc) /* the message names the file, never the key */
            return ck_fail(err, errlen, CK_ERR_CONFIG, "upstream.api_key_file: %s", detail);
        while (len && (key[len - 1] == '\n' || key[len - 1] == '\r' || key[len - 1] == ' '))
            key[--len] = '\0';
        if (!len || strlen(key) != len) {
            free(key);
            return ck_fail(err, errlen, CK_ERR_CONFIG, "upstream.api_key_file: holds no key");
        }
        u->api_key = key;
    }
    return CK_OK;
}

/* The printer's profile: a built-in one by name, or one the city file defines ("profiles"),
 * optionally based on a built-in one. */
static enum ck_err load_printer(const json_t *root, struct ck_config *cfg, char *err,
                                size_t errlen)
{
    const json_t *pr = json_object_get(root, "printer");
    const char *name = json_string_value(json_object_get(pr, "profile"));
    if (!name)
        name = "80mm";
    const json_t *custom = json_object_get(json_object_get(pr, "profiles"), name);
    struct ck_printer_profile *p = &cfg->printer;
    if (!custom) {
        if (!ck_printer_profile_builtin(name, p))
            return ck_fail(err, errlen, CK_ERR_CONFIG,
                           "printer.profile: no profile \"%s\" (built in: 58mm, 80mm, "
                           "80mm-180dpi, 58mm-native-qr, 80mm-native-qr, or define it in "
                           "printer.profiles)", name);
        return CK_OK;
    }
    const char *base = json_string_value(json_object_get(custom, "base"));
    if (!ck_printer_profile_builtin(base ? base : "80mm", p))
        return ck_fail(err, errlen, CK_ERR_CONFIG, "printer.profiles.%s.base: unknown profile",
                       name);
    snprintf(p->name, sizeof p->name, "%s", name);
    static const struct {
        const char *key;
        size_t off;
        int min, max;
    } INTS[] = {
        {"dots", offsetof(struct ck_printer_profile, dots), 128, 1024},
        {"dpi", offsetof(struct ck_printer_profile, dpi), 150, 400},
        {"qr_module", offsetof(struct ck_printer_profile, qr_module), 3, 12},
        {"band_rows", offsetof(struct ck_printer_profile, band_rows), 8, 2047},
        {"feed_lines", offsetof(struct ck_printer_profile, feed_lines), 0, 20},
    };
    for (size_t i = 0; i < sizeof INTS / sizeof INTS[0]; i++) {
        const json_t *v = json_object_get(custom, INTS[i].key);
        if (!v)
            continue;
        json_int_t x = json_integer_value(v);
        if (!json_is_integer(v) || x < INTS[i].min || x > INTS[i].max)
            return ck_fail(err, errlen, CK_ERR_CONFIG,
                           "printer.profiles.%s.%s: must be a whole number from %d to %d", name,
                           INTS[i].key, INTS[i].min, INTS[i].max);
        *(int *)((char *)p + INTS[i].off) = (int)x;
    }
    if (p->dots % 8)
        return ck_fail(err, errlen, CK_ERR_CONFIG,
                       "printer.profiles.%s.dots: must be a multiple of 8", name);
    const json_t *nq = json_object_get(custom, "native_qr");
    if (nq && !json_is_boolean(nq))
        return ck_fail(err, errlen, CK_ERR_CONFIG,
                       "printer.profiles.%s.native_qr: must be true or false", name);
    if (nq)
        p->native_qr = json_is_true(nq);
    const char *cut = json_string_value(json_object_get(custom, "cut"));
    if (cut) {
        if (strcmp(cut, "partial") == 0)
            p->cut = CK_CUT_PARTIAL;
        else if (strcmp(cut, "full") == 0)
            p->cut = CK_CUT_FULL;
        else if (strcmp(cut, "none") == 0)
            p->cut = CK_CUT_NONE;
        else
            return ck_fail(err, errlen, CK_ERR_CONFIG,
                           "printer.profiles.%s.cut: must be partial, full or none", name);
    }
    return CK_OK;
}

static enum ck_err load_languages(const json_t *root, struct ck_config *cfg, char *err,
                                  size_t errlen)
{
    const json_t *langs = json_object_get(root, "languages");
    cfg->lang_store[cfg->nlangs++] = strdup("en"); /* English is always offered, first */
    if (langs && !json_is_array(langs))
        return ck_fail(err, errlen, CK_ERR_CONFIG, "languages: must be a list of codes");
    size_t i;
    json_t *l;
    json_array_foreach(langs, i, l)
    {
        const char *code = json_string_value(l);
        if (!code || strlen(code) < 2 || strlen(code) > 7 || strspn(code, "abcdefghijklmnopqrstuvwxyz-") != strlen(code))
            return ck_fail(err, errlen, CK_ERR_CONFIG, "languages[%zu]: not a language code", i);
        if (strcmp(code, "en") == 0)
            continue;
        if (cfg->nlangs == CK_LANG_MAX)
            return ck_fail(err, errlen, CK_ERR_CONFIG, "languages: at most %d", CK_LANG_MAX);
        cfg->lang_store[cfg->nlangs++] = strdup(code);
    }
    for (size_t j = 0; j < cfg->nlangs; j++) {
        if (!cfg->lang_store[j])
            return CK_ERR_NOMEM;
        cfg->langs[j] = cfg->lang_store[j];
    }
    return CK_OK;
}

/* fleet.public_keys: one or two minisign public keys; required to manage the kiosk. */
static enum ck_err load_fleet(const json_t *root, struct ck_config *cfg, char *err, size_t errlen)
{
    struct ck_fleet *f = &cfg->fleet;
    const json_t *keys = json_object_get(json_object_get(root, "fleet"), "public_keys");
    if (keys && (!json_is_array(keys) || json_array_size(keys) > 2))
        return ck_fail(err, errlen, CK_ERR_CONFIG,
                       "fleet.public_keys: must be a list of one or two minisign public keys");
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k)
    {
        const char *key = json_string_value(k);
        if (!key || strlen(key) != 56 || strncmp(key, "RW", 2) != 0)
            return ck_fail(err, errlen, CK_ERR_CONFIG,
                           "fleet.public_keys[%zu]: not a minisign public key (the RW... line of "
                           "the .pub file)", i);
        if (!(f->public_keys[f->nkeys++] = strdup(key)))
            return CK_ERR_NOMEM;
    }
    if (*f->config_url && !f->nkeys)
        return ck_fail(err, errlen, CK_ERR_CONFIG,
                       "fleet.public_keys: needed with fleet.config_url (bundles are only "
                       "accepted signed)");
    const char *urls[] = {f->config_url, f->heartbeat_url};
    const char *names[] = {"fleet.config_url", "fleet.heartbeat_url"};
    for (int u = 0; u < 2; u++)
        if (*urls[u] && strncmp(urls[u], "https://", 8) != 0 && strncmp(urls[u], "http://", 7) != 0)
            return ck_fail(err, errlen, CK_ERR_CONFIG,
                           "%s: must start with https:// (or http:// on a private network)",
                           names[u]);
    return CK_OK;
}

static int parse_hhmm(const char *s)
{
    int h, m;
    char end;
    if (!s || sscanf(s, "%2d:%2d%c", &h, &m, &end) != 2 || h < 0 || h > 24 || m < 0 || m > 59 ||
        (h == 24 && m))
        return -1;
    return h * 60 + m;
}

/* hours.open: [["mon", "08:00", "17:00"], ...]; none means always open. */
static enum ck_err load_hours(const json_t *root, struct ck_config *cfg, char *err, size_t errlen)
{
    static const char *const DAYS[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    const json_t *open = json_object_get(json_object_get(root, "hours"), "open");
    if (!open)
        return CK_OK;
    if (!json_is_array(open) || json_array_size(open) > CK_HOURS_MAX)
        return ck_fail(err, errlen, CK_ERR_CONFIG,
                       "hours.open: must be a list of at most %d [day, \"HH:MM\", \"HH:MM\"]",
                       CK_HOURS_MAX);
    size_t i;
    json_t *r;
    json_array_foreach(open, i, r)
    {
        const char *day = json_string_value(json_array_get(r, 0));
        int d = -1;
        for (int k = 0; day && k < 7; k++)
            if (strcmp(day, DAYS[k]) == 0)
                d = k;
        int a = parse_hhmm(json_string_value(json_array_get(r, 1)));
        int b = parse_hhmm(json_string_value(json_array_get(r, 2)));
        if (!json_is_array(r) || json_array_size(r) != 3 || d < 0 || a < 0 || b <= a)
            return ck_fail(err, errlen, CK_ERR_CONFIG,
                           "hours.open[%zu]: must be [\"mon\"..\"sun\", \"HH:MM\", \"HH:MM\"] "
                           "with the opening before the closing", i);
        cfg->hours[cfg->nhours++] = (struct ck_hours_range){d, a, b};
    }
    return CK_OK;
}

/* The city's colours carry white text (the header's, the primary button's): 4.5:1 or more. */
static enum ck_err check_branding(struct ck_config *cfg, char *err, size_t errlen)
{
    const char *v[] = {cfg->brand_header, cfg->brand_primary};
    const char *n[] = {"branding.header", "branding.primary"};
    for (int i = 0; i < 2; i++) {
        uint8_t c[3];
        if (!*v[i])
            continue;
        if (!ck_color_parse(v[i], c))
            return ck_fail(err, errlen, CK_ERR_CONFIG, "%s: must be a colour like \"#0B2545\"",
                           n[i]);
        double ratio = ck_contrast_ratio(c[0], c[1], c[2], 255, 255, 255);
        if (ratio < 4.5)
            return ck_fail(err, errlen, CK_ERR_CONFIG,
                           "%s: white text on %s has a contrast of %.1f:1; it needs 4.5:1 "
                           "(choose a darker colour)", n[i], v[i], ratio);
    }
    return CK_OK;
}

bool ck_config_pin_matches(const struct ck_config *cfg, const char *pin)
{
    if (!cfg->staff_pin_hash || !*cfg->staff_pin_hash || !pin || !*pin || sodium_init() < 0)
        return false;
    return crypto_pwhash_str_verify(cfg->staff_pin_hash, pin, strlen(pin)) == 0;
}

enum ck_err ck_config_pin_hash(const char *pin, char *out, size_t outlen, char *err,
                               size_t errlen)
{
    size_t n = pin ? strlen(pin) : 0;
    if (n < 6 || n > 12 || strspn(pin, "0123456789") != n)
        return ck_fail(err, errlen, CK_ERR_INVALID, "a staff PIN is 6 to 12 digits");
    if (outlen < crypto_pwhash_STRBYTES || sodium_init() < 0)
        return ck_fail(err, errlen, CK_ERR_NOMEM, "no room for the PIN hash");
    if (crypto_pwhash_str(out, pin, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return ck_fail(err, errlen, CK_ERR_NOMEM, "not enough memory to hash the PIN");
    return CK_OK;
}

int ck_config_pin_lockout_seconds(int failures)
{
    if (failures < 3)
        return 0;
    long s = 30;
    for (int i = 3; i < failures && s < 3600; i++)
        s *= 2;
    return s > 3600 ? 3600 : (int)s;
}

bool ck_config_open_at(const struct ck_config *cfg, long t)
{
    if (!cfg->nhours)
        return true;
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    int min = tm.tm_hour * 60 + tm.tm_min;
    for (size_t i = 0; i < cfg->nhours; i++)
        if (cfg->hours[i].day == tm.tm_wday && min >= cfg->hours[i].open_min &&
            min < cfg->hours[i].close_min)
            return true;
    return false;
}

/* Walks a JSON text keeping the path of keys to where it is; returns the line of the value of
 * `setting` ("a.b", "a[2]"). Strings and escapes are skipped properly; anything else is
 * not validated here (the parser already accepted the text). */
int ck_config_line_of(const char *text, size_t len, const char *setting)
{
    enum { DEPTH = 16 };
    char path[DEPTH][64];
    int index[DEPTH]; /* position in an array; -1 in an object */
    int depth = -1, line = 1;
    char key[64] = "";
    bool expect_key = false, await_element = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '\n') {
            line++;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r')
            continue;
        /* The first character of an array's element: is it the one asked for? */
        if (await_element && c != ']') {
            await_element = false;
            char here[192] = "";
            size_t n = 0;
            for (int d = 0; d < depth && n < sizeof here; d++)
                n += (size_t)snprintf(here + n, sizeof here - n, "%s%s", d ? "." : "", path[d]);
            if (n < sizeof here)
                snprintf(here + n, sizeof here - n, "[%d]", index[depth]);
            if (strcmp(here, setting) == 0)
                return line;
        }
        if (c == '"') {
            size_t j = i + 1, k = 0;
            char buf[64];
            while (j < len && text[j] != '"') {
                if (text[j] == '\\' && j + 1 < len)
                    j++;
                if (k < sizeof buf - 1)
                    buf[k++] = text[j];
                j++;
            }
            buf[k] = '\0';
            if (expect_key && depth >= 0)
                snprintf(key, sizeof key, "%s", buf);
            i = j;
        } else if (c == ':' && depth >= 0 && index[depth] < 0) {
            snprintf(path[depth], sizeof path[depth], "%s", key);
            expect_key = false;
            char here[192] = "";
            size_t n = 0;
            for (int d = 0; d <= depth && n < sizeof here; d++)
                n += (size_t)snprintf(here + n, sizeof here - n, "%s%s", d ? "." : "", path[d]);
            if (strcmp(here, setting) == 0)
                return line;
        } else if (c == '{' || c == '[') {
            if (depth + 1 < DEPTH) {
                depth++;
                index[depth] = c == '[' ? 0 : -1;
                path[depth][0] = '\0';
                expect_key = c == '{';
                await_element = c == '[';
            }
        } else if (c == '}' || c == ']') {
            await_element = false; /* "[]" closed without an element: nothing to wait for */
            if (depth >= 0)
                depth--;
        } else if (c == ',' && depth >= 0) {
            if (index[depth] >= 0) {
                index[depth]++;
                await_element = true;
            } else {
                expect_key = true;
            }
        }
    }
    return 0;
}

enum ck_err ck_config_load(const char *path, struct ck_config *cfg, char *err, size_t errlen)
{
    memset(cfg, 0, sizeof *cfg);
    char *text = NULL;
    size_t len = 0;
    enum ck_err rc = ck_fs_read_all(path, CK_CONFIG_MAX_BYTES, &text, &len, err, errlen);
    if (rc)
        return rc;
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        free(text);
        return ck_fail(err, errlen, CK_ERR_PARSE, "%s:%d:%d: %s", path, jerr.line, jerr.column,
                       jerr.text);
    }
    char *tmp = strdup(path);
    char *dir = tmp ? strdup(dirname(tmp)) : NULL;
    free(tmp);
    rc = dir ? ck_config_from_json(root, path, dir, cfg, err, errlen) : CK_ERR_NOMEM;
    if (rc == CK_ERR_CONFIG) {
        /* "file: setting: reason" becomes "file:line: setting: reason" where it is written. */
        char setting[128];
        size_t plen = strlen(path);
        if (strncmp(err, path, plen) == 0 && err[plen] == ':' &&
            sscanf(err + plen + 1, " %127[^:]", setting) == 1) {
            int line = ck_config_line_of(text, len, setting);
            if (line) {
                char rest[CK_ERR_LEN];
                snprintf(rest, sizeof rest, "%s", err + plen + 1);
                ck_fail(err, errlen, rc, "%s:%d:%s", path, line, rest);
            }
        }
    }
    free(dir);
    free(text);
    json_decref(root);
    return rc;
}

enum ck_err ck_config_from_json(const json_t *root, const char *path, const char *dir,
                                struct ck_config *cfg, char *err, size_t errlen)
{
    memset(cfg, 0, sizeof *cfg);
    enum ck_err rc = CK_OK;
    if (!json_is_object(root))
        return ck_fail(err, errlen, CK_ERR_CONFIG, "%s: must be a JSON object", path);
    cfg->path = strdup(path);
    cfg->dir = strdup(dir);
    if (!cfg->path || !cfg->dir) {
        rc = CK_ERR_NOMEM;
        goto out;
    }
    char detail[CK_ERR_LEN];
    for (size_t i = 0; i < sizeof SETTINGS / sizeof SETTINGS[0]; i++) {
        if ((rc = apply_setting(&SETTINGS[i], root, cfg, detail, sizeof detail))) {
            ck_fail(err, errlen, rc, "%s: %s", path, detail);
            goto out;
        }
    }
    if ((rc = load_printer(root, cfg, detail, sizeof detail))) {
        ck_fail(err, errlen, rc, "%s: %s", path, detail);
        goto out;
    }
    if ((rc = load_upstream(root, cfg, detail, sizeof detail))) {
        ck_fail(err, errlen, rc, "%s: %s", path, detail);
        goto out;
    }
    const char *gaz =
        json_string_value(json_object_get(json_object_get(root, "location"), "gazetteer"));
    if (gaz && *gaz && !(cfg->gazetteer_path = resolve(cfg->dir, gaz))) {
        rc = CK_ERR_NOMEM;
        goto out;
    }
    if (!strstr(cfg->status_url_template, "{receipt}")) {
        rc = ck_fail(err, errlen, CK_ERR_CONFIG,
                     "%s: status_url_template: must contain {receipt}", path);
        goto out;
    }
    const char *kid = json_string_value(json_object_get(json_object_get(root, "kiosk"), "id"));
    if (!ck_receipt_kiosk_id_valid(kid)) {
        rc = ck_fail(err, errlen, CK_ERR_CONFIG,
                     "%s: kiosk.id: must be two characters of 0-9 and A-Z (not I, L, O, U)", path);
        goto out;
    }
    char canon[CK_RECEIPT_LEN + 1];
    snprintf(canon, sizeof canon, "%s", kid);
    for (int i = 0; i < 2; i++)
        canon[i] = (char)(canon[i] >= 'a' && canon[i] <= 'z' ? canon[i] - 32 : canon[i]);
    memcpy(cfg->kiosk_id, canon, 3);
    const char *logo = json_string_value(json_object_get(json_object_get(root, "city"), "logo"));
    if (logo && *logo) {
        cfg->logo_path = resolve(cfg->dir, logo);
        if (cfg->logo_path && !ck_fs_readable(cfg->logo_path))
            ck_warn("config", "%s: city.logo %s is not readable; no logo shown", path, logo);
    }
    if ((rc = load_languages(root, cfg, detail, sizeof detail))) {
        ck_fail(err, errlen, rc, "%s: %s", path, detail);
        goto out;
    }
    rc = ck_catalog_from_json(json_object_get(root, "services"),
                              json_object_get(root, "definitions"), &cfg->catalog, detail,
                              sizeof detail);
    if (rc) {
        ck_fail(err, errlen, rc, "%s: %s", path, detail);
        goto out;
    }
    if ((rc = load_fleet(root, cfg, detail, sizeof detail)) ||
        (rc = load_hours(root, cfg, detail, sizeof detail)) ||
        (rc = check_branding(cfg, detail, sizeof detail))) {
        ck_fail(err, errlen, rc, "%s: %s", path, detail);
        goto out;
    }
    const json_t *meta = json_object_get(root, "bundle");
    cfg->bundle_version = (long)json_integer_value(json_object_get(meta, "version"));
    cfg->bundle_catalog = json_is_true(json_object_get(meta, "catalog"));
    if (cfg->catalog.n == 0)
        ck_warn("config", "%s: the catalog has no services; residents can only check requests",
                path);
out:
    if (rc)
        ck_config_deinit(cfg);
    return rc;
}

void ck_config_deinit(struct ck_config *cfg)
{
    free(cfg->path);
    free(cfg->dir);
    free(cfg->city_name);
    free(cfg->city_phone);
    free(cfg->logo_path);
    free(cfg->timezone);
    free(cfg->kiosk_location);
    free(cfg->status_url_template);
    free(cfg->gazetteer_path);
    free(cfg->printer_uri);
    free(cfg->kiosk_group);
    free(cfg->fleet.config_url);
    free(cfg->fleet.heartbeat_url);
    free(cfg->fleet.metrics_file);
    for (size_t i = 0; i < cfg->fleet.nkeys; i++)
        free(cfg->fleet.public_keys[i]);
    free(cfg->after_hours_message);
    free(cfg->staff_pin_hash);
    free(cfg->brand_header);
    free(cfg->brand_primary);
    ck_upstream_free(&cfg->upstream);
    for (size_t i = 0; i < cfg->nlangs; i++)
        free(cfg->lang_store[i]);
    ck_catalog_free(&cfg->catalog);
    memset(cfg, 0, sizeof *cfg);
}

void ck_config_status_url(const struct ck_config *cfg, const char *receipt, char *out,
                          size_t outlen)
{
    const char *t = cfg->status_url_template;
    const char *at = strstr(t, "{receipt}");
    if (!at) {
        snprintf(out, outlen, "%s", t);
        return;
    }
    snprintf(out, outlen, "%.*s%s%s", (int)(at - t), t, receipt, at + strlen("{receipt}"));
}
