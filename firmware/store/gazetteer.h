/* gazetteer.h: the city's address points (address, lat/long, ZIP) and the search behind the
 * address step's suggestions.
 *
 * The city ships a CSV (header `address,lat,long,zip`, RFC 4180, UTF-8); it is imported into a
 * SQLite FTS5 index in its own file (gazetteer.db in the data dir, separate from kiosk.db: it is
 * a cache that can always be rebuilt from the CSV). sqlite3.h stays inside store/. A handle is
 * one SQLite connection: each thread that searches opens its own, and only that thread uses it. */
#ifndef CK_GAZETTEER_H
#define CK_GAZETTEER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct ck_gazetteer;

#define CK_ADDRESS_LEN 160 /* bytes of an address, with its NUL; longer CSV rows are skipped */

/* One address point. */
struct ck_address {
    char address[CK_ADDRESS_LEN]; /* "120 Main Street", as the city wrote it */
    char zip[12];                 /* "08071", or "" when the city gave none */
    double lat, lon;              /* WGS 84 degrees */
};

/* What the last open found and did, for logs, staff and tests. */
struct ck_gazetteer_info {
    long long rows;    /* address points in the index */
    long long skipped; /* bad CSV rows left out by the last import */
    bool imported;     /* this open (re)built the index from the CSV */
    bool stale;        /* the CSV changed but could not be imported: the previous data is in use */
};

/* Opens (creating if needed) the index at db_path and brings it up to date with the CSV at
 * csv_path: when the CSV's size, mtime or content hash changed since the last import, it is
 * imported again, in one transaction, into a fresh table that replaces the old one only when
 * the import succeeded. Bad rows (wrong column count, an empty or overlong address, latitude or
 * longitude out of range or 0,0, invalid UTF-8 or control characters) are skipped and counted
 * in one warning; a CSV that cannot be read, lacks the header, or holds more bad rows than good
 * ones is refused, and the previous data (if any) stays in use (info.stale). csv_path may be
 * NULL: the index is used as it is. Returns NULL with the reason in err when there is no usable
 * data at all. Any thread; the returned handle belongs to that thread. Importing 100,000 rows
 * takes about half a second (tests/bench/bench_gazetteer.c); an unchanged CSV costs a stat. */
struct ck_gazetteer *ck_gazetteer_open(const char *db_path, const char *csv_path, char *err,
                                       size_t errlen);
void ck_gazetteer_close(struct ck_gazetteer *g);

void ck_gazetteer_info(const struct ck_gazetteer *g, struct ck_gazetteer_info *info);

/* The best matches for what a resident typed, best first, at most max into out; the count in
 * *found. Every typed word matches as the start of a word of the address or ZIP, in any order,
 * accents and case ignored ("12 oak" finds "12 Oak Avenue", "nandu" finds "Calle Ñandú"); a
 * word that matches a whole word counts more (house number 12 before 1251, Oak before Oakland);
 * common abbreviations (rd, ln, ct, blvd...) match their long form. Ranked by FTS5's bm25, then
 * the shorter address. At most the first 4,000 matches are ranked (a query that broad has no
 * best match yet). Quotes, operators and broken UTF-8 in typed are treated as
 * plain text: any input is safe. Fewer than two characters, or text far longer than any
 * address, find nothing. Fast enough for every keystroke (see tests/bench/bench_gazetteer.c).
 * The thread that opened g. */
enum ck_err ck_gazetteer_search(struct ck_gazetteer *g, const char *typed, struct ck_address *out,
                                size_t max, size_t *found);

#endif
