/* request.h: one resident's service request, as it is stored and later sent upstream.
 *
 * Field names follow Open311 GeoReport v2 POST requests. A multivaluelist attribute is several
 * attrs with the same code. Strings are heap-owned by the request; ck_request_deinit wipes and
 * frees them (first_name, last_name, email, phone and description may be personal data).
 * Pure C. One owner at a time. */
#ifndef CK_REQUEST_H
#define CK_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/receipt.h"

struct ck_request_attr {
    char *code;
    char *value;
    bool multi; /* one of the answers to a multivaluelist question */
};

enum ck_outbox_state {
    CK_OUTBOX_QUEUED,
    CK_OUTBOX_SENDING,
    CK_OUTBOX_AWAITING_TOKEN,
    CK_OUTBOX_DELIVERED,
    CK_OUTBOX_PARKED,
};

struct ck_request {
    long long id; /* local row id; 0 until stored */
    char receipt[CK_RECEIPT_LEN + 1];
    char *service_code;
    char *service_name; /* as the resident saw it, for receipts and staff */
    struct ck_request_attr *attrs;
    size_t nattrs;
    char *address_string;
    bool has_latlon;
    double lat, lon;
    char *description;
    char *first_name, *last_name, *email, *phone;
    char requested_at[32]; /* ISO 8601 with UTC offset */
    char lang[8];          /* the session's language */
};

void ck_request_init(struct ck_request *r);
void ck_request_deinit(struct ck_request *r);

/* Appends an attribute value (copies both strings). */
enum ck_err ck_request_add_attr(struct ck_request *r, const char *code, const char *value);

/* Replaces *field with a copy of value (NULL or "" leaves it NULL), wiping the old one. */
enum ck_err ck_request_set(char **field, const char *value);

/* Frees a string after overwriting it with zeros. */
void ck_wipe_free(char *s);

const char *ck_outbox_state_name(enum ck_outbox_state s);
bool ck_outbox_state_parse(const char *name, enum ck_outbox_state *out);

#endif
