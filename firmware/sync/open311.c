/* open311.c: Open311 GeoReport v2 replies (XML through expat, JSON through jansson) normalised
 * into one jansson tree, and the typed readers over that tree.
 *
 * Pure functions over byte buffers; any thread. Knows nothing of HTTP, the worker, the store or
 * the UI: bytes in, trees and plain structs out. Includes only core/ headers of ours. */
#include "sync/open311.h"

#include <expat.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/utf8.h"

#define MAX_DEPTH 32 /* deeper than any GeoReport reply (a definition's <key> is at 6) */
#define MOD "open311"

/* The list wrappers and the name of their items (Open311 plus the `notes` extension). */
static const struct {
    const char *wrapper, *item;
} LISTS[] = {
    {"services", "service"},     {"service_requests", "request"},
    {"attributes", "attribute"}, {"values", "value"},
    {"errors", "error"},         {"endpoints", "endpoint"},
    {"formats", "format"},       {"notes", "note"},
};

static const char *item_of(const char *wrapper)
{
    for (size_t i = 0; i < sizeof LISTS / sizeof LISTS[0]; i++)
        if (strcmp(wrapper, LISTS[i].wrapper) == 0)
            return LISTS[i].item;
    return NULL;
}

static const char *wrapper_of(const char *item)
{
    for (size_t i = 0; i < sizeof LISTS / sizeof LISTS[0]; i++)
        if (strcmp(item, LISTS[i].item) == 0)
            return LISTS[i].wrapper;
    return NULL;
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool ascii_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool eq_nocase(const char *a, const char *b)
{
    while (*a && ascii_lower(*a) == ascii_lower(*b))
        a++, b++;
    return ascii_lower(*a) == ascii_lower(*b);
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* The longest prefix of the valid UTF-8 string s that fits in n bytes and ends on a boundary. */
static size_t utf8_fit(const char *s, size_t len, size_t n)
{
    if (len <= n)
        return len;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* Copies s into dst (size dstlen > 0), cut on a character boundary when it does not fit. */
static void copy_clip(char *dst, size_t dstlen, const char *s)
{
    size_t n = s ? utf8_fit(s, strlen(s), dstlen - 1) : 0;
    memcpy(dst, s ? s : "", n);
    dst[n] = '\0';
}

/* Replaces control characters of a one-line message by '?' (jansson quotes input in errors). */
static void one_line(char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7F)
            *s = '?';
}

/* Byte offset of the first malformed UTF-8 sequence in s[0..len), or SIZE_MAX when none. */
static size_t utf8_bad_offset(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = ck_utf8_decode(s + i, len - i, &cp);
        if (cp == 0xFFFD && n == 1)
            return i;
        i += n;
    }
    return SIZE_MAX;
}

static size_t line_of(const char *s, size_t off)
{
    size_t line = 1;
    for (size_t i = 0; i < off; i++)
        line += s[i] == '\n';
    return line;
}

/* ---- formats ---- */

const char *ck_o311_format_ext(enum ck_o311_format f)
{
    return f == CK_O311_JSON ? "json" : "xml";
}

bool ck_o311_format_parse(const char *s, enum ck_o311_format *out)
{
    if (s && eq_nocase(s, "xml"))
        *out = CK_O311_XML;
    else if (s && eq_nocase(s, "json"))
        *out = CK_O311_JSON;
    else
        return false;
    return true;
}

bool ck_o311_multi_parse(const char *s, enum ck_o311_multi *out)
{
    if (s && eq_nocase(s, "brackets"))
        *out = CK_O311_MULTI_BRACKETS;
    else if (s && eq_nocase(s, "repeat"))
        *out = CK_O311_MULTI_REPEAT;
    else
        return false;
    return true;
}

/* ---- shapes shared by both formats ---- */

/* A service definition is always an object with an "attributes" array. Takes v. */
static json_t *as_definition(json_t *v)
{
    if (!json_is_object(v)) {
        json_decref(v);
        v = json_object();
    }
    if (v && !json_object_get(v, "attributes") &&
        json_object_set_new(v, "attributes", json_array()) != 0) {
        json_decref(v);
        return NULL;
    }
    return v;
}

/* ---- XML -> tree ---- */

struct xframe {
    char *name;         /* local name (after any namespace prefix) */
    const char *item;   /* the item name when this element is a list wrapper */
    json_t *obj;        /* children that are not list items */
    json_t *items;      /* list items, when a wrapper */
    struct ck_buf text; /* character data while the element has no child elements */
    bool has_children;
};

struct xstate {
    XML_Parser p;
    struct xframe stack[MAX_DEPTH];
    int depth;
    json_t *root;
    char *root_name;
    bool stopped;
    bool other_encoding; /* the declaration names an encoding other than UTF-8 */
    unsigned long line0; /* blank lines skipped before the document */
    char reason[160];    /* why we stopped the parser */
};

static void xframe_deinit(struct xframe *f)
{
    free(f->name);
    json_decref(f->obj);
    json_decref(f->items);
    ck_buf_deinit(&f->text);
    memset(f, 0, sizeof *f);
}

static void x_stop(struct xstate *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void x_stop(struct xstate *x, const char *fmt, ...)
{
    if (x->stopped)
        return;
    char what[96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(x->reason, sizeof x->reason, "XML: %s at line %lu, column %lu", what,
             x->line0 + (unsigned long)XML_GetCurrentLineNumber(x->p),
             (unsigned long)XML_GetCurrentColumnNumber(x->p) + 1);
    x->stopped = true;
    XML_StopParser(x->p, XML_FALSE);
}

static const char *local_name(const char *name)
{
    const char *colon = strrchr(name, ':');
    return colon ? colon + 1 : name;
}

static void XMLCALL x_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    (void)attrs; /* attributes carry nothing in GeoReport: xmlns, Gießen's is_array="true" */
    struct xstate *x = ud;
    if (x->stopped)
        return;
    if (x->depth == MAX_DEPTH) {
        x_stop(x, "nesting deeper than %d", MAX_DEPTH);
        return;
    }
    if (x->depth > 0) {
        struct xframe *parent = &x->stack[x->depth - 1];
        if (!parent->has_children) /* text before the first child is layout, not content */
            ck_buf_clear(&parent->text);
        parent->has_children = true;
    }
    struct xframe *f = &x->stack[x->depth];
    memset(f, 0, sizeof *f);
    ck_buf_init(&f->text);
    f->name = dup_str(local_name(name));
    if (!f->name) {
        x_stop(x, "out of memory");
        return;
    }
    f->item = item_of(f->name);
    x->depth++;
}

static void XMLCALL x_text(void *ud, const XML_Char *s, int len)
{
    struct xstate *x = ud;
    if (x->stopped || x->depth == 0)
        return;
    struct xframe *f = &x->stack[x->depth - 1];
    if (!f->has_children && ck_buf_append(&f->text, s, (size_t)len) != CK_OK)
        x_stop(x, "out of memory");
}

static bool is_xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The value of a closed element; moves ownership out of f. NULL on allocation failure. */
static json_t *xframe_value(struct xframe *f)
{
    if (!f->has_children) {
        const char *s = ck_buf_str(&f->text);
        size_t a = 0, b = f->text.len;
        while (a < b && is_xml_space(s[a]))
            a++;
        while (b > a && is_xml_space(s[b - 1]))
            b--;
        if (f->item && a == b)
            return json_array(); /* an empty list wrapper: <values/> */
        return json_stringn(s + a, b - a);
    }
    json_t *v;
    if (f->item && f->items) {
        v = f->items; /* items win; stray non-item children of a wrapper are dropped */
        f->items = NULL;
    } else {
        v = f->obj ? f->obj : json_object();
        f->obj = NULL;
    }
    return v;
}

/* Adds a closed child's value (taken) to its parent. False on allocation failure. */
static bool xattach(struct xframe *parent, const char *name, json_t *v)
{
    if (parent->item && strcmp(name, parent->item) == 0) {
        if (!parent->items && !(parent->items = json_array())) {
            json_decref(v);
            return false;
        }
        return json_array_append_new(parent->items, v) == 0;
    }
    if (!parent->obj && !(parent->obj = json_object())) {
        json_decref(v);
        return false;
    }
    const char *w = wrapper_of(name);
    if (w && json_is_object(v)) {
        /* An item outside its wrapper, as in <service_definition><attribute>…: collect it. A
         * text-only item (an attribute's <value>) stays a plain field. */
        json_t *arr = json_object_get(parent->obj, w);
        if (!arr) {
            arr = json_array();
            if (!arr || json_object_set_new(parent->obj, w, arr) != 0) {
                json_decref(v);
                return false;
            }
        }
        if (json_is_array(arr))
            return json_array_append_new(arr, v) == 0;
        json_decref(v);
        return true;
    }
    json_t *old = json_object_get(parent->obj, name);
    if (old) {
        /* Stray items then their list are merged; any other repeated field: the first wins. */
        bool ok = true;
        if (json_is_array(old) && json_is_array(v) && item_of(name))
            ok = json_array_extend(old, v) == 0;
        json_decref(v);
        return ok;
    }
    return json_object_set_new(parent->obj, name, v) == 0;
}

static void XMLCALL x_end(void *ud, const XML_Char *name)
{
    (void)name;
    struct xstate *x = ud;
    if (x->stopped || x->depth == 0)
        return;
    struct xframe *f = &x->stack[x->depth - 1];
    json_t *v = xframe_value(f);
    if (!v) {
        x_stop(x, "out of memory, or text that is not UTF-8");
        return;
    }
    x->depth--;
    if (x->depth == 0) {
        x->root = v;
        x->root_name = f->name;
        f->name = NULL;
    } else if (!xattach(&x->stack[x->depth - 1], f->name, v)) {
        xframe_deinit(f);
        x_stop(x, "out of memory");
        return;
    }
    xframe_deinit(f);
}

/* Any DOCTYPE is refused before its internal subset is read: no entity declarations means no
 * entity expansion (billion laughs) and no external entities (file:// or http:// reads). */
static void XMLCALL x_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                              const XML_Char *pubid, int has_internal_subset)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    x_stop(ud, "a DOCTYPE is not allowed (no DTDs or entity declarations)");
}

static void XMLCALL x_entity(void *ud, const XML_Char *name, int is_param, const XML_Char *value,
                             int value_len, const XML_Char *base, const XML_Char *sysid,
                             const XML_Char *pubid, const XML_Char *notation)
{
    (void)name, (void)is_param, (void)value, (void)value_len, (void)base, (void)sysid;
    (void)pubid, (void)notation;
    x_stop(ud, "an entity declaration is not allowed");
}

/* A declared Latin-1 document is read as Latin-1 (expat converts it); only an undeclared or UTF-8
 * one is judged as UTF-8 when it fails. */
static void XMLCALL x_decl(void *ud, const XML_Char *version, const XML_Char *encoding,
                           int standalone)
{
    (void)version, (void)standalone;
    struct xstate *x = ud;
    x->other_encoding = encoding && !eq_nocase(encoding, "UTF-8") && !eq_nocase(encoding, "UTF8");
}

/* The root element is dropped: a list wrapper gives its array, a lone item where a list belongs
 * gives a one-item array, a service_definition an object with attributes. Takes v. */
static json_t *xml_shape_root(const char *name, json_t *v)
{
    if (strcmp(name, "service_definition") == 0)
        return as_definition(v);
    if (wrapper_of(name)) {
        json_t *arr = json_array();
        if (!arr || json_array_append_new(arr, v) != 0) {
            json_decref(arr);
            return NULL;
        }
        return arr;
    }
    return v;
}

static json_t *parse_xml(const char *body, size_t len, char *err, size_t errlen)
{
    size_t skip = 0;
    unsigned long line0 = 0;
    while (skip < len && is_xml_space(body[skip])) /* PHP servers often send a newline first */
        line0 += body[skip++] == '\n';
    body += skip, len -= skip;
    if (len == 0) {
        ck_fail(err, errlen, CK_ERR_PARSE, "XML: empty reply");
        return NULL;
    }
    struct xstate *x = calloc(1, sizeof *x);
    if (!x || !(x->p = XML_ParserCreate(NULL))) {
        free(x);
        ck_fail(err, errlen, CK_ERR_NOMEM, "XML: out of memory");
        return NULL;
    }
    x->line0 = line0;
    XML_SetUserData(x->p, x);
    XML_SetXmlDeclHandler(x->p, x_decl);
    XML_SetElementHandler(x->p, x_start, x_end);
    XML_SetCharacterDataHandler(x->p, x_text);
    XML_SetStartDoctypeDeclHandler(x->p, x_doctype);
    XML_SetEntityDeclHandler(x->p, x_entity);
    XML_SetParamEntityParsing(x->p, XML_PARAM_ENTITY_PARSING_NEVER);

    json_t *tree = NULL;
    if (XML_Parse(x->p, body, (int)len, XML_TRUE) == XML_STATUS_OK && !x->stopped && x->root) {
        tree = xml_shape_root(x->root_name, x->root);
        x->root = NULL;
        if (!tree)
            ck_fail(err, errlen, CK_ERR_NOMEM, "XML: out of memory");
    } else if (x->stopped) {
        ck_fail(err, errlen, CK_ERR_PARSE, "%s", x->reason);
    } else {
        enum XML_Error code = XML_GetErrorCode(x->p);
        size_t bad = utf8_bad_offset(body, len);
        if (bad != SIZE_MAX && !x->other_encoding &&
            (code == XML_ERROR_INVALID_TOKEN || code == XML_ERROR_PARTIAL_CHAR ||
             code == XML_ERROR_UNCLOSED_TOKEN))
            ck_fail(err, errlen, CK_ERR_PARSE, "XML: invalid UTF-8 at byte %zu, line %zu",
                    bad + skip, line0 + line_of(body, bad));
        else
            ck_fail(err, errlen, CK_ERR_PARSE, "XML: %s at line %lu, column %lu",
                    XML_ErrorString(code), line0 + (unsigned long)XML_GetCurrentLineNumber(x->p),
                    (unsigned long)XML_GetCurrentColumnNumber(x->p) + 1);
    }
    for (int i = 0; i < x->depth; i++)
        xframe_deinit(&x->stack[i]);
    json_decref(x->root);
    free(x->root_name);
    XML_ParserFree(x->p);
    free(x);
    return tree;
}

/* ---- JSON -> tree ---- */

static bool too_deep(const json_t *v, int depth)
{
    if (depth > MAX_DEPTH)
        return true;
    size_t i;
    const char *k;
    json_t *c;
    if (json_is_array(v)) {
        json_array_foreach(v, i, c)
        {
            if (too_deep(c, depth + 1))
                return true;
        }
    } else if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, c)
        {
            if (too_deep(c, depth + 1))
                return true;
        }
    }
    return false;
}

/* Is e an object {"item": x} left by a naive XML-to-JSON conversion? item NULL: any item name. */
static json_t *lone_item(json_t *e, const char *item)
{
    if (!json_is_object(e) || json_object_size(e) != 1)
        return NULL;
    const char *k = json_object_iter_key(json_object_iter(e));
    return (item ? strcmp(k, item) == 0 : wrapper_of(k) != NULL) ? json_object_get(e, k) : NULL;
}

/* The value of a list wrapper as a new array of its items: [...] with any {"item": x} elements
 * opened, {"item": [...]} opened, null or "" as []. A lone object becomes [object] when
 * wrap_single. NULL when v is best left as it is, or on allocation failure. */
static json_t *as_list(json_t *v, const char *item, bool wrap_single)
{
    json_t *out = NULL;
    if (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
        return json_array();
    if (json_is_object(v)) {
        json_t *inner = lone_item(v, item);
        if (json_is_array(inner))
            return as_list(inner, item, true);
        if (!inner && !wrap_single)
            return NULL;
        out = json_array();
        if (out && json_array_append(out, inner ? inner : v) != 0) {
            json_decref(out);
            return NULL;
        }
        return out;
    }
    if (!json_is_array(v) || !(out = json_array()))
        return NULL;
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        json_t *inner = lone_item(e, item);
        int rc = !inner                 ? json_array_append(out, e)
                 : json_is_array(inner) ? json_array_extend(out, inner)
                                        : json_array_append(out, inner);
        if (rc != 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

/* Opens nested list wrappers ("attributes": {"attribute": [...]}, "values": null) in place. */
static bool normalise_nested(json_t *v)
{
    size_t i;
    const char *k;
    json_t *c;
    if (json_is_array(v)) {
        json_array_foreach(v, i, c)
        {
            if (!normalise_nested(c))
                return false;
        }
        return true;
    }
    if (!json_is_object(v))
        return true;
    json_object_foreach(v, k, c)
    {
        const char *item = item_of(k);
        /* "attributes" of a request may be a map of code -> value: never wrap that. */
        bool wrap = strcmp(k, "attributes") != 0 || json_object_get(c, "code") != NULL;
        json_t *list = item ? as_list(c, item, wrap) : NULL;
        if (list) {
            if (json_object_set_new(v, k, list) != 0) /* replaces in place: iteration stays valid */
                return false;
            c = list;
        }
        if (!normalise_nested(c))
            return false;
    }
    return true;
}

/* A reply wrapped in an object becomes the top-level array (or definition object) the spec
 * describes. Takes t; NULL on allocation failure. */
static json_t *normalise_json(json_t *t)
{
    json_t *top = t;
    if (json_is_object(t)) {
        json_t *def = json_object_get(t, "service_definition");
        const char *key = json_object_size(t) == 1 ? json_object_iter_key(json_object_iter(t)) : "";
        json_t *list = NULL;
        static const char *const TOP[] = {"services", "service_requests", "errors"};
        for (size_t i = 0; i < sizeof TOP / sizeof TOP[0] && !def; i++) {
            json_t *w = json_object_get(t, TOP[i]);
            if (json_is_array(w) || json_is_object(w)) {
                list = as_list(w, item_of(TOP[i]), true);
                break;
            }
        }
        if (def && json_is_object(def)) {
            top = as_definition(json_incref(def));
        } else if (list) {
            top = list;
        } else if (wrapper_of(key)) { /* {"request": {...}} */
            top = as_list(t, key, true);
        } else if (json_object_get(t, "attributes") || json_object_get(t, "endpoints")) {
            top = json_incref(t); /* a service definition or a discovery document */
        } else {
            /* A single object where a list belongs. */
            top = json_array();
            if (top && json_array_append(top, t) != 0) {
                json_decref(top);
                top = NULL;
            }
        }
        json_decref(t);
    } else if (json_is_array(t)) {
        top = as_list(t, NULL, true); /* [{"request": {...}}] from converted XML */
        json_decref(t);
    }
    if (top && !normalise_nested(top)) {
        json_decref(top);
        top = NULL;
    }
    return top;
}

static json_t *parse_json(const char *body, size_t len, char *err, size_t errlen)
{
    size_t bad = utf8_bad_offset(body, len);
    if (bad != SIZE_MAX) {
        ck_fail(err, errlen, CK_ERR_PARSE, "JSON: invalid UTF-8 at byte %zu, line %zu", bad,
                line_of(body, bad));
        return NULL;
    }
    if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0) /* a BOM, as .NET servers send */
        body += 3, len -= 3;
    size_t skip = 0;
    while (skip < len && is_xml_space(body[skip]))
        skip++;
    if (skip == len) {
        ck_fail(err, errlen, CK_ERR_PARSE, "JSON: empty reply");
        return NULL;
    }
    json_error_t je;
    json_t *t = json_loadb(body, len, 0, &je);
    if (!t) {
        ck_fail(err, errlen, CK_ERR_PARSE, "JSON: %s at line %d, column %d", je.text, je.line,
                je.column);
        one_line(err);
        return NULL;
    }
    if (too_deep(t, 1)) {
        json_decref(t);
        ck_fail(err, errlen, CK_ERR_PARSE, "JSON: nesting deeper than %d", MAX_DEPTH);
        return NULL;
    }
    json_t *top = normalise_json(t);
    if (!top)
        ck_fail(err, errlen, CK_ERR_NOMEM, "JSON: out of memory");
    return top;
}

json_t *ck_o311_parse(const char *body, size_t len, enum ck_o311_format fmt, char *err,
                      size_t errlen)
{
    const char *name = fmt == CK_O311_JSON ? "JSON" : "XML";
    if (err && errlen)
        err[0] = '\0';
    if (!body && len) {
        ck_fail(err, errlen, CK_ERR_PARSE, "%s: no reply body", name);
        return NULL;
    }
    if (len > CK_O311_MAX_REPLY) {
        ck_fail(err, errlen, CK_ERR_PARSE, "%s: reply of %zu bytes is larger than %u", name, len,
                CK_O311_MAX_REPLY);
        return NULL;
    }
    return fmt == CK_O311_JSON ? parse_json(body ? body : "", len, err, errlen)
                               : parse_xml(body ? body : "", len, err, errlen);
}

/* ---- readers ---- */

static const char *real_text(double d, char *tmp, size_t tmplen)
{
    for (int prec = 15; prec <= 17; prec++) { /* the shortest form that reads back the same */
        snprintf(tmp, tmplen, "%.*g", prec, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    return tmp;
}

const char *ck_o311_str(const json_t *obj, const char *key, char *tmp, size_t tmplen)
{
    const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    if (json_is_string(v))
        return json_string_length(v) ? json_string_value(v) : NULL;
    if (json_is_true(v))
        return "true";
    if (json_is_false(v))
        return "false";
    if (!json_is_number(v) || !tmp || !tmplen)
        return NULL;
    if (json_is_integer(v)) {
        snprintf(tmp, tmplen, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return tmp;
    }
    return real_text(json_real_value(v), tmp, tmplen);
}

bool ck_o311_bool(const json_t *obj, const char *key)
{
    const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    if (json_is_boolean(v))
        return json_is_true(v);
    if (json_is_integer(v))
        return json_integer_value(v) == 1;
    return json_is_string(v) &&
           (eq_nocase(json_string_value(v), "true") || strcmp(json_string_value(v), "1") == 0);
}

/* An id or code: its text, or NULL when absent, null or "". Sets *bad when the value is of a type
 * no server means as an id (object, array, boolean). */
static const char *id_text(const json_t *o, const char *key, char *tmp, size_t tmplen, bool *bad)
{
    const json_t *v = json_object_get(o, key);
    *bad = v && (json_is_object(v) || json_is_array(v) || json_is_boolean(v));
    return *bad ? NULL : ck_o311_str(o, key, tmp, tmplen);
}

static const char *type_name(const json_t *v)
{
    return json_is_object(v) ? "an object" : json_is_array(v) ? "a list" : "true/false";
}

/* Reads an id into dst; fails on a wrong type or when it does not fit (a cut id is a wrong id). */
static enum ck_err read_id(const json_t *o, const char *key, char *dst, size_t dstlen,
                           const char *what, char *err, size_t errlen)
{
    char tmp[64];
    bool bad;
    const char *s = id_text(o, key, tmp, sizeof tmp, &bad);
    dst[0] = '\0';
    if (bad)
        return ck_fail(err, errlen, CK_ERR_PARSE, "%s: %s is %s, not text", what, key,
                       type_name(json_object_get(o, key)));
    if (s && strlen(s) >= dstlen)
        return ck_fail(err, errlen, CK_ERR_PARSE, "%s: %s is too long (%zu bytes)", what, key,
                       strlen(s));
    if (s)
        memcpy(dst, s, strlen(s) + 1);
    return CK_OK;
}

/* Appends src to out at *pos, control characters (C0, DEL, C1) and runs of whitespace becoming
 * one space, stopping on a character boundary before the buffer is full. */
static void append_clean(char *out, size_t outlen, size_t *pos, const char *src)
{
    size_t len = strlen(src), i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = ck_utf8_decode(src + i, len - i, &cp);
        bool ctl = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
        if (ctl || cp == ' ') {
            if (*pos > 0 && out[*pos - 1] != ' ' && *pos + 1 < outlen)
                out[(*pos)++] = ' ';
        } else {
            if (*pos + n >= outlen)
                break;
            memcpy(out + *pos, src + i, n);
            *pos += n;
        }
        i += n;
    }
    out[*pos] = '\0';
}

/* An error item: text, or a {code, description} object without a field of a request or a
 * service (a request too has a description). */
static bool is_error_item(const json_t *e)
{
    static const char *const NOT[] = {"service_request_id", "token",          "service_code",
                                      "service_name",       "service_notice", "status",
                                      "requested_datetime", "attributes"};
    if (json_is_string(e))
        return json_string_length(e) > 0;
    if (!json_is_object(e))
        return false;
    for (size_t i = 0; i < sizeof NOT / sizeof NOT[0]; i++)
        if (json_object_get(e, NOT[i]))
            return false;
    return json_object_get(e, "code") || json_object_get(e, "description") ||
           json_object_get(e, "message");
}

bool ck_o311_error_text(const json_t *tree, char *out, size_t outlen)
{
    if (!out || !outlen)
        return false;
    out[0] = '\0';
    if (json_is_object(tree) && json_is_array(json_object_get(tree, "errors")))
        tree = json_object_get(tree, "errors");
    const json_t *e = tree;
    if (json_is_array(tree)) {
        e = json_array_get(tree, 0);
        if (json_is_string(e) && json_array_size(tree) != 1)
            return false; /* a list of texts (formats), not an error */
    }
    if (!is_error_item(e))
        return false;
    char t1[64], t2[64];
    const char *code = json_is_string(e) ? NULL : ck_o311_str(e, "code", t1, sizeof t1);
    const char *desc =
        json_is_string(e) ? json_string_value(e) : ck_o311_str(e, "description", t2, sizeof t2);
    if (!desc)
        desc = ck_o311_str(e, "message", t2, sizeof t2);
    if (!code && !desc)
        return false;
    size_t pos = 0;
    if (code)
        append_clean(out, outlen, &pos, code);
    if (code && desc)
        append_clean(out, outlen, &pos, ": ");
    if (desc)
        append_clean(out, outlen, &pos, desc);
    while (pos > 0 && out[pos - 1] == ' ')
        out[--pos] = '\0';
    return pos > 0;
}

/* Fails when the tree is an error reply (a 200 carrying an error must not pass as success). */
static enum ck_err refuse_error(const json_t *tree, const char *what, char *err, size_t errlen)
{
    char text[200];
    if (ck_o311_error_text(tree, text, sizeof text))
        return ck_fail(err, errlen, CK_ERR_PARSE, "%s: the server answered with an error: %s", what,
                       text);
    return CK_OK;
}

enum ck_err ck_o311_post_reply(const json_t *tree, bool blackbox, struct ck_o311_post_reply *out,
                               char *err, size_t errlen)
{
    static const char what[] = "POST reply";
    memset(out, 0, sizeof *out);
    enum ck_err rc = refuse_error(tree, what, err, errlen);
    if (rc)
        return rc;
    if (json_is_array(tree) && json_array_size(tree) == 0) {
        if (blackbox)
            return CK_OK;
        return ck_fail(err, errlen, CK_ERR_PARSE, "%s: the list of requests is empty", what);
    }
    const json_t *r = json_is_array(tree) ? json_array_get(tree, 0) : tree;
    if (!json_is_object(r))
        return ck_fail(err, errlen, CK_ERR_PARSE, "%s: expected a request, not %s", what,
                       json_is_array(r) ? "a list" : "a single value");
    if ((rc = read_id(r, "service_request_id", out->service_request_id,
                      sizeof out->service_request_id, what, err, errlen)) ||
        (rc = read_id(r, "token", out->token, sizeof out->token, what, err, errlen)))
        return rc;
    if (out->service_request_id[0])
        out->token[0] = '\0'; /* never both; the id is the final answer */
    char tmp[64];
    copy_clip(out->service_notice, sizeof out->service_notice,
              ck_o311_str(r, "service_notice", tmp, sizeof tmp));
    if (!out->service_request_id[0] && !out->token[0] && !blackbox)
        return ck_fail(err, errlen, CK_ERR_PARSE, "%s: neither a service_request_id nor a token",
                       what);
    return CK_OK;
}

enum ck_err ck_o311_token_reply(const json_t *tree, char *id, size_t idlen, char *err,
                                size_t errlen)
{
    static const char what[] = "token reply";
    if (idlen)
        id[0] = '\0';
    enum ck_err rc = refuse_error(tree, what, err, errlen);
    if (rc)
        return rc;
    if (json_is_array(tree) && json_array_size(tree) == 0)
        return CK_OK; /* nothing assigned yet */
    const json_t *r = json_is_array(tree) ? json_array_get(tree, 0) : tree;
    if (!json_is_object(r))
        return ck_fail(err, errlen, CK_ERR_PARSE, "%s: expected a request, not %s", what,
                       json_is_array(r) ? "a list" : "a single value");
    if (!json_object_get(r, "token") && !json_object_get(r, "service_request_id"))
        return ck_fail(err, errlen, CK_ERR_PARSE, "%s: neither a token nor a service_request_id",
                       what);
    return read_id(r, "service_request_id", id, idlen, what, err, errlen);
}

/* The value of the receipt attribute in "attributes" or "extended_attributes": a map of
 * code -> value, or a list of {code, value}. */
static const char *receipt_value(const json_t *req, const char *code, char *tmp, size_t tmplen)
{
    static const char *const KEYS[] = {"attributes", "extended_attributes"};
    for (size_t k = 0; k < 2; k++) {
        const json_t *a = json_object_get(req, KEYS[k]);
        const char *v = json_is_object(a) ? ck_o311_str(a, code, tmp, tmplen) : NULL;
        if (v)
            return v;
        size_t i;
        json_t *e;
        json_array_foreach(a, i, e)
        {
            char ctmp[64];
            const char *c = ck_o311_str(e, "code", ctmp, sizeof ctmp);
            if (c && strcmp(c, code) == 0 && (v = ck_o311_str(e, "value", tmp, tmplen)))
                return v;
        }
    }
    return NULL;
}

/* Fills r from one item; false when the item has no usable id or token (it is skipped). */
static enum ck_err read_request(const json_t *o, size_t idx, const char *receipt_code,
                                struct ck_o311_request *r, bool *keep)
{
    char detail[CK_ERR_LEN], tmp[64], what[40];
    *keep = false;
    snprintf(what, sizeof what, "requests[%zu]", idx);
    if (read_id(o, "service_request_id", r->service_request_id, sizeof r->service_request_id, what,
                detail, sizeof detail) ||
        read_id(o, "token", r->token, sizeof r->token, what, detail, sizeof detail)) {
        ck_warn(MOD, "%s; item skipped", detail);
        return CK_OK;
    }
    if (!r->service_request_id[0] && !r->token[0])
        return CK_OK; /* Chicago lists requests with neither: nothing can be matched to them */
    copy_clip(r->service_code, sizeof r->service_code,
              ck_o311_str(o, "service_code", tmp, sizeof tmp));
    const char *status = ck_o311_str(o, "status", tmp, sizeof tmp);
    copy_clip(r->status, sizeof r->status,
              status && eq_nocase(status, "open")     ? "open"
              : status && eq_nocase(status, "closed") ? "closed"
                                                      : "");
    copy_clip(r->status_notes, sizeof r->status_notes,
              ck_o311_str(o, "status_notes", tmp, sizeof tmp));
    /* Datetimes only as text, and whole or not at all: a cut one would read as another time. */
    const char *t = json_string_value(json_object_get(o, "requested_datetime"));
    copy_clip(r->requested_datetime, sizeof r->requested_datetime,
              t && strlen(t) < sizeof r->requested_datetime ? t : "");
    t = json_string_value(json_object_get(o, "updated_datetime"));
    copy_clip(r->updated_datetime, sizeof r->updated_datetime,
              t && strlen(t) < sizeof r->updated_datetime ? t : "");
    const char *d = ck_o311_str(o, "description", tmp, sizeof tmp);
    if (d && !(r->description = dup_str(d)))
        return CK_ERR_NOMEM;
    const char *rv = receipt_code ? receipt_value(o, receipt_code, tmp, sizeof tmp) : NULL;
    if (rv && !(r->receipt_attr = dup_str(rv)))
        return CK_ERR_NOMEM;
    *keep = true;
    return CK_OK;
}

enum ck_err ck_o311_requests(const json_t *tree, const char *receipt_code,
                             struct ck_o311_request **out, size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    enum ck_err rc = refuse_error(tree, "requests", err, errlen);
    if (rc)
        return rc;
    if (!json_is_array(tree) && !json_is_object(tree))
        return ck_fail(err, errlen, CK_ERR_PARSE, "requests: expected a list of requests");
    size_t total = json_is_array(tree) ? json_array_size(tree) : 1;
    struct ck_o311_request *r = calloc(total ? total : 1, sizeof *r);
    if (!r)
        return ck_fail(err, errlen, CK_ERR_NOMEM, "requests: out of memory");
    size_t kept = 0;
    for (size_t i = 0; i < total; i++) {
        const json_t *o = json_is_array(tree) ? json_array_get(tree, i) : tree;
        if (!json_is_object(o))
            continue;
        bool keep;
        if (read_request(o, i, receipt_code, &r[kept], &keep)) {
            ck_o311_requests_free(r, kept + 1);
            return ck_fail(err, errlen, CK_ERR_NOMEM, "requests: out of memory");
        }
        if (keep)
            kept++;
        else
            memset(&r[kept], 0, sizeof r[kept]);
    }
    *out = r;
    *n = kept;
    return CK_OK;
}

void ck_o311_requests_free(struct ck_o311_request *r, size_t n)
{
    if (!r)
        return;
    for (size_t i = 0; i < n; i++) { /* descriptions may hold personal data: wipe them */
        if (r[i].description)
            memset(r[i].description, 0, strlen(r[i].description));
        free(r[i].description);
        free(r[i].receipt_attr);
    }
    memset(r, 0, n * sizeof *r);
    free(r);
}

/* A receipt code without separators, upper-cased, into out (size outlen); false if empty. */
static bool receipt_norm(const char *s, char *out, size_t outlen)
{
    size_t o = 0;
    for (; s && *s; s++) {
        if (*s == '-' || *s == ' ')
            continue;
        if (!ascii_alnum(*s) || o + 1 >= outlen)
            return false;
        out[o++] = *s >= 'a' && *s <= 'z' ? (char)(*s - 'a' + 'A') : *s;
    }
    out[o] = '\0';
    return o > 0;
}

/* Is the code `want` (normalised) a whole word of text, grouped with hyphens/spaces or not? */
static bool text_has_code(const char *text, const char *want)
{
    for (size_t i = 0; text[i]; i++) {
        if (i > 0 && ascii_alnum(text[i - 1]))
            continue;
        size_t j = 0, k = i;
        while (want[j]) {
            char c = text[k];
            if (j > 0 && (c == '-' || c == ' ')) {
                k++;
                continue;
            }
            if (ascii_lower(c) != ascii_lower(want[j]))
                break;
            j++, k++;
        }
        if (!want[j] && !ascii_alnum(text[k]))
            return true;
    }
    return false;
}

bool ck_o311_request_matches(const struct ck_o311_request *r, const char *receipt)
{
    char want[32], got[32];
    if (!r || !receipt_norm(receipt, want, sizeof want))
        return false;
    if (r->receipt_attr && receipt_norm(r->receipt_attr, got, sizeof got) && strcmp(got, want) == 0)
        return true;
    return r->description && text_has_code(r->description, want);
}

/* ---- time ---- */

static bool digits(const char **p, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (**p < '0' || **p > '9')
            return false;
        *v = *v * 10 + (**p - '0');
    }
    return true;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's algorithm). */
static long long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int DAYS[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : DAYS[m - 1];
}

bool ck_o311_time(const char *s, time_t *out)
{
    int Y, M, D, h, m, sec = 0, oh = 0, om = 0;
    if (!s || !digits(&s, 4, &Y) || *s++ != '-' || !digits(&s, 2, &M) || *s++ != '-' ||
        !digits(&s, 2, &D))
        return false;
    if (*s != 'T' && *s != 't' && *s != ' ') /* a space: what some servers write */
        return false;
    s++;
    if (!digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &m))
        return false;
    if (*s == ':') {
        s++;
        if (!digits(&s, 2, &sec))
            return false;
        if (*s == '.' || *s == ',') { /* fractional seconds: read and dropped */
            s++;
            if (*s < '0' || *s > '9')
                return false;
            while (*s >= '0' && *s <= '9')
                s++;
        }
    }
    if (M < 1 || M > 12 || D < 1 || D > days_in_month(Y, M) || h > 23 || m > 59 || sec > 60)
        return false;
    if (*s == '\0') { /* no zone (Chicago): local time of the process TZ */
        struct tm tm = {.tm_year = Y - 1900,
                        .tm_mon = M - 1,
                        .tm_mday = D,
                        .tm_hour = h,
                        .tm_min = m,
                        .tm_sec = sec,
                        .tm_isdst = -1};
        time_t t = mktime(&tm);
        if (t == (time_t)-1 && !(Y == 1969 && M == 12 && D == 31))
            return false;
        *out = t;
        return true;
    }
    int sign = 0;
    if (*s == 'Z' || *s == 'z') {
        s++;
    } else if (*s == '+' || *s == '-') {
        sign = *s++ == '-' ? -1 : 1;
        if (!digits(&s, 2, &oh))
            return false;
        if (*s == ':')
            s++;
        if (*s && !digits(&s, 2, &om))
            return false;
        if (oh > 23 || om > 59)
            return false;
    }
    if (*s != '\0')
        return false;
    long long t = days_from_civil(Y, M, D) * 86400LL + h * 3600LL + m * 60LL + sec -
                  sign * (oh * 3600LL + om * 60LL);
    *out = (time_t)t;
    return true;
}
