/* catalog_json.c: Open311 services and service definitions from JSON (jansson), tolerantly. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/log.h"
#include "core/utf8.h"

/* A JSON value as a new string: strings as they are, numbers printed, others "". */
static char *str_of(const json_t *v)
{
    char num[64];
    if (json_is_string(v))
        return strdup(json_string_value(v));
    if (json_is_integer(v)) {
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return strdup(num);
    }
    if (json_is_real(v)) {
        snprintf(num, sizeof num, "%g", json_real_value(v));
        return strdup(num);
    }
    return strdup("");
}

static char *field(const json_t *obj, const char *key)
{
    return str_of(json_object_get(obj, key));
}

/* true, "true", "True", "TRUE", 1 and "1" are true; anything else is false. */
static bool bool_of(const json_t *v)
{
    if (json_is_boolean(v))
        return json_is_true(v);
    if (json_is_integer(v))
        return json_integer_value(v) != 0;
    if (json_is_string(v))
        return strcasecmp(json_string_value(v), "true") == 0 ||
               strcmp(json_string_value(v), "1") == 0;
    return false;
}

static int cmp_order(const void *a, const void *b)
{
    const struct ck_attribute *x = a, *y = b;
    return (x->order > y->order) - (x->order < y->order);
}

static enum ck_err parse_attr(const json_t *ja, struct ck_attribute *a, const char *svc, char *err,
                              size_t errlen)
{
    a->variable = json_object_get(ja, "variable") ? bool_of(json_object_get(ja, "variable")) : true;
    a->code = field(ja, "code");
    a->required = bool_of(json_object_get(ja, "required"));
    a->datatype_description = field(ja, "datatype_description");
    a->description = field(ja, "description");
    json_t *order = json_object_get(ja, "order");
    a->order = json_is_integer(order) ? (int)json_integer_value(order)
               : json_is_string(order) ? atoi(json_string_value(order))
                                       : 0;
    if (!a->code || !a->description || !a->datatype_description)
        return CK_ERR_NOMEM;
    if (!*a->code)
        return ck_fail(err, errlen, CK_ERR_PARSE, "service %s: an attribute has no code", svc);
    json_t *dt = json_object_get(ja, "datatype");
    if (!json_is_string(dt) || !ck_datatype_parse(json_string_value(dt), &a->datatype)) {
        /* An unknown datatype is asked as free text rather than dropped: the resident can still
         * answer and the server gets a string. */
        ck_warn("catalog", "service %s attribute %s: unknown datatype, treated as string", svc,
                a->code);
        a->datatype = CK_DT_STRING;
    }
    json_t *values = json_object_get(ja, "values");
    if (json_is_array(values) && json_array_size(values)) {
        a->values = calloc(json_array_size(values), sizeof *a->values);
        if (!a->values)
            return CK_ERR_NOMEM;
        size_t i;
        json_t *jv;
        json_array_foreach(values, i, jv)
        {
            struct ck_attr_value *v = &a->values[a->nvalues];
            v->key = field(jv, "key");
            v->name = field(jv, "name");
            if (!v->key || !v->name)
                return CK_ERR_NOMEM;
            if (!*v->name) { /* some servers send only keys */
                free(v->name);
                v->name = strdup(v->key);
            }
            a->nvalues++;
        }
    }
    if ((a->datatype == CK_DT_SINGLEVALUELIST || a->datatype == CK_DT_MULTIVALUELIST) &&
        a->nvalues == 0 && a->variable)
        return ck_fail(err, errlen, CK_ERR_PARSE, "service %s attribute %s: a %s with no values",
                       svc, a->code, ck_datatype_name(a->datatype));
    return CK_OK;
}

static enum ck_err parse_definition(const json_t *def, struct ck_service *s, char *err,
                                    size_t errlen)
{
    json_t *attrs = json_object_get(def, "attributes");
    if (!json_is_array(attrs) || !json_array_size(attrs))
        return CK_OK;
    s->attrs = calloc(json_array_size(attrs), sizeof *s->attrs);
    if (!s->attrs)
        return CK_ERR_NOMEM;
    size_t i;
    json_t *ja;
    json_array_foreach(attrs, i, ja)
    {
        if (!json_is_object(ja))
            continue;
        enum ck_err rc = parse_attr(ja, &s->attrs[s->nattrs++], s->code, err, errlen);
        if (rc)
            return rc;
    }
    qsort(s->attrs, s->nattrs, sizeof *s->attrs, cmp_order);
    return CK_OK;
}

/* Definitions come either as an object keyed by service_code or as an array of definitions. */
static const json_t *find_definition(const json_t *defs, const char *code)
{
    if (json_is_object(defs))
        return json_object_get(defs, code);
    size_t i;
    json_t *d;
    json_array_foreach(defs, i, d)
    {
        char *c = field(d, "service_code");
        bool match = c && strcmp(c, code) == 0;
        free(c);
        if (match)
            return d;
    }
    return NULL;
}

enum ck_err ck_catalog_from_json(const json_t *services, const json_t *definitions,
                                 struct ck_catalog *cat, char *err, size_t errlen)
{
    memset(cat, 0, sizeof *cat);
    if (json_is_object(services) && json_is_array(json_object_get(services, "services")))
        services = json_object_get(services, "services"); /* a wrapped list */
    if (!json_is_array(services))
        return ck_fail(err, errlen, CK_ERR_PARSE, "services: expected a list of services");
    size_t n = json_array_size(services);
    cat->services = calloc(n ? n : 1, sizeof *cat->services);
    if (!cat->services)
        return CK_ERR_NOMEM;
    size_t i;
    json_t *js;
    enum ck_err rc = CK_OK;
    json_array_foreach(services, i, js)
    {
        if (!json_is_object(js))
            continue;
        struct ck_service *s = &cat->services[cat->n];
        s->code = field(js, "service_code");
        s->name = field(js, "service_name");
        s->description = field(js, "description");
        s->group = field(js, "group");
        s->keywords = field(js, "keywords");
        s->metadata = bool_of(json_object_get(js, "metadata"));
        const char *type = json_string_value(json_object_get(js, "type"));
        s->type = type && strcasecmp(type, "batch") == 0      ? CK_SVC_BATCH
                  : type && strcasecmp(type, "blackbox") == 0 ? CK_SVC_BLACKBOX
                                                              : CK_SVC_REALTIME;
        cat->n++;
        if (!s->code || !s->name || !s->description || !s->group || !s->keywords) {
            rc = CK_ERR_NOMEM;
            break;
        }
        if (!*s->code) {
            rc = ck_fail(err, errlen, CK_ERR_PARSE, "services[%zu]: no service_code", i);
            break;
        }
        if (ck_catalog_find(&(struct ck_catalog){cat->services, cat->n - 1}, s->code)) {
            rc = ck_fail(err, errlen, CK_ERR_PARSE, "services[%zu]: duplicate service_code %s", i,
                         s->code);
            break;
        }
        if (!*s->name) {
            free(s->name);
            s->name = strdup(s->code);
        }
        const json_t *def = definitions ? find_definition(definitions, s->code) : NULL;
        if (s->metadata && def && (rc = parse_definition(def, s, err, errlen)))
            break;
    }
    if (rc)
        ck_catalog_free(cat);
    return rc;
}
