/* i18n.h: translations in the translators' own format, gettext PO files.
 *
 * The English text is the key (msgid). A struct ck_i18n holds, per language, the UI strings
 * (assets/i18n/<lang>.po) and the city's catalog strings (<city>/i18n/<lang>.po); lookups try
 * the city's first, then the UI's, then fall back to the English msgid. A translation whose
 * printf conversions differ from its msgid's is refused at load (it would crash or lie).
 * Pure C. Loaded once at start; lookups from any thread while nobody loads. */
#ifndef CK_I18N_H
#define CK_I18N_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct ck_po;

/* Parses a PO file. Returns NULL with a message in err (file:line: reason) on failure. */
struct ck_po *ck_po_load(const char *path, char *err, size_t errlen);
/* Parses PO text from memory; `name` is used in messages. */
struct ck_po *ck_po_parse(const char *text, size_t len, const char *name, char *err, size_t errlen);
void ck_po_free(struct ck_po *po);
/* The translation of msgid, or NULL if the file has none. */
const char *ck_po_get(const struct ck_po *po, const char *msgid);
/* Number of translated entries. */
size_t ck_po_count(const struct ck_po *po);
/* Calls fn for each msgid (for completeness checks). */
void ck_po_each(const struct ck_po *po, void (*fn)(const char *msgid, const char *msgstr, void *ctx),
                void *ctx);

#define CK_LANG_MAX 16

struct ck_i18n {
    size_t nlangs;
    char langs[CK_LANG_MAX][8]; /* langs[0] is the default (English) */
    struct ck_po *ui[CK_LANG_MAX];
    struct ck_po *city[CK_LANG_MAX];
};

/* Loads assets/i18n/<lang>.po (ui_dir) and <city_dir>/<lang>.po for each language code listed.
 * English needs no file. A missing or broken file is reported in err and is an error, because a
 * language offered to residents must be complete. */
enum ck_err ck_i18n_load(struct ck_i18n *i18n, const char *const *langs, size_t nlangs,
                         const char *ui_dir, const char *city_dir, char *err, size_t errlen);
void ck_i18n_deinit(struct ck_i18n *i18n);

/* The text for msgid in lang; msgid itself when there is no translation. Never NULL. */
const char *ck_i18n_tr(const struct ck_i18n *i18n, const char *lang, const char *msgid);

/* True if the language is one the kiosk offers. */
bool ck_i18n_has(const struct ck_i18n *i18n, const char *lang);

/* True if two printf formats have the same conversions in the same order. */
bool ck_format_compatible(const char *a, const char *b);

#endif
