/* i18n.c: a PO file reader (msgid/msgstr, continuation lines, escapes, fuzzy entries skipped)
 * and a hash table for lookups. Plural forms and contexts are not used by our strings. */
#include "core/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/utf8.h"

struct po_entry {
    char *msgid;
    char *msgstr;
};

struct ck_po {
    struct po_entry *slots; /* open addressing, power-of-two size */
    size_t nslots;
    size_t count;
};

static size_t hash(const char *s)
{
    size_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static enum ck_err po_put(struct ck_po *po, char *msgid, char *msgstr)
{
    if ((po->count + 1) * 2 > po->nslots) {
        size_t n = po->nslots ? po->nslots * 2 : 64;
        struct po_entry *slots = calloc(n, sizeof *slots);
        if (!slots)
            return CK_ERR_NOMEM;
        for (size_t i = 0; i < po->nslots; i++) {
            if (!po->slots[i].msgid)
                continue;
            size_t j = hash(po->slots[i].msgid) & (n - 1);
            while (slots[j].msgid)
                j = (j + 1) & (n - 1);
            slots[j] = po->slots[i];
        }
        free(po->slots);
        po->slots = slots;
        po->nslots = n;
    }
    size_t j = hash(msgid) & (po->nslots - 1);
    while (po->slots[j].msgid) {
        if (strcmp(po->slots[j].msgid, msgid) == 0) { /* a duplicate: the later one wins */
            free(po->slots[j].msgstr);
            free(msgid);
            po->slots[j].msgstr = msgstr;
            return CK_OK;
        }
        j = (j + 1) & (po->nslots - 1);
    }
    po->slots[j].msgid = msgid;
    po->slots[j].msgstr = msgstr;
    po->count++;
    return CK_OK;
}

/* Appends the contents of a quoted PO string at p to b, decoding escapes. */
static bool unquote(const char *p, struct ck_buf *b)
{
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p++ != '"')
        return false;
    for (; *p && *p != '"'; p++) {
        if (*p != '\\') {
            ck_buf_append(b, p, 1);
            continue;
        }
        p++;
        char c = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p == '"' ? '"' : *p == '\\' ? '\\' : 0;
        if (!c)
            return false;
        ck_buf_append(b, &c, 1);
    }
    if (*p != '"')
        return false;
    for (p++; *p == ' ' || *p == '\t' || *p == '\r'; p++)
        ;
    return *p == '\0';
}

enum field { F_NONE, F_ID, F_STR, F_SKIP };

struct parser {
    struct ck_po *po;
    struct ck_buf id, str;
    bool have_id, have_str, fuzzy, fuzzy_next;
    const char *name;
};

static void flush(struct parser *ps)
{
    if (ps->have_id && ps->have_str && !ps->fuzzy && ps->id.len && ps->str.len) {
        const char *id = ck_buf_str(&ps->id), *str = ck_buf_str(&ps->str);
        if (!ck_format_compatible(id, str)) {
            ck_warn("i18n", "%s: translation of \"%.40s\" has different %% conversions; ignored",
                    ps->name, id);
        } else {
            char *a = strdup(id), *b = strdup(str);
            if (a && b)
                po_put(ps->po, a, b);
            else
                free(a), free(b);
        }
    }
    ck_buf_clear(&ps->id);
    ck_buf_clear(&ps->str);
    ps->have_id = ps->have_str = false;
    ps->fuzzy = ps->fuzzy_next;
    ps->fuzzy_next = false;
}

struct ck_po *ck_po_parse(const char *text, size_t len, const char *name, char *err, size_t errlen)
{
    if (!ck_utf8_valid(text, len)) {
        ck_fail(err, errlen, CK_ERR_UTF8, "%s: not valid UTF-8", name);
        return NULL;
    }
    struct parser ps = {.name = name};
    ps.po = calloc(1, sizeof *ps.po);
    if (!ps.po)
        return NULL;
    ck_buf_init(&ps.id);
    ck_buf_init(&ps.str);
    enum field cur = F_NONE;
    int lineno = 0;
    const char *p = text, *end = text + len;
    bool ok = true;
    while (p < end && ok) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char *line = strndup(p, n);
        p += n + (nl ? 1 : 0);
        lineno++;
        if (!line)
            break;
        char *l = line;
        while (*l == ' ' || *l == '\t')
            l++;
        if (*l == '\0' || *l == '\r') {
            /* blank line: entries are separated, nothing to do */
        } else if (l[0] == '#') {
            if (l[1] == ',' && strstr(l, "fuzzy")) {
                if (ps.have_str)
                    flush(&ps), cur = F_NONE;
                ps.fuzzy = true;
            }
        } else if (strncmp(l, "msgctxt", 7) == 0 || strncmp(l, "msgid_plural", 12) == 0) {
            cur = F_SKIP;
        } else if (strncmp(l, "msgid", 5) == 0) {
            if (ps.have_id)
                flush(&ps);
            ps.have_id = true;
            cur = F_ID;
            ok = unquote(l + 5, &ps.id);
        } else if (strncmp(l, "msgstr[0]", 9) == 0 || strncmp(l, "msgstr", 6) == 0) {
            if (!ps.have_id) {
                ok = false;
            } else if (l[6] == '[' && strncmp(l, "msgstr[0]", 9) != 0) {
                cur = F_SKIP;
            } else {
                ps.have_str = true;
                cur = F_STR;
                ok = unquote(l + (l[6] == '[' ? 9 : 6), &ps.str);
            }
        } else if (l[0] == '"') {
            if (cur == F_ID)
                ok = unquote(l, &ps.id);
            else if (cur == F_STR)
                ok = unquote(l, &ps.str);
            else if (cur != F_SKIP)
                ok = false;
        } else {
            ok = false;
        }
        free(line);
    }
    if (ok)
        flush(&ps);
    ck_buf_deinit(&ps.id);
    ck_buf_deinit(&ps.str);
    if (!ok) {
        ck_fail(err, errlen, CK_ERR_PARSE, "%s:%d: not a valid PO line", name, lineno);
        ck_po_free(ps.po);
        return NULL;
    }
    return ps.po;
}

struct ck_po *ck_po_load(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        ck_fail(err, errlen, CK_ERR_IO, "%s: cannot open", path);
        return NULL;
    }
    struct ck_buf b;
    ck_buf_init(&b);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        ck_buf_append(&b, chunk, n);
    fclose(f);
    struct ck_po *po = ck_po_parse(ck_buf_str(&b), b.len, path, err, errlen);
    ck_buf_deinit(&b);
    return po;
}

void ck_po_free(struct ck_po *po)
{
    if (!po)
        return;
    for (size_t i = 0; i < po->nslots; i++) {
        free(po->slots[i].msgid);
        free(po->slots[i].msgstr);
    }
    free(po->slots);
    free(po);
}

const char *ck_po_get(const struct ck_po *po, const char *msgid)
{
    if (!po || !po->nslots)
        return NULL;
    size_t j = hash(msgid) & (po->nslots - 1);
    while (po->slots[j].msgid) {
        if (strcmp(po->slots[j].msgid, msgid) == 0)
            return po->slots[j].msgstr;
        j = (j + 1) & (po->nslots - 1);
    }
    return NULL;
}

size_t ck_po_count(const struct ck_po *po)
{
    return po ? po->count : 0;
}

void ck_po_each(const struct ck_po *po, void (*fn)(const char *, const char *, void *), void *ctx)
{
    for (size_t i = 0; po && i < po->nslots; i++)
        if (po->slots[i].msgid)
            fn(po->slots[i].msgid, po->slots[i].msgstr, ctx);
}

/* Next printf conversion after *p ("%d", "%s", "%.40s"...), or 0 at the end; "%%" is skipped. */
static char next_conv(const char **p)
{
    for (const char *s = *p; *s; s++) {
        if (*s != '%')
            continue;
        s++;
        if (*s == '%')
            continue;
        while (*s && strchr("0123456789.-+ #'lhzj*", *s))
            s++;
        *p = *s ? s + 1 : s;
        return *s ? *s : '?';
    }
    return 0;
}

bool ck_format_compatible(const char *a, const char *b)
{
    for (;;) {
        char ca = next_conv(&a), cb = next_conv(&b);
        if (ca != cb)
            return false;
        if (!ca)
            return true;
    }
}

enum ck_err ck_i18n_load(struct ck_i18n *i18n, const char *const *langs, size_t nlangs,
                         const char *ui_dir, const char *city_dir, char *err, size_t errlen)
{
    memset(i18n, 0, sizeof *i18n);
    for (size_t i = 0; i < nlangs && i < CK_LANG_MAX; i++) {
        snprintf(i18n->langs[i], sizeof i18n->langs[i], "%s", langs[i]);
        i18n->nlangs++;
        if (strcmp(langs[i], "en") == 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.po", ui_dir, langs[i]);
        if (!(i18n->ui[i] = ck_po_load(path, err, errlen)))
            return CK_ERR_CONFIG;
        if (city_dir) {
            snprintf(path, sizeof path, "%s/%s.po", city_dir, langs[i]);
            if (!(i18n->city[i] = ck_po_load(path, err, errlen)))
                return CK_ERR_CONFIG;
        }
    }
    return CK_OK;
}

void ck_i18n_deinit(struct ck_i18n *i18n)
{
    for (size_t i = 0; i < i18n->nlangs; i++) {
        ck_po_free(i18n->ui[i]);
        ck_po_free(i18n->city[i]);
    }
    memset(i18n, 0, sizeof *i18n);
}

static int lang_index(const struct ck_i18n *i18n, const char *lang)
{
    for (size_t i = 0; lang && i < i18n->nlangs; i++)
        if (strcmp(i18n->langs[i], lang) == 0)
            return (int)i;
    return -1;
}

bool ck_i18n_has(const struct ck_i18n *i18n, const char *lang)
{
    return lang_index(i18n, lang) >= 0;
}

const char *ck_i18n_tr(const struct ck_i18n *i18n, const char *lang, const char *msgid)
{
    if (!msgid || !*msgid)
        return msgid ? msgid : "";
    int i = lang_index(i18n, lang);
    if (i < 0)
        return msgid;
    const char *t = ck_po_get(i18n->city[i], msgid);
    if (!t)
        t = ck_po_get(i18n->ui[i], msgid);
    return t ? t : msgid;
}
