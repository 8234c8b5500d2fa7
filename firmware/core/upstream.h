/* upstream.h: the settings of the city's Open311 endpoint, as the config gives them to the
 * delivery worker. Plain data; the config layer fills it, the sync layer reads it. */
#ifndef CK_UPSTREAM_H
#define CK_UPSTREAM_H

/* Where and how requests go upstream (the "upstream" section). base_url "" means none is
 * configured: requests stay queued and the kiosk says so to staff. */
struct ck_upstream {
    char *base_url;          /* e.g. "https://311.city.gov/open311/v2" (no trailing slash) */
    char *format;            /* "xml" (the default, every server has it) or "json" */
    char *jurisdiction_id;   /* "" when the endpoint serves one jurisdiction */
    char *api_key;           /* read from api_key_file; NULL without one. Never logged. */
    char *multivalue_style;  /* "brackets" (attribute[c][]=v) or "repeat" (attribute[c]=v) */
    char *receipt_attribute; /* the attribute code that carries our receipt code */
    char *ca_bundle;         /* absolute path, or NULL for the system's CAs */
    char *pinned_pubkey;     /* curl's "sha256//BASE64" pin, or NULL */
    int connect_timeout_s, timeout_s, low_speed_s;
    int max_in_flight;       /* requests posted at once */
    int retry_cap_s;         /* the longest wait between two attempts */
    int catalog_refresh_min; /* how often the catalog is fetched again */
};

/* Frees the strings of u (the API key wiped first) and zeroes it. */
void ck_upstream_free(struct ck_upstream *u);

#endif
