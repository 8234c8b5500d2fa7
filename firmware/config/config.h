/* config.h: the city's configuration: who the city is, how the session behaves, the catalog.
 *
 * Loaded from a JSON file (assets/demo/city.json for the demo city) at start, validated against
 * one table of settings with bounds, and read-only afterwards. Signed bundles and live updates
 * come later through the same validation. Loaded on the main thread before workers start. */
#ifndef CK_CONFIG_H
#define CK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/catalog.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/printer.h"
#include "core/upstream.h"

#define CK_CONFIG_MAX_BYTES (8u << 20) /* a city file larger than this is refused */
#define CK_HOURS_MAX 14                /* opening-hours ranges (two a day) */

/* One range of opening hours: a weekday (0 = Sunday) and minutes after midnight. */
struct ck_hours_range {
    int day, open_min, close_min;
};

/* The fleet: where signed bundles come from, who signs them, where health goes (fleet.md). */
struct ck_fleet {
    char *config_url;    /* "" when the kiosk is not managed */
    char *heartbeat_url; /* "" for no heartbeats */
    char *public_keys[2]; /* minisign public keys ("RW..."), NULL when absent */
    size_t nkeys;
    int poll_minutes, heartbeat_minutes;
    int max_bundle_bytes;
    char *metrics_file; /* "" for none */
};

struct ck_config {
    char *path;        /* the file it came from */
    char *dir;         /* its folder; relative paths inside resolve against it */
    char *city_name;
    char *city_phone;
    char *logo_path;   /* absolute, or NULL when the city has no logo */
    char *timezone;
    char kiosk_id[3];
    char *kiosk_group;
    char *kiosk_location;
    char *status_url_template; /* contains "{receipt}" */
    int idle_seconds;
    int warning_seconds;
    int storage_min_free_mb;  /* new requests stop with less free than this (store.h) */
    int storage_max_db_mb;    /* the database's page limit; 0 for none */
    bool require_address;
    bool require_coordinates; /* refuse a free-typed address: the city needs lat/long */
    char *gazetteer_path;     /* absolute path of the address-point CSV, or NULL */
    struct ck_upstream upstream;
    char *printer_uri;               /* usb:/dev/usb/lp0, tcp:HOST:9100, file:PATH or none */
    struct ck_printer_profile printer;
    const char *langs[CK_LANG_MAX];
    size_t nlangs;
    char *lang_store[CK_LANG_MAX];
    struct ck_catalog catalog;
    struct ck_fleet fleet;
    struct ck_hours_range hours[CK_HOURS_MAX]; /* none: always open */
    size_t nhours;
    char *after_hours_message; /* shown on welcome outside the hours ("" for none) */
    char *staff_pin_hash;      /* crypto_pwhash string; "" when staff mode has no PIN yet */
    char *brand_header, *brand_primary; /* "#RRGGBB" or "" for the built-in colours */
    long bundle_version;       /* the signed bundle this config came from; 0 for none */
    bool bundle_catalog;       /* ...and it set the catalog: upstream's does not replace it */
};

/* Loads and validates the file. On error returns non-zero with "file:line:col: reason" or
 * "file: setting: reason" in err; cfg is then empty. */
enum ck_err ck_config_load(const char *path, struct ck_config *cfg, char *err, size_t errlen);
void ck_config_deinit(struct ck_config *cfg);

/* The same from a parsed document (a struct json_t object): relative paths resolve against
 * dir; label names the source in messages. Used for a staged bundle merged over the kiosk's
 * own config. */
struct json_t;
enum ck_err ck_config_from_json(const struct json_t *root, const char *label, const char *dir,
                                struct ck_config *cfg, char *err, size_t errlen);

/* The line (1-based) in a JSON text where a setting ("session.idle_seconds",
 * "languages[2]") is written, or 0 when it is not there: for line-precise messages. */
int ck_config_line_of(const char *text, size_t len, const char *setting);

/* Staff entry: true when pin matches the config's staff.pin_hash (a libsodium crypto_pwhash
 * string); false when it does not or no hash is set. Takes a tenth of a second or so, on
 * purpose (guessing is slow). */
bool ck_config_pin_matches(const struct ck_config *cfg, const char *pin);
/* The hash to put in staff.pin_hash for a PIN (out: crypto_pwhash_STRBYTES = 128 bytes). */
enum ck_err ck_config_pin_hash(const char *pin, char *out, size_t outlen, char *err, size_t errlen);
/* How long staff entry stays locked after `failures` wrong PINs in a row: none for the first
 * three, then 30 s doubling with each one, at most an hour. */
int ck_config_pin_lockout_seconds(int failures);

/* True when the city's opening hours include the time t (local time); true without hours. */
bool ck_config_open_at(const struct ck_config *cfg, long t);

/* The status URL for a receipt code, from the template. */
void ck_config_status_url(const struct ck_config *cfg, const char *receipt, char *out,
                          size_t outlen);

/* Parses an Open311 services list and service definitions (as JSON text) into cat. Tolerant of
 * what real servers send: codes as numbers or strings, booleans as true/"true"/"True", a
 * missing group, definitions missing or empty. `definitions` may be NULL. */
enum ck_err ck_catalog_from_json(const struct json_t *services, const struct json_t *definitions,
                                 struct ck_catalog *cat, char *err, size_t errlen);

#endif
