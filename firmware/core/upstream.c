/* upstream.c: the upstream settings' one owner-side operation. */
#include "core/upstream.h"

#include <stdlib.h>
#include <string.h>

void ck_upstream_free(struct ck_upstream *u)
{
    free(u->base_url);
    free(u->format);
    free(u->jurisdiction_id);
    if (u->api_key) {
        explicit_bzero(u->api_key, strlen(u->api_key));
        free(u->api_key);
    }
    free(u->multivalue_style);
    free(u->receipt_attribute);
    free(u->ca_bundle);
    free(u->pinned_pubkey);
    memset(u, 0, sizeof *u);
}
