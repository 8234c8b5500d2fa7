/* catalog.h: the service catalog as Open311 GeoReport v2 describes it (services + definitions).
 *
 * Plain data owned by one struct ck_catalog; filled by config/ (from the city file now, from
 * upstream later) and read by screens. Pure C; includes nothing of ours but core. Not
 * thread-safe: treat a published catalog as read-only. */
#ifndef CK_CATALOG_H
#define CK_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

enum ck_datatype {
    CK_DT_STRING,
    CK_DT_NUMBER,
    CK_DT_DATETIME,
    CK_DT_TEXT,
    CK_DT_SINGLEVALUELIST,
    CK_DT_MULTIVALUELIST,
};

enum ck_service_type { CK_SVC_REALTIME, CK_SVC_BATCH, CK_SVC_BLACKBOX };

struct ck_attr_value {
    char *key;
    char *name;
};

struct ck_attribute {
    bool variable; /* false: information shown to the resident, not asked */
    char *code;
    enum ck_datatype datatype;
    bool required;
    char *datatype_description; /* may be "" */
    int order;
    char *description; /* the question */
    struct ck_attr_value *values;
    size_t nvalues;
};

struct ck_service {
    char *code;
    char *name;
    char *description;
    char *group; /* "" when the server gave none */
    char *keywords;
    enum ck_service_type type;
    bool metadata;
    struct ck_attribute *attrs; /* sorted by order */
    size_t nattrs;
};

struct ck_catalog {
    struct ck_service *services;
    size_t n;
};

void ck_catalog_free(struct ck_catalog *cat);

/* The service with this code, or NULL. */
const struct ck_service *ck_catalog_find(const struct ck_catalog *cat, const char *code);

/* The attribute of `svc` with this code, or NULL. */
const struct ck_attribute *ck_service_attr(const struct ck_service *svc, const char *code);

/* Fills `groups` with the distinct group names in catalog order (at most max); returns how many. */
size_t ck_catalog_groups(const struct ck_catalog *cat, const char **groups, size_t max);

/* The Open311 name of a datatype ("string", ...), and its parse; false for an unknown name. */
const char *ck_datatype_name(enum ck_datatype dt);
bool ck_datatype_parse(const char *name, enum ck_datatype *out);

#endif
