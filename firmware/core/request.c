/* request.c: the request model's memory management. */
#include "core/request.h"

#include <stdlib.h>
#include <string.h>

void ck_wipe_free(char *s)
{
    if (s) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

void ck_request_init(struct ck_request *r)
{
    memset(r, 0, sizeof *r);
}

void ck_request_deinit(struct ck_request *r)
{
    ck_wipe_free(r->service_code);
    ck_wipe_free(r->service_name);
    for (size_t i = 0; i < r->nattrs; i++) {
        ck_wipe_free(r->attrs[i].code);
        ck_wipe_free(r->attrs[i].value);
    }
    free(r->attrs);
    ck_wipe_free(r->address_string);
    ck_wipe_free(r->description);
    ck_wipe_free(r->first_name);
    ck_wipe_free(r->last_name);
    ck_wipe_free(r->email);
    ck_wipe_free(r->phone);
    explicit_bzero(r, sizeof *r);
}

enum ck_err ck_request_add_attr(struct ck_request *r, const char *code, const char *value)
{
    struct ck_request_attr *a = realloc(r->attrs, (r->nattrs + 1) * sizeof *a);
    if (!a)
        return CK_ERR_NOMEM;
    r->attrs = a;
    a[r->nattrs].code = strdup(code);
    a[r->nattrs].value = strdup(value);
    a[r->nattrs].multi = false;
    if (!a[r->nattrs].code || !a[r->nattrs].value) {
        free(a[r->nattrs].code);
        free(a[r->nattrs].value);
        return CK_ERR_NOMEM;
    }
    r->nattrs++;
    return CK_OK;
}

enum ck_err ck_request_set(char **field, const char *value)
{
    ck_wipe_free(*field);
    *field = NULL;
    if (!value || !*value)
        return CK_OK;
    *field = strdup(value);
    return *field ? CK_OK : CK_ERR_NOMEM;
}

static const char *const STATE_NAMES[] = {
    [CK_OUTBOX_QUEUED] = "queued",
    [CK_OUTBOX_SENDING] = "sending",
    [CK_OUTBOX_AWAITING_TOKEN] = "awaiting_token",
    [CK_OUTBOX_DELIVERED] = "delivered",
    [CK_OUTBOX_PARKED] = "parked",
};

const char *ck_outbox_state_name(enum ck_outbox_state s)
{
    return STATE_NAMES[s];
}

bool ck_outbox_state_parse(const char *name, enum ck_outbox_state *out)
{
    for (size_t i = 0; i < sizeof STATE_NAMES / sizeof STATE_NAMES[0]; i++) {
        if (strcmp(name, STATE_NAMES[i]) == 0) {
            *out = (enum ck_outbox_state)i;
            return true;
        }
    }
    return false;
}
