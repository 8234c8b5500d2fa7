/* open311.h: Open311 GeoReport v2 payloads as real servers send them, in XML or JSON.
 *
 * Every reply is first normalised into one jansson tree whatever its format, so the rest of the
 * kiosk reads one shape:
 *   - XML (expat) becomes JSON by the spec's "Spark convention": an element holding only text
 *     becomes a string (entities decoded, its ends trimmed, the rest verbatim); an element with
 *     children becomes an object (text between children is dropped; a repeated field keeps its
 *     first value); the list wrappers (services, service_requests, attributes, values, errors,
 *     endpoints, formats, and the notes extension) become arrays of their items, even when they
 *     hold one item or none; items found outside their wrapper (<attribute> right under
 *     <service_definition>) are collected into it. The root wrapper is dropped: a list reply is
 *     a top-level array, like the JSON form, and a lone item as root is a one-item array; a
 *     service_definition is an object whose "attributes" is always an array. XML attributes
 *     (xmlns, is_array) are ignored, names are read without their namespace prefix, and any
 *     DOCTYPE is refused (no entity expansion, no external entities).
 *   - JSON replies wrapped in an object ({"services":[...]}, {"service_requests":[...]},
 *     {"errors":[...]}, {"service_definition":{...}}, layers of {"request": ...} left by a naive
 *     XML conversion) are unwrapped into the same shapes. A single object where a list belongs
 *     becomes a one-item array, unless it has "attributes" (a service definition) or
 *     "endpoints" (discovery). JSON scalars keep their types; read them with the getters.
 *   - Empty elements and empty strings are kept as "" and read as absent by the getters below.
 * Then small readers take typed values out of the tree, tolerating what servers really send:
 * ids and codes as numbers or strings, booleans as true/"true"/"True"/"1", missing timezones.
 *
 * Pure functions over byte buffers: no I/O, no globals; safe on any thread. Replies larger than
 * CK_O311_MAX_REPLY never reach here (the HTTP layer caps them). */
#ifndef CK_OPEN311_H
#define CK_OPEN311_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/err.h"

#define CK_O311_MAX_REPLY (4u << 20) /* the largest reply body the kiosk reads */

enum ck_o311_format { CK_O311_XML, CK_O311_JSON };

/* "xml"/"json" <-> enum; the extension used in URLs. */
const char *ck_o311_format_ext(enum ck_o311_format f);
bool ck_o311_format_parse(const char *s, enum ck_o311_format *out);

struct json_t;

/* Parses a reply body into the normalised tree (caller json_decref's it). On malformed input
 * (bad XML or JSON, invalid UTF-8, nesting deeper than 32, a DOCTYPE, an empty body, more than
 * CK_O311_MAX_REPLY bytes) returns NULL with a one-line reason in err (which may be NULL) that
 * names the format and the position when known. body need not be NUL-terminated. */
struct json_t *ck_o311_parse(const char *body, size_t len, enum ck_o311_format fmt, char *err,
                             size_t errlen);

/* A value of an object as text: strings as they are, integers and reals printed ("1", "2.5"),
 * true/false as "true"/"false". NULL when absent, null, "" or a container. */
const char *ck_o311_str(const struct json_t *obj, const char *key, char *tmp, size_t tmplen);

/* true/"true"/"True"/"TRUE"/1/"1" are true; anything else (or absent) is false. */
bool ck_o311_bool(const struct json_t *obj, const char *key);

/* Parses a W3C-DTF/ISO 8601 datetime ("2026-11-24T09:00:00-05:00", "...Z", "...+0100",
 * fractional seconds, or no zone at all: then it is taken as local time in the process TZ).
 * Returns false when s is not a datetime. */
bool ck_o311_time(const char *s, time_t *out);

/* The first error of an error reply (top-level array or single object of {code, description}),
 * written as "CODE: description" (or just one of them) into out. False if the tree holds no
 * error. Descriptions are clipped to outlen and stripped of control characters. */
bool ck_o311_error_text(const struct json_t *tree, char *out, size_t outlen);

/* The answer to POST requests: exactly one of service_request_id or token is set (""
 * otherwise); service_notice may be "". Returns CK_ERR_PARSE with a reason when the reply
 * carries neither an id nor a token, or is not shaped like a POST reply (an id of the wrong
 * type or longer than 127 bytes included). A blackbox service may legitimately return neither
 * (or an empty list): with `blackbox` true that is CK_OK with both "". An error body is
 * CK_ERR_PARSE with its text in err, blackbox or not. */
struct ck_o311_post_reply {
    char service_request_id[128];
    char token[128];
    char service_notice[512];
};
enum ck_err ck_o311_post_reply(const struct json_t *tree, bool blackbox,
                               struct ck_o311_post_reply *out, char *err, size_t errlen);

/* The answer to GET tokens/{token}: the service_request_id when upstream has assigned one
 * ("" while it has not yet: absent, null, "" or an empty list). CK_ERR_PARSE when the reply is
 * not shaped like a token reply, is an error body, or the id does not fit in idlen. */
enum ck_err ck_o311_token_reply(const struct json_t *tree, char *id, size_t idlen, char *err,
                                size_t errlen);

/* One request from GET requests or GET requests/{id}. Strings are "" when absent.
 * description is heap-allocated (may be NULL); free with ck_o311_requests_free. */
struct ck_o311_request {
    char service_request_id[128];
    char token[128];
    char service_code[128];
    char status[16];        /* "open", "closed", or "" */
    char status_notes[1024];
    char requested_datetime[40];
    char updated_datetime[40];
    char *description;
    char *receipt_attr;     /* the value of attribute/extended attribute `receipt_code`, if any */
};

/* Reads every request of a requests reply (a top-level array, or one object). Items with
 * neither an id nor a token are skipped (Chicago returns such), and so are items whose id or
 * token has a wrong type or is too long (with a warning). status is "open"/"closed" whatever
 * its case; longer texts are cut on a character boundary; datetimes are kept only whole. An
 * error body is CK_ERR_PARSE with its text in err. receipt_code names the
 * attribute that carries the kiosk's receipt code, looked for in "attributes" or
 * "extended_attributes" of each item (as an object of code->value or an array of
 * {code,value}); may be NULL. */
enum ck_err ck_o311_requests(const struct json_t *tree, const char *receipt_code,
                             struct ck_o311_request **out, size_t *n, char *err, size_t errlen);
void ck_o311_requests_free(struct ck_o311_request *r, size_t n);

/* Does this upstream request carry our receipt code (in its receipt attribute, or anywhere in
 * its description, grouped "R7Q-W2B-THPM" or not)? */
bool ck_o311_request_matches(const struct ck_o311_request *r, const char *receipt);

/* --- building requests (form bodies) --- */

/* How a multivaluelist goes on the wire: attribute[c][]=a&attribute[c][]=b (the spec) or
 * attribute[c]=a&attribute[c]=b (what FixMyStreet and mySociety's server expect). */
enum ck_o311_multi { CK_O311_MULTI_BRACKETS, CK_O311_MULTI_REPEAT };
bool ck_o311_multi_parse(const char *s, enum ck_o311_multi *out);

#endif
