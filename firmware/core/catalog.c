/* catalog.c: freeing and looking up the catalog model. */
#include "core/catalog.h"

#include <stdlib.h>
#include <string.h>

static const char *const DT_NAMES[] = {
    [CK_DT_STRING] = "string",
    [CK_DT_NUMBER] = "number",
    [CK_DT_DATETIME] = "datetime",
    [CK_DT_TEXT] = "text",
    [CK_DT_SINGLEVALUELIST] = "singlevaluelist",
    [CK_DT_MULTIVALUELIST] = "multivaluelist",
};

const char *ck_datatype_name(enum ck_datatype dt)
{
    return DT_NAMES[dt];
}

bool ck_datatype_parse(const char *name, enum ck_datatype *out)
{
    for (size_t i = 0; i < sizeof DT_NAMES / sizeof DT_NAMES[0]; i++) {
        if (strcasecmp(name, DT_NAMES[i]) == 0) {
            *out = (enum ck_datatype)i;
            return true;
        }
    }
    return false;
}

static void attr_free(struct ck_attribute *a)
{
    free(a->code);
    free(a->datatype_description);
    free(a->description);
    for (size_t i = 0; i < a->nvalues; i++) {
        free(a->values[i].key);
        free(a->values[i].name);
    }
    free(a->values);
}

void ck_catalog_free(struct ck_catalog *cat)
{
    for (size_t i = 0; i < cat->n; i++) {
        struct ck_service *s = &cat->services[i];
        free(s->code);
        free(s->name);
        free(s->description);
        free(s->group);
        free(s->keywords);
        for (size_t j = 0; j < s->nattrs; j++)
            attr_free(&s->attrs[j]);
        free(s->attrs);
    }
    free(cat->services);
    cat->services = NULL;
    cat->n = 0;
}

const struct ck_service *ck_catalog_find(const struct ck_catalog *cat, const char *code)
{
    for (size_t i = 0; i < cat->n; i++)
        if (strcmp(cat->services[i].code, code) == 0)
            return &cat->services[i];
    return NULL;
}

const struct ck_attribute *ck_service_attr(const struct ck_service *svc, const char *code)
{
    for (size_t i = 0; i < svc->nattrs; i++)
        if (strcmp(svc->attrs[i].code, code) == 0)
            return &svc->attrs[i];
    return NULL;
}

size_t ck_catalog_groups(const struct ck_catalog *cat, const char **groups, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < cat->n; i++) {
        const char *g = cat->services[i].group;
        bool seen = false;
        for (size_t j = 0; j < n && !seen; j++)
            seen = strcmp(groups[j], g) == 0;
        if (!seen && n < max)
            groups[n++] = g;
    }
    return n;
}
