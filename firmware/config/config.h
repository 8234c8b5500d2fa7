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

struct ck_config {
    char *path;        /* the file it came from */
    char *dir;         /* its folder; relative paths inside resolve against it */
    char *city_name;
    char *city_phone;
    char *logo_path;   /* absolute, or NULL when the city has no logo */
    char *timezone;
    char kiosk_id[3];
    char *kiosk_location;
    char *status_url_template; /* contains "{receipt}" */
    int idle_seconds;
    int warning_seconds;
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
};

/* Loads and validates the file. On error returns non-zero with "file:line:col: reason" or
 * "file: setting: reason" in err; cfg is then empty. */
enum ck_err ck_config_load(const char *path, struct ck_config *cfg, char *err, size_t errlen);
void ck_config_deinit(struct ck_config *cfg);

/* The status URL for a receipt code, from the template. */
void ck_config_status_url(const struct ck_config *cfg, const char *receipt, char *out,
                          size_t outlen);

/* Parses an Open311 services list and service definitions (as JSON text) into cat. Tolerant of
 * what real servers send: codes as numbers or strings, booleans as true/"true"/"True", a
 * missing group, definitions missing or empty. `definitions` may be NULL. */
struct json_t;
enum ck_err ck_catalog_from_json(const struct json_t *services, const struct json_t *definitions,
                                 struct ck_catalog *cat, char *err, size_t errlen);

#endif
